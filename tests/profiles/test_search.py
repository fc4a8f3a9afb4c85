"""Bilingual search: English and Japanese queries, the glossary cross-over, ranking."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from profiles import loaders, search
from profiles.models import Concept, Organization
from profiles.search import english_words, japanese_runs, plan_search, search_scores
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


def _search(query: str) -> list[str]:
    """Return the names of the matching published organizations, best first."""
    scores = search_scores(Organization.objects.published(), plan_search(query))
    names = dict(Organization.objects.filter(pk__in=scores).values_list("pk", "name_en"))
    return [names[pk] for pk in sorted(scores, key=lambda pk: (-scores[pk], names[pk]))]


def test_english_words_drop_stop_words_and_simple_plurals() -> None:
    assert english_words("Precision machining for EV Motors") == [
        "precision",
        "machining",
        "ev",
        "motor",
    ]
    assert english_words("batteries and processes") == ["battery", "process"]
    assert english_words("glass") == ["glass"]


def test_japanese_runs_keep_the_whole_run_and_cut_at_particles() -> None:
    assert japanese_runs("精密加工") == ["精密加工"]
    assert japanese_runs("ＥＶモーターの精密加工") == [
        "モーターの精密加工",
        "モーター",
        "精密加工",
    ]


def test_an_english_query_finds_a_japanese_only_profile_through_the_glossary() -> None:
    make_organization(
        "43",
        name_en="",
        name_ja="肥後精工",
        offers_ja="EV用モーターのシャフトを精密加工で量産しています。",
    )
    make_organization("01", name_en="Sapporo Dairy", offers_en="Cheese and butter.")
    assert _search("precision machining for EV motors") == [""]
    plan = plan_search("precision machining for EV motors")
    assert "精密加工" in plan.cross_language_terms


def test_a_japanese_query_finds_japanese_text_and_english_only_profiles() -> None:
    make_organization("43", name_en="Higo Seiko", offers_ja="精密加工と金型。")
    make_organization(
        "40", name_en="Hakata Precision", offers_en="Precision machining of aluminium parts."
    )
    make_organization("01", name_en="Sapporo Dairy", offers_ja="チーズ")
    assert set(_search("精密加工")) == {"Higo Seiko", "Hakata Precision"}


def test_terms_are_ored_not_anded() -> None:
    make_organization("43", name_en="Only Motors", offers_en="Brushless motor design.")
    make_organization("44", name_en="Only Machining", offers_en="Five-axis machining.")
    assert set(_search("machining motors")) == {"Only Motors", "Only Machining"}


def test_more_matched_terms_and_weightier_fields_rank_higher() -> None:
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
    make_organization("43", name_en="Draft Machining", status=Organization.Status.DRAFT)
    assert _search("machining") == []


def test_an_edited_glossary_is_used_on_the_next_search() -> None:
    make_organization("22", name_en="", name_ja="伊豆の山葵園", offers_ja="本わさびの栽培")
    assert _search("wasabi farm") == []
    Concept.objects.create(
        key="wasabi-test", domain="food_agriculture", name_en="wasabi", name_ja="わさび"
    )
    assert _search("wasabi farm") == [""]


def test_an_empty_query_plans_nothing() -> None:
    assert not plan_search("  ")
    assert not plan_search("the and of")


@pytest.mark.parametrize("query", ["precision machining for EV motors", "精密加工"])
def test_the_demo_world_answers_the_issue_queries_with_regional_organizations(query: str) -> None:
    loaders.load_organizations(
        [{**row, "source": "demo"} for row in loaders.read_fixture("demo/organizations.json")]
    )
    scores = search_scores(Organization.objects.published(), plan_search(query))
    top = sorted(scores, key=lambda pk: -scores[pk])[:10]
    organizations = Organization.objects.filter(pk__in=top).select_related("prefecture")
    assert len(organizations) >= 5
    # Most of the best answers are outside the metropolitan prefectures...
    regional = [o for o in organizations if not o.prefecture.metropolitan]
    assert len(regional) >= 0.8 * len(organizations)
    # ...and an English query reaches profiles written only in Japanese.
    if query.isascii():
        everything = Organization.objects.filter(pk__in=scores)
        assert everything.filter(offers_en="", description_en="").exists()


def test_a_glossary_edit_is_searched_at_once_here_and_within_seconds_elsewhere(
    django_assert_num_queries: Any,
) -> None:
    concept = Concept.objects.create(
        key="gear-hobbing",
        domain=Concept.Domain.MANUFACTURING,
        name_en="gear hobbing",
        name_ja="ホブ盤",
    )
    assert "ホブ盤" in plan_search("gear hobbing").cross_language_terms  # saved here: at once
    with django_assert_num_queries(0):  # checked a moment ago: no query
        plan_search("gear hobbing")
    # Another process saves an edit (no signal here): seen after GLOSSARY_CHECK_SECONDS.
    Concept.objects.filter(pk=concept.pk).update(name_ja="歯切り盤", updated_at=timezone.now())
    assert "ホブ盤" in plan_search("gear hobbing").cross_language_terms
    search._glossary_checked -= search.GLOSSARY_CHECK_SECONDS
    assert "歯切り盤" in plan_search("gear hobbing").cross_language_terms
