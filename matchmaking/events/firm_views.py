"""A firm's event pages, /firm/events/…: the events open for registration, its own
registration, and once published its own meetings only (as a page, printable, and .ics)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from matchmaking.events import calendar, services
from matchmaking.events.forms import RegistrationForm
from matchmaking.events.models import Event, Registration
from matchmaking.firms.access import require_firm
from matchmaking.firms.models import ForeignFirm


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    firm = require_firm(request)
    mine = Registration.objects.filter(firm=firm).select_related("event__prefecture")
    registered = {r.event_id for r in mine}
    open_events = (
        Event.objects.open_for_registration()
        .exclude(pk__in=registered)
        .select_related("prefecture")
    )
    context = {"registrations": mine, "open_events": open_events}
    return render(request, "matchmaking/events/firm/list.html", context)


def _visible_event(firm: ForeignFirm, pk: int) -> Event:
    """An event open for registration, or one the firm registered for; else 404."""
    return get_object_or_404(
        Event.objects.filter(
            Q(pk__in=Event.objects.open_for_registration()) | Q(registrations__firm=firm)
        )
        .select_related("prefecture")
        .distinct(),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    firm = require_firm(request)
    event = _visible_event(firm, pk)
    registration = Registration.objects.filter(event=event, firm=firm).first()
    initial = (
        {
            "need": registration.need,
            "available_slots": registration.available_slots,
            "must_meet": list(registration.must_meet.all()),
            "not_interested": list(registration.not_interested.all()),
        }
        if registration
        else {"need": firm.seeks_en or firm.seeks_ja}
    )
    form = RegistrationForm(request.POST or None, initial=initial, event=event, firm_side=True)
    editable = event.registration_is_open()
    if request.method == "POST" and editable and form.is_valid():
        data = form.cleaned_data
        fields = {
            "need": data["need"],
            "available_slots": data["available_slots"],
            "must_meet": list(data["must_meet"]),
            "not_interested": list(data["not_interested"]),
        }
        try:
            if registration is None:
                services.registration_create(
                    event=event, by=cast(User, request.user), firm=firm, **fields
                )
            else:
                services.registration_update(registration=registration, **fields)
        except services.EventRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("You are registered. Your schedule shows here once the curator publishes it."),
            )
            return redirect("events:firm_events")
    context = {"event": event, "form": form, "registration": registration, "editable": editable}
    return render(request, "matchmaking/events/firm/register.html", context)


def _own_registration(request: HttpRequest, pk: int) -> Registration:
    """The firm's registration for a published event: 404 before publication or for an
    event it did not register for."""
    firm = require_firm(request)
    registration = get_object_or_404(
        Registration.objects.select_related("event__prefecture"),
        event_id=pk,
        firm=firm,
    )
    if registration.event.state != Event.State.PUBLISHED:
        raise Http404
    return registration


def _schedule_context(registration: Registration) -> dict[str, object]:
    """Its own meetings only."""
    schedule = registration.schedule()
    return {"event": registration.event, "registration": registration, "schedule": schedule}


@login_required
@require_GET
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    context = _schedule_context(_own_registration(request, pk))
    return render(request, "matchmaking/events/firm/schedule.html", context)


@login_required
@require_GET
def schedule_print(request: HttpRequest, pk: int) -> HttpResponse:
    context = _schedule_context(_own_registration(request, pk))
    return render(request, "matchmaking/events/firm/print.html", context)


@login_required
@require_GET
def schedule_ics(request: HttpRequest, pk: int) -> HttpResponse:
    return calendar.schedule_response(request, _own_registration(request, pk), f"event-{pk}.ics")
