"""A prefecture's key figures per quarter and year: what its investment desk reports.

Read-only selectors over what the site already records: organization history (published),
suggestions shown to firms (`SuggestionShown`, once per firm, organization and week),
introduction requests and their transitions. A scope of None means every prefecture (an
admin). Each figure is computed grouped by prefecture, so one period costs the same few
queries for one prefecture or all 47 (the national view compares them).
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.models import (
    IntroductionEvent,
    IntroductionRequest,
    IntroductionState,
    SuggestionShown,
)
from profiles.models import Industry, OrganizationChange, Prefecture

Scope = frozenset[int] | None

# The rows of the report, in order: (key, label).
METRICS = (
    ("published", _("Profiles published")),
    ("shown", _("Times shown to firms")),
    ("requested", _("Introductions requested")),
    ("accepted", _("Introductions accepted")),
    ("declined", _("Introductions declined")),
    ("median_days", _("Median days to first response")),
)
# A first response is staff moving a submitted request on; a firm withdrawing is not one.
RESPONSES = (
    IntroductionState.UNDER_REVIEW,
    IntroductionState.INFO_REQUESTED,
    IntroductionState.FORWARDED,
    IntroductionState.ACCEPTED,
    IntroductionState.DECLINED,
)


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime.date
    end: datetime.date  # exclusive

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as aware datetimes in the site's time zone (Japan)."""
        zone = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(self.start, datetime.time(), tzinfo=zone),
            datetime.datetime.combine(self.end, datetime.time(), tzinfo=zone),
        )


def periods(year: int) -> list[Period]:
    """The four quarters of a calendar year, then the year."""
    quarters = [
        Period(
            f"{year} Q{q}",
            datetime.date(year, 3 * q - 2, 1),
            datetime.date(year + (q == 4), (3 * q) % 12 + 1, 1),
        )
        for q in range(1, 5)
    ]
    return [*quarters, Period(str(year), datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))]


@dataclass
class Figures:
    published: int = 0
    shown: int = 0
    requested: int = 0
    accepted: int = 0
    declined: int = 0
    median_days: float | None = None

    def value(self, key: str) -> int | float | None:
        value: int | float | None = getattr(self, key)
        return value


@dataclass
class Breakdown:
    """Introductions by a firm's country or an organization's industry, for one period."""

    label: str
    requested: int = 0
    accepted: int = 0


@dataclass
class Report:
    year: int
    periods: list[Period]
    figures: list[Figures]
    countries: list[Breakdown] = field(default_factory=list)
    industries: list[Breakdown] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str, list[int | float | None]]]:
        """(key, label, one value per period): the table as a report shows it."""
        return [
            (key, str(label), [figures.value(key) for figures in self.figures])
            for key, label in METRICS
        ]


def _in_scope[M: Model](queryset: QuerySet[M], scope: Scope, prefecture: str) -> QuerySet[M]:
    return queryset if scope is None else queryset.filter(**{f"{prefecture}__in": scope})


def _requests(scope: Scope, period: Period) -> QuerySet[IntroductionRequest]:
    start, end = period.bounds()
    requests = IntroductionRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    return _in_scope(requests, scope, "organization__prefecture_id")


def _transitions(scope: Scope, period: Period, to_state: str) -> QuerySet[IntroductionEvent]:
    start, end = period.bounds()
    events = IntroductionEvent.objects.filter(to_state=to_state, at__gte=start, at__lt=end)
    return _in_scope(events, scope, "request__organization__prefecture_id")


def _count_by_prefecture(queryset: QuerySet[Any], prefecture: str) -> Counter[int]:
    return Counter(
        {
            row[prefecture]: row["n"]
            for row in queryset.order_by().values(prefecture).annotate(n=Count("pk"))
        }
    )


def published_by_prefecture(scope: Scope, period: Period) -> Counter[int]:
    """Organizations published in the period (created published, or moved to published);
    one published twice counts once."""
    start, end = period.bounds()
    changes = _in_scope(
        OrganizationChange.objects.filter(at__gte=start, at__lt=end, fields__has_key="status"),
        scope,
        "organization__prefecture_id",
    )
    published = {
        (change["organization__prefecture_id"], change["organization_id"])
        for change in changes.values("organization_id", "organization__prefecture_id", "fields")
        if (change["fields"].get("status") or [None])[-1] == "published"
    }
    return Counter(prefecture for prefecture, _organization in published)


def median_days(waits: list[float]) -> float | None:
    return round(statistics.median(waits), 1) if waits else None


def first_response_days(scope: Scope, period: Period) -> dict[int, list[float]]:
    """Per prefecture, the days from each request of the period to staff's first move on it
    (requests not answered yet are left out)."""
    requests = _requests(scope, period)
    first: dict[int, datetime.datetime] = {}
    for request_id, at in (
        IntroductionEvent.objects.filter(
            request__in=requests,
            from_state=IntroductionState.SUBMITTED,
            to_state__in=RESPONSES,
        )
        .order_by("at")
        .values_list("request_id", "at")
    ):
        first.setdefault(request_id, at)
    waits: dict[int, list[float]] = defaultdict(list)
    for request_id, prefecture, created in requests.values_list(
        "pk", "organization__prefecture_id", "created_at"
    ):
        if request_id in first:
            waits[prefecture].append((first[request_id] - created).total_seconds() / 86400)
    return waits


def figures_by_prefecture(scope: Scope, period: Period) -> dict[int, Figures]:
    published = published_by_prefecture(scope, period)
    shown = _count_by_prefecture(
        _in_scope(
            SuggestionShown.objects.filter(week__gte=period.start, week__lt=period.end),
            scope,
            "organization__prefecture_id",
        ),
        "organization__prefecture_id",
    )
    requested = _count_by_prefecture(_requests(scope, period), "organization__prefecture_id")
    accepted, declined = (
        _count_by_prefecture(
            _transitions(scope, period, state), "request__organization__prefecture_id"
        )
        for state in (IntroductionState.ACCEPTED, IntroductionState.DECLINED)
    )
    waits = first_response_days(scope, period)
    prefectures = set(published) | set(shown) | set(requested) | set(accepted) | set(declined)
    return {
        prefecture: Figures(
            published=published[prefecture],
            shown=shown[prefecture],
            requested=requested[prefecture],
            accepted=accepted[prefecture],
            declined=declined[prefecture],
            median_days=median_days(waits.get(prefecture, [])),
        )
        for prefecture in prefectures
    }


def figures(scope: Scope, period: Period) -> Figures:
    """The scope's figures for the period, its prefectures together."""
    total = Figures()
    for each in figures_by_prefecture(scope, period).values():
        total.published += each.published
        total.shown += each.shown
        total.requested += each.requested
        total.accepted += each.accepted
        total.declined += each.declined
    waits = [wait for values in first_response_days(scope, period).values() for wait in values]
    total.median_days = median_days(waits)
    return total


def _breakdowns(
    requested: Counter[str], accepted: Counter[str], labels: dict[str, str]
) -> list[Breakdown]:
    keys = sorted(set(requested) | set(accepted), key=lambda k: (-requested[k], labels[k]))
    return [Breakdown(labels[k], requested[k], accepted[k]) for k in keys]


def by_country(scope: Scope, period: Period) -> list[Breakdown]:
    requested = Counter(_requests(scope, period).values_list("firm__country", flat=True))
    accepted = Counter(
        _transitions(scope, period, IntroductionState.ACCEPTED).values_list(
            "request__firm__country", flat=True
        )
    )
    labels = {code: code.upper() for code in set(requested) | set(accepted)}
    return _breakdowns(requested, accepted, labels)


def by_industry(scope: Scope, period: Period) -> list[Breakdown]:
    """By the JSIC division of the organization asked for (each of its divisions once)."""
    divisions: dict[int, set[str]] = defaultdict(set)

    def count(organization_ids: list[int]) -> Counter[str]:
        counter: Counter[str] = Counter()
        for organization_id in organization_ids:
            counter.update(divisions[organization_id] or {""})
        return counter

    requested_orgs = list(_requests(scope, period).values_list("organization_id", flat=True))
    accepted_orgs = list(
        _transitions(scope, period, IntroductionState.ACCEPTED).values_list(
            "request__organization_id", flat=True
        )
    )
    for organization_id, division in Industry.objects.filter(
        organizations__in=set(requested_orgs) | set(accepted_orgs)
    ).values_list("organizations", "division"):
        divisions[organization_id].add(division)
    requested, accepted = count(requested_orgs), count(accepted_orgs)
    names = {
        industry.code: f"{industry.code} {industry.name}"
        for industry in Industry.objects.filter(code__in=set(requested) | set(accepted))
    }
    labels = {
        code: names.get(code, str(_("No industry given")))
        for code in set(requested) | set(accepted)
    }
    return _breakdowns(requested, accepted, labels)


def report(scope: Scope, year: int) -> Report:
    year_periods = periods(year)
    whole_year = year_periods[-1]
    return Report(
        year=year,
        periods=year_periods,
        figures=[figures(scope, period) for period in year_periods],
        countries=by_country(scope, whole_year),
        industries=by_industry(scope, whole_year),
    )


@dataclass
class PrefectureFigures:
    prefecture: Prefecture
    figures: Figures


def national(year: int) -> list[PrefectureFigures]:
    """Every prefecture's figures for the year, for admins comparing them."""
    per_prefecture = figures_by_prefecture(None, periods(year)[-1])
    return [
        PrefectureFigures(prefecture, per_prefecture.get(prefecture.pk, Figures()))
        for prefecture in Prefecture.objects.order_by("code")
    ]


def years(scope: Scope) -> list[int]:
    """The years the report can show, newest first: from the first request to this one."""
    this_year = timezone.localdate().year
    requests = _in_scope(IntroductionRequest.objects.all(), scope, "organization__prefecture_id")
    first = requests.order_by("created_at").values_list("created_at", flat=True).first()
    first_year = timezone.localtime(first).year if first else this_year
    return list(range(this_year, min(first_year, this_year) - 1, -1))
