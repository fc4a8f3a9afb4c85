"""The stored search index: every web process on every server serves the same version."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchIndexQuerySet(models.QuerySet["SearchIndex"]):
    def newest(self) -> SearchIndex | None:
        return self.defer("blob").order_by("-pk").first()


class SearchIndex(models.Model):
    """One fitted ranker, serialised; the row with the highest id is the one in service.

    A rebuild writes a new row and only then becomes visible (one INSERT), so requests keep
    using the previous version until the new one is complete.
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the build read the organizations: a change after this needs another build.
    source_read_at = models.DateTimeField(_("organizations read at"))
    document_count = models.PositiveIntegerField(_("documents"))
    vocabulary_size = models.PositiveIntegerField(_("vocabulary size"))
    build_seconds = models.FloatField(_("build time (s)"))
    params = models.JSONField(_("parameters"), default=dict)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    blob = models.BinaryField(_("serialised index"))

    objects = SearchIndexQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("search index")
        verbose_name_plural = _("search indexes")

    def __str__(self) -> str:
        return f"search index v{self.pk} ({self.document_count} documents)"

    @property
    def version(self) -> int:
        return self.pk


# == foreign firms: shortlist and feedback on suggestions ==


class ShortlistEntry(models.Model):
    """An organization a firm keeps in mind, with a note only its members read."""

    firm = models.ForeignKey(
        "profiles.ForeignFirm",
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
        "profiles.ForeignFirm",
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
        "profiles.ForeignFirm",
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
        "profiles.ForeignFirm", on_delete=models.CASCADE, related_name="+", verbose_name=_("firm")
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
