"""Counters that every worker shares, counted atomically in the database.

Log-in throttling and the limits on account mail count here rather than in the cache: the
default cache (the database cache) reads and writes back on `incr`, so two workers counting
at once could both see 4 under a limit of 5. Here each count locks its row
(`select_for_update`), so N concurrent attempts get exactly the counts 1..N.
"""

from __future__ import annotations

import datetime

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

# Rows that expired this long ago are deleted when a new counter starts; the margin keeps a
# row that a concurrent count is restarting out of reach of the clean-up.
_CLEAN_UP_AFTER = datetime.timedelta(hours=1)


class Counter(models.Model):
    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "matchmaking"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


def count(key: str, *, seconds: int, restart: bool = False) -> int:
    """Add one under key and return the new count; a count older than `seconds` starts again.

    With `restart`, every count pushes the expiry back (a cool-off that lasts while someone
    keeps trying); without it the window is fixed from the first count (a daily limit).
    """
    now = timezone.now()
    expires = now + datetime.timedelta(seconds=seconds)
    with transaction.atomic():
        row, created = Counter.objects.select_for_update().get_or_create(
            key=key, defaults={"count": 1, "expires_at": expires}
        )
        if not created:
            if row.expires_at <= now:
                row.count, row.expires_at = 1, expires
            else:
                row.count += 1
                if restart:
                    row.expires_at = expires
            row.save(update_fields=["count", "expires_at"])
    if created:
        Counter.objects.filter(expires_at__lt=now - _CLEAN_UP_AFTER).delete()
    return row.count


def current(keys: list[str]) -> dict[str, int]:
    """The live counts under these keys (a key not counted, or expired, is absent)."""
    rows = Counter.objects.filter(key__in=keys, expires_at__gt=timezone.now())
    return dict(rows.values_list("key", "count"))


def uncount(key: str) -> None:
    """Take one back, e.g. an attempt that turned out to be a success."""
    Counter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def forget(*keys: str) -> None:
    Counter.objects.filter(key__in=keys).delete()
