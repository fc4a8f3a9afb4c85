"""A Japanese-only profile in Chromium: an English reader gets the at-a-glance reading, and
Aiko (Kumamoto) writes its English description from the queue, side by side on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, LiveSite, screenshot
from tests.browser.test_curation_journeys import log_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _japanese_only(live_site: LiveSite) -> str:
    return live_site.manage(
        "shell",
        "--no-imports",
        "-c",
        # Written in Japanese only: its description, offers and seeks (a company from the
        # reference data may lack an English description alone).
        "from profiles.models import Organization as O; print(O.objects.published()"
        ".missing_english().filter(prefecture__code='43', description_en='', offers_en='',"
        " seeks_en='').exclude(offers_ja='').exclude(seeks_ja='').order_by('pk').first().pk)",
    ).split()[-1]


def test_a_reader_gets_a_glance_and_a_curator_writes_the_english(
    page: tuple[Any, ConsoleLog], live_site: LiveSite
) -> None:
    tab, log = page
    pk = _japanese_only(live_site)
    tab.set_viewport_size(PHONE)
    tab.goto(f"/organizations/{pk}/")
    panel = tab.locator("#glance")
    expect(panel).to_contain_text("a glossary reading, not a translation")
    expect(panel).to_contain_text("description, what it offers, what it seeks")
    expect(panel.locator(".glance-terms li").first).to_be_visible()
    expect(tab.locator(".keywords .gloss").first).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(tab, "glance-phone-organization")

    log_in(tab, "aiko@pref-kumamoto.example")
    tab.get_by_role("link", name="English texts").first.click()
    tab.wait_for_url("**/workspace/english/")
    row = tab.locator(
        "#english-queue tbody tr", has=tab.locator(f"a[href='/workspace/english/{pk}/']")
    )
    row.get_by_role("link", name=re.compile("Write English")).click()
    tab.wait_for_url(f"**/workspace/english/{pk}/")
    # On a phone the Japanese stands above the field it is written for.
    source = tab.locator(".side-by-side", has=tab.locator("#id_description_en")).locator(
        ".source-text"
    )
    field = tab.locator("#id_description_en")
    assert (
        source.bounding_box()["y"] + source.bounding_box()["height"] <= field.bounding_box()["y"]
    )
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(tab, "glance-phone-english-editor")
    field.fill("A geothermal energy company in Oguni (English written by the curator).")
    tab.get_by_role("button", name="Save the English texts").click()
    tab.wait_for_url("**/workspace/english/")
    expect(tab.locator("body")).to_contain_text("were saved.")

    tab.goto(f"/organizations/{pk}/")
    expect(tab.locator("body")).to_contain_text("English written by the curator")
    expect(tab.locator("#glance")).not_to_contain_text("description,")
    assert log.csp_violations() == []
