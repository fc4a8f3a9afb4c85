"""The curator's event pages (matchmaking/events/curator_views.py; world: conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matchmaking.events import services
from matchmaking.events.models import Event
from tests.matchmaking.events.conftest import EventWorld

pytestmark = pytest.mark.django_db


def as_user(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_list_shows_only_the_curators_prefecture(events: EventWorld) -> None:
    body = as_user(events.aiko).get(reverse("events:curator_events")).content.decode()
    assert "Kumamoto Robotics Day" in body and "Sapporo Food Fair" not in body


def test_another_prefectures_event_is_not_found(events: EventWorld) -> None:
    client = as_user(events.aiko)
    pk = events.sapporo_fair.pk
    for name in ("curator_event", "curator_event_edit", "curator_schedule"):
        assert client.get(reverse(f"events:{name}", args=[pk])).status_code == 404
    response = client.post(reverse("events:curator_event_act", args=[pk, "close"]))
    assert response.status_code == 404
    assert Event.objects.get(pk=pk).state == Event.State.OPEN


def test_a_curator_creates_an_event_in_their_prefecture_only(events: EventWorld) -> None:
    client = as_user(events.aiko)
    now = timezone.localtime()
    data = {
        "title": "Kyushu Semiconductor Matching",
        "prefecture": events.higo.prefecture_id,
        "date": (now + dt.timedelta(days=40)).date().isoformat(),
        "starts_at": "13:00",
        "venue": "Kumamoto-Jo Hall",
        "slot_minutes": 20,
        "break_minutes": 5,
        "slot_count": 8,
        "tables": 10,
        "max_meetings": 4,
        "registration_opens": now.strftime("%Y-%m-%dT%H:%M"),
        "registration_closes": (now + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "kinds": ["company", "university"],
    }
    response = client.post(reverse("events:curator_event_new"), data)
    event = Event.objects.get(title="Kyushu Semiconductor Matching")
    assert response.status_code == 302
    assert event.created_by == events.aiko and event.kinds == ["company", "university"]
    assert event.state == Event.State.DRAFT
    # Hokkaido is not one of Aiko's prefectures.
    hokkaido = events.sapporo_dairy.prefecture_id
    response = client.post(reverse("events:curator_event_new"), data | {"prefecture": hokkaido})
    assert response.status_code == 200 and "prefecture" in response.context["form"].errors


def test_the_event_form_refuses_a_window_that_closes_before_it_opens(
    events: EventWorld,
) -> None:
    event = events.kumamoto_day
    response = as_user(events.aiko).post(
        reverse("events:curator_event_edit", args=[event.pk]),
        {
            "title": event.title,
            "prefecture": event.prefecture_id,
            "date": event.date.isoformat(),
            "starts_at": "10:00",
            "slot_minutes": 20,
            "break_minutes": 5,
            "slot_count": 4,
            "tables": 2,
            "max_meetings": 3,
            "registration_opens": "2026-12-10T10:00",
            "registration_closes": "2026-12-01T10:00",
        },
    )
    assert "registration_closes" in response.context["form"].errors


def test_a_curator_registers_an_organization_on_its_behalf(events: EventWorld) -> None:
    event = events.kumamoto_day
    client = as_user(events.aiko)
    page = client.get(reverse("events:curator_event", args=[event.pk])).content.decode()
    assert "Higo Robotics" in page and "Sapporo Dairy" not in page  # Ben's, not Aiko's
    response = client.post(
        reverse("events:curator_registration_create", args=[event.pk]),
        {
            "organization": events.higo.pk,
            "need": "Robot buyers in Europe.",
            "available_slots": [0, 2],
        },
    )
    assert response.status_code == 302
    registration = event.registrations.get(organization=events.higo)
    assert registration.available_slots == [0, 2] and registration.registered_by == events.aiko
    response = client.post(
        reverse("events:curator_registration_create", args=[event.pk]),
        {"organization": events.sapporo_dairy.pk, "need": "x", "available_slots": [0]},
    )
    assert response.status_code == 200
    assert not event.registrations.filter(organization=events.sapporo_dairy).exists()


def test_the_schedule_page_proposes_locks_swaps_and_publishes(events: EventWorld) -> None:
    event = events.kumamoto_day
    for firm, user, need in (
        (events.acme, events.maria, "Welding robots and robot arms."),
        (events.baltic, events.kai, "Precision gears for robot joints."),
    ):
        services.registration_create(
            event=event, by=user, firm=firm, need=need, available_slots=[0, 1, 2, 3]
        )
    for organization in (events.higo, events.aso):
        services.registration_create(
            event=event,
            by=events.aiko,
            organization=organization,
            need="-",
            available_slots=[0, 1, 2, 3],
        )
    client = as_user(events.aiko)
    client.post(reverse("events:curator_event_act", args=[event.pk, "close"]))
    response = client.post(reverse("events:curator_schedule_propose", args=[event.pk]))
    assert response.status_code == 302
    meetings = list(event.meetings.order_by("slot", "table"))
    assert meetings
    page = client.get(reverse("events:curator_schedule", args=[event.pk])).content.decode()
    assert 'id="schedule-grid"' in page and "Acme Robotics Inc. – " in page
    # Not the introductions' "meeting" class: its top border drew a stray line in each cell.
    assert 'class="grid-meeting"' in page and 'class="meeting' not in page
    lock = reverse("events:curator_meeting_lock", args=[event.pk, meetings[0].pk])
    client.post(lock, {"locked": "1"})
    meetings[0].refresh_from_db()
    assert meetings[0].locked
    client.post(reverse("events:curator_event_act", args=[event.pk, "publish"]))
    event.refresh_from_db()
    assert event.state == Event.State.PUBLISHED


def test_a_firm_member_may_not_enter(events: EventWorld) -> None:
    response = as_user(events.maria).get(reverse("events:curator_events"))
    assert response.status_code == 403


def test_the_event_form_keeps_the_slots_and_tables_in_use(events: EventWorld) -> None:
    event = events.kumamoto_day
    services.registration_create(
        event=event, by=events.maria, firm=events.acme, need="-", available_slots=[0, 3]
    )
    response = as_user(events.aiko).post(
        reverse("events:curator_event_edit", args=[event.pk]),
        {
            "title": event.title,
            "prefecture": event.prefecture_id,
            "date": event.date.isoformat(),
            "starts_at": "10:00",
            "slot_minutes": 20,
            "break_minutes": 5,
            "slot_count": 3,
            "tables": 2,
            "max_meetings": 3,
            "registration_opens": "2026-12-01T10:00",
            "registration_closes": "2026-12-20T10:00",
        },
    )
    assert "slot_count" in response.context["form"].errors
    event.refresh_from_db()
    assert event.slot_count == 4
