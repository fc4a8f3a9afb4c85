"""Workspace pages for bulk import (preview, progress, commit), templates and export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from matchmaking.directory.listing import DirectoryFilters, FilterOptions, matching
from matchmaking.workspace.access import (
    HtmxHttpRequest,
    curated_prefecture,
    curator,
    curator_required,
)
from profiles import exporting
from profiles.forms import ImportUploadForm
from profiles.importing.jobs import (
    import_job_cancel,
    import_job_commit,
    import_job_retry,
    import_job_start,
)
from profiles.models import ImportJob, Organization

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _import_page(
    request: HttpRequest, form: ImportUploadForm, *, status: int = 200
) -> HttpResponse:
    ImportJob.objects.filter(user=curator(request)).fail_orphaned()
    jobs = ImportJob.objects.filter(user=curator(request)).defer("content")[:10]
    context = {
        "form": form,
        "jobs": jobs,
        "max_mb": settings.IMPORT_MAX_BYTES / 1024 / 1024,
        "max_rows": settings.IMPORT_MAX_ROWS,
    }
    return render(request, "matchmaking/workspace/import.html", context, status=status)


@require_GET
@curator_required
def import_start(request: HttpRequest) -> HttpResponse:
    return _import_page(request, ImportUploadForm(max_bytes=settings.IMPORT_MAX_BYTES))


@require_POST
@curator_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES, max_bytes=settings.IMPORT_MAX_BYTES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    job = import_job_start(
        user=curator(request),
        file_name=upload.name,
        content=upload.read(),
        mode=ImportJob.Mode.DRY_RUN,
        language=get_language() or "en",
    )
    return redirect("workspace:import_job", pk=job.pk)


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    # A job shows rows of the file, so only the person who uploaded it may see it.
    return get_object_or_404(ImportJob.objects.defer("content"), pk=pk, user=curator(request))


@require_GET
@curator_required
@vary_on_headers("HX-Request")
def import_job(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if not job.is_finished:
        job.fail_if_orphaned()
    template = "matchmaking/workspace/import_job.html"
    if request.htmx:
        template += "#import-job"
    return render(request, template, {"job": job})


@require_POST
@curator_required
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if not job.can_commit:
        messages.error(request, _("Only a preview without errors can be committed."))
        return redirect("workspace:import_job", pk=pk)
    job.refresh_from_db()  # with the content, deferred above
    commit = import_job_commit(job=job, user=curator(request))
    return redirect("workspace:import_job", pk=commit.pk)


@require_POST
@curator_required
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if not job.can_retry:
        messages.error(request, _("Only a failed import can be run again."))
        return redirect("workspace:import_job", pk=pk)
    job.refresh_from_db()  # with the content, deferred above
    retry = import_job_retry(job=job, user=curator(request))
    return redirect("workspace:import_job", pk=retry.pk)


@require_POST
@curator_required
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.can_cancel and import_job_cancel(job=job):
        messages.success(request, _("The import was cancelled; nothing was written."))
    else:
        messages.error(request, _("Only an import that has not started can be cancelled."))
    return redirect("workspace:import_job", pk=pk)


@require_GET
@curator_required
def import_template(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in CONTENT_TYPES:
        raise Http404
    body = exporting.to_csv([]) if file_format == "csv" else exporting.to_xlsx([])
    return _download(body, file_format, "ryumon-import-template")


def _download(body: bytes, file_format: str, stem: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
    return response


@require_GET
@curator_required
def export(request: HttpRequest) -> HttpResponse:
    """The curator's organizations, narrowed by the directory's filters, in the import schema."""
    file_format = request.GET.get("format", "csv")
    if file_format not in CONTENT_TYPES:
        raise Http404
    organizations = Organization.objects.curated_by(request.user)
    if code := request.GET.get("prefecture"):
        organizations = organizations.filter(prefecture=curated_prefecture(request, code))
    if (region := request.GET.get("region")) is not None and region:
        organizations = organizations.in_region(region)
    if (status := request.GET.get("status")) in Organization.Status.values:
        organizations = organizations.filter(status=status)
    if (kind := request.GET.get("kind")) in Organization.Kind.values:
        organizations = organizations.filter(kind=kind)
    if request.GET.get("lying_dragon"):
        organizations = organizations.lying_dragons()
    return _export(organizations, file_format)


@require_GET
@curator_required
def directory_export(request: HttpRequest) -> HttpResponse:
    """The public directory's current results, those the curator curates, in the import schema.

    The query string is the directory's (`q`, `kind`, `region`, `prefecture`, `industry`,
    `partnership`, `language`, `dragons`); every page of results goes in the file.
    """
    file_format = request.GET.get("format", "csv")
    if file_format not in CONTENT_TYPES:
        raise Http404
    filters = DirectoryFilters.from_query(request.GET, FilterOptions.load())
    scope = Organization.objects.published().curated_by(request.user)
    return _export(matching(filters, scope), file_format)


def _export(organizations: QuerySet[Organization], file_format: str) -> HttpResponse:
    queryset = exporting.export_queryset(organizations)
    body = exporting.to_csv(queryset) if file_format == "csv" else exporting.to_xlsx(queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _download(body, file_format, f"ryumon-organizations-{stamp}")
