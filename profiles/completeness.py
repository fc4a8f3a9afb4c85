"""How complete a profile is, computed in the database so that lists can sort by it."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Length, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models import Organization, OrganizationQuerySet

MIN_KEYWORDS = 3
STALE_AFTER = datetime.timedelta(days=365)

# (annotation, what the curator is told is missing)
CHECKS = [
    ("lacks_description_en", _("no English description")),
    ("lacks_offers", _("no offers")),
    ("lacks_partnership_types", _("no partnership types")),
    ("lacks_keywords", _("few keywords")),
    ("is_stale", _("not updated for 12 months")),
]


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def with_completeness(queryset: OrganizationQuerySet) -> OrganizationQuerySet:
    """Annotate each organization with its missing items and a score from 0 to 100."""
    keyword_lines = Length("keywords") - Length(Replace("keywords", Value("\n"), Value(""))) + 1
    queryset = queryset.annotate(
        partnership_type_count=Count("partnership_types", distinct=True),
        keyword_lines=keyword_lines,
    ).annotate(
        lacks_description_en=_flag(Q(description_en="")),
        lacks_offers=_flag(Q(offers_en="", offers_ja="")),
        lacks_partnership_types=_flag(Q(partnership_type_count=0)),
        lacks_keywords=_flag(Q(keywords="") | Q(keyword_lines__lt=MIN_KEYWORDS)),
        is_stale=_flag(Q(updated_at__lt=timezone.now() - STALE_AFTER)),
    )
    missing: Any = Value(0, output_field=IntegerField())
    for name, _label in CHECKS:
        missing = missing + Case(
            When(**{name: True}, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    return queryset.annotate(completeness=100 - missing * (100 // len(CHECKS)))


def missing_items(organization: Organization) -> list[Any]:
    """The names of what an annotated organization lacks, for the dashboard."""
    return [label for name, label in CHECKS if getattr(organization, name, False)]
