"""The curators' queue of introduction requests, scoped to the prefectures they curate.

It moves into the curation workspace once that is merged; scope comes from
`curated_prefecture_ids`, the one place that decides it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matchmaking.firms.introductions import meeting_views, services
from matchmaking.firms.introductions.forms import TransitionForm
from matchmaking.firms.introductions.models import Side
from matchmaking.firms.introductions.views import available, transition
from matchmaking.firms.models import IntroductionRequest, IntroductionRequestQuerySet
from profiles.models.curation import curated_prefecture_ids


def _scoped(request: HttpRequest) -> IntroductionRequestQuerySet:
    scope = curated_prefecture_ids(request.user)
    if scope is not None and not scope:
        raise PermissionDenied("Only curators see introduction requests.")
    return IntroductionRequest.objects.in_prefectures(scope)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    requests = _scoped(request).select_related("firm", "organization__prefecture")
    if show != "all":
        requests = requests.open()
    stale_before = timezone.now() - timedelta(days=settings.INTRODUCTION_STALE_DAYS)
    return render(
        request,
        "matchmaking/workspace/introductions.html",
        {
            "requests": requests,
            "show": show,
            "stale_ids": {r.pk for r in requests if r.is_stale(before=stale_before)},
        },
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = get_object_or_404(
        _scoped(request).select_related(
            "firm", "organization__prefecture", "partnership_type", "requested_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "matchmaking/firms/introductions/detail.html",
        {
            "introduction": introduction,
            "events": introduction.events.select_related("actor"),
            "side": "curator",
            "actions": available(introduction, services.CURATOR_ACTIONS),
            "form": TransitionForm(),
        }
        | meeting_views.meeting_context(introduction, Side.CURATOR),
    )


def _in_scope(request: HttpRequest, pk: int) -> IntroductionRequest:
    return get_object_or_404(_scoped(request).select_related("firm", "organization"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    return meeting_views.propose(request, _in_scope(request, pk), Side.CURATOR)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_reschedule(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return meeting_views.reschedule(request, _in_scope(request, pk), Side.CURATOR, meeting_pk)


@login_required
@require_POST
def meeting_pick(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return meeting_views.pick(request, _in_scope(request, pk), Side.CURATOR, meeting_pk)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return meeting_views.cancel(request, _in_scope(request, pk), Side.CURATOR, meeting_pk)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_new(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return meeting_views.record_outcome(request, _in_scope(request, pk), Side.CURATOR, meeting_pk)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    introduction = get_object_or_404(_scoped(request), pk=pk)
    transition(request, introduction, action, by_firm=False)
    return redirect("workspace:introduction", introduction.pk)
