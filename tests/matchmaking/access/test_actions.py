"""The firm side's actions: role x action x object (see world.py for the actors).

Objects are a firm's own or another firm's shortlist entry or introduction request, a
published or unpublished organization, or a request to an organization of Kumamoto (A) or
Hokkaido (B); each may also be missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from matchmaking.firms.introductions.models import Meeting, Outcome
from matchmaking.firms.models import (
    ForeignFirm,
    IntroductionRequest,
    ShortlistEntry,
    SuggestionFeedback,
)
from profiles.models import PartnershipType
from tests.matchmaking.access.world import (
    FIRM_OF,
    FORBIDDEN,
    LOGIN,
    NO_EFFECT,
    NOT_FOUND,
    OK,
    ROLES,
    SCOPE,
    World,
    client_for,
    snapshot,
)

pytestmark = pytest.mark.django_db

# == actions: each returns (the response, whether it took effect on its object) ==

Action = Callable[[Client, World, str, str], tuple[Any, bool]]


def shortlist_note(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    url = reverse("firm:shortlist_note", args=[world.entry_pk(role, obj)])
    response = client.post(url, {"note": "Matrix note"})
    return response, ShortlistEntry.objects.filter(note="Matrix note").exists()


def shortlist_remove(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    url = reverse("firm:shortlist_toggle", args=[world.entry_pk(role, obj)])
    response = client.post(url, {"action": "remove"})
    owner = world.firms[world.owner(role, obj)]
    organization = world.organizations["A" if owner == world.firms["X"] else "B"]
    listed = ShortlistEntry.objects.filter(firm=owner, organization=organization).exists()
    return response, not listed


def shows_proposal(response: Any, pk: int) -> bool:
    """Whether the page shows this request's proposal (each names its firm)."""
    request = IntroductionRequest.objects.filter(pk=pk).first()
    return request is not None and request.proposal in response.content.decode()


def introduction_view(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    pk = world.introduction_pk(role, obj)
    response = client.get(reverse("introductions:detail", args=[pk]))
    return response, shows_proposal(response, pk)


def firm_acts(action: str, target: str) -> Action:
    def perform(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
        pk = world.introduction_pk(role, obj)
        response = client.post(reverse("introductions:act", args=[pk, action]), {"message": "m"})
        return response, IntroductionRequest.objects.filter(pk=pk, state=target).exists()

    return perform


def shortlist_add(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    pk = world.organization_pk(obj)
    response = client.post(reverse("firm:shortlist_toggle", args=[pk]), {"action": "add"})
    return response, ShortlistEntry.objects.filter(organization_id=pk).exists()


def dismiss(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    pk = world.organization_pk(obj)
    response = client.post(reverse("firm:dismiss", args=[pk]), {"reason": "too_small"})
    return response, SuggestionFeedback.objects.filter(organization_id=pk).exists()


def introduction_form(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    response = client.get(reverse("introductions:new", args=[world.organization_pk(obj)]))
    return response, b'name="proposal"' in response.content


def introduction_request(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    pk = world.organization_pk(obj)
    data = {
        "partnership_type": PartnershipType.objects.get(code="licensing").pk,
        "proposal": "Licensing our gear design.",
        "preferred_language": "en",
        "contact_name": "Matrix",
        "contact_email": "matrix@firm.example",
        "submission_key": str(uuid.uuid4()),
    }
    response = client.post(reverse("introductions:new", args=[pk]), data)
    return response, IntroductionRequest.objects.filter(organization_id=pk).exists()


def profile_edit(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    firm = world.firms[world.owner(role, "own")]
    data = {"name": firm.name, "country": firm.country, "seeks_en": "Matrix need"}
    response = client.post(reverse("firm:profile"), data)
    changed = set(ForeignFirm.objects.filter(seeks_en="Matrix need"))
    # A member's edit reaches their own firm only; anyone else's reaches none.
    return response, changed == {firm} if role in FIRM_OF else bool(changed)


def invite(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    response = client.post(reverse("accounts:invite"), {"email": "colleague@firm.example"})
    sent = [message for message in mail.outbox if message.to == ["colleague@firm.example"]]
    own = role in FIRM_OF and all(world.firms[FIRM_OF[role]].name in m.body for m in sent)
    return response, bool(sent) and (own or role not in FIRM_OF)


def introduction_queue_view(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
    pk = world.introduction_pk(role, obj)
    response = client.get(reverse("workspace:introduction", args=[pk]))
    return response, shows_proposal(response, pk)


def curator_acts(action: str, target: str) -> Action:
    def perform(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
        pk = world.introduction_pk(role, obj)
        url = reverse("workspace:introduction_act", args=[pk, action])
        response = client.post(url, {"message": "Matrix reason"})
        return response, IntroductionRequest.objects.filter(pk=pk, state=target).exists()

    return perform


def meeting_pick(namespace: str) -> Action:
    def perform(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
        args = world.meeting_args(role, obj, "upcoming")
        meeting = Meeting.objects.filter(pk=args[1]).first()
        slot = meeting.slots.get().pk if meeting else 1
        response = client.post(reverse(f"{namespace}:meeting_pick", args=args), {"slot": slot})
        return response, Meeting.objects.filter(pk=args[1], state="confirmed").exists()

    return perform


def meeting_cancel(namespace: str) -> Action:
    def perform(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
        args = world.meeting_args(role, obj, "upcoming")
        url = reverse(f"{namespace}:meeting_cancel", args=args)
        response = client.post(url, {"message": "Matrix reason"})
        return response, Meeting.objects.filter(pk=args[1], state="cancelled").exists()

    return perform


def meeting_form(namespace: str) -> Action:
    def perform(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
        args = world.meeting_args(role, obj, "upcoming")
        response = client.get(reverse(f"{namespace}:meeting_reschedule", args=args))
        return response, b'name="slot_1"' in response.content

    return perform


def outcome_record(namespace: str) -> Action:
    def perform(client: Client, world: World, role: str, obj: str) -> tuple[Any, bool]:
        args = world.meeting_args(role, obj, "held")
        data = {"kind": "nda", "date": "2027-01-20", "note": "Matrix outcome"}
        response = client.post(reverse(f"{namespace}:outcome_new", args=args), data)
        return response, Outcome.objects.filter(meeting_id=args[1]).exists()

    return perform


# == who may do what, on which object ==

Expect = Callable[[str, str], Any]


def for_firms(own: Any = OK, other: Any = NOT_FOUND, missing: Any = NOT_FOUND) -> Expect:
    """Firm members act on their own firm's things; curators and admins have no firm: 403."""

    def expect(role: str, obj: str) -> Any:
        if role == "anonymous":
            return LOGIN
        if role not in FIRM_OF:
            return FORBIDDEN
        return {"own": own, "other": other, "published": own, "draft": other}.get(obj, missing)

    return expect


def for_curators(role: str, obj: str) -> Any:
    """Curators act on their prefectures' requests; another prefecture's is hidden (404)."""
    if role == "anonymous":
        return LOGIN
    if role not in SCOPE:  # firm members, a curator of no prefecture
        return FORBIDDEN
    return OK if obj in SCOPE[role] else NOT_FOUND


FIRM_OWNED = ["own", "other", "missing"]  # Acme's vs Baltic Wind's, for a member of either
ORGANIZATIONS = ["published", "draft", "missing"]  # Aso Gears, the Kumamoto draft
IN_PREFECTURE = ["A", "B", "missing"]  # a request to an organization of Kumamoto / Hokkaido


@dataclass
class Cell:
    url_name: str
    perform: Action
    expect: Expect
    objects: list[str]


ACTIONS: dict[str, Cell] = {
    "write a shortlist note": Cell("firm:shortlist_note", shortlist_note, for_firms(), FIRM_OWNED),
    # The other firm's entry is simply not on one's own list: removing it removes nothing.
    "remove from the shortlist": Cell(
        "firm:shortlist_toggle", shortlist_remove, for_firms(other=NO_EFFECT), FIRM_OWNED
    ),
    "see an introduction": Cell(
        "introductions:detail", introduction_view, for_firms(), FIRM_OWNED
    ),
    "withdraw an introduction": Cell(
        "introductions:act", firm_acts("withdraw", "withdrawn"), for_firms(), FIRM_OWNED
    ),
    # A curator's action on the firm's URL is refused with a message.
    "forward one's own request": Cell(
        "introductions:act",
        firm_acts("forward", "forwarded"),
        for_firms(own=NO_EFFECT),
        FIRM_OWNED,
    ),
    "add to the shortlist": Cell(
        "firm:shortlist_toggle", shortlist_add, for_firms(), ORGANIZATIONS
    ),
    "mark not relevant": Cell("firm:dismiss", dismiss, for_firms(), ORGANIZATIONS),
    "open the introduction form": Cell(
        "introductions:new", introduction_form, for_firms(), ORGANIZATIONS
    ),
    "request an introduction": Cell(
        "introductions:new", introduction_request, for_firms(), ORGANIZATIONS
    ),
    "edit the firm profile": Cell("firm:profile", profile_edit, for_firms(), ["own"]),
    "invite a colleague": Cell("accounts:invite", invite, for_firms(), ["own"]),
    # The firm proposed these times: the curator picks one, the firm cannot.
    "pick a meeting time (firm)": Cell(
        "introductions:meeting_pick",
        meeting_pick("introductions"),
        for_firms(own=NO_EFFECT),
        FIRM_OWNED,
    ),
    "cancel a meeting (firm)": Cell(
        "introductions:meeting_cancel", meeting_cancel("introductions"), for_firms(), FIRM_OWNED
    ),
    "open the reschedule form (firm)": Cell(
        "introductions:meeting_reschedule",
        meeting_form("introductions"),
        for_firms(),
        FIRM_OWNED,
    ),
    "record an outcome (firm)": Cell(
        "introductions:outcome_new", outcome_record("introductions"), for_firms(), FIRM_OWNED
    ),
    "pick a meeting time (curator)": Cell(
        "workspace:meeting_pick", meeting_pick("workspace"), for_curators, IN_PREFECTURE
    ),
    "cancel a meeting (curator)": Cell(
        "workspace:meeting_cancel", meeting_cancel("workspace"), for_curators, IN_PREFECTURE
    ),
    "open the reschedule form (curator)": Cell(
        "workspace:meeting_reschedule", meeting_form("workspace"), for_curators, IN_PREFECTURE
    ),
    "record an outcome (curator)": Cell(
        "workspace:outcome_new", outcome_record("workspace"), for_curators, IN_PREFECTURE
    ),
    "see a request in the queue": Cell(
        "workspace:introduction", introduction_queue_view, for_curators, IN_PREFECTURE
    ),
    "start the review": Cell(
        "workspace:introduction_act",
        curator_acts("review", "under_review"),
        for_curators,
        IN_PREFECTURE,
    ),
    "forward to the organization": Cell(
        "workspace:introduction_act",
        curator_acts("forward", "forwarded"),
        for_curators,
        IN_PREFECTURE,
    ),
    "decline": Cell(
        "workspace:introduction_act",
        curator_acts("decline", "declined"),
        for_curators,
        IN_PREFECTURE,
    ),
}
CELLS = [(action, obj) for action, cell in ACTIONS.items() for obj in cell.objects]


@pytest.mark.parametrize(("action", "obj"), CELLS)
@pytest.mark.parametrize("role", ROLES)
def test_the_access_matrix(
    world: World, role: str, action: str, obj: str, django_capture_on_commit_callbacks: Any
) -> None:
    cell = ACTIONS[action]
    client = client_for(world, role)
    before = snapshot()
    # The emails go out on commit, which the test's transaction never reaches by itself.
    with django_capture_on_commit_callbacks(execute=True):
        response, took_effect = cell.perform(client, world, role, obj)
    status = response.status_code
    outcome = cell.expect(role, obj)
    if outcome == OK:
        assert status in (200, 302) and took_effect, (status, took_effect)
        return
    assert not took_effect, f"{role} could {action} on {obj}"
    assert snapshot() == before, f"{role}: {action} on {obj} changed the database"
    assert mail.outbox == []
    if outcome == LOGIN:
        assert status == 302 and response["Location"].startswith(reverse("login"))
    elif outcome == NO_EFFECT:
        assert status == 302
    else:
        assert status == outcome
