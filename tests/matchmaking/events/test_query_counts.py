"""The events' list pages read a fixed number of queries however many rows they show
(world: conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matchmaking.events import services
from matchmaking.events.models import EventMeeting
from tests.matchmaking.events.conftest import EventWorld, make_event

pytestmark = pytest.mark.django_db


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def counts_stay_level(grow: Callable[[], Any], client: Client, url: str) -> None:
    before = queries(client, url)
    grow()
    assert queries(client, url) == before


def test_the_curators_event_list(events: EventWorld) -> None:
    client = Client()
    client.force_login(events.aiko)
    counts_stay_level(
        lambda: [make_event("43", f"Extra {n}") for n in range(3)],
        client,
        reverse("events:curator_events"),
    )


def test_a_firms_event_list(events: EventWorld) -> None:
    client = Client()
    client.force_login(events.maria)

    def grow() -> None:
        for n in range(3):
            event = make_event("43", f"Extra {n}")
            services.registration_create(
                event=event, by=events.maria, firm=events.acme, need="-", available_slots=[0]
            )

    counts_stay_level(grow, client, reverse("events:firm_events"))


def test_the_schedule_grid(events: EventWorld) -> None:
    event = events.kumamoto_day
    firms = [
        services.registration_create(
            event=event, by=user, firm=firm, need="-", available_slots=[0, 1, 2, 3]
        )
        for firm, user in ((events.acme, events.maria), (events.baltic, events.kai))
    ]
    orgs = [
        services.registration_create(
            event=event, by=events.aiko, organization=o, need="-", available_slots=[0, 1, 2, 3]
        )
        for o in (events.higo, events.aso)
    ]
    EventMeeting.objects.create(
        event=event, firm_registration=firms[0], organization_registration=orgs[0], slot=0, table=1
    )
    client = Client()
    client.force_login(events.aiko)

    def grow() -> None:
        for slot, (f, o) in enumerate(((1, 1), (0, 1), (1, 0)), start=1):
            EventMeeting.objects.create(
                event=event,
                firm_registration=firms[f],
                organization_registration=orgs[o],
                slot=slot,
                table=1,
            )

    counts_stay_level(grow, client, reverse("events:curator_schedule", args=[event.pk]))


def test_a_participants_schedule(events: EventWorld) -> None:
    event = events.kumamoto_day
    higo = services.registration_create(
        event=event, by=events.aiko, organization=events.higo, need="-", available_slots=[0, 1]
    )
    firms = [
        services.registration_create(
            event=event, by=user, firm=firm, need="-", available_slots=[0, 1, 2, 3]
        )
        for firm, user in ((events.acme, events.maria), (events.baltic, events.kai))
    ]
    EventMeeting.objects.create(
        event=event, firm_registration=firms[0], organization_registration=higo, slot=0, table=1
    )
    client = Client()
    client.force_login(events.aiko)

    def grow() -> None:
        EventMeeting.objects.create(
            event=event,
            firm_registration=firms[1],
            organization_registration=higo,
            slot=1,
            table=1,
        )

    for name in ("curator_participant_schedule", "curator_participant_schedule_print"):
        counts_stay_level(grow, client, reverse(f"events:{name}", args=[event.pk, higo.pk]))
        EventMeeting.objects.filter(slot=1).delete()
