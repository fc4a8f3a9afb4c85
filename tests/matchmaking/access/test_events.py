"""The events' access matrix: role × URL × event for every address of matchmaking/events.

Actors as in world.py: Maria (Acme Robotics, firm X), Kai (Baltic Wind, firm Y), Nora (a
curator of no prefecture), Aiko (Kumamoto, A), Ben (Hokkaido, B), Root (an admin). Event A is
Aiko's Kumamoto Robotics Day, published, with Acme registered and meeting Higo Robotics; event
B is Ben's Sapporo Food Fair, registration open. "A firm sees only its own meetings and
schedules; a curator only their prefecture's events." A refused action changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking.events.models import Event, EventMeeting, Registration
from profiles.models import Prefecture
from tests.matchmaking.access.world import (
    FIRM_OF,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    ROLES,
    SCOPE,
    World,
    client_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world: World) -> dict[str, Event]:
    now = timezone.now()

    def event(code: str, title: str, state: str) -> Event:
        return Event.objects.create(
            title=title,
            prefecture=Prefecture.objects.get(code=code),
            date=(now + dt.timedelta(days=20)).date(),
            slot_count=3,
            tables=2,
            registration_opens=now - dt.timedelta(days=1),
            registration_closes=now + dt.timedelta(days=5),
            state=state,
        )

    a = event("43", "Kumamoto Robotics Day", Event.State.PUBLISHED)
    b = event("01", "Sapporo Food Fair", Event.State.OPEN)
    acme = Registration.objects.create(
        event=a, firm=world.firms["X"], need="Robot arms", available_slots=[0, 1, 2]
    )
    baltic = Registration.objects.create(
        event=a, firm=world.firms["Y"], need="Wind", available_slots=[0, 1, 2]
    )
    higo = Registration.objects.create(
        event=a, organization=world.organizations["A"], need="-", available_slots=[0, 1, 2]
    )
    aso = Registration.objects.create(
        event=a, organization=world.organizations["fresh"], need="-", available_slots=[0, 1, 2]
    )
    EventMeeting.objects.create(
        event=a, firm_registration=acme, organization_registration=higo, slot=0, table=1
    )
    EventMeeting.objects.create(
        event=a, firm_registration=baltic, organization_registration=aso, slot=1, table=1
    )
    return {"A": a, "B": b}


def curator_expectation(role: str, prefecture: str) -> Any:
    if role == "anonymous":
        return LOGIN
    if role not in SCOPE:
        return FORBIDDEN
    return OK if prefecture in SCOPE[role] else NOT_FOUND


def firm_expectation(role: str) -> Any:
    if role == "anonymous":
        return LOGIN
    return OK if role in FIRM_OF else FORBIDDEN


def check(response: Any, expected: Any) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif expected == OK:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == expected


def snapshot() -> tuple[Any, ...]:
    return (
        list(Event.objects.order_by("pk").values_list("pk", "state", "title", "proposal")),
        list(Registration.objects.order_by("pk").values_list("pk", "need", "available_slots")),
        list(EventMeeting.objects.order_by("pk").values_list("pk", "slot", "table", "locked")),
    )


CURATOR_PAGES = ["curator_event", "curator_event_edit", "curator_schedule"]


@pytest.mark.parametrize("role", ROLES)
def test_the_curators_event_list(world: World, events: dict[str, Event], role: str) -> None:
    response = client_for(world, role).get(reverse("events:curator_events"))
    check(response, LOGIN if role == "anonymous" else OK if role in SCOPE else FORBIDDEN)
    if role in SCOPE:
        body = response.content.decode()
        assert ("Kumamoto Robotics Day" in body) == ("A" in SCOPE[role])
        assert ("Sapporo Food Fair" in body) == ("B" in SCOPE[role])
    response = client_for(world, role).get(reverse("events:curator_event_new"))
    check(response, OK if role in SCOPE else LOGIN if role == "anonymous" else FORBIDDEN)


@pytest.mark.parametrize("page", CURATOR_PAGES)
@pytest.mark.parametrize("prefecture", ["A", "B"])
@pytest.mark.parametrize("role", ROLES)
def test_the_curators_event_pages(
    world: World, events: dict[str, Event], role: str, prefecture: str, page: str
) -> None:
    response = client_for(world, role).get(reverse(f"events:{page}", args=[events[prefecture].pk]))
    check(response, curator_expectation(role, prefecture))


def curator_posts(
    events: dict[str, Event], prefecture: str
) -> dict[str, tuple[str, dict[str, Any]]]:
    event = events[prefecture]
    meeting = event.meetings.first()
    return {
        "curator_event_act": (
            reverse("events:curator_event_act", args=[event.pk, "close"]),
            {},
        ),
        "curator_event_edit": (
            reverse("events:curator_event_edit", args=[event.pk]),
            {"title": "Renamed"},
        ),
        "curator_registration_create": (
            reverse("events:curator_registration_create", args=[event.pk]),
            {"organization": 1, "need": "x", "available_slots": [0]},
        ),
        "curator_schedule_propose": (
            reverse("events:curator_schedule_propose", args=[event.pk]),
            {},
        ),
        "curator_meeting_swap": (
            reverse("events:curator_meeting_swap", args=[event.pk]),
            {"first": 1, "second": 2},
        ),
        "curator_meeting_lock": (
            reverse("events:curator_meeting_lock", args=[event.pk, meeting.pk if meeting else 1]),
            {"locked": "1"},
        ),
    }


@pytest.mark.parametrize(
    "action",
    [
        "curator_event_act",
        "curator_event_edit",
        "curator_registration_create",
        "curator_schedule_propose",
        "curator_meeting_swap",
        "curator_meeting_lock",
    ],
)
@pytest.mark.parametrize("prefecture", ["A", "B"])
@pytest.mark.parametrize("role", ROLES)
def test_the_curators_event_actions(
    world: World, events: dict[str, Event], role: str, prefecture: str, action: str
) -> None:
    url, data = curator_posts(events, prefecture)[action]
    before = snapshot()
    response = client_for(world, role).post(url, data)
    expected = curator_expectation(role, prefecture)
    if action == "curator_meeting_lock" and prefecture == "B" and expected == OK:
        expected = NOT_FOUND  # B has no meeting: the one named is A's, not found through B
    check(response, expected)
    if expected != OK:
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_a_firms_event_pages(world: World, events: dict[str, Event], role: str) -> None:
    client = client_for(world, role)
    check(client.get(reverse("events:firm_events")), firm_expectation(role))
    # B is open for registration: every firm may open its form; A is published, and only
    # the firms registered for it see it.
    check(
        client.get(reverse("events:firm_register", args=[events["B"].pk])), firm_expectation(role)
    )
    before = snapshot()
    response = client.post(
        reverse("events:firm_register", args=[events["B"].pk]),
        {"need": "Matrix need", "available_slots": [0]},
    )
    check(response, firm_expectation(role))
    registered = Registration.objects.filter(event=events["B"], need="Matrix need")
    if role in FIRM_OF:
        assert registered.get().firm == world.firms[FIRM_OF[role]]
    else:
        assert snapshot() == before


SCHEDULE_PAGES = ["firm_schedule", "firm_schedule_print", "firm_schedule_ics"]


@pytest.mark.parametrize("page", SCHEDULE_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_a_firm_sees_only_its_own_meetings(
    world: World, events: dict[str, Event], role: str, page: str
) -> None:
    response = client_for(world, role).get(reverse(f"events:{page}", args=[events["A"].pk]))
    check(response, firm_expectation(role))
    if role in FIRM_OF:
        body = response.content.decode()
        mine, theirs = (
            ("Higo Robotics", "Aso Gears")
            if FIRM_OF[role] == "X"
            else ("Aso Gears", "Higo Robotics")
        )
        assert mine in body and theirs not in body
    # B is not published (and neither firm registered): nobody's schedule.
    response = client_for(world, role).get(reverse(f"events:{page}", args=[events["B"].pk]))
    check(response, NOT_FOUND if role in FIRM_OF else firm_expectation(role))


PARTICIPANT_PAGES = [
    "curator_participant_schedule",
    "curator_participant_schedule_print",
    "curator_participant_schedule_ics",
]


@pytest.fixture
def participants(world: World, events: dict[str, Event]) -> dict[tuple[str, str], Registration]:
    """Each event's organization and firm registrations, by (event, "organization" or "firm");
    B, still open, gets a draft meeting of Baltic Wind with Sapporo Dairy."""
    b = events["B"]
    dairy = Registration.objects.create(
        event=b, organization=world.organizations["B"], need="-", available_slots=[0]
    )
    baltic = Registration.objects.create(
        event=b, firm=world.firms["Y"], need="-", available_slots=[0]
    )
    EventMeeting.objects.create(
        event=b, firm_registration=baltic, organization_registration=dairy, slot=0, table=1
    )
    a = events["A"]
    return {
        ("A", "organization"): a.registrations.get(organization=world.organizations["A"]),
        ("A", "firm"): a.registrations.get(firm=world.firms["X"]),
        ("B", "organization"): dairy,
        ("B", "firm"): baltic,
    }


@pytest.mark.parametrize("page", PARTICIPANT_PAGES)
@pytest.mark.parametrize("who", ["organization", "firm"])
@pytest.mark.parametrize("prefecture", ["A", "B"])
@pytest.mark.parametrize("role", ROLES)
def test_the_curators_participant_schedules(
    world: World,
    events: dict[str, Event],
    participants: dict[tuple[str, str], Registration],
    role: str,
    prefecture: str,
    who: str,
    page: str,
) -> None:
    """A curator of the event's prefecture (or an admin) reads any participant's schedule;
    B's is a draft, so its calendar file is not offered yet."""
    registration = participants[(prefecture, who)]
    before = snapshot()
    url = reverse(f"events:{page}", args=[events[prefecture].pk, registration.pk])
    response = client_for(world, role).get(url)
    expected = curator_expectation(role, prefecture)
    if expected == OK and prefecture == "B" and page.endswith("_ics"):
        expected = NOT_FOUND
    check(response, expected)
    if expected == OK:
        assert response.status_code == 200
        body = response.content.decode()
        # A: Higo meets Acme (and Acme Higo), apart from Aso's meeting with Baltic Wind.
        # B: Sapporo Dairy meets Baltic Wind.
        other_party = {
            ("A", "organization"): "Acme Robotics",
            ("A", "firm"): "Higo Robotics",
            ("B", "organization"): "Baltic Wind",
            ("B", "firm"): "Sapporo Dairy",
        }[(prefecture, who)]
        assert other_party in body
        if prefecture == "A":
            assert "Aso Gears" not in body and "Baltic Wind" not in body
    # The other event's participant through this event's address: not found for anyone
    # who may see this event.
    other = participants[("B" if prefecture == "A" else "A", who)]
    url = reverse(f"events:{page}", args=[events[prefecture].pk, other.pk])
    response = client_for(world, role).get(url)
    check(response, NOT_FOUND if expected in (OK, NOT_FOUND) else expected)
    assert snapshot() == before


EVENT_URLS = {
    f"events:{name}"
    for name in (
        "curator_events",
        "curator_event_new",
        *CURATOR_PAGES,
        *PARTICIPANT_PAGES,
        "curator_event_act",
        "curator_registration_create",
        "curator_schedule_propose",
        "curator_meeting_swap",
        "curator_meeting_lock",
        "firm_events",
        "firm_register",
        *SCHEDULE_PAGES,
    )
}
