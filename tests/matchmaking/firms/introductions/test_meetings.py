"""Meetings on an accepted introduction: Higo Robotics (Kumamoto) accepted Acme Robotics,
a US firm in Chicago; Aiko curates Kumamoto and speaks for Higo, which has no login."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from matchmaking.firms.introductions import meetings
from matchmaking.firms.introductions.models import Meeting
from matchmaking.firms.introductions.services import IntroductionRefused
from matchmaking.firms.models import (
    ForeignFirm,
    IntroductionEvent,
    IntroductionRequest,
    IntroductionState,
    default_time_zone,
)
from matchmaking.firms.times import time_label
from profiles.models import PartnershipType
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
Kind = IntroductionEvent.Kind


def test_a_time_reads_in_japan_time_then_the_firms() -> None:
    moment = datetime(2027, 1, 12, 10, 0, tzinfo=JST)
    assert time_label(moment, "Europe/Berlin") == "Tue 12 Jan 2027, 10:00 JST (02:00 CET)"
    assert time_label(moment, "America/Chicago") == (
        "Tue 12 Jan 2027, 10:00 JST (Mon 11 Jan, 19:00 CST)"
    )
    assert time_label(moment, "") == "Tue 12 Jan 2027, 10:00 JST"
    assert time_label(moment, "Asia/Tokyo") == "Tue 12 Jan 2027, 10:00 JST"
    with translation.override("ja"):
        assert time_label(moment, "Europe/Berlin") == "2027年1月12日(火) 10:00 JST (02:00 CET)"


def test_a_firm_gets_its_countrys_time_zone_when_it_has_only_one() -> None:
    assert default_time_zone("se") == "Europe/Stockholm"
    assert default_time_zone("DE") == "Europe/Berlin"
    assert default_time_zone("US") == ""  # several: the firm chooses on its profile
    firm = ForeignFirm.objects.create(name="Baltic Wind AB", slug="baltic", country="SE")
    assert firm.time_zone == "Europe/Stockholm"


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    """Run on-commit callbacks (the mails) when each request ends, as a real commit would."""
    original = Client.post

    def post(self: Client, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post)


@pytest.fixture
def accepted(maria: User, aiko: User) -> IntroductionRequest:
    firm = maria.firm_membership.firm
    firm.time_zone = "America/Chicago"
    firm.save()
    higo = make_organization(
        "43",
        name_en="Higo Robotics",
        name_ja="肥後ロボティクス",
        contact_email="info@higo.example",
    )
    return IntroductionRequest.objects.create(
        firm=firm,
        organization=higo,
        requested_by=maria,
        partnership_type=PartnershipType.objects.get(code="joint_rnd"),
        proposal="Joint development of welding robot controllers.",
        preferred_language="en",
        contact_name="Maria Lopez",
        contact_email="maria@acme-robotics.example",
        submission_key=uuid.uuid4(),
        state=IntroductionState.ACCEPTED,
    )


def _future(days: int, hour: int = 10) -> datetime:
    base = timezone.localtime(timezone.now(), JST) + timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


def _propose_form(*times: datetime, zone: str = "Asia/Tokyo", **extra: Any) -> dict[str, Any]:
    data = {
        "zone": zone,
        "duration_minutes": "60",
        "online_url": "https://meet.example/acme-higo",
        "venue": "",
        "message": "Any of these suits Higo.",
    }
    for n, moment in enumerate(times, start=1):
        data[f"slot_{n}"] = moment.strftime("%Y-%m-%dT%H:%M")
    return data | extra


def _ics(message: Any) -> str:
    [(name, content, mimetype)] = message.attachments
    assert mimetype.startswith("text/calendar")
    assert name == "invitation.ics"
    return str(content)


def test_the_curator_proposes_three_times_and_the_firm_picks_one(
    client: Client, maria: User, aiko: User, accepted: IntroductionRequest, mailoutbox: Any
) -> None:
    client.force_login(aiko)
    times = [_future(10), _future(11), _future(12, hour=15)]
    response = client.post(
        reverse("workspace:meeting_new", args=[accepted.pk]), _propose_form(*times)
    )
    assert response["Location"] == reverse("workspace:introduction", args=[accepted.pk])
    meeting = Meeting.objects.get()
    assert meeting.state == Meeting.State.PROPOSED and meeting.proposed_by == "curator"
    assert [slot.starts_at for slot in meeting.slots.all()] == times
    assert sorted(m.to[0] for m in mailoutbox) == [
        "aiko@pref-kumamoto.example",
        "maria@acme-robotics.example",
    ]
    mailoutbox.clear()

    # Maria sees each time in Japan time and in Chicago time, and picks the second.
    client.force_login(maria)
    page = client.get(reverse("introductions:detail", args=[accepted.pk])).content.decode()
    label = time_label(times[1], "America/Chicago")
    assert label in page and "JST" in label and ("CST" in label or "CDT" in label)
    slot = meeting.slots.all()[1]
    client.post(
        reverse("introductions:meeting_pick", args=[accepted.pk, meeting.pk]), {"slot": slot.pk}
    )
    meeting.refresh_from_db()
    assert (meeting.state, meeting.starts_at) == (Meeting.State.CONFIRMED, times[1])

    # Everyone gets the invitation, the organization in English and Japanese.
    assert sorted(m.to[0] for m in mailoutbox) == [
        "aiko@pref-kumamoto.example",
        "info@higo.example",
        "maria@acme-robotics.example",
    ]
    to_higo = next(m for m in mailoutbox if m.to == ["info@higo.example"])
    assert "Dear Higo Robotics" in to_higo.body and "肥後ロボティクス" in to_higo.body
    assert to_higo.reply_to == ["aiko@pref-kumamoto.example"]
    ics = _ics(to_higo)
    assert "METHOD:REQUEST" in ics and f"UID:{meeting.uid}@ryumon" in ics
    assert "DTSTART:" + times[1].astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ") in ics
    assert "https://meet.example/acme-higo" in ics
    assert {_ics(m) for m in mailoutbox} == {ics}  # one invitation, the same for all

    kinds = list(accepted.events.exclude(kind=Kind.STATE).values_list("kind", flat=True))
    assert kinds == [Kind.MEETING_PROPOSED, Kind.MEETING_CONFIRMED]
    assert accepted.events.get(kind=Kind.MEETING_PROPOSED).times == [t.isoformat() for t in times]


def test_the_side_that_proposed_cannot_pick_its_own_time(
    client: Client, maria: User, aiko: User, accepted: IntroductionRequest
) -> None:
    client.force_login(maria)
    # Maria enters Chicago wall-clock times: 18:00 in Chicago is 09:00 the next day in Japan.
    chicago = datetime.now(ZoneInfo("America/Chicago")).replace(
        hour=18, minute=0, second=0, microsecond=0
    ) + timedelta(days=10)
    client.post(
        reverse("introductions:meeting_new", args=[accepted.pk]),
        _propose_form(chicago, zone="America/Chicago", online_url="", venue="Kumamoto office"),
    )
    meeting = Meeting.objects.get()
    [slot] = meeting.slots.all()
    assert slot.starts_at == chicago
    assert timezone.localtime(slot.starts_at, JST).hour == 9
    client.post(
        reverse("introductions:meeting_pick", args=[accepted.pk, meeting.pk]), {"slot": slot.pk}
    )
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PROPOSED
    client.force_login(aiko)
    client.post(
        reverse("workspace:meeting_pick", args=[accepted.pk, meeting.pk]), {"slot": slot.pk}
    )
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CONFIRMED


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"online_url": "", "venue": ""}, "online meeting link or a venue"),
        ({"online_url": "http://meet.example/x"}, "https://"),
    ],
)
def test_a_proposal_needs_a_place(
    client: Client, aiko: User, accepted: IntroductionRequest, data: dict[str, str], error: str
) -> None:
    client.force_login(aiko)
    response = client.post(
        reverse("workspace:meeting_new", args=[accepted.pk]), _propose_form(_future(3), **data)
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert not Meeting.objects.exists()


def test_meetings_wait_for_the_organizations_acceptance_and_times_in_the_past_are_refused(
    aiko: User, accepted: IntroductionRequest
) -> None:
    arguments: dict[str, Any] = {
        "side": "curator",
        "actor": aiko,
        "duration_minutes": 60,
        "online_url": "https://meet.example/x",
        "venue": "",
        "message": "",
        "site_url": "",
    }
    with pytest.raises(IntroductionRefused, match="in the future"):
        meetings.meeting_propose(
            introduction=accepted, slots=[timezone.now() - timedelta(hours=1)], **arguments
        )
    IntroductionRequest.objects.filter(pk=accepted.pk).update(state=IntroductionState.FORWARDED)
    with pytest.raises(IntroductionRefused, match="accepted"):
        meetings.meeting_propose(introduction=accepted, slots=[_future(2)], **arguments)
    assert not Meeting.objects.exists()


def test_reschedule_and_cancel_update_the_same_calendar_event_and_stay_in_the_history(
    client: Client, maria: User, aiko: User, accepted: IntroductionRequest, mailoutbox: Any
) -> None:
    client.force_login(aiko)
    client.post(reverse("workspace:meeting_new", args=[accepted.pk]), _propose_form(_future(5)))
    meeting = Meeting.objects.get()
    client.force_login(maria)
    pick = reverse("introductions:meeting_pick", args=[accepted.pk, meeting.pk])
    client.post(pick, {"slot": meeting.slots.get().pk})

    # Maria proposes a new time: the agreed one is no longer agreed; Aiko picks it.
    new_time = _future(8, hour=14)
    client.post(
        reverse("introductions:meeting_reschedule", args=[accepted.pk, meeting.pk]),
        _propose_form(new_time, zone="Asia/Tokyo", message="A plant visit that week."),
    )
    meeting.refresh_from_db()
    assert (meeting.state, meeting.starts_at, meeting.sequence) == ("proposed", None, 1)
    assert meeting.proposed_by == "firm"
    client.force_login(aiko)
    mailoutbox.clear()
    client.post(
        reverse("workspace:meeting_pick", args=[accepted.pk, meeting.pk]),
        {"slot": meeting.slots.get().pk},
    )
    meeting.refresh_from_db()
    assert meeting.starts_at == new_time
    ics = _ics(next(m for m in mailoutbox if m.to == ["info@higo.example"]))
    assert f"UID:{meeting.uid}@ryumon" in ics and "SEQUENCE:1" in ics

    # A cancellation needs a reason and sends the calendar's cancellation.
    mailoutbox.clear()
    cancel = reverse("workspace:meeting_cancel", args=[accepted.pk, meeting.pk])
    client.post(cancel, {"message": ""})
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CONFIRMED and mailoutbox == []
    client.post(cancel, {"message": "Higo's president is unwell."})
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CANCELLED
    ics = _ics(next(m for m in mailoutbox if m.to == ["maria@acme-robotics.example"]))
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:2" in ics

    history = list(accepted.events.exclude(kind=Kind.STATE).values_list("kind", flat=True))
    assert history == [
        Kind.MEETING_PROPOSED,
        Kind.MEETING_CONFIRMED,
        Kind.MEETING_RESCHEDULED,
        Kind.MEETING_CONFIRMED,
        Kind.MEETING_CANCELLED,
    ]
    page = client.get(reverse("workspace:introduction", args=[accepted.pk])).content.decode()
    assert "Higo&#x27;s president is unwell." in page
    # A new meeting may be proposed once none waits for a pick.
    assert 'id="propose-meeting"' in page


def test_a_second_proposal_waits_for_the_first_and_the_limit_holds(
    aiko: User, accepted: IntroductionRequest, settings: Any
) -> None:
    settings.MEETING_PROPOSAL_LIMIT = 2
    arguments: dict[str, Any] = {
        "side": "curator",
        "actor": aiko,
        "duration_minutes": 60,
        "online_url": "https://meet.example/x",
        "venue": "",
        "message": "",
        "site_url": "",
    }
    meeting = meetings.meeting_propose(introduction=accepted, slots=[_future(2)], **arguments)
    with pytest.raises(IntroductionRefused, match="already proposed"):
        meetings.meeting_propose(introduction=accepted, slots=[_future(3)], **arguments)
    meetings.meeting_reschedule(meeting=meeting, slots=[_future(4)], **arguments)
    with pytest.raises(IntroductionRefused, match="2 meeting proposals"):
        meetings.meeting_reschedule(meeting=meeting, slots=[_future(5)], **arguments)


def test_mails_are_in_each_recipients_language(
    client: Client, aiko: User, accepted: IntroductionRequest, mailoutbox: Any
) -> None:
    IntroductionRequest.objects.filter(pk=accepted.pk).update(preferred_language="ja")
    client.force_login(aiko)
    client.post(reverse("workspace:meeting_new", args=[accepted.pk]), _propose_form(_future(6)))
    to_firm = next(m for m in mailoutbox if m.to == ["maria@acme-robotics.example"])
    to_curator = next(m for m in mailoutbox if m.to == ["aiko@pref-kumamoto.example"])
    for message in (to_firm, to_curator):
        assert "年" in message.body and "JST" in message.body, message.body
        assert "Proposed times" not in message.body
