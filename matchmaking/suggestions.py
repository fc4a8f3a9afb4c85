"""Django glue for the ranker: documents from published organizations, the stored index,
and suggestions as plain rows for the views, the API and the suggest command."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ManyToManyField
from django.utils import timezone

from matchmaking.models import SearchIndex
from matchmaking.ranker import (
    Document,
    Explainer,
    Filters,
    FitParams,
    GlossaryConcept,
    Hit,
    Index,
    Reason,
    fit,
)
from matchmaking.ranker.browse import Listing, browse
from matchmaking.ranker.delta import apply_edits
from profiles.models import Concept, ForeignFirm, Industry, Language, Organization, PartnershipType
from profiles.models.organizations import OrganizationQuerySet

logger = logging.getLogger(__name__)

KEEP_VERSIONS = 3


def glossary_concepts() -> list[GlossaryConcept]:
    return [
        GlossaryConcept(
            key=c.key,
            name_en=c.name_en,
            name_ja=c.name_ja,
            terms_en=tuple(c.terms_en()),
            terms_ja=tuple(c.terms_ja()),
        )
        for c in Concept.objects.order_by("key")
    ]


def _industry_codes() -> dict[int, frozenset[str]]:
    """Each industry's code with its ancestors' codes, so a filter on a division matches."""
    return {industry.pk: industry.lineage for industry in Industry.objects.all()}


def _linked(
    field: str, ordering: str, organizations: OrganizationQuerySet
) -> dict[int, list[int]]:
    """Each organization's related rows through a many-to-many field, as primary keys in
    the related model's order (what `prefetch_related` would give)."""
    m2m = Organization._meta.get_field(field)
    assert isinstance(m2m, ManyToManyField)
    source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    through = m2m.remote_field.through
    assert through is not None
    links = (
        through._default_manager.filter(**{f"{source}__in": organizations.values("pk")})
        .order_by(f"{target}__{ordering}", f"{target}__pk")
        .values_list(f"{source}_id", f"{target}_id")
    )
    linked: dict[int, list[int]] = {}
    for organization, related in links:
        linked.setdefault(organization, []).append(related)
    return linked


def organization_documents(
    organizations: OrganizationQuerySet | None = None,
) -> list[Document]:
    """The published organizations (of the given queryset) as the ranker sees them.

    Read as plain rows rather than model instances with prefetched relations, which took
    5 of the 20 seconds of a rebuild at 20,000 organizations.
    """
    published = (
        organizations if organizations is not None else Organization.objects.all()
    ).published()
    ancestors = _industry_codes()
    industry_names = {
        pk: f"{name_en}\n{name_ja}"
        for pk, name_en, name_ja in Industry.objects.values_list("pk", "name_en", "name_ja")
    }
    partnership_codes = dict(PartnershipType.objects.values_list("pk", "code"))
    language_codes = dict(Language.objects.values_list("pk", "code"))
    industries = _linked("industries", "sort_key", published)
    partnership_types = _linked("partnership_types", "order", published)
    languages = _linked("languages", "order", published)
    rows = published.order_by("pk").values_list(
        "pk",
        "external_id",
        "name_en",
        "name_ja",
        "description_en",
        "description_ja",
        "offers_en",
        "offers_ja",
        "seeks_en",
        "seeks_ja",
        "keywords",
        "kind",
        "prefecture__code",
        "prefecture__region__code",
        "prefecture__metropolitan",
        "lying_dragon",
    )
    documents = []
    for (
        pk,
        external_id,
        name_en,
        name_ja,
        description_en,
        description_ja,
        offers_en,
        offers_ja,
        seeks_en,
        seeks_ja,
        keywords,
        kind,
        prefecture,
        region,
        metropolitan,
        lying_dragon,
    ) in rows.iterator(chunk_size=2000):
        industry_ids = industries.get(pk, ())
        documents.append(
            Document(
                id=pk,
                external_id=external_id,
                fields={
                    "name": f"{name_en}\n{name_ja}",
                    "description": f"{description_en}\n{description_ja}",
                    "offers": f"{offers_en}\n{offers_ja}",
                    "seeks": f"{seeks_en}\n{seeks_ja}",
                    "keywords": keywords,
                    "industries": "\n".join(industry_names[i] for i in industry_ids),
                },
                kind=kind,
                prefecture=prefecture,
                region=region,
                metropolitan=metropolitan,
                lying_dragon=lying_dragon,
                industries=tuple(sorted({c for i in industry_ids for c in ancestors[i]})),
                partnership_types=tuple(
                    partnership_codes[p] for p in partnership_types.get(pk, ())
                ),
                languages=tuple(language_codes[lang] for lang in languages.get(pk, ())),
            )
        )
    return documents


def build_index(*, params: FitParams | None = None, workers: int = 1) -> SearchIndex:
    """Fit a new index aside and store it; requests keep the old one until it is saved."""
    started = time.perf_counter()
    read_at = timezone.now()
    documents = organization_documents()
    params = params or FitParams()
    index = fit(documents, glossary_concepts(), params, workers=workers)
    stored = _store(index, read_at=read_at, started=started, params=params.as_dict())
    logger.info("Built %s in %.2f s", stored, stored.build_seconds)
    return stored


def update_index(organization_ids: Iterable[int]) -> SearchIndex:
    """Apply changed organizations to the newest index as a delta, without a refit.

    Published ones are (re)vectorised into the delta segment, the others leave the index;
    once the delta holds more than RANKER_DELTA_LIMIT organizations, or there is no index
    yet, this is a full rebuild instead (which also refreshes the idf: see ranker.delta).
    The newest row is locked while the update is made, so two concurrent updates apply
    one after the other instead of one losing the other's change (PostgreSQL; SQLite runs
    one writer at a time anyway).
    """
    ids = set(organization_ids)
    started = time.perf_counter()
    with transaction.atomic():
        newest = SearchIndex.objects.select_for_update().order_by("-pk").first()
        if newest is not None:
            index = Index.from_bytes(bytes(newest.blob))
            pending = len(index.segment) if index.segment is not None else 0
            if pending + len(ids) <= settings.RANKER_DELTA_LIMIT:
                read_at = timezone.now()
                documents = organization_documents(Organization.objects.filter(pk__in=ids))
                published = {doc.id for doc in documents}
                apply_edits(index, upserts=documents, removals=ids - published)
                stored = _store(index, read_at=read_at, started=started, params=newest.params)
                logger.info("Updated %s with %d organizations", stored, len(ids))
                return stored
    return build_index()


def _store(index: Index, *, read_at: Any, started: float, params: dict[str, Any]) -> SearchIndex:
    blob = index.to_bytes()
    with transaction.atomic():
        stored = SearchIndex.objects.create(
            source_read_at=read_at,
            document_count=len(index),
            vocabulary_size=len(index.vocabulary),
            build_seconds=time.perf_counter() - started,
            params=params,
            size_bytes=len(blob),
            blob=blob,
        )
        stale = SearchIndex.objects.order_by("-pk").values_list("pk", flat=True)[KEEP_VERSIONS:]
        SearchIndex.objects.filter(pk__in=list(stale)).delete()
    return stored


@dataclass
class _Loaded:
    version: int
    created_at: Any
    index: Index
    explainer: Explainer


class _IndexCache:
    """The index this process serves: loaded at first use, replaced when a newer one exists.

    The database is asked for the newest version at most every RANKER_RELOAD_SECONDS, so a
    new index is picked up within seconds and without a restart.
    """

    def __init__(self) -> None:
        self.loaded: _Loaded | None = None
        self.checked_at = float("-inf")
        self.lock = threading.Lock()

    def get(self) -> _Loaded | None:
        now = time.monotonic()
        if now - self.checked_at < settings.RANKER_RELOAD_SECONDS and self.loaded is not None:
            return self.loaded
        with self.lock:
            newest = SearchIndex.objects.newest()
            self.checked_at = now
            if newest is None:
                self.loaded = None
            elif self.loaded is None or (self.loaded.version, self.loaded.created_at) != (
                newest.pk,
                newest.created_at,
            ):
                blob = SearchIndex.objects.filter(pk=newest.pk).values_list("blob", flat=True)
                index = Index.from_bytes(bytes(blob[0]))
                self.loaded = _Loaded(
                    newest.pk, newest.created_at, index, Explainer(index.concepts)
                )
            return self.loaded

    def forget(self) -> None:
        with self.lock:
            self.loaded, self.checked_at = None, float("-inf")


index_cache = _IndexCache()


class IndexMissing(Exception):
    """No index has been built yet: run `python manage.py rebuild_index`."""


@dataclass(frozen=True)
class Need:
    """What a foreign firm is looking for: the text, and the facets it cares about."""

    text: str
    industries: frozenset[str] = frozenset()
    partnership_types: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()


def firm_need(firm: ForeignFirm) -> Need:
    # What the firm seeks is the need; what it offers and its keywords tell who would want it.
    text = "\n".join([firm.seeks_en, firm.seeks_ja, firm.keywords, firm.offers_en, firm.offers_ja])
    return Need(
        text=text,
        # .all(), not values_list: a view that prefetched them reads no more rows.
        industries=frozenset(item.code for item in firm.industries.all()),
        partnership_types=frozenset(item.code for item in firm.partnership_types.all()),
        languages=frozenset(item.code for item in firm.languages.all()),
    )


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


def current_index() -> _Loaded:
    loaded = index_cache.get()
    if loaded is None:
        raise IndexMissing("No search index yet: run python manage.py rebuild_index")
    return loaded


@dataclass(frozen=True)
class _FacetRow:
    codes: frozenset[str]  # its code (and, for an industry, those of the groups above it)
    name_en: str
    name_ja: str


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
            item.name_en,
            item.name_ja,
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
        for organization_id, related in _linked(name, ordering, within).items():
            # A row added since the last read of the reference data is shown after the next.
            rows = [reference[name][pk] for pk in related if pk in reference[name]]
            if rows:
                found[organization_id][name] = rows
    return found


def _matched_facets(
    links: dict[str, list[_FacetRow]], need: Need, filters: Filters, lang: str
) -> dict[str, list[str]]:
    japanese = lang.startswith("ja")
    wanted = {
        "industries": set(need.industries) | set(filters.industries),
        "partnership_types": set(need.partnership_types) | set(filters.partnership_types),
        "languages": set(need.languages) | set(filters.languages),
    }
    matched: dict[str, list[str]] = {}
    for name, values in wanted.items():
        names = [
            row.name_ja if japanese else row.name_en
            for row in links.get(name, ())
            if values and row.codes & values
        ]
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


def browse_directory(text: str, filters: Filters) -> Listing | None:
    """The directory's matches and facet counts from the served index (None: not built yet)."""
    loaded = index_cache.get()
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
