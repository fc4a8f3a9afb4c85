"""The events' world: Aiko curates Kumamoto and runs the Kumamoto Robotics Day; Ben curates
Hokkaido and runs the Sapporo Food Fair. Acme Robotics (Maria) and Baltic Wind (Kai) are
foreign firms. Higo Robotics, Aso Gears (a lying dragon) and Kumamoto University are
Kumamoto organizations; Sapporo Dairy is in Hokkaido."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from matchmaking.events.models import Event
from matchmaking.firms.models import ForeignFirm
from profiles.models import Organization, Prefecture
from tests.conftest import make_organization
from tests.matchmaking.access.world import firm_member


@dataclass
class EventWorld:
    aiko: User
    ben: User
    maria: User
    kai: User
    root: User
    acme: ForeignFirm
    baltic: ForeignFirm
    kumamoto_day: Event
    sapporo_fair: Event
    higo: Organization
    aso: Organization
    university: Organization
    sapporo_dairy: Organization


def make_event(prefecture: str, title: str, **fields: object) -> Event:
    now = timezone.now()
    values: dict[str, object] = {
        "title": title,
        "prefecture": Prefecture.objects.get(code=prefecture),
        "date": (now + dt.timedelta(days=30)).date(),
        "venue": "Kumamoto Castle Hall",
        "slot_count": 4,
        "tables": 2,
        "max_meetings": 3,
        "registration_opens": now - dt.timedelta(days=1),
        "registration_closes": now + dt.timedelta(days=10),
        "state": Event.State.OPEN,
    }
    values.update(fields)
    return Event.objects.create(**values)


@pytest.fixture
def events(aiko: User, ben: User, maria: User, root: User) -> EventWorld:
    baltic = ForeignFirm.objects.create(name="Baltic Wind AB", slug="baltic-wind", country="SE")
    return EventWorld(
        aiko=aiko,
        ben=ben,
        maria=maria,
        kai=firm_member("kai@balticwind.example", baltic),
        root=root,
        acme=maria.firm_membership.firm,
        baltic=baltic,
        kumamoto_day=make_event("43", "Kumamoto Robotics Day", created_by=aiko),
        sapporo_fair=make_event("01", "Sapporo Food Fair", created_by=ben),
        higo=make_organization(
            "43",
            name_en="Higo Robotics",
            description_en="Industrial robot arms and welding robots for automotive lines.",
        ),
        aso=make_organization(
            "43",
            name_en="Aso Gears",
            description_en="Precision gears and reducers for robot joints.",
            lying_dragon=True,
            lying_dragon_reason="Supplies gears to world robot makers.",
            lying_dragon_evidence="https://example.jp/aso",
        ),
        university=make_organization(
            "43",
            name_en="Kumamoto University Lab",
            kind=Organization.Kind.UNIVERSITY,
            description_en="Research on dairy cattle feed and food safety.",
        ),
        sapporo_dairy=make_organization(
            "01", name_en="Sapporo Dairy", description_en="Milk, cheese and butter."
        ),
    )
