"""Background work for the matchmaking app."""

from __future__ import annotations

import datetime

from django.tasks import task

from matchmaking.search import store
from matchmaking.search.models import SearchIndex


@task()
def rebuild_index(requested_at: str | None = None) -> int | None:
    """Rebuild the search index, unless a build already read the organizations after the
    change that asked for this one (a burst of edits then costs one build, not one each)."""
    if requested_at is not None:
        newest = SearchIndex.objects.newest()
        if newest is not None and newest.source_read_at >= datetime.datetime.fromisoformat(
            requested_at
        ):
            return None
    return store.build_index().pk


@task()
def update_index(organization_ids: list[int]) -> int:
    """Make changed organizations searchable now: a delta on the newest index (or a
    rebuild when the delta is full)."""
    return store.update_index(organization_ids).pk
