"""The two loops a query spends its time in, compiled with numba.

`accumulate` walks the postings of the query's terms once and adds weight × value into a
float32 score per document (skipping documents a filter excludes, so a selective filter
writes little); `select_top` makes one pass over the scores (or over the documents a filter
lets through), applies the regional boost, keeps the k best in a small array and resets each
score it read to zero, so the buffer is clean for the next query without another pass.

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
    for j in range(terms.shape[0]):
        term = terms[j]
        weight = weights[j]
        start = indptr[term]
        end = indptr[term + 1]
        if filtered:
            for p in range(start, end):
                document = indices[p]
                if allowed[document]:
                    scores[document] += weight * data[p]
        else:
            for p in range(start, end):
                scores[indices[p]] += weight * data[p]


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
                document = indices[p]
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


_BLOCK = 256


@njit(cache=True, nogil=True, boundscheck=False, fastmath=True)
def _block_max(scores: np.ndarray, factors: np.ndarray, start: int, end: int) -> Any:
    best = np.float32(0.0)
    if factors.shape[0] > 0:
        for i in range(start, end):
            best = max(best, scores[i] * factors[i])
    else:
        for i in range(start, end):
            best = max(best, scores[i])
    return best


@njit(cache=True, nogil=True, boundscheck=False)
def select_top(
    scores: np.ndarray,
    factors: np.ndarray,
    candidates: np.ndarray,
    k: int,
    out_position: np.ndarray,
    out_score: np.ndarray,
    out_base: np.ndarray,
) -> int:
    """The k best positive scores × factors, best first; every score read is reset to 0.

    `candidates` (ascending positions) limits the pass to the documents a filter lets
    through; empty means every document. `factors` empty means no boost. Returns how many
    of the k slots were filled.

    Positions are visited in ascending order, so a later document never wins a tie with one
    already kept: strictly better than the weakest kept is the whole test. Over every
    document, the pass goes by blocks: a block whose best (a vectorised max) cannot beat the
    weakest kept is only zeroed, which is nearly every block once the k slots are full.
    """
    boosted = factors.shape[0] > 0
    found = 0
    worst = 0
    threshold = np.float32(0.0)
    if candidates.shape[0] == 0:
        n = scores.shape[0]
        for start in range(0, n, _BLOCK):
            end = min(start + _BLOCK, n)
            if _block_max(scores, factors, start, end) > threshold:
                for position in range(start, end):
                    base = scores[position]
                    final = base * factors[position] if boosted else base
                    if final > threshold:
                        found, worst = _keep(
                            position,
                            base,
                            final,
                            k,
                            found,
                            worst,
                            out_position,
                            out_score,
                            out_base,
                        )
                        if found == k:
                            threshold = out_score[worst]
            scores[start:end] = 0.0
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
