"""A foreign visitor's journeys through the directory, in Chromium, on the demo data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, LiveSite, screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _no_errors(log: ConsoleLog) -> None:
    assert log.csp_violations() == [], log.messages
    assert [m for m in log.messages if m.startswith(("error", "pageerror"))] == [], log.messages


def _settled(tab: Any) -> None:
    """Wait until htmx has no request in flight (no wait_for_function: the CSP forbids eval)."""
    expect(tab.locator("#directory-form.htmx-request")).to_have_count(0)


def _result_names(tab: Any) -> list[str]:
    return tab.locator("#directory-results .org-card h3").all_inner_texts()


def test_a_visitor_searches_filters_and_opens_an_organization(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    tab.goto("/organizations/")
    assert tab.locator("h1").count() == 1
    total = tab.locator(".result-count").inner_text()
    screenshot(tab, "directory")

    # Typing searches live: htmx swaps the results and the URL follows, no page load.
    tab.evaluate("window.__sameDocument = true")
    with tab.expect_response(re.compile(r"/organizations/\?q=precision")):
        tab.locator("#directory-q").fill("precision machining for EV motors")
    _settled(tab)
    assert tab.evaluate("window.__sameDocument") is True
    expect(tab).to_have_url(re.compile(r"q=precision\+machining\+for\+EV\+motors"))
    assert tab.locator(".result-count").inner_text() != total
    names = _result_names(tab)
    assert names, "the demo data has organizations for this query"
    assert tab.locator(".glossary-note").count() == 1  # the Japanese terms it also searched
    screenshot(tab, "directory-search")

    # A filter narrows live too, and its count is shown next to each value.
    region = tab.locator("#filter-region")
    option = region.locator("option", has_text="Kyushu").first
    assert re.search(r"\(\d+\)$", option.inner_text())
    with tab.expect_response(re.compile(r"region=kyushu-okinawa")):
        region.select_option("kyushu-okinawa")
    _settled(tab)
    expect(tab).to_have_url(re.compile(r"(?=.*region=kyushu-okinawa)(?=.*q=precision)"))
    assert tab.evaluate("window.__sameDocument") is True
    screenshot(tab, "directory-filtered")

    # Back restores the previous results; forward the filtered ones.
    tab.go_back()
    tab.wait_for_url(re.compile(r"\?q=precision[^&]*$"))
    expect(tab.locator("#filter-region")).to_have_value("")
    expect(tab.locator("#directory-q")).to_have_value("precision machining for EV motors")
    tab.go_forward()
    expect(tab.locator("#filter-region")).to_have_value("kyushu-okinawa")

    tab.goto(tab.url)  # the URL alone is enough to share the results
    assert tab.locator("#filter-region").input_value() == "kyushu-okinawa"
    first = tab.locator("#directory-results .org-card h3 a").first
    name = first.inner_text()
    first.click()
    tab.wait_for_load_state()
    assert tab.locator("h1").inner_text() == name
    assert tab.locator(".badge.kind").count() >= 1
    assert tab.get_by_role("link", name="Log in to request an introduction").count() == 1
    screenshot(tab, "organization")
    _no_errors(log)


def test_a_visitor_switches_to_japanese_and_searches_in_japanese(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    tab.goto("/organizations/")
    tab.get_by_role("button", name="日本語").click()
    tab.wait_for_load_state()
    assert tab.locator("html").get_attribute("lang") == "ja"
    assert tab.locator("h1").inner_text() == "日本のパートナーを探す"
    tab.locator("#directory-q").fill("精密加工")
    tab.locator("#directory-q").press("Enter")
    tab.wait_for_url(re.compile(r"\?q="))
    _settled(tab)
    assert "件" in tab.locator(".result-count").inner_text()
    assert _result_names(tab), "the demo data has organizations for 精密加工"
    screenshot(tab, "directory-ja")
    tab.locator("#directory-results .org-card h3 a").first.click()
    tab.wait_for_load_state()
    assert tab.get_by_role("link", name="Read in English").count() == 1
    screenshot(tab, "organization-ja")
    _no_errors(log)


def test_a_visitor_clicks_a_prefecture_on_the_map(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    tab.goto("/prefectures/")
    tiles = tab.locator("svg a.tile")
    assert tiles.count() == 47
    kumamoto = tab.get_by_role("link", name=re.compile(r"^Kumamoto \d+ published organization"))
    count = int(re.search(r"(\d+)", kumamoto.get_attribute("aria-label") or "").group(1))  # type: ignore[union-attr]
    screenshot(tab, "prefectures")
    # Keyboard users reach the map's links with Tab, like any other link.
    kumamoto.focus()
    assert tab.evaluate("document.activeElement.dataset.prefecture") == "43"
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/organizations/\?prefecture=43$"))
    assert tab.locator("#filter-prefecture").input_value() == "43"
    assert tab.locator(".result-count").inner_text().startswith(f"{count} ")
    tab.goto("/prefectures/kumamoto/")
    assert tab.locator("h1").inner_text().startswith("Kumamoto")
    screenshot(tab, "prefecture")
    _no_errors(log)


def test_the_directory_filters_with_javascript_off(browser: Any, live_site: LiveSite) -> None:
    context = browser.new_context(base_url=live_site.url, java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto("/organizations/")
        tab.locator("#filter-kind").select_option("company")
        tab.locator("#filter-dragons").check()
        tab.get_by_role("button", name="Apply filters").click()
        tab.wait_for_load_state()
        assert "kind=company" in tab.url and "dragons=1" in tab.url
        assert tab.locator("#filter-kind").input_value() == "company"
        badges = tab.locator("#directory-results .org-card .badge.kind").all_inner_texts()
        assert badges and set(badges) == {"Company"}
        assert tab.locator("#directory-results .org-card .badge.dragon").count() == len(badges)
        screenshot(tab, "directory-no-js")
    finally:
        context.close()


def test_the_pages_read_well_on_a_phone(browser: Any, live_site: LiveSite) -> None:
    context = browser.new_context(base_url=live_site.url, viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    try:
        for path, name in (
            ("/organizations/?q=precision+machining", "phone-directory"),
            ("/prefectures/43/", "phone-prefecture"),
            ("/", "phone-home"),
        ):
            tab.goto(path)
            # Nothing wider than the screen: no sideways scrolling.
            assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            screenshot(tab, name)
        tab.goto("/organizations/?q=precision+machining")
        tab.locator("#directory-results .org-card h3 a").first.click()
        tab.wait_for_load_state()
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(tab, "phone-organization")
    finally:
        context.close()
