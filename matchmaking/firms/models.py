"""The foreign side of the match: firms looking for partners in Japan, their members, their
shortlists and feedback on suggestions, and the introductions they ask for."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from profiles.models.organizations import KEYWORDS_LIMIT, BilingualTexts
from profiles.models.reference import (
    EmployeesBand,
    Industry,
    Language,
    PartnershipType,
    Prefecture,
    Region,
)


class ForeignFirm(BilingualTexts):
    # The same texts as Organization (BilingualTexts), so the ranker reads both sides alike.

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(
        _("country or region"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code.")
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
    """One transition of a request: who moved it, when, from where to where, and why."""

    request = models.ForeignKey(
        IntroductionRequest, on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(
        _("from"), max_length=16, choices=IntroductionState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=16, choices=IntroductionState.choices)
    actor = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, related_name="+")
    message = models.TextField(_("message"), blank=True, max_length=4000)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("introduction event")
        verbose_name_plural = _("introduction events")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_state} → {self.to_state}"


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
