"""A business-matching event in Chromium, on the demo data: Aiko (Kumamoto) creates an event
and opens registration, registers four Kumamoto organizations on their behalf, Maria
registers Acme Robotics (need, availability, a "must meet" request); Aiko closes
registration, proposes the schedule, swaps two meetings, locks one, proposes again around
the lock and publishes; Maria reads her schedule, its printable version and its `.ics`; Aiko
opens the schedule of an organization (which has no login) and downloads its `.ics`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, LiveSite, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "ryumon-demo-2026"  # matchmaking/demo.py
JST = ZoneInfo("Asia/Tokyo")
TITLE = "Kumamoto Semiconductor Matching Day (journey)"
# Slots 1-4 (0-based 0-3): 10:00, 10:25, 10:50, 11:15 (20 minutes, 5 between).
SLOT_STARTS = ["10:00", "10:25", "10:50", "11:15"]
MARIA_SLOTS = [0, 1, 2]  # Maria leaves before the last slot.
FIRM = "Acme Robotics Inc."

# Run in the live site's environment (manage.py shell). The other demo firms have no
# logins, so the UI offers no way to register them (a firm registers itself): two of them
# join through the service, as an admin would, so the grid has more than one firm.
OTHER_FIRMS = """
from django.contrib.auth import get_user_model
from matchmaking.events import services
from matchmaking.events.models import Event
from matchmaking.firms.models import ForeignFirm
event = Event.objects.get(title=%r)
aiko = get_user_model()._default_manager.get(username="aiko@pref-kumamoto.example")
for firm in ForeignFirm.objects.exclude(slug="acme-robotics").order_by("slug")[:2]:
    services.registration_create(event=event, by=aiko, firm=firm,
        need=firm.seeks_en or firm.name, available_slots=range(event.slot_count))
"""


def _log_in(tab: Any, email: str) -> None:
    tab.goto("/accounts/login/")
    tab.fill("#id_username", email)
    tab.fill("#id_password", PASSWORD)
    tab.click("main button[type=submit]")
    expect(tab.locator("header form[action='/accounts/logout/']")).to_have_count(1)


def _no_errors(log: ConsoleLog) -> None:
    assert log.csp_violations() == [], log.messages
    assert [m for m in log.messages if m.startswith(("error", "pageerror"))] == [], log.messages


@pytest.fixture
def tabs(browser: Any, live_site: LiveSite) -> Iterator[tuple[Any, Any, ConsoleLog]]:
    """Aiko's tab and Maria's, each in its own context, and both consoles' messages."""
    log = ConsoleLog(messages=[])
    contexts = []
    for _ in range(2):
        context = browser.new_context(
            base_url=live_site.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        tab = context.new_page()
        tab.on("console", lambda message: log.messages.append(f"{message.type}: {message.text}"))
        tab.on("pageerror", lambda error: log.messages.append(f"pageerror: {error}"))
        contexts.append(context)
    yield contexts[0].pages[0], contexts[1].pages[0], log
    for context in contexts:
        context.close()


def _grid(tab: Any) -> dict[str, tuple[int, int]]:
    """The schedule grid as {"Firm – Organization": (slot, table)}, slots 0-based."""
    seats: dict[str, tuple[int, int]] = {}
    rows = tab.locator("#schedule-grid tbody tr")
    for slot in range(rows.count()):
        cells = rows.nth(slot).locator("td")
        for column in range(cells.count()):
            meeting = cells.nth(column).locator(".grid-meeting")
            if meeting.count():
                seats[meeting.inner_text().strip()] = (slot, column + 1)
    return seats


def _swappable(seats: dict[str, tuple[int, int]]) -> tuple[str, str]:
    """Two meetings, one of them Acme's, whose seats can be exchanged without putting anyone
    in two places or Maria in the slot she is away for: from one slot to another if the grid
    allows it, else two tables of one slot."""

    def fine(moved: dict[str, tuple[int, int]]) -> bool:
        taken = [(name, slot) for pair, (slot, _) in moved.items() for name in pair.split(" – ")]
        away = any(
            p.startswith(f"{FIRM} – ") and s not in MARIA_SLOTS for p, (s, _) in moved.items()
        )
        return len(taken) == len(set(taken)) and not away

    candidates = [
        (first, second)
        for first in sorted(seats, key=seats.__getitem__)
        for second in sorted(seats, key=seats.__getitem__)
        if first.startswith(f"{FIRM} – ")
        and seats[first][0] != seats[second][0]
        and fine({**seats, first: seats[second], second: seats[first]})
    ]
    if not candidates:
        # A full grid (each slot holding every firm and every organization once) leaves no
        # exchange between slots: two tables of one slot are exchanged instead.
        candidates = [
            (first, second)
            for first in sorted(seats, key=seats.__getitem__)
            for second in sorted(seats, key=seats.__getitem__)
            if first.startswith(f"{FIRM} – ")
            and seats[first][0] == seats[second][0]
            and seats[first][1] != seats[second][1]
        ]
    assert candidates, f"no swap possible in {seats}"
    return candidates[0]


def _option(select: Any, text: str) -> str:
    """The label of the select's option that starts with this text."""
    labels: list[str] = select.locator("option").all_inner_texts()
    return next(label for label in labels if re.sub(r"^\d+/\d+: ", "", label).startswith(text))


def test_curator_builds_adjusts_and_publishes_a_schedule_a_participant_downloads_it(
    tabs: tuple[Any, Any, ConsoleLog], live_site: LiveSite
) -> None:
    aiko, maria, log = tabs
    now = dt.datetime.now(JST)
    day = (now + dt.timedelta(days=45)).date()

    # 1. Aiko creates the event: in six weeks, at a venue, four 20-minute slots at three
    # tables, two meetings each at most, registration open from yesterday for a month,
    # Kumamoto organizations only.
    _log_in(aiko, "aiko@pref-kumamoto.example")
    aiko.goto("/workspace/events/")
    aiko.get_by_role("link", name="New event").click()
    aiko.fill("#id_title", TITLE)
    aiko.fill("#id_description", "Foreign chip-equipment firms meet Kumamoto makers.")
    kumamoto = aiko.locator("#id_prefecture option", has_text="Kumamoto").get_attribute("value")
    aiko.select_option("#id_prefecture", kumamoto)
    aiko.fill("#id_date", day.isoformat())
    aiko.fill("#id_starts_at", "10:00")
    aiko.fill("#id_venue", "Kumamoto Industry Hall, 2-3 Hanabatacho, Chuo-ku, Kumamoto")
    aiko.fill("#id_slot_minutes", "20")
    aiko.fill("#id_break_minutes", "5")
    aiko.fill("#id_slot_count", "4")
    aiko.fill("#id_tables", "3")
    aiko.fill("#id_max_meetings", "2")
    aiko.fill("#id_registration_opens", f"{(now - dt.timedelta(days=1)):%Y-%m-%dT%H:%M}")
    aiko.fill("#id_registration_closes", f"{(now + dt.timedelta(days=30)):%Y-%m-%dT%H:%M}")
    aiko.select_option("#id_prefectures", kumamoto)
    screenshot(aiko, "event-01-curator-creates")
    aiko.click("#event-form button[type=submit]")
    expect(aiko.locator("h1")).to_have_text(TITLE)
    expect(aiko.locator(".messages")).to_contain_text("Event created")
    event_url = aiko.url
    event = int(re.search(r"/workspace/events/(\d+)/", event_url).group(1))  # type: ignore[union-attr]
    aiko.get_by_role("button", name="Open registration").click()
    expect(aiko.locator("#event-facts")).to_contain_text("Registration open")

    # 2. Aiko registers four published Kumamoto organizations on their behalf (the form
    # offers only those the event admits).
    organizations = []
    for number in range(4):
        options = aiko.locator("#id_organization option:not([value=''])")
        name = options.first.inner_text().strip()
        aiko.select_option("#id_organization", label=name)
        aiko.fill("#id_need", f"Foreign partners for wafer handling and inspection ({number}).")
        aiko.click("#organization-registration-form button[type=submit]")
        expect(aiko.locator(".messages")).to_contain_text("Organization registered")
        organizations.append(name)
    expect(aiko.locator("#organization-registrations tbody tr")).to_have_count(4)
    expect(aiko.locator("#id_organization option", has_text=organizations[0])).to_have_count(0)

    # Maria finds the event among those open, and registers Acme: her need, the slots she
    # can attend, and one organization Acme must meet.
    _log_in(maria, "maria@acme-robotics.example")
    maria.goto("/firm/events/")
    maria.locator("#open-events").get_by_role("link", name=TITLE).click()
    maria.fill("#id_need", "Cleanroom robot arms: a Japanese maker to co-develop wafer handling.")
    maria.uncheck("#id_available_slots_3")
    maria.get_by_role("group", name="Must meet").get_by_label(organizations[1]).check()
    screenshot(maria, "event-02-firm-registers")
    maria.click("#registration-form button[type=submit]")
    expect(maria.locator(".messages")).to_contain_text("You are registered")
    expect(maria.locator("#my-events")).to_contain_text(TITLE)

    live_site.manage("shell", "-c", OTHER_FIRMS % TITLE)
    aiko.reload()
    expect(aiko.locator("#firm-registrations tbody tr")).to_have_count(3)
    acme = aiko.locator("#firm-registrations tr", has_text="Acme Robotics")
    expect(acme.locator("td").last).to_have_text(str(len(MARIA_SLOTS)))

    # 3. Aiko closes registration and proposes the schedule: the solver seats everyone.
    aiko.get_by_role("button", name="Close registration").click()
    expect(aiko.locator("#event-facts")).to_contain_text("Registration closed")
    aiko.get_by_role("link", name="Schedule", exact=True).click()
    aiko.get_by_role("button", name="Propose the schedule").click()
    expect(aiko.locator(".messages")).to_contain_text(re.compile(r"\d+ meetings proposed"))
    share = re.compile(r"reach \d+% of the best total fit")
    expect(aiko.locator("#proposal")).to_contain_text(share)
    expect(aiko.locator("#schedule-grid thead th")).to_have_text(
        ["Slot", "Table 1", "Table 2", "Table 3"]
    )
    seats = _grid(aiko)
    mine = {pair: seat for pair, seat in seats.items() if pair.startswith(f"{FIRM} – ")}
    assert f"{FIRM} – {organizations[1]}" in mine, seats  # the must-meet request
    assert all(slot in MARIA_SLOTS for slot, _ in mine.values()), seats
    assert {pair.split(" – ")[1] for pair in seats} == set(organizations), seats
    screenshot(aiko, "event-03-curator-grid")

    # She swaps two of Acme's meetings…
    first, second = _swappable(seats)
    aiko.select_option("#id_first", label=_option(aiko.locator("#id_first"), first))
    aiko.select_option("#id_second", label=_option(aiko.locator("#id_second"), second))
    aiko.click("#swap-form button[type=submit]")
    expect(aiko.locator(".messages")).to_contain_text("Meetings swapped")
    swapped = _grid(aiko)
    assert swapped[first] == seats[second] and swapped[second] == seats[first], swapped

    # …locks the first where it now is, and proposes again: the lock holds.
    slot, table = swapped[first]
    cell = aiko.locator("#schedule-grid tbody tr").nth(slot).locator("td").nth(table - 1)
    cell.get_by_role("button", name="Lock").click()
    expect(cell.get_by_role("button", name="Unlock")).to_be_visible()
    expect(aiko.locator("#id_first option", has_text=first)).to_have_count(0)
    aiko.get_by_role("button", name="Propose the schedule").click()
    expect(aiko.locator(".messages")).to_contain_text(re.compile(r"\d+ meetings proposed"))
    again = _grid(aiko)
    assert again[first] == (slot, table), again
    expect(cell.get_by_role("button", name="Unlock")).to_be_visible()
    assert f"{FIRM} – {organizations[1]}" in again, again

    # She publishes: the grid is read-only now.
    aiko.get_by_role("button", name="Publish").click()
    expect(aiko.locator(".messages")).to_contain_text("schedule published")
    expect(aiko.locator("#schedule-grid .lock-toggle")).to_have_count(0)
    expect(aiko.locator("#schedule-grid .badge", has_text="Locked")).to_have_count(1)
    expect(aiko.locator("#swap-form")).to_have_count(0)
    published = _grid(aiko)
    assert published == again, published
    screenshot(aiko, "event-04-curator-published")
    aiko.set_viewport_size({"width": 390, "height": 844})
    screenshot(aiko, "event-05-curator-published-390")

    # 4. Maria reads her schedule: her meetings only, at the grid's times.
    ours = sorted(
        (seat, pair.split(" – ")[1])
        for pair, seat in published.items()
        if pair.startswith(f"{FIRM} – ")
    )
    maria.goto("/firm/events/")
    maria.locator("#my-events li", has_text=TITLE).get_by_role(
        "link", name="Your schedule"
    ).click()
    expect(maria.locator("h1")).to_contain_text(TITLE)
    rows = maria.locator("#participant-meetings tbody tr")
    expect(rows).to_have_count(len(ours))
    expected = [
        (
            f"{SLOT_STARTS[slot]}–{_plus(SLOT_STARTS[slot], 20)}",
            str(table),
            organization,
        )
        for (slot, table), organization in ours
    ]
    page_rows = [tuple(row.locator("td").all_inner_texts()[:3]) for row in rows.all()]
    assert [(t, n, o.strip()) for t, n, o in page_rows] == expected, page_rows
    screenshot(maria, "event-06-firm-schedule")

    maria.get_by_role("link", name="Printable version").click()
    expect(maria.locator(".printable #participant-meetings tbody tr")).to_have_count(len(ours))
    expect(maria.locator(".printable")).to_contain_text("Kumamoto Industry Hall")
    screenshot(maria, "event-07-firm-printable")
    maria.go_back()

    with maria.expect_download() as download_info:
        maria.get_by_role("link", name="Add to your calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"event-{event}.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    entries = sorted(calendar.walk("VEVENT"), key=lambda entry: entry.decoded("dtstart"))
    assert len(entries) == len(ours)
    for entry, ((slot, table), organization) in zip(entries, ours, strict=True):
        starts = entry.decoded("dtstart").astimezone(JST)
        ends = entry.decoded("dtend").astimezone(JST)
        assert starts.date() == day
        assert f"{starts:%H:%M}" == SLOT_STARTS[slot]
        assert ends - starts == dt.timedelta(minutes=20)
        assert str(entry["summary"]) == f"{TITLE}: {organization}"
        assert str(entry["location"]).endswith(f"table {table}")

    # 5. The organization Acme had to meet has no login: Aiko opens its schedule from the
    # registrations, to print it and mail it the .ics. Its meetings only, firms by name.
    must_meet = organizations[1]
    theirs = sorted(
        (seat, pair.split(" – ")[0])
        for pair, seat in published.items()
        if pair.endswith(f" – {must_meet}")
    )
    aiko.set_viewport_size({"width": 1280, "height": 900})
    aiko.goto(event_url)
    aiko.locator("#organization-registrations tr", has_text=must_meet).get_by_role(
        "link", name=f"Schedule of {must_meet}"
    ).click()
    expect(aiko.locator("h1")).to_contain_text(must_meet)
    expect(aiko.locator("#draft-notice")).to_have_count(0)
    expect(aiko.locator("#participant-meetings thead")).to_contain_text("JST")
    rows = aiko.locator("#participant-meetings tbody tr")
    page_rows = [tuple(row.locator("td").all_inner_texts()[:3]) for row in rows.all()]
    assert [(t, n, f.strip()) for t, n, f in page_rows] == [
        (f"{SLOT_STARTS[slot]}–{_plus(SLOT_STARTS[slot], 20)}", str(table), firm)
        for (slot, table), firm in theirs
    ], page_rows
    assert FIRM in [firm for _seat, firm in theirs]
    screenshot(aiko, "event-08-curator-organization-schedule")
    with aiko.expect_download() as download_info:
        aiko.get_by_role("link", name="Calendar file (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"event-{event}-registration-")
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    entries = sorted(calendar.walk("VEVENT"), key=lambda entry: entry.decoded("dtstart"))
    assert [str(entry["summary"]) for entry in entries] == [
        f"{TITLE}: {firm}" for _seat, firm in theirs
    ]
    for entry, ((slot, _table), _firm) in zip(entries, theirs, strict=True):
        assert f"{entry.decoded('dtstart').astimezone(JST):%H:%M}" == SLOT_STARTS[slot]
    _no_errors(log)


def _plus(hhmm: str, minutes: int) -> str:
    time = dt.datetime.strptime(hhmm, "%H:%M") + dt.timedelta(minutes=minutes)
    return f"{time:%H:%M}"
