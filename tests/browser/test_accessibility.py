"""Accessibility in Chromium, on the demo data: axe-core (WCAG 2.0/2.1 A and AA) on the main
pages as each role that may see them, in English and Japanese; no page scrolls sideways on a
390 px phone; and keyboard journeys through htmx swaps, asserting where focus lands.

axe-core is vendored (tests/browser/vendor/axe.min.js, MPL-2.0) and injected as a script tag,
which the site's CSP would refuse: these contexts bypass the CSP. The journeys' contexts keep it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from matchmaking.templatetags.language_tags import bcp47
from tests.browser.conftest import LiveSite, screenshot
from tests.browser.test_meeting_journey import accepted_introduction
from tests.pages import (
    EVENT,
    EVENT_PARTICIPANT,
    JAPANESE_ONLY,
    OPEN_EVENT,
    ORGANIZATION,
    PASSWORD,
    ROLES,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("forget_languages_after")]
# Every page in every language the site speaks; the keyboard journeys in English and Japanese.
UI_LANGUAGES = [code for code, _name in settings.LANGUAGES]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
INTRODUCTION = "{introduction}"  # Acme's accepted introduction, made at run time
HELD = "{held}"  # a meeting of it, held yesterday
# Beyond tests/pages.py: the pages of a meeting, which need an accepted introduction.
MEETING_PAGES: dict[str, list[str]] = {
    "firm member": [
        f"/introductions/{INTRODUCTION}/",
        f"/introductions/{INTRODUCTION}/meetings/new/",
        f"/introductions/{INTRODUCTION}/meetings/{HELD}/outcome/",
    ],
    "curator": [
        f"/workspace/introductions/{INTRODUCTION}/",
        f"/workspace/introductions/{INTRODUCTION}/meetings/new/",
        f"/workspace/introductions/{INTRODUCTION}/meetings/{HELD}/outcome/",
    ],
}

# Ids that aria-describedby, aria-labelledby and label[for] name must exist; axe lets a
# describedby pass when one of its ids does, and says nothing of an empty for="".
DANGLING_REFERENCES = """() => {
  const found = [];
  const selector = '[aria-describedby], [aria-labelledby], label[for]';
  for (const element of document.querySelectorAll(selector)) {
    for (const name of ['aria-describedby', 'aria-labelledby', 'for']) {
      const value = element.getAttribute(name);
      if (value === null) continue;
      const ids = value.trim().split(/\\s+/).filter(Boolean);
      if (!ids.length) found.push(name + '="" on ' + element.outerHTML.slice(0, 80));
      for (const id of ids) if (!document.getElementById(id)) found.push(name + '=' + id);
    }
  }
  return found;
}"""


def _log_in(tab: Any, email: str) -> None:
    tab.goto("/accounts/login/")
    tab.fill("#id_username", email)
    tab.fill("#id_password", PASSWORD)
    tab.click("main button[type=submit]")
    expect(tab.locator("#site-menu form[action='/accounts/logout/']")).to_have_count(1)


def _context(browser: Any, live_site: LiveSite, language: str, **options: Any) -> Any:
    context = browser.new_context(base_url=live_site.url, **options)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_site.url}])
    return context


@pytest.fixture(scope="module")
def organization(browser: Any, live_site: LiveSite) -> Iterator[str]:
    context = browser.new_context(base_url=live_site.url)
    tab = context.new_page()
    tab.goto("/organizations/?prefecture=43")
    href = tab.locator("#directory-results .org-card h3 a").first.get_attribute("href")
    context.close()
    match = re.search(r"/organizations/(\d+)/", href or "")
    assert match, href
    yield match.group(1)


@pytest.fixture(scope="module")
def japanese_only(live_site: LiveSite) -> str:
    return live_site.manage(
        "shell",
        "--no-imports",
        "-c",
        "from profiles.models import Organization as O; print(O.objects.published()"
        ".missing_english().filter(prefecture__code='43').order_by('pk').first().pk)",
    ).split()[-1]


@pytest.fixture(scope="module")
def meeting_pages(live_site: LiveSite) -> dict[str, str]:
    ids = accepted_introduction(live_site)
    return {INTRODUCTION: str(ids["introduction"]), HELD: str(ids["held"])}


@pytest.fixture(scope="module")
def demo_events(live_site: LiveSite) -> dict[str, str]:
    output = live_site.manage(
        "shell",
        "--no-imports",
        "-c",
        "from matchmaking.demo import DEMO_EVENTS; "
        "from matchmaking.events.models import Event, Registration as R; "
        "print(*(Event.objects.get(title=t).pk for t in DEMO_EVENTS), R.objects.filter("
        "event__title=DEMO_EVENTS[0], organization_meetings__isnull=False).order_by('pk')[0].pk)",
    )
    day, meetup, participant = output.split()[-3:]
    return {EVENT: day, OPEN_EVENT: meetup, EVENT_PARTICIPANT: participant}


def _violations(tab: Any) -> list[str]:
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])}× e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("role", list(ROLES))
def test_the_pages_pass_axe_and_fit_a_phone(
    browser: Any,
    live_site: LiveSite,
    organization: str,
    japanese_only: str,
    meeting_pages: dict[str, str],
    demo_events: dict[str, str],
    role: str,
) -> None:
    email, paths = ROLES[role]
    paths = [*paths, *MEETING_PAGES.get(role, [])]
    problems: list[str] = []
    for language in UI_LANGUAGES:
        context = _context(browser, live_site, language, viewport=DESKTOP, bypass_csp=True)
        tab = context.new_page()
        try:
            if email:
                _log_in(tab, email)
            for path in paths:
                path = path.replace(ORGANIZATION, organization)
                path = path.replace(JAPANESE_ONLY, japanese_only)
                for placeholder, value in meeting_pages.items():
                    path = path.replace(placeholder, value)
                for placeholder, pk in demo_events.items():
                    path = path.replace(placeholder, pk)
                where = f"{role}, {language}, {path}"
                tab.set_viewport_size(DESKTOP)
                response = tab.goto(path)
                assert response is not None and response.status == 200, where
                assert tab.locator("html").get_attribute("lang") == bcp47(language), where
                problems += [f"{where}: {v}" for v in _violations(tab)]
                problems += [f"{where}: {r}" for r in tab.evaluate(DANGLING_REFERENCES)]
                # A phone: nothing wider than the screen (tables scroll in their own box).
                tab.set_viewport_size(PHONE)
                width = tab.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    problems.append(f"{where}: {width} px wide at {PHONE['width']} px")
        finally:
            context.close()
    assert problems == [], "\n".join(problems)


def test_the_header_and_the_directory_search_fit_the_top_of_a_phone(
    browser: Any, live_site: LiveSite
) -> None:
    for language in UI_LANGUAGES:
        context = _context(browser, live_site, language, viewport=PHONE, is_mobile=True)
        tab = context.new_page()
        try:
            _log_in(tab, "maria@acme-robotics.example")
            tab.goto("/organizations/")
            # Maria's account keeps the language she chose last: choose this one.
            tab.click(f'.language-switch button[value="{language}"]')
            expect(tab.locator("html")).to_have_attribute(
                "lang", language.replace("zh-han", "zh-Han")
            )
            header = tab.locator(".site-header").bounding_box()
            assert header["height"] < 70, header
            menu = tab.locator("#site-menu nav")
            expect(menu).to_be_hidden()
            search = tab.locator("#directory-q").bounding_box()
            assert search["y"] < 400, search
            expect(tab.locator("#filter-kind")).to_be_hidden()  # in the closed drawer
            screenshot(tab, f"a11y-phone-directory-{language}")

            # The menu opens as a list of full-width links; Escape closes it.
            summary = tab.locator("#site-menu > summary")
            summary.click()
            expect(menu).to_be_visible()
            for link in menu.locator("a, button").all():
                box = link.bounding_box()
                assert box["height"] >= 24 and box["x"] + box["width"] <= PHONE["width"]
            screenshot(tab, f"a11y-phone-menu-{language}")
            tab.keyboard.press("Tab")
            tab.keyboard.press("Escape")
            expect(menu).to_be_hidden()
            assert tab.evaluate("document.activeElement.tagName") == "SUMMARY"

            # The filters open in their drawer, above the results.
            tab.locator("#filters-drawer > summary").click()
            expect(tab.locator("#filter-kind")).to_be_visible()

            # From 360 px up the bar keeps to one line, the menu beside the language switch.
            tab.set_viewport_size({"width": 360, "height": 740})
            menu_box = tab.locator("#site-menu > summary").bounding_box()
            switch = tab.locator(".language-switch").bounding_box()
            assert menu_box["x"] + menu_box["width"] <= switch["x"], (menu_box, switch)
            assert abs(menu_box["y"] - switch["y"]) < 10
            assert tab.evaluate("document.documentElement.scrollWidth") <= 360
        finally:
            context.close()


def _settled(tab: Any, form: str) -> None:
    expect(tab.locator(f"{form}.htmx-request")).to_have_count(0)


def _focused(tab: Any) -> str:
    return str(tab.evaluate("document.activeElement.id || document.activeElement.tagName"))


def test_keyboard_focus_after_filtering_and_paging_lands_on_the_results(
    browser: Any, live_site: LiveSite
) -> None:
    for language in ("en", "ja"):
        context = _context(browser, live_site, language, viewport=DESKTOP)
        tab = context.new_page()
        requests: list[str] = []

        def record(request: Any, requests: list[str] = requests) -> None:
            if request.headers.get("hx-request"):
                requests.append(request.url)

        tab.on("request", record)
        try:
            tab.goto("/organizations/")
            # Arrow keys through a select make one request, once the user stops.
            tab.locator("#filter-region").focus()
            for _ in range(3):
                tab.keyboard.press("ArrowDown")
            with tab.expect_response(re.compile(r"/organizations/\?")):
                pass
            _settled(tab, "#directory-form")
            assert len(requests) == 1, requests
            assert _focused(tab) == "filter-region"  # the swapped select keeps the focus
            expect(tab.locator("#live-status")).to_have_text(
                tab.locator("#results-heading").inner_text()
            )

            # "Apply filters" moves focus to the results' heading, and Tab to the first result.
            tab.locator("#apply-filters").focus()
            with tab.expect_response(re.compile(r"/organizations/\?")):
                tab.keyboard.press("Enter")
            _settled(tab, "#directory-form")
            expect(tab.locator("#results-heading")).to_be_focused()
            tab.keyboard.press("Tab")
            assert tab.evaluate("!!document.activeElement.closest('#directory-results .results')")

            # Next and Previous too.
            tab.goto("/organizations/")
            tab.locator(".pagination a[rel=next]").focus()
            with tab.expect_response(re.compile(r"page=2")):
                tab.keyboard.press("Enter")
            _settled(tab, "#directory-form")
            expect(tab.locator("#results-heading")).to_be_focused()
            expect(tab).to_have_url(re.compile(r"page=2"))
            expect(tab.locator("#live-status")).not_to_be_empty()
            tab.locator(".pagination a[rel=prev]").focus()
            with tab.expect_response(re.compile(r"/organizations/")):
                tab.keyboard.press("Enter")
            _settled(tab, "#directory-form")
            expect(tab.locator("#results-heading")).to_be_focused()
        finally:
            context.close()


def test_keyboard_focus_stays_on_the_shortlist_toggle_and_suggestions_are_announced(
    browser: Any, live_site: LiveSite
) -> None:
    live_site.manage("rebuild_index")
    for language in ("en", "ja"):
        context = _context(browser, live_site, language, viewport=DESKTOP)
        tab = context.new_page()
        try:
            _log_in(tab, "maria@acme-robotics.example")
            tab.goto("/firm/suggestions/")
            button = tab.locator(".suggestion .shortlist-form button").first
            button_id = button.get_attribute("id")
            name = button.get_attribute("aria-pressed")
            flipped = "false" if name == "true" else "true"
            button.focus()
            with tab.expect_response(re.compile(r"/firm/shortlist/\d+/")):
                tab.keyboard.press("Enter")
            toggle = tab.locator(f"#{button_id}")
            expect(toggle).to_have_attribute("aria-pressed", flipped)
            expect(toggle).to_be_focused()
            # htmx wires the new form up when the swap settles; a key pressed sooner would
            # submit it without htmx (a full page load), which no person types that fast.
            expect(tab.locator(".shortlist-form.htmx-settling")).to_have_count(0)
            with tab.expect_response(re.compile(r"/firm/shortlist/\d+/")):
                tab.keyboard.press("Enter")  # back as it was
            expect(toggle).to_have_attribute("aria-pressed", name or "false")
            expect(toggle).to_be_focused()

            next_page = tab.locator(".pagination a[rel=next]")
            if next_page.count():
                next_page.focus()
                with tab.expect_response(re.compile(r"/firm/suggestions/\?")):
                    tab.keyboard.press("Enter")
                _settled(tab, "#suggestions-form")
                expect(tab.locator("#results-heading")).to_be_focused()
                expect(tab.locator("#live-status")).to_have_text(
                    tab.locator("#results-heading").inner_text()
                )
        finally:
            context.close()
