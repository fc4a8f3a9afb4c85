from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ConsoleLog, LiveSite, screenshot

pytestmark = pytest.mark.browser


def test_the_home_page_loads_in_chromium_without_csp_violations(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    response = tab.goto("/")
    assert response is not None and response.status == 200
    assert tab.locator("h1").count() == 1
    assert "Find your partners in Japan" in tab.locator("h1").inner_text()
    # htmx loaded from the app itself, and ran under the policy.
    assert tab.evaluate("typeof window.htmx") == "object"
    assert log.csp_violations() == [], log.messages
    assert [m for m in log.messages if m.startswith(("error", "pageerror"))] == []
    assert screenshot(tab, "home").stat().st_size > 10_000


def test_the_language_switch_shows_the_japanese_page(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    tab.goto("/")
    tab.get_by_role("button", name="日本語").click()
    tab.wait_for_load_state()
    assert tab.locator("html").get_attribute("lang") == "ja"
    screenshot(tab, "home-ja")
    assert log.csp_violations() == []
