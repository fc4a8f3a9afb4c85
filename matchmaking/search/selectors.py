"""Reads answered by the search index: a need's suggestions, explained, and the directory's
listings, as plain rows for the views, the API and the suggest command."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from matchmaking.ranker import Filters, Hit, Reason
from matchmaking.ranker.browse import Listing, browse
from matchmaking.search import store
from matchmaking.search.documents import linked_ids
from matchmaking.search.store import current_index
from matchmaking.search.tasks import rebuild_index
from profiles.models import Industry, Language, Organization, PartnershipType

__all__ = ["Filters", "Need", "Suggestion", "browse_directory", "filters_from", "suggest"]


@dataclass(frozen=True)
class Need:
    """What a foreign firm is looking for: the text, and the facets it cares about."""

    text: str
    industries: frozenset[str] = frozenset()
    partnership_types: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()


@dataclass
class Suggestion:
    organization: Organization
    score: float
    unboosted_score: float
    boosted: bool
    reasons: list[Reason]
    matched_facets: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self, *, staff: bool = False) -> dict[str, Any]:
        org = self.organization
        row: dict[str, Any] = {
            "external_id": org.external_id,
            "id": org.pk,
            "name_en": org.name_en,
            "name_ja": org.name_ja,
            "kind": org.kind,
            "prefecture": org.prefecture.code,
            "lying_dragon": org.lying_dragon,
            "score": round(self.score, 6),
            "boosted": self.boosted,
            "explanation": {
                "terms": [{"term": r.term, "concept": r.concept} for r in self.reasons],
                "facets": self.matched_facets,
            },
        }
        if staff:
            row["unboosted_score"] = round(self.unboosted_score, 6)
        return row


def regional_boost(enabled: bool | None) -> float:
    return float(settings.RANKER_REGIONAL_BOOST) if enabled is not False else 0.0


@dataclass(frozen=True)
class _FacetRow:
    codes: frozenset[str]  # its code (and, for an industry, those of the groups above it)
    names: dict[str, str]  # its name for a reader of each interface language

    def name(self, lang: str) -> str:
        lang = lang.lower()
        return self.names.get(lang) or self.names.get(lang[:2]) or self.names["en"]


_facet_rows: tuple[float, dict[str, dict[int, _FacetRow]]] | None = None
FACET_ROWS_MAX_AGE = 60.0


def _reference_facets() -> dict[str, dict[int, _FacetRow]]:
    """Industries, partnership types and languages by id: reference data, read at most once a
    minute per process (as the directory's filter options are)."""
    global _facet_rows
    now = time.monotonic()
    if _facet_rows is None or now - _facet_rows[0] > FACET_ROWS_MAX_AGE:
        rows = {
            "industries": _rows(Industry.objects.all()),
            "partnership_types": _rows(PartnershipType.objects.all()),
            "languages": _rows(Language.objects.all()),
        }
        _facet_rows = (now, rows)
    return _facet_rows[1]


def _rows(items: Iterable[Industry | PartnershipType | Language]) -> dict[int, _FacetRow]:
    return {
        item.pk: _FacetRow(
            item.lineage if isinstance(item, Industry) else frozenset({item.code}),
            {code: item.localized_name(code)[0] for code, _name in settings.LANGUAGES},
        )
        for item in items
    }


def _facet_links(ids: Collection[int]) -> dict[int, dict[str, list[_FacetRow]]]:
    """Each organization's industries, partnership types and languages, in their models'
    order: the link tables only (as the index reads them), no model instances."""
    reference = _reference_facets()
    within = Organization.objects.filter(pk__in=ids)
    found: dict[int, dict[str, list[_FacetRow]]] = {pk: {} for pk in ids}
    for name, ordering in (
        ("industries", "sort_key"),
        ("partnership_types", "order"),
        ("languages", "order"),
    ):
        for organization_id, related in linked_ids(name, ordering, within).items():
            # A row added since the last read of the reference data is shown after the next.
            rows = [reference[name][pk] for pk in related if pk in reference[name]]
            if rows:
                found[organization_id][name] = rows
    return found


def _matched_facets(
    links: dict[str, list[_FacetRow]], need: Need, filters: Filters, lang: str
) -> dict[str, list[str]]:
    wanted = {
        "industries": set(need.industries) | set(filters.industries),
        "partnership_types": set(need.partnership_types) | set(filters.partnership_types),
        "languages": set(need.languages) | set(filters.languages),
    }
    matched: dict[str, list[str]] = {}
    for name, values in wanted.items():
        names = [row.name(lang) for row in links.get(name, ()) if values and row.codes & values]
        if names:
            matched[name] = names
    return matched


def suggest(
    need: Need | str,
    *,
    top: int = 10,
    filters: Filters | None = None,
    boost: bool | None = None,
    lang: str = "en",
    skip: int = 0,
    exclude: Collection[int] = (),
) -> list[Suggestion]:
    """Return the published organizations that fit the need best, explained.

    `skip` the best ones first (a later page) and never return those in `exclude`; only the
    returned ones are read from the database and explained.
    """
    need = Need(need) if isinstance(need, str) else need
    filters = filters or Filters()
    exclude = set(exclude)
    loaded = current_index()
    index = loaded.index
    query = index.vectorize(need.text)
    # A few spare hits stand in for organizations unpublished since the index was built.
    hits = index.search(
        query,
        top=skip + top + len(exclude) + 5,
        filters=filters,
        regional_boost=regional_boost(boost),
    )
    hits = [h for h in hits if h.id not in exclude][skip : skip + top + 5]
    organizations = (
        Organization.objects.published()
        .filter(pk__in=[h.id for h in hits])
        .select_related("prefecture")
        .in_bulk()
    )
    kept = [h for h in hits if h.id in organizations][:top]
    links = _facet_links([h.id for h in kept])
    contributions = index.contributions(query, [h.position for h in kept], limit=12)
    return [
        Suggestion(
            organization=organizations[hit.id],
            score=hit.score,
            unboosted_score=hit.unboosted_score,
            boosted=hit.boosted,
            reasons=loaded.explainer.reasons(found, lang),
            matched_facets=_matched_facets(links[hit.id], need, filters, lang),
        )
        for hit, found in zip(kept, contributions, strict=True)
    ]


_first_build_lock = threading.Lock()
_first_build_requested = float("-inf")
FIRST_BUILD_REQUEST_SECONDS = 60.0


def served_index() -> store.Loaded | None:
    """The index to answer from, building the first one if none is stored yet.

    A directory small enough (RANKER_FIRST_BUILD_LIMIT published organizations) is indexed
    right here, so search works the moment data is loaded; a larger one is left to the
    background worker (`rebuild_index` task) and None is answered until it is stored.
    """
    loaded = store.index_cache.get()
    if loaded is not None:
        return loaded
    published = Organization.objects.published().count()
    if not published:
        return None  # nothing to search yet
    if published > settings.RANKER_FIRST_BUILD_LIMIT:
        _request_first_build()
        return None
    with _first_build_lock:
        store.index_cache.forget()
        loaded = store.index_cache.get()  # another thread of this process may have built it
        if loaded is None:
            loaded = store.build_and_serve()
    return loaded


def _request_first_build() -> None:
    global _first_build_requested
    now = time.monotonic()
    with _first_build_lock:
        if now - _first_build_requested < FIRST_BUILD_REQUEST_SECONDS:
            return
        _first_build_requested = now
    rebuild_index.enqueue()


def browse_directory(text: str, filters: Filters) -> Listing | None:
    """The directory's matches and facet counts from the served index (None: not built yet)."""
    loaded = served_index()
    if loaded is None:
        return None
    return browse(loaded.index, text, filters, regional_boost=regional_boost(None))


def suggest_hits(
    queries: Iterable[tuple[str, Filters]], *, top: int = 10, boost: bool | None = None
) -> Iterable[list[Hit]]:
    """Rank many queries in one process, without explanations (the batch interface)."""
    loaded = current_index()
    published = set(Organization.objects.published().values_list("pk", flat=True))
    factor = regional_boost(boost)
    for text, filters in queries:
        hits = loaded.index.search(text, top=top + 5, filters=filters, regional_boost=factor)
        yield [h for h in hits if h.id in published][:top]


def filters_from(
    *,
    kinds: Sequence[str] = (),
    prefectures: Sequence[str] = (),
    regions: Sequence[str] = (),
    industries: Sequence[str] = (),
    partnership_types: Sequence[str] = (),
    languages: Sequence[str] = (),
    lying_dragons_only: bool = False,
) -> Filters:
    def clean(values: Sequence[str]) -> tuple[str, ...]:
        return tuple(v.strip() for v in values if v and v.strip())

    return Filters(
        kinds=clean(kinds),
        prefectures=tuple(p.zfill(2) for p in clean(prefectures)),
        regions=clean(regions),
        industries=clean(industries),
        partnership_types=clean(partnership_types),
        languages=clean(languages),
        lying_dragons_only=lying_dragons_only,
    )


def pair_scores(
    needs: Mapping[int, str], organization_ids: Collection[int], *, filters: Filters | None = None
) -> dict[tuple[int, int], float]:
    """The ranker's score of each need (by key) against each of these organizations.

    Unboosted (an event weighs its own lying dragons); a pair the ranker did not score at all,
    or any pair before the first index is stored, is missing (scores 0).
    """
    loaded = served_index()
    wanted = set(organization_ids)
    if loaded is None or not wanted:
        return {}
    index = loaded.index
    scores: dict[tuple[int, int], float] = {}
    for key, text in needs.items():
        for hit in index.search(text, top=len(index), filters=filters):
            if hit.id in wanted:
                scores[(key, hit.id)] = float(hit.unboosted_score)
    return scores
