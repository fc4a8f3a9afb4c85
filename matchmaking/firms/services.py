"""Firm writes: shortlist entries and "not relevant" feedback."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from matchmaking.firms.models import (
    ForeignFirm,
    ShortlistEntry,
    SuggestionFeedback,
    SuggestionShown,
)
from profiles.models import Organization


@transaction.atomic
def shortlist_add(*, firm: ForeignFirm, organization: Organization, user: User) -> ShortlistEntry:
    """Add once: a second click (or a double submit) finds the existing entry."""
    entry, _ = ShortlistEntry.objects.get_or_create(
        firm=firm, organization=organization, defaults={"added_by": user}
    )
    return entry


def shortlist_remove(*, firm: ForeignFirm, organization: Organization) -> None:
    ShortlistEntry.objects.filter(firm=firm, organization=organization).delete()


@transaction.atomic
def suggestion_dismiss(
    *, firm: ForeignFirm, organization: Organization, reason: str, comment: str, user: User
) -> SuggestionFeedback:
    """Record why a suggestion is not relevant; it is hidden for this firm from now on."""
    try:
        with transaction.atomic():
            return SuggestionFeedback.objects.create(
                firm=firm,
                organization=organization,
                reason=reason,
                comment=comment,
                given_by=user,
            )
    except IntegrityError:
        feedback = SuggestionFeedback.objects.get(firm=firm, organization=organization)
        feedback.reason, feedback.comment, feedback.given_by = reason, comment, user
        feedback.save(update_fields=["reason", "comment", "given_by"])
        return feedback


def suggestions_record_shown(*, firm: ForeignFirm, organizations: list[Organization]) -> None:
    """Remember which organizations this firm was shown this week (one query, no duplicates)."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    SuggestionShown.objects.bulk_create(
        [SuggestionShown(firm=firm, organization=o, week=monday) for o in organizations],
        ignore_conflicts=True,
    )
