"""A foreign firm's journey in Chromium, on the demo data: sign up, confirm the email, write
the profile, read explained suggestions, shortlist two partners, request an introduction;
Aiko (Kumamoto) forwards it; Ben (Hokkaido) cannot see it; the firm sees the new state."""

from __future__ import annotations

import re
import uuid
from email import message_from_string
from email.message import Message
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, LiveSite, screenshot

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "ryumon-demo-2026"
PASSWORD = "a long passphrase for the journey"


def _no_errors(log: ConsoleLog) -> None:
    assert log.csp_violations() == [], log.messages
    assert [m for m in log.messages if m.startswith(("error", "pageerror"))] == [], log.messages


def _log_in(tab: Any, email: str, password: str) -> None:
    tab.goto("/accounts/login/")
    tab.fill("#id_username", email)
    tab.fill("#id_password", password)
    tab.click("main button[type=submit]")
    expect(tab.locator("header form[action='/accounts/logout/']")).to_have_count(1)


def _log_out(tab: Any) -> None:
    tab.click("header form[action='/accounts/logout/'] button")


def _mails(live_site: LiveSite) -> list[Message]:
    """Every captured email, parsed (bodies are quoted-printable: long links are wrapped)."""
    found = []
    for text in live_site.emails():
        for part in text.split("-" * 79):
            if part.strip():
                found.append(message_from_string(part.strip()))
    return found


def _body(message: Message) -> str:
    """The text of a mail; of a mail with an attachment (another journey's meeting
    invitation, captured by the same live site), its text/plain part."""
    if message.is_multipart():
        message = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def _mails_to(live_site: LiveSite, address: str) -> list[str]:
    return [
        f"Subject: {m['Subject']}\n\n{_body(m)}"
        for m in _mails(live_site)
        if address in str(m["To"])
    ]


def test_a_firm_signs_up_and_gets_an_introduction_forwarded(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    live_site.manage("rebuild_index")
    tab, log = page
    email = f"lena-{uuid.uuid4().hex[:6]}@nordwind.example"

    # 1. Sign up.
    tab.goto("/")
    tab.click("header >> text=Sign up")
    tab.fill("#id_email", email)
    tab.fill("#id_password", PASSWORD)
    tab.fill("#id_firm_name", "Nordwind Robotik GmbH")
    tab.fill("#id_country", "de")
    screenshot(tab, "firm-01-sign-up")
    tab.click("main button[type=submit]")
    expect(tab.locator("#sign-up-done")).to_be_visible()
    screenshot(tab, "firm-02-check-inbox")

    # 2. Confirm the address from the email file, with the password chosen at sign-up.
    [mail] = _mails_to(live_site, email)
    link = re.search(r"http://\S+/accounts/confirm/\S+", mail)
    assert link, mail
    tab.goto(link.group(0))
    expect(tab.locator("#confirm-sign-up")).to_be_visible()
    tab.fill("#id_password", PASSWORD)
    tab.click("main button[type=submit]")
    expect(tab.locator("#thin-profile")).to_be_visible()
    screenshot(tab, "firm-03-thin-profile")

    # 3. Write the profile.
    tab.fill(
        "#id_seeks_en",
        "We look for a Japanese manufacturer of industrial robot arms and precision reducers "
        "for welding and assembly lines, to co-develop controllers for European car plants.",
    )
    tab.fill(
        "#id_offers_en",
        "Robot control software, a sales network in Germany and France, and EU certification.",
    )
    tab.select_option("#id_industries", label="E MANUFACTURING")
    tab.locator("input[name=partnership_types]").first.check()
    tab.click("form.firm-profile button[type=submit]")
    expect(tab.locator("#profile-ok")).to_be_visible()
    screenshot(tab, "firm-04-profile-saved")

    # 4. Explained suggestions, narrowed to Kumamoto without a page load.
    tab.click("#profile-ok a")
    cards = tab.locator(".suggestion")
    expect(cards.first).to_be_visible()
    assert tab.locator(".suggestion .explanation .term").count() > 0
    tab.evaluate("window.__sameDocument = true")
    with tab.expect_response(re.compile(r"prefecture=43")):
        tab.select_option("#filter-prefecture", "43")
    expect(tab.locator("#suggestions-form.htmx-request")).to_have_count(0)
    assert tab.evaluate("window.__sameDocument") is True
    expect(tab).to_have_url(re.compile(r"prefecture=43"))  # htmx pushes the URL after the swap
    expect(cards.first).to_be_visible()
    assert set(tab.locator(".suggestion .place").all_inner_texts()) == {"Kumamoto"}
    assert tab.locator(".suggestion .badge.regional").count() == cards.count()
    screenshot(tab, "firm-05-suggestions")

    # 5. Shortlist two, in one click each (htmx swaps the button).
    names = tab.locator(".suggestion h3").all_inner_texts()[:2]
    for index in range(2):
        form = tab.locator(".suggestion").nth(index).locator(".shortlist-form")
        form.locator("button").click()
        expect(form.locator("button.on-shortlist")).to_be_visible()
    assert tab.evaluate("window.__sameDocument") is True
    tab.click("header >> text=Shortlist")
    assert sorted(tab.locator("#shortlist h2").all_inner_texts()) == sorted(names)
    screenshot(tab, "firm-06-shortlist")

    # 6. Request an introduction from the first shortlist entry.
    tab.locator("#shortlist .org-card").first.locator("text=Request an introduction").click()
    tab.select_option("#id_partnership_type", index=1)
    tab.fill("#id_proposal", "Co-develop a welding controller for European car plants.")
    tab.fill("#id_questions", "Do you already export to Europe?")
    tab.fill("#id_contact_name", "Lena Weber")
    screenshot(tab, "firm-07-request-form")
    tab.click("#introduction-form button[type=submit]")
    expect(tab.locator("#introduction-state")).to_have_text(re.compile("Submitted"))
    request_url = tab.url
    request_id = re.search(r"/introductions/(\d+)/", request_url).group(1)  # type: ignore[union-attr]
    screenshot(tab, "firm-08-request-submitted")
    _log_out(tab)

    # 7. Ben (Hokkaido) does not see it, not even by its address.
    _log_in(tab, "ben@pref-hokkaido.example", DEMO_PASSWORD)
    tab.goto("/workspace/introductions/")
    # His queue holds Hokkaido's demo requests, not Kumamoto's new one.
    expect(tab.locator("#introduction-queue")).to_contain_text("Vesterhav Wind Service ApS")
    expect(tab.locator("#introduction-queue")).not_to_contain_text("Nordwind Robotik GmbH")
    response = tab.goto(f"/workspace/introductions/{request_id}/")
    assert response is not None and response.status == 404
    # That 404 is the expected answer; Chromium logs it as a console error.
    log.messages[:] = [m for m in log.messages if "status of 404" not in m]
    tab.goto("/")
    _log_out(tab)

    # 8. Aiko (Kumamoto) forwards it.
    _log_in(tab, "aiko@pref-kumamoto.example", DEMO_PASSWORD)
    tab.click("header >> text=Introduction queue")
    expect(tab.locator("#introduction-queue")).to_contain_text("Nordwind Robotik GmbH")
    screenshot(tab, "firm-09-curator-queue")
    tab.locator("#introduction-queue a", has_text="Nordwind Robotik GmbH").click()
    tab.fill("#message-forward", "A strong fit for your welding line.")
    tab.click("button[data-action=forward]")
    expect(tab.locator("#introduction-state")).to_have_text(re.compile("Forwarded"))
    screenshot(tab, "firm-10-curator-forwarded")
    # Aiko's view of demand counts the two shortlisted Kumamoto organizations.
    tab.click("header >> text=Demand")
    for name in names:
        expect(tab.locator("#organizations-in-demand")).to_contain_text(name)
    expect(tab.locator("#regional-share-chart rect")).to_have_count(12)
    screenshot(tab, "firm-10b-curator-demand")
    _log_out(tab)

    # 9. The firm sees the new state, with who and when.
    _log_in(tab, email, PASSWORD)
    tab.goto(request_url)
    expect(tab.locator("#introduction-state")).to_have_text(re.compile("Forwarded"))
    expect(tab.locator("#introduction-history li")).to_have_count(2)
    expect(tab.locator("#introduction-history")).to_contain_text("aiko@pref-kumamoto.example")
    screenshot(tab, "firm-11-firm-sees-forwarded")

    # The emails: confirmation, then one per transition to the firm; the bilingual introduction.
    firm_mails = _mails_to(live_site, email)
    assert len(firm_mails) == 3
    assert "Submitted" in firm_mails[1] or "submitted" in firm_mails[1]
    assert "forwarded" in firm_mails[2].lower()
    introductions = [
        _body(m)
        for m in _mails(live_site)
        if "Nordwind Robotik GmbH" in _body(m) and "Dear" in _body(m)
    ]
    assert len(introductions) == 1
    assert "御中" in introductions[0]
    _no_errors(log)
