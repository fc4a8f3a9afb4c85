"""The directory page: full page and htmx partial, filters and their counts, sort, pages.

Every test runs twice: answered by an index that is kept up to date before each request
(as in production once an index is built), and by the index that the first request builds
when none is stored yet. The two must agree: there is one analysis, the ranker's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from matchmaking.directory import listing as directory
from matchmaking.search.store import build_index, index_cache
from profiles.models import Industry, Language, Organization, PartnershipType
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db
URL = reverse("directory:search")
HTMX = {"HX-Request": "true"}


class IndexedClient(Client):
    """A client whose every request first brings the index up to date with the database.

    The test database rolls back instead of committing, so the commit hook that updates the
    index in production never fires here; a rebuild stands in for it.
    """

    def get(self, *args: Any, **kwargs: Any) -> Any:
        build_index()
        index_cache.forget()
        return super().get(*args, **kwargs)


@pytest.fixture(params=["index", "first build"])
def client(request: pytest.FixtureRequest, settings: Any) -> Iterator[Client]:
    index_cache.forget()
    settings.RANKER_RELOAD_SECONDS = 3600
    yield IndexedClient() if request.param == "index" else Client()
    index_cache.forget()


def _names(response: Any) -> list[str]:
    return [organization.name_en for organization in response.context["result"].page]


def _counts(response: Any, facet: str) -> dict[str, int]:
    return {value.code: value.count for value in response.context["result"].facets[facet]}


@pytest.fixture
def world(db: None) -> dict[str, Organization]:
    """Kumamoto's lying dragon, a Fukuoka university, a Tokyo company, a Hokkaido draft."""
    higo = make_organization(
        "43",
        name_en="Higo Precision",
        name_ja="肥後精密",
        offers_en="Precision machining of EV motor shafts.",
        lying_dragon=True,
        lying_dragon_reason="Global niche top in motor shafts",
    )
    higo.industries.add(Industry.objects.get(code="E"))
    higo.partnership_types.add(PartnershipType.objects.get(code="supply_chain"))
    higo.languages.add(Language.objects.get(code="en"), Language.objects.get(code="ja"))
    fukuoka = make_organization(
        "40",
        kind=Organization.Kind.UNIVERSITY,
        name_en="Hakata Institute of Technology",
        offers_en="Motor control research.",
    )
    fukuoka.partnership_types.add(PartnershipType.objects.get(code="joint_rnd"))
    fukuoka.languages.add(Language.objects.get(code="ja"))
    tokyo = make_organization("13", name_en="Tokyo Trading", offers_en="Import and export.")
    make_organization("01", name_en="Hokkaido Draft", status=Organization.Status.DRAFT)
    return {"higo": higo, "fukuoka": fukuoka, "tokyo": tokyo}


def test_the_full_page_lists_published_organizations(
    client: Client, world: dict[str, Organization]
) -> None:
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body and 'id="directory-results"' in body
    # Lying dragons first, then the regional ones, metropolitan last.
    assert _names(response) == [
        "Higo Precision",
        "Hakata Institute of Technology",
        "Tokyo Trading",
    ]
    assert response.headers["Vary"].count("HX-Request") == 1


def test_the_htmx_request_gets_only_the_results_with_the_canonical_url(
    client: Client, world: dict[str, Organization]
) -> None:
    response = client.get(
        URL, {"q": "motor", "kind": "", "region": "kyushu-okinawa"}, headers=HTMX
    )
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="directory-results"')
    assert "HX-Request" in response.headers["Vary"]
    # Empty filters are left out of the URL the browser shows.
    assert response.headers["HX-Push-Url"] == f"{URL}?q=motor&region=kyushu-okinawa"


def test_a_history_restore_gets_the_whole_page(
    client: Client, world: dict[str, Organization]
) -> None:
    response = client.get(
        URL, {"kind": "company"}, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()
    assert "HX-Push-Url" not in response.headers


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "university"}, ["Hakata Institute of Technology"]),
        ({"region": "kyushu-okinawa"}, ["Higo Precision", "Hakata Institute of Technology"]),
        ({"prefecture": "13"}, ["Tokyo Trading"]),
        ({"industry": "E"}, ["Higo Precision"]),
        ({"partnership": "joint_rnd"}, ["Hakata Institute of Technology"]),
        ({"language": "ja"}, ["Higo Precision", "Hakata Institute of Technology"]),
        ({"dragons": "1"}, ["Higo Precision"]),
        ({"language": "en", "region": "kanto"}, []),
    ],
)
def test_each_filter_narrows_the_results(
    client: Client, world: dict[str, Organization], params: dict[str, str], expected: list[str]
) -> None:
    assert _names(client.get(URL, params)) == expected


def test_counts_per_value_apply_every_other_filter(
    client: Client, world: dict[str, Organization]
) -> None:
    response = client.get(URL, {"region": "kyushu-okinawa", "kind": "company"})
    assert _names(response) == ["Higo Precision"]
    # Kind counts ignore the kind filter (they show the alternatives) but keep the region.
    assert _counts(response, "kind") == {
        "company": 1,
        "university": 1,
        "research_institute": 0,
        "support_body": 0,
    }
    # Region counts ignore the region but keep the kind: two companies, in two regions.
    region_counts = _counts(response, "region")
    assert region_counts["kyushu-okinawa"] == 1 and region_counts["kanto"] == 1
    assert _counts(response, "language") == {**_counts(response, "language"), "en": 1, "ja": 1}
    assert response.context["result"].dragon_count == 1
    body = response.content.decode()
    assert "Kyushu-Okinawa (1)" in body and "Lying dragons only (1)" in body


def test_the_search_counts_and_filters_together(
    client: Client, world: dict[str, Organization]
) -> None:
    response = client.get(URL, {"q": "motor"})
    # (The order is each engine's relevance: tests/matchmaking/ranker/test_browse.py.)
    assert set(_names(response)) == {"Higo Precision", "Hakata Institute of Technology"}
    assert _counts(response, "kind")["university"] == 1
    assert _counts(response, "kind")["company"] == 1
    assert response.context["result"].page.paginator.count == 2


def test_sorting_by_name_and_by_last_update(
    client: Client, world: dict[str, Organization]
) -> None:
    assert _names(client.get(URL, {"sort": "name"})) == [
        "Hakata Institute of Technology",
        "Higo Precision",
        "Tokyo Trading",
    ]
    world["tokyo"].save()  # now the most recently updated
    assert _names(client.get(URL, {"sort": "updated"}))[0] == "Tokyo Trading"


def test_unknown_filter_values_are_ignored(client: Client, world: dict[str, Organization]) -> None:
    response = client.get(URL, {"kind": "castle", "prefecture": "99", "sort": "x", "page": "z"})
    assert response.status_code == 200
    assert len(_names(response)) == 3


def test_pages_link_to_each_other_keeping_the_filters(client: Client, db: None) -> None:
    for number in range(directory.PAGE_SIZE + 3):
        make_organization("43", name_en=f"Kumamoto Works {number:02}")
    response = client.get(URL, {"prefecture": "43", "sort": "name"})
    body = response.content.decode()
    assert len(_names(response)) == directory.PAGE_SIZE
    assert 'href="?prefecture=43&amp;sort=name&amp;page=2"' in body
    second = client.get(URL, {"prefecture": "43", "sort": "name", "page": "2"}, headers=HTMX)
    assert _names(second) == [f"Kumamoto Works {n:02}" for n in range(20, 23)]
    assert 'rel="prev"' in second.content.decode()


def test_the_page_works_without_javascript(client: Client, world: dict[str, Organization]) -> None:
    """A plain GET form with a submit button: no request needs htmx."""
    body = client.get(URL).content.decode()
    assert 'method="get"' in body and 'action="/organizations/"' in body
    assert body.count('type="submit"') >= 2


@pytest.mark.parametrize("size", [3, 30])
def test_the_number_of_queries_does_not_grow_with_the_page_size(
    client: Client,
    world: dict[str, Organization],
    django_assert_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
    size: int,
) -> None:
    for number in range(30):
        make_organization("43", name_en=f"Extra {number}")
    monkeypatch.setattr(directory, "PAGE_SIZE", size)
    client.get(URL, {"q": "warm"})  # read the filter options and the index once
    # The index counts everything: the page is its only query, searching or not; the
    # database ordering a listing without a search adds nothing.
    plain = Client()
    with django_assert_num_queries(1):
        plain.get(URL)
    with django_assert_num_queries(1):
        plain.get(URL, {"q": "extra"}, headers=HTMX)


def test_it_shows_the_japanese_name_to_a_japanese_visitor(
    client: Client, world: dict[str, Organization]
) -> None:
    client.cookies["django_language"] = "ja"
    body = client.get(URL, {"q": "精密加工"}).content.decode()
    assert '<html lang="ja">' in body
    assert "肥後精密" in body


def test_a_match_set_larger_than_any_parameter_limit_narrows_in_one_parameter(
    world: dict[str, Organization],
) -> None:
    ids = [world["higo"].pk, world["tokyo"].pk, *range(10**7, 10**7 + 70_000)]
    narrowed = directory.among(Organization.objects.all(), ids)
    assert set(narrowed.values_list("name_en", flat=True)) == {"Higo Precision", "Tokyo Trading"}


def test_control_characters_in_the_search_are_refused(
    client: Client, world: dict[str, Organization]
) -> None:
    # A NUL, which PostgreSQL refuses in a string, never reaches the database: 400.
    response = client.get(URL, {"q": "mo\x00tor shafts"})
    assert response.status_code == 400
