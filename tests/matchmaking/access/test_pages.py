"""The firm side's pages, public account pages, GET on state-changing views, and the check
that every URL of the firm side is in a matrix (see world.py for the actors)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PASSWORD
from tests.matchmaking.access.test_actions import ACTIONS
from tests.matchmaking.access.test_events import EVENT_URLS
from tests.matchmaking.access.world import FIRM_OF, ROLES, SCOPE, World, client_for, snapshot

pytestmark = pytest.mark.django_db

# == pages without an object: who may open them, and whose things they show ==


@dataclass
class Page:
    audience: str  # "firm": members see their own firm's; "curator": their prefectures';
    # "admin": admins only, every prefecture's
    markers: dict[str, str]  # firm (X, Y) or prefecture (A, B) -> text that shows it


# Each firm's shortlisted and requested organization; an archived one shows to no firm.
FIRM_THINGS = {"X": "Higo Robotics", "Y": "Sapporo Dairy", "nobody": "Kikuchi Works"}
PAGES: dict[str, Page] = {
    "firm:profile": Page("firm", {"X": "Acme Robotics Inc.", "Y": "Baltic Wind AB"}),
    "firm:suggested": Page("firm", {}),  # no index in this world: the page says so
    "firm:shortlist": Page("firm", FIRM_THINGS | {"X": "Acme note"}),
    "firm:shortlist_csv": Page("firm", FIRM_THINGS),
    "introductions:index": Page("firm", FIRM_THINGS),
    "accounts:invite": Page("firm", {"X": "maria@acme-robotics.example", "Y": "kai@balticwind"}),
    "workspace:introductions": Page("curator", {"A": "Higo Robotics", "B": "Sapporo Dairy"}),
    "workspace:demand": Page("curator", {"A": "Higo Robotics", "B": "Sapporo Dairy"}),
    # Acme (US) asked for Kumamoto's Higo Robotics, Baltic Wind (SE) for Hokkaido's dairy.
    "workspace:kpi": Page(
        "curator", {"A": '<th scope="row">US</th>', "B": '<th scope="row">SE</th>'}
    ),
    "workspace:kpi_national": Page("admin", {"A": "Kumamoto", "B": "Hokkaido"}),
    "workspace:english_queue": Page("curator", {"A": "Higo Robotics", "B": "Sapporo Dairy"}),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_the_page_matrix(world: World, role: str, page: str) -> None:
    spec = PAGES[page]
    before = snapshot()
    response = client_for(world, role).get(reverse(page))
    body = response.content.decode()
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif (
        (spec.audience == "firm" and role not in FIRM_OF)
        or (spec.audience == "curator" and role not in SCOPE)
        or (spec.audience == "admin" and role != "root")
    ):
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        mine = {FIRM_OF[role]} if spec.audience == "firm" else SCOPE[role]
        shown = {key for key, text in spec.markers.items() if text in body}
        assert shown == mine & set(spec.markers), (shown, mine)
        return
    assert not any(text in body for text in spec.markers.values())
    assert snapshot() == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ROLES)
def test_the_key_figures_export_matrix(world: World, role: str, file_format: str) -> None:
    response = client_for(world, role).get(reverse("workspace:kpi_export", args=[file_format]))
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role not in SCOPE:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    if file_format == "csv":
        rows = response.content.decode("utf-8-sig").splitlines()
    else:
        import io

        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        rows = [
            ",".join("" if cell is None else str(cell) for cell in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
    countries = {row.split(",")[0] for row in rows} & {"US", "SE"}
    assert countries == {{"A": "US", "B": "SE"}[key] for key in SCOPE[role]}


# == public account pages: the same for everyone, or a logged-in user is sent home ==

PUBLIC: dict[str, tuple[str, int, int]] = {
    # URL name: (path, status for a visitor, status for a logged-in user)
    "accounts:sign_up": (reverse("accounts:sign_up"), 200, 302),
    "accounts:sign_up_done": (reverse("accounts:sign_up_done"), 200, 200),
    "accounts:confirm": (reverse("accounts:confirm", args=["forged"]), 400, 400),
    "accounts:accept_invitation": (
        reverse("accounts:accept_invitation", args=["forged"]),
        400,
        400,
    ),
    "password_reset": (reverse("password_reset"), 200, 200),
    "password_reset_done": (reverse("password_reset_done"), 200, 200),
    "password_reset_confirm": (reverse("password_reset_confirm", args=["MQ", "forged"]), 200, 200),
    "password_reset_complete": (reverse("password_reset_complete"), 200, 200),
    # The one-click outcome answer from a mail: the link is the key, whoever follows it.
    "introductions:outcome_answer": (
        reverse("introductions:outcome_answer", args=["forged"]),
        400,
        400,
    ),
}


@pytest.mark.parametrize("name", list(PUBLIC))
@pytest.mark.parametrize("role", ROLES)
def test_the_public_account_pages(world: World, role: str, name: str) -> None:
    path, visitor, logged_in = PUBLIC[name]
    client = client_for(world, role)
    before = snapshot()
    response = client.get(path)
    assert response.status_code == (visitor if role == "anonymous" else logged_in)
    # A signed link that was not signed by us leads nowhere, whoever follows it.
    forged = {
        "introductions:outcome_answer": {"kind": "nda", "date": "2027-01-20"},
        "accounts:confirm": {},
        "accounts:accept_invitation": {"password1": PASSWORD, "password2": PASSWORD},
    }
    if name in forged:
        assert client.post(path, forged[name]).status_code in (400, 405)
    if name == "accounts:sign_up" and role != "anonymous":
        data = {
            "email": "new@firm.example",
            "password": PASSWORD,
            "firm_name": "N",
            "country": "DE",
        }
        assert client.post(path, data)["Location"] == reverse("home")
    assert snapshot() == before and mail.outbox == []


# == every view that changes something refuses GET ==

POST_ONLY: dict[str, tuple[str, Callable[[World], list[Any]]]] = {
    # URL name: (a role allowed to POST, the URL's arguments)
    "firm:dismiss": ("maria", lambda world: [world.organizations["fresh"].pk]),
    "firm:shortlist_toggle": ("maria", lambda world: [world.organizations["A"].pk]),
    "firm:shortlist_note": ("maria", lambda world: [world.organizations["A"].pk]),
    "introductions:act": ("maria", lambda world: [world.introductions["X"].pk, "withdraw"]),
    "workspace:introduction_act": (
        "aiko",
        lambda world: [world.introductions["X"].pk, "decline"],
    ),
    "introductions:meeting_pick": ("maria", lambda w: w.meeting_args("maria", "own", "upcoming")),
    "introductions:meeting_cancel": (
        "maria",
        lambda world: world.meeting_args("maria", "own", "upcoming"),
    ),
    "workspace:meeting_pick": ("aiko", lambda world: world.meeting_args("aiko", "A", "upcoming")),
    "workspace:meeting_cancel": (
        "aiko",
        lambda world: world.meeting_args("aiko", "A", "upcoming"),
    ),
}
# Forms: GET shows the form and changes nothing; POST acts (the matrix above).
FORMS = {
    "firm:profile": ("maria", lambda world: []),
    "introductions:new": ("maria", lambda world: [world.organizations["fresh"].pk]),
    "accounts:invite": ("maria", lambda world: []),
    "introductions:meeting_new": ("maria", lambda world: [world.introductions["X"].pk]),
    "introductions:meeting_reschedule": (
        "maria",
        lambda world: world.meeting_args("maria", "own", "upcoming"),
    ),
    "introductions:outcome_new": ("maria", lambda w: w.meeting_args("maria", "own", "held")),
    "workspace:meeting_new": ("aiko", lambda world: [world.introductions["X"].pk]),
    "workspace:outcome_new": ("aiko", lambda world: world.meeting_args("aiko", "A", "held")),
}


@pytest.mark.parametrize("name", [*POST_ONLY, *FORMS])
def test_every_state_changing_view_refuses_get(world: World, name: str) -> None:
    role, arguments = (POST_ONLY | FORMS)[name]
    before = snapshot()
    response = client_for(world, role).get(reverse(name, args=arguments(world)))
    assert response.status_code == (405 if name in POST_ONLY else 200)
    assert snapshot() == before and mail.outbox == []


def test_logging_out_is_a_post(world: World) -> None:
    client = client_for(world, "maria")
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("firm:profile")).status_code == 200  # still logged in


# == the matrix covers every URL of the firm side ==

NAMESPACES = ("firm:", "introductions:", "accounts:", "password_reset", "events:")
COVERED = (
    {cell.url_name for cell in ACTIONS.values()}
    | EVENT_URLS
    | set(PAGES)
    | set(PUBLIC)
    | set(POST_ONLY)
    | set(FORMS)
    | {"logout"}
)


def url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_firm_side_url_is_in_the_matrix() -> None:
    firm_side = {name for name in url_names(get_resolver()) if name.startswith(NAMESPACES)}
    assert firm_side, "the URL configuration changed: update NAMESPACES"
    assert not firm_side - COVERED, f"Add to the firm-side matrix: {sorted(firm_side - COVERED)}"
