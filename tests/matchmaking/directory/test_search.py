"""Directory search: one analysis (the ranker's) in English and Japanese, the glossary
cross-over, ranking, and the first index built when a search needs it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from matchmaking.directory.listing import DirectoryFilters, DirectoryResult, FilterOptions, browse
from matchmaking.search.models import SearchIndex
from matchmaking.search.store import build_index, index_cache
from profiles import loaders
from profiles.models import Concept, Organization
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


def _browse(query: str) -> DirectoryResult:
    return browse(DirectoryFilters(q=query), FilterOptions.load())


def _search(query: str) -> list[str]:
    """The names of the matching published organizations, best first (first page)."""
    return [organization.name_en for organization in _browse(query).page]


def test_the_first_search_builds_the_index_when_none_is_stored() -> None:
    make_organization("43", name_en="Higo Motors", offers_en="Brushless motor design.")
    assert not SearchIndex.objects.exists()
    assert _search("motor") == ["Higo Motors"]
    assert SearchIndex.objects.count() == 1


def test_the_process_that_built_the_first_index_serves_it_as_fitted() -> None:
    make_organization("43", name_en="Higo Motors", offers_en="Brushless motor design.")
    make_organization("44", name_en="Oita Coils", offers_en="Motor windings and coils.")
    built = _search("motor windings")
    served = index_cache.get()
    assert served is not None
    # Not read back from the database: the fitted arrays, not a mapping of the stored copy.
    assert served.directory is None
    assert served.version == SearchIndex.objects.get().pk
    # Another process maps the stored version and answers the same.
    index_cache.forget()
    assert _search("motor windings") == built
    assert sorted(built) == ["Higo Motors", "Oita Coils"]
    mapped = index_cache.get()
    assert mapped is not None and mapped.directory is not None
    assert SearchIndex.objects.count() == 1


@override_settings(
    RANKER_FIRST_BUILD_LIMIT=1,
    TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}},
)
def test_a_large_directory_waits_for_the_worker_and_says_so() -> None:
    make_organization("43", name_en="Higo Motors", offers_en="Brushless motor design.")
    make_organization("44", name_en="Oita Motors", offers_en="Motor windings.")
    result = _browse("motor")
    assert result.index_pending
    assert list(result.page) == []
    assert not SearchIndex.objects.exists()
    # Without a text the database still lists the directory meanwhile.
    assert len(_browse("").page) == 2


def test_an_english_query_finds_a_japanese_only_profile_through_the_glossary() -> None:
    make_organization(
        "43",
        name_en="",
        name_ja="肥後精工",
        offers_ja="EV用モーターのシャフトを精密加工で量産しています。",
    )
    make_organization("01", name_en="Sapporo Dairy", offers_en="Cheese and butter.")
    result = _browse("precision machining for EV motors")
    assert [o.name_ja for o in result.page] == ["肥後精工"]
    assert "精密加工" in result.cross_language_terms


def test_a_japanese_query_finds_japanese_text_and_english_only_profiles() -> None:
    make_organization("43", name_en="Higo Seiko", offers_ja="精密加工と金型。")
    make_organization(
        "40", name_en="Hakata Precision", offers_en="Precision machining of aluminium parts."
    )
    make_organization("01", name_en="Sapporo Dairy", offers_ja="チーズ")
    result = _browse("精密加工")
    assert {o.name_en for o in result.page} == {"Higo Seiko", "Hakata Precision"}
    assert "precision machining" in [term.lower() for term in result.cross_language_terms]


def test_terms_are_ored_not_anded() -> None:
    make_organization("43", name_en="Only Motors", offers_en="Brushless motor design.")
    make_organization("44", name_en="Only Machining", offers_en="Five-axis machining.")
    assert set(_search("machining motors")) == {"Only Motors", "Only Machining"}


def test_more_matched_terms_rank_higher() -> None:
    make_organization("43", name_en="Kumamoto Gears", description_en="We also do machining.")
    make_organization(
        "44",
        name_en="Oita Precision Machining",
        offers_en="Precision machining of EV motor shafts.",
        keywords="精密加工\nEV",
    )
    assert _search("precision machining for EV motors") == [
        "Oita Precision Machining",
        "Kumamoto Gears",
    ]


def test_a_short_term_matches_whole_words_only() -> None:
    make_organization("43", name_en="Level Development Co", description_en="Several levels.")
    make_organization("44", name_en="Oita EV Works", description_en="EV conversion kits.")
    assert _search("EV") == ["Oita EV Works"]


def test_it_never_returns_unpublished_organizations() -> None:
    make_organization("43", name_en="Published Machining")
    make_organization("44", name_en="Draft Machining", status=Organization.Status.DRAFT)
    assert _search("machining") == ["Published Machining"]


def test_a_query_of_stop_words_only_lists_the_whole_directory() -> None:
    make_organization("43", name_en="Higo Motors")
    make_organization("44", name_en="Oita Gears")
    result = _browse("the and of")
    assert {o.name_en for o in result.page} == {"Higo Motors", "Oita Gears"}
    assert result.cross_language_terms == []
    # ...and says so, rather than that two organizations "match" it.
    assert result.text_ignored
    # A lone kana between English words says nothing either (it was a one-character
    # n-gram, and "の the" matched whatever wrote の).
    assert _browse("の the").text_ignored
    assert not _browse("motors").text_ignored
    assert not _browse("").text_ignored
    page = Client().get(reverse("directory:search"), {"q": "the and of"}).content.decode()
    assert "has no word to search for" in page
    assert "match “the and of”" not in page
    assert "2 published organizations" in page


def test_an_edited_glossary_is_searched_once_the_index_is_refitted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_organization("43", name_en="", name_ja="肥後雑貨", offers_ja="くまモンの人形を製造")
    assert _search("kumamon") == []
    with django_capture_on_commit_callbacks(execute=True):
        Concept.objects.create(
            key="kumamon-test", domain="manufacturing", name_en="kumamon", name_ja="くまモン"
        )
    index_cache.forget()
    assert [o.name_ja for o in _browse("kumamon").page] == ["肥後雑貨"]


@pytest.mark.parametrize("query", ["precision machining for EV motors", "精密加工"])
def test_the_demo_world_answers_the_issue_queries_with_regional_organizations(query: str) -> None:
    loaders.load_organizations(
        [{**row, "source": "demo"} for row in loaders.read_fixture("demo/organizations.json")]
    )
    build_index()
    organizations = list(_browse(query).page)[:10]
    assert len(organizations) >= 5
    # Most of the best answers are outside the metropolitan prefectures...
    regional = [o for o in organizations if not o.prefecture.metropolitan]
    assert len(regional) >= 0.8 * len(organizations)
    # ...and an English query reaches profiles written only in Japanese.
    if query.isascii():
        paginator = _browse(query).page.paginator
        everything = paginator.page(1).object_list
        for number in paginator.page_range[1:]:
            everything = [*everything, *paginator.page(number).object_list]
        assert any(not o.offers_en and not o.description_en for o in everything)
