"""The shared-index benchmark (issue 15, part 4): its corpus, its measurements, its verdict."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import numpy as np
import pytest

from matchmaking.benchmarks import corpus, shared_index
from matchmaking.ranker import FitParams

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


@pytest.fixture(scope="module")
def small() -> corpus.Corpus:
    return corpus.build(
        fixtures=FIXTURES, organizations=40, queries=2, params=FitParams(), workers=1, cache=None
    )


def test_a_repeated_corpus_has_the_size_asked_for_and_distinct_ids(small: corpus.Corpus) -> None:
    repeated = shared_index.repeated(small, 100)
    assert len(repeated) == 100 and repeated.counts.shape == (100, small.counts.shape[1])
    assert len({doc.id for doc in repeated.documents}) == 100
    assert len({doc.external_id for doc in repeated.documents}) == 100
    # Row 40 + i is row i again: the same analysed text, another organization.
    assert np.array_equal(repeated.counts[45].toarray(), small.counts[5].toarray())
    assert repeated.documents[45].fields == small.documents[5].fields


def test_memory_is_read_from_the_process_own_smaps() -> None:
    # A fresh anonymous mapping, written to: 32 MB that are this process's own whatever the
    # allocator holds already (np.ones could reuse heap pages freed by an earlier test, and
    # then add nothing: it failed so in a CI run).
    held = mmap.mmap(-1, 32 * 2**20)
    try:
        before = shared_index.memory(os.getpid())
        page = mmap.PAGESIZE
        for offset in range(0, len(held), page):
            held[offset] = 1
        after = shared_index.memory(os.getpid())
        assert after["uss"] - before["uss"] >= 30
        assert 0 < after["uss"] <= after["pss"] <= after["rss"]
    finally:
        held.close()


def _result(mapped_index_mb: list[float]) -> dict[str, object]:
    def worker() -> dict[str, object]:
        return {
            "before": {"uss": 100.0},
            "load_s": 0.1,
            "first_query_ms": 5.0,
            "profile_p50_ms": 1.0,
            "keywords_p50_ms": 0.5,
        }

    def run(mapped: bool, added: list[float]) -> dict[str, object]:
        steps = [
            [{"uss": 100.0 + a, "pss": 100.0 + a, "rss": 200.0} for a in added[: k + 1]]
            for k in range(len(added))
        ]
        return {"mapped": mapped, "workers": [worker() for _ in added], "steps": steps}

    return {
        "started": "2026-12-06T04:46:43+00:00",
        "finished": "2026-12-06T04:49:59+00:00",
        "machine": {
            "cores": 2,
            "cpu": "x",
            "memory_gb": 25.3,
            "python": "3.13.0",
            "load_average": 1,
        },
        "index": {
            "organizations": 1_000_000,
            "analysed": 1_000_000,
            "postings": 1,
            "features": 1,
            "arrays_mb": 1.0,
            "blob_mb": 1.0,
            "profile_queries": 200,
            "keyword_queries": 200,
        },
        "runs": [run(False, [700.0] * 4), run(True, mapped_index_mb)],
    }


def test_the_page_judges_the_later_workers_against_50_mb() -> None:
    met = shared_index.render(_result([700.0, 8.0, 9.0, 50.0]), "bench")
    assert "met (8, 9, 50 MB, with 4 workers running)" in met
    assert "| own copy (before) | 4 | 700, 700, 700, 700 |" in met
    missed = shared_index.render(_result([700.0, 8.0, 51.0, 9.0]), "bench")
    assert "**missed** (8, 51, 9 MB" in missed
