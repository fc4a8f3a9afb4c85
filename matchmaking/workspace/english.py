"""The English texts queue: published profiles written in Japanese only, the most shown to
firms first, and a side-by-side editor for their English texts.

The editor saves through `profiles.services.organization_update`, as the full edit form does:
the version check, the history record and the index update come with it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from matchmaking.directory.glance import keyword_readings, untranslated_texts
from matchmaking.workspace.access import curated_organization, curator, curator_required
from profiles import services
from profiles.forms import OrganizationForm
from profiles.models import Organization
from profiles.models.organizations import missing_text_q

QUEUE_PAGE_SIZE = 25
# The English side of each text the model declares, beside its Japanese (never listed by hand).
ENGLISH_TEXTS = ["name_en", *Organization.bilingual_fields("en")]
EDITOR_FIELDS = ["version", *ENGLISH_TEXTS, "keywords"]
TEXT_LABELS = {
    "description": gettext_lazy("description"),
    "offers": gettext_lazy("what it offers"),
    "seeks": gettext_lazy("what it seeks"),
}


@require_GET
@curator_required
def queue(request: HttpRequest) -> HttpResponse:
    waiting = Organization.objects.curated_by(request.user).published().missing_english()
    counts = waiting.aggregate(
        total=Count("pk"),
        **{
            text: Count("pk", filter=missing_text_q("en", [text]))
            for text in Organization.bilingual_texts()
        },
    )
    ordered = (
        waiting.select_related("prefecture")
        .annotate(shown=Count("suggestions_shown"))
        .order_by("-shown", "-updated_at", "pk")
    )
    paginator = Paginator(ordered, QUEUE_PAGE_SIZE)
    paginator.count = counts["total"]  # counted above; its own count would join the shown rows
    page = paginator.get_page(request.GET.get("page"))
    for organization in page:
        organization.missing = [  # type: ignore[attr-defined]
            TEXT_LABELS.get(text, text) for text in untranslated_texts(organization, "en")
        ]
    context = {
        "page": page,
        "total": counts.pop("total"),
        "by_text": [(TEXT_LABELS.get(text, text), n) for text, n in counts.items()],
    }
    return render(request, "matchmaking/workspace/english_queue.html", context)


def _editor(
    request: HttpRequest,
    organization: Organization,
    form: OrganizationForm,
    *,
    status: int = 200,
    stale: services.StaleVersion | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "organization": organization,
        "form": form,
        # Each English field beside the Japanese text it renders, read-only.
        "pairs": [
            (form[name], getattr(organization, name.removesuffix("_en") + "_ja"))
            for name in ENGLISH_TEXTS
        ],
        "keywords": keyword_readings(organization, "en"),
        "stale": stale,
    }
    return render(request, "matchmaking/workspace/english_edit.html", context, status=status)


def _form(request: HttpRequest, organization: Organization, data: Any = None) -> OrganizationForm:
    return OrganizationForm(data, instance=organization, user=request.user, only=EDITOR_FIELDS)


@require_GET
@curator_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = curated_organization(request, pk)
    return _editor(request, organization, _form(request, organization))


@require_POST
@curator_required
def update(request: HttpRequest, pk: int) -> HttpResponse:
    organization = curated_organization(request, pk)
    form = _form(request, organization, request.POST)
    if not form.is_valid():
        return _editor(request, organization, form)
    try:
        services.organization_update(
            organization=organization,
            data=form.cleaned_data,
            version=form.cleaned_data["version"] or 0,
            user=curator(request),
        )
    except services.StaleVersion as stale:
        # Keep the curator's text; the next save is based on what they have now seen.
        data = request.POST.copy()
        data["version"] = str(stale.organization.version)
        form = _form(request, stale.organization, data)
        return _editor(request, stale.organization, form, status=409, stale=stale)
    messages.success(
        request,
        _("The English texts of %(name)s were saved.") % {"name": organization.name},
    )
    return redirect("workspace:english_queue")
