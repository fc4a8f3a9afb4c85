"""Workspace pages for organizations and prefecture pages. Imports live in `imports.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from matchmaking.firms.models import IntroductionRequest
from matchmaking.workspace.access import (
    HtmxHttpRequest,
    curated_organization,
    curated_prefecture,
    curator,
    curator_required,
)
from profiles import services
from profiles.completeness import missing_items, with_completeness
from profiles.forms import OrganizationForm, PrefectureGuideForm, municipality_options
from profiles.keywords import suggest_keywords
from profiles.models import Organization, OrganizationChange, Prefecture, PrefectureGuide
from profiles.models.curation import curated_prefecture_ids

PAGE_SIZE = 50


@require_GET
@curator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.curated_by(request.user)
    counts = dict(organizations.order_by().values_list("status").annotate(count=Count("pk")))
    needs_work = list(
        with_completeness(organizations.exclude(status=Organization.Status.ARCHIVED))
        .filter(completeness__lt=100)  # type: ignore[misc]
        .select_related("prefecture")
        .order_by("completeness", "updated_at", "pk")[:15]
    )
    for organization in needs_work:
        organization.missing = missing_items(organization)  # type: ignore[attr-defined]
    recent = OrganizationChange.objects.filter(
        organization__in=organizations.values("pk")
    ).select_related("organization", "user")[:10]
    waiting = IntroductionRequest.objects.in_prefectures(
        curated_prefecture_ids(request.user)
    ).open()
    context = {
        "waiting_introductions": list(
            waiting.select_related("firm", "organization").order_by("created_at")[:5]
        ),
        "waiting_count": waiting.count(),
        "statuses": [
            (value, label, counts.get(value, 0)) for value, label in Organization.Status.choices
        ],
        "needs_work": needs_work,
        "recent": recent,
        "prefectures": _prefectures(request),
    }
    return render(request, "matchmaking/workspace/dashboard.html", context)


def _prefectures(request: HttpRequest) -> Any:
    scope = curated_prefecture_ids(request.user)
    prefectures = Prefecture.objects.all()
    return prefectures if scope is None else prefectures.filter(pk__in=scope)


@require_GET
@curator_required
@vary_on_headers("HX-Request")
def organization_list(request: HtmxHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    organizations = with_completeness(Organization.objects.curated_by(request.user))
    if status in Organization.Status.values:
        organizations = organizations.filter(status=status)
    if query:
        organizations = organizations.filter(
            Q(name_en__icontains=query) | Q(name_ja__icontains=query) | Q(external_id=query)
        )
    page = Paginator(
        organizations.select_related("prefecture").order_by("-updated_at", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for organization in page:
        organization.missing = missing_items(organization)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "status": status,
        "query": query,
        "statuses": Organization.Status.choices,
    }
    template = "matchmaking/workspace/organization_list.html"
    if request.htmx:
        template += "#organization-list"
    return render(request, template, context)


def _form_page(
    request: HttpRequest,
    form: OrganizationForm,
    organization: Organization | None,
    *,
    status: int = 200,
    stale: services.StaleVersion | None = None,
) -> HttpResponse:
    _refill_municipalities_on_change(form)
    context = {
        "form": form,
        "organization": organization,
        "stale": stale,
        "suggestions": _suggestions(form),
    }
    return render(request, "matchmaking/workspace/organization_form.html", context, status=status)


def _refill_municipalities_on_change(form: OrganizationForm) -> None:
    """Changing the prefecture asks for its municipalities and puts them in their select.

    Only the options are replaced: the select keeps its label, its focus and its place, and
    nothing is announced. Without JavaScript, saving checks the pair and draws the select again
    with the chosen prefecture's municipalities.
    """
    municipality = form["municipality"].auto_id
    form.fields["prefecture"].widget.attrs |= {
        "aria-controls": municipality,
        "hx-get": reverse("workspace:municipalities"),
        "hx-trigger": "change",
        "hx-target": f"#{municipality}",
        "hx-swap": "innerHTML",
        # Its own queue: the form's live validation, which the same change sets off, would
        # otherwise cancel this request (hx-sync is inherited from the form).
        "hx-sync": "this:replace",
    }


def _suggestions(form: OrganizationForm) -> list[Any]:
    if not form.is_bound:
        source: Any = form.instance
        texts = [getattr(source, name, "") for name in SUGGESTION_FIELDS]
        return suggest_keywords(texts=texts, keywords=source.keywords) if source.pk else []
    texts = [form.data.get(name, "") for name in SUGGESTION_FIELDS]
    return suggest_keywords(texts=texts, keywords=form.data.get("keywords", ""))


SUGGESTION_FIELDS = ["name_en", *Organization.bilingual_fields()]


def _refuse_foreign_prefecture(request: HttpRequest, organization: Organization | None) -> None:
    """403 for a post naming a prefecture the curator does not curate, or moving a row."""
    code = request.POST.get("prefecture", "")
    scope = curated_prefecture_ids(request.user)
    if scope is None or not code:
        return
    prefecture = Prefecture.objects.filter(code=code).first()
    if prefecture is None:
        return  # the form says the code is unknown
    if prefecture.pk not in scope:
        raise PermissionDenied
    if organization is not None and prefecture.pk != organization.prefecture_id:
        raise PermissionDenied


@require_GET
@curator_required
def organization_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, OrganizationForm(user=request.user), None)


@require_POST
@curator_required
def organization_create(request: HttpRequest) -> HttpResponse:
    _refuse_foreign_prefecture(request, None)
    form = OrganizationForm(request.POST, user=request.user)
    if not form.is_valid():
        return _form_page(request, form, None)
    try:
        organization = services.organization_create(
            data=form.cleaned_data,
            user=curator(request),
            creation_key=form.cleaned_data.get("creation_key"),
        )
    except services.DuplicateOrganization:
        form.add_error(
            "external_id",
            _("Another organization of this prefecture was just saved with this external ID."),
        )
        return _form_page(request, form, None)
    messages.success(request, _("The organization was created as a draft."))
    return redirect("workspace:organization", pk=organization.pk)


@require_GET
@curator_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = curated_organization(request, pk)
    scored = with_completeness(Organization.objects.filter(pk=pk)).get()
    context = {
        "organization": organization,
        "missing": missing_items(scored),
        "completeness": scored.completeness,  # type: ignore[attr-defined]
        "industries": organization.industries.all(),
        "partnership_types": organization.partnership_types.all(),
        "languages": organization.languages.all(),
        "transitions": [
            (action, transition.label)
            for action, transition in services.TRANSITIONS.items()
            if organization.status in transition.sources
        ],
        "history": organization.changes.select_related("user")[:100],
    }
    return render(request, "matchmaking/workspace/organization.html", context)


@require_GET
@curator_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = curated_organization(request, pk)
    form = OrganizationForm(instance=organization, user=request.user)
    return _form_page(request, form, organization)


@require_POST
@curator_required
def organization_update(request: HttpRequest, pk: int) -> HttpResponse:
    organization = curated_organization(request, pk)
    _refuse_foreign_prefecture(request, organization)
    form = OrganizationForm(request.POST, instance=organization, user=request.user)
    if not form.is_valid():
        return _form_page(request, form, organization)
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
        form = OrganizationForm(data, instance=stale.organization, user=request.user)
        return _form_page(request, form, stale.organization, status=409, stale=stale)
    messages.success(request, _("Saved."))
    return redirect("workspace:organization", pk=pk)


@require_POST
@curator_required
@vary_on_headers("HX-Request")
def organization_validate(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    """Live validation for htmx: the form's errors and keyword suggestions, nothing saved."""
    organization = curated_organization(request, pk) if pk is not None else None
    form = OrganizationForm(request.POST, instance=organization, user=request.user)
    form.is_valid()
    context = {"form": form, "organization": organization, "suggestions": _suggestions(form)}
    template = "matchmaking/workspace/organization_form.html"
    if request.htmx:
        template += "#form-feedback"
    return render(request, template, context)


@require_GET
@curator_required
def municipalities(request: HttpRequest) -> HttpResponse:
    """The `<option>`s of a prefecture's municipalities, for the organization form's select.

    Only for a prefecture the user curates (any for an administrator); no prefecture gives the
    blank option alone.
    """
    code = request.GET.get("prefecture", "")
    prefecture = curated_prefecture(request, code) if code else None
    return HttpResponse(municipality_options(prefecture.code if prefecture else ""))


@require_POST
@curator_required
def organization_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in services.TRANSITIONS:
        raise Http404
    organization = curated_organization(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        services.organization_transition(
            organization=organization, action=action, version=version, user=curator(request)
        )
    except services.StaleVersion:
        messages.error(
            request,
            _("Someone else changed this organization meanwhile; see its history and retry."),
        )
    except services.TransitionRefused as refused:
        messages.error(request, _("Not possible from the status “%s”.") % refused)
    else:
        messages.success(request, _("Status changed."))
    return redirect("workspace:organization", pk=pk)


@require_GET
@curator_required
def prefecture_guide(request: HttpRequest, code: str) -> HttpResponse:
    prefecture = curated_prefecture(request, code)
    guide = PrefectureGuide.objects.filter(prefecture=prefecture).first()
    form = PrefectureGuideForm(instance=guide)
    return render(
        request,
        "matchmaking/workspace/prefecture_guide.html",
        {"prefecture": prefecture, "guide": guide, "form": form},
    )


@require_POST
@curator_required
def prefecture_guide_update(request: HttpRequest, code: str) -> HttpResponse:
    prefecture = curated_prefecture(request, code)
    guide = PrefectureGuide.objects.filter(prefecture=prefecture).first()
    form = PrefectureGuideForm(request.POST, instance=guide)
    if not form.is_valid():
        return render(
            request,
            "matchmaking/workspace/prefecture_guide.html",
            {"prefecture": prefecture, "guide": guide, "form": form},
        )
    services.prefecture_guide_update(
        prefecture=prefecture, data=form.cleaned_data, user=curator(request)
    )
    messages.success(request, _("The prefecture page was saved."))
    return redirect("workspace:prefecture_guide", code=code)
