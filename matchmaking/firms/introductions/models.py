"""Meetings agreed on an accepted introduction, and what came of them.

One side proposes up to three slots, the other picks one. The organization has no login: its
curator speaks for it, so the sides are the firm and the curator. Every step is also an
`IntroductionEvent` of the introduction, so its history tells the whole story.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from matchmaking.firms.models import IntroductionRequest
from matchmaking.firms.times import time_label

MAX_SLOTS = 3


class Side(models.TextChoices):
    FIRM = "firm", _("the firm")
    CURATOR = "curator", _("the curator")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def confirmed(self) -> MeetingQuerySet:
        return self.filter(state=Meeting.State.CONFIRMED)

    def starting_between(self, start: datetime, end: datetime) -> MeetingQuerySet:
        return self.confirmed().filter(starts_at__gt=start, starts_at__lte=end)


class Meeting(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("times proposed")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    introduction = models.ForeignKey(
        IntroductionRequest,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("introduction"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED
    )
    # The side that proposed the current slots; the other side picks one.
    proposed_by = models.CharField(_("proposed by"), max_length=8, choices=Side.choices)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    online_url = models.URLField(_("online meeting link"), blank=True, max_length=500)
    venue = models.CharField(_("venue"), blank=True, max_length=300)
    # The calendar identity of the invitation: a reschedule or a cancellation updates the
    # same event in the attendees' calendars (RFC 5545 UID and SEQUENCE).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["introduction"],
                condition=models.Q(state="proposed"),
                name="one_proposed_meeting_per_introduction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.introduction_id}: {self.state} {self.starts_at or ''}"

    @property
    def ends_at(self) -> datetime | None:
        if self.starts_at is None:
            return None
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def picker(self) -> str:
        return Side.CURATOR if self.proposed_by == Side.FIRM else Side.FIRM

    def has_taken_place(self, now: datetime | None = None) -> bool:
        return (
            self.state == self.State.CONFIRMED
            and self.starts_at is not None
            and self.starts_at <= (now or timezone.now())
        )

    def label(self) -> str:
        if self.starts_at is None:
            return ""
        return time_label(self.starts_at, self.introduction.firm.time_zone)


class MeetingSlot(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="slots", verbose_name=_("meeting")
    )
    starts_at = models.DateTimeField(_("starts"))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting slot")
        verbose_name_plural = _("meeting slots")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.starts_at}"

    def label(self) -> str:
        return time_label(self.starts_at, self.meeting.introduction.firm.time_zone)


class Outcome(models.Model):
    """What came of a meeting, as one side recorded it. Rows are never changed: a correction
    is a newer row of the same side, so every change is kept."""

    class Kind(models.TextChoices):
        NO_FIT = "no_fit", _("no fit")
        FOLLOW_UP = "follow_up", _("follow-up meeting or talks")
        NDA = "nda", _("non-disclosure agreement")
        PILOT = "pilot", _("pilot or trial order")
        CONTRACT = "contract", _("supply or sales contract")
        JOINT_RND = "joint_rnd", _("joint R&D")
        LICENSING = "licensing", pgettext_lazy("outcome", "licensing")
        INVESTMENT = "investment", _("investment or site decision in the prefecture")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("meeting")
    )
    side = models.CharField(_("recorded by"), max_length=8, choices=Side.choices)
    kind = models.CharField(_("outcome"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. JPY, EUR.")
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Recorded from the one-click link of an outcome mail (no login).
    by_link = models.BooleanField(_("answered from the mail"), default=False)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.kind} ({self.side})"


class OutcomeAsk(models.Model):
    """A mail asking the firm what came of a meeting, `days` after it. One per meeting and
    delay, which is what keeps the daily command from asking twice; its link is good once."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="asks", verbose_name=_("meeting")
    )
    days = models.PositiveSmallIntegerField(_("days after the meeting"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The answer from the link; its details may be added once, soon after.
    outcome = models.ForeignKey(
        Outcome, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detailed_at = models.DateTimeField(_("details added"), null=True, blank=True)

    class Meta:
        verbose_name = _("outcome request")
        verbose_name_plural = _("outcome requests")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "days"], name="one_outcome_ask_per_delay")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} +{self.days}d"
