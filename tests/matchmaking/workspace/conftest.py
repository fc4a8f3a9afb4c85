"""The workspace's test world for the key figures (test_kpi_reports.py, test_kpi.py):
Kumamoto's Higo Robotics (industry E) and Tokyo's Edo Software; requests from firms in
Germany, the US and France, each moved on at a known time (Japan time)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from matchmaking.firms.models import (
    ForeignFirm,
    IntroductionEvent,
    IntroductionRequest,
    IntroductionState,
    SuggestionShown,
)
from profiles.models import Industry, Organization, OrganizationChange, PartnershipType
from tests.conftest import make_organization

S = IntroductionState


def jst(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        year, month, day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def request_at(
    firm: ForeignFirm, organization: Organization, created: datetime.datetime, *moves: Any
) -> IntroductionRequest:
    """A request created at `created`, then moved (to_state, at) by staff."""
    request = IntroductionRequest.objects.create(
        firm=firm,
        organization=organization,
        partnership_type=PartnershipType.objects.get(code="joint_rnd"),
        proposal="p",
        preferred_language="en",
        contact_name="C",
        contact_email="c@x.example",
        submission_key=uuid.uuid4(),
    )
    IntroductionRequest.objects.filter(pk=request.pk).update(created_at=created)
    event = IntroductionEvent.objects.create(request=request, from_state="", to_state=S.SUBMITTED)
    IntroductionEvent.objects.filter(pk=event.pk).update(at=created)
    state = S.SUBMITTED
    for to_state, at in moves:
        event = IntroductionEvent.objects.create(
            request=request, from_state=state, to_state=to_state
        )
        IntroductionEvent.objects.filter(pk=event.pk).update(at=at)
        state = to_state
    IntroductionRequest.objects.filter(pk=request.pk).update(state=state)
    return request


@pytest.fixture
def kpi_world() -> dict[str, Any]:
    higo = make_organization("43", name_en="Higo Robotics")
    higo.industries.set([Industry.objects.get(code="E")])
    edo = make_organization("13", name_en="Edo Software")
    firms = {
        code: ForeignFirm.objects.create(name=f"Firm {code}", slug=f"firm-{code}", country=code)
        for code in ("DE", "US", "FR")
    }
    # Q1: asked 10 Feb, under review 2 days later; accepted in Q2.
    request_at(
        firms["DE"],
        higo,
        jst(2026, 2, 10, 10),
        (S.UNDER_REVIEW, jst(2026, 2, 12, 10)),
        (S.ACCEPTED, jst(2026, 4, 5, 9)),
    )
    # Q2: asked 1 May, forwarded 4 days later, declined.
    request_at(
        firms["US"],
        higo,
        jst(2026, 5, 1, 9),
        (S.FORWARDED, jst(2026, 5, 5, 9)),
        (S.DECLINED, jst(2026, 5, 20, 9)),
    )
    # Asked in 2025, accepted on 3 January 2026 (00:30 in Japan, still 2 January in UTC).
    request_at(firms["FR"], higo, jst(2025, 12, 30, 9), (S.ACCEPTED, jst(2026, 1, 3, 0, 30)))
    # Tokyo's: another prefecture.
    request_at(firms["DE"], edo, jst(2026, 2, 1, 9), (S.UNDER_REVIEW, jst(2026, 2, 2, 9)))
    # A firm that withdrew: no response from staff.
    request_at(firms["US"], higo, jst(2026, 8, 1, 9), (S.WITHDRAWN, jst(2026, 8, 2, 9)))

    week = datetime.date(2026, 3, 2)
    for firm in (firms["DE"], firms["US"]):
        SuggestionShown.objects.create(firm=firm, organization=higo, week=week)
    SuggestionShown.objects.create(firm=firms["DE"], organization=edo, week=week)

    def change(organization: Organization, at: datetime.datetime, **fields: Any) -> None:
        version = organization.changes.count() + 2
        row = OrganizationChange.objects.create(
            organization=organization, via="workspace", version=version, fields=fields
        )
        OrganizationChange.objects.filter(pk=row.pk).update(at=at)

    change(higo, jst(2026, 7, 1, 9), status=["draft", "published"])
    change(higo, jst(2026, 7, 2, 9), description_en=["a", "b"])
    change(higo, jst(2026, 8, 1, 9), status=["published", "archived"])
    change(higo, jst(2026, 9, 1, 9), status=["archived", "published"])  # once a period
    return {"higo": higo, "edo": edo}
