"""Calendar files (RFC 5545, written by icalendar): the one place Ryumon writes `.ics`.

An introduction's meeting invitation (matchmaking/firms/introductions/calendar.py) and a
participant's schedule of a business-matching event (matchmaking/events/calendar.py) both
describe their meetings as `Entry` rows and have `calendar_file` write them. Times stay in
the zone they are given (Japan time, as TZID=Asia/Tokyo), so a calendar shows the same instant
wherever it is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText


@dataclass(frozen=True)
class Entry:
    """One meeting of a calendar: its UID stays the same across updates of the meeting."""

    uid: str
    starts: datetime
    ends: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    # Raised on every reschedule, so a calendar replaces the event instead of adding one.
    sequence: int | None = None
    status: str = ""  # CONFIRMED, CANCELLED…; none: the calendar's default
    attendees: tuple[str, ...] = ()  # addresses

    def __post_init__(self) -> None:
        # A naive time would be "floating": each reader's own clock, a different instant.
        if self.starts.tzinfo is None or self.ends.tzinfo is None:
            raise ValueError("a calendar entry needs aware datetimes")


def calendar_file(
    entries: Iterable[Entry], *, product: str, now: datetime, method: str = ""
) -> bytes:
    """The calendar text of these meetings, stamped `now` (DTSTAMP is required per event)."""
    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        if entry.sequence is not None:
            event.add("sequence", entry.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", entry.starts)
        event.add("dtend", entry.ends)
        event.add("summary", entry.summary)
        if entry.url:
            event.add("url", entry.url)
        if entry.location:
            event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.status:
            event.add("status", entry.status)
        for address in sorted(set(entry.attendees)):
            attendee = vCalAddress(f"mailto:{address}")
            attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=False)
        calendar.add_component(event)
    return calendar.to_ical()
