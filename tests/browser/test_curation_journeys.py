"""Curators in Chromium: Aiko imports Kumamoto's EDINET companies, fixes the file's errors,
commits and publishes; Ben, who curates Hokkaido, cannot touch them; the administrator's
organization form offers the municipalities of the prefecture chosen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, LiveSite, screenshot

pytestmark = pytest.mark.browser
DATA = Path(__file__).resolve().parents[1] / "profiles" / "data"
PASSWORD = "ryumon-demo-2026"


def log_in(tab: Any, username: str) -> None:
    tab.goto("/accounts/login/?next=/workspace/")
    tab.get_by_label(re.compile("Email|Username", re.I)).fill(username)
    tab.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url("**/workspace/")


def upload(tab: Any, path: Path) -> None:
    tab.goto("/workspace/import/")
    tab.set_input_files("input[type=file]", str(path))
    tab.get_by_role("button", name="Preview the import").click()
    tab.wait_for_url(re.compile(r"/workspace/import/jobs/\d+/"))
    tab.locator("#import-job .import-summary").wait_for()


def test_a_curator_imports_fixes_commits_and_publishes(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    log_in(tab, "aiko@pref-kumamoto.example")
    assert "Introduction requests waiting for you" in tab.content()
    screenshot(tab, "curation-dashboard")

    upload(tab, DATA / "kumamoto_edinet_with_errors.csv")
    errors = tab.locator(".import-errors tbody tr")
    assert errors.count() == 4
    assert "熊本市東西区" in errors.nth(0).inner_text()
    assert "municipality" in errors.nth(0).inner_text()
    assert tab.get_by_role("button", name="Commit the import").count() == 0
    screenshot(tab, "curation-import-errors")

    upload(tab, DATA / "kumamoto_edinet.csv")  # the corrected file
    assert "Shift_JIS" in tab.locator("#import-job").inner_text()
    tab.get_by_role("button", name="Commit the import").click()
    tab.get_by_text("The import was committed.").wait_for()
    screenshot(tab, "curation-import-committed")

    tab.goto("/workspace/organizations/?q=edinet:E01733")
    tab.get_by_role("link", name="HIRATA Corporation").click()
    assert "機械（上場）" in tab.content()
    tab.get_by_role("button", name="Publish").click()
    tab.get_by_text("Verified by aiko@pref-kumamoto.example").wait_for()
    assert tab.locator(".badge.status").inner_text().lower() == "published"
    assert "import" in tab.locator("#history").inner_text()
    screenshot(tab, "curation-published")
    assert log.csp_violations() == [], log.messages


def test_live_validation_works_in_the_browser(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    log_in(tab, "aiko@pref-kumamoto.example")
    tab.goto("/workspace/organizations/new/")
    tab.locator("#id_website").fill("javascript:alert(1)")
    tab.locator("#id_website").blur()
    tab.locator("#form-feedback .form-errors").wait_for()
    assert "Enter a valid URL." in tab.locator("#form-feedback").inner_text()
    screenshot(tab, "curation-live-validation")
    assert log.csp_violations() == [], log.messages


def test_choosing_a_prefecture_loads_its_municipalities(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    log_in(tab, "admin@ryumon.example")
    tab.goto("/workspace/organizations/new/")
    prefecture = tab.get_by_role("combobox", name="Prefecture", exact=True)
    municipality = tab.get_by_role("combobox", name="Municipality", exact=True)
    options = municipality.locator("option")
    expect(options).to_have_count(1)  # no prefecture yet: the blank option alone
    # Only the options are replaced: the select itself (and what is set on it) stays.
    municipality.evaluate("select => { select.dataset.kept = 'yes'; }")

    prefecture.select_option("01")
    expect(municipality.locator("option[value='01100']")).to_have_text("Sapporo-shi")
    expect(options).to_have_count(190)  # Hokkaido's 189 and the blank
    municipality.select_option("01100")
    prefecture.focus()  # as a keyboard user would be: the refill must not move the focus
    prefecture.select_option("43")
    expect(municipality.locator("option[value='43100']")).to_have_text("Kumamoto-shi")
    expect(municipality.locator("option[value='01100']")).to_have_count(0)
    expect(municipality).to_have_value("")
    expect(municipality).to_have_attribute("data-kept", "yes")
    expect(prefecture).to_be_focused()
    screenshot(tab, "curation-municipalities")
    assert log.csp_violations() == [], log.messages


def test_another_prefectures_curator_cannot_touch_kumamoto(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, _log = page
    log_in(tab, "ben@pref-hokkaido.example")
    kumamoto_draft = live_site.manage(
        "shell",
        "-c",
        "from profiles.models import Organization as O; "
        "print(O.objects.filter(prefecture__code='43').exclude(status='published')"
        ".values_list('pk', flat=True).first())",
    ).strip()
    response = tab.goto(f"/workspace/organizations/{kumamoto_draft}/")
    assert response is not None and response.status == 404
    response = tab.goto("/workspace/prefectures/43/")
    assert response is not None and response.status == 403
    upload(tab, DATA / "kumamoto_edinet.csv")
    assert "You do not curate Kumamoto" in tab.locator(".import-errors").inner_text()
    assert tab.get_by_role("button", name="Commit the import").count() == 0
    screenshot(tab, "curation-other-curator-refused")
