"""The fictional demo world: organizations, firms, prefecture guides, one account per role,
two events, and a year of introductions, meetings and outcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from matchmaking.demo_activity import load_activity, load_verifications
from matchmaking.events import services as event_services
from matchmaking.events.models import Event
from matchmaking.firms.models import FirmMember, ForeignFirm
from profiles import loaders
from profiles.loaders import Tally
from profiles.models import (
    Curatorship,
    Industry,
    Language,
    Organization,
    PartnershipType,
    Prefecture,
    PrefectureGuide,
)
from profiles.roles import CURATORS, FIRM_MEMBERS

# Demo logins only exist where load_demo_data ran; README lists them.
DEMO_PASSWORD = "ryumon-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    first_name: str
    prefectures: tuple[str, ...] = ()
    firm: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("admin@ryumon.example", "admin", "Admin"),
    DemoAccount("aiko@pref-kumamoto.example", "curator", "Aiko", prefectures=("43",)),
    DemoAccount("ben@pref-hokkaido.example", "curator", "Ben", prefectures=("01",)),
    DemoAccount("maria@acme-robotics.example", "firm member", "Maria", firm="acme-robotics"),
    # Maria's firm has asked for nothing yet (the tests walk her through it); Wei's shows a
    # firm's introductions in every state.
    DemoAccount(
        "wei@hsinchu-orbit-equipment.example",
        "firm member",
        "Wei",
        firm="hsinchu-orbit-equipment",
    ),
]


@transaction.atomic
def load_firms(rows: list[dict[str, Any]]) -> Tally:
    """Create the demo firms that do not exist yet (matched on slug)."""
    tally = Tally()
    existing = set(ForeignFirm.objects.values_list("slug", flat=True))
    industries = dict(Industry.objects.values_list("code", "pk"))
    languages = dict(Language.objects.values_list("code", "pk"))
    partnership_types = dict(PartnershipType.objects.values_list("code", "pk"))
    prefectures = dict(Prefecture.objects.values_list("code", "pk"))
    text_fields = ForeignFirm.bilingual_fields()
    for row in rows:
        if row["key"] in existing:
            tally.unchanged += 1
            continue
        firm = ForeignFirm.objects.create(
            slug=row["key"],
            name=row["name"],
            country=row["country"],
            size=row.get("size", ""),
            website=row.get("website", ""),
            is_fictional=True,
            **{field: row.get(field, "") for field in text_fields},
        )
        firm.industries.set([industries[code] for code in row.get("industries", [])])
        firm.languages.set([languages[code] for code in row.get("languages", [])])
        firm.partnership_types.set(
            [partnership_types[c] for c in row.get("partnership_types", [])]
        )
        firm.target_prefectures.set([prefectures[c] for c in row.get("target_prefectures", [])])
        tally.created += 1
    return tally


@transaction.atomic
def load_guides(rows: list[dict[str, Any]]) -> Tally:
    """Create sample guides for prefectures that have none; never overwrite a curator's text."""
    tally = Tally()
    prefectures = dict(Prefecture.objects.values_list("code", "pk"))
    has_guide = set(PrefectureGuide.objects.values_list("prefecture_id", flat=True))
    for row in rows:
        prefecture_id = prefectures[row["prefecture"]]
        if prefecture_id in has_guide:
            tally.unchanged += 1
            continue
        fields = {k: v for k, v in row.items() if k != "prefecture"}
        PrefectureGuide.objects.create(prefecture_id=prefecture_id, is_sample=True, **fields)
        tally.created += 1
    return tally


@transaction.atomic
def load_accounts() -> Tally:
    """Create one demo account per role; an existing account is left as it is."""
    user_model = get_user_model()
    tally = Tally()
    for account in DEMO_ACCOUNTS:
        if user_model._default_manager.filter(username=account.username).exists():
            tally.unchanged += 1
            continue
        user = user_model._default_manager.create_user(
            username=account.username,
            email=account.username,
            password=DEMO_PASSWORD,
            first_name=account.first_name,
        )
        if account.role == "admin":
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        elif account.role == "curator":
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name=CURATORS))
            for code in account.prefectures:
                Curatorship.objects.create(user=user, prefecture=Prefecture.objects.get(code=code))
        else:
            user.groups.add(Group.objects.get(name=FIRM_MEMBERS))
            FirmMember.objects.create(
                user=user,
                firm=ForeignFirm.objects.get(slug=account.firm),
                role=FirmMember.Role.OWNER,
            )
        tally.created += 1
    return tally


DEMO_EVENTS = ("Kyushu Robotics Matching Day (demo)", "Kyushu Food Tech Meet-up (demo)")


def load_events() -> Tally:
    """Two events Aiko runs in Kumamoto: one held two weeks ago with its published schedule
    (Acme Robotics and eleven other demo firms met Kyushu organizations), one open for
    registration."""
    tally = Tally()
    if Event.objects.filter(title__in=DEMO_EVENTS).exists():
        tally.unchanged += 2
        return tally
    aiko = get_user_model()._default_manager.get(username="aiko@pref-kumamoto.example")
    kumamoto = Prefecture.objects.get(code="43")
    now = timezone.now()
    day = Event.objects.create(
        title=DEMO_EVENTS[0],
        description="One-to-one meetings between foreign robotics firms and Kyushu makers.",
        prefecture=kumamoto,
        date=(now + dt.timedelta(days=21)).date(),
        venue="Kumamoto-Jo Hall, 3-1 Sakuramachi, Chuo-ku, Kumamoto",
        slot_count=8,
        tables=6,
        max_meetings=4,
        registration_opens=now - dt.timedelta(days=20),
        registration_closes=now + dt.timedelta(days=7),
        state=Event.State.OPEN,
        created_by=aiko,
    )
    all_slots = list(range(day.slot_count))
    firms = list(ForeignFirm.objects.order_by("slug").filter(slug="acme-robotics"))
    firms += list(ForeignFirm.objects.exclude(slug="acme-robotics").order_by("slug")[:11])
    for number, firm in enumerate(firms):
        event_services.registration_create(
            event=day,
            by=aiko,
            firm=firm,
            need=firm.seeks_en or firm.description_en or firm.name,
            # Some arrive late or leave early.
            available_slots=all_slots[number % 3 :] if number % 4 else all_slots,
        )
    kyushu = Organization.objects.published().filter(prefecture__region__code="kyushu-okinawa")
    for organization in kyushu.order_by("-lying_dragon", "name_en")[:18]:
        event_services.registration_create(
            event=day,
            by=aiko,
            organization=organization,
            need=organization.seeks_en or organization.name_en,
            available_slots=all_slots,
        )
    event_services.event_close_registration(event=day)
    event_services.schedule_propose(event=day)
    event_services.event_publish(event=day)
    # Run through the services while registration was open, then moved back: the day took
    # place two weeks ago, its schedule kept, so the demo shows an event that happened.
    Event.objects.filter(pk=day.pk).update(
        date=(now - dt.timedelta(days=14)).date(),
        registration_opens=now - dt.timedelta(days=55),
        registration_closes=now - dt.timedelta(days=28),
    )
    Event.objects.create(
        title=DEMO_EVENTS[1],
        description="Food processing and agritech firms meet Kyushu producers and labs.",
        prefecture=kumamoto,
        date=(now + dt.timedelta(days=60)).date(),
        online=True,
        venue="https://meet.example.jp/kyushu-food",
        slot_count=6,
        tables=8,
        registration_opens=now - dt.timedelta(days=1),
        registration_closes=now + dt.timedelta(days=40),
        state=Event.State.OPEN,
        created_by=aiko,
    )
    tally.created += 2
    return tally


def load_all() -> dict[str, Tally]:
    if not Prefecture.objects.exists():
        raise RuntimeError("Load the reference data first: python manage.py load_reference_data")
    organizations = [
        {**row, "source": "demo"} for row in loaders.read_fixture("demo/organizations.json")
    ]
    return {
        "demo organizations": loaders.load_organizations(organizations),
        "demo foreign firms": load_firms(loaders.read_fixture("demo/foreign_firms.json")),
        "prefecture guides": load_guides(loaders.read_fixture("demo/prefecture_guides.json")),
        "demo accounts": load_accounts(),
        "demo events": load_events(),
        "demo verifications": load_verifications(),
        "demo introductions": load_activity(),
    }
