"""The curator's event pages (matchmaking/events/curator_views.py; world: conftest.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from matchmaking.events import services
from matchmaking.events.models import Event, EventMeeting, Registration
from profiles.models import Organization
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
    event.refresh_from_db()
    share = event.proposal_share
    assert share is not None and 0 < share <= 100
    assert f"Its meetings reach {share}% of the best total fit" in page
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


# == each participant's schedule, for the curator to print or send ==


def scheduled(events: EventWorld) -> dict[str, Registration]:
    """Higo meets Baltic Wind at 10:00 (table 1) and Acme at 10:25 (table 2); Baltic Wind
    meets Aso Gears at 10:25 (table 1). Registration closed, not published."""
    event = events.kumamoto_day
    registrations = {
        "acme": services.registration_create(
            event=event, by=events.maria, firm=events.acme, need="-", available_slots=[0, 1]
        ),
        "baltic": services.registration_create(
            event=event, by=events.kai, firm=events.baltic, need="-", available_slots=[0, 1]
        ),
        **{
            name: services.registration_create(
                event=event, by=events.aiko, organization=o, need="-", available_slots=[0, 1]
            )
            for name, o in (("higo", events.higo), ("aso", events.aso))
        },
    }
    services.event_close_registration(event=event)
    for firm, organization, slot, table in (
        ("baltic", "higo", 0, 1),
        ("acme", "higo", 1, 2),
        ("baltic", "aso", 1, 1),
    ):
        EventMeeting.objects.create(
            event=event,
            firm_registration=registrations[firm],
            organization_registration=registrations[organization],
            slot=slot,
            table=table,
        )
    return registrations


def participant_url(name: str, registration: Registration) -> str:
    return reverse(f"events:{name}", args=[registration.event_id, registration.pk])


def test_an_organizations_schedule_shows_its_meetings_only_in_japan_time(
    events: EventWorld,
) -> None:
    higo = scheduled(events)["higo"]
    client = as_user(events.aiko)
    for name in ("curator_participant_schedule", "curator_participant_schedule_print"):
        response = client.get(participant_url(name, higo))
        assert response.status_code == 200
        body = response.content.decode()
        rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>(\d+)</td>\s*<td>([^<]+)</td>", body)
        assert rows == [
            ("10:00–10:20", "1", "Baltic Wind AB"),
            ("10:25–10:45", "2", "Acme Robotics Inc."),
        ]
        assert "Aso Gears" not in body  # Baltic Wind's other meeting is not Higo's
        assert "JST" in body
        # Before publication, the curator sees a draft, said so on screen and on paper.
        assert 'id="draft-notice"' in body
    page = client.get(participant_url("curator_participant_schedule", higo)).content.decode()
    assert participant_url("curator_participant_schedule_print", higo) in page
    # No calendar file of a draft: its meetings are replaced if the schedule is proposed again.
    assert participant_url("curator_participant_schedule_ics", higo) not in page
    ics = client.get(participant_url("curator_participant_schedule_ics", higo))
    assert ics.status_code == 404


def test_a_firms_schedule_names_the_organizations_it_meets(events: EventWorld) -> None:
    baltic = scheduled(events)["baltic"]
    body = as_user(events.aiko).get(participant_url("curator_participant_schedule", baltic))
    text = body.content.decode()
    assert "Higo Robotics" in text and "Aso Gears" in text and "Acme Robotics" not in text
    assert reverse("directory:organization", args=[events.aso.pk]) in text


def test_the_organizations_name_is_in_the_readers_language(events: EventWorld) -> None:
    registrations = scheduled(events)
    Organization.objects.filter(pk=events.higo.pk).update(name_ja="肥後ロボティクス")
    services.event_publish(event=events.kumamoto_day)
    client = as_user(events.aiko)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    acme = registrations["acme"]
    page = client.get(participant_url("curator_participant_schedule", acme)).content.decode()
    assert "肥後ロボティクス" in page
    ics = client.get(participant_url("curator_participant_schedule_ics", acme))
    [entry] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(entry["summary"]) == "Kumamoto Robotics Day: 肥後ロボティクス"


def test_the_published_schedule_downloads_as_an_ics_in_japan_time(events: EventWorld) -> None:
    higo = scheduled(events)["higo"]
    services.event_publish(event=events.kumamoto_day)
    client = as_user(events.aiko)
    page = client.get(participant_url("curator_participant_schedule", higo)).content.decode()
    assert 'id="draft-notice"' not in page
    assert participant_url("curator_participant_schedule_ics", higo) in page
    response = client.get(participant_url("curator_participant_schedule_ics", higo))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="event-{higo.event_id}-registration-{higo.pk}.ics"'
    )
    calendar = Calendar.from_ical(response.content)
    entries = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in entries] == [
        "Kumamoto Robotics Day: Baltic Wind AB",
        "Kumamoto Robotics Day: Acme Robotics Inc.",
    ]
    day = events.kumamoto_day.date
    for entry, (hour, minute), table in zip(entries, ((10, 0), (10, 25)), (1, 2), strict=True):
        starts, ends = entry.decoded("dtstart"), entry.decoded("dtend")
        assert str(starts.tzinfo) == "Asia/Tokyo" and entry["dtstart"].params["TZID"] == (
            "Asia/Tokyo"
        )
        # 10:00 in Tokyo is 01:00 UTC the same day: the instant, not just the wall clock.
        assert starts.astimezone(dt.UTC) == dt.datetime(
            day.year, day.month, day.day, hour - 9, minute, tzinfo=dt.UTC
        )
        assert ends - starts == dt.timedelta(minutes=20)
        assert str(entry["location"]) == f"Kumamoto Castle Hall · table {table}"
        assert entry.get("dtstamp") is not None
    # The meeting has one UID, whichever participant's calendar it is in.
    acme = Registration.objects.get(event=higo.event, firm=events.acme)
    meeting = EventMeeting.objects.get(firm_registration=acme)
    assert str(entries[1]["uid"]) == f"ryumon-meeting-{meeting.pk}@testserver"


def test_a_participants_schedule_is_not_found_before_any_meeting_or_elsewhere(
    events: EventWorld,
) -> None:
    event = events.kumamoto_day
    higo = services.registration_create(
        event=event, by=events.aiko, organization=events.higo, need="-", available_slots=[0]
    )
    client = as_user(events.aiko)
    detail = client.get(reverse("events:curator_event", args=[event.pk])).content.decode()
    assert participant_url("curator_participant_schedule", higo) not in detail
    # No schedule yet: nothing to show.
    assert client.get(participant_url("curator_participant_schedule", higo)).status_code == 404
    # Ben curates Hokkaido: Kumamoto's participant is not found, through either event.
    ben = as_user(events.ben)
    assert ben.get(participant_url("curator_participant_schedule", higo)).status_code == 404
    url = reverse("events:curator_participant_schedule", args=[events.sapporo_fair.pk, higo.pk])
    assert ben.get(url).status_code == 404
    assert as_user(events.maria).get(url).status_code == 403


def test_the_event_pages_link_each_participants_schedule(events: EventWorld) -> None:
    registrations = scheduled(events)
    event = events.kumamoto_day
    client = as_user(events.aiko)
    detail = client.get(reverse("events:curator_event", args=[event.pk])).content.decode()
    grid = client.get(reverse("events:curator_schedule", args=[event.pk])).content.decode()
    for registration in registrations.values():
        url = participant_url("curator_participant_schedule", registration)
        assert url in detail and url in grid
    assert "JST" in grid


@pytest.mark.parametrize(
    ("proposal", "share"),
    [
        ({}, None),
        ({"score": 0.06, "bound": 0.08, "seconds": 0.2}, 75),
        ({"score": 0.0800001, "bound": 0.08}, 100),  # the solver's rounding, never above 100
        ({"score": 0.0, "bound": 0.0}, None),
    ],
)
def test_a_proposal_is_shown_as_its_share_of_the_bound(
    events: EventWorld, proposal: dict[str, float], share: int | None
) -> None:
    events.kumamoto_day.proposal = proposal
    assert events.kumamoto_day.proposal_share == share
