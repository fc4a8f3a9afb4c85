"""The curator's event pages, /workspace/events/…: their prefectures' events only (another
prefecture's answers 404, like a missing one)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matchmaking.events import calendar, services
from matchmaking.events.forms import EventForm, OrganizationRegistrationForm, SwapForm
from matchmaking.events.models import Event, EventMeeting, Registration
from matchmaking.workspace.access import curator, curator_required
from profiles.models import Organization, Prefecture
from profiles.models.curation import curated_prefecture_ids


def _event(request: HttpRequest, pk: int) -> Event:
    return get_object_or_404(
        Event.objects.curated_by(request.user).select_related("prefecture"), pk=pk
    )


def _prefectures(request: HttpRequest) -> object:
    scope = curated_prefecture_ids(request.user)
    prefectures = Prefecture.objects.order_by("code")
    return prefectures if scope is None else prefectures.filter(pk__in=scope)


@curator_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.curated_by(request.user).select_related("prefecture")
    return render(request, "matchmaking/events/curator/list.html", {"events": events})


@curator_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, prefectures=_prefectures(request))
    if request.method == "POST" and form.is_valid():
        event = form.save(commit=False)
        event.created_by = curator(request)
        event.save()
        form.save_m2m()
        messages.success(request, _("Event created. Open registration when it is ready."))
        return redirect("events:curator_event", pk=event.pk)
    return render(request, "matchmaking/events/curator/form.html", {"form": form})


@curator_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = EventForm(request.POST or None, instance=event, prefectures=_prefectures(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Event saved."))
        return redirect("events:curator_event", pk=event.pk)
    return render(request, "matchmaking/events/curator/form.html", {"form": form, "event": event})


def _organizations(request: HttpRequest, event: Event) -> object:
    """The organizations the curator may register for this event: published, in scope and
    admitted by the event's prefectures and kinds, not registered yet."""
    organizations = (
        Organization.objects.published()
        .curated_by(request.user)
        .exclude(event_registrations__event=event)
        .order_by("name_en")
    )
    prefectures = list(event.prefectures.all())
    if prefectures:
        organizations = organizations.filter(prefecture__in=prefectures)
    if event.kinds:
        organizations = organizations.filter(kind__in=event.kinds)
    return organizations


@curator_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    return _detail(
        request,
        event,
        OrganizationRegistrationForm(event=event, organizations=_organizations(request, event)),
    )


def _detail(
    request: HttpRequest, event: Event, form: OrganizationRegistrationForm
) -> HttpResponse:
    registrations = event.registrations.select_related("firm", "organization__prefecture")
    context = {
        "event": event,
        "firms": [r for r in registrations if r.is_firm],
        "organizations": [r for r in registrations if not r.is_firm],
        "form": form,
        # Each participant's schedule is linked once there is one (a draft before publication).
        "has_schedule": event.meetings.exists(),
    }
    return render(request, "matchmaking/events/curator/detail.html", context)


@curator_required
@require_POST
def registration_create(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = OrganizationRegistrationForm(
        request.POST, event=event, organizations=_organizations(request, event)
    )
    if form.is_valid():
        try:
            services.registration_create(
                event=event,
                by=curator(request),
                organization=form.cleaned_data["organization"],
                need=form.cleaned_data["need"],
                available_slots=form.cleaned_data["available_slots"],
                must_meet=list(form.cleaned_data["must_meet"]),
                not_interested=list(form.cleaned_data["not_interested"]),
            )
        except services.EventRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Organization registered."))
            return redirect("events:curator_event", pk=event.pk)
    return _detail(request, event, form)


ACTIONS: dict[str, Callable[..., object]] = {
    "open": services.event_open_registration,
    "close": services.event_close_registration,
    "publish": services.event_publish,
}


@curator_required
@require_POST
def event_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    event = _event(request, pk)
    act = ACTIONS.get(action)
    if act is None:
        return HttpResponse(status=404)
    try:
        act(event=event)
    except services.EventRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Event: %(state)s.") % {"state": event.get_state_display()})
    return redirect(
        "events:curator_schedule" if action == "publish" else "events:curator_event", pk=event.pk
    )


@curator_required
@require_GET
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    return _schedule(request, event, SwapForm(event=event))


def _schedule(request: HttpRequest, event: Event, swap_form: SwapForm) -> HttpResponse:
    meetings = event.meetings.select_related(
        "firm_registration__firm", "organization_registration__organization"
    )
    by_seat = {(m.slot, m.table): m for m in meetings}
    grid = [
        {
            "number": slot + 1,
            "start": start,
            "end": end,
            "meetings": [by_seat.get((slot, table)) for table in range(1, event.tables + 1)],
        }
        for slot, (start, end) in enumerate(event.slot_times())
    ]
    context = {
        "event": event,
        "grid": grid,
        "tables": range(1, event.tables + 1),
        "meeting_count": len(by_seat),
        "swap_form": swap_form,
        "editable": event.state == Event.State.CLOSED,
    }
    return render(request, "matchmaking/events/curator/schedule.html", context)


@curator_required
@require_POST
def schedule_propose(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    try:
        proposed = services.schedule_propose(event=event)
    except services.EventRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("%(count)s meetings proposed in %(seconds).1f s.")
            % {"count": len(proposed.meetings), "seconds": proposed.seconds},
        )
    return redirect("events:curator_schedule", pk=event.pk)


@curator_required
@require_POST
def meeting_swap(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = SwapForm(request.POST, event=event)
    if form.is_valid():
        try:
            services.meeting_swap(
                first=form.cleaned_data["first"], second=form.cleaned_data["second"]
            )
        except services.EventRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Meetings swapped."))
            return redirect("events:curator_schedule", pk=event.pk)
    return _schedule(request, event, form)


@curator_required
@require_POST
def meeting_lock(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    event = _event(request, pk)
    meeting = get_object_or_404(EventMeeting, pk=meeting_pk, event=event)
    try:
        services.meeting_lock(meeting=meeting, locked=request.POST.get("locked") == "1")
    except services.EventRefused as refused:
        messages.error(request, str(refused))
    return redirect("events:curator_schedule", pk=event.pk)


def _participant(request: HttpRequest, pk: int, registration_pk: int) -> Registration:
    """A registration of one of the curator's events, once the event has a schedule (404
    before: there is nothing to show, and another prefecture's answers the same)."""
    event = _event(request, pk)
    registration = get_object_or_404(
        event.registrations.select_related("firm", "organization__prefecture"),
        pk=registration_pk,
    )
    if not event.meetings.exists():
        raise Http404
    registration.event = event
    return registration


def _participant_context(registration: Registration) -> dict[str, object]:
    """That participant's meetings only; a draft until the event is published."""
    return {
        "event": registration.event,
        "registration": registration,
        "schedule": registration.schedule(),
        "draft": registration.event.state != Event.State.PUBLISHED,
    }


@curator_required
@require_GET
def participant_schedule(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    context = _participant_context(_participant(request, pk, registration_pk))
    return render(request, "matchmaking/events/curator/participant.html", context)


@curator_required
@require_GET
def participant_schedule_print(
    request: HttpRequest, pk: int, registration_pk: int
) -> HttpResponse:
    context = _participant_context(_participant(request, pk, registration_pk))
    return render(request, "matchmaking/events/curator/participant_print.html", context)


@curator_required
@require_GET
def participant_schedule_ics(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """Published schedules only: a draft's meetings are replaced when the schedule is proposed
    again, and a calendar that imported them would keep the old times."""
    registration = _participant(request, pk, registration_pk)
    if registration.event.state != Event.State.PUBLISHED:
        raise Http404
    filename = f"event-{pk}-registration-{registration_pk}.ics"
    return calendar.schedule_response(request, registration, filename)
