"""A firm's event pages (matchmaking/events/firm_views.py; world: conftest.py): the open
events, its registration, and its own published schedule as a page, printable and .ics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from matchmaking.events import services
from matchmaking.events.models import Event, EventMeeting
from tests.matchmaking.events.conftest import EventWorld

pytestmark = pytest.mark.django_db


def as_user(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_list_shows_the_events_open_for_registration(events: EventWorld) -> None:
    events.sapporo_fair.state = Event.State.DRAFT
    events.sapporo_fair.save()
    body = as_user(events.maria).get(reverse("events:firm_events")).content.decode()
    assert "Kumamoto Robotics Day" in body and "Sapporo Food Fair" not in body


def test_a_firm_registers_with_its_need_slots_and_requests(events: EventWorld) -> None:
    event = events.kumamoto_day
    higo = services.registration_create(
        event=event, by=events.aiko, organization=events.higo, need="-", available_slots=[0]
    )
    client = as_user(events.maria)
    form = client.get(reverse("events:firm_register", args=[event.pk]))
    assert "Higo Robotics" in form.content.decode()
    response = client.post(
        reverse("events:firm_register", args=[event.pk]),
        {"need": "Robot arms.", "available_slots": [1, 2], "must_meet": [higo.pk]},
    )
    assert response.status_code == 302
    registration = event.registrations.get(firm=events.acme)
    assert registration.available_slots == [1, 2]
    assert list(registration.must_meet.all()) == [higo]
    # Back on the page, the registration can be changed while registration is open.
    client.post(
        reverse("events:firm_register", args=[event.pk]),
        {"need": "Robot arms and grippers.", "available_slots": [0, 1, 2]},
    )
    registration.refresh_from_db()
    assert registration.need == "Robot arms and grippers." and not registration.must_meet.exists()


def test_a_draft_event_is_not_found(events: EventWorld) -> None:
    events.sapporo_fair.state = Event.State.DRAFT
    events.sapporo_fair.save()
    url = reverse("events:firm_register", args=[events.sapporo_fair.pk])
    assert as_user(events.maria).get(url).status_code == 404


def published(events: EventWorld) -> tuple[EventMeeting, EventMeeting]:
    event = events.kumamoto_day
    acme = services.registration_create(
        event=event, by=events.maria, firm=events.acme, need="-", available_slots=[0, 1]
    )
    baltic = services.registration_create(
        event=event, by=events.kai, firm=events.baltic, need="-", available_slots=[0, 1]
    )
    higo, aso = (
        services.registration_create(
            event=event, by=events.aiko, organization=o, need="-", available_slots=[0, 1]
        )
        for o in (events.higo, events.aso)
    )
    services.event_close_registration(event=event)
    mine = EventMeeting.objects.create(
        event=event, firm_registration=acme, organization_registration=higo, slot=1, table=2
    )
    theirs = EventMeeting.objects.create(
        event=event, firm_registration=baltic, organization_registration=aso, slot=0, table=1
    )
    services.event_publish(event=event)
    return mine, theirs


def test_a_firm_sees_only_its_own_meetings(events: EventWorld) -> None:
    published(events)
    url = reverse("events:firm_schedule", args=[events.kumamoto_day.pk])
    body = as_user(events.maria).get(url).content.decode()
    assert "Higo Robotics" in body and "Aso Gears" not in body
    assert "10:25" in body  # the second slot: 10:00 + 20 minutes + 5 minutes' break
    assert "JST" in body  # the times say they are Japan's
    printable = as_user(events.maria).get(
        reverse("events:firm_schedule_print", args=[events.kumamoto_day.pk])
    )
    assert "Higo Robotics" in printable.content.decode()
    assert "Aso Gears" not in printable.content.decode()


def test_the_ics_holds_the_firms_meetings_in_japan_time(events: EventWorld) -> None:
    published(events)
    response = as_user(events.maria).get(
        reverse("events:firm_schedule_ics", args=[events.kumamoto_day.pk])
    )
    assert response["Content-Type"].startswith("text/calendar")
    entries = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(entries) == 1
    entry = entries[0]
    assert "Higo Robotics" in str(entry["summary"])
    start = entry.decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (10, 25, "Asia/Tokyo")
    assert "table 2" in str(entry["location"])
    assert start.astimezone(dt.UTC).hour == 1  # 10:25 in Tokyo is 01:25 UTC
    assert entry.get("dtstamp") is not None


def test_the_schedule_is_not_found_before_publication_or_for_another_firm(
    events: EventWorld,
) -> None:
    event = events.kumamoto_day
    services.registration_create(
        event=event, by=events.maria, firm=events.acme, need="-", available_slots=[0]
    )
    client = as_user(events.maria)
    assert client.get(reverse("events:firm_schedule", args=[event.pk])).status_code == 404
    url = reverse("events:firm_schedule_ics", args=[events.sapporo_fair.pk])
    assert client.get(url).status_code == 404


def test_a_curator_has_no_firm_pages(events: EventWorld) -> None:
    assert as_user(events.aiko).get(reverse("events:firm_events")).status_code == 403
