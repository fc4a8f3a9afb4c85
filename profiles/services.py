"""Writes to organizations and prefecture pages: the same rules for the workspace, the
importer and the admin. Every write leaves an `OrganizationChange` behind."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models import Organization, OrganizationChange, Prefecture, PrefectureGuide
from profiles.signals import notify_organizations_changed

# What the history records: the profile fields and the status. Related rows are shown by code.
TRACKED_FIELDS = [*Organization.PROFILE_FIELDS, "status"]
M2M_FIELDS = ("industries", "partnership_types", "languages")


def display_value(value: Any) -> Any:
    """Turn a field value into what the history and the export show: codes, text, numbers."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return getattr(value, "code", str(value.pk))
    if not isinstance(value, str | bytes) and hasattr(value, "__iter__"):
        return " | ".join(sorted(display_value(item) for item in value))
    return value


def organization_snapshot(organization: Organization) -> dict[str, Any]:
    """Return every tracked field as displayed in the history (one query per related set)."""
    snapshot: dict[str, Any] = {}
    for name in TRACKED_FIELDS:
        if name in M2M_FIELDS:
            snapshot[name] = (
                display_value(getattr(organization, name).all()) if organization.pk else ""
            )
        else:
            snapshot[name] = display_value(getattr(organization, name))
    return snapshot


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }


class StaleVersion(Exception):
    """The organization was saved by someone else since this form was opened."""

    def __init__(self, organization: Organization, changes: list[OrganizationChange]) -> None:
        super().__init__(f"organization {organization.pk} is at version {organization.version}")
        self.organization = organization
        self.changes = changes


class TransitionRefused(Exception):
    pass


class DuplicateOrganization(Exception):
    """Another organization of the prefecture has this external ID (saved meanwhile)."""


def _apply(organization: Organization, data: Mapping[str, Any]) -> dict[str, Any]:
    """Set the scalar fields on the row; return the related sets to write after saving."""
    related = {}
    for name, value in data.items():
        if name in M2M_FIELDS:
            related[name] = value
        elif name in TRACKED_FIELDS:
            setattr(organization, name, value)
    return related


def _lock(organization: Organization, *, version: int) -> Organization:
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if locked.version != version:
        since = list(
            OrganizationChange.objects.filter(organization=locked, version__gt=version)
            .select_related("user")
            .order_by("version")
        )
        raise StaleVersion(locked, since)
    return locked


@transaction.atomic
def organization_create(
    *, data: Mapping[str, Any], user: User, creation_key: uuid.UUID | None = None
) -> Organization:
    """Create a draft; the same form submitted twice (`creation_key`) creates it once."""
    if creation_key is not None:
        existing = Organization.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    organization = Organization(source=Organization.Source.MANUAL, creation_key=creation_key)
    related = _apply(organization, data)
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        # A concurrent save won: the same form (return its draft) or the same external ID.
        if creation_key is not None:
            existing = Organization.objects.filter(creation_key=creation_key).first()
            if existing is not None:
                return existing
        raise DuplicateOrganization(organization.external_id) from None
    for name, value in related.items():
        getattr(organization, name).set(value)
    OrganizationChange.objects.create(
        organization=organization,
        user=user,
        via=OrganizationChange.Via.WORKSPACE,
        version=organization.version,
        created=True,
        fields=changed_fields({}, organization_snapshot(organization)),
    )
    return organization


@transaction.atomic
def organization_update(
    *, organization: Organization, data: Mapping[str, Any], version: int, user: User
) -> Organization:
    """Save the edit if nobody else saved since `version`; raise StaleVersion otherwise."""
    locked = _lock(organization, version=version)
    before = organization_snapshot(locked)
    related = _apply(locked, data)
    locked.version = version + 1
    locked.save()
    for name, value in related.items():
        getattr(locked, name).set(value)
    fields = changed_fields(before, organization_snapshot(locked))
    OrganizationChange.objects.create(
        organization=locked,
        user=user,
        via=OrganizationChange.Via.WORKSPACE,
        version=locked.version,
        fields=fields,
    )
    return locked


def _verified_by(user: User) -> dict[str, list[Any]]:
    """What the history says when publishing records who verified an organization."""
    return {"verified_by": ["", user.get_username()]}


@dataclass(frozen=True)
class Transition:
    label: Any
    sources: frozenset[str]
    target: str


S = Organization.Status
TRANSITIONS = {
    "submit": Transition(_("Submit for review"), frozenset({S.DRAFT}), S.IN_REVIEW),
    "publish": Transition(_("Publish"), frozenset({S.DRAFT, S.IN_REVIEW}), S.PUBLISHED),
    "archive": Transition(
        _("Archive"), frozenset({S.DRAFT, S.IN_REVIEW, S.PUBLISHED}), S.ARCHIVED
    ),
    "reopen": Transition(
        _("Back to draft"), frozenset({S.IN_REVIEW, S.PUBLISHED, S.ARCHIVED}), S.DRAFT
    ),
}


@transaction.atomic
def organization_transition(
    *, organization: Organization, action: str, version: int, user: User
) -> Organization:
    """Move one organization along the workflow; publishing records who verified it."""
    transition = TRANSITIONS[action]
    locked = _lock(organization, version=version)
    if locked.status not in transition.sources:
        raise TransitionRefused(locked.get_status_display())
    fields: dict[str, list[Any]] = {"status": [locked.status, transition.target]}
    locked.status = transition.target
    if transition.target == S.PUBLISHED:
        locked.verified_by = user
        locked.verified_at = timezone.now()
        fields |= _verified_by(user)
    locked.version += 1
    locked.save()
    OrganizationChange.objects.create(
        organization=locked,
        user=user,
        via=OrganizationChange.Via.WORKFLOW,
        version=locked.version,
        fields=fields,
    )
    return locked


@transaction.atomic
def organizations_set_status(
    *, organizations: Iterable[Organization], status: str, user: User
) -> int:
    """Move organizations to a status; publishing records who verified them and when."""
    ids = [organization.pk for organization in organizations]
    now = timezone.now()
    changes: dict[str, object] = {"status": status, "version": F("version") + 1}
    if status == Organization.Status.PUBLISHED:
        changes |= {"verified_by": user, "verified_at": now}
    changes["updated_at"] = now
    changed = dict(
        Organization.objects.filter(pk__in=ids)
        .exclude(status=status)
        .select_for_update()
        .values_list("pk", "status")
    )
    count = Organization.objects.filter(pk__in=changed).update(**changes)
    versions = dict(Organization.objects.filter(pk__in=changed).values_list("pk", "version"))
    fields: dict[str, list[Any]] = {}
    if status == Organization.Status.PUBLISHED:
        fields = _verified_by(user)
    OrganizationChange.objects.bulk_create(
        OrganizationChange(
            organization_id=pk,
            user=user,
            via=OrganizationChange.Via.ADMIN,
            version=versions[pk],
            fields={"status": [old, status], **fields},
        )
        for pk, old in changed.items()
    )
    notify_organizations_changed(changed)
    return count


@transaction.atomic
def organizations_mark_verified(*, organizations: Iterable[Organization], user: User) -> int:
    ids = [organization.pk for organization in organizations]
    now = timezone.now()
    count = Organization.objects.filter(pk__in=ids).update(
        verified_by=user, verified_at=now, updated_at=now, version=F("version") + 1
    )
    versions = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "version"))
    OrganizationChange.objects.bulk_create(
        OrganizationChange(
            organization_id=pk,
            user=user,
            via=OrganizationChange.Via.ADMIN,
            version=version,
            fields=_verified_by(user),
        )
        for pk, version in versions.items()
    )
    notify_organizations_changed(ids)
    return count


def organization_record_admin_change(
    *, organization: Organization, before: Mapping[str, Any], user: User, created: bool
) -> None:
    """Record an admin save (called once the admin has saved the related sets too).

    A save that publishes the organization records who verified it and when, as the
    workflow's "publish" does.
    """
    fields = changed_fields(before, organization_snapshot(organization))
    if fields.get("status", ["", ""])[1] == S.PUBLISHED:
        organization.verified_by = user
        organization.verified_at = timezone.now()
        # Not save(): the admin's save has already announced the change (post_save).
        Organization.objects.filter(pk=organization.pk).update(
            verified_by=user, verified_at=organization.verified_at
        )
        fields |= _verified_by(user)
    if fields or created:
        OrganizationChange.objects.create(
            organization=organization,
            user=user,
            via=OrganizationChange.Via.ADMIN,
            version=organization.version,
            created=created,
            fields=fields,
        )


@transaction.atomic
def prefecture_guide_update(
    *, prefecture: Prefecture, data: Mapping[str, Any], user: User
) -> PrefectureGuide:
    guide, _created = PrefectureGuide.objects.select_for_update().get_or_create(
        prefecture=prefecture
    )
    for name, value in data.items():
        setattr(guide, name, value)
    # Once staff have written it, it is no longer the shipped sample text.
    guide.is_sample = False
    guide.updated_by = user
    guide.save()
    return guide
