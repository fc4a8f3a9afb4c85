"""Meetings and outcomes of accepted introductions: the writes, their history and their mails.

The firm and the curator (who speaks for the organization, which has no login) are the two
sides: one proposes up to three slots, the other picks one. Every step is an
`IntroductionEvent` of the introduction. Mails are rendered in each recipient's language (the
firm's preferred language, Japanese for curators, both for the organization) and sent as
background work after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.introductions import calendar, tasks
from matchmaking.firms.introductions.models import (
    MAX_SLOTS,
    Meeting,
    MeetingSlot,
    Outcome,
    OutcomeAsk,
    Side,
)
from matchmaking.firms.introductions.services import IntroductionRefused, curators_of
from matchmaking.firms.models import IntroductionEvent, IntroductionRequest, IntroductionState
from matchmaking.firms.times import JAPAN

Kind = IntroductionEvent.Kind
# Days after a meeting at which the firm is asked what came of it.
ASK_AFTER_DAYS = (30, 90)
ASK_SALT = "ryumon.meetings.outcome"
ASK_MAX_AGE = 60 * 24 * 3600
# After answering from the link, the details may be added once within this time.
DETAILS_WINDOW = timedelta(days=1)
REMINDER_AHEAD = timedelta(days=1)


# == mails ==


def _firm_side(introduction: IntroductionRequest) -> list[str]:
    to = [introduction.contact_email]
    if introduction.requested_by is not None and introduction.requested_by.email:
        to.append(introduction.requested_by.email)
    return sorted(set(to))


def _render(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"matchmaking/email/{template}_subject.txt", context)
        body = render_to_string(f"matchmaking/email/{template}.txt", context)
    return " ".join(subject.split()), body


def _enqueue(
    *, to: list[str], subject: str, body: str, reply_to: list[str], ics: str = "", method: str = ""
) -> None:
    if not to:
        return

    def send() -> None:
        tasks.send_meeting_mail.enqueue(
            to=to, subject=subject, body=body, reply_to=reply_to, ics=ics, method=method
        )

    # After the commit: a rolled-back step must not have told anyone.
    transaction.on_commit(send)


def _announce(meeting: Meeting, event: IntroductionEvent, *, site_url: str) -> None:
    """Tell the firm and the curators; with the organization too once a time is agreed."""
    introduction = meeting.introduction
    curators = curators_of(introduction.organization)
    context = {
        "introduction": introduction,
        "meeting": meeting,
        "event": event,
        "slots": list(meeting.slots.all()),
        "site_url": site_url,
    }
    calendar_kinds = {Kind.MEETING_CONFIRMED, Kind.MEETING_REMINDED}
    cancelled_agreed = event.kind == Kind.MEETING_CANCELLED and meeting.starts_at is not None
    with_organization = event.kind in calendar_kinds or cancelled_agreed
    ics, method = "", ""
    if event.kind == Kind.MEETING_CONFIRMED or cancelled_agreed:
        attendees = [*_firm_side(introduction), *curators]
        if introduction.organization.contact_email:
            attendees.append(introduction.organization.contact_email)
        method = "CANCEL" if cancelled_agreed else "REQUEST"
        ics = calendar.invitation(
            meeting, attendees=attendees, now=timezone.now(), cancel=cancelled_agreed
        )
    subject, body = _render("meeting_firm", context, introduction.preferred_language)
    _enqueue(
        to=_firm_side(introduction),
        subject=subject,
        body=body,
        reply_to=curators,
        ics=ics,
        method=method,
    )
    subject, body = _render("meeting_curator", context, "ja")
    _enqueue(to=curators, subject=subject, body=body, reply_to=[], ics=ics, method=method)
    if with_organization and introduction.organization.contact_email:
        parts = [_render("meeting_organization", context, language) for language in ("en", "ja")]
        _enqueue(
            to=[introduction.organization.contact_email],
            subject=f"{parts[0][0]} / {parts[1][0]}",
            body="\n\n――――――――――――――――――――\n\n".join(body for _subject, body in parts),
            reply_to=curators,
            ics=ics,
            method=method,
        )


def _event(
    meeting: Meeting,
    kind: str,
    *,
    actor: User | None,
    message: str = "",
    times: Iterable[datetime] = (),
    outcome: Outcome | None = None,
) -> IntroductionEvent:
    state = meeting.introduction.state
    return IntroductionEvent.objects.create(
        request=meeting.introduction,
        from_state=state,
        to_state=state,
        kind=kind,
        meeting=meeting,
        actor=actor,
        message=message,
        times=[moment.isoformat() for moment in times],
        outcome=outcome,
    )


# == meetings ==


def _check_slots(slots: list[datetime], now: datetime) -> list[datetime]:
    slots = sorted(set(slots))
    if not 1 <= len(slots) <= MAX_SLOTS:
        raise IntroductionRefused(_("Propose one to three times."))
    if slots[0] <= now:
        raise IntroductionRefused(_("Propose times in the future."))
    return slots


def _check_place(online_url: str, venue: str) -> None:
    if not online_url.strip() and not venue.strip():
        raise IntroductionRefused(_("Give an online meeting link or a venue."))


def _check_limit(introduction: IntroductionRequest) -> None:
    proposals = introduction.events.filter(
        kind__in=[Kind.MEETING_PROPOSED, Kind.MEETING_RESCHEDULED]
    ).count()
    if proposals >= settings.MEETING_PROPOSAL_LIMIT:
        raise IntroductionRefused(
            _("This introduction has had %(limit)s meeting proposals, the most allowed.")
            % {"limit": settings.MEETING_PROPOSAL_LIMIT}
        )


@transaction.atomic
def meeting_propose(
    *,
    introduction: IntroductionRequest,
    side: str,
    actor: User,
    slots: list[datetime],
    duration_minutes: int,
    online_url: str,
    venue: str,
    message: str,
    site_url: str,
) -> Meeting:
    """Propose up to three times for a meeting on an accepted introduction."""
    locked = IntroductionRequest.objects.select_for_update().get(pk=introduction.pk)
    if locked.state != IntroductionState.ACCEPTED:
        raise IntroductionRefused(_("Meetings are arranged once the organization has accepted."))
    slots = _check_slots(slots, timezone.now())
    _check_place(online_url, venue)
    _check_limit(locked)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                introduction=locked,
                proposed_by=side,
                duration_minutes=duration_minutes,
                online_url=online_url,
                venue=venue,
            )
    except IntegrityError:
        raise IntroductionRefused(
            _("Times are already proposed: pick one or propose new times.")
        ) from None
    MeetingSlot.objects.bulk_create(MeetingSlot(meeting=meeting, starts_at=s) for s in slots)
    event = _event(meeting, Kind.MEETING_PROPOSED, actor=actor, message=message, times=slots)
    _announce(meeting, event, site_url=site_url)
    return meeting


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("introduction").get(pk=meeting.pk)


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    side: str,
    actor: User,
    slots: list[datetime],
    duration_minutes: int,
    online_url: str,
    venue: str,
    message: str,
    site_url: str,
) -> Meeting:
    """Replace the proposed or agreed time by new proposals; the other side picks again."""
    locked = _lock(meeting)
    now = timezone.now()
    if locked.state == Meeting.State.CANCELLED or locked.has_taken_place(now):
        raise IntroductionRefused(_("This meeting can no longer be changed."))
    slots = _check_slots(slots, now)
    _check_place(online_url, venue)
    _check_limit(locked.introduction)
    if (
        Meeting.objects.filter(introduction=locked.introduction, state=Meeting.State.PROPOSED)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise IntroductionRefused(_("Times are already proposed: pick one or propose new times."))
    locked.slots.all().delete()  # the history keeps them (the events' times)
    MeetingSlot.objects.bulk_create(MeetingSlot(meeting=locked, starts_at=s) for s in slots)
    locked.state = Meeting.State.PROPOSED
    locked.proposed_by = side
    locked.starts_at = None
    locked.duration_minutes = duration_minutes
    locked.online_url = online_url
    locked.venue = venue
    locked.sequence += 1
    locked.reminded_at = None
    locked.save()
    event = _event(locked, Kind.MEETING_RESCHEDULED, actor=actor, message=message, times=slots)
    _announce(locked, event, site_url=site_url)
    return locked


@transaction.atomic
def meeting_pick(
    *, meeting: Meeting, slot_id: int, side: str, actor: User, site_url: str
) -> Meeting:
    """The side that did not propose agrees one of the times: the meeting is confirmed."""
    locked = _lock(meeting)
    if locked.state != Meeting.State.PROPOSED:
        raise IntroductionRefused(_("The meeting has moved on since you opened it."))
    if side != locked.picker:
        raise IntroductionRefused(_("The other side picks one of the times you proposed."))
    slot = locked.slots.filter(pk=slot_id).first()
    if slot is None:
        raise IntroductionRefused(_("Choose one of the proposed times."))
    if slot.starts_at <= timezone.now():
        raise IntroductionRefused(_("This time has passed: propose new times."))
    locked.state = Meeting.State.CONFIRMED
    locked.starts_at = slot.starts_at
    locked.save(update_fields=["state", "starts_at"])
    event = _event(locked, Kind.MEETING_CONFIRMED, actor=actor, times=[slot.starts_at])
    _announce(locked, event, site_url=site_url)
    return locked


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User, message: str, site_url: str) -> Meeting:
    locked = _lock(meeting)
    if locked.state == Meeting.State.CANCELLED or locked.has_taken_place():
        raise IntroductionRefused(_("This meeting can no longer be changed."))
    if not message.strip():
        raise IntroductionRefused(_("Write a message for this step."))
    locked.state = Meeting.State.CANCELLED
    locked.sequence += 1
    locked.save(update_fields=["state", "sequence"])
    times = [locked.starts_at] if locked.starts_at else []
    event = _event(locked, Kind.MEETING_CANCELLED, actor=actor, message=message, times=times)
    _announce(locked, event, site_url=site_url)
    return locked


# == outcomes ==


@transaction.atomic
def outcome_record(
    *,
    meeting: Meeting,
    side: str,
    actor: User | None,
    kind: str,
    date: date,
    amount: Decimal | None = None,
    currency: str = "",
    note: str = "",
    by_link: bool = False,
) -> Outcome:
    """Record what came of a meeting, as a new row: earlier records stay as they were."""
    locked = _lock(meeting)
    if not locked.has_taken_place():
        raise IntroductionRefused(_("Outcomes are recorded after the meeting."))
    outcome = Outcome.objects.create(
        meeting=locked,
        side=side,
        kind=kind,
        date=date,
        amount=amount,
        currency=currency.upper() if amount is not None else "",
        note=note,
        recorded_by=actor,
        by_link=by_link,
    )
    _event(locked, Kind.OUTCOME_RECORDED, actor=actor, message=note, outcome=outcome)
    return outcome


def current_outcomes(meeting: Meeting) -> dict[str, Outcome]:
    """Each side's latest record (the rows come newest first)."""
    latest: dict[str, Outcome] = {}
    for outcome in meeting.outcomes.all():
        latest.setdefault(outcome.side, outcome)
    return latest


def ask_token(ask: OutcomeAsk, kind: str) -> str:
    return signing.dumps({"ask": ask.pk, "kind": kind}, salt=ASK_SALT, compress=True)


def read_ask_token(token: str) -> tuple[OutcomeAsk, str] | None:
    """The ask and the answer a link carries, or None for a forged or expired link."""
    try:
        payload = signing.loads(token, salt=ASK_SALT, max_age=ASK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("kind") not in Outcome.Kind.values:
        return None
    ask = (
        OutcomeAsk.objects.select_related("meeting__introduction__firm", "outcome")
        .filter(pk=int(payload.get("ask") or 0))
        .first()
    )
    return (ask, str(payload["kind"])) if ask is not None else None


@transaction.atomic
def outcome_answer(*, ask: OutcomeAsk, kind: str) -> Outcome:
    """The firm's one-click answer from the mail. Good once: a second click changes nothing."""
    locked = OutcomeAsk.objects.select_for_update().get(pk=ask.pk)
    if locked.answered_at is not None:
        raise IntroductionRefused(_("This link has been used."))
    outcome = outcome_record(
        meeting=locked.meeting,
        side=Side.FIRM,
        actor=None,
        kind=kind,
        date=timezone.localdate(timezone=JAPAN),
        by_link=True,
    )
    locked.answered_at = outcome.recorded_at
    locked.outcome = outcome
    locked.save(update_fields=["answered_at", "outcome"])
    return outcome


def details_open(ask: OutcomeAsk) -> bool:
    return (
        ask.answered_at is not None
        and ask.detailed_at is None
        and timezone.now() - ask.answered_at <= DETAILS_WINDOW
    )


@transaction.atomic
def outcome_details(
    *,
    ask: OutcomeAsk,
    kind: str,
    date: date,
    amount: Decimal | None,
    currency: str,
    note: str,
) -> Outcome:
    """Details for a one-click answer: once, within a day of it; a new row, as any change."""
    locked = OutcomeAsk.objects.select_for_update().get(pk=ask.pk)
    if not details_open(locked):
        raise IntroductionRefused(_("This link has been used."))
    outcome = outcome_record(
        meeting=locked.meeting,
        side=Side.FIRM,
        actor=None,
        kind=kind,
        date=date,
        amount=amount,
        currency=currency,
        note=note,
        by_link=True,
    )
    locked.detailed_at = outcome.recorded_at
    locked.save(update_fields=["detailed_at"])
    return outcome


# == the scheduled mails ==


def _claim_reminder(meeting: Meeting, now: datetime) -> bool:
    """Mark the reminder sent; False when another run (or an earlier one) already did."""
    return (
        Meeting.objects.filter(
            pk=meeting.pk, reminded_at__isnull=True, state=Meeting.State.CONFIRMED
        ).update(reminded_at=now)
        == 1
    )


def due_reminders(now: datetime) -> QuerySet[Meeting]:
    return Meeting.objects.starting_between(now, now + REMINDER_AHEAD).filter(
        reminded_at__isnull=True
    )


def due_asks(now: datetime, days: int) -> QuerySet[Meeting]:
    return (
        Meeting.objects.confirmed()
        .filter(starts_at__lte=now - timedelta(days=days))
        .exclude(asks__days=days)
    )


def meetings_send_due(*, now: datetime, site_url: str) -> dict[str, int]:
    """Enqueue the reminders of tomorrow's meetings and the 30- and 90-day outcome asks.

    Idempotent: each reminder and each ask is claimed by one row update or insert before its
    mail is enqueued, so overlapping or repeated runs never send one twice.
    """
    sent = {"reminders": 0, "asks": 0}
    for meeting in due_reminders(now).select_related("introduction__organization"):
        with transaction.atomic():
            if not _claim_reminder(meeting, now):
                continue
            assert meeting.starts_at is not None  # a confirmed meeting has its time
            event = _event(meeting, Kind.MEETING_REMINDED, actor=None, times=[meeting.starts_at])
            _announce(meeting, event, site_url=site_url)
            sent["reminders"] += 1
    for days in ASK_AFTER_DAYS:
        for meeting in due_asks(now, days).select_related("introduction__firm"):
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        ask = OutcomeAsk.objects.create(meeting=meeting, days=days)
                except IntegrityError:
                    continue  # another run asked first
                _ask(ask, site_url=site_url)
                sent["asks"] += 1
    return sent


def _ask(ask: OutcomeAsk, *, site_url: str) -> None:
    meeting = ask.meeting
    introduction = meeting.introduction
    links = [
        (label, site_url + reverse("introductions:outcome_answer", args=[ask_token(ask, kind)]))
        for kind, label in Outcome.Kind.choices
    ]
    context = {
        "introduction": introduction,
        "meeting": meeting,
        "ask": ask,
        "links": links,
        "site_url": site_url,
    }
    event = _event(meeting, Kind.OUTCOME_ASKED, actor=None)
    context["event"] = event
    subject, body = _render("outcome_ask", context, introduction.preferred_language)
    _enqueue(
        to=_firm_side(introduction),
        subject=subject,
        body=body,
        reply_to=curators_of(introduction.organization),
    )
