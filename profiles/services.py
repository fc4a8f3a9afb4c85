"""Writes that change an organization's status: the same rules for the admin and the workspace."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from profiles.models import Organization
from profiles.signals import notify_organizations_changed


@transaction.atomic
def organizations_set_status(
    *, organizations: Iterable[Organization], status: str, user: User
) -> int:
    """Move organizations to a status; publishing records who verified them and when."""
    ids = [organization.pk for organization in organizations]
    changes: dict[str, object] = {"status": status, "version": F("version") + 1}
    if status == Organization.Status.PUBLISHED:
        changes |= {"verified_by": user, "verified_at": timezone.now()}
    changes["updated_at"] = timezone.now()
    changed = Organization.objects.filter(pk__in=ids).exclude(status=status)
    changed_ids = list(changed.values_list("pk", flat=True))
    count = Organization.objects.filter(pk__in=changed_ids).update(**changes)
    notify_organizations_changed(changed_ids)
    return count


@transaction.atomic
def organizations_mark_verified(*, organizations: Iterable[Organization], user: User) -> int:
    ids = [organization.pk for organization in organizations]
    now = timezone.now()
    count = Organization.objects.filter(pk__in=ids).update(
        verified_by=user, verified_at=now, updated_at=now, version=F("version") + 1
    )
    notify_organizations_changed(ids)
    return count
