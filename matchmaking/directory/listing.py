"""The public directory: filters read from the URL, faceted counts, sorting, one page.

`DirectoryFilters` is what the URL says (normalised: unknown values are dropped, so a
hand-edited URL never errors); `browse` turns it into results and the count per filter value.
Every count is "how many would match if you picked this value", i.e. computed with all the
other filters applied but not its own, so the visitor sees the alternatives.

The search index (the ranker's, the one suggestions come from) answers the text search and
every count in memory, so a page costs one small query for its rows however many
organizations there are; it follows edits within seconds (`matchmaking.search`). The text
is analysed once, by the ranker's analyzer. Only while a large directory's first index is
being built (`selectors.served_index`) does the database list and count, without text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from matchmaking.ranker import Filters, GlossaryConcept, chinese
from matchmaking.ranker.browse import Listing
from matchmaking.ranker.text import has_japanese, normalize
from matchmaking.search.selectors import browse_directory
from profiles.models import Industry, Language, Organization, PartnershipType, Prefecture, Region
from profiles.models.organizations import display_name_order

PAGE_SIZE = 20
SORTS = {
    "relevance": _("Relevance"),
    "name": _("Name"),
    "updated": _("Last updated"),
}


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    kind: str = ""
    region: str = ""
    prefecture: str = ""
    industry: str = ""  # JSIC division letter
    partnership: str = ""
    language: str = ""
    dragons: bool = False
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, Any], options: FilterOptions) -> DirectoryFilters:
        def pick(name: str, allowed: Mapping[str, Any] | set[str]) -> str:
            value = str(params.get(name, "")).strip()
            return value if value in allowed else ""

        try:
            page = max(1, int(params.get("page", 1)))
        except ValueError:
            page = 1
        return cls(
            # Control characters (a NUL, which PostgreSQL refuses in a string) are dropped.
            q=" ".join(
                "".join(c if c.isprintable() else " " for c in str(params.get("q", ""))).split()
            )[:200],
            kind=pick("kind", set(Organization.Kind.values)),
            region=pick("region", options.regions),
            prefecture=pick("prefecture", options.prefectures),
            industry=pick("industry", options.divisions),
            partnership=pick("partnership", options.partnership_types),
            language=pick("language", options.languages),
            dragons=str(params.get("dragons", "")) in {"1", "on", "true"},
            sort=pick("sort", set(SORTS)) or "relevance",
            page=page,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """The non-default values, as they appear in the URL."""
        current = replace(self, **changes)
        defaults = DirectoryFilters()
        values: dict[str, str] = {}
        for item in fields(self):
            value = getattr(current, item.name)
            if value == getattr(defaults, item.name):
                continue
            values[item.name] = "1" if value is True else str(value)
        return values

    def querystring(self, **changes: Any) -> str:
        """The URL query for these filters: canonical, so equal filters give equal URLs."""
        return urlencode(self.params(**changes))

    @property
    def active(self) -> bool:
        return bool(self.params(sort="relevance", page=1))

    @property
    def filter_count(self) -> int:
        """How many filters narrow the list (the text query, sort and page are not filters)."""
        return len(self.params(q="", sort="relevance", page=1))


@dataclass(frozen=True)
class FilterOptions:
    """The values each filter can take, keyed by their URL code."""

    regions: dict[str, Region]
    prefectures: dict[str, Prefecture]
    divisions: dict[str, Industry]
    partnership_types: dict[str, PartnershipType]
    languages: dict[str, Language]

    @classmethod
    def load(cls) -> FilterOptions:
        """Return the options, read from the database at most once a minute per process.

        They are reference data (changed by load_reference_data, rarely by an admin), and
        reading them costs more than the facet counts themselves.
        """
        global _options
        now = time.monotonic()
        if _options is None or now - _options[0] > OPTIONS_MAX_AGE:
            _options = (now, cls._read())
        return _options[1]

    def choices(self) -> dict[str, list[tuple[str, str]]]:
        """Each filter's `(code, label)` pairs in the active language, without counts."""
        return {
            "kind": [(code, capfirst(str(label))) for code, label in Organization.Kind.choices],
            "region": [(code, row.name) for code, row in self.regions.items()],
            "prefecture": [(code, row.name) for code, row in self.prefectures.items()],
            "industry": [
                (code, division_label(row)) for code, row in sorted(self.divisions.items())
            ],
            "partnership": [(code, row.name) for code, row in self.partnership_types.items()],
            "language": [(code, row.name) for code, row in self.languages.items()],
        }

    @classmethod
    def _read(cls) -> FilterOptions:
        return cls(
            regions={region.code: region for region in Region.objects.all()},
            prefectures={
                prefecture.code: prefecture
                for prefecture in Prefecture.objects.select_related("region")
            },
            divisions={
                industry.division: industry
                for industry in Industry.objects.filter(level=Industry.Level.DIVISION)
            },
            partnership_types={p.code: p for p in PartnershipType.objects.all()},
            languages={language.code: language for language in Language.objects.all()},
        )


OPTIONS_MAX_AGE = 60.0
_options: tuple[float, FilterOptions] | None = None


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int


@dataclass
class DirectoryResult:
    filters: DirectoryFilters
    concepts: list[GlossaryConcept]
    page: Page[Organization]
    facets: dict[str, list[FacetValue]]
    dragon_count: int
    prefecture_groups: list[tuple[Region, list[FacetValue]]]
    # A text search asked for before the first index was stored: it waits for the index.
    index_pending: bool = False
    # The text had no word to search for (stop words only): every organization is listed.
    text_ignored: bool = False

    @property
    def cross_language_terms(self) -> list[str]:
        """The glossary terms searched in the language the visitor did not type (a need in
        Chinese met the Japanese terms)."""
        text = normalize(self.filters.q)
        if has_japanese(text) and chinese.script(text) is not None:
            return [c.name_ja for c in self.concepts]
        typed_japanese = has_japanese(text)
        return [c.name_en if typed_japanese else c.name_ja for c in self.concepts]

    @property
    def previous_query(self) -> str:
        return self.filters.querystring(page=self.page.number - 1)

    @property
    def next_query(self) -> str:
        return self.filters.querystring(page=self.page.number + 1)


def _has(through: Any, **lookups: Any) -> Exists:
    return Exists(through.objects.filter(organization_id=OuterRef("pk"), **lookups))


def _conditions(filters: DirectoryFilters) -> dict[str, Q]:
    """One condition per active filter, keyed by filter name."""
    conditions: dict[str, Q] = {}
    through: Any
    if filters.kind:
        conditions["kind"] = Q(kind=filters.kind)
    if filters.region:
        conditions["region"] = Q(prefecture__region__code=filters.region)
    if filters.prefecture:
        conditions["prefecture"] = Q(prefecture__code=filters.prefecture)
    if filters.industry:
        through = Organization.industries.through
        conditions["industry"] = Q(_has(through, industry__division=filters.industry))
    if filters.partnership:
        through = Organization.partnership_types.through
        conditions["partnership"] = Q(_has(through, partnershiptype__code=filters.partnership))
    if filters.language:
        through = Organization.languages.through
        conditions["language"] = Q(_has(through, language__code=filters.language))
    if filters.dragons:
        conditions["dragons"] = Q(lying_dragon=True)
    return conditions


def _except(
    base: QuerySet[Organization], conditions: dict[str, Q], name: str
) -> QuerySet[Organization]:
    for other, condition in conditions.items():
        if other != name:
            base = base.filter(condition)
    return base


def _through_counts(
    through: Any, organizations: QuerySet[Organization], key: str
) -> dict[str, int]:
    rows = (
        through.objects.filter(organization__in=organizations.values("pk"))
        .values(key)
        .annotate(n=Count("organization_id", distinct=True))
        .values_list(key, "n")
    )
    return dict(rows)


def _ordering(filters: DirectoryFilters) -> list[Any]:
    name = display_name_order("ja" if (get_language() or "en").startswith("ja") else "en")
    if filters.sort == "name":
        return [name.asc(), "pk"]
    if filters.sort == "updated":
        return ["-updated_at", "pk"]
    # Relevance without a text: the regional organizations this site exists for first.
    return ["-lying_dragon", "prefecture__metropolitan", name.asc(), "pk"]


def index_filters(filters: DirectoryFilters, options: FilterOptions) -> Filters:
    """The directory's filters as the search index's."""

    def one(value: str) -> tuple[str, ...]:
        return (value,) if value else ()

    division = options.divisions.get(filters.industry)
    return Filters(
        kinds=one(filters.kind),
        regions=one(filters.region),
        prefectures=one(filters.prefecture),
        industries=one(division.code if division is not None else ""),
        partnership_types=one(filters.partnership),
        languages=one(filters.language),
        lying_dragons_only=filters.dragons,
    )


def matching(
    filters: DirectoryFilters, organizations: QuerySet[Organization]
) -> QuerySet[Organization]:
    """Narrow these organizations as the directory's search and filters do, on every page.

    The same conditions as `browse` (search match, then each filter); sort and page are
    ignored. Exports of the directory's results use it.
    """
    if filters.q:
        listing = browse_directory(filters.q, index_filters(filters, FilterOptions.load()))
        if listing is None:
            return organizations.none()
        organizations = among(organizations, listing.ids.tolist())
    return _except(organizations, _conditions(filters), "")


def among(organizations: QuerySet[Organization], ids: list[int]) -> QuerySet[Organization]:
    """Keep these ids, passed as one parameter however many there are.

    A search can match most of the directory: as an IN list that is one parameter per id,
    past PostgreSQL's 65,535 and SQLite's limits.
    """
    quote = connection.ops.quote_name
    column = f"{quote(Organization._meta.db_table)}.{quote('id')}"
    # Safe: the SQL is a quoted column name; the ids travel as one parameter.
    params: list[object]
    if connection.vendor == "postgresql":
        sql, params = f"{column} = ANY(%s::bigint[])", [ids]
    else:
        sql, params = f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]  # noqa: S608
    return organizations.filter(RawSQL(sql, params, BooleanField()))  # noqa: S611


class _Rows:
    """The rows of a listing, best first, fetched a page at a time."""

    def __init__(self, listing: Listing) -> None:
        self.listing = listing

    def __len__(self) -> int:
        return len(self.listing)

    def __iter__(self) -> Iterator[Organization]:
        return iter(self[0 : len(self)])

    def __getitem__(self, window: slice) -> list[Organization]:
        best, _ = self.listing.best(window.stop)
        ids = best[window.start :].tolist()
        rows = Organization.objects.published().select_related("prefecture", "municipality")
        by_pk = rows.in_bulk(ids)
        return [by_pk[pk] for pk in ids if pk in by_pk]


class _Counted:
    """A queryset whose length is known already (from the index): no COUNT query."""

    def __init__(self, rows: QuerySet[Organization], count: int) -> None:
        self.rows, self.count = rows, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Organization]:
        return iter(self.rows)

    def __getitem__(self, window: slice) -> list[Organization]:
        return list(self.rows[window])


def _browse_index(
    filters: DirectoryFilters,
    options: FilterOptions,
    concepts: list[GlossaryConcept],
    listing: Listing,
) -> DirectoryResult:
    counts = {
        "kind": listing.counts["kinds"],
        "region": listing.counts["regions"],
        "prefecture": listing.counts["prefectures"],
        # The index knows every industry code; the directory filters by division.
        "industry": {
            letter: listing.counts["industries"].get(industry.code, 0)
            for letter, industry in options.divisions.items()
        },
        "partnership": listing.counts["partnership_types"],
        "language": listing.counts["languages"],
    }
    rows: _Rows | _Counted
    if filters.sort == "relevance":
        # The index orders too: by score, then lying dragons, then non-metropolitan, then
        # its own order (prefecture, then id). Ordering 100k rows by name in the database
        # cost 0.5 s a page.
        rows = _Rows(listing)
    else:
        # Sorted by name or date: the database orders, the index counts.
        results = _except(Organization.objects.published(), _conditions(filters), "")
        if filters.q:
            results = among(results, listing.ids.tolist())
        results = results.select_related("prefecture", "municipality")
        rows = _Counted(results.order_by(*_ordering(filters)), len(listing))
    page: Page[Organization] = Paginator(rows, PAGE_SIZE).get_page(filters.page)  # type: ignore[arg-type]
    result = _result(filters, options, concepts, page, counts, listing.dragons)
    result.text_ignored = listing.text_ignored
    return result


def browse(filters: DirectoryFilters, options: FilterOptions) -> DirectoryResult:
    """Return one page of published organizations and the count for every filter value."""
    listing = browse_directory(filters.q, index_filters(filters, options))
    if listing is not None:
        return _browse_index(filters, options, list(listing.concepts), listing)
    base = Organization.objects.published()
    if filters.q:
        base = base.none()
    conditions = _conditions(filters)

    counts = {
        "kind": dict(
            _except(base, conditions, "kind").values("kind").annotate(n=Count("pk"))
            .values_list("kind", "n")
        ),
        "region": dict(
            _except(base, conditions, "region").values("prefecture__region__code")
            .annotate(n=Count("pk")).values_list("prefecture__region__code", "n")
        ),
        "prefecture": dict(
            _except(base, conditions, "prefecture").values("prefecture__code")
            .annotate(n=Count("pk")).values_list("prefecture__code", "n")
        ),
        "industry": _through_counts(
            Organization.industries.through,
            _except(base, conditions, "industry"),
            "industry__division",
        ),
        "partnership": _through_counts(
            Organization.partnership_types.through,
            _except(base, conditions, "partnership"),
            "partnershiptype__code",
        ),
        "language": _through_counts(
            Organization.languages.through,
            _except(base, conditions, "language"),
            "language__code",
        ),
    }  # fmt: skip
    dragon_count = _except(base, conditions, "dragons").filter(lying_dragon=True).count()

    results = _except(base, conditions, "").select_related("prefecture", "municipality")
    page = Paginator(results.order_by(*_ordering(filters)), PAGE_SIZE).get_page(filters.page)
    result = _result(filters, options, [], page, counts, dragon_count)
    result.index_pending = bool(filters.q) and Organization.objects.published().exists()
    return result


def _result(
    filters: DirectoryFilters,
    options: FilterOptions,
    concepts: list[GlossaryConcept],
    page: Page[Organization],
    counts: dict[str, dict[str, int]],
    dragon_count: int,
) -> DirectoryResult:
    facets = {
        "kind": [
            FacetValue(code, capfirst(str(label)), counts["kind"].get(code, 0))
            for code, label in Organization.Kind.choices
        ],
        "region": _facet(options.regions, counts["region"]),
        "industry": [
            FacetValue(code, division_label(industry), counts["industry"].get(code, 0))
            for code, industry in sorted(options.divisions.items())
        ],
        "partnership": _facet(options.partnership_types, counts["partnership"]),
        "language": _facet(options.languages, counts["language"]),
    }
    groups: dict[int, list[FacetValue]] = {}
    for code, prefecture in options.prefectures.items():
        groups.setdefault(prefecture.region_id, []).append(
            FacetValue(code, prefecture.name, counts["prefecture"].get(code, 0))
        )
    prefecture_groups = [
        (region, groups.get(region.pk, [])) for region in options.regions.values()
    ]
    return DirectoryResult(
        filters=filters,
        concepts=concepts,
        page=page,
        facets=facets,
        dragon_count=dragon_count,
        prefecture_groups=prefecture_groups,
    )


def division_label(industry: Industry) -> str:
    # JSIC writes the English division names in capitals.
    name = industry.name
    return name.capitalize() if name.isupper() else name


def _facet(options: Mapping[str, Any], counts: dict[str, int]) -> list[FacetValue]:
    return [FacetValue(code, row.name, counts.get(code, 0)) for code, row in options.items()]
