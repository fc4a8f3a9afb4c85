"""Business-matching events: the day, who registered for it, and the meetings proposed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.models import ForeignFirm
from profiles.models import Organization, Prefecture
from profiles.models.curation import curated_prefecture_ids


class EventQuerySet(models.QuerySet["Event"]):
    def curated_by(self, user: User | AnonymousUser) -> EventQuerySet:
        """The events of the prefectures this user curates (every one for an admin)."""
        ids = curated_prefecture_ids(user)
        return self if ids is None else self.filter(prefecture_id__in=ids)

    def open_for_registration(self, now: dt.datetime | None = None) -> EventQuerySet:
        now = now or timezone.now()
        return self.filter(
            state=Event.State.OPEN, registration_opens__lte=now, registration_closes__gt=now
        )


class Event(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("registration open")
        CLOSED = "closed", _("registration closed")
        PUBLISHED = "published", _("schedule published")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organizing prefecture"),
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("first meeting starts"), default=dt.time(10, 0))
    online = models.BooleanField(_("online"), default=False)
    venue = models.CharField(
        _("venue or meeting link"),
        max_length=300,
        blank=True,
        help_text=_("An address, or the link participants join for an online event."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per meeting"), default=20, validators=[MinValueValidator(5)]
    )
    break_minutes = models.PositiveSmallIntegerField(_("minutes between meetings"), default=5)
    slot_count = models.PositiveSmallIntegerField(
        _("number of slots"), default=12, validators=[MinValueValidator(1), MaxValueValidator(48)]
    )
    tables = models.PositiveSmallIntegerField(
        _("tables"), default=20, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    max_meetings = models.PositiveSmallIntegerField(
        _("meetings per participant at most"), default=6, validators=[MinValueValidator(1)]
    )
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    prefectures = models.ManyToManyField(
        Prefecture,
        blank=True,
        related_name="+",
        verbose_name=_("organizations from these prefectures"),
        help_text=_("None: organizations from any prefecture may take part."),
    )
    kinds = models.JSONField(
        _("kinds of organization"),
        default=list,
        blank=True,
        help_text=_("None: every kind may take part."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # What the solver last said: score, objective, bound, seconds, issues (for the curator).
    proposal = models.JSONField(_("last proposal"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("business-matching event")
        verbose_name_plural = _("business-matching events")
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes__gt=models.F("registration_opens")),
                name="event_registration_window",
            ),
            models.CheckConstraint(condition=Q(slot_count__gte=1), name="event_has_slots"),
            models.CheckConstraint(condition=Q(tables__gte=1), name="event_has_tables"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%Y-%m-%d})"

    def slot_times(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """Each slot's start and end, in the event's (Japan's) time zone."""
        tz = timezone.get_default_timezone()
        start = dt.datetime.combine(self.date, self.starts_at, tzinfo=tz)
        step = dt.timedelta(minutes=self.slot_minutes + self.break_minutes)
        length = dt.timedelta(minutes=self.slot_minutes)
        return [(start + n * step, start + n * step + length) for n in range(self.slot_count)]

    @property
    def proposal_share(self) -> int | None:
        """The last proposal's total fit as a percentage of the best the solver proved
        possible (its LP relaxation's bound); None before a proposal or with a zero bound.
        The raw total (a sum of cosine scores, e.g. 0.06) says nothing to a curator."""
        score, bound = self.proposal.get("score"), self.proposal.get("bound")
        if not isinstance(score, int | float) or not isinstance(bound, int | float) or bound <= 0:
            return None
        return min(100, round(100 * score / bound))

    def registration_is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.state == self.State.OPEN
            and self.registration_opens <= now < self.registration_closes
        )

    def admits(self, organization: Organization) -> bool:
        """Whether this organization may take part (the prefectures and kinds chosen)."""
        prefecture_ids = {p.pk for p in self.prefectures.all()}
        if prefecture_ids and organization.prefecture_id not in prefecture_ids:
            return False
        return not self.kinds or organization.kind in self.kinds


class Registration(models.Model):
    """A firm or an organization taking part: what it seeks, when it can meet, its requests."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    firm = models.ForeignKey(
        ForeignFirm,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("foreign firm"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("organization"),
    )
    need = models.TextField(_("what you hope to find at this event"), max_length=2000)
    available_slots = models.JSONField(_("available slots"), default=list)
    must_meet = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("must meet")
    )
    not_interested = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("not interested in"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            models.CheckConstraint(
                condition=Q(firm__isnull=True, organization__isnull=False)
                | Q(firm__isnull=False, organization__isnull=True),
                name="registration_firm_or_organization",
            ),
            models.UniqueConstraint(fields=["event", "firm"], name="registration_one_per_firm"),
            models.UniqueConstraint(
                fields=["event", "organization"], name="registration_one_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return str(self.firm or self.organization)

    @property
    def is_firm(self) -> bool:
        return self.firm_id is not None

    @property
    def participant(self) -> Any:
        return self.firm if self.firm_id is not None else self.organization

    def schedule(self) -> list[ScheduledMeeting]:
        """This participant's meetings in slot order, with their times and the other party."""
        meetings = self.firm_meetings if self.is_firm else self.organization_meetings
        times = self.event.slot_times()
        return [
            ScheduledMeeting(
                meeting=meeting,
                starts=times[meeting.slot][0],
                ends=times[meeting.slot][1],
                other=(
                    meeting.organization_registration
                    if self.is_firm
                    else meeting.firm_registration
                ),
            )
            for meeting in meetings.select_related(
                "firm_registration__firm",
                "organization_registration__organization__prefecture",
            )
        ]


class EventMeeting(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("event")
    )
    firm_registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="firm_meetings",
        verbose_name=_("firm"),
    )
    organization_registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="organization_meetings",
        verbose_name=_("organization"),
    )
    slot = models.PositiveSmallIntegerField(_("slot"))
    table = models.PositiveSmallIntegerField(_("table"))
    locked = models.BooleanField(_("locked"), default=False)
    score = models.FloatField(_("score"), default=0.0)

    class Meta:
        ordering = ["slot", "table"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["firm_registration", "organization_registration"],
                name="meeting_pair_once",
            ),
            models.UniqueConstraint(
                fields=["event", "slot", "table"],
                name="meeting_one_per_table",
            ),
            models.UniqueConstraint(
                fields=["firm_registration", "slot"],
                name="meeting_firm_once_per_slot",
            ),
            models.UniqueConstraint(
                fields=["organization_registration", "slot"],
                name="meeting_organization_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm_registration} – {self.organization_registration} ({self.slot + 1})"


@dataclass(frozen=True)
class ScheduledMeeting:
    """A meeting as one participant's schedule shows it: when, and with whom."""

    meeting: EventMeeting
    starts: dt.datetime
    ends: dt.datetime
    other: Registration  # the other party's registration
