"""The suggest and rebuild_index commands: the stable command-line interface."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from matchmaking.search.models import SearchIndex

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("suggest", *args, stdout=out)
    return out.getvalue()


def test_rebuild_index_stores_a_new_version(directory: Any) -> None:
    out = StringIO()
    call_command("rebuild_index", stdout=out)
    newest = SearchIndex.objects.newest()
    assert newest is not None and newest.document_count == 4
    assert f"v{newest.version}" in out.getvalue()


def test_suggest_prints_json_with_ids_names_scores_and_explanations(indexed: Any) -> None:
    results = json.loads(run("--text", "industrial robot arms", "--json"))["results"]
    assert [r["external_id"] for r in results] == ["kumamoto-robots", "tokyo-robots"]
    top = results[0]
    assert top["id"] == indexed["kumamoto_robots"].pk
    assert top["name_ja"] == "肥後ロボティクス"
    assert top["boosted"] is True
    assert top["score"] > top["unboosted_score"] > 0
    assert "industrial robot" in [t["term"] for t in top["explanation"]["terms"]]


def test_suggest_filters_and_switches_the_boost_off(indexed: Any) -> None:
    tokyo = json.loads(run("--text", "industrial robot arms", "--prefecture", "13", "--json"))
    assert [r["external_id"] for r in tokyo["results"]] == ["tokyo-robots"]
    plain = json.loads(run("--text", "industrial robot arms", "--no-boost", "--json"))
    assert plain["results"][0]["external_id"] == "tokyo-robots"
    assert not any(r["boosted"] for r in plain["results"])
    universities = json.loads(run("--text", "robot arms", "--kind", "university", "--json"))
    assert universities["results"] == []


def test_suggest_explains_in_japanese_with_lang_ja(indexed: Any) -> None:
    results = json.loads(run("--text", "robot arm", "--lang", "ja", "--json"))["results"]
    assert "産業用ロボット" in [t["term"] for t in results[0]["explanation"]["terms"]]


def test_suggest_prints_a_readable_list_without_json(indexed: Any) -> None:
    out = run("--text", "industrial robot arms", "--top", "1")
    assert "kumamoto-robots" in out and "[regional boost]" in out and "because:" in out
    assert "tokyo-robots" not in out


def test_batch_writes_one_json_line_per_query_in_order_and_nothing_else(
    indexed: Any, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.jsonl"
    rows = [
        {"id": "q1", "text": "industrial robot arms"},
        {"id": "q2", "text": "cheese fermentation", "kind": "university"},
        {"id": "q3", "text": "robot arms", "prefecture": "13"},
        {"id": "q4", "text": "nothing matches zzzz"},
    ]
    queries.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    lines = run("--queries", str(queries), "--top", "5").splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["id"] for a in answers] == ["q1", "q2", "q3", "q4"]
    assert [r["external_id"] for r in answers[0]["results"]] == [
        "kumamoto-robots",
        "tokyo-robots",
    ]
    assert set(answers[0]["results"][0]) == {"external_id", "id", "score"}
    assert [r["external_id"] for r in answers[1]["results"]] == ["hokkaido-dairy"]
    assert [r["external_id"] for r in answers[2]["results"]] == ["tokyo-robots"]
    assert answers[3]["results"] == []
    no_boost = [json.loads(x) for x in run("--queries", str(queries), "--no-boost").splitlines()]
    assert no_boost[0]["results"][0]["external_id"] == "tokyo-robots"


def test_batch_matches_single_queries(indexed: Any, tmp_path: Path) -> None:
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps({"id": 7, "text": "robot arms for welding"}) + "\n")
    batch = json.loads(run("--queries", str(queries)))["results"]
    single = json.loads(run("--text", "robot arms for welding", "--json"))["results"]
    assert [(r["id"], r["score"]) for r in batch] == [(r["id"], r["score"]) for r in single]


def test_batch_rejects_a_line_that_is_not_a_query(indexed: Any, tmp_path: Path) -> None:
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"id": "q1", "text": "robots"}\n{"id": "q2"}\n')
    with pytest.raises(CommandError, match=":2:"):
        run("--queries", str(queries))


def test_suggest_without_an_index_says_how_to_build_one(directory: Any) -> None:
    with pytest.raises(CommandError, match="rebuild_index"):
        run("--text", "robots")
