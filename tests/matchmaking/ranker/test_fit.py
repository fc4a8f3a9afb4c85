"""The fitted index is exactly what the plain algorithm gives: whatever makes the build fast
(worker processes, how the work is split, how the matrix is assembled) must not change one
vocabulary entry, matrix value or stop-word posting."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from matchmaking.benchmarks.synthetic import Generator, load_glossary, load_vocabulary
from matchmaking.ranker import Document, FitParams, GlossaryConcept
from matchmaking.ranker.fit import FittedMatrix, fit_matrix
from matchmaking.ranker.text import (
    BIGRAM_PREFIX,
    CONCEPT_PREFIX,
    AnalysisOptions,
    Analyzer,
    GlossaryMatcher,
    stored_feature,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
# A fifth of the documents is few enough that many features become corpus stop words, so
# their postings are compared too.
# Character bigrams in the words' space (japanese="both"): the plain algorithm normalises
# whole rows; the two-space normalisation is checked against a reference in test_ranker.py.
# Role evidence never becomes a feature.
STOP_WORDS_TOO = FitParams(
    max_df_floor=0, analysis=AnalysisOptions(japanese="both", ngram_share=0.0)
)


def plain_term_frequencies(
    fields: Mapping[str, str], analyzer: Analyzer, params: FitParams
) -> dict[str, float]:
    frequencies: dict[str, float] = {}
    for name, text in fields.items():
        weight = params.field_weights.get(name, 0.0)
        if weight <= 0 or not text:
            continue
        for feature, count in analyzer.features(text).items():
            tf = weight * (1.0 + math.log(count))
            if feature.startswith(CONCEPT_PREFIX):
                tf *= params.concept_weight
            else:
                # JMdict glosses and short units fold into the plain word at their weight.
                feature, share = stored_feature(feature, params.analysis)
                tf *= share
            frequencies[feature] = frequencies.get(feature, 0.0) + tf
    return frequencies


def plain_fit_matrix(
    documents: Sequence[Document], concepts: list[GlossaryConcept], params: FitParams
) -> FittedMatrix:
    """The fit as first written: one process, a COO matrix, scikit-learn's transformer."""
    analyzer = Analyzer(GlossaryMatcher(concepts), params.analysis)
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for row, doc in enumerate(documents):
        for feature, tf in plain_term_frequencies(doc.fields, analyzer, params).items():
            rows.append(row)
            cols.append(vocabulary.setdefault(feature, len(vocabulary)))
            values.append(tf)
    shape = (len(documents), len(vocabulary))
    counts = sp.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float64)
    terms = list(vocabulary)
    document_frequency = np.bincount(counts.indices, minlength=shape[1])
    limit = max(params.max_df * len(documents), params.max_df_floor)
    ngram_limit = max(params.ngram_max_df * len(documents), params.max_df_floor)
    ngram = np.array([t.startswith(BIGRAM_PREFIX) for t in terms])
    over = np.where(ngram, document_frequency > ngram_limit, document_frequency > limit)
    kept = np.flatnonzero(~over)
    # Too common words stay as plain postings; too common n-grams go altogether.
    common_columns = np.flatnonzero(over & ~ngram)
    common = counts[:, common_columns].tocsc()
    common.sort_indices()
    transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False)
    matrix = transformer.fit_transform(counts[:, kept]).tocsr()
    return FittedMatrix(
        [terms[i] for i in kept],
        matrix,
        transformer.idf_,
        [terms[i] for i in common_columns],
        common.indptr.astype(np.int64),
        common.indices.astype(np.int32),
    )


def assert_identical(fitted: FittedMatrix, expected: FittedMatrix) -> None:
    assert fitted.vocabulary == expected.vocabulary
    assert fitted.dropped == expected.dropped
    assert fitted.matrix.shape == expected.matrix.shape
    for got, want in [
        (fitted.matrix.indptr, expected.matrix.indptr),
        (fitted.matrix.indices, expected.matrix.indices),
        (fitted.matrix.data, expected.matrix.data),
        (fitted.idf, expected.idf),
        (fitted.common_indptr, expected.common_indptr),
        (fitted.common_indices, expected.common_indices),
    ]:
        assert got.dtype == want.dtype
        # Bit for bit: not approximately, the same floats.
        assert np.array_equal(got, want)


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[Document], list[GlossaryConcept]]:
    generator = Generator(load_glossary(FIXTURES / "glossary.json"), load_vocabulary(FIXTURES))
    return generator.documents(2100), generator.concepts


@pytest.fixture(scope="module")
def reference(synthetic: tuple[list[Document], list[GlossaryConcept]]) -> FittedMatrix:
    documents, concepts = synthetic
    return plain_fit_matrix(documents, concepts, STOP_WORDS_TOO)


@pytest.mark.parametrize("workers", [1, 3])
def test_the_fit_is_bit_for_bit_the_plain_algorithm(
    synthetic: tuple[list[Document], list[GlossaryConcept]],
    reference: FittedMatrix,
    workers: int,
) -> None:
    documents, concepts = synthetic
    fitted = fit_matrix(documents, concepts, STOP_WORDS_TOO, workers=workers)
    assert len(fitted.dropped) > 50
    assert_identical(fitted, reference)
