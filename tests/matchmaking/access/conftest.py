"""The world of the firm-side access matrix (see world.py for the actors)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from matchmaking.firms.models import ForeignFirm, ShortlistEntry
from tests.conftest import make_curator, make_organization
from tests.matchmaking.access.world import World, firm_member, introduction


@pytest.fixture
def world(aiko: User, ben: User, maria: User, root: User) -> World:
    acme = maria.firm_membership.firm
    baltic = ForeignFirm.objects.create(name="Baltic Wind AB", slug="baltic-wind", country="SE")
    kai = firm_member("kai@balticwind.example", baltic)
    # Written in Japanese only: the published ones wait in the English texts queue.
    contact = {"contact_email": "office@example.jp", "description_ja": "日本語の紹介文"}
    organizations = {
        "A": make_organization("43", name_en="Higo Robotics", **contact),
        "B": make_organization("01", name_en="Sapporo Dairy", **contact),
        "fresh": make_organization("43", name_en="Aso Gears", **contact),
        "draft": make_organization("43", name_en="Kumamoto Draft", status="draft"),
        "archived": make_organization("43", name_en="Kikuchi Works", status="archived"),
    }
    ShortlistEntry.objects.create(firm=acme, organization=organizations["A"], note="Acme note")
    ShortlistEntry.objects.create(firm=acme, organization=organizations["archived"])
    ShortlistEntry.objects.create(firm=baltic, organization=organizations["B"], note="Baltic note")
    return World(
        users={
            "anonymous": None,
            "maria": maria,
            "kai": kai,
            "nora": make_curator("nora@pref.example"),
            "aiko": aiko,
            "ben": ben,
            "root": root,
        },
        firms={"X": acme, "Y": baltic},
        organizations=organizations,
        introductions={
            "X": introduction(acme, organizations["A"]),
            "Y": introduction(baltic, organizations["B"]),
        },
    )
