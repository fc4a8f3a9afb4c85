"""The one `.ics` writer (matchmaking/ics.py): what a calendar reads back from it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from matchmaking.ics import Entry, calendar_file

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC)


def test_it_writes_each_meeting_in_japan_time_at_the_right_instant() -> None:
    entries = [
        Entry(
            uid="ryumon-meeting-1@example",
            starts=dt.datetime(2027, 1, 12, 10, 0, tzinfo=TOKYO),
            ends=dt.datetime(2027, 1, 12, 10, 20, tzinfo=TOKYO),
            summary="Kumamoto Robotics Day: 肥後ロボティクス",
            location="Kumamoto Castle Hall · table 2",
        ),
        Entry(
            uid="ryumon-meeting-2@example",
            starts=dt.datetime(2027, 1, 12, 10, 25, tzinfo=TOKYO),
            ends=dt.datetime(2027, 1, 12, 10, 45, tzinfo=TOKYO),
            summary="Kumamoto Robotics Day: Acme Robotics Inc.",
        ),
    ]
    calendar = Calendar.from_ical(calendar_file(entries, product="-//Test//EN", now=NOW))
    assert str(calendar["prodid"]) == "-//Test//EN" and "method" not in calendar
    first, second = calendar.walk("VEVENT")
    assert first["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert first.decoded("dtstart").astimezone(dt.UTC) == dt.datetime(
        2027, 1, 12, 1, 0, tzinfo=dt.UTC
    )
    assert str(first["summary"]) == "Kumamoto Robotics Day: 肥後ロボティクス"
    assert str(first["location"]) == "Kumamoto Castle Hall · table 2"
    assert first.decoded("dtstamp") == NOW
    # What an entry does not say is left out, not written empty.
    assert all(key not in second for key in ("location", "url", "status", "sequence"))


def test_an_invitation_carries_its_sequence_status_and_attendees_once() -> None:
    entry = Entry(
        uid="abc@ryumon",
        starts=dt.datetime(2027, 1, 12, 10, 0, tzinfo=TOKYO),
        ends=dt.datetime(2027, 1, 12, 11, 0, tzinfo=TOKYO),
        summary="Acme × Higo",
        url="https://meet.example/acme-higo",
        location="https://meet.example/acme-higo",
        sequence=2,
        status="CANCELLED",
        attendees=("b@example.com", "a@example.com", "a@example.com"),
    )
    text = calendar_file([entry], product="-//Test//EN", now=NOW, method="CANCEL").decode()
    assert "METHOD:CANCEL" in text and "SEQUENCE:2" in text and "STATUS:CANCELLED" in text
    assert re.findall(r"ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:(\S+)", text) == [
        "a@example.com",
        "b@example.com",
    ]


def test_it_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValueError, match="aware"):
        Entry(
            uid="x",
            starts=dt.datetime(2027, 1, 12, 10, 0),
            ends=dt.datetime(2027, 1, 12, 11, 0, tzinfo=TOKYO),
            summary="floating",
        )
