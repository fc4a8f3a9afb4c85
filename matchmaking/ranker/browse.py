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
from matchmaking.ranker.index import Index, QueryVector, role_factors
from matchmaking.ranker.text import GlossaryConcept

SINGLE_FACETS = ("kinds", "regions", "prefectures")
# Listings without a text kept per index: the directory's landing page and its filters
# are most of its traffic. At 100k documents one holds about 1.4 MB.
CACHED_LISTINGS = 16
MULTI_FACETS = ("industries", "partnership_types", "languages")


@dataclass
class _Part:
    """The fitted documents or the delta segment: their facets and what matched."""

    facets: Facets
    ids: np.ndarray
    matched: np.ndarray  # bool: live and matching the text
    scores: np.ndarray  # float32 cosine similarity (zero without a text)
    factors: np.ndarray | None  # regional boost × role factor per document (None: none)


@dataclass
class Listing:
    """The documents that pass, and the count of every facet value.

    Held unordered: `best(n)` orders only what a page needs, `ids` is the whole set.
    """

    ids: np.ndarray  # organization ids, in index order
    scores: np.ndarray  # their boosted cosine similarity with the text (zero without one)
    lying_dragon: np.ndarray
    metropolitan: np.ndarray
    counts: dict[str, dict[str, int]]  # filter name -> facet value -> documents
    dragons: int  # lying dragons among the documents, ignoring the lying-dragon filter
    # The glossary concepts the text named, in glossary order ("also searched" in the page).
    concepts: tuple[GlossaryConcept, ...] = ()
    # The text had nothing to search for (only words too common to mean anything): the
    # listing is the whole directory, as without a text, and the page says why.
    text_ignored: bool = False

    def __len__(self) -> int:
        return len(self.ids)

    def best(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The first n ids and scores: best score first, then the lying dragons, then
        non-metropolitan prefectures, then index order."""
        n = min(n, len(self.ids))
        if n == 0:
            return self.ids[:0], self.scores[:0]
        # Those that score above the n-th best score come first, sorted; then, from those
        # tied with it (often many: every listing without a text ties at zero), the lying
        # dragons, the non-metropolitan and the rest, each in index order.
        threshold = np.partition(self.scores, len(self.ids) - n)[len(self.ids) - n]
        above = np.flatnonzero(self.scores > threshold)
        above = above[
            np.lexsort(
                (
                    above,
                    self.metropolitan[above],
                    ~self.lying_dragon[above],
                    -self.scores[above],
                )
            )
        ]
        tied = self.scores == threshold
        groups = [above]
        wanted = n - len(above)
        for dragon, metropolitan in ((True, False), (True, True), (False, False), (False, True)):
            if wanted <= 0:
                break
            group = np.flatnonzero(
                tied & (self.lying_dragon == dragon) & (self.metropolitan == metropolitan)
            )[:wanted]
            groups.append(group)
            wanted -= len(group)
        chosen = np.concatenate(groups)
        return self.ids[chosen], self.scores[chosen]


def _parts(index: Index, query: QueryVector | None, regional_boost: float) -> list[_Part]:
    common = query.common if query is not None else ()
    fitted_scores = (
        index.scores(query) if query is not None else np.zeros(len(index.ids), np.float32)
    )
    matched = index.live
    if query is not None:
        hit = fitted_scores > 0
        for feature in common:
            hit[index.common_postings(feature)] = True
        matched &= hit
    # The regional boost and the role factor, as Index.search applies them.
    roles = query.roles if query is not None else 0
    role_boost = query.role_boost if query is not None else 0.0
    fitted_factors = index.factors(regional_boost, roles, role_boost)
    factors = fitted_factors if len(fitted_factors) else None
    parts = [_Part(index.facets, index.ids, matched, fitted_scores, factors)]
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
        factors = boost_factors(segment.facets, regional_boost) if regional_boost else None
        if roles and role_boost > 0:
            found = role_factors(segment.roles, roles, role_boost)
            factors = found if factors is None else factors * found
        parts.append(_Part(segment.facets, segment.ids, hit, scores, factors))
    return parts


def _active(filters: Filters) -> list[str]:
    return [item.name for item in fields(filters) if getattr(filters, item.name)]


def _single(facet: Filters, name: str) -> Filters:
    return replace(Filters(), **{name: getattr(facet, name)})


def _multi_counts(facet: MultiFacet, passing: np.ndarray) -> dict[str, int]:
    counts = facet.counts(passing).tolist()
    return {value: int(n) for value, n in zip(facet.values, counts, strict=True) if n}


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
    # One analysis of the text: the scored terms, the corpus stop words and the concepts.
    query = index.vectorize(text) if text else None
    if query is not None and query.content:
        return _browse(index, query, filters, regional_boost)
    # No text, or none with content (only stop words): the whole directory, as with none.
    key = (filters, regional_boost)  # Index.set_segment (every edit) empties the cache
    listing: Listing | None = index.listings.get(key)
    if listing is None:
        if len(index.listings) >= CACHED_LISTINGS:
            index.listings.pop(next(iter(index.listings)))
        listing = index.listings[key] = _browse(index, None, filters, regional_boost)
    return replace(listing, text_ignored=True) if text else listing


def _browse(
    index: Index, query: QueryVector | None, filters: Filters, regional_boost: float
) -> Listing:
    counts: dict[str, dict[str, int]] = {name: {} for name in (*SINGLE_FACETS, *MULTI_FACETS)}
    dragons = 0
    active = _active(filters)
    ids, scores, dragon_keys, metropolitan_keys = [], [], [], []
    for part in _parts(index, query, regional_boost):
        size = len(part.ids)
        masks = {name: facet_mask(part.facets, _single(filters, name), size) for name in active}
        everything = part.matched.copy()
        for mask in masks.values():
            everything &= mask

        def passing(
            but: str,
            part: _Part = part,
            masks: dict[str, np.ndarray] = masks,
            everything: np.ndarray = everything,
        ) -> np.ndarray:
            """What passes every filter but this one (and matches the text)."""
            if but not in masks:
                return everything
            result = part.matched.copy()
            for name, mask in masks.items():
                if name != but:
                    result &= mask
            return result

        for name in counts:
            for value, n in _counts(part.facets, name, passing(name)).items():
                counts[name][value] = counts[name].get(value, 0) + n
        dragons += int(np.count_nonzero(passing("lying_dragons_only") & part.facets.lying_dragon))
        chosen = np.flatnonzero(everything)
        ids.append(part.ids[chosen])
        scores.append(
            part.scores[chosen] * part.factors[chosen]
            if part.factors is not None
            else part.scores[chosen]
        )
        dragon_keys.append(part.facets.lying_dragon[chosen])
        metropolitan_keys.append(part.facets.metropolitan[chosen])
    return Listing(
        np.concatenate(ids),
        np.concatenate(scores),
        np.concatenate(dragon_keys),
        np.concatenate(metropolitan_keys),
        counts,
        dragons,
        tuple(c for c in index.concepts if query is not None and c.key in query.concepts),
    )
