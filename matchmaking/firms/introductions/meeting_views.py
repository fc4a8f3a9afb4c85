"""Meetings and outcomes on an introduction's page, for either side.

The firm's URLs (`/introductions/<pk>/meetings/…`) and the curator's
(`/workspace/introductions/<pk>/meetings/…`) find the introduction each in their own scope,
then share these views; the one-click outcome link from the mail needs no login.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from matchmaking.firms.introductions import meetings as services
from matchmaking.firms.introductions.forms import MeetingForm, OutcomeForm, PickForm
from matchmaking.firms.introductions.models import Meeting, Outcome, Side
from matchmaking.firms.introductions.services import IntroductionRefused
from matchmaking.firms.models import IntroductionRequest, IntroductionState
from matchmaking.firms.times import JAPAN

NAMESPACE: dict[str, str] = {Side.FIRM: "introductions", Side.CURATOR: "workspace"}
DETAIL: dict[str, str] = {
    Side.FIRM: "introductions:detail",
    Side.CURATOR: "workspace:introduction",
}


def site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def url_names(side: str) -> dict[str, str]:
    names = ("meeting_new", "meeting_reschedule", "meeting_pick", "meeting_cancel", "outcome_new")
    return {name: f"{NAMESPACE[side]}:{name}" for name in names}


def meeting_context(introduction: IntroductionRequest, side: str) -> dict[str, Any]:
    """The meetings part of an introduction's page."""
    meetings = list(
        introduction.meetings.select_related("introduction__firm").prefetch_related(
            "slots", "outcomes__recorded_by"
        )
    )
    now = timezone.now()
    rows = [
        {
            "meeting": meeting,
            "slots": list(meeting.slots.all()),
            "may_pick": meeting.state == Meeting.State.PROPOSED and meeting.picker == side,
            "may_change": meeting.state != Meeting.State.CANCELLED
            and not meeting.has_taken_place(now),
            "taken_place": meeting.has_taken_place(now),
            "outcomes": list(meeting.outcomes.all()),
            "current": set(services.current_outcomes(meeting).values()),
        }
        for meeting in meetings
    ]
    may_propose = introduction.state == IntroductionState.ACCEPTED and not any(
        m.state == Meeting.State.PROPOSED for m in meetings
    )
    return {
        "meetings": rows,
        "may_propose": may_propose,
        "meeting_urls": url_names(side),
        "pick_form": PickForm(),
    }


def _meeting_form(
    request: HttpRequest, introduction: IntroductionRequest, side: str, meeting: Meeting | None
) -> HttpResponse:
    firm_zone = introduction.firm.time_zone
    form = MeetingForm(
        request.POST or None,
        firm_zone=firm_zone,
        default_zone=firm_zone if side == Side.FIRM else JAPAN.key,
        initial=(
            {"online_url": meeting.online_url, "venue": meeting.venue}
            | {"duration_minutes": meeting.duration_minutes}
            if meeting
            else {}
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments: dict[str, Any] = {
            "side": side,
            "actor": _user(request),
            "slots": data["slots"],
            "duration_minutes": data["duration_minutes"],
            "online_url": data["online_url"],
            "venue": data["venue"],
            "message": data["message"],
            "site_url": site_url(request),
        }
        try:
            if meeting is None:
                services.meeting_propose(introduction=introduction, **arguments)
            else:
                services.meeting_reschedule(meeting=meeting, **arguments)
        except IntroductionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, str(Meeting.State.PROPOSED.label).capitalize())
            return redirect(DETAIL[side], introduction.pk)
    return render(
        request,
        "matchmaking/firms/introductions/meeting_form.html",
        {
            "form": form,
            "introduction": introduction,
            "meeting": meeting,
            "side": side,
            "detail_url": DETAIL[side],
        },
    )


def propose(request: HttpRequest, introduction: IntroductionRequest, side: str) -> HttpResponse:
    return _meeting_form(request, introduction, side, None)


def reschedule(
    request: HttpRequest, introduction: IntroductionRequest, side: str, meeting_pk: int
) -> HttpResponse:
    meeting = get_object_or_404(introduction.meetings, pk=meeting_pk)
    return _meeting_form(request, introduction, side, meeting)


def pick(
    request: HttpRequest, introduction: IntroductionRequest, side: str, meeting_pk: int
) -> HttpResponse:
    meeting = get_object_or_404(introduction.meetings, pk=meeting_pk)
    form = PickForm(request.POST)
    try:
        if not form.is_valid():
            raise IntroductionRefused(PickForm.base_fields["slot"].error_messages["required"])
        services.meeting_pick(
            meeting=meeting,
            slot_id=form.cleaned_data["slot"],
            side=side,
            actor=_user(request),
            site_url=site_url(request),
        )
    except IntroductionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, str(Meeting.State.CONFIRMED.label).capitalize())
    return redirect(DETAIL[side], introduction.pk)


def cancel(
    request: HttpRequest, introduction: IntroductionRequest, side: str, meeting_pk: int
) -> HttpResponse:
    meeting = get_object_or_404(introduction.meetings, pk=meeting_pk)
    try:
        services.meeting_cancel(
            meeting=meeting,
            actor=_user(request),
            message=str(request.POST.get("message", ""))[:4000],
            site_url=site_url(request),
        )
    except IntroductionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, str(Meeting.State.CANCELLED.label).capitalize())
    return redirect(DETAIL[side], introduction.pk)


def record_outcome(
    request: HttpRequest, introduction: IntroductionRequest, side: str, meeting_pk: int
) -> HttpResponse:
    meeting = get_object_or_404(
        introduction.meetings.select_related("introduction__firm"), pk=meeting_pk
    )
    latest = services.current_outcomes(meeting).get(side)
    form = OutcomeForm(
        request.POST or None,
        initial={"date": timezone.localdate(timezone=JAPAN)},
        instance=None,
    )
    if latest is not None and request.method != "POST":
        # A correction starts from this side's last record (saved as a new row).
        form = OutcomeForm(
            initial={
                "kind": latest.kind,
                "date": latest.date,
                "amount": latest.amount,
                "currency": latest.currency,
                "note": latest.note,
            }
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_record(
                meeting=meeting, side=side, actor=_user(request), **form.cleaned_data
            )
        except IntroductionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect(DETAIL[side], introduction.pk)
    return render(
        request,
        "matchmaking/firms/introductions/outcome_form.html",
        {
            "form": form,
            "introduction": introduction,
            "meeting": meeting,
            "side": side,
            "detail_url": DETAIL[side],
            "action_url": request.path,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def outcome_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click answer from an outcome mail. No login: the link is the key.

    GET never records: mail security scanners fetch every link of a mail (one per answer),
    and the first would answer for the firm. The page posts the answer itself at once
    (`site.js`, `data-auto-submit`; a button without JavaScript), so a person still answers
    with one click. POST records the kind the link carries, once, and comes back as a GET,
    which then offers the details form; a POST after that adds the details, once.
    """
    found = services.read_ask_token(token)
    if found is None:
        return render(
            request,
            "matchmaking/firms/introductions/outcome_answer.html",
            {"invalid": True},
            status=400,
        )
    ask, kind = found
    if request.method == "POST" and ask.answered_at is None:
        # Answered meanwhile (a double click): the page shows that answer.
        with suppress(IntroductionRefused):
            services.outcome_answer(ask=ask, kind=kind)
        return redirect(request.path)
    form = None
    if services.details_open(ask):
        assert ask.outcome is not None
        form = OutcomeForm(
            request.POST or None,
            initial={"kind": ask.outcome.kind, "date": ask.outcome.date},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.outcome_details(ask=ask, **form.cleaned_data)
            except IntroductionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                ask.refresh_from_db()
                form = None
    return render(
        request,
        "matchmaking/firms/introductions/outcome_answer.html",
        {
            "ask": ask,
            "meeting": ask.meeting,
            "introduction": ask.meeting.introduction,
            "current": services.current_outcomes(ask.meeting).get(Side.FIRM),
            "form": form,
            "detailed": ask.detailed_at is not None,
            "pending": ask.answered_at is None,
            "answer": Outcome.Kind(kind).label,
        },
    )
