"""The `.ics` invitation of a meeting (RFC 5545, written by icalendar).

Every mail about one meeting carries the same UID; a reschedule raises SEQUENCE and a
cancellation is METHOD:CANCEL, so a calendar updates its one event instead of adding another.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from matchmaking.firms.introductions.models import Meeting

PRODUCT = "-//Ryumon//Meetings//EN"


def invitation(meeting: Meeting, *, attendees: list[str], now: datetime, cancel: bool) -> str:
    """The calendar text: a request for the meeting, or its cancellation."""
    assert meeting.starts_at is not None and meeting.ends_at is not None
    introduction = meeting.introduction
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", f"{meeting.uid}@ryumon")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    organization = introduction.organization
    event.add(
        "summary", f"{introduction.firm.name} × {organization.name_en or organization.name_ja}"
    )
    if meeting.online_url:
        event.add("url", meeting.online_url)
    location = meeting.venue or meeting.online_url
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    for address in sorted(set(attendees)):
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
