"""Accessibility in Chromium, on the demo data: axe-core (WCAG 2.0/2.1 A and AA) on the main
pages as each role that may see them, in every UI language; no page scrolls sideways on a
390 px phone; and keyboard journeys through htmx swaps, asserting where focus lands.

axe-core is vendored (tests/browser/vendor/axe.min.js, MPL-2.0) and added to each context as an
init script: its 650 KB go to the browser once per context, not once per page. Those contexts
bypass the site's CSP; the journeys' contexts keep it.
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


def _choose_language(context: Any, language: str) -> None:
    """Choose a language as the switcher does (for someone signed in, the session's and the
    account's too), without loading a page."""
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    response = context.request.post(
        "/i18n/setlang/",
        form={"language": language, "next": "/"},
        headers={"X-CSRFToken": token},
        max_redirects=0,
    )
    assert response.status == 302, (language, response.status, response.text()[:300])


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


# One round trip per page: the page's language, axe's violations and the dangling references.
# resultTypes cuts passes and the like to one node each and leaves the violations whole, at
# about half the cost of a full report (axe-core's API.md, "Performance").
CHECK_PAGE = (
    """async tags => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return {
    lang: document.documentElement.lang,
    violations: result.violations.map(v =>
      `${v.id} (${v.impact}): ${v.nodes.length}× e.g. ${JSON.stringify(v.nodes[0].target)}`),
    dangling: ("""
    + DANGLING_REFERENCES
    + """)(),
  };
}"""
)


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
    for placeholders in (
        {ORGANIZATION: organization, JAPANESE_ONLY: japanese_only},
        meeting_pages,
        demo_events,
    ):
        for placeholder, value in placeholders.items():
            paths = [path.replace(placeholder, value) for path in paths]
    problems: list[str] = []
    # One context and one log-in for every language: a context costs a renderer process, and
    # a log-in two page loads.
    first = UI_LANGUAGES[0]
    context = _context(browser, live_site, first, viewport=DESKTOP, bypass_csp=True)
    context.add_init_script(path=str(AXE))
    tab = context.new_page()
    try:
        if email:
            _log_in(tab, email)
        for language in UI_LANGUAGES:
            if language != first:
                _choose_language(context, language)
            for path in paths:
                where = f"{role}, {language}, {path}"
                response = tab.goto(path)
                assert response is not None and response.status == 200, where
                found = tab.evaluate(CHECK_PAGE, WCAG_TAGS)
                assert found["lang"] == bcp47(language), where
                problems += [
                    f"{where}: {item}" for item in [*found["violations"], *found["dangling"]]
                ]
                # A phone: nothing wider than the screen (tables scroll in their own box).
                tab.set_viewport_size(PHONE)
                width = tab.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    problems.append(f"{where}: {width} px wide at {PHONE['width']} px")
                tab.set_viewport_size(DESKTOP)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_header_and_the_directory_search_fit_the_top_of_a_phone(
    browser: Any, live_site: LiveSite
) -> None:
    first = UI_LANGUAGES[0]
    context = _context(browser, live_site, first, viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    try:
        _log_in(tab, "maria@acme-robotics.example")
        for language in UI_LANGUAGES:
            if language != first:
                _choose_language(context, language)
            tab.set_viewport_size(PHONE)
            tab.goto("/organizations/")
            expect(tab.locator("html")).to_have_attribute("lang", bcp47(language))
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


def test_the_introduction_queue_reads_as_cards_on_a_phone(
    browser: Any, live_site: LiveSite
) -> None:
    # Each request a card of labelled lines: the state is seen without scrolling sideways.
    context = _context(browser, live_site, UI_LANGUAGES[0], viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    try:
        _log_in(tab, "aiko@pref-kumamoto.example")
        tab.goto("/workspace/introductions/?show=all")
        queue = tab.locator("#introduction-queue")
        expect(queue).to_be_visible()
        assert queue.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        row = queue.locator("tbody tr").first
        assert row.evaluate("r => getComputedStyle(r).display") == "block"
        state = row.locator("td[data-label='State']")
        assert state.evaluate("c => getComputedStyle(c, '::before').content").startswith('"State"')
        box = state.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        screenshot(tab, "a11y-phone-introduction-queue")
        # A wide screen keeps the table.
        tab.set_viewport_size(DESKTOP)
        assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
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
    # Suggestions need a search index; the first search builds one, and so does this when
    # no search came first. A rebuild (what the journeys that change the data do) would take
    # most of this test's time to answer the same.
    live_site.manage(
        "shell",
        "--no-imports",
        "-c",
        "from matchmaking.search import models, store; "
        "models.SearchIndex.objects.exists() or store.build_index()",
    )
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
