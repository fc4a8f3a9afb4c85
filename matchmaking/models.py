"""The stored search index: every web process on every server serves the same version."""

from __future__ import annotations

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
