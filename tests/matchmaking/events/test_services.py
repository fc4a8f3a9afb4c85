"""Events' writes (matchmaking/events/services.py): registration, the proposed schedule from
the ranker's scores, the curator's swaps and locks, publishing (world: conftest.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from matchmaking.events import scheduling, services
from matchmaking.events.models import Event, EventMeeting, Registration
from tests.matchmaking.events.conftest import EventWorld

pytestmark = pytest.mark.django_db

ROBOTS = "Industrial robot arms, welding robots and precision gears for robot joints."


def register_firm(w: EventWorld, firm_name: str = "acme", **fields: object) -> Registration:
    values: dict[str, object] = {"need": ROBOTS, "available_slots": [0, 1, 2, 3]}
    values.update(fields)
    firm = getattr(w, firm_name)
    user = w.maria if firm_name == "acme" else w.kai
    return services.registration_create(
        event=w.kumamoto_day,
        by=user,
        firm=firm,
        **values,  # type: ignore[arg-type]
    )


def register_organization(w: EventWorld, organization: object, **fields: object) -> Registration:
    values: dict[str, object] = {"need": "Partners abroad.", "available_slots": [0, 1, 2, 3]}
    values.update(fields)
    return services.registration_create(
        event=w.kumamoto_day,
        by=w.aiko,
        organization=organization,  # type: ignore[arg-type]
        **values,  # type: ignore[arg-type]
    )


def test_a_firm_registers_only_while_registration_is_open(events: EventWorld) -> None:
    later = timezone.now() + dt.timedelta(days=11)
    with pytest.raises(services.EventRefused):
        register_firm(events, now=later)
    registration = register_firm(events)
    assert registration.firm == events.acme
    assert registration.available_slots == [0, 1, 2, 3]
    with pytest.raises(services.EventRefused, match="Already registered"):
        register_firm(events)


def test_it_refuses_slots_outside_the_event(events: EventWorld) -> None:
    with pytest.raises(services.EventRefused):
        register_firm(events, available_slots=[3, 4])
    with pytest.raises(services.EventRefused):
        register_firm(events, available_slots=[])


def test_it_refuses_an_organization_the_event_does_not_admit(events: EventWorld) -> None:
    event = events.kumamoto_day
    event.kinds = ["company"]
    event.save()
    with pytest.raises(services.EventRefused):
        register_organization(events, events.university)
    event.prefectures.set([events.higo.prefecture])
    with pytest.raises(services.EventRefused):
        register_organization(events, events.sapporo_dairy)
    assert register_organization(events, events.higo).organization == events.higo


def test_requests_name_the_other_side_only(events: EventWorld) -> None:
    higo = register_organization(events, events.higo)
    baltic = register_firm(events, "baltic")
    with pytest.raises(services.EventRefused):
        register_firm(events, must_meet=[baltic])
    with pytest.raises(services.EventRefused):
        register_firm(events, must_meet=[higo], not_interested=[higo])


def closed_event(w: EventWorld) -> tuple[Registration, Registration, Registration]:
    acme = register_firm(w)
    baltic = register_firm(w, "baltic", need="Dairy cattle feed research and food safety.")
    higo = register_organization(w, w.higo)
    register_organization(w, w.aso)
    register_organization(w, w.university)
    services.event_close_registration(event=w.kumamoto_day)
    return acme, baltic, higo


def test_it_proposes_the_schedule_from_the_rankers_scores(events: EventWorld) -> None:
    acme, baltic, _ = closed_event(events)
    event = events.kumamoto_day
    schedule = services.schedule_propose(event=event)
    meetings = list(event.meetings.select_related("organization_registration__organization"))
    assert len(meetings) == len(schedule.meetings) > 0
    met = {(m.firm_registration_id, m.organization_registration.organization) for m in meetings}
    # The robot maker meets the robot organizations; the dairy researcher the university.
    assert (acme.pk, events.higo) in met and (acme.pk, events.aso) in met
    assert (baltic.pk, events.university) in met
    assert all(m.score > 0 for m in meetings if m.firm_registration_id == acme.pk)
    assert scheduling.violations(services.event_problem(event), schedule.meetings) == []
    event.refresh_from_db()
    assert event.proposal["bound"] >= event.proposal["objective"]


def test_requests_and_locks_are_kept_when_proposing_again(events: EventWorld) -> None:
    acme, baltic, higo = closed_event(events)
    event = events.kumamoto_day
    acme.not_interested.set([event.registrations.get(organization=events.aso)])
    baltic.must_meet.set([higo])
    services.schedule_propose(event=event)
    pairs = set(event.meetings.values_list("firm_registration", "organization_registration"))
    assert (acme.pk, event.registrations.get(organization=events.aso).pk) not in pairs
    assert (baltic.pk, higo.pk) in pairs
    kept = event.meetings.filter(firm_registration=acme).first()
    assert kept is not None
    services.meeting_lock(meeting=kept, locked=True)
    services.schedule_propose(event=event)
    assert EventMeeting.objects.get(pk=kept.pk).slot == kept.slot


def seat(
    w: EventWorld, firm: Registration, org: Registration, slot: int, table: int
) -> EventMeeting:
    return EventMeeting.objects.create(
        event=w.kumamoto_day,
        firm_registration=firm,
        organization_registration=org,
        slot=slot,
        table=table,
    )


def test_a_swap_exchanges_two_meetings_seats(events: EventWorld) -> None:
    acme, baltic, higo = closed_event(events)
    university = events.kumamoto_day.registrations.get(organization=events.university)
    first, second = seat(events, acme, higo, 0, 1), seat(events, baltic, university, 1, 2)
    services.meeting_swap(first=first, second=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.slot, first.table, second.slot, second.table) == (1, 2, 0, 1)


def test_a_swap_that_double_books_or_meets_an_absent_participant_is_refused(
    events: EventWorld,
) -> None:
    acme, baltic, higo = closed_event(events)
    event = events.kumamoto_day
    university = event.registrations.get(organization=events.university)
    aso = event.registrations.get(organization=events.aso)
    first, second = seat(events, acme, higo, 0, 1), seat(events, baltic, university, 1, 1)
    seat(events, acme, aso, 1, 2)
    with pytest.raises(services.EventRefused, match="two places"):
        services.meeting_swap(first=first, second=second)  # Acme twice in slot 2
    university.available_slots = [1]
    university.save()
    third = seat(events, baltic, higo, 2, 1)
    with pytest.raises(services.EventRefused, match="away"):
        services.meeting_swap(first=second, second=third)  # the university is away in slot 3
    assert list(event.meetings.order_by("pk").values_list("slot", "table")) == [
        (0, 1),
        (1, 1),
        (1, 2),
        (2, 1),
    ]


def test_a_locked_meeting_does_not_move(events: EventWorld) -> None:
    closed_event(events)
    event = events.kumamoto_day
    services.schedule_propose(event=event)
    first, second = event.meetings.all()[:2]
    services.meeting_lock(meeting=first, locked=True)
    with pytest.raises(services.EventRefused, match="Unlock"):
        services.meeting_swap(first=first, second=second)


def test_publishing_needs_a_closed_event_with_meetings(events: EventWorld) -> None:
    event = events.kumamoto_day
    with pytest.raises(services.EventRefused):
        services.event_publish(event=event)  # still open
    services.event_close_registration(event=event)
    with pytest.raises(services.EventRefused, match="Propose"):
        services.event_publish(event=event)
    closed = events.kumamoto_day
    closed.state = Event.State.OPEN
    closed.save()
    closed_event(events)
    services.schedule_propose(event=event)
    services.event_publish(event=event)
    assert event.state == Event.State.PUBLISHED and event.published_at is not None
    with pytest.raises(services.EventRefused):
        services.schedule_propose(event=event)


def test_contradicting_locks_are_refused_in_words(events: EventWorld) -> None:
    acme, _, higo = closed_event(events)
    event = events.kumamoto_day
    aso = event.registrations.get(organization=events.aso)
    EventMeeting.objects.create(
        event=event,
        firm_registration=acme,
        organization_registration=higo,
        slot=0,
        table=1,
        locked=True,
    )
    EventMeeting.objects.create(
        event=event,
        firm_registration=acme,
        organization_registration=aso,
        slot=1,
        table=1,
        locked=True,
    )
    acme.available_slots = [0]
    acme.save()
    with pytest.raises(services.EventRefused, match=re.escape("Acme Robotics Inc. – Aso Gears")):
        services.schedule_propose(event=event)
