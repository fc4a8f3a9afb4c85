from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from matchmaking.search import store
from matchmaking.workspace import demand_reports
from profiles.models.curation import curated_prefecture_ids

CHART_HEIGHT = 120
BAR_WIDTH = 28


@login_required
@require_GET
def demand(request: HttpRequest) -> HttpResponse:
    scope = curated_prefecture_ids(request.user)
    if scope is not None and not scope:
        raise PermissionDenied("Only curators and admins see demand.")
    weeks = demand_reports.regional_share_by_week()
    bars = [
        {
            "week": week,
            "x": index * (BAR_WIDTH + 6) + 30,
            "height": round(week.share * CHART_HEIGHT),
            "y": 10 + CHART_HEIGHT - round(week.share * CHART_HEIGHT),
        }
        for index, week in enumerate(weeks)
    ]
    try:
        below = min(1.0, max(0.0, float(request.GET.get("below", demand_reports.UNMET_SCORE))))
    except ValueError:
        below = demand_reports.UNMET_SCORE
    try:
        unmet = demand_reports.unmet_demand(below=below, lang=get_language() or "en")
    except store.IndexMissing:
        unmet = None
    context = {
        "unmet": unmet,
        "below": below,
        "organizations": demand_reports.organizations_in_demand(scope)[:200],
        "reasons": demand_reports.not_relevant_reasons(scope),
        "weeks": weeks,
        "bars": bars,
        "chart_width": len(bars) * (BAR_WIDTH + 6) + 40,
        "chart_height": CHART_HEIGHT + 40,
        "bar_width": BAR_WIDTH,
        "baseline": 10 + CHART_HEIGHT,
    }
    return render(request, "matchmaking/workspace/demand.html", context)
