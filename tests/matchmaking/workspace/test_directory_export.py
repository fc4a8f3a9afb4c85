"""Exporting the public directory's current results: curators get their share of them.

Aiko curates Kumamoto (43); Ben curates Hokkaido (01); Root is an admin; Maria works for
Acme Robotics; Nora is a curator of no prefecture. Kumamoto has a published lying dragon
that machines motor shafts, a published university and a draft; Hokkaido and Fukuoka each
have a published motor maker.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from matchmaking.directory.listing import DirectoryFilters, FilterOptions, browse
from profiles.importing import COLUMNS, organizations_import
from profiles.models import Industry, Language, Organization, PartnershipType
from profiles.models.curation import curated_prefecture_ids
from tests.conftest import make_curator, make_organization

pytestmark = pytest.mark.django_db
URL = reverse("workspace:directory_export")
DIRECTORY = reverse("directory:search")


@pytest.fixture
def world(db: None) -> dict[str, Organization]:
    machinery = Industry.objects.get(code="E")
    supply_chain = PartnershipType.objects.get(code="supply_chain")
    english = Language.objects.get(code="en")
    higo = make_organization(
        "43",
        external_id="higo-precision",
        name_en="Higo Precision",
        name_ja="肥後精密",
        offers_en="Precision machining of EV motor shafts.",
        description_en='=HYPERLINK("http://evil.example")',
        seeks_en="-3 dB noise motors",
        keywords="motor shafts\nmachining",
        lying_dragon=True,
        lying_dragon_reason="Global niche top in motor shafts",
    )
    higo.industries.add(machinery)
    higo.partnership_types.add(supply_chain)
    higo.languages.add(english)
    kumamoto_university = make_organization(
        "43",
        kind=Organization.Kind.UNIVERSITY,
        external_id="kumamoto-university",
        name_en="Kumamoto Motor Lab",
        offers_en="Motor control research.",
    )
    kumamoto_university.languages.add(english)
    # No external id: the export keys it as ryumon:<pk>, and that re-imports as itself.
    aso = make_organization("43", name_en="@Aso Motors", offers_en="Electric motor repair.")
    aso.industries.add(machinery)
    make_organization(
        "43",
        external_id="kumamoto-draft",
        name_en="Kumamoto Draft Motors",
        offers_en="Motors.",
        status=Organization.Status.DRAFT,
    )
    sapporo = make_organization(
        "01",
        external_id="sapporo-motors",
        name_en="Sapporo Motors",
        offers_en="Motor assembly for snow machines.",
    )
    sapporo.industries.add(machinery)
    sapporo.partnership_types.add(supply_chain)
    hakata = make_organization(
        "40", external_id="hakata-motors", name_en="Hakata Motors", offers_en="Motor parts."
    )
    hakata.languages.add(english)
    return {"higo": higo, "university": kumamoto_university, "aso": aso, "sapporo": sapporo}


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def exported_keys(response: Any) -> set[str]:
    assert response.status_code == 200, response.status_code
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row["external_id"] for row in rows}


def key(organization: Organization) -> str:
    return organization.external_id or f"ryumon:{organization.pk}"


def directory_keys(params: dict[str, str], user: User) -> set[str]:
    """What the directory lists for these parameters (every page), within the user's scope."""
    options = FilterOptions.load()
    result = browse(DirectoryFilters.from_query(params, options), options)
    scope = curated_prefecture_ids(user)
    return {
        key(organization)
        for organization in result.page.paginator.object_list
        if scope is None or organization.prefecture_id in scope
    }


FILTERS = [
    {},
    {"q": "motor"},
    {"q": "精密加工"},
    {"q": "motor", "kind": "university"},
    {"industry": "E"},
    {"partnership": "supply_chain"},
    {"language": "en"},
    {"dragons": "1"},
    {"region": "kyushu-okinawa"},
    {"region": "hokkaido", "q": "motor"},
    {"prefecture": "43", "industry": "E", "sort": "name", "page": "2"},
    {"q": "nothing matches this"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda params: repr(params))
@pytest.mark.parametrize("who", ["aiko", "ben", "root"])
def test_the_export_is_the_directory_filter_within_the_curators_scope(
    world: dict[str, Organization], aiko: User, ben: User, root: User, who: str, params: Any
) -> None:
    user = {"aiko": aiko, "ben": ben, "root": root}[who]
    response = logged_in(user).get(URL, {"format": "csv", **params})
    assert exported_keys(response) == directory_keys(params, user)


def test_the_export_holds_what_the_directory_shows_and_nothing_else(
    world: dict[str, Organization], aiko: User, root: User
) -> None:
    """Spelled out once, so that the comparison above cannot agree with itself by accident."""
    get = logged_in(aiko).get
    assert exported_keys(get(URL, {"q": "motor"})) == {
        "higo-precision",
        "kumamoto-university",
        key(world["aso"]),
    }  # not the draft, not Sapporo or Hakata
    assert exported_keys(get(URL, {"q": "motor", "industry": "E"})) == {
        "higo-precision",
        key(world["aso"]),
    }
    assert exported_keys(get(URL, {"dragons": "1", "language": "en"})) == {"higo-precision"}
    assert exported_keys(logged_in(root).get(URL, {"partnership": "supply_chain"})) == {
        "higo-precision",
        "sapporo-motors",
    }


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_reimports_with_no_changes(
    world: dict[str, Organization], aiko: User, file_format: str
) -> None:
    response = logged_in(aiko).get(URL, {"format": file_format, "q": "motor"})
    assert response.status_code == 200
    assert f'.{file_format}"' in response["Content-Disposition"]
    report = organizations_import(
        content=response.content, file_name=f"x.{file_format}", user=aiko, commit=True
    )
    assert report.summary() == "created=0 updated=0 unchanged=3 errors=0", report.updates


def test_an_export_neutralises_cells_a_spreadsheet_would_run(
    world: dict[str, Organization], aiko: User
) -> None:
    client = logged_in(aiko)
    response = client.get(URL, {"format": "csv", "q": "motor"})
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    rows = {row["external_id"]: row for row in reader}
    assert rows["higo-precision"]["description_en"] == '\'=HYPERLINK("http://evil.example")'
    assert rows["higo-precision"]["seeks_en"] == "'-3 dB noise motors"
    assert rows[key(world["aso"])]["name_en"] == "'@Aso Motors"
    workbook = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx", "q": "motor"}).content))
    cells = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert cells[0] == list(COLUMNS)
    assert "'@Aso Motors" in [row[COLUMNS.index("name_en")] for row in cells[1:]]
    assert not any(str(value).startswith("=") for row in cells for value in row if value)


@pytest.mark.parametrize("who", ["aiko", "root"])
def test_the_directory_links_curators_to_the_export_of_these_results(
    world: dict[str, Organization], aiko: User, root: User, who: str
) -> None:
    client = logged_in({"aiko": aiko, "root": root}[who])
    params = {"q": "motor", "industry": "E", "sort": "name", "page": "1"}
    full = client.get(DIRECTORY, params).content.decode()
    assert "Export these results" in full
    assert f'href="{URL}?format=csv&amp;q=motor&amp;industry=E"' in full
    assert f'href="{URL}?format=xlsx&amp;q=motor&amp;industry=E"' in full
    # The link lives in the swapped results, so it follows the filters live.
    swapped = client.get(DIRECTORY, {"kind": "university"}, headers={"HX-Request": "true"})
    assert "<html" not in swapped.content.decode()
    assert f'href="{URL}?format=csv&amp;kind=university"' in swapped.content.decode()
    assert f'href="{URL}?format=csv"' in client.get(DIRECTORY).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "maria", "nora"])
def test_the_directory_shows_no_export_link_to_others(
    world: dict[str, Organization], maria: User, who: str
) -> None:
    client = Client()
    if who == "maria":
        client.force_login(maria)
    elif who == "nora":
        client.force_login(make_curator("nora@pref.example"))
    for headers in ({}, {"HX-Request": "true"}):
        body = client.get(DIRECTORY, {"q": "motor"}, headers=headers).content.decode()
        assert "Higo Precision" in body
        assert "Export these results" not in body and URL not in body


def test_anonymous_visitors_are_sent_to_log_in(world: dict[str, Organization]) -> None:
    response = Client().get(URL, {"format": "csv", "q": "motor"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_firm_members_and_curators_of_nothing_are_refused(
    world: dict[str, Organization], maria: User
) -> None:
    for user in (maria, make_curator("nora@pref.example")):
        response = logged_in(user).get(URL, {"format": "csv", "q": "motor"})
        assert response.status_code == 403
        assert b"higo-precision" not in response.content


def test_an_unknown_format_is_not_found(world: dict[str, Organization], aiko: User) -> None:
    assert logged_in(aiko).get(URL, {"format": "xls"}).status_code == 404


@pytest.mark.parametrize("extra", [0, 30])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    world: dict[str, Organization],
    aiko: User,
    django_assert_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
    extra: int,
) -> None:
    for number in range(extra):
        make_organization("43", external_id=f"extra-{number}", name_en=f"Extra Motors {number}")
    monkeypatch.setattr(settings, "RANKER_RELOAD_SECONDS", 3600)  # however slow this machine
    client = logged_in(aiko)
    client.get(URL, {"q": "warm"})  # read the filter options and build the first index
    # Session, user, the curator check, the scope, then the rows and their three
    # prefetched relations; a search is answered by the index read by the warm-up.
    with django_assert_num_queries(8):
        client.get(URL, {"format": "xlsx", "industry": "E"})
    with django_assert_num_queries(8):
        response = client.get(URL, {"format": "csv", "q": "motor"})
    assert len(exported_keys(response)) == 3 + extra
