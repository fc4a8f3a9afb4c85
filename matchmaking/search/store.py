"""The search index's versions: built and updated in the database, loaded once per process.

Every web process on every server serves the newest stored version; a rebuild writes a new
row and only then becomes visible, so requests keep the previous one until it is complete.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from matchmaking.ranker import Explainer, FitParams, Index, fit
from matchmaking.ranker.delta import apply_edits
from matchmaking.search.documents import glossary_concepts, organization_documents
from matchmaking.search.models import SearchIndex
from profiles.models import Organization

logger = logging.getLogger(__name__)

KEEP_VERSIONS = 3


def build_index(*, params: FitParams | None = None, workers: int = 1) -> SearchIndex:
    """Fit a new index aside and store it; requests keep the old one until it is saved."""
    started = time.perf_counter()
    read_at = timezone.now()
    documents = organization_documents()
    params = params or FitParams()
    index = fit(documents, glossary_concepts(), params, workers=workers)
    stored = _store(index, read_at=read_at, started=started, params=params.as_dict())
    logger.info("Built %s in %.2f s", stored, stored.build_seconds)
    return stored


def update_index(organization_ids: Iterable[int]) -> SearchIndex:
    """Apply changed organizations to the newest index as a delta, without a refit.

    Published ones are (re)vectorised into the delta segment, the others leave the index;
    once the delta holds more than RANKER_DELTA_LIMIT organizations, or there is no index
    yet, this is a full rebuild instead (which also refreshes the idf: see ranker.delta).
    The newest row is locked while the update is made, so two concurrent updates apply
    one after the other instead of one losing the other's change (PostgreSQL; SQLite runs
    one writer at a time anyway).
    """
    ids = set(organization_ids)
    started = time.perf_counter()
    with transaction.atomic():
        newest = SearchIndex.objects.select_for_update().order_by("-pk").first()
        if newest is not None:
            index = Index.from_bytes(bytes(newest.blob))
            pending = len(index.segment) if index.segment is not None else 0
            if pending + len(ids) <= settings.RANKER_DELTA_LIMIT:
                read_at = timezone.now()
                documents = organization_documents(Organization.objects.filter(pk__in=ids))
                published = {doc.id for doc in documents}
                apply_edits(index, upserts=documents, removals=ids - published)
                stored = _store(index, read_at=read_at, started=started, params=newest.params)
                logger.info("Updated %s with %d organizations", stored, len(ids))
                return stored
    return build_index()


def _store(index: Index, *, read_at: Any, started: float, params: dict[str, Any]) -> SearchIndex:
    blob = index.to_bytes()
    with transaction.atomic():
        stored = SearchIndex.objects.create(
            source_read_at=read_at,
            document_count=len(index),
            vocabulary_size=len(index.vocabulary),
            build_seconds=time.perf_counter() - started,
            params=params,
            size_bytes=len(blob),
            blob=blob,
        )
        stale = SearchIndex.objects.order_by("-pk").values_list("pk", flat=True)[KEEP_VERSIONS:]
        SearchIndex.objects.filter(pk__in=list(stale)).delete()
    return stored


@dataclass
class Loaded:
    version: int
    created_at: Any
    index: Index
    explainer: Explainer


class _IndexCache:
    """The index this process serves: loaded at first use, replaced when a newer one exists.

    The database is asked for the newest version at most every RANKER_RELOAD_SECONDS, so a
    new index is picked up within seconds and without a restart.
    """

    def __init__(self) -> None:
        self.loaded: Loaded | None = None
        self.checked_at = float("-inf")
        self.lock = threading.Lock()

    def get(self) -> Loaded | None:
        now = time.monotonic()
        if now - self.checked_at < settings.RANKER_RELOAD_SECONDS and self.loaded is not None:
            return self.loaded
        with self.lock:
            newest = SearchIndex.objects.newest()
            self.checked_at = now
            if newest is None:
                self.loaded = None
            elif self.loaded is None or (self.loaded.version, self.loaded.created_at) != (
                newest.pk,
                newest.created_at,
            ):
                blob = SearchIndex.objects.filter(pk=newest.pk).values_list("blob", flat=True)
                index = Index.from_bytes(bytes(blob[0]))
                self.loaded = Loaded(
                    newest.pk, newest.created_at, index, Explainer(index.concepts)
                )
            return self.loaded

    def forget(self) -> None:
        with self.lock:
            self.loaded, self.checked_at = None, float("-inf")


index_cache = _IndexCache()


class IndexMissing(Exception):
    """No index has been built yet: run `python manage.py rebuild_index`."""


def current_index() -> Loaded:
    loaded = index_cache.get()
    if loaded is None:
        raise IndexMissing("No search index yet: run python manage.py rebuild_index")
    return loaded
