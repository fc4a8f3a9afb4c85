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
