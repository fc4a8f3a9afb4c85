"""Keep the search index fresh when published organizations change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from profiles.signals import glossary_changed, organizations_changed


@receiver(organizations_changed)
def _schedule_rebuild(sender: Any, organization_ids: frozenset[int], **kwargs: Any) -> None:
    if not settings.RANKER_AUTO_REBUILD:
        return
    from matchmaking.search.tasks import update_index

    # A delta on the newest index: searchable in well under a second, no refit.
    update_index.enqueue(organization_ids=sorted(organization_ids))


@receiver(glossary_changed)
def _schedule_refit(sender: Any, **kwargs: Any) -> None:
    """Concepts are part of the fitted index: a glossary edit needs a rebuild, not a delta."""
    if not settings.RANKER_AUTO_REBUILD:
        return
    from matchmaking.search.tasks import rebuild_index

    rebuild_index.enqueue(requested_at=timezone.now().isoformat())
