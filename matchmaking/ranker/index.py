"""The serving index: an inverted float32 TF-IDF matrix, facets for filters, and search.

A query is vectorised with a dictionary lookup over the stored vocabulary and idf (the same
arithmetic as TfidfVectorizer with sublinear tf and l2 norm), then scored only on the
postings of its own terms by two compiled loops (`kernels`): one walk over those postings
into a float32 score per document, and one pass that picks the top k (O(N), exact) and
leaves the buffer zeroed. Filters are boolean masks applied while walking the postings;
documents are ordered by prefecture, so a prefecture or region filter reads only its runs of
positions. Edits since the fit live in a delta segment (`delta`). (A MaxScore-style pruning
was tried and measured slower: the common words it skips still had to be read to complete
the candidates.)
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import math
import operator
import os
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from matchmaking.ranker import kernels
from matchmaking.ranker.columns import StringColumn, StringTable
from matchmaking.ranker.facets import Facets, Filters, MultiFacet, boost_factors, facet_mask
from matchmaking.ranker.text import (
    BIGRAM_PREFIX,
    CONCEPT_PREFIX,
    FEATURE_PREFIXES,
    UNIGRAM_PREFIX,
    AnalysisOptions,
    Analyzer,
    GlossaryConcept,
    glossary_matcher,
    has_japanese,
    is_ngram,
    role_bits,
    role_boost,
    stored_feature,
)

if TYPE_CHECKING:
    from matchmaking.ranker.delta import Segment

# 2: the external ids and the JMdict glosses as arrays (`columns`), not JSON in the header.
FORMAT = 2
READABLE_FORMATS = (1, 2)
# What an index stored before each analysis option was fitted with.
_BEFORE_OPTIONS: dict[str, Any] = {
    "dictionary": "off",
    "ngram_share": 0.0,
    "short_units": 0.0,
    "roles": 0.0,
    "chinese": False,
    "ngram_unigrams": 0.0,
    "exclusions": False,
    "more_roles": False,
    "role_length": 0,
    "role_ngrams": True,
}


MAX_RANGES = 64  # beyond this many runs of positions, a filter checks every posting


@dataclass(frozen=True)
class _Plan:
    """A filter, ready to score: its mask, the positions it passes, and, for place filters,
    the runs of positions to read (`check`: the mask still to apply within them)."""

    mask: np.ndarray
    candidates: np.ndarray
    lows: np.ndarray
    highs: np.ndarray
    check: np.ndarray


@dataclass
class _Scratch:
    scores: np.ndarray
    positions: np.ndarray
    final: np.ndarray
    base: np.ndarray


class Hit(NamedTuple):
    """One result. A named tuple, not a frozen dataclass: a frozen dataclass's __init__
    costs about 1 µs (a setattr per field), ten of which were a third of a keyword query
    at 10k profiles."""

    position: int
    id: int
    external_id: str
    score: float
    unboosted_score: float
    boosted: bool


@dataclass(frozen=True)
class Contribution:
    feature: str
    weight: float


@dataclass(frozen=True)
class QueryVector:
    terms: np.ndarray  # vocabulary ids
    weights: np.ndarray  # float32, l2-normalised
    common: tuple[str, ...] = ()  # corpus stop words in the text: they match, never score
    # The query's Japanese words: an n-gram that matched is explained by the word it is in.
    words: tuple[str, ...] = ()
    roles: int = 0  # the roles the query names (bits of text.ROLE_BITS)
    # What a document with one of those roles adds to its factor (text.role_boost: less
    # for a longer query).
    role_boost: float = 0.0
    # The glossary concepts the text names (keys), and whether it had any content at all
    # (a text of stop words only has none): the directory reads both from this one analysis.
    concepts: tuple[str, ...] = ()
    content: bool = False
    # The analysed features and their counts, kept for the explanations only (which Japanese
    # word brought which gloss word: `Index.contributions`), not read by a search.
    analysed: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


def _ngrams_as_words(found: list[Contribution], words: tuple[str, ...]) -> list[Contribution]:
    """Name each matched n-gram by the shortest word of the query that holds it (summing
    their weights), and leave out those that lie across words: explanations show words and
    concepts, never raw n-grams."""
    merged: dict[str, float] = {}
    for contribution in found:
        feature = contribution.feature
        if feature.startswith(BIGRAM_PREFIX):
            ngram = feature[len(BIGRAM_PREFIX) :]
            holders = [w for w in words if ngram in w]
            if not holders:
                continue
            feature = min(holders, key=len)
        merged[feature] = merged.get(feature, 0.0) + contribution.weight
    return [Contribution(feature, weight) for feature, weight in merged.items()]


def _glosses_as_words(found: list[Contribution], source: Mapping[str, str]) -> list[Contribution]:
    """Fold each matched gloss word into the query's Japanese word that brought it, when
    that word matched too (both sides wrote it: its dictionary senses say nothing more); a
    gloss that matched on its own (a Japanese query, an English profile) stays the English
    word that matched."""
    present = {c.feature for c in found}
    merged: dict[str, float] = {}
    for contribution in found:
        word = source.get(contribution.feature)
        feature = word if word is not None and word in present else contribution.feature
        merged[feature] = merged.get(feature, 0.0) + contribution.weight
    return [Contribution(feature, weight) for feature, weight in merged.items()]


def role_factors(document_roles: np.ndarray, roles: int, boost: float) -> np.ndarray:
    """1 + boost for the documents with a role among `roles`, 1 for the others."""
    matches = (document_roles & np.uint16(roles)) != 0
    return np.where(matches, np.float32(1.0 + boost), np.float32(1.0)).astype(np.float32)


class Index:
    def __init__(
        self,
        *,
        vocabulary: list[str],
        idf: np.ndarray,
        indptr: np.ndarray,
        indices: np.ndarray,
        data: np.ndarray,
        ids: np.ndarray,
        external_ids: Sequence[str],
        facets: Facets,
        concepts: list[GlossaryConcept],
        analysis: AnalysisOptions,
        meta: dict[str, Any],
        common_indptr: np.ndarray | None = None,
        common_indices: np.ndarray | None = None,
        glosses: Mapping[str, tuple[str, ...]] | None = None,
        roles: np.ndarray | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.term_ids = {term: i for i, term in enumerate(vocabulary)}
        self.idf = idf
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.ids = ids
        # Two arrays, not a million str objects: a mapped index shares them (see `shared`).
        self.external_ids = (
            external_ids
            if isinstance(external_ids, StringColumn)
            else StringColumn.from_strings(external_ids)
        )
        self.facets = facets
        self.concepts = concepts
        self.analysis = analysis
        # The JMdict glosses travel with the index: a web process never reads jamdict-data.
        self.analyzer = Analyzer(glossary_matcher(concepts), analysis, glosses)
        self.meta = meta
        self._ngram: np.ndarray | None = None
        self.roles = roles if roles is not None else np.zeros(len(ids), dtype=np.uint16)
        self._boosts: dict[float, np.ndarray] = {}
        self._factors: dict[tuple[float, int, float], np.ndarray] = {}
        # Each factor array's largest value, by the array's id (the array kept with it, so
        # the id is not another array's): what lets select_top skip blocks cheaply.
        self._maxima: dict[int, tuple[np.ndarray, float]] = {}
        self._masks: dict[Filters, _Plan] = {}
        # browse's listings without a text, by filters (they change only with the index).
        self.listings: dict[tuple[Any, ...], Any] = {}
        self._local = threading.local()
        self.segment: Segment | None = None
        # Set by `shared.load`: the directory the arrays are mapped from, where the factor
        # arrays derived from them are shared too (`_derived`).
        self.directory: Path | None = None
        # Corpus stop words (dropped from scoring at fit time): the documents that hold each.
        self.common_terms = {t: i for i, t in enumerate(meta.get("dropped_features", ()))}
        self.common_indptr = (
            common_indptr
            if common_indptr is not None
            else np.zeros(len(self.common_terms) + 1, dtype=np.int64)
        )
        self.common_indices = (
            common_indices if common_indices is not None else np.zeros(0, dtype=np.int32)
        )

    def __len__(self) -> int:
        """Documents in the fitted index plus those in the delta segment."""
        return len(self.ids) + (len(self.segment) if self.segment is not None else 0)

    @functools.cached_property
    def position_of(self) -> dict[int, int]:
        """Each fitted organization's position, by id. Built on first use: only edits need
        it, and at 1M organizations the dict costs a process about 100 MB of its own."""
        return {pk: i for i, pk in enumerate(self.ids.tolist())}

    @property
    def nbytes(self) -> int:
        arrays = [self.idf, self.indptr, self.indices, self.data, self.ids]
        return sum(a.nbytes for a in arrays)

    # -- edits (matchmaking.ranker.delta drives these) --

    def extend_vocabulary(self, features: list[str], idf: np.ndarray) -> None:
        """Add features that have no postings in the fitted index (only in the delta)."""
        for feature in features:
            self.term_ids[feature] = len(self.vocabulary)
            self.vocabulary.append(feature)
        self.idf = np.concatenate([self.idf, idf.astype(np.float32)])
        self._ngram = None
        self.indptr = np.concatenate(
            [self.indptr, np.full(len(features), self.indptr[-1], dtype=self.indptr.dtype)]
        )

    def zero_documents(self, positions: np.ndarray) -> None:
        """Set every posting of these fitted documents to zero: they no longer score.

        They are also retired: a listing of every document (the directory without a search)
        leaves them out; their current version, if any, lives in the delta segment.
        """
        if not self.data.flags.writeable:
            self.data = self.data.copy()
        kernels.zero_documents(self.indptr, self.indices, self.data, positions)
        retired = set(self.meta.get("retired_positions", ())) | set(positions.tolist())
        self.meta["retired_positions"] = sorted(retired)
        self.listings.clear()

    @property
    def live(self) -> np.ndarray:
        """Which fitted positions still stand for their organization (not retired)."""
        live = np.ones(len(self.ids), dtype=bool)
        live[np.array(self.meta.get("retired_positions", ()), dtype=np.int64)] = False
        return live

    def common_postings(self, feature: str) -> np.ndarray:
        """The fitted positions that hold this corpus stop word (none if it is not one)."""
        i = self.common_terms.get(feature)
        if i is None:
            return kernels._EMPTY_INT
        return self.common_indices[self.common_indptr[i] : self.common_indptr[i + 1]]

    def set_segment(self, segment: Segment | None) -> None:
        self.segment = segment
        self.listings.clear()

    @property
    def ngram_terms(self) -> np.ndarray:
        """Which vocabulary entries are character n-grams (the second feature space)."""
        if self._ngram is None:
            self._ngram = np.array([is_ngram(t) for t in self.vocabulary], dtype=bool)
        return self._ngram

    def vectorize(self, text: str) -> QueryVector:
        tfs: dict[int, float] = {}
        common: set[str] = set()
        options = self.analysis
        analysed = self.analyzer.features(text)
        for feature, count in analysed.items():
            tf = 1.0 + math.log(count)
            feature, share = stored_feature(feature, options)
            tf *= share
            term = self.term_ids.get(feature)
            if term is not None:
                tfs[term] = tfs.get(term, 0.0) + tf
            elif feature in self.common_terms:
                common.add(feature)
        terms = np.array(list(tfs), dtype=np.int64)
        vector = np.array([tf * float(self.idf[t]) for t, tf in tfs.items()], dtype=np.float64)
        roles = 0
        boost = 0.0
        if options.roles > 0:
            roles = role_bits(
                (stored_feature(f, options)[0] for f in analysed), more=options.more_roles
            )
            if roles:
                length = sum(1 for f in analysed if not f.startswith(FEATURE_PREFIXES))
                boost = role_boost(options, length)
        words: tuple[str, ...] = ()
        if options.ngram_share > 0 and len(terms):
            from matchmaking.ranker.fit import block_scales

            words_scale, ngram_scale = block_scales(options.ngram_share)
            ngram = self.ngram_terms[terms]
            for block, scale in ((~ngram, words_scale), (ngram, ngram_scale)):
                norm = math.sqrt(float(vector[block] @ vector[block]))
                if norm > 0:
                    vector[block] *= scale / norm
            if ngram.any():
                words = tuple(
                    f
                    for f in analysed
                    if not f.startswith((CONCEPT_PREFIX, BIGRAM_PREFIX, UNIGRAM_PREFIX))
                    and has_japanese(f)
                )
        else:
            norm = math.sqrt(float(vector @ vector)) if len(vector) else 0.0
            if norm > 0:
                vector /= norm
        concepts = tuple(
            f[len(CONCEPT_PREFIX) :] for f in analysed if f.startswith(CONCEPT_PREFIX)
        )
        return QueryVector(
            terms,
            vector.astype(np.float32),
            tuple(sorted(common)),
            words,
            roles,
            boost,
            concepts=concepts,
            content=bool(analysed),
            analysed=analysed,
        )

    def _query_glosses(self, analysed: Mapping[str, int]) -> dict[str, str]:
        """Each gloss word of the query with the Japanese word that brought it, for the gloss
        words the query does not also write plainly (`_glosses_as_words`)."""
        pairs: dict[str, str] = {}
        if not self.analyzer.dictionary:
            return pairs
        for feature in analysed:
            # isascii first: it passes over the English words in C, at no cost to a query.
            if feature.isascii() or feature.startswith(FEATURE_PREFIXES):
                continue
            if not has_japanese(feature):
                continue
            for gloss in self.analyzer.glosses_of(feature):
                if gloss not in analysed:  # written plainly too: a word of its own
                    pairs.setdefault(gloss, feature)
        return pairs

    def scores(self, query: QueryVector) -> np.ndarray:
        """Cosine similarity of every document with the query (float32), from its postings."""
        scores = np.zeros(len(self.ids), dtype=np.float32)
        if len(query.terms):
            kernels.accumulate(
                self.indptr,
                self.indices,
                self.data,
                query.terms,
                query.weights,
                kernels._EMPTY_BOOL,
                scores,
            )
        return scores

    def mask(self, filters: Filters) -> np.ndarray | None:
        """The documents that pass the filters (cached: visitors reuse a few filters)."""
        if not filters:
            return None
        return self._filter(filters).mask

    def _filter(self, filters: Filters) -> _Plan:
        """How to score under these filters (cached: visitors reuse a few filters)."""
        cached = self._masks.get(filters)
        if cached is None:
            if len(self._masks) >= 256:
                self._masks.clear()
            cached = self._masks[filters] = self._plan(filters)
        return cached

    def _plan(self, filters: Filters) -> _Plan:
        mask = self._build_mask(filters)
        candidates = np.flatnonzero(mask).astype(np.int32)
        plan = _Plan(mask, candidates, kernels._EMPTY_INT, kernels._EMPTY_INT, mask)
        if filters.prefectures or filters.regions:
            # Documents are ordered by prefecture: these filters pass a few runs of positions.
            place = Filters(prefectures=filters.prefectures, regions=filters.regions)
            place_mask = self._build_mask(place)
            edges = np.flatnonzero(np.diff(place_mask.astype(np.int8), prepend=0, append=0))
            if 0 < len(edges) <= 2 * MAX_RANGES:
                rest = mask if filters != place else kernels._EMPTY_BOOL
                lows, highs = edges[0::2].astype(np.int32), edges[1::2].astype(np.int32)
                plan = _Plan(mask, candidates, lows, highs, rest)
        return plan

    def _build_mask(self, filters: Filters) -> np.ndarray:
        return facet_mask(self.facets, filters, len(self.ids))

    def boost_factors(self, regional_boost: float) -> np.ndarray:
        """1 + boost outside metropolitan prefectures, 1 + 2 × boost for lying dragons."""
        factors = self._boosts.get(regional_boost)
        if factors is None:
            factors = self._boosts[regional_boost] = self._derived(
                f"boost-{regional_boost!r}", lambda: boost_factors(self.facets, regional_boost)
            )
        return factors

    def factors(self, regional_boost: float, roles: int, role_boost: float) -> np.ndarray:
        """The regional boost's factors times 1 + `role_boost` for the documents that have a
        role the query names (empty: no factor at all)."""
        if not roles or role_boost <= 0:
            return self.boost_factors(regional_boost) if regional_boost else kernels._EMPTY_FLOAT
        key = (regional_boost, roles, role_boost)
        cached = self._factors.get(key)
        if cached is None:
            if len(self._factors) >= 256:
                self._factors.clear()

            def make() -> np.ndarray:
                made = role_factors(self.roles, roles, role_boost)
                return made * self.boost_factors(regional_boost) if regional_boost else made

            name = f"factors-{regional_boost!r}-{roles}-{role_boost!r}"
            cached = self._factors[key] = self._derived(name, make)
        return cached

    def factor_max(self, factors: np.ndarray) -> float:
        """The largest of these factors (0.0 for none), computed once per array."""
        if not len(factors):
            return 0.0
        entry = self._maxima.get(id(factors))
        if entry is None or entry[0] is not factors:
            if len(self._maxima) >= 512:
                self._maxima.clear()
            entry = self._maxima[id(factors)] = (factors, float(np.max(factors)))
        return entry[1]

    def _derived(self, name: str, make: Callable[[], np.ndarray]) -> np.ndarray:
        """An array computed from the index (a float32 factor per organization), shared
        like the index itself when it is mapped: the first process writes it into the
        index's directory (aside, then renamed), every process maps it. Queries name a few
        dozen role combinations: 4 MB each at 1M organizations, in every worker otherwise."""
        if self.directory is None:
            return make()
        path = self.directory / "derived" / f"{name}.npy"
        with contextlib.suppress(OSError, ValueError):
            return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
        array = make()
        try:
            path.parent.mkdir(exist_ok=True)
            handle, aside = tempfile.mkstemp(prefix=f".{name}-", dir=path.parent)
            try:
                os.fchmod(handle, 0o644)  # as the index's own files, not mkstemp's 0600
                with os.fdopen(handle, "wb") as stream:
                    np.save(stream, array, allow_pickle=False)
                    stream.flush()
                    os.fsync(stream.fileno())
                Path(aside).replace(path)
            finally:
                Path(aside).unlink(missing_ok=True)
            return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
        except OSError:  # a read-only directory: this process's own copy
            return array

    def _scratch(self, top: int) -> _Scratch:
        # Per thread, reused: select_top leaves the score array zeroed again.
        scratch: _Scratch | None = getattr(self._local, "scratch", None)
        if scratch is None or len(scratch.positions) < top:
            scores = scratch.scores if scratch is not None else None
            if scores is None:
                scores = np.zeros(len(self.ids), dtype=np.float32)
            size = max(top, 16)
            scratch = self._local.scratch = _Scratch(
                scores,
                np.empty(size, dtype=np.int64),
                np.empty(size, dtype=np.float32),
                np.empty(size, dtype=np.float32),
            )
        return scratch

    def search(
        self,
        text: str | QueryVector,
        *,
        top: int = 10,
        filters: Filters | None = None,
        regional_boost: float = 0.0,
    ) -> list[Hit]:
        """The top documents by (boosted) cosine similarity, exactly, in one pass each over
        the query's postings and the (filtered) documents."""
        query = self.vectorize(text) if isinstance(text, str) else text
        if len(query.terms) == 0 or top <= 0:
            return []
        hits = self._search_fitted(query, top, filters, regional_boost)
        if self.segment is not None and len(self.segment):
            extra = self._search_segment(self.segment, query, top, filters, regional_boost)
            hits = sorted(hits + extra, key=lambda h: (-h.score, h.position))[:top]
        return hits

    def _search_fitted(
        self, query: QueryVector, top: int, filters: Filters | None, regional_boost: float
    ) -> list[Hit]:
        factors = self.factors(regional_boost, query.roles, query.role_boost)
        largest = self.factor_max(factors)
        scratch = self._scratch(top)
        scores = scratch.scores
        out = scratch.positions, scratch.final, scratch.base
        if not filters:
            found = kernels.top_k(
                self.indptr, self.indices, self.data, query.terms, query.weights,
                scores, factors, top, *out, largest,
            )  # fmt: skip
        else:
            arrays = self.indptr, self.indices, self.data, query.terms, query.weights
            plan = self._filter(filters)
            if len(plan.candidates) == 0:
                return []
            if len(plan.lows):
                kernels.accumulate_ranges(*arrays, plan.lows, plan.highs, plan.check, scores)
            else:
                kernels.accumulate(*arrays, plan.mask, scores)
            found = kernels.select_top(scores, factors, plan.candidates, top, *out, largest)
        kept = scratch.positions[:found]
        ids = self.ids[kept].tolist()
        positions = kept.tolist()
        finals, bases = scratch.final[:found].tolist(), scratch.base[:found].tolist()
        if query.roles and query.role_boost > 0:
            # The role factor is part of the score; "unboosted" leaves out the regional boost
            # only.
            regional = self.boost_factors(regional_boost)[kept] if regional_boost else None
            bases = (scratch.final[:found] / regional).tolist() if regional is not None else finals
        external = self.external_ids
        external_ids = [external[position] for position in positions]
        boosted = map(operator.gt, finals, bases)
        return list(map(Hit, positions, ids, external_ids, finals, bases, boosted))

    def _search_segment(
        self,
        segment: Segment,
        query: QueryVector,
        top: int,
        filters: Filters | None,
        regional_boost: float,
    ) -> list[Hit]:
        """The delta's best documents; their positions follow the fitted ones."""
        dense = getattr(self._local, "dense", None)
        if dense is None or len(dense) < len(self.vocabulary):
            dense = self._local.dense = np.zeros(len(self.vocabulary), dtype=np.float32)
        base, positive = segment.scored(query.terms, query.weights, len(self.vocabulary), dense)
        if not positive:
            return []
        if query.roles and query.role_boost > 0:
            base = base * role_factors(segment.roles, query.roles, query.role_boost)
        final = base * segment.boost_factors(regional_boost) if regional_boost else base
        if filters:
            final = np.where(segment.mask(filters), final, 0)
        kept = np.flatnonzero(final > 0)
        # Best first; a stable sort of ascending positions keeps ties in index order.
        order = kept[np.argsort(-final[kept], kind="stable")][:top].tolist()
        offset = len(self.ids)
        documents = segment.documents
        return [
            Hit(
                offset + j,
                documents[j].id,
                documents[j].external_id,
                float(final[j]),
                float(base[j]),
                bool(final[j] > base[j]),
            )
            for j in order
        ]

    def contributions(
        self, query: QueryVector, positions: Sequence[int], limit: int = 5
    ) -> list[list[Contribution]]:
        """For each document, the query features that added most to its score."""
        offset = len(self.ids)
        targets = np.array(sorted({p for p in positions if p < offset}), dtype=np.int32)
        per_document: dict[int, list[Contribution]] = {int(p): [] for p in positions}
        weight_of = dict(zip(query.terms.tolist(), query.weights.tolist(), strict=True))
        for position in {p for p in positions if p >= offset and self.segment is not None}:
            assert self.segment is not None
            terms, values, _ = self.segment.row(position - offset)
            for term, value in zip(terms.tolist(), values.tolist(), strict=True):
                if term in weight_of:
                    contribution = Contribution(self.vocabulary[term], weight_of[term] * value)
                    per_document[position].append(contribution)
        for term, weight in zip(query.terms.tolist(), query.weights.tolist(), strict=True):
            postings = self.indices[self.indptr[term] : self.indptr[term + 1]]
            at = np.searchsorted(postings, targets)
            inside = at < len(postings)
            found = np.zeros(len(targets), dtype=bool)
            found[inside] = postings[at[inside]] == targets[inside]
            for position, offset in zip(targets[found], at[found], strict=True):
                value = weight * float(self.data[self.indptr[term] + offset])
                per_document[int(position)].append(Contribution(self.vocabulary[term], value))
        if self.analysis.ngram_share > 0:
            per_document = {
                p: _ngrams_as_words(found, query.words) for p, found in per_document.items()
            }
        glosses = self._query_glosses(query.analysed)
        if glosses:
            per_document = {
                p: _glosses_as_words(found, glosses) for p, found in per_document.items()
            }
        return [sorted(per_document[int(p)], key=lambda c: -c.weight)[:limit] for p in positions]

    def header(self) -> dict[str, Any]:
        """Everything but the arrays, as JSON-ready data (`arrays` holds the rest)."""
        f = self.facets
        header = {
            "format": FORMAT,
            "vocabulary": self.vocabulary,
            "kinds": f.kinds,
            "regions": f.regions,
            "facet_values": {
                name: getattr(f, name).values
                for name in ("industries", "partnership_types", "languages")
            },
            "concepts": [asdict(c) for c in self.concepts],
            "analysis": asdict(self.analysis),
            "meta": self.meta,
        }
        if self.segment is not None:
            header["segment_documents"] = [asdict(doc) for doc in self.segment.documents]
        return header

    def arrays(self) -> dict[str, np.ndarray]:
        """The index's arrays by name: what `to_bytes` and `shared.save` store."""
        f = self.facets
        arrays = {
            "idf": self.idf,
            "indptr": self.indptr,
            "indices": self.indices,
            "data": self.data,
            "ids": self.ids,
            "external_ids_utf8": self.external_ids.utf8,
            "external_ids_offsets": self.external_ids.offsets,
            "kind": f.kind,
            "region": f.region,
            "prefecture": f.prefecture,
            "metropolitan": f.metropolitan,
            "lying_dragon": f.lying_dragon,
            "common_indptr": self.common_indptr,
            "common_indices": self.common_indices,
            "roles": self.roles,
        }
        for name in ("industries", "partnership_types", "languages"):
            facet: MultiFacet = getattr(f, name)
            arrays[f"{name}_indptr"] = facet.indptr
            arrays[f"{name}_documents"] = facet.documents
        arrays.update(self.analyzer.dictionary_table().arrays("glosses"))
        if self.segment is not None:
            arrays["segment_indptr"] = self.segment.indptr
            arrays["segment_indices"] = self.segment.indices
            arrays["segment_data"] = self.segment.data
            arrays["segment_common_indptr"] = self.segment.common_indptr
            arrays["segment_common_indices"] = self.segment.common_indices
        return arrays

    def to_bytes(self) -> bytes:
        """The header (as UTF-8 JSON in a uint8 array) and the arrays, in one .npz."""
        header = json.dumps(self.header(), ensure_ascii=False).encode()
        buffer = io.BytesIO()
        np.savez(
            buffer, allow_pickle=False, header=np.frombuffer(header, np.uint8), **self.arrays()
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Index:
        arrays = np.load(io.BytesIO(blob), allow_pickle=False)
        header = json.loads(arrays["header"].tobytes().decode())
        return cls.from_arrays(header, arrays)

    @classmethod
    def from_arrays(cls, header: dict[str, Any], arrays: Mapping[str, np.ndarray]) -> Index:
        """The index from its header and arrays (read from a blob, or memory-mapped files:
        the arrays are used as given, never copied or written to)."""
        if header["format"] not in READABLE_FORMATS:
            raise ValueError(f"Unknown index format {header['format']}")
        glosses: Mapping[str, tuple[str, ...]] = (
            StringTable.from_arrays(arrays, "glosses")
            if "glosses_hashes" in arrays
            else {k: tuple(v) for k, v in header.get("glosses", {}).items()}  # format 1
        )
        if "external_ids" in header:  # format 1
            external_ids = StringColumn.from_strings(header["external_ids"])
        else:
            external_ids = StringColumn(
                arrays["external_ids_utf8"], arrays["external_ids_offsets"]
            )
        multi = {
            name: MultiFacet(
                header["facet_values"][name],
                arrays[f"{name}_indptr"],
                arrays[f"{name}_documents"],
            )
            for name in ("industries", "partnership_types", "languages")
        }
        facets = Facets(
            kinds=header["kinds"],
            kind=arrays["kind"],
            regions=header["regions"],
            region=arrays["region"],
            prefecture=arrays["prefecture"],
            metropolitan=arrays["metropolitan"],
            lying_dragon=arrays["lying_dragon"],
            **multi,
        )
        concepts = [
            GlossaryConcept(
                key=c["key"],
                name_en=c["name_en"],
                name_ja=c["name_ja"],
                terms_en=tuple(c["terms_en"]),
                terms_ja=tuple(c["terms_ja"]),
                name_zh_hans=c.get("name_zh_hans", ""),
                name_zh_hant=c.get("name_zh_hant", ""),
                terms_zh_hans=tuple(c.get("terms_zh_hans", ())),
                terms_zh_hant=tuple(c.get("terms_zh_hant", ())),
            )
            for c in header["concepts"]
        ]
        index = cls(
            vocabulary=header["vocabulary"],
            idf=arrays["idf"],
            indptr=arrays["indptr"],
            indices=arrays["indices"],
            data=arrays["data"],
            ids=arrays["ids"],
            external_ids=external_ids,
            facets=facets,
            concepts=concepts,
            # An index stored before an analysis option existed was fitted without it.
            analysis=AnalysisOptions(**{**_BEFORE_OPTIONS, **header["analysis"]}),
            meta=header["meta"],
            common_indptr=arrays.get("common_indptr"),
            common_indices=arrays.get("common_indices"),
            glosses=glosses,
            roles=arrays.get("roles"),
        )
        if "segment_documents" in header:
            from matchmaking.ranker.delta import Segment
            from matchmaking.ranker.fit import Document

            fields: list[dict[str, Any]] = header["segment_documents"]
            documents = [
                Document(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})  # type: ignore[arg-type]
                for d in fields
            ]
            index.set_segment(
                Segment(
                    documents=documents,
                    indptr=arrays["segment_indptr"],
                    indices=arrays["segment_indices"],
                    data=arrays["segment_data"],
                    common_indptr=arrays.get("segment_common_indptr", np.zeros(0, np.int64)),
                    common_indices=arrays.get("segment_common_indices", np.zeros(0, np.int32)),
                )
            )
        return index
