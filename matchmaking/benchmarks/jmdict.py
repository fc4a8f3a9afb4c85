"""The JMdict experiment (docs/jmdict-findings.md): no dictionary against gloss variants.

Quality on the judged set, the known-item test, and the cost: the gloss table's load time and
memory, index build time, vocabulary and postings, and query vectorising time. Timings are
ratios to the no-dictionary analysis taken in the same run, each the best of `repeats` runs,
since the machine is shared.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from matchmaking.benchmarks import quality
from matchmaking.ranker import AnalysisOptions, Document, FitParams, GlossaryConcept, fit
from matchmaking.ranker.jmdict import gloss_table

VARIANTS: dict[str, AnalysisOptions] = {
    "no dictionary (before)": AnalysisOptions(dictionary="off"),
    "common nouns, weight 0.5": AnalysisOptions(dictionary="common", dictionary_weight=0.5),
    "common nouns, weight 1.0": AnalysisOptions(dictionary="common", dictionary_weight=1.0),
    "common nouns, weight 1.0, 3 words": AnalysisOptions(
        dictionary="common", dictionary_weight=1.0, dictionary_words=3
    ),
    "common nouns, weight 1.5": AnalysisOptions(dictionary="common", dictionary_weight=1.5),
    "common content words, weight 1.0": AnalysisOptions(
        dictionary="common", dictionary_pos="content", dictionary_weight=1.0
    ),
    "all entries, content words, weight 1.0": AnalysisOptions(
        dictionary="all", dictionary_pos="content", dictionary_weight=1.0
    ),
}


def table_cost(options: AnalysisOptions) -> dict[str, Any]:
    if options.dictionary == "off":
        return {"entries": 0, "load_seconds": 0.0, "megabytes": 0.0}
    gloss_table.cache_clear()
    started = time.perf_counter()
    table = gloss_table(options.dictionary, options.dictionary_pos)
    seconds = time.perf_counter() - started
    gloss_table.cache_clear()
    tracemalloc.start()
    gloss_table(options.dictionary, options.dictionary_pos)
    megabytes = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    return {"entries": len(table), "load_seconds": seconds, "megabytes": megabytes}


def run(
    documents: Sequence[Document],
    concepts: list[GlossaryConcept],
    queries: Sequence[quality.Query],
    *,
    boost: float,
    repeats: int = 3,
) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, options in VARIANTS.items():
        table = table_cost(options)
        index = fit(documents, concepts, replace(FitParams(), analysis=options))

        def rank(text: str, index: Any = index) -> list[str]:
            return [h.external_id for h in index.search(text, top=20, regional_boost=boost)]

        scores = quality.evaluate(rank, queries)
        known, count = quality.known_item_mrr(documents, rank)
        report[name] = {
            **scores.__dict__,
            "known_item_mrr10": known,
            "known_item_organizations": count,
            "vocabulary": len(index.vocabulary),
            "postings": len(index.data),
            "table": table,
        }
    timings = interleaved_timings(
        documents, concepts, [q.text for q in queries], VARIANTS, rounds=repeats
    )
    before = report["no dictionary (before)"]
    base = timings["no dictionary (before)"]
    for name, row in report.items():
        row.update(timings[name])
        row["fit_ratio"] = row["fit_seconds"] / base["fit_seconds"]
        row["vectorize_ratio"] = row["vectorize_ms"] / base["vectorize_ms"]
        row["query_ratio"] = row["query_ms"] / base["query_ms"]
        row["new_features"] = row["vocabulary"] - before["vocabulary"]
        row["postings_ratio"] = row["postings"] / before["postings"]
    return report


def interleaved_timings(
    documents: Sequence[Document],
    concepts: list[GlossaryConcept],
    texts: Sequence[str],
    variants: dict[str, AnalysisOptions],
    *,
    rounds: int = 5,
    workers: int = 1,
) -> dict[str, dict[str, float]]:
    """Build and query times, variant after variant in each round: best of the rounds.

    Query time is vectorising plus the top-10 search, from a fresh analyzer each round (no
    cached Japanese runs). Interleaving keeps a busy neighbour from favouring one variant.
    """
    for options in variants.values():
        gloss_table(options.dictionary, options.dictionary_pos)  # loaded once, not timed
    best: dict[str, dict[str, float]] = {
        name: {"fit_seconds": math.inf, "query_ms": math.inf, "vectorize_ms": math.inf}
        for name in variants
    }
    for _ in range(rounds):
        for name, options in variants.items():
            params = replace(FitParams(), analysis=options)
            started = time.perf_counter()
            index = fit(documents, concepts, params, workers=workers)
            fit_seconds = time.perf_counter() - started
            index.analyzer = fit(documents[:1], concepts, params).analyzer
            started = time.perf_counter()
            vectors = [index.vectorize(text) for text in texts]
            vectorize_ms = (time.perf_counter() - started) * 1000 / len(texts)
            started = time.perf_counter()
            for vector in vectors:
                index.search(vector, top=10)
            search_ms = (time.perf_counter() - started) * 1000 / len(texts)
            row = best[name]
            row["fit_seconds"] = min(row["fit_seconds"], fit_seconds)
            row["vectorize_ms"] = min(row["vectorize_ms"], vectorize_ms)
            row["query_ms"] = min(row["query_ms"], vectorize_ms + search_ms)
            row["features"] = len(index.vocabulary)
            row["postings"] = len(index.data)
    return best
