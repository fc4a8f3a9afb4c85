"""Keep the search index fresh when published organizations change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver

from profiles.signals import organizations_changed


@receiver(organizations_changed)
def _schedule_rebuild(sender: Any, organization_ids: frozenset[int], **kwargs: Any) -> None:
    if not settings.RANKER_AUTO_REBUILD:
        return
    from matchmaking.search.tasks import update_index

    # A delta on the newest index: searchable in well under a second, no refit.
    update_index.enqueue(organization_ids=sorted(organization_ids))
