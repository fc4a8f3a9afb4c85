"""Edits without a refit: a small delta segment beside the fitted index.

An edited or newly published organization is vectorised with the fitted model (same
analysis, field weights and idf) into a delta segment that every query also scores; its old
postings in the main index are set to zero, so it is found once, with its new text. A
withdrawn organization only loses its postings. The delta is scored exhaustively (it is a few
hundred rows at most before the next full rebuild folds it in), so an edit is searchable in
milliseconds.

IDF drift: the idf of every existing feature stays as fitted. A feature that the fit never
saw gets the smoothed idf it would have had with the delta's document frequency, so the
delta ranks like a full rebuild except for how much the edits themselves would have moved
the corpus statistics. Corpus stop words (dropped at fit time for being too common) stay
dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from matchmaking.ranker import kernels
from matchmaking.ranker.facets import Facets, Filters, boost_factors, facet_mask
from matchmaking.ranker.fit import Document, FitParams, normalise_rows, term_frequencies
from matchmaking.ranker.index import Index
from matchmaking.ranker.text import ROLE_BITS, ROLE_PREFIX, allowed_roles


@dataclass
class Segment:
    """Rows (documents × features) in CSR form, l2-normalised float32, with their facets.

    The documents keep their facets and ids only (`fields` empty): rows are vectorised once,
    when the edit arrives.
    """

    documents: list[Document]
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    # Per document, the corpus stop words it holds (ids into the index's common terms).
    common_indptr: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    common_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def __post_init__(self) -> None:
        self.facets = Facets.from_documents(self.documents)
        self.ids = np.array([doc.id for doc in self.documents], dtype=np.int64)
        if len(self.common_indptr) != len(self.documents) + 1:  # stored before they existed
            self.common_indptr = np.zeros(len(self.documents) + 1, dtype=np.int64)
            self.common_indices = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def roles(self) -> np.ndarray:
        return np.array([doc.roles for doc in self.documents], dtype=np.uint16)

    def boost_factors(self, regional_boost: float) -> np.ndarray:
        """As Index.boost_factors, for the delta's documents (cached: a segment never
        changes; an edit makes a new one)."""
        cache: dict[float, np.ndarray] = self.__dict__.setdefault("_boosts", {})
        if regional_boost not in cache:
            cache[regional_boost] = boost_factors(self.facets, regional_boost)
        return cache[regional_boost]

    def mask(self, filters: Filters) -> np.ndarray:
        """Which delta documents pass the filters (cached, as boost_factors)."""
        cache: dict[Filters, np.ndarray] = self.__dict__.setdefault("_masks", {})
        if filters not in cache:
            if len(cache) >= 256:
                cache.clear()
            cache[filters] = facet_mask(self.facets, filters, len(self))
        return cache[filters]

    def scores(
        self,
        terms: np.ndarray,
        weights: np.ndarray,
        vocabulary_size: int,
        dense: np.ndarray | None = None,
    ) -> np.ndarray:
        """Cosine similarity of each delta document with the query.

        `dense`: a zeroed float32 scratch of at least `vocabulary_size` (left zeroed), so a
        query need not allocate one; without it, one is made for this call.
        """
        return self.scored(terms, weights, vocabulary_size, dense)[0]

    def scored(
        self,
        terms: np.ndarray,
        weights: np.ndarray,
        vocabulary_size: int,
        dense: np.ndarray | None = None,
    ) -> tuple[np.ndarray, int]:
        """`scores`, and how many of them are positive."""
        if dense is None or len(dense) < vocabulary_size:
            dense = np.zeros(vocabulary_size, dtype=np.float32)
        scores = np.empty(len(self), dtype=np.float32)
        arrays = self.indptr, self.indices, self.data
        positive = kernels.score_rows(*arrays, terms, weights, dense, scores)
        return scores, positive

    def row(self, j: int) -> _Row:
        start, end = self.indptr[j], self.indptr[j + 1]
        common = self.common_indices[self.common_indptr[j] : self.common_indptr[j + 1]]
        return self.indices[start:end], self.data[start:end], common

    def holding(self, common_term: int) -> np.ndarray:
        """The delta documents that hold this corpus stop word."""
        rows = np.repeat(np.arange(len(self)), np.diff(self.common_indptr))
        holding: np.ndarray = rows[self.common_indices == common_term]
        return holding

    def without(self, ids: set[int]) -> Segment:
        keep = [j for j, doc in enumerate(self.documents) if doc.id not in ids]
        rows = [self.row(j) for j in keep]
        return _segment([self.documents[j] for j in keep], rows)


# A delta row: its features and values, and the corpus stop words it holds.
_Row = tuple[np.ndarray, np.ndarray, np.ndarray]


def _csr(parts: list[np.ndarray], dtype: type) -> tuple[np.ndarray, np.ndarray]:
    indptr = np.zeros(len(parts) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(part) for part in parts])
    values: np.ndarray = np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
    return indptr, values


def _segment(documents: list[Document], rows: list[_Row]) -> Segment:
    indptr, indices = _csr([terms for terms, _, _ in rows], np.int32)
    _, data = _csr([values for _, values, _ in rows], np.float32)
    common_indptr, common_indices = _csr([common for _, _, common in rows], np.int32)
    return Segment(documents, indptr, indices, data, common_indptr, common_indices)


def _params(index: Index) -> FitParams:
    stored = index.meta.get("params", {})
    return FitParams(
        field_weights=stored.get("field_weights", FitParams().field_weights),
        concept_weight=stored.get("concept_weight", FitParams().concept_weight),
        analysis=index.analysis,
    )


def _rows(index: Index, documents: Sequence[Document]) -> tuple[list[_Row], list[int]]:
    """Vectorise documents with the fitted model (TfidfTransformer's arithmetic)."""
    params = _params(index)
    dropped = set(index.meta.get("dropped_features", ())) | set(
        index.meta.get("dropped_ngrams", ())
    )
    frequencies = [term_frequencies(doc.fields, index.analyzer, params) for doc in documents]
    # Role evidence is not a feature: it gives the document its roles (as fit_matrix does).
    roles = []
    for doc, tf in zip(documents, frequencies, strict=True):
        evidence = {f: tf.pop(f) for f in [f for f in tf if f.startswith(ROLE_PREFIX)]}
        allowed = allowed_roles(doc.kind)
        evidence = {
            f: v for f, v in evidence.items() if ROLE_BITS[f[len(ROLE_PREFIX) :]] & allowed
        }
        best = max(evidence.values(), default=0.0)
        roles.append(
            sum(ROLE_BITS[f[len(ROLE_PREFIX) :]] for f, v in evidence.items() if v >= 0.5 * best)
        )
    # Features the fit never saw join the vocabulary, with idf from this batch's counts.
    unseen: dict[str, int] = {}
    for tf in frequencies:
        for feature in tf:
            if feature not in index.term_ids and feature not in dropped:
                unseen[feature] = unseen.get(feature, 0) + 1
    if unseen:
        n = len(index.ids)
        added = list(unseen)
        idf = [math.log((1 + n) / (1 + unseen[f])) + 1 for f in added]
        index.extend_vocabulary(added, np.array(idf, dtype=np.float32))
    rows = []
    share = index.analysis.ngram_share
    for tf in frequencies:
        pairs = sorted((index.term_ids[f], v) for f, v in tf.items() if f in index.term_ids)
        terms = np.array([t for t, _ in pairs], dtype=np.int32)
        values = np.array([v for _, v in pairs], dtype=np.float64) * index.idf[terms]
        if share > 0 and len(terms):
            # As fit_matrix: words and n-grams l2-normalised apart, then weighted.
            row = sp.csr_matrix((values, terms, [0, len(terms)]), shape=(1, len(index.vocabulary)))
            values = normalise_rows(row, index.ngram_terms, share).data
        else:
            norm = math.sqrt(float(values @ values)) if len(values) else 0.0
            values = values / norm if norm > 0 else values
        common = sorted(index.common_terms[f] for f in tf if f in index.common_terms)
        rows.append((terms, values.astype(np.float32), np.array(common, dtype=np.int32)))
    return rows, roles


def apply_edits(
    index: Index, *, upserts: Sequence[Document] = (), removals: Iterable[int] = ()
) -> None:
    """Make `upserts` searchable with their new text and `removals` unsearchable, in place.

    Both are by organization id; an upsert of an id already in the delta replaces it there.
    """
    upserts = list(upserts)
    changed = {doc.id for doc in upserts} | set(removals)
    main = [index.position_of[pk] for pk in changed if pk in index.position_of]
    if main:
        index.zero_documents(np.array(sorted(main), dtype=np.int32))
    segment = index.segment.without(changed) if index.segment is not None else None
    documents = segment.documents if segment is not None else []
    rows = [segment.row(j) for j in range(len(segment))] if segment is not None else []
    new_rows, roles = _rows(index, upserts)
    for doc, row, role in zip(upserts, new_rows, roles, strict=True):
        documents.append(replace(doc, fields={}, roles=role))
        rows.append(row)
    index.set_segment(_segment(documents, rows) if documents else None)
