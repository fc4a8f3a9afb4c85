"""The `.ics` invitation of a meeting (written by matchmaking/ics.py).

Every mail about one meeting carries the same UID; a reschedule raises SEQUENCE and a
cancellation is METHOD:CANCEL, so a calendar updates its one event instead of adding another.
"""

from __future__ import annotations

from datetime import datetime

from matchmaking.firms.introductions.models import Meeting
from matchmaking.ics import Entry, calendar_file

PRODUCT = "-//Ryumon//Meetings//EN"


def invitation(meeting: Meeting, *, attendees: list[str], now: datetime, cancel: bool) -> str:
    """The calendar text: a request for the meeting, or its cancellation."""
    assert meeting.starts_at is not None and meeting.ends_at is not None
    introduction = meeting.introduction
    organization = introduction.organization
    entry = Entry(
        uid=f"{meeting.uid}@ryumon",
        sequence=meeting.sequence,
        starts=meeting.starts_at,
        ends=meeting.ends_at,
        summary=f"{introduction.firm.name} × {organization.name_en or organization.name_ja}",
        url=meeting.online_url,
        location=meeting.venue or meeting.online_url,
        status="CANCELLED" if cancel else "CONFIRMED",
        attendees=tuple(attendees),
    )
    text = calendar_file(
        [entry], product=PRODUCT, now=now, method="CANCEL" if cancel else "REQUEST"
    )
    return text.decode("utf-8")
