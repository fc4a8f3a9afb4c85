"""Demand figures per prefecture, scoped like everything curators see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from matchmaking.models import IntroductionState, SuggestionFeedback, SuggestionShown
from profiles.models import Organization

WEEKS = 12


def organizations_in_demand(prefecture_ids: frozenset[int] | None) -> QuerySet[Organization]:
    """Organizations of these prefectures that firms were shown, shortlisted or asked for."""
    organizations = Organization.objects.all()
    if prefecture_ids is not None:
        organizations = organizations.filter(prefecture_id__in=prefecture_ids)
    return (
        organizations.select_related("prefecture")
        .annotate(
            suggested=Count("suggestions_shown__firm", distinct=True),
            shortlisted=Count("shortlist_entries", distinct=True),
            requested=Count("introduction_requests", distinct=True),
            accepted=Count(
                "introduction_requests",
                filter=Q(introduction_requests__state=IntroductionState.ACCEPTED),
                distinct=True,
            ),
            not_relevant=Count("suggestion_feedback", distinct=True),
        )
        .filter(Q(suggested__gt=0) | Q(shortlisted__gt=0) | Q(requested__gt=0))
        .order_by("-requested", "-shortlisted", "-suggested", "name_en")
    )


def not_relevant_reasons(prefecture_ids: frozenset[int] | None) -> list[tuple[str, int]]:
    feedback = SuggestionFeedback.objects.all()
    if prefecture_ids is not None:
        feedback = feedback.filter(organization__prefecture_id__in=prefecture_ids)
    counts = dict(
        feedback.values_list("reason").annotate(n=Count("pk")).values_list("reason", "n")
    )
    return [
        (str(label), counts.get(value, 0)) for value, label in SuggestionFeedback.Reason.choices
    ]


@dataclass(frozen=True)
class WeekShare:
    week: date
    shown: int
    regional: int

    @property
    def share(self) -> float:
        return self.regional / self.shown if self.shown else 0.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def regional_share_by_week(weeks: int = WEEKS) -> list[WeekShare]:
    """The share of suggestions shown to firms that came from non-metropolitan prefectures.

    Service-wide on purpose: it measures whether the service sends firms outside Tokyo.
    """
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    rows = (
        SuggestionShown.objects.filter(week__gte=first)
        .values("week")
        .annotate(
            shown=Count("pk"),
            regional=Count("pk", filter=Q(organization__prefecture__metropolitan=False)),
        )
    )
    by_week = {row["week"]: row for row in rows}
    result = []
    for n in range(weeks):
        week = first + timedelta(days=7 * n)
        row = by_week.get(week, {"shown": 0, "regional": 0})
        result.append(WeekShare(week, row["shown"], row["regional"]))
    return result
