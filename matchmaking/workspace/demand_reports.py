"""Demand figures per prefecture, scoped like everything curators see."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from matchmaking.firms import partners
from matchmaking.firms.models import (
    ForeignFirm,
    IntroductionState,
    SuggestionFeedback,
    SuggestionShown,
)
from matchmaking.ranker.text import CONCEPT_PREFIX
from matchmaking.search import selectors, store
from profiles.models import Concept, Organization

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


# Below this cosine score (without the regional boost) a firm's best match is called weak.
# Chosen by eye on the demo data, not calibrated: the page lets staff change it (?below=).
UNMET_SCORE = 0.2
OTHER_INDUSTRY = "—"


@dataclass
class UnmetGroup:
    industry: str
    firms: int = 0
    best_scores: list[float] = field(default_factory=list)
    terms: Counter[str] = field(default_factory=Counter)

    @property
    def average_best(self) -> float:
        return sum(self.best_scores) / len(self.best_scores) if self.best_scores else 0.0

    def top_terms(self) -> list[tuple[str, int]]:
        return self.terms.most_common(10)


def unmet_demand(*, below: float = UNMET_SCORE, lang: str = "en") -> list[UnmetGroup]:
    """Firms whose best match scores below the threshold, grouped by the firm's industries,
    with the terms of their needs (keywords, and glossary concepts found in what they seek).

    No firm is named: this tells staff what to recruit, not who asked.
    """
    loaded = store.current_index()
    index = loaded.index
    names = {c.key: c.name_for(lang) for c in Concept.objects.all()}
    groups: dict[str, UnmetGroup] = defaultdict(lambda: UnmetGroup(industry=""))
    firms = ForeignFirm.objects.prefetch_related("industries", "partnership_types", "languages")
    for firm in firms:
        need = partners.firm_need(firm)
        if not need.text.strip():
            continue
        query = index.vectorize(need.text)
        hits = index.search(query, top=1, filters=selectors.Filters(), regional_boost=0.0)
        best = hits[0].unboosted_score if hits else 0.0
        if best >= below:
            continue
        terms = {line.strip().lower() for line in firm.keywords.splitlines() if line.strip()}
        for feature in index.analyzer.features(need.text):
            if feature.startswith(CONCEPT_PREFIX):
                key = feature.removeprefix(CONCEPT_PREFIX)
                if key in names:
                    terms.add(names[key])
        industries = {
            (i.name_ja if lang.startswith("ja") else i.name_en) for i in firm.industries.all()
        } or {OTHER_INDUSTRY}
        for industry in industries:
            group = groups[industry]
            group.industry = industry
            group.firms += 1
            group.best_scores.append(best)
            group.terms.update(terms)
    return sorted(groups.values(), key=lambda g: (-g.firms, g.industry))
