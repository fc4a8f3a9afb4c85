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
