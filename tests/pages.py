"""The site's main pages by role, on the demo data (`make data`, matchmaking/demo.py).

tests/browser/test_accessibility.py opens them in Chromium (axe-core) and
tests/test_html_validity.py renders them with Django's test client for the Nu Html Checker,
so a page added here is checked by both.
"""

from __future__ import annotations

from matchmaking.demo import DEMO_PASSWORD

PASSWORD = DEMO_PASSWORD
ORGANIZATION = "{organization}"  # a published Kumamoto organization, found at run time
JAPANESE_ONLY = "{japanese_only}"  # a published Kumamoto one written in Japanese only
# The demo's events (matchmaking/demo.py): Aiko's matching day, its schedule published (Acme
# Robotics has meetings), and her meet-up open for registration.
EVENT = "{event}"
OPEN_EVENT = "{open_event}"
# An organization registered for the matching day, with meetings: its schedule, as the
# curator prints it or sends it.
EVENT_PARTICIPANT = "{event_participant}"

# role: (the demo account it logs in as, or None for a visitor; the paths it opens)
ROLES: dict[str, tuple[str | None, list[str]]] = {
    "visitor": (
        None,
        [
            "/",
            "/organizations/",
            "/organizations/?q=precision+machining&region=kyushu-okinawa",
            f"/organizations/{ORGANIZATION}/",
            f"/organizations/{JAPANESE_ONLY}/",
            "/prefectures/",
            "/prefectures/kumamoto/",
            "/sources/",
            "/accounts/login/",
            "/accounts/sign-up/",
            "/accounts/password-reset/",
        ],
    ),
    "firm member": (
        "maria@acme-robotics.example",
        [
            "/firm/suggestions/",
            "/firm/shortlist/",
            "/firm/profile/",
            "/introductions/",
            f"/introductions/new/{ORGANIZATION}/",
            f"/organizations/{ORGANIZATION}/",
            "/firm/events/",
            f"/firm/events/{OPEN_EVENT}/",
            f"/firm/events/{EVENT}/",
            f"/firm/events/{EVENT}/schedule/",
            f"/firm/events/{EVENT}/schedule/print/",
        ],
    ),
    "curator": (
        "aiko@pref-kumamoto.example",
        [
            "/workspace/",
            "/workspace/organizations/",
            f"/workspace/organizations/{ORGANIZATION}/",
            f"/workspace/organizations/{ORGANIZATION}/edit/",
            "/workspace/organizations/new/",
            "/workspace/prefectures/43/",
            "/workspace/import/",
            "/workspace/introductions/",
            "/workspace/demand/",
            "/workspace/english/",
            f"/workspace/english/{JAPANESE_ONLY}/",
            "/workspace/reports/",
            "/organizations/",
            "/workspace/events/",
            "/workspace/events/new/",
            f"/workspace/events/{EVENT}/",
            f"/workspace/events/{EVENT}/edit/",
            f"/workspace/events/{EVENT}/schedule/",
            f"/workspace/events/{EVENT}/registrations/{EVENT_PARTICIPANT}/schedule/",
            f"/workspace/events/{EVENT}/registrations/{EVENT_PARTICIPANT}/schedule/print/",
            f"/workspace/events/{OPEN_EVENT}/",
        ],
    ),
    "admin": (
        "admin@ryumon.example",
        [
            "/workspace/",
            "/workspace/organizations/",
            "/workspace/demand/",
            "/workspace/english/",
            "/workspace/reports/",
            "/workspace/reports/national/",
        ],
    ),
}
