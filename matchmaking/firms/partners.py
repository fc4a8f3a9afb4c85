"""Suggested partners for a firm: its profile as the query, the directory's filters on top."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from matchmaking.directory.listing import DirectoryFilters, FilterOptions
from matchmaking.firms.models import ForeignFirm, SuggestionFeedback
from matchmaking.search import selectors, store
from profiles.models import Organization

PAGE_SIZE = 10
MAX_PAGES = 10
SIMILAR_COUNT = 5


def firm_need(firm: ForeignFirm) -> selectors.Need:
    # What the firm seeks is the need; what it offers and its keywords tell who would want it.
    text = "\n".join([firm.seeks_en, firm.seeks_ja, firm.keywords, firm.offers_en, firm.offers_ja])
    return selectors.Need(
        text=text,
        # .all(), not values_list: a view that prefetched them reads no more rows.
        industries=frozenset(item.code for item in firm.industries.all()),
        partnership_types=frozenset(item.code for item in firm.partnership_types.all()),
        languages=frozenset(item.code for item in firm.languages.all()),
    )


@dataclass(frozen=True)
class SuggestionQuery:
    filters: DirectoryFilters
    refine: str
    boost: bool
    page: int

    @classmethod
    def from_query(cls, params: Any, options: FilterOptions) -> SuggestionQuery:
        filters = DirectoryFilters.from_query(params, options)
        # A hidden "0" precedes the checkbox, so an unticked box still says "off".
        boost_values = params.getlist("boost") if hasattr(params, "getlist") else []
        return cls(
            filters=filters,
            refine=" ".join(str(params.get("refine", "")).split())[:200],
            boost=(boost_values[-1] != "0") if boost_values else True,
            page=min(filters.page, MAX_PAGES),
        )

    def querystring(self, **changes: Any) -> str:
        values = self.filters.params(page=changes.get("page", self.page), sort="relevance", q="")
        if self.refine:
            values["refine"] = self.refine
        if not self.boost:
            values["boost"] = "0"
        return urlencode(values)


@dataclass
class SuggestionPage:
    rows: list[selectors.Suggestion]
    number: int
    has_next: bool
    hidden_count: int


def ranker_filters(filters: DirectoryFilters, options: FilterOptions) -> selectors.Filters:
    division = options.divisions.get(filters.industry)
    return selectors.filters_from(
        kinds=[filters.kind],
        prefectures=[filters.prefecture],
        regions=[filters.region],
        industries=[division.code] if division else [],
        partnership_types=[filters.partnership],
        languages=[filters.language],
        lying_dragons_only=filters.dragons,
    )


def suggested_partners(
    firm: ForeignFirm, query: SuggestionQuery, options: FilterOptions, *, lang: str
) -> SuggestionPage:
    """Rank for the firm's profile plus the refine text, without what it marked not relevant."""
    need = firm_need(firm)
    if query.refine:
        need = selectors.Need(
            text=f"{need.text}\n{query.refine}",
            industries=need.industries,
            partnership_types=need.partnership_types,
            languages=need.languages,
        )
    hidden = set(
        SuggestionFeedback.objects.filter(firm=firm).values_list("organization_id", flat=True)
    )
    # One more than a page tells whether there is a next one.
    found = selectors.suggest(
        need,
        top=PAGE_SIZE + 1,
        filters=ranker_filters(query.filters, options),
        boost=query.boost,
        lang=lang,
        skip=(query.page - 1) * PAGE_SIZE,
        exclude=hidden,
    )
    return SuggestionPage(
        rows=found[:PAGE_SIZE],
        number=query.page,
        has_next=len(found) > PAGE_SIZE and query.page < MAX_PAGES,
        hidden_count=len(hidden),
    )


def similar_organizations(
    organization: Organization, *, top: int = SIMILAR_COUNT
) -> list[Organization]:
    """Rank the directory against this organization's own profile (empty without an index).

    No explanations here: the organization page shows names only, and one query loads them.
    """
    text = "\n".join(
        [
            organization.offers_en,
            organization.offers_ja,
            organization.description_en,
            organization.description_ja,
            organization.keywords,
        ]
    )
    if not text.strip():
        return []
    try:
        loaded = store.current_index()
    except store.IndexMissing:
        return []
    hits = loaded.index.search(
        loaded.index.vectorize(text),
        top=top + 6,
        filters=selectors.Filters(),
        regional_boost=selectors.regional_boost(None),
    )
    ids = [h.id for h in hits if h.id != organization.pk]
    found = (
        Organization.objects.published().filter(pk__in=ids).select_related("prefecture").in_bulk()
    )
    return [found[pk] for pk in ids if pk in found][:top]
