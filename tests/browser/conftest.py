"""Browser journeys: a real server (gunicorn, production settings over http) and Chromium.

The site runs in its own process on its own database, loaded with the reference and demo
data exactly as `make run` loads it; emails land in files the tests read. Chromium comes
from Debian's packages. Outside CI a missing Chromium skips these tests; with CI=true it
fails them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass
class LiveSite:
    url: str
    mail_dir: Path
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return result.stdout

    def forget_languages(self) -> None:
        """Drop every account's stored interface language: a test that logs in with another
        language keeps it on the account (as a person's choice should be), and the next test
        logging in as the same demo person would get it."""
        self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from matchmaking.language import LanguagePreference; "
            "LanguagePreference.objects.all().delete()",
        )

    def emails(self) -> list[str]:
        if not self.mail_dir.exists():
            return []
        return [path.read_text() for path in sorted(self.mail_dir.glob("*.log"))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_admin_url(database_url: str) -> tuple[str, str]:
    base, _, name = database_url.rpartition("/")
    return base, name


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    var = tmp_path_factory.mktemp("site-var")
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": "browser-tests-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "RYUMON_VAR_DIR": str(var),
        "EMAIL_BACKEND": "file",
        "EMAIL_FILE_PATH": str(var / "mail"),
        "STATIC_MANIFEST": "1",
        "LOG_LEVEL": "WARNING",
    }
    database_url = os.environ.get("DATABASE_URL", "")
    dropdb = None
    if database_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _ = _postgres_admin_url(database_url)
        name = f"ryumon_browser_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
        dropdb = (base, name)
    else:
        env["DATABASE_URL"] = f"sqlite:///{var / 'site.sqlite3'}"

    site = LiveSite(url="", mail_dir=var / "mail", env=env)
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["createcachetable"],
        ["load_reference_data"],
        ["load_demo_data"],
        ["collectstatic", "--no-input", "-v", "0"],
    ):
        site.manage(*command)

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "matchmaking.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
    )
    site.url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{site.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the site did not start") from None
                time.sleep(0.3)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=20)
        if dropdb:
            import psycopg

            base, name = dropdb
            with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Per module, not per session: Playwright's sync API keeps an asyncio loop running in this
# thread while it is open, and Django then refuses database work in the tests that a
# pytest-xdist worker runs after the browser tests.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}; apt-get install chromium chromium-driver"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def forget_languages_after(live_site: LiveSite) -> Iterator[None]:
    """For modules that log the demo people in with languages other than English."""
    yield
    live_site.forget_languages()


@dataclass
class ConsoleLog:
    messages: list[str]

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "CSP" in m]


@pytest.fixture
def page(browser: Any, live_site: LiveSite) -> Iterator[tuple[Any, ConsoleLog]]:
    context = browser.new_context(base_url=live_site.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log = ConsoleLog(messages=[])
    page.on("console", lambda message: log.messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.messages.append(f"pageerror: {error}"))
    yield page, log
    context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": hiding the caret makes Playwright inject a style that the CSP blocks,
    # which would show up as a violation in the page's console.
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path
