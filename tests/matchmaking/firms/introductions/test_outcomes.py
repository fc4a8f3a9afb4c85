"""Outcomes of meetings, the day-before reminders and the 30- and 90-day asks: Acme Robotics
met Higo Robotics (Kumamoto, curated by Aiko); the clock is moved by hand."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matchmaking.firms.introductions import meetings
from matchmaking.firms.introductions.models import Meeting, MeetingSlot, Outcome, OutcomeAsk
from matchmaking.firms.models import IntroductionEvent, IntroductionRequest, IntroductionState
from profiles.models import PartnershipType
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
MEETING_AT = datetime(2027, 1, 12, 10, 0, tzinfo=JST)
Kind = IntroductionEvent.Kind


class Clock:
    def __init__(self, monkeypatch: Any) -> None:
        self.now = MEETING_AT - timedelta(days=20)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def meeting(maria: User, aiko: User, clock: Clock) -> Meeting:
    """Confirmed for MEETING_AT, agreed twenty days before."""
    higo = make_organization("43", name_en="Higo Robotics", contact_email="info@higo.example")
    introduction = IntroductionRequest.objects.create(
        firm=maria.firm_membership.firm,
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
    meeting = Meeting.objects.create(
        introduction=introduction,
        proposed_by="curator",
        state=Meeting.State.CONFIRMED,
        starts_at=MEETING_AT,
        online_url="https://meet.example/higo",
    )
    MeetingSlot.objects.create(meeting=meeting, starts_at=MEETING_AT)
    return meeting


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    """Run on-commit callbacks (the mails) when each request or command ends."""
    for cls, name in ((Client, "post"), (Client, "get")):
        original = getattr(cls, name)

        def run(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with django_capture_on_commit_callbacks(execute=True):
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, run)


def _run(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_meeting_mails", "--site-url", "https://ryumon.example", stdout=None)


def _outcome_form(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "pilot",
        "date": "2027-02-01",
        "amount": "",
        "currency": "",
        "note": "A trial order of 20 controllers.",
    } | changes


def test_outcomes_are_recorded_after_the_meeting_by_both_sides_and_every_change_kept(
    client: Client, maria: User, aiko: User, meeting: Meeting, clock: Clock
) -> None:
    pk = meeting.introduction_id
    client.force_login(maria)
    url = reverse("introductions:outcome_new", args=[pk, meeting.pk])
    response = client.post(url, _outcome_form())
    assert "after the meeting" in response.content.decode()
    assert not Outcome.objects.exists()

    clock.set(MEETING_AT + timedelta(days=3))
    client.force_login(maria)  # the session of twenty days ago has expired
    assert client.post(url, _outcome_form())["Location"] == reverse(
        "introductions:detail", args=[pk]
    )
    # A correction is a new row; the first stays as it was.
    client.post(url, _outcome_form(kind="contract", amount="1250000", currency="jpy"))
    refused = client.post(url, _outcome_form(amount="10", currency=""))
    assert "currency of the amount" in refused.content.decode()
    client.force_login(aiko)
    client.post(
        reverse("workspace:outcome_new", args=[pk, meeting.pk]),
        _outcome_form(kind="follow_up", note="A second meeting at the plant."),
    )
    rows = list(Outcome.objects.order_by("pk").values_list("side", "kind", "amount", "currency"))
    assert rows == [
        ("firm", "pilot", None, ""),
        ("firm", "contract", Decimal("1250000.00"), "JPY"),
        ("curator", "follow_up", None, ""),
    ]
    current = meetings.current_outcomes(meeting)
    assert (current["firm"].kind, current["curator"].kind) == ("contract", "follow_up")
    recorded = meeting.introduction.events.filter(kind=Kind.OUTCOME_RECORDED)
    assert [e.outcome.kind for e in recorded if e.outcome] == ["pilot", "contract", "follow_up"]

    # Both sides see every record.
    for user, page in ((maria, "introductions:detail"), (aiko, "workspace:introduction")):
        client.force_login(user)
        body = client.get(reverse(page, args=[pk])).content.decode()
        assert "Supply or sales contract" in body and "1250000.00 JPY" in body
        assert "Pilot or trial order" in body and "Follow-up meeting or talks" in body


def test_a_reminder_goes_out_the_day_before_and_only_once(
    meeting: Meeting, clock: Clock, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clock.set(MEETING_AT - timedelta(days=1, minutes=5))
    _run(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    clock.set(MEETING_AT - timedelta(hours=23))
    _run(django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "aiko@pref-kumamoto.example",
        "info@higo.example",
        "maria@acme-robotics.example",
    ]
    by_recipient = {m.to[0]: m.body for m in mailoutbox}
    assert "When: Tue 12 Jan 2027, 10:00 JST" in by_recipient["maria@acme-robotics.example"]
    assert "2027年1月12日(火) 10:00 JST" in by_recipient["aiko@pref-kumamoto.example"]
    higo = by_recipient["info@higo.example"]
    assert "Tue 12 Jan 2027" in higo and "2027年1月12日(火)" in higo
    clock.set(MEETING_AT - timedelta(hours=2))
    _run(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3
    assert meeting.introduction.events.filter(kind=Kind.MEETING_REMINDED).count() == 1


def test_a_cancelled_meeting_gets_no_reminder(
    meeting: Meeting, clock: Clock, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.CANCELLED)
    clock.set(MEETING_AT - timedelta(hours=20))
    _run(django_capture_on_commit_callbacks)
    clock.set(MEETING_AT + timedelta(days=95))
    _run(django_capture_on_commit_callbacks)
    assert mailoutbox == [] and not OutcomeAsk.objects.exists()


def _links(body: str) -> dict[str, str]:
    """Each answer's label and its link, as the mail lists them."""
    return dict(re.findall(r"^(.+):\n(https://ryumon\.example/\S+)$", body, flags=re.MULTILINE))


def test_the_firm_is_asked_30_and_90_days_after_and_answers_with_one_click(
    client: Client,
    meeting: Meeting,
    clock: Clock,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    clock.set(MEETING_AT + timedelta(days=29, hours=23))
    _run(django_capture_on_commit_callbacks)
    assert [m for m in mailoutbox if "What came of" in m.subject] == []

    clock.set(MEETING_AT + timedelta(days=30, minutes=1))
    _run(django_capture_on_commit_callbacks)
    _run(django_capture_on_commit_callbacks)  # a second run asks nothing again
    [ask_mail] = [m for m in mailoutbox if "What came of" in m.subject]
    assert ask_mail.to == ["maria@acme-robotics.example"]
    links = _links(ask_mail.body)
    assert len(links) == len(Outcome.Kind.choices), ask_mail.body

    # A mail scanner fetches every link of the mail: that records nothing.
    for link in links.values():
        assert client.get(link.removeprefix("https://ryumon.example")).status_code == 200
        assert client.head(link.removeprefix("https://ryumon.example")).status_code == 200
    assert not Outcome.objects.exists()
    # The click's page posts the answer itself (site.js; a button without JavaScript): one
    # click records it (no login) and offers the details, once.
    nda = links["Non-disclosure agreement"].removeprefix("https://ryumon.example")
    page = client.get(nda)
    html = page.content.decode()
    assert page.status_code == 200 and "Non-disclosure agreement" in html, html[-3000:]
    assert 'id="outcome-confirm" data-auto-submit' in html
    assert not Outcome.objects.exists()
    answered = client.post(nda, {})
    assert answered.status_code == 302 and answered["Location"] == nda
    page = client.get(nda)
    assert 'id="outcome-form"' in page.content.decode()
    [outcome] = Outcome.objects.all()
    assert (outcome.kind, outcome.side, outcome.by_link, outcome.recorded_by) == (
        "nda",
        "firm",
        True,
        None,
    )
    # A second click (or another answer of the same mail) changes nothing.
    client.post(links["No fit"].removeprefix("https://ryumon.example"), {})
    client.post(nda, {})
    assert Outcome.objects.count() == 1
    client.post(nda, _outcome_form(kind="nda", note="Signed on 1 Feb."))
    client.post(nda, _outcome_form(kind="no_fit", note="A forged second try."))
    assert list(Outcome.objects.order_by("pk").values_list("kind", "note")) == [
        ("nda", ""),
        ("nda", "Signed on 1 Feb."),
    ]

    clock.set(MEETING_AT + timedelta(days=90, hours=1))
    _run(django_capture_on_commit_callbacks)
    _run(django_capture_on_commit_callbacks)
    asks = [m for m in mailoutbox if "What came of" in m.subject]
    assert len(asks) == 2 and "90 days ago" in asks[1].body
    assert sorted(OutcomeAsk.objects.values_list("days", flat=True)) == [30, 90]
    asked = meeting.introduction.events.filter(kind=Kind.OUTCOME_ASKED).count()
    assert asked == 2


def test_a_forged_or_altered_link_records_nothing(client: Client, meeting: Meeting) -> None:
    ask = OutcomeAsk.objects.create(meeting=meeting, days=30)
    token = meetings.ask_token(ask, "investment")
    for forged in ("forged", token[:-2] + "xx"):
        response = client.get(reverse("introductions:outcome_answer", args=[forged]))
        assert response.status_code == 400
        response = client.post(reverse("introductions:outcome_answer", args=[forged]), {})
        assert response.status_code == 400
    assert not Outcome.objects.exists()


def test_the_details_window_closes_after_a_day(
    client: Client, meeting: Meeting, clock: Clock
) -> None:
    clock.set(MEETING_AT + timedelta(days=31))
    ask = OutcomeAsk.objects.create(meeting=meeting, days=30)
    url = reverse("introductions:outcome_answer", args=[meetings.ask_token(ask, "follow_up")])
    client.post(url, {})
    clock.set(MEETING_AT + timedelta(days=33))
    client.post(url, _outcome_form(kind="contract"))
    assert list(Outcome.objects.values_list("kind", flat=True)) == ["follow_up"]
    assert Outcome.objects.get().date == date(2027, 2, 12)
