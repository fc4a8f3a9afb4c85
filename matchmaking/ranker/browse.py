"""Browsing the index: every document that matches a text, under filters, with facet counts.

The directory's engine. `search` answers "the best k for this firm"; `browse` answers "all
the organizations that mention this, how many there are under each filter value, best
first", which is what a directory page shows. A document matches a text when it holds any
of the text's features: a scored one (it then ranks by cosine similarity, as in `search`)
or a corpus stop word (dropped from scoring at fit time for being too common: it still
makes a match, ranked after the scored ones).

Each facet's counts are computed with every other filter applied but not its own, so a
visitor sees the alternatives. Everything is array arithmetic over the documents in memory:
no database query, whatever the corpus size.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from matchmaking.ranker.facets import Facets, Filters, MultiFacet, boost_factors, facet_mask
from matchmaking.ranker.index import Index

SINGLE_FACETS = ("kinds", "regions", "prefectures")
MULTI_FACETS = ("industries", "partnership_types", "languages")


@dataclass
class _Part:
    """The fitted documents or the delta segment: their facets and what matched."""

    facets: Facets
    ids: np.ndarray
    matched: np.ndarray  # bool: live and matching the text
    scores: np.ndarray  # float32 cosine similarity (zero without a text)


@dataclass
class Listing:
    """The documents that pass, in relevance order, and the count of every facet value."""

    ids: np.ndarray  # organization ids, best first
    scores: np.ndarray  # their boosted cosine similarity with the text (zero without one)
    counts: dict[str, dict[str, int]]  # filter name -> facet value -> documents
    dragons: int  # lying dragons among the documents, ignoring the lying-dragon filter

    def __len__(self) -> int:
        return len(self.ids)


def _parts(index: Index, text: str) -> list[_Part]:
    query = index.vectorize(text) if text else None
    common = [f for f in index.analyzer.features(text) if f in index.common_terms] if text else []
    fitted_scores = (
        index.scores(query) if query is not None else np.zeros(len(index.ids), np.float32)
    )
    matched = index.live
    if text:
        hit = fitted_scores > 0
        for feature in common:
            hit[index.common_postings(feature)] = True
        matched &= hit
    parts = [_Part(index.facets, index.ids, matched, fitted_scores)]
    segment = index.segment
    if segment is not None and len(segment):
        if query is not None:
            scores = segment.scores(query.terms, query.weights, len(index.vocabulary))
            hit = scores > 0
            for feature in common:
                hit[segment.holding(index.common_terms[feature])] = True
        else:
            scores = np.zeros(len(segment), np.float32)
            hit = np.ones(len(segment), dtype=bool)
        parts.append(_Part(segment.facets, segment.ids, hit, scores))
    return parts


def _active(filters: Filters) -> list[str]:
    return [item.name for item in fields(filters) if getattr(filters, item.name)]


def _single(facet: Filters, name: str) -> Filters:
    return replace(Filters(), **{name: getattr(facet, name)})


def _multi_counts(facet: MultiFacet, passing: np.ndarray) -> dict[str, int]:
    running = np.concatenate([[0], np.cumsum(passing[facet.documents], dtype=np.int64)])
    counts = running[facet.indptr[1:]] - running[facet.indptr[:-1]]
    return {value: int(n) for value, n in zip(facet.values, counts.tolist(), strict=True) if n}


def _counts(f: Facets, name: str, passing: np.ndarray) -> dict[str, int]:
    if name in MULTI_FACETS:
        return _multi_counts(getattr(f, name), passing)
    if name == "prefectures":
        found = np.bincount(f.prefecture[passing], minlength=256)
        return {f"{code:02d}": int(found[code]) for code in np.flatnonzero(found)}
    values, codes = (f.kinds, f.kind) if name == "kinds" else (f.regions, f.region)
    found = np.bincount(codes[passing], minlength=len(values))
    return {values[i]: int(found[i]) for i in np.flatnonzero(found)}


def browse(index: Index, text: str, filters: Filters, *, regional_boost: float = 0.0) -> Listing:
    """Every live document matching the text (all of them without one) under the filters.

    Ranked by cosine similarity times the regional boost (as `Index.search` ranks), then
    lying dragons first, then non-metropolitan prefectures, then index order.
    """
    counts: dict[str, dict[str, int]] = {name: {} for name in (*SINGLE_FACETS, *MULTI_FACETS)}
    dragons = 0
    active = _active(filters)
    ids, scores, dragon_keys, metropolitan_keys = [], [], [], []
    for part in _parts(index, text):
        size = len(part.ids)
        masks = {name: facet_mask(part.facets, _single(filters, name), size) for name in active}

        def passing(but: str, part: _Part = part, masks: dict = masks) -> np.ndarray:
            result = part.matched.copy()
            for name, mask in masks.items():
                if name != but:
                    result &= mask
            return result

        for name in counts:
            for value, n in _counts(part.facets, name, passing(name)).items():
                counts[name][value] = counts[name].get(value, 0) + n
        dragons += int(np.count_nonzero(passing("lying_dragons_only") & part.facets.lying_dragon))
        chosen = np.flatnonzero(passing(""))
        ids.append(part.ids[chosen])
        factors = boost_factors(part.facets, regional_boost)[chosen] if regional_boost else 1
        scores.append(part.scores[chosen] * factors)
        dragon_keys.append(part.facets.lying_dragon[chosen])
        metropolitan_keys.append(part.facets.metropolitan[chosen])
    all_ids, all_scores = np.concatenate(ids), np.concatenate(scores)
    # Best score first; then the lying dragons, then non-metropolitan, then index order.
    order = np.lexsort(
        (
            np.arange(len(all_ids)),
            np.concatenate(metropolitan_keys),
            ~np.concatenate(dragon_keys),
            -all_scores,
        )
    )
    return Listing(all_ids[order], all_scores[order], counts, dragons)
