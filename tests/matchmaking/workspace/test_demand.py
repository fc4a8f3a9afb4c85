"""Staff view of demand: what firms are shown, keep and ask for, per prefecture."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from matchmaking.firms.models import (
    IntroductionRequest,
    IntroductionState,
    ShortlistEntry,
    SuggestionFeedback,
    SuggestionShown,
)
from matchmaking.firms.services import suggestions_record_shown
from profiles.models import PartnershipType
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(maria: User) -> dict[str, Any]:
    firm = maria.firm_membership.firm
    higo = make_organization("43", name_en="Higo Robotics")
    edo = make_organization("13", name_en="Edo Robotics")
    sapporo = make_organization("01", name_en="Sapporo Dairy")
    suggestions_record_shown(firm=firm, organizations=[higo, edo, sapporo])
    suggestions_record_shown(firm=firm, organizations=[higo])  # same week: counted once
    ShortlistEntry.objects.create(firm=firm, organization=higo)
    IntroductionRequest.objects.create(
        firm=firm,
        organization=higo,
        partnership_type=PartnershipType.objects.get(code="joint_rnd"),
        proposal="p",
        preferred_language="en",
        contact_name="M",
        contact_email="m@x.example",
        submission_key=uuid.uuid4(),
        state=IntroductionState.ACCEPTED,
    )
    SuggestionFeedback.objects.create(firm=firm, organization=higo, reason="too_small")
    SuggestionFeedback.objects.create(firm=firm, organization=sapporo, reason="region")
    return {"higo": higo, "edo": edo, "sapporo": sapporo}


def test_a_curator_sees_demand_for_their_prefecture_only(
    client: Client, aiko: User, world: dict[str, Any]
) -> None:
    client.force_login(aiko)
    response = client.get(reverse("workspace:demand"))
    [higo] = response.context["organizations"]
    assert (higo.suggested, higo.shortlisted, higo.requested, higo.accepted) == (1, 1, 1, 1)
    assert higo.not_relevant == 1
    reasons = dict(response.context["reasons"])
    assert reasons["too small"] == 1 and reasons["wrong region"] == 0


def test_the_weekly_regional_share_counts_non_metropolitan_suggestions(
    client: Client, root: User, world: dict[str, Any]
) -> None:
    client.force_login(root)
    response = client.get(reverse("workspace:demand"))
    this_week = response.context["weeks"][-1]
    # Kumamoto and Hokkaido are regional; Tokyo is metropolitan.
    assert (this_week.shown, this_week.regional, this_week.percent) == (3, 2, 67)
    body = response.content.decode()
    chart = body[body.index('<svg class="chart"') : body.index("</svg>")]
    assert chart.count("<rect") == 12 and "<script" not in chart
    assert len(response.context["organizations"]) == 3


def test_firms_and_visitors_do_not_see_demand(client: Client, maria: User) -> None:
    assert client.get(reverse("workspace:demand")).status_code == 302
    client.force_login(maria)
    assert client.get(reverse("workspace:demand")).status_code == 403


def test_the_suggestions_page_records_what_it_showed(
    client: Client, maria: User, indexed: Any
) -> None:
    firm = maria.firm_membership.firm
    firm.seeks_en = "industrial robot arms for welding"
    firm.save()
    client.force_login(maria)
    client.get(reverse("firm:suggested"))
    shown = set(SuggestionShown.objects.values_list("organization__external_id", flat=True))
    assert shown == {"kumamoto-robots", "tokyo-robots"}


def test_unmet_demand_groups_firms_whose_best_match_is_weak(
    client: Client, maria: User, aiko: User, indexed: Any
) -> None:
    from matchmaking.firms.models import ForeignFirm
    from profiles.models import Industry

    acme = maria.firm_membership.firm
    acme.seeks_en = "industrial robot arms for welding lines"
    acme.save()
    lonely = ForeignFirm.objects.create(
        name="Ocean Kelp AS",
        slug="ocean-kelp",
        country="NO",
        seeks_en="Seaweed farming partners for kelp harvesting and alginate extraction.",
        keywords="kelp\nalginate",
    )
    fishery = Industry.objects.get(code="B")
    lonely.industries.add(fishery)
    client.force_login(aiko)
    response = client.get(reverse("workspace:demand"))
    [group] = response.context["unmet"]
    assert (group.industry, group.firms) == (fishery.name_en, 1)
    assert {"kelp", "alginate"} <= {term for term, _ in group.top_terms()}
    assert "Ocean Kelp" not in response.content.decode()  # firms are not named
    # With a threshold of 1, every firm with a profile counts as unmet.
    everyone = client.get(reverse("workspace:demand"), {"below": "1"})
    assert sum(g.firms for g in everyone.context["unmet"]) == 2
