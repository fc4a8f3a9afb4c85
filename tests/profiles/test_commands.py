from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from matchmaking.demo import DEMO_ACCOUNTS, DEMO_EVENTS, DEMO_PASSWORD
from matchmaking.events.models import Event
from matchmaking.firms.introductions.models import Meeting, Outcome
from matchmaking.firms.models import (
    FirmMember,
    ForeignFirm,
    IntroductionRequest,
    IntroductionState,
    ShortlistEntry,
    SuggestionShown,
)
from profiles.models import Organization, PrefectureGuide

pytestmark = pytest.mark.django_db


def run(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_load_reference_data_is_idempotent() -> None:
    first = run("load_reference_data")
    assert "universities: created=813" in first
    assert "EDINET companies: created=2277" in first
    second = run("load_reference_data")
    for line in second.splitlines()[:-1]:
        assert "created=0 updated=0" in line, line
    assert Organization.objects.count() == 813 + 2277


def test_load_demo_data_loads_the_fictional_world_once_and_prints_the_logins() -> None:
    first = run("load_demo_data")
    demo = Organization.objects.filter(source=Organization.Source.DEMO)
    assert demo.count() >= 300
    assert ForeignFirm.objects.filter(is_fictional=True).count() >= 40
    assert PrefectureGuide.objects.filter(is_sample=True).count() == 47
    for account in DEMO_ACCOUNTS:
        assert account.username in first
        assert User.objects.get(username=account.username).check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in first
    # Aiko's two events: one with its schedule published, Acme Robotics meeting, one open.
    day, meetup = (Event.objects.get(title=title) for title in DEMO_EVENTS)
    assert day.state == Event.State.PUBLISHED and meetup.state == Event.State.OPEN
    assert day.date < timezone.localdate() < meetup.date  # one held, one to come
    assert day.meetings.filter(firm_registration__firm__slug="acme-robotics").exists()
    second = run("load_demo_data")
    for line in second.splitlines():
        if ": created=" in line:
            assert "created=0 updated=0" in line, line
    assert FirmMember.objects.get(user__username="maria@acme-robotics.example").firm.slug == (
        "acme-robotics"
    )


def test_the_demo_world_meets_its_brief() -> None:
    run("load_demo_data")
    demo = Organization.objects.filter(source=Organization.Source.DEMO).published()
    bilingual = demo.exclude(description_en="").exclude(description_ja="")
    bilingual = bilingual.exclude(offers_en="").exclude(offers_ja="")
    bilingual = bilingual.exclude(seeks_en="").exclude(seeks_ja="")
    assert bilingual.count() >= 300
    assert demo.values("prefecture").distinct().count() == 47
    assert demo.non_metropolitan().count() >= 0.6 * demo.count()
    dragons = demo.lying_dragons()
    assert dragons.count() >= 40
    assert 0.10 <= dragons.count() / demo.count() <= 0.15
    assert dragons.filter(prefecture__code="43", keywords__contains="半導体").count() >= 3
    assert demo.exclude(verified_at=None).filter(verified_by__is_staff=True).count() >= 4
    assert not dragons.filter(prefecture__metropolitan=True).exists()
    assert not dragons.filter(lying_dragon_reason="").exists()
    institutes = demo.filter(kind__in=["research_institute", "support_body"])
    assert institutes.count() >= 30
    firms = ForeignFirm.objects.filter(is_fictional=True)
    countries = set(firms.values_list("country", flat=True))
    assert {"US", "CN", "TW", "KR", "SG", "VN", "TH", "IN", "DE", "FR", "GB", "NL"} <= countries
    for organization in demo[:50]:
        organization.full_clean()


def test_the_demo_world_has_a_past_of_introductions_meetings_and_outcomes() -> None:
    run("load_demo_data")
    introductions = IntroductionRequest.objects.all()
    assert set(introductions.values_list("state", flat=True)) == set(IntroductionState.values)
    assert set(introductions.values_list("organization__prefecture__code", flat=True)) == {
        "01",
        "43",
    }
    # Spread over several months, each step after the one before.
    assert (
        len({created.month for created in introductions.values_list("created_at", flat=True)}) >= 6
    )
    for introduction in introductions:
        times = list(introduction.events.order_by("pk").values_list("at", flat=True))
        assert times == sorted(times) and times[0] == introduction.created_at
    held = [m for m in Meeting.objects.confirmed() if m.has_taken_place()]
    kinds = set(Outcome.objects.filter(meeting__in=held).values_list("kind", flat=True))
    assert {Outcome.Kind.NDA, Outcome.Kind.PILOT} <= kinds
    assert Meeting.objects.filter(state=Meeting.State.PROPOSED).exists()
    assert SuggestionShown.objects.exists()
    # Maria's firm starts with a clean slate: the tests walk her through her first request.
    assert not IntroductionRequest.objects.filter(firm__slug="acme-robotics").exists()
    assert not ShortlistEntry.objects.filter(firm__slug="acme-robotics").exists()
