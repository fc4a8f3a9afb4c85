"""The peers benchmark (issue #7) on a tiny corpus: the same data for all, honest figures."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from matchmaking.benchmarks import compare, corpus, floor, peers, report
from matchmaking.ranker import FitParams, fit

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
PARAMS = FitParams()


@pytest.fixture(scope="module")
def small() -> corpus.Corpus:
    return corpus.build(
        fixtures=FIXTURES, organizations=300, queries=12, params=PARAMS, workers=1, cache=None
    )


@pytest.fixture(scope="module")
def index(small: corpus.Corpus):
    return corpus.assemble(small, PARAMS)


def _queries(index, small: corpus.Corpus) -> list[peers.Query]:
    return [
        peers.Query(text, index.vectorize(text), corpus.query_tokens(index, text))
        for text in small.profile_queries
    ]


def test_assembled_index_ranks_exactly_as_ranker_fit(small, index) -> None:
    fitted = fit(small.documents, small.concepts, PARAMS)
    assert fitted.vocabulary == index.vocabulary
    np.testing.assert_array_equal(fitted.indices, index.indices)
    np.testing.assert_allclose(fitted.data, index.data)
    for text in small.profile_queries + small.keyword_queries:
        assert [h.position for h in fitted.search(text)] == [
            h.position for h in index.search(text)
        ]


def test_peers_see_each_document_as_exactly_its_index_features(small, index) -> None:
    texts = corpus.token_texts(index, small)
    term_of_posting = np.repeat(np.arange(len(index.vocabulary)), np.diff(index.indptr))
    for position in (0, 7, 299):
        at = index.position_of[small.documents[position].id]  # the index orders by prefecture
        expected = {f"t{t}" for t in term_of_posting[index.indices == at].tolist()}
        assert set(texts[position].split()) == expected


def test_query_tokens_are_the_features_the_ranker_scores(small, index) -> None:
    text = small.profile_queries[0]
    tokens = corpus.query_tokens(index, text)
    assert tokens == [f"t{t}" for t in index.vectorize(text).terms.tolist()]
    assert len(tokens) > 10


def test_floor_counts_every_posting_of_the_query_and_one_pass_over_the_scores(
    small, index
) -> None:
    query = index.vectorize(small.profile_queries[0])
    touched = sum(int(index.indptr[t + 1] - index.indptr[t]) for t in query.terms.tolist())
    assert floor.postings_touched(index, query) == touched
    assert floor.floor_seconds(index, query, 1e9) == pytest.approx((touched * 8 + 300 * 4) / 1e9)
    assert floor.measure_bandwidth(megabytes=16, repeats=2) > 1e8


PEER_MODULES = {
    "sqlite-fts5": "sqlite3",
    "sklearn-naive": "sklearn",
    "bm25s": "bm25s",
    "tantivy": "tantivy",
    "rank_bm25": "rank_bm25",
    "postgresql-fts": "psycopg",
}
AVAILABLE = [name for name, module in PEER_MODULES.items() if importlib.util.find_spec(module)]


def test_every_peer_is_installed_where_the_suite_runs_in_full() -> None:
    """`make test` installs the bench extras; CI must not quietly test fewer peers."""
    import os

    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        pytest.skip("outside CI a missing peer only narrows the parametrized test")
    assert sorted(AVAILABLE) == sorted(PEER_MODULES)


@pytest.mark.parametrize("name", AVAILABLE)
def test_each_peer_finds_a_document_from_its_own_rarest_words(name, small, index, tmp_path):
    texts = corpus.token_texts(index, small)
    system = peers.PEERS[name]()
    try:
        system.build(small, texts, tmp_path)
    except peers.Unavailable as error:
        pytest.skip(str(error))
    try:
        # A query whose every feature is a corpus stop word has no tokens: no answer.
        assert system.search(peers.Query("", index.vectorize(""), [])) == []
        for position in (3, 150):
            words = texts[position].split()
            rare = sorted(set(words), key=lambda w: np.diff(index.indptr)[int(w[1:])])[:5]
            query = peers.Query("", index.vectorize(""), rare)
            assert position in system.search(query)
            if system.can_filter:
                prefecture = int(small.documents[position].prefecture)
                hits = system.search(query, prefecture=prefecture)
                assert position in hits
                assert all(int(small.documents[h].prefecture) == prefecture for h in hits)
    finally:
        system.close()


class _Missing(peers.System):
    name = "missing"

    def build(self, corpus, texts, workdir):
        raise peers.Unavailable("not installed here")


class _TooLarge(peers.System):
    name = "too-large"
    max_documents = 100
    too_large = "one query takes a minute"

    def build(self, corpus, texts, workdir):
        raise AssertionError("a peer over its size limit is not even built")


def test_run_measures_every_system_and_reports_a_missing_peer_instead_of_a_number(
    small, tmp_path, monkeypatch
) -> None:
    monkeypatch.setitem(peers.PEERS, "missing", _Missing)
    monkeypatch.setitem(peers.PEERS, "too-large", _TooLarge)
    monkeypatch.setattr(compare, "PEERS", peers.PEERS)
    result = compare.run(
        small,
        params=PARAMS,
        systems=["sqlite-fts5", "missing", "too-large"],
        queries=12,
        budget=0.2,
    )
    ours, fts = result["systems"]["ryumon"], result["systems"]["sqlite-fts5"]
    assert ours["latency"]["profile"]["queries"] == 12
    assert ours["throughput_qps"]["profile"] > 0
    assert 0 < fts["overlap"]["profile"] <= 1
    # The ranker was timed on the queries the peer answered, in turns, for a paired ratio.
    paired = fts["latency"]["profile"]["ours"]
    assert paired["queries"] == fts["latency"]["profile"]["queries"]
    assert ours["bytes_per_value"] == ours["stored_bytes"] / result["postings"]
    assert result["systems"]["missing"]["status"] == "unavailable: not installed here"
    (tmp_path / "ranker-300.json").write_text(json.dumps(result))
    text = report.write(tmp_path).read_text()
    assert "| sqlite-fts5 |" in text
    assert "- missing: unavailable: not installed here" in text
    assert "- too-large: not run above 100 profiles: one query takes a minute" in text
    assert (tmp_path / "ranker-latency.png").stat().st_size > 1000


class _Recorder(peers.System):
    """Writes down who answered which query, in order."""

    def __init__(self, name: str, log: list[tuple[str, str]]) -> None:
        self.name, self.log = name, log

    def search(self, query, *, prefecture=None):
        self.log.append((self.name, query.text))
        return []

    def warm(self):
        self.log.append((self.name, "warm"))


def test_the_ranker_is_timed_on_the_peers_queries_right_before_and_after_it() -> None:
    log: list[tuple[str, str]] = []
    queries = [peers.Query(f"q{i}", None, []) for i in range(25)]  # type: ignore[arg-type]
    figures, _ = compare._latency(
        _Recorder("peer", log), queries, budget=60, paired=_Recorder("ours", log)
    )
    names = [f"q{i}" for i in range(25)]
    assert log[3:] == (
        [("ours", "warm"), *[("ours", q) for q in names]]
        + [("peer", q) for q in names]
        + [("ours", "warm"), *[("ours", q) for q in names]]
    )
    assert figures["queries"] == figures["ours"]["queries"] == 25


def test_command_rejects_sizes_that_are_not_numbers() -> None:
    with pytest.raises(CommandError, match="--sizes"):
        call_command("bench_ranker", "--sizes", "10k")


def test_command_rejects_an_unknown_peer() -> None:
    with pytest.raises(CommandError, match="Unknown peers"):
        call_command("bench_ranker", "--sizes", "300", "--peers", "elasticsearch")


def _result(*, bm25s_ms: float, ours_ms: float, floor_ratio: float) -> dict:
    latency = {"p50_ms": ours_ms, "p95_ms": ours_ms, "queries": 10}
    peer = {
        kind: {"p50_ms": bm25s_ms, "p95_ms": bm25s_ms, "queries": 10, "ours": latency}
        for kind in ("profile", "keyword")
    }
    floor_figures = {"ratio_p50": floor_ratio}
    return {
        "filter_fraction": 0.02,
        "floor": {"profile": floor_figures, "keyword": floor_figures},
        "systems": {
            "ryumon": {
                "status": "ok",
                "latency": {"profile": latency, "keyword": latency},
                "filtered": {"p50_ms": ours_ms / 4},
                "edit_s": 12.0,
                "bytes_per_value": 12.5,
            },
            "bm25s": {"status": "ok", "latency": peer},
            "tantivy": {"status": "unavailable: not installed here"},
        },
    }


def test_targets_say_which_are_missed_and_by_how_much() -> None:
    lines = report.targets(_result(bm25s_ms=2.0, ours_ms=1.0, floor_ratio=3.0))
    text = "\n".join(lines)
    assert (
        "- ≥ 1.3× bm25s, 100-word profile: met: 2.00× paired (154% of target),"
        " 2.00× against the ranker's solo run"
    ) in lines
    assert "≥ 3× tantivy: not measured (unavailable: not installed here)" in text
    assert "scoring within 2.5× of the floor, 10-word keywords: **missed**: 3.00×" in text
    assert "≥ 2× faster with ≤ 5% passing (2.0%): met: 4.00×" in text
    assert "≤ 10 bytes per stored value: **missed**: 12.50 bytes" in text
    slower = report.targets(_result(bm25s_ms=1.0, ours_ms=2.0, floor_ratio=2.0))
    assert (
        "- ≥ 1.3× bm25s, 10-word keywords: **missed**: 0.50× paired (38% of target),"
        " 0.50× against the ranker's solo run"
    ) in slower
    # Cache-cold when paired, warm alone: a target met only alone is said so, not "met".
    mixed = _result(bm25s_ms=2.0, ours_ms=1.0, floor_ratio=2.0)
    mixed["systems"]["bm25s"]["latency"]["profile"]["ours"] = {"p50_ms": 2.0}
    assert any(
        line.startswith("- ≥ 1.3× bm25s, 100-word profile: met against the solo run only")
        for line in report.targets(mixed)
    )


def test_at_10k_only_the_bm25s_ratio_is_a_target_and_at_1m_only_the_peer_ratios() -> None:
    small = {**_result(bm25s_ms=2.0, ours_ms=1.0, floor_ratio=3.0), "organizations": 10_000}
    lines = report.targets(small)
    split = lines.index(
        "For reference only (the issue sets these at 100,000 profiles, not at 10,000):"
    )
    targets, reference = lines[:split], lines[split:]
    assert all("bm25s" in line for line in targets if line)
    assert any("tantivy" in line for line in reference)
    assert any("of the floor" in line for line in reference)
    large = {**_result(bm25s_ms=2.0, ours_ms=1.0, floor_ratio=3.0), "organizations": 1_000_000}
    lines = report.targets(large)
    split = next(i for i, line in enumerate(lines) if line.startswith("For reference only"))
    assert any("bm25s" in line for line in lines[:split])
    assert any("tantivy: not measured" in line for line in lines[:split])
    assert not any("floor" in line or "bytes" in line for line in lines[:split])
    assert any("bytes per stored value" in line for line in lines[split:])
    # At 100k every check is a target: no reference section.
    assert not any(
        line.startswith("For reference")
        for line in report.targets(_result(bm25s_ms=2.0, ours_ms=1.0, floor_ratio=3.0))
    )
