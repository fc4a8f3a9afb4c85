"""The loops a query spends its time in, compiled with numba.

`accumulate` walks the postings of the query's terms once and adds weight × value into a
float32 score per document (skipping documents a filter excludes, so a selective filter
writes little); `select_top` makes one pass over the scores (or over the documents a filter
lets through), applies the regional boost, keeps the k best in a small array and resets each
score it read to zero, so the buffer is clean for the next query without another pass.
`top_k` is the two in one call, for a query without filters (one dispatch from Python
instead of two: at 10k profiles that dispatch is a fair share of a keyword query).

Document numbers are read as unsigned (`np.uint32`): for a signed index numba adds a
"negative means from the end" adjustment to every posting, about a fifth of the loop.

Compiled on first use and cached on disk (`cache=True`), so a new process pays the
compilation once per machine, not once per start.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

_EMPTY_BOOL = np.zeros(0, dtype=np.bool_)
_EMPTY_FLOAT = np.zeros(0, dtype=np.float32)
_EMPTY_INT = np.zeros(0, dtype=np.int32)


# Documents per pass when the score array outgrows the CPU's L2 cache: 512 KB of float32.
# At 1M documents (2 MB L2 per core here) walking a 100-word query's postings took 4.5 ms in
# one pass per term, 2.0 ms by chunks of 2^17, 1.9 ms by 2^16 and 2.7 ms by 2^19; at 100k
# (the array fits) chunks change nothing.
_CHUNK = 1 << 17


@njit(cache=True, nogil=True, boundscheck=False)
def _accumulate_by_chunk(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    terms: np.ndarray,
    weights: np.ndarray,
    scores: np.ndarray,
) -> None:
    """`accumulate` over _CHUNK documents at a time: every term's postings for the first
    chunk, then for the next, so the scores being added to stay in the L2 cache instead of
    each term sweeping the whole array (4 MB at 1M documents). Each document still gets
    its terms in query order, so the sums are bit for bit those of one pass per term."""
    m = terms.shape[0]
    cursor = np.empty(m, dtype=np.int64)
    for j in range(m):
        cursor[j] = indptr[terms[j]]
    n = scores.shape[0]
    for low in range(0, n, _CHUNK):
        high = low + _CHUNK
        for j in range(m):
            weight = weights[j]
            start = cursor[j]
            end = indptr[terms[j] + 1]
            if high < n:
                end = start + np.searchsorted(indices[start:end], high)
            for p in range(start, end):
                scores[np.uint32(indices[p])] += weight * data[p]
            cursor[j] = end


@njit(cache=True, nogil=True, boundscheck=False)
def accumulate(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    terms: np.ndarray,
    weights: np.ndarray,
    allowed: np.ndarray,
    scores: np.ndarray,
) -> None:
    """scores[d] += w × value for every posting (d, value) of each query term (t, w)."""
    filtered = allowed.shape[0] > 0
    if not filtered and scores.shape[0] > _CHUNK:
        _accumulate_by_chunk(indptr, indices, data, terms, weights, scores)
        return
    for j in range(terms.shape[0]):
        term = terms[j]
        weight = weights[j]
        start = indptr[term]
        end = indptr[term + 1]
        if filtered:
            for p in range(start, end):
                document = np.uint32(indices[p])
                if allowed[document]:
                    scores[document] += weight * data[p]
        else:
            for p in range(start, end):
                scores[np.uint32(indices[p])] += weight * data[p]


@njit(cache=True, nogil=True, boundscheck=False)
def accumulate_ranges(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    terms: np.ndarray,
    weights: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    allowed: np.ndarray,
    scores: np.ndarray,
) -> None:
    """As `accumulate`, reading only the postings of documents in [lows[r], highs[r]).

    Postings are sorted by position, so each range is found by binary search: a filter on
    prefectures or regions (whose documents sit together, see `fit.order_by_prefecture`)
    reads only its own share of each posting list.
    """
    filtered = allowed.shape[0] > 0
    for j in range(terms.shape[0]):
        term = terms[j]
        weight = weights[j]
        start = indptr[term]
        end = indptr[term + 1]
        if start == end:
            continue
        postings = indices[start:end]
        for r in range(lows.shape[0]):
            a = start + np.searchsorted(postings, lows[r])
            b = start + np.searchsorted(postings, highs[r])
            for p in range(a, b):
                document = np.uint32(indices[p])
                if not filtered or allowed[document]:
                    scores[document] += weight * data[p]


@njit(cache=True, nogil=True, boundscheck=False)
def _better(score: float, position: int, other_score: float, other_position: int) -> bool:
    # Higher score first; on a tie the lower position (index order) wins.
    return score > other_score or (score == other_score and position < other_position)


@njit(cache=True, nogil=True, boundscheck=False)
def _keep(
    position: int,
    base: float,
    final: float,
    k: int,
    found: int,
    worst: int,
    out_position: np.ndarray,
    out_score: np.ndarray,
    out_base: np.ndarray,
) -> tuple[int, int]:
    """Put a document that beats the weakest kept into the k slots; new (found, worst)."""
    if found < k:
        slot = found
        found += 1
    else:
        slot = worst
    out_position[slot] = position
    out_score[slot] = final
    out_base[slot] = base
    if found == k:
        worst = 0
        for s in range(1, k):
            if _better(out_score[worst], out_position[worst], out_score[s], out_position[s]):
                worst = s
    return found, worst


@njit(cache=True, nogil=True, boundscheck=False)
def _scan(
    scores: np.ndarray,
    factors: np.ndarray,
    start: int,
    end: int,
    k: int,
    found: int,
    worst: int,
    threshold: Any,
    out_position: np.ndarray,
    out_score: np.ndarray,
    out_base: np.ndarray,
) -> tuple[int, int, Any]:
    """Keep each document in [start, end) that beats the weakest kept; new (found, worst,
    threshold)."""
    boosted = factors.shape[0] > 0
    for position in range(start, end):
        base = scores[position]
        final = base * factors[position] if boosted else base
        if final > threshold:
            found, worst = _keep(
                position, base, final, k, found, worst, out_position, out_score, out_base
            )
            if found == k:
                threshold = out_score[worst]
    return found, worst, threshold


_BLOCK = 256
_SUB_BLOCK = 32


# What the bound of a boosted block test is lowered by, so that rounding never makes it
# skip a document whose exact boosted score beats the weakest kept (float32 has 24 bits).
_BOUND_MARGIN = 1.0 - 2.0**-18


@njit(cache=True, nogil=True)
def _bound(threshold: Any, factor_max: float, bounded: bool) -> Any:
    """The score a document must exceed for its boosted score to beat `threshold`, at best
    (every factor is at most `factor_max`); the threshold itself without factors."""
    if not bounded:
        return threshold
    return np.float32(float(threshold) / factor_max * _BOUND_MARGIN)


@njit(cache=True, nogil=True, boundscheck=False)
def select_top(
    scores: np.ndarray,
    factors: np.ndarray,
    candidates: np.ndarray,
    k: int,
    out_position: np.ndarray,
    out_score: np.ndarray,
    out_base: np.ndarray,
    factor_max: float,
) -> int:
    """The k best positive scores × factors, best first; every score read is reset to 0.

    `candidates` (ascending positions) limits the pass to the documents a filter lets
    through; empty means every document. `factors` empty means no boost. Returns how many
    of the k slots were filled.

    Positions are visited in ascending order, so a later document never wins a tie with one
    already kept: strictly better than the weakest kept is the whole test. Over every
    document, the pass goes by blocks: a block none of whose scores beats the weakest kept
    (a vectorised test) is only zeroed, which is nearly every block once the k slots are
    full. (Measured at 100k documents: 7 µs for the pass, against 100 µs with a running
    maximum per block.)

    With factors, `factor_max` (their largest, or 0 if unknown) lets the block tests compare
    the plain scores with the threshold divided by it, as cheaply as without factors: a
    block none of whose scores could beat the weakest kept even at the largest factor is
    skipped; the documents of the others are tested exactly. (At 100k documents, a
    36-term query naming a role: 130 µs with the exact product in every test, 107 µs
    without factors.)
    """
    boosted = factors.shape[0] > 0
    exact = boosted and factor_max <= 0  # factors, but no bound: the product in each test
    bounded = boosted and factor_max > 0
    found = 0
    worst = 0
    threshold = np.float32(0.0)
    limit = np.float32(0.0)
    if candidates.shape[0] == 0:
        n = scores.shape[0]
        full = n - n % _BLOCK
        for start in range(0, full, _BLOCK):
            # Whether any score of the block beats the weakest kept: a fixed trip count and
            # an `or` of comparisons, written out here (a running max, or a call, is not
            # vectorised by numba), compile to a few wide compares.
            beats = False
            if exact:
                for i in range(_BLOCK):
                    beats |= scores[start + i] * factors[start + i] > threshold
            else:
                for i in range(_BLOCK):
                    beats |= scores[start + i] > limit
            if beats:  # the same test by sub-blocks, then one by one where one beats
                for sub in range(start, start + _BLOCK, _SUB_BLOCK):
                    beats = False
                    if exact:
                        for i in range(_SUB_BLOCK):
                            beats |= scores[sub + i] * factors[sub + i] > threshold
                    else:
                        for i in range(_SUB_BLOCK):
                            beats |= scores[sub + i] > limit
                    if not beats:
                        continue
                    # One by one, inline: a call per sub-block (arrays passed by value,
                    # reference counts) cost more than the scan itself.
                    for position in range(sub, sub + _SUB_BLOCK):
                        base = scores[position]
                        final = base * factors[position] if boosted else base
                        if final > threshold:
                            found, worst = _keep(
                                position, base, final, k, found, worst,
                                out_position, out_score, out_base,
                            )  # fmt: skip
                            if found == k:
                                threshold = out_score[worst]
                                limit = _bound(threshold, factor_max, bounded)
            for i in range(_BLOCK):
                scores[start + i] = 0.0
        found, worst, threshold = _scan(
            scores, factors, full, n, k, found, worst, threshold,
            out_position, out_score, out_base,
        )  # fmt: skip
        scores[full:] = 0.0
    else:
        for i in range(candidates.shape[0]):
            position = candidates[i]
            base = scores[position]
            scores[position] = 0.0
            final = base * factors[position] if boosted else base
            if final > threshold:
                found, worst = _keep(
                    position, base, final, k, found, worst, out_position, out_score, out_base
                )
                if found == k:
                    threshold = out_score[worst]
    # Insertion sort of the few kept, best first.
    for a in range(1, found):
        p, f, b = out_position[a], out_score[a], out_base[a]
        j = a - 1
        while j >= 0 and _better(f, p, out_score[j], out_position[j]):
            out_position[j + 1] = out_position[j]
            out_score[j + 1] = out_score[j]
            out_base[j + 1] = out_base[j]
            j -= 1
        out_position[j + 1] = p
        out_score[j + 1] = f
        out_base[j + 1] = b
    return found


@njit(cache=True, nogil=True, boundscheck=False)
def top_k(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    terms: np.ndarray,
    weights: np.ndarray,
    scores: np.ndarray,
    factors: np.ndarray,
    k: int,
    out_position: np.ndarray,
    out_score: np.ndarray,
    out_base: np.ndarray,
    factor_max: float,
) -> int:
    """`accumulate` without a filter, then `select_top` over every document: one call."""
    accumulate(indptr, indices, data, terms, weights, _EMPTY_BOOL, scores)
    return select_top(
        scores, factors, _EMPTY_INT, k, out_position, out_score, out_base, factor_max
    )


@njit(cache=True, nogil=True, boundscheck=False)
def score_rows(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    terms: np.ndarray,
    weights: np.ndarray,
    dense: np.ndarray,
    out: np.ndarray,
) -> int:
    """out[r] = the dot product of CSR row r with the query; returns how many are positive.

    For the delta segment (a few rows, stored by document). `dense` is a zeroed float32
    scratch as long as the vocabulary: the query is spread into it and taken out again, so
    it is zero on return.
    """
    for j in range(terms.shape[0]):
        dense[terms[j]] = weights[j]
    positive = 0
    for r in range(indptr.shape[0] - 1):
        total = np.float32(0.0)
        for p in range(indptr[r], indptr[r + 1]):
            total += data[p] * dense[np.uint32(indices[p])]
        out[r] = total
        if total > 0:
            positive += 1
    for j in range(terms.shape[0]):
        dense[terms[j]] = 0.0
    return positive


@njit(cache=True, nogil=True)
def zero_documents(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, positions: np.ndarray
) -> None:
    """Set the postings of these documents (ascending positions) to zero, in every term."""
    for term in range(indptr.shape[0] - 1):
        start = indptr[term]
        end = indptr[term + 1]
        if start == end:
            continue
        found = np.searchsorted(indices[start:end], positions)
        for i in range(positions.shape[0]):
            at = start + found[i]
            if at < end and indices[at] == positions[i]:
                data[at] = 0.0
