"""The physical floor of a query: the bytes it must read, at the bandwidth measured now.

Scoring a query must at least read each posting it touches (a document number, int32, and a
weight, float32: 8 bytes) and make one pass over the score array (float32 per document, what
the ranker accumulates into). Divided by the machine's memory bandwidth, measured with numpy
in the same run (these machines are shared: a figure from yesterday is not comparable),
that is the time no implementation reading the same index could beat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from matchmaking.ranker import Index, QueryVector

BYTES_PER_POSTING = 4 + 4  # int32 document + float32 weight
BYTES_PER_SCORE = 4  # float32 accumulator per document


def measure_bandwidth(*, megabytes: int = 256, repeats: int = 7) -> float:
    """Bytes per second one thread streams through memory (best of `repeats`).

    The arrays are much larger than the caches, so this is main-memory bandwidth, read by
    a sum (a streaming read, like walking postings) and by a copy.
    """
    array = np.ones(megabytes * 1024 * 1024 // 4, dtype=np.float32)
    target = np.empty_like(array)
    np.copyto(target, array)  # fault the pages in
    best_sum = best_copy = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        array.sum()
        best_sum = min(best_sum, time.perf_counter() - started)
        started = time.perf_counter()
        np.copyto(target, array)
        best_copy = min(best_copy, time.perf_counter() - started)
    # The higher of the two (a copy reads and writes each byte): the floor is then the
    # lowest defensible one, and the ratio to it the least flattering to the ranker.
    return max(array.nbytes / best_sum, 2 * array.nbytes / best_copy)


def postings_touched(index: Index, query: QueryVector) -> int:
    terms = query.terms
    return int((index.indptr[terms + 1] - index.indptr[terms]).sum())


def floor_seconds(index: Index, query: QueryVector, bandwidth: float) -> float:
    touched = postings_touched(index, query) * BYTES_PER_POSTING
    return (touched + len(index) * BYTES_PER_SCORE) / bandwidth


@dataclass
class FloorReport:
    bandwidth_gb_s: float
    mean_postings: float
    floor_ms_p50: float
    scoring_ms_p50: float
    ratio_p50: float  # median over queries of scoring time / floor
    sum_ms_p50: float  # summing the postings alone (Index.scores), without picking the top 10
    sum_ratio_p50: float


def compare(
    index: Index, queries: list[QueryVector], *, bandwidth: float, repeats: int = 3
) -> FloorReport:
    """The ranker's scoring time (scores + top 10) against the floor, query by query."""
    ratios, floors, times, touched, sums, sum_ratios = [], [], [], [], [], []
    for query in queries:
        best = best_sum = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            index.search(query, top=10)
            best = min(best, time.perf_counter() - started)
            started = time.perf_counter()
            index.scores(query)
            best_sum = min(best_sum, time.perf_counter() - started)
        floor = floor_seconds(index, query, bandwidth)
        floors.append(floor)
        times.append(best)
        ratios.append(best / floor)
        sums.append(best_sum)
        sum_ratios.append(best_sum / floor)
        touched.append(postings_touched(index, query))
    return FloorReport(
        bandwidth_gb_s=bandwidth / 1e9,
        mean_postings=float(np.mean(touched)),
        floor_ms_p50=float(np.median(floors)) * 1000,
        scoring_ms_p50=float(np.median(times)) * 1000,
        ratio_p50=float(np.median(ratios)),
        sum_ms_p50=float(np.median(sums)) * 1000,
        sum_ratio_p50=float(np.median(sum_ratios)),
    )
