"""The compiled loops of matchmaking/ranker/kernels.py against plain numpy, on random data.

The block tests of `select_top` skip whole blocks and sub-blocks, so the sizes straddle the
block edges, the scores have many ties (a tie goes to the lower position), and the buffer
must come back zeroed every time.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matchmaking.ranker import kernels

SIZES = [1, 31, 32, 255, 256, 257, 1000, 4099]


def reference_top(scores: np.ndarray, factors: np.ndarray | None, allowed: np.ndarray, k: int):
    final = scores * factors if factors is not None else scores
    positions = [p for p in np.flatnonzero(allowed) if final[p] > 0]
    positions.sort(key=lambda p: (-final[p], p))
    return positions[:k], [final[p] for p in positions[:k]]


def run_select(scores, factors, candidates, k, factor_max=0.0):
    out_position = np.empty(k, dtype=np.int64)
    out_score = np.empty(k, dtype=np.float32)
    out_base = np.empty(k, dtype=np.float32)
    found = kernels.select_top(
        scores,
        factors if factors is not None else kernels._EMPTY_FLOAT,
        candidates,
        k,
        out_position,
        out_score,
        out_base,
        factor_max,
    )
    return out_position[:found].tolist(), out_score[:found].tolist(), out_base[:found].tolist()


def random_scores(rng: np.random.Generator, n: int, density: float) -> np.ndarray:
    # Few distinct values: many ties, which the order by position must break.
    scores = rng.integers(1, 20, size=n).astype(np.float32) / 20
    scores[rng.random(n) > density] = 0
    return scores


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("filtered", [False, True])
# Without factors; with factors and the product in every block test (no bound given), the
# largest factor as the bound, or a looser one (any value at least the largest is a bound).
@pytest.mark.parametrize(
    ("boosted", "bound"), [(False, "none"), (True, "none"), (True, "largest"), (True, "looser")]
)
def test_select_top_equals_a_full_sort_and_leaves_the_buffer_zeroed(
    n: int, boosted: bool, filtered: bool, bound: str
) -> None:
    rng = np.random.default_rng(n * 4 + boosted * 2 + filtered)
    for trial in range(20):
        scores = random_scores(rng, n, density=[0.01, 0.2, 1.0][trial % 3])
        # Factors whose products tie with other scores (0.5 × 1.2 = 0.6 × 1.0).
        factors = rng.choice([1.0, 1.1, 1.2, 3.5], size=n).astype(np.float32) if boosted else None
        factor_max = 0.0
        if factors is not None and bound != "none":
            factor_max = float(factors.max()) * (1.0 if bound == "largest" else 1.7)
        allowed = rng.random(n) < 0.3 if filtered else np.ones(n, dtype=bool)
        if filtered:
            scores[~allowed] = 0  # accumulate never writes a document the filter excludes
        candidates = np.flatnonzero(allowed).astype(np.int32) if filtered else kernels._EMPTY_INT
        for k in (1, 10, 50):
            expected_positions, expected_scores = reference_top(scores, factors, allowed, k)
            buffer = scores.copy()
            positions, finals, bases = run_select(buffer, factors, candidates, k, factor_max)
            assert positions == expected_positions
            assert finals == pytest.approx(expected_scores)
            assert bases == [scores[p] for p in positions]
            assert not buffer.any()


def test_top_k_is_accumulate_then_select_top() -> None:
    rng = np.random.default_rng(3)
    matrix = sp.random(3000, 500, density=0.02, format="csc", random_state=4, dtype=np.float32)
    matrix.sort_indices()
    indptr, indices, data = matrix.indptr.astype(np.int64), matrix.indices, matrix.data
    scores = np.zeros(3000, dtype=np.float32)
    for _ in range(50):
        terms = rng.choice(500, size=rng.integers(1, 40), replace=False).astype(np.int64)
        weights = rng.random(len(terms)).astype(np.float32)
        expected = np.zeros(3000, dtype=np.float32)
        kernels.accumulate(indptr, indices, data, terms, weights, kernels._EMPTY_BOOL, expected)
        exact = (matrix[:, terms] @ weights.astype(np.float64)).ravel()
        assert expected == pytest.approx(exact, abs=1e-5)
        want, _ = reference_top(expected, None, np.ones(3000, dtype=bool), 10)
        out = np.empty(10, np.int64), np.empty(10, np.float32), np.empty(10, np.float32)
        found = kernels.top_k(
            indptr, indices, data, terms, weights, scores, kernels._EMPTY_FLOAT, 10, *out, 0.0
        )
        assert out[0][:found].tolist() == want
        assert not scores.any()
        # With factors and their bound, as a search applies the regional boost and roles.
        factors = rng.choice([1.0, 1.25, 3.5], size=3000).astype(np.float32)
        want, _ = reference_top(expected, factors, np.ones(3000, dtype=bool), 10)
        found = kernels.top_k(
            indptr, indices, data, terms, weights, scores, factors, 10, *out, 3.5
        )
        assert out[0][:found].tolist() == want
        assert not scores.any()


def test_score_rows_equals_a_sparse_product_and_leaves_the_scratch_zeroed() -> None:
    rng = np.random.default_rng(5)
    rows = sp.random(40, 300, density=0.05, format="csr", random_state=6, dtype=np.float32)
    dense = np.zeros(300, dtype=np.float32)
    out = np.empty(40, dtype=np.float32)
    for _ in range(30):
        terms = rng.choice(300, size=rng.integers(0, 30), replace=False).astype(np.int64)
        weights = rng.random(len(terms)).astype(np.float32)
        query = np.zeros(300)
        query[terms] = weights
        positive = kernels.score_rows(
            rows.indptr.astype(np.int64), rows.indices, rows.data, terms, weights, dense, out
        )
        expected = rows @ query
        assert out == pytest.approx(expected, abs=1e-6)
        assert positive == int((out > 0).sum())
        assert not dense.any()


def test_accumulate_over_more_documents_than_a_chunk_gives_the_same_sums_bit_for_bit() -> None:
    n = kernels._CHUNK * 2 + 1234  # three chunks, the last one short
    rng = np.random.default_rng(8)
    matrix = sp.random(n, 60, density=0.002, format="csc", random_state=9, dtype=np.float32)
    matrix.sort_indices()
    indptr, indices, data = matrix.indptr.astype(np.int64), matrix.indices, matrix.data
    for _ in range(5):
        terms = rng.choice(60, size=20, replace=False).astype(np.int64)
        weights = rng.random(20).astype(np.float32)
        chunked = np.zeros(n, dtype=np.float32)
        kernels.accumulate(indptr, indices, data, terms, weights, kernels._EMPTY_BOOL, chunked)
        one_pass = np.zeros(n, dtype=np.float32)  # term after term over every document
        for term, weight in zip(terms, weights, strict=True):
            rows = slice(indptr[term], indptr[term + 1])
            one_pass[indices[rows]] += weight * data[rows]
        np.testing.assert_array_equal(chunked, one_pass)
        assert chunked.any()
