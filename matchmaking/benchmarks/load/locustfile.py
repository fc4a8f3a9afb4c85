"""What the load test's users do (run by locust, never imported by the site or the tests).

Every user sends one request per second on average, open-loop: arrivals follow the user's
own Poisson schedule (exponential gaps, mean 1 s, a random phase at start) and a user that
fell behind because a response was slow catches up at once instead of slowing down, so a
slow server does not lower the offered load. Visitors search the directory and open
organizations; firm members log in, open their suggestions, organizations and the directory,
and request introductions. A request the app refuses by its business limits (20 open, 10 a
day per firm) is not an error: it is counted apart and written to LOAD_EXTRA_OUT.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, events, task

RATE = 1.0  # requests per second per user
ORG_MIN = int(os.environ.get("LOAD_ORG_MIN", "1"))
ORG_MAX = int(os.environ.get("LOAD_ORG_MAX", "1000"))
MEMBER_FIRST = int(os.environ.get("LOAD_MEMBER_FIRST", "0"))
MEMBER_COUNT = int(os.environ.get("LOAD_MEMBER_COUNT", "100"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
# "issue": issue #7's mix; "without-directory": directory requests become organization pages,
# to see the rest of the site when the directory is what saturates it.
MIX = os.environ.get("LOAD_MIX", "issue")
PARTNERSHIP_IDS = [int(x) for x in os.environ.get("LOAD_PARTNERSHIP_IDS", "1").split(",")]
# Fewer than INTRODUCTION_DAILY_LIMIT (10) per firm, so that a firm never reaches it.
INTRODUCTIONS_PER_FIRM = int(os.environ.get("LOAD_INTRODUCTIONS_PER_FIRM", "9"))
GLOSSARY = Path(__file__).resolve().parents[3] / "fixtures" / "glossary.json"

_concepts = json.loads(GLOSSARY.read_text("utf-8"))
TERMS_EN = [c["en"] for c in _concepts] + ["precision machining", "EV motors", "sensor"]
TERMS_JA = [c["ja"] for c in _concepts]
KINDS = ["company", "university", "research_institute", "support_body"]
REGIONS = ["hokkaido", "tohoku", "kanto", "chubu", "kinki", "chugoku", "shikoku", "kyushu-okinawa"]
DIVISIONS = ["A", "D", "E", "G", "L"]
PARTNERSHIPS = ["supply_chain", "joint_rnd", "licensing", "sales_distribution", "investment_jv"]
LANGUAGES = ["en", "zh", "ko", "de"]

_members = itertools.count()
refused: dict[str, int] = {}
counts = {"sent": 0, "answered": 0}


def next_member() -> int:
    return MEMBER_FIRST + next(_members) % MEMBER_COUNT


def member_email(number: int) -> str:
    return f"member{number:04d}@load-firm-{number:04d}.example"


def directory_query(rng: random.Random) -> dict[str, str]:
    """Varied searches: text in either language or none, zero to three filters, paging."""
    params: dict[str, str] = {}
    draw = rng.random()
    if draw < 0.45:
        params["q"] = " ".join(rng.sample(TERMS_EN, rng.choice([1, 1, 2, 3])))
    elif draw < 0.65:
        params["q"] = rng.choice(TERMS_JA)
    filters: list[tuple[str, Any]] = [
        ("kind", lambda: rng.choice(KINDS)),
        ("region", lambda: rng.choice(REGIONS)),
        ("prefecture", lambda: f"{rng.randint(1, 47):02d}"),
        ("industry", lambda: rng.choice(DIVISIONS)),
        ("partnership", lambda: rng.choice(PARTNERSHIPS)),
        ("language", lambda: rng.choice(LANGUAGES)),
        ("dragons", lambda: "1"),
    ]
    for name, value in rng.sample(filters, rng.choice([0, 0, 1, 1, 2, 3])):
        params[name] = value()
    if rng.random() < 0.15:
        params["sort"] = rng.choice(["name", "updated"])
    if rng.random() < 0.2:
        params["page"] = str(rng.randint(2, 5))
    return params


def paced(user: PacedUser) -> float:
    """Seconds until this user's next scheduled request (0 when it is behind schedule)."""
    for _ in range(max(1, user.sent)):
        user.next_at += random.expovariate(RATE)
    user.sent = 0
    return max(0.0, user.next_at - time.monotonic())


class PacedUser(HttpUser):
    abstract = True
    wait_time = paced

    def on_start(self) -> None:
        self.rng = random.Random()
        self.sent = 0
        gevent.sleep(random.uniform(0, 1 / RATE))  # jitter: users do not start in step
        self.next_at = time.monotonic()

    def sending(self) -> None:
        """Count a request before it goes: one still unanswered at the end is a failure."""
        self.sent += 1
        counts["sent"] += 1

    def get(self, url: str, name: str, **kwargs: Any) -> Any:
        self.sending()
        return self.client.get(url, name=name, **kwargs)

    def organization(self) -> None:
        pk = self.rng.randint(ORG_MIN, ORG_MAX)
        self.get(f"/organizations/{pk}/", name="organization page")

    def directory(self) -> None:
        if MIX == "without-directory":
            self.organization()
            return
        htmx = self.rng.random() < 0.35
        self.get(
            "/organizations/",
            name="directory (htmx)" if htmx else "directory",
            params=directory_query(self.rng),
            headers={"HX-Request": "true"} if htmx else {},
        )


class Visitor(PacedUser):
    """Someone browsing the public directory."""

    weight = 3

    @task(3)
    def search(self) -> None:
        self.directory()

    @task(2)
    def open_organization(self) -> None:
        self.organization()


class FirmMember(PacedUser):
    """A foreign firm's member: logs in, reads suggestions, asks for introductions."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.log_in()

    def log_in(self) -> None:
        self.client.cookies.clear()
        self.member = next_member()
        self.introductions = 0
        self.get("/accounts/login/", name="log-in page")
        self.sending()
        with self.client.post(
            "/accounts/login/",
            name="log-in",
            data={"username": member_email(self.member), "password": PASSWORD},
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"log-in answered {response.status_code}, not 302")

    @task(40)
    def suggestions(self) -> None:
        params: dict[str, str] = {}
        if self.rng.random() < 0.4:
            params = {k: v for k, v in directory_query(self.rng).items() if k not in ("q", "sort")}
        if self.rng.random() < 0.15:
            params["refine"] = self.rng.choice(TERMS_EN)
        htmx = self.rng.random() < 0.25
        self.get(
            "/firm/suggestions/",
            name="suggestions (htmx)" if htmx else "suggestions",
            params=params,
            headers={"HX-Request": "true"} if htmx else {},
        )

    @task(20)
    def open_organization(self) -> None:
        self.organization()

    @task(10)
    def search(self) -> None:
        self.directory()

    @task(2)
    def introduction(self) -> None:
        if self.introductions >= INTRODUCTIONS_PER_FIRM:
            self.log_in()  # the next firm's member: keeps every firm under the daily limit
            return
        pk = self.rng.randint(ORG_MIN, ORG_MAX)
        url = f"/introductions/new/{pk}/"
        self.get(url, name="introduction form")
        data = {
            "submission_key": str(uuid.uuid4()),
            "partnership_type": str(self.rng.choice(PARTNERSHIP_IDS)),
            "proposal": "We would like to discuss a joint development project. " * 3,
            "questions": "Who would be our contact?",
            "preferred_language": "en",
            "contact_name": "Load Test",
            "contact_email": member_email(self.member),
        }
        self.introductions += 1
        self.sending()
        with self.client.post(
            url,
            name="introduction request",
            data=data,
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": url},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            elif response.status_code == 200 and re.search(r"errorlist|nonfield", response.text):
                # Refused by a business rule (limit, already open): the form says why.
                response.success()
                refused["introduction request"] = refused.get("introduction request", 0) + 1
            else:
                response.failure(f"introduction answered {response.status_code}")

    # A session outlives many pages: about one log-in per 75 pages of a member (each costs
    # ~0.9 s of CPU in PBKDF2 with Django's 1.5 M iterations).
    @task(1)
    def log_in_again(self) -> None:
        self.log_in()


_out = os.environ.get("LOAD_REQUESTS_OUT")
_log = Path(_out).open("a", encoding="utf-8") if _out else None  # noqa: SIM115
extra: dict[str, Any] = {"refused": refused, "counts": counts}


@events.request.add_listener
def _record(name: str, response_time: float, response: Any, exception: Any, **_: Any) -> None:
    counts["answered"] += 1
    if _log is not None:
        status = getattr(response, "status_code", 0) or 0
        ok = "0" if exception else "1"
        _log.write(f"{time.time():.3f}\t{name}\t{response_time:.2f}\t{status}\t{ok}\n")


@events.spawning_complete.add_listener
def _spawned(user_count: int, **_: Any) -> None:
    extra["spawned_at"] = time.time()
    extra["spawned_users"] = user_count


def _watch(environment: Any, limit_ms: float) -> None:
    """Stop the saturation ramp once the last seconds' p95 passed the limit for 10 s."""
    over_since: float | None = None
    while True:
        gevent.sleep(1)
        current = environment.runner.stats.total.get_current_response_time_percentile(0.95)
        if current and current > limit_ms:
            over_since = over_since or time.monotonic()
            if time.monotonic() - over_since >= 10:
                extra["stopped"] = f"p95 over {limit_ms:g} ms for 10 s"
                environment.runner.quit()
                return
        else:
            over_since = None


@events.test_start.add_listener
def _started(environment: Any, **_: Any) -> None:
    extra["started_at"] = time.time()
    limit = os.environ.get("LOAD_STOP_P95_MS")
    if limit:
        gevent.spawn(_watch, environment, float(limit))


@events.test_stopping.add_listener
def _stopping(**_: Any) -> None:
    # A user stopped in the middle of a task (after its --stop-timeout) may have counted a
    # request the server never received: only those sent before the stop are owed an answer.
    counts["sent_before_stop"] = counts["sent"]


@events.quitting.add_listener
def _write_extra(environment: Any, **_: Any) -> None:
    extra["ended_at"] = time.time()
    if _log is not None:
        _log.flush()
    path = os.environ.get("LOAD_EXTRA_OUT")
    if path:
        Path(path).write_text(json.dumps(extra), encoding="utf-8")
