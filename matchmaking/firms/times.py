"""Meeting times as people read them: Japan time first, then the firm's own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import dateformat, timezone
from django.utils.translation import gettext

JAPAN = ZoneInfo("Asia/Tokyo")


def zone_of(name: str) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def time_label(moment: datetime, firm_zone: str = "") -> str:
    """ "Tue 12 Jan 2027, 10:00 JST (02:00 CET)": Japan time, then the firm's, if it differs."""
    # Translators: a meeting time, in Django's date format (Japanese: Y年n月j日(D) H:i).
    pattern = gettext("D j M Y, H:i")
    local = timezone.localtime(moment, JAPAN)
    label = f"{dateformat.format(local, pattern)} {dateformat.format(local, 'T')}"
    zone = zone_of(firm_zone)
    there = timezone.localtime(moment, zone) if zone is not None else local
    if there.utcoffset() != local.utcoffset():
        same_day = there.date() == local.date()
        # Translators: the time at the firm, beside Japan time; with a date when it differs.
        there_pattern = "H:i T" if same_day else gettext("D j M, H:i T")
        label += f" ({dateformat.format(there, there_pattern)})"
    return label
