"""A participant's schedule as an `.ics` (written by matchmaking/ics.py): the firm downloads
its own, the curator downloads any participant's to mail to an organization."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from matchmaking.events.models import Event, Registration, ScheduledMeeting
from matchmaking.ics import Entry, calendar_file

PRODUCT = "-//Ryumon//business-matching events//EN"


def _entry(event: Event, scheduled: ScheduledMeeting, host: str) -> Entry:
    other = scheduled.other
    where = event.venue or (_("Online") if event.online else "")
    table = _("table %(table)s") % {"table": scheduled.meeting.table}
    if other.is_firm:
        assert other.firm is not None
        about = f"{other.firm.name} ({other.firm.country})"
    else:
        assert other.organization is not None
        names = dict.fromkeys([other.organization.name, other.organization.other_name])
        about = " / ".join(name for name in names if name)
    return Entry(
        # The meeting's UID, the same in both participants' calendars.
        uid=f"ryumon-meeting-{scheduled.meeting.pk}@{host}",
        starts=scheduled.starts,
        ends=scheduled.ends,
        summary=f"{event.title}: {other.participant}",
        location=" · ".join(part for part in (where, table) if part),
        description=about,
    )


def schedule_file(
    registration: Registration, schedule: list[ScheduledMeeting], *, host: str, now: datetime
) -> bytes:
    """The participant's meetings, each with the other party's name in the reader's language."""
    event = registration.event
    return calendar_file(
        [_entry(event, scheduled, host) for scheduled in schedule], product=PRODUCT, now=now
    )


def schedule_response(
    request: HttpRequest, registration: Registration, filename: str
) -> HttpResponse:
    """The participant's published schedule as a downloaded `.ics` file."""
    text = schedule_file(
        registration, registration.schedule(), host=request.get_host(), now=timezone.now()
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
