"""What other apps hear about the directory.

`organizations_changed` is sent once a transaction that created, edited, published,
archived or imported organizations has committed, `glossary_changed` once glossary concepts
changed. The matchmaking app listens to keep its search index fresh. Writes that bypass
`save()` (bulk updates, imports) must call `notify_organizations_changed` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from profiles.models import Concept, Organization

# Sent with organization_ids: frozenset[int].
organizations_changed = Signal()
# Sent once a transaction that added, edited or removed glossary concepts has committed.
glossary_changed = Signal()


def notify_organizations_changed(organization_ids: Iterable[int]) -> None:
    ids = frozenset(organization_ids)
    if ids:
        transaction.on_commit(
            lambda: organizations_changed.send(sender=Organization, organization_ids=ids)
        )


@receiver(post_save, sender=Organization)
@receiver(post_delete, sender=Organization)
def _organization_saved(sender: type[Organization], instance: Organization, **kwargs: Any) -> None:
    notify_organizations_changed([instance.pk])


@receiver(m2m_changed, sender=Organization.industries.through)
@receiver(m2m_changed, sender=Organization.partnership_types.through)
@receiver(m2m_changed, sender=Organization.languages.through)
def _organization_facets_changed(instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    if action.startswith("post_") and not reverse and isinstance(instance, Organization):
        notify_organizations_changed([instance.pk])


@receiver(post_save, sender=Concept)
@receiver(post_delete, sender=Concept)
def _concept_saved(sender: type[Concept], **kwargs: Any) -> None:
    transaction.on_commit(lambda: glossary_changed.send(sender=Concept))
