"""The stored search index: every web process on every server serves the same version."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchIndexQuerySet(models.QuerySet["SearchIndex"]):
    def newest(self) -> SearchIndex | None:
        return self.order_by("-pk").first()


class SearchIndex(models.Model):
    """One fitted ranker, serialised; the row with the highest id is the one in service.

    Its bytes are stored in `SearchIndexChunk` rows (a 1M-organization index, about 1.4 GB,
    is more than one SQLite or PostgreSQL value may hold). A version's row and all its
    chunks are written in one transaction, so requests keep using the previous version until
    the new one is complete (`matchmaking.search.store`).
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the build read the organizations: a change after this needs another build.
    source_read_at = models.DateTimeField(_("organizations read at"))
    document_count = models.PositiveIntegerField(_("documents"))
    vocabulary_size = models.PositiveIntegerField(_("vocabulary size"))
    build_seconds = models.FloatField(_("build time (s)"))
    params = models.JSONField(_("parameters"), default=dict)
    # The serialised index's total size: the sum of its chunks' lengths.
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))

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


class SearchIndexChunk(models.Model):
    """A slice of a version's serialised bytes (`Index.to_bytes`): its chunks in `seq` order,
    concatenated, are the whole (RANKER_INDEX_CHUNK_BYTES each, the last one shorter)."""

    index = models.ForeignKey(SearchIndex, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField(_("sequence"))
    data = models.BinaryField(_("bytes"))

    class Meta:
        verbose_name = _("search index chunk")
        verbose_name_plural = _("search index chunks")
        constraints = [
            models.UniqueConstraint(fields=["index", "seq"], name="search_index_chunk_seq")
        ]

    def __str__(self) -> str:
        return f"{self.index_id}#{self.seq}"
