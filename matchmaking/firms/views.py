from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from matchmaking.directory.listing import FilterOptions
from matchmaking.directory.views import HtmxHttpRequest
from matchmaking.firms import services
from matchmaking.firms.access import require_firm
from matchmaking.firms.forms import FeedbackForm, FirmProfileForm, ShortlistNoteForm
from matchmaking.firms.models import ForeignFirm, ShortlistEntry, SuggestionFeedback
from matchmaking.firms.partners import SuggestionPage, SuggestionQuery, suggested_partners
from matchmaking.firms.profile import profile_gaps
from matchmaking.search import store
from profiles.models import Organization


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    firm = require_firm(request)
    form = FirmProfileForm(request.POST or None, instance=firm)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profile saved."))
        return redirect("firm:profile")
    context = {"form": form, "firm": firm, "gaps": profile_gaps(firm)}
    return render(request, "matchmaking/firms/profile.html", context)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def suggested(request: HtmxHttpRequest) -> HttpResponse:
    firm = require_firm(request)
    # The profile's gaps and its need both read these: once.
    prefetch_related_objects([firm], "industries", "partnership_types", "languages")
    options = FilterOptions.load()
    query = SuggestionQuery.from_query(request.GET, options)
    context: dict[str, object] = {
        "firm": firm,
        "query": query,
        "filters": query.filters,
        "choices": options.choices(),
        "gaps": profile_gaps(firm),
        # The same radio buttons in every card's dismissal form: rendered once, not ten times.
        "reason_choices": render_to_string(
            "matchmaking/firms/_dismiss_reasons.html",
            {"reasons": SuggestionFeedback.Reason.choices},
        ),
        "previous_query": query.querystring(page=query.page - 1),
        "next_query": query.querystring(page=query.page + 1),
    }
    page: SuggestionPage | None = None
    try:
        page = suggested_partners(firm, query, options, lang=get_language() or "en")
    except store.IndexMissing:
        pass
    else:
        services.suggestions_record_shown(
            firm=firm, organizations=[s.organization for s in page.rows]
        )
    context["page"] = page
    context["shortlisted"] = set(
        ShortlistEntry.objects.filter(firm=firm).values_list("organization_id", flat=True)
    )
    template = "matchmaking/firms/suggested.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def dismiss(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    firm = require_firm(request)
    organization = get_object_or_404(Organization.objects.published(), pk=pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why this suggestion is not relevant."))
        return redirect(_safe_next(request, "firm:suggested"))
    services.suggestion_dismiss(
        firm=firm, organization=organization, user=_user(request), **form.cleaned_data
    )
    if request.htmx:
        return render(
            request,
            "matchmaking/firms/suggested.html#dismissed",
            {"organization": organization, "feedback": form.instance},
        )
    messages.success(
        request, _("%(name)s will no longer be suggested.") % {"name": organization.name}
    )
    return redirect(_safe_next(request, "firm:suggested"))


@login_required
@require_GET
def shortlist(request: HttpRequest) -> HttpResponse:
    firm = require_firm(request)
    entries = _visible_entries(firm).select_related("organization__prefecture__region")
    return render(
        request,
        "matchmaking/firms/shortlist.html",
        {"firm": firm, "entries": entries, "note_form": ShortlistNoteForm},
    )


@login_required
@require_POST
@vary_on_headers("HX-Request")
def shortlist_toggle(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    firm = require_firm(request)
    organization = get_object_or_404(Organization.objects.published(), pk=pk)
    if request.POST.get("action") == "remove":
        services.shortlist_remove(firm=firm, organization=organization)
        on_list = False
    else:
        services.shortlist_add(firm=firm, organization=organization, user=_user(request))
        on_list = True
    if request.htmx:
        return render(
            request,
            "matchmaking/firms/_shortlist_button.html",
            {
                "organization": organization,
                "on_shortlist": on_list,
                "next": request.POST.get("next", ""),
            },
        )
    return redirect(_safe_next(request, "firm:shortlist"))


@login_required
@require_POST
def shortlist_note(request: HttpRequest, pk: int) -> HttpResponse:
    firm = require_firm(request)
    entry = get_object_or_404(ShortlistEntry, firm=firm, organization_id=pk)
    form = ShortlistNoteForm(request.POST, instance=entry)
    if form.is_valid():
        form.save()
        messages.success(request, _("Note saved."))
    return redirect("firm:shortlist")


@login_required
@require_GET
def shortlist_csv(request: HttpRequest) -> HttpResponse:
    firm = require_firm(request)
    entries = _visible_entries(firm).select_related("organization__prefecture")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shortlist.csv"'
    # A byte-order mark, so that spreadsheet programs read the Japanese names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["name_en", "name_ja", "prefecture", "kind", "lying_dragon", "url", "note", "added"]
    )
    for entry in entries:
        org = entry.organization
        writer.writerow(
            [
                _csv_cell(org.name_en),
                _csv_cell(org.name_ja),
                org.prefecture.name_en,
                org.kind,
                "yes" if org.lying_dragon else "no",
                request.build_absolute_uri(org.get_absolute_url()),
                _csv_cell(entry.note),
                entry.created_at.date().isoformat(),
            ]
        )
    return response


def _visible_entries(firm: ForeignFirm) -> QuerySet[ShortlistEntry]:
    """The firm's entries on published organizations.

    An organization taken back to draft or archived is no longer shown to firms anywhere;
    its entry and note stay, and come back if it is published again.
    """
    return ShortlistEntry.objects.filter(
        firm=firm, organization__status=Organization.Status.PUBLISHED
    )


def _csv_cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula when the file is opened.
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value
