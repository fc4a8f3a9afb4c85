"""Facets of the ranked documents and the filters over them, as small numpy arrays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from matchmaking.ranker.fit import Document


@dataclass
class MultiFacet:
    """A many-valued facet (industries, partnership types, languages) as value -> documents."""

    values: list[str]
    indptr: np.ndarray
    documents: np.ndarray
    # The same postings as a sparse values x documents matrix, built on the first count.
    _matrix: sp.csr_matrix | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, per_document: Sequence[Iterable[str]]) -> MultiFacet:
        postings: dict[str, list[int]] = {}
        for position, values in enumerate(per_document):
            for value in set(values):
                postings.setdefault(value, []).append(position)
        values = sorted(postings)
        lengths = [len(postings[v]) for v in values]
        indptr = np.zeros(len(values) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(lengths)
        documents = np.array([p for v in values for p in postings[v]], dtype=np.int32)
        return cls(values, indptr, documents)

    def counts(self, passing: np.ndarray) -> np.ndarray:
        """How many of the passing documents (a boolean mask) hold each value.

        A sparse matrix-vector product: about ten times faster than a cumulative sum over
        the postings (0.15 against 1.6 ms for 177,000 postings of 100,000 documents).
        """
        matrix = self._matrix
        if matrix is None or matrix.shape[1] != len(passing):
            ones = np.ones(len(self.documents), dtype=np.int32)
            shape = (len(self.values), len(passing))
            matrix = self._matrix = sp.csr_matrix((ones, self.documents, self.indptr), shape=shape)
        counts: np.ndarray = matrix @ passing.view(np.uint8)
        return counts

    def mask(self, wanted: Iterable[str], size: int) -> np.ndarray:
        result = np.zeros(size, dtype=bool)
        lookup = {value: i for i, value in enumerate(self.values)}
        for value in wanted:
            i = lookup.get(value)
            if i is not None:
                result[self.documents[self.indptr[i] : self.indptr[i + 1]]] = True
        return result


@dataclass
class Facets:
    kinds: list[str]
    kind: np.ndarray  # index into kinds
    regions: list[str]
    region: np.ndarray
    prefecture: np.ndarray  # JIS code as an integer
    metropolitan: np.ndarray
    lying_dragon: np.ndarray
    industries: MultiFacet
    partnership_types: MultiFacet
    languages: MultiFacet

    @classmethod
    def from_documents(cls, documents: Sequence[Document]) -> Facets:
        kinds = sorted({doc.kind for doc in documents})
        regions = sorted({doc.region for doc in documents})
        return cls(
            kinds=kinds,
            kind=np.array([kinds.index(d.kind) for d in documents], dtype=np.uint8),
            regions=regions,
            region=np.array([regions.index(d.region) for d in documents], dtype=np.uint8),
            prefecture=np.array([int(d.prefecture) for d in documents], dtype=np.uint8),
            metropolitan=np.array([d.metropolitan for d in documents], dtype=bool),
            lying_dragon=np.array([d.lying_dragon for d in documents], dtype=bool),
            industries=MultiFacet.build([d.industries for d in documents]),
            partnership_types=MultiFacet.build([d.partnership_types for d in documents]),
            languages=MultiFacet.build([d.languages for d in documents]),
        )


@dataclass(frozen=True)
class Filters:
    """Each given facet must match (and); values within one facet are alternatives (or)."""

    kinds: tuple[str, ...] = ()
    prefectures: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    partnership_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    lying_dragons_only: bool = False

    def __bool__(self) -> bool:
        return any(asdict(self).values())


def boost_factors(f: Facets, regional_boost: float) -> np.ndarray:
    steps = (~f.metropolitan).astype(np.float32) + f.lying_dragon.astype(np.float32)
    return np.float32(1) + np.float32(regional_boost) * steps


def facet_mask(f: Facets, filters: Filters, n: int) -> np.ndarray:
    """The documents (of n, described by the facets f) that pass the filters."""
    mask = np.ones(n, dtype=bool)

    def allowed(values: list[str], wanted: tuple[str, ...]) -> np.ndarray:
        # A lookup table indexed by the facet code: one gather over the documents.
        table = np.zeros(max(len(values), 1), dtype=bool)
        table[[values.index(v) for v in wanted if v in values]] = True
        return table

    if filters.kinds:
        mask &= allowed(f.kinds, filters.kinds)[f.kind]
    if filters.regions:
        mask &= allowed(f.regions, filters.regions)[f.region]
    if filters.prefectures:
        table = np.zeros(256, dtype=bool)
        table[[int(p) for p in filters.prefectures if p.isdigit() and int(p) < 256]] = True
        mask &= table[f.prefecture]
    if filters.lying_dragons_only:
        mask &= f.lying_dragon
    for name in ("industries", "partnership_types", "languages"):
        wanted = getattr(filters, name)
        if wanted:
            facet: MultiFacet = getattr(f, name)
            mask &= facet.mask(wanted, n)
    return mask
