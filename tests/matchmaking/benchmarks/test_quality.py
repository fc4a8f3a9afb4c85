"""The judged evaluation set, and the quality targets the shipped ranker must keep meeting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from matchmaking.benchmarks import quality
from matchmaking.ranker import FitParams
from matchmaking.search.documents import glossary_concepts, organization_documents
from profiles import loaders
from profiles.models import Organization

EVAL = Path(__file__).resolve().parents[1] / "eval" / "queries.jsonl"
DEMO = Path(settings.BASE_DIR) / "fixtures" / "demo" / "organizations.json"


def demo_rows() -> dict[str, dict[str, Any]]:
    return {row["external_id"]: row for row in json.loads(DEMO.read_text("utf-8"))}


def test_the_evaluation_set_has_enough_judged_queries_in_both_languages() -> None:
    queries = quality.load_queries(EVAL)
    demo = demo_rows()
    assert len(queries) >= 60
    assert len({q.id for q in queries}) == len(queries)
    assert {q.lang for q in queries} == {"en", "ja", "zh-hans", "zh-hant"}
    for query in queries:
        assert set(query.judgments) <= set(demo), query.id
        assert set(query.judgments.values()) <= {0, 1, 2, 3}
        assert any(grade >= 2 for grade in query.judgments.values()), query.id


def test_cross_language_queries_are_english_and_aim_at_japanese_only_profiles() -> None:
    demo = demo_rows()
    cross = [q for q in quality.load_queries(EVAL) if q.cross_language]
    assert len(cross) >= 15
    for query in cross:
        assert query.lang == "en" and query.text.isascii()
        best = [d for d, grade in query.judgments.items() if grade == 3]
        assert best and all(not demo[d]["offers_en"] for d in best), query.id


@pytest.fixture
def demo_world(db: None) -> Any:
    loaders.load_organizations([{**row, "source": "demo"} for row in demo_rows().values()])
    demo = Organization.objects.filter(source=Organization.Source.DEMO)
    return organization_documents(demo), glossary_concepts()


@pytest.mark.django_db
def test_the_shipped_ranker_meets_the_quality_targets(demo_world: Any) -> None:
    documents, concepts = demo_world
    queries = [
        q for q in quality.load_queries(EVAL) if not q.id.startswith(quality.CHINESE_NEEDS_PREFIX)
    ]
    shipped = quality.ranker_system(documents, concepts, FitParams(), boost=0.1)
    scores = quality.evaluate(shipped, queries)
    baselines = {
        "plain word TF-IDF": quality.plain_words(documents),
        "character-bigram TF-IDF": quality.char_bigrams(documents),
        "BM25": quality.bm25(documents),
    }
    for name, ranker in baselines.items():
        assert scores.ndcg10 > quality.evaluate(ranker, queries).ndcg10, name
    assert scores.cross_ndcg10 >= 0.5
    known_item, count = quality.known_item_mrr(documents, shipped)
    assert count == len(documents) and known_item >= 0.9


def test_the_chinese_needs_are_judged_in_both_scripts() -> None:
    chinese = [
        q for q in quality.load_queries(EVAL) if q.id.startswith(quality.CHINESE_NEEDS_PREFIX)
    ]
    for script in quality.CHINESE_SCRIPTS:
        assert sum(q.lang == script for q in chinese) >= 20, script
    assert {q.lang for q in chinese} == set(quality.CHINESE_SCRIPTS)


@pytest.mark.django_db
def test_the_ranker_meets_the_chinese_target_above_the_baselines(demo_world: Any) -> None:
    # Issue 18: nDCG@10 >= 0.70 on the Chinese needs, above the character-bigram and BM25
    # baselines on the same queries. Measured 2026-12-06: 0.819 (Simplified 0.818,
    # Traditional 0.820); character bigrams 0.500, BM25 0.664 (docs/ranker.md).
    documents, concepts = demo_world
    chinese = [
        q for q in quality.load_queries(EVAL) if q.id.startswith(quality.CHINESE_NEEDS_PREFIX)
    ]
    shipped = quality.ranker_system(documents, concepts, FitParams(), boost=0.1)
    for script in quality.CHINESE_SCRIPTS:
        subset = [q for q in chinese if q.lang == script]
        assert quality.evaluate(shipped, subset).ndcg10 >= 0.70, script
    scores = quality.evaluate(shipped, chinese)
    assert scores.ndcg10 >= 0.70
    for baseline in (quality.char_bigrams(documents), quality.bm25(documents)):
        assert scores.ndcg10 > quality.evaluate(baseline, chinese).ndcg10
