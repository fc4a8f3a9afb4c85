"""The foreign side of the match: firms looking for partners in Japan, their members, their
shortlists and feedback on suggestions, and the introductions they ask for."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.times import time_label
from profiles.models.organizations import KEYWORDS_LIMIT, BilingualTexts
from profiles.models.reference import (
    EmployeesBand,
    Industry,
    Language,
    PartnershipType,
    Prefecture,
    Region,
)


@cache
def _zones_by_country() -> dict[str, list[str]]:
    """The IANA zones of each country, from the tz database's zone.tab."""
    try:
        text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        system = Path("/usr/share/zoneinfo/zone.tab")
        text = system.read_text("utf-8") if system.exists() else ""
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_comment = line.split("\t")
            zones.setdefault(country, []).append(zone)
    return zones


# Countries whose other zones are a village or remote islands: nearly every firm is here.
MAIN_TIME_ZONE = {
    "CN": "Asia/Shanghai",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PT": "Europe/Lisbon",
}


def default_time_zone(country: str) -> str:
    """The country's time zone when it has only one (Sweden: Europe/Stockholm), else ""."""
    country = country.upper()
    zones = _zones_by_country().get(country, [])
    return MAIN_TIME_ZONE.get(country) or (zones[0] if len(zones) == 1 else "")


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(zone for zone in available_timezones() if "/" in zone and "Etc/" not in zone)
    return [("", "—"), *((zone, zone.replace("_", " ")) for zone in names)]


class ForeignFirm(BilingualTexts):
    # The same texts as Organization (BilingualTexts), so the ranker reads both sides alike.

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(
        _("country or region"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code.")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_(
            "Meeting times are shown in Japan time and in this zone. Set from your country "
            "when it has only one."
        ),
    )
    size = models.CharField(
        _("employees"), max_length=10, choices=EmployeesBand.choices, blank=True
    )
    website = models.URLField(_("website"), blank=True, max_length=300)
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="foreign_firms", verbose_name=_("industries")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="foreign_firms", verbose_name=_("working languages")
    )
    keywords = models.TextField(
        _("keywords"), blank=True, max_length=KEYWORDS_LIMIT, help_text=_("One per line.")
    )
    partnership_types = models.ManyToManyField(
        PartnershipType,
        blank=True,
        related_name="foreign_firms",
        verbose_name=_("partnership types sought"),
    )
    target_regions = models.ManyToManyField(
        Region, blank=True, related_name="foreign_firms", verbose_name=_("target regions")
    )
    target_prefectures = models.ManyToManyField(
        Prefecture,
        blank=True,
        related_name="foreign_firms",
        verbose_name=_("target prefectures"),
    )
    is_fictional = models.BooleanField(_("fictional demo firm"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        # Moved from the profiles app; the table kept its name (a state-only migration).
        db_table = "profiles_foreignfirm"
        ordering = ["name"]
        verbose_name = _("foreign firm")
        verbose_name_plural = _("foreign firms")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.time_zone and self.country:
            self.time_zone = default_time_zone(self.country)
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "time_zone"}
        super().save(*args, **kwargs)


class FirmMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        MEMBER = "member", _("member")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="firm_membership",
        verbose_name=_("user"),
    )
    firm = models.ForeignKey(
        ForeignFirm, on_delete=models.CASCADE, related_name="members", verbose_name=_("firm")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        db_table = "profiles_firmmember"
        verbose_name = _("firm member")
        verbose_name_plural = _("firm members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.firm}"


class PendingSignUp(models.Model):
    """A sign-up waiting for its address to be confirmed. It grants nothing: no user, no
    firm, no membership exist until the confirmation (matchmaking/firms/accounts/services.py).

    One per address: signing up again replaces it and its nonce, which kills the earlier link.
    """

    email = models.EmailField(_("email"), max_length=150, unique=True)
    password = models.CharField(_("password"), max_length=128)  # a hash, as on User
    firm_name = models.CharField(_("firm name"), max_length=255)
    country = models.CharField(_("country or region"), max_length=2)
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("signed up"))

    class Meta:
        verbose_name = _("pending sign-up")
        verbose_name_plural = _("pending sign-ups")

    def __str__(self) -> str:
        return self.email


# == foreign firms: shortlist and feedback on suggestions ==


class ShortlistEntry(models.Model):
    """An organization a firm keeps in mind, with a note only its members read."""

    firm = models.ForeignKey(
        ForeignFirm,
        on_delete=models.CASCADE,
        related_name="shortlist",
        verbose_name=_("firm"),
    )
    organization = models.ForeignKey(
        "profiles.Organization",
        on_delete=models.CASCADE,
        related_name="shortlist_entries",
        verbose_name=_("organization"),
    )
    note = models.TextField(_("private note"), blank=True, max_length=2000)
    added_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "organization"], name="shortlist_once_per_firm"
            )
        ]

    def __str__(self) -> str:
        return f"{self.firm} ★ {self.organization}"


class SuggestionFeedback(models.Model):
    """ "Not relevant because ...": hides the suggestion from this firm and tells staff why."""

    class Reason(models.TextChoices):
        INDUSTRY = "industry", _("wrong industry")
        REGION = "region", _("wrong region")
        TOO_SMALL = "too_small", _("too small")
        TOO_EARLY = "too_early", _("too early-stage")
        LANGUAGE = "language", _("language barrier")
        OTHER = "other", _("other")

    firm = models.ForeignKey(
        ForeignFirm,
        on_delete=models.CASCADE,
        related_name="suggestion_feedback",
        verbose_name=_("firm"),
    )
    organization = models.ForeignKey(
        "profiles.Organization",
        on_delete=models.CASCADE,
        related_name="suggestion_feedback",
        verbose_name=_("organization"),
    )
    reason = models.CharField(_("not relevant because"), max_length=12, choices=Reason.choices)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    given_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suggestion feedback")
        verbose_name_plural = _("suggestion feedback")
        constraints = [
            models.UniqueConstraint(fields=["firm", "organization"], name="feedback_once_per_firm")
        ]

    def __str__(self) -> str:
        return f"{self.firm} ✗ {self.organization}: {self.reason}"


# == introductions brokered by prefecture staff ==


class IntroductionState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    INFO_REQUESTED = "info_requested", _("more information requested")
    FORWARDED = "forwarded", _("forwarded to the organization")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STATES = (
    IntroductionState.SUBMITTED,
    IntroductionState.UNDER_REVIEW,
    IntroductionState.INFO_REQUESTED,
    IntroductionState.FORWARDED,
)
# States in which the request waits for staff: these turn stale when nobody acts.
WAITING_FOR_STAFF = (IntroductionState.SUBMITTED, IntroductionState.UNDER_REVIEW)


class IntroductionRequestQuerySet(models.QuerySet["IntroductionRequest"]):
    def open(self) -> IntroductionRequestQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def in_prefectures(self, prefecture_ids: frozenset[int] | None) -> IntroductionRequestQuerySet:
        """Scope to a curator's prefectures; None (an admin) means every prefecture."""
        if prefecture_ids is None:
            return self
        return self.filter(organization__prefecture_id__in=prefecture_ids)

    def stale(self, *, before: Any) -> IntroductionRequestQuerySet:
        return self.filter(state__in=WAITING_FOR_STAFF, state_changed_at__lt=before)


class IntroductionRequest(models.Model):
    class Answer(models.TextChoices):
        INTERESTED = "interested", _("interested")
        NOT_INTERESTED = "not_interested", _("not interested")

    class PreferredLanguage(models.TextChoices):
        ENGLISH = "en", _("English")
        JAPANESE = "ja", _("Japanese")

    firm = models.ForeignKey(
        ForeignFirm,
        on_delete=models.CASCADE,
        related_name="introduction_requests",
        verbose_name=_("firm"),
    )
    organization = models.ForeignKey(
        "profiles.Organization",
        on_delete=models.CASCADE,
        related_name="introduction_requests",
        verbose_name=_("organization"),
    )
    requested_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    partnership_type = models.ForeignKey(
        "profiles.PartnershipType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partnership type sought"),
    )
    proposal = models.TextField(_("what you propose"), max_length=4000)
    questions = models.TextField(_("what you need to know"), max_length=2000, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=PreferredLanguage.choices
    )
    contact_name = models.CharField(_("contact person"), max_length=120)
    contact_email = models.EmailField(_("contact email"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=IntroductionState.choices,
        default=IntroductionState.SUBMITTED,
    )
    answer = models.CharField(
        _("organization's answer"), max_length=16, choices=Answer.choices, blank=True
    )
    # A fresh key is rendered into each form: a second submission of the same form finds
    # the request the first one created.
    submission_key = models.UUIDField(_("submission key"), unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    state_changed_at = models.DateTimeField(_("state changed"), auto_now_add=True)

    objects = IntroductionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("introduction request")
        verbose_name_plural = _("introduction requests")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "organization"],
                condition=models.Q(state__in=OPEN_STATES),
                name="one_open_introduction_per_firm_and_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.firm} → {self.organization} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_stale(self, *, before: Any) -> bool:
        return self.state in WAITING_FOR_STAFF and self.state_changed_at < before


class IntroductionEvent(models.Model):
    """One step of a request: who moved it, when, from where to where, and why. Meetings and
    outcomes are steps too (`kind`), which leave the state where it was."""

    class Kind(models.TextChoices):
        STATE = "state", _("state changed")
        MEETING_PROPOSED = "meeting_proposed", _("meeting times proposed")
        MEETING_CONFIRMED = "meeting_confirmed", _("meeting confirmed")
        MEETING_RESCHEDULED = "meeting_rescheduled", _("new meeting times proposed")
        MEETING_CANCELLED = "meeting_cancelled", _("meeting cancelled")
        MEETING_REMINDED = "meeting_reminded", _("meeting reminder sent")
        OUTCOME_ASKED = "outcome_asked", _("firm asked for the outcome")
        OUTCOME_RECORDED = "outcome_recorded", _("outcome recorded")

    request = models.ForeignKey(
        IntroductionRequest, on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(
        _("from"), max_length=16, choices=IntroductionState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=16, choices=IntroductionState.choices)
    actor = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, related_name="+")
    message = models.TextField(_("message"), blank=True, max_length=4000)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.STATE)
    meeting = models.ForeignKey(
        "matchmaking.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("meeting"),
    )
    # The meeting times this step proposed or agreed (ISO 8601), kept as they were then.
    times = models.JSONField(_("meeting times"), default=list, blank=True)
    outcome = models.ForeignKey(
        "matchmaking.Outcome",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("introduction event")
        verbose_name_plural = _("introduction events")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_state} → {self.to_state}"

    def time_labels(self) -> list[str]:
        """The times of this step, each in Japan time and the firm's time zone."""
        zone = self.request.firm.time_zone
        return [time_label(datetime.fromisoformat(moment), zone) for moment in self.times]


class SuggestionShown(models.Model):
    """An organization was shown to a firm as a suggestion during that week (once per week):
    what the staff view of demand counts."""

    firm = models.ForeignKey(
        ForeignFirm, on_delete=models.CASCADE, related_name="+", verbose_name=_("firm")
    )
    organization = models.ForeignKey(
        "profiles.Organization",
        on_delete=models.CASCADE,
        related_name="suggestions_shown",
        verbose_name=_("organization"),
    )
    week = models.DateField(_("week (Monday)"))

    class Meta:
        verbose_name = _("suggestion shown")
        verbose_name_plural = _("suggestions shown")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "organization", "week"], name="suggestion_shown_once_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.week}: {self.organization_id} to {self.firm_id}"
