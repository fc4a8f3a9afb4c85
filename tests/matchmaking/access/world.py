"""The access matrix of the foreign-firm side: role x action x object for every URL of the
firm pages, shortlist, feedback, introductions, the curators' queue, demand and accounts.

Maria works for Acme Robotics (firm X); Kai for Baltic Wind (firm Y); Aiko curates Kumamoto
(A); Ben curates Hokkaido (B); Nora is a curator of no prefecture; Root is an admin. Acme has
shortlisted Higo Robotics (Kumamoto) and asked for an introduction to it; Baltic Wind has done
the same with Sapporo Dairy (Hokkaido); Acme had also shortlisted Kikuchi Works, since
archived. Aso Gears (Kumamoto) is published and untouched; a Kumamoto draft is not published.
Each cell asserts the response and, when the action is refused or has no effect, that nothing
in the database changed and no email went out. The world is built by `conftest.py`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from matchmaking.firms.introductions.models import Meeting, MeetingSlot, Outcome
from matchmaking.firms.models import (
    FirmMember,
    ForeignFirm,
    IntroductionEvent,
    IntroductionRequest,
    ShortlistEntry,
    SuggestionFeedback,
    SuggestionShown,
)
from profiles.models import Organization, PartnershipType
from profiles.roles import FIRM_MEMBERS
from tests.conftest import PASSWORD

ROLES = ["anonymous", "maria", "kai", "nora", "aiko", "ben", "root"]
FIRM_OF = {"maria": "X", "kai": "Y"}
SCOPE = {"aiko": {"A"}, "ben": {"B"}, "root": {"A", "B"}}
MISSING_PK = 987654
OK, NO_EFFECT, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "no effect", "login", 403, 404


@dataclass
class World:
    users: dict[str, User | None]
    firms: dict[str, ForeignFirm]  # X, Y
    organizations: dict[str, Organization]  # A, B, fresh, draft, archived
    introductions: dict[str, IntroductionRequest]  # by firm: X -> A, Y -> B
    # by firm: times the firm proposed ("upcoming"), a meeting held last week ("held")
    meetings: dict[tuple[str, str], Meeting]

    def owner(self, role: str, obj: str) -> str:
        """The firm an "own" or "other" object belongs to (X and Y for non-members)."""
        mine = FIRM_OF.get(role, "X")
        return mine if obj == "own" else "Y" if mine == "X" else "X"

    def entry_pk(self, role: str, obj: str) -> int:
        """The organization pk of a shortlist entry: Acme's is on A, Baltic Wind's on B."""
        if obj == "missing":
            return MISSING_PK
        return self.organizations["A" if self.owner(role, obj) == "X" else "B"].pk

    def introduction_pk(self, role: str, obj: str) -> int:
        """Of a firm's request (own, other) or of a request to a prefecture's organization."""
        if obj == "missing":
            return MISSING_PK
        firm = {"A": "X", "B": "Y"}.get(obj) or self.owner(role, obj)
        return self.introductions[firm].pk

    def meeting_args(self, role: str, obj: str, which: str) -> list[int]:
        """The introduction's and the meeting's pk, as the meeting URLs take them."""
        if obj == "missing":
            return [MISSING_PK, MISSING_PK]
        firm = {"A": "X", "B": "Y"}.get(obj) or self.owner(role, obj)
        meeting = self.meetings[firm, which]
        return [meeting.introduction_id, meeting.pk]

    def organization_pk(self, obj: str) -> int:
        """Aso Gears for "published" (nobody has acted on it yet), the draft, or none."""
        key = {"published": "fresh", "draft": "draft"}.get(obj)
        return self.organizations[key].pk if key else MISSING_PK


def firm_member(email: str, firm: ForeignFirm) -> User:
    user = User.objects.create_user(username=email, email=email, password=PASSWORD)
    user.groups.add(Group.objects.get(name=FIRM_MEMBERS))
    FirmMember.objects.create(user=user, firm=firm, role=FirmMember.Role.OWNER)
    return user


def introduction(firm: ForeignFirm, organization: Organization) -> IntroductionRequest:
    return IntroductionRequest.objects.create(
        firm=firm,
        organization=organization,
        partnership_type=PartnershipType.objects.get(code="joint_rnd"),
        proposal=f"{firm.name} proposes joint development to {organization.name_en}.",
        preferred_language="en",
        contact_name=firm.name,
        contact_email=f"contact@{firm.slug}.example",
        submission_key=uuid.uuid4(),
    )


def meetings_of(introduction: IntroductionRequest) -> dict[str, Meeting]:
    """Times the firm proposed for next month, and a meeting held last week."""
    now = timezone.now()
    upcoming = Meeting.objects.create(
        introduction=introduction, proposed_by="firm", online_url="https://meet.example/m"
    )
    MeetingSlot.objects.create(meeting=upcoming, starts_at=now + timedelta(days=30))
    held = Meeting.objects.create(
        introduction=introduction,
        proposed_by="curator",
        state=Meeting.State.CONFIRMED,
        starts_at=now - timedelta(days=7),
        venue="Kumamoto office",
    )
    return {"upcoming": upcoming, "held": held}


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def snapshot() -> tuple[Any, ...]:
    """Everything on the firm side that an action could change."""
    return (
        list(ShortlistEntry.objects.values_list("pk", "firm", "organization", "note")),
        list(SuggestionFeedback.objects.values_list("pk", "firm", "organization", "reason")),
        list(IntroductionRequest.objects.values_list("pk", "firm", "organization", "state")),
        IntroductionEvent.objects.count(),
        list(Meeting.objects.order_by("pk").values_list("pk", "state", "starts_at", "sequence")),
        MeetingSlot.objects.count(),
        Outcome.objects.count(),
        SuggestionShown.objects.count(),
        list(ForeignFirm.objects.order_by("pk").values_list("pk", "name", "seeks_en")),
        list(FirmMember.objects.order_by("pk").values_list("pk", "user", "firm")),
        User.objects.count(),
    )
