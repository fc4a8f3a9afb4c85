"""Firm and curator agree a meeting and record an outcome, in Chromium on the demo data:
Maria's firm (Acme Robotics, in Chicago time) has an accepted introduction to a Kumamoto
organization; Aiko proposes two times, Maria picks one, the invitation goes out, and after
the meeting both record what came of it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, LiveSite, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "ryumon-demo-2026"  # matchmaking/demo.py

# Run in the live site's environment (manage.py shell): an accepted introduction of Maria's
# firm to a published Kumamoto organization, and a meeting held yesterday.
SETUP = """
import json, uuid
from datetime import timedelta
from django.utils import timezone
from matchmaking.firms.introductions.models import Meeting
from matchmaking.firms.models import ForeignFirm, IntroductionRequest
from profiles.models import Organization, PartnershipType
firm = ForeignFirm.objects.get(slug="acme-robotics")
firm.time_zone = "America/Chicago"
firm.save()
organization = Organization.objects.published().filter(prefecture__code="43").exclude(
    introduction_requests__firm=firm).exclude(contact_email="").first()
request = IntroductionRequest.objects.create(
    firm=firm, organization=organization, partnership_type=PartnershipType.objects.first(),
    proposal="Meeting journey: joint development.", preferred_language="en",
    contact_name="Maria", contact_email="maria@acme-robotics.example",
    submission_key=uuid.uuid4(), state="accepted")
held = Meeting.objects.create(introduction=request, proposed_by="curator", state="confirmed",
    starts_at=timezone.now() - timedelta(days=1), venue="Kumamoto office")
print(json.dumps({"introduction": request.pk, "held": held.pk}))
"""


def accepted_introduction(live_site: LiveSite) -> dict[str, int]:
    """Create the accepted introduction and its held meeting; return their ids."""
    output = live_site.manage("shell", "-c", SETUP)
    ids: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return ids


def _log_in(tab: Any, email: str) -> None:
    tab.goto("/accounts/login/")
    tab.fill("#id_username", email)
    tab.fill("#id_password", PASSWORD)
    tab.click("main button[type=submit]")
    expect(tab.locator("header form[action='/accounts/logout/']")).to_have_count(1)


def _log_out(tab: Any) -> None:
    tab.click("header form[action='/accounts/logout/'] button")


def test_firm_and_curator_agree_a_meeting_and_record_an_outcome(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    ids = accepted_introduction(live_site)
    pk = ids["introduction"]

    # 1. Aiko proposes two times, in Japan time, online.
    _log_in(tab, "aiko@pref-kumamoto.example")
    tab.goto(f"/workspace/introductions/{pk}/")
    tab.click("#propose-meeting")
    tab.fill("#id_slot_1", "2031-01-14T10:00")
    tab.fill("#id_slot_2", "2031-01-15T16:00")
    tab.fill("#id_online_url", "https://meet.example/acme-kumamoto")
    screenshot(tab, "meeting-01-curator-proposes")
    tab.click("#meeting-form button[type=submit]")
    expect(tab.locator("#meetings")).to_contain_text("Times proposed")
    _log_out(tab)

    # 2. Maria sees them in Japan time and Chicago time, and picks the first.
    _log_in(tab, "maria@acme-robotics.example")
    tab.goto(f"/introductions/{pk}/")
    slots = tab.locator(".meeting-slots button")
    expect(slots).to_have_count(2)
    expect(slots.first).to_have_text("Tue 14 Jan 2031, 10:00 JST (Mon 13 Jan, 19:00 CST)")
    screenshot(tab, "meeting-02-firm-picks")
    slots.first.click()
    confirmed = tab.locator(".meeting-confirmed", has_text="14 Jan 2031")
    expect(confirmed).to_contain_text("Confirmed")
    expect(tab.locator("#introduction-history")).to_contain_text("Meeting confirmed")
    invitations = [m for m in live_site.emails() if "invitation.ics" in m]
    assert invitations, "no invitation was mailed"

    # 3. After yesterday's meeting, Maria records a pilot order.
    tab.click(f"#record-outcome-{ids['held']}")
    tab.check("input[name=kind][value=pilot]")
    tab.fill("#id_amount", "2500000")
    tab.fill("#id_currency", "JPY")
    tab.fill("#id_note", "Twenty controllers for a trial line.")
    screenshot(tab, "meeting-03-firm-records-outcome")
    tab.click("#outcome-form button[type=submit]")
    held = tab.locator(f"#meeting-{ids['held']}")
    expect(held).to_contain_text("Pilot or trial order")
    expect(held).to_contain_text("2500000.00 JPY")
    _log_out(tab)

    # 4. Aiko sees it and records the follow-up she arranged.
    _log_in(tab, "aiko@pref-kumamoto.example")
    tab.goto(f"/workspace/introductions/{pk}/")
    held = tab.locator(f"#meeting-{ids['held']}")
    expect(held).to_contain_text("Pilot or trial order")
    tab.click(f"#record-outcome-{ids['held']}")
    tab.check("input[name=kind][value=follow_up]")
    tab.click("#outcome-form button[type=submit]")
    expect(held).to_contain_text(re.compile("Follow-up meeting or talks"))
    screenshot(tab, "meeting-04-both-outcomes")
    assert log.csp_violations() == [], log.messages
    assert [m for m in log.messages if m.startswith(("error", "pageerror"))] == [], log.messages


ASK = """
import json
from matchmaking.firms.introductions import meetings
from matchmaking.firms.introductions.models import Meeting, OutcomeAsk
ask = OutcomeAsk.objects.create(meeting=Meeting.objects.get(pk={held}), days=30)
print(json.dumps({{"path": "/introductions/outcome/" + meetings.ask_token(ask, "nda") + "/"}}))
"""
RECORDED = """
from matchmaking.firms.introductions.models import Outcome
print(list(Outcome.objects.filter(meeting_id={held}).values_list("kind", "by_link")))
"""


def test_the_answer_link_of_an_outcome_mail_answers_in_one_click_and_a_fetch_does_not(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    held = accepted_introduction(live_site)["held"]
    output = live_site.manage("shell", "-c", ASK.format(held=held))
    path = json.loads(output.strip().splitlines()[-1])["path"]
    # A mail scanner fetches the link without running the page: nothing is recorded.
    assert tab.request.get(path).status == 200
    recorded = live_site.manage("shell", "-c", RECORDED.format(held=held))
    assert recorded.strip().splitlines()[-1] == "[]"
    # A person's click: the page posts the answer itself, and offers the details.
    tab.goto(path)
    expect(tab.locator("#outcome-recorded")).to_contain_text("Non-disclosure agreement")
    expect(tab.locator("#outcome-form")).to_have_count(1)
    screenshot(tab, "meeting-05-answer-link")
    recorded = live_site.manage("shell", "-c", RECORDED.format(held=held))
    assert recorded.strip().splitlines()[-1] == "[('nda', True)]"
    assert log.csp_violations() == [], log.messages
    assert [m for m in log.messages if m.startswith(("error", "pageerror"))] == [], log.messages
