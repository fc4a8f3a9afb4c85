"""The load test's arithmetic: the access log parsed, stages summarised, targets judged.

Pure functions on plain data, so that they are tested on tiny inputs (no gunicorn, no
locust). The figures the report shows all come from here.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# gunicorn --access-logformat: the end of the request (1 s resolution), the request line,
# the status, the body size, the time taken in microseconds and whether it was htmx.
ACCESS_LOG_FORMAT = '%(t)s "%(r)s" %(s)s %(B)s %(D)s "%({hx-request}i)s"'
_LINE = re.compile(
    r'^\[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<target>\S+)[^"]*" '
    r'(?P<status>\d{3}) (?P<bytes>\S+) (?P<micros>\d+) "(?P<htmx>[^"]*)"$'
)
_ENDPOINTS = [
    (re.compile(r"^/organizations/$"), "directory"),
    (re.compile(r"^/organizations/\d+/$"), "organization page"),
    (re.compile(r"^/firm/suggestions/$"), "suggestions"),
    (re.compile(r"^/accounts/login/$"), "log-in"),
    (re.compile(r"^/introductions/new/\d+/$"), "introduction"),
    (re.compile(r"^/healthz$"), "healthz"),
]


@dataclass(frozen=True)
class ServerRecord:
    """One request as gunicorn logged it."""

    at: float  # epoch seconds when the response was done (whole seconds)
    endpoint: str
    status: int
    micros: int


@dataclass(frozen=True)
class ClientRecord:
    """One request as the load tool saw it."""

    at: float  # epoch seconds at the end of the request
    endpoint: str
    millis: float
    status: int  # 0 when no response came (connection refused, reset, timeout)
    ok: bool


def endpoint_of(method: str, path: str, htmx: bool) -> str:
    """The name the load tool gives the same request, from its method, path and header."""
    for pattern, name in _ENDPOINTS:
        if pattern.match(path):
            if name == "log-in":
                return "log-in" if method == "POST" else "log-in page"
            if name == "introduction":
                return "introduction request" if method == "POST" else "introduction form"
            if htmx and name in ("directory", "suggestions"):
                return f"{name} (htmx)"
            return name
    return "other"


def parse_access_log(lines: Iterable[str]) -> list[ServerRecord]:
    records = []
    for line in lines:
        match = _LINE.match(line.strip())
        if match is None:
            continue
        at = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
        path = match["target"].split("?", 1)[0]
        records.append(
            ServerRecord(
                at=at,
                endpoint=endpoint_of(match["method"], path, match["htmx"] == "true"),
                status=int(match["status"]),
                micros=int(match["micros"]),
            )
        )
    return records


def parse_client_log(lines: Iterable[str]) -> list[ClientRecord]:
    """The locustfile's request log: time, name, milliseconds, status, ok (tab-separated)."""
    records = []
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 5:
            continue
        records.append(
            ClientRecord(
                float(parts[0]), parts[1], float(parts[2]), int(parts[3]), parts[4] == "1"
            )
        )
    return records


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Latency:
    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Latency:
        return cls(
            count=len(values),
            p50=percentile(values, 50),
            p95=percentile(values, 95),
            p99=percentile(values, 99),
            max=max(values) if values else math.nan,
        )


@dataclass
class Stage:
    """One load level, measured from the moment every user was running to its end."""

    name: str
    users: int
    start: float
    end: float
    client: Latency
    server: Latency  # milliseconds, from the access log
    rps: float  # responses per second the server completed (access log)
    client_rps: float
    statuses: dict[str, int]  # status -> count, as the client saw them ("0" = no response)
    failures: int  # failed as the client saw them (status >= 400 or none), or unanswered
    server_errors: int  # 5xx (as the client or the access log saw them), none, unanswered
    refused: int  # introduction requests refused by a business limit (not errors)
    unanswered: int = 0  # sent, but no answer had come when the stage ended
    server_5xx: int = 0  # 5xx in the access log (also those whose client had given up)
    endpoints: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "users": self.users,
            "start": self.start,
            "end": self.end,
            "client_ms": vars(self.client),
            "server_ms": vars(self.server),
            "rps": self.rps,
            "client_rps": self.client_rps,
            "statuses": self.statuses,
            "failures": self.failures,
            "server_errors": self.server_errors,
            "refused": self.refused,
            "unanswered": self.unanswered,
            "server_5xx": self.server_5xx,
            "endpoints": self.endpoints,
        }


def summarise(
    *,
    name: str,
    users: int,
    start: float,
    end: float,
    client: Sequence[ClientRecord],
    server: Sequence[ServerRecord],
    refused: int = 0,
    unanswered: int = 0,
) -> Stage:
    """A stage's figures from the requests that ended within [start, end]."""
    mine = [r for r in client if start <= r.at <= end]
    # The access log has whole seconds: take the seconds the window touches.
    logged = [r for r in server if math.floor(start) <= r.at <= end and r.endpoint != "other"]
    seconds = max(end - start, 1e-9)
    endpoints: dict[str, dict[str, float]] = {}
    for endpoint in sorted({r.endpoint for r in mine}):
        times = [r.millis for r in mine if r.endpoint == endpoint]
        server_times = [r.micros / 1000 for r in logged if r.endpoint == endpoint]
        endpoints[endpoint] = {
            "count": len(times),
            "share": len(times) / len(mine),
            "client_p50": percentile(times, 50),
            "client_p95": percentile(times, 95),
            "server_p50": percentile(server_times, 50),
            "server_p95": percentile(server_times, 95),
            "failures": sum(1 for r in mine if r.endpoint == endpoint and not r.ok),
        }
    statuses = Counter(str(r.status) for r in mine)
    if unanswered:
        statuses["no answer by the end"] = unanswered
    client_5xx = sum(1 for r in mine if r.status >= 500 or r.status == 0)
    server_5xx = sum(1 for r in logged if r.status >= 500)
    return Stage(
        name=name,
        users=users,
        start=start,
        end=end,
        client=Latency.of([r.millis for r in mine]),
        server=Latency.of([r.micros / 1000 for r in logged]),
        rps=len(logged) / seconds,
        client_rps=len(mine) / seconds,
        statuses=dict(sorted(statuses.items())),
        failures=sum(1 for r in mine if not r.ok) + unanswered,
        server_errors=max(client_5xx, server_5xx) + unanswered,
        refused=refused,
        unanswered=unanswered,
        server_5xx=server_5xx,
        endpoints=endpoints,
    )


@dataclass(frozen=True)
class Target:
    stage: str
    what: str
    measured: float
    limit: float
    unit: str

    @property
    def met(self) -> bool:
        return self.measured <= self.limit  # False when nothing was measured (NaN)

    @property
    def verdict(self) -> str:
        if self.met:
            return "met"
        if math.isnan(self.measured):
            return "**missed**: no request completed"
        over = self.measured - self.limit
        if self.limit == 0:
            return f"**missed** by {over:g} {self.unit}"
        return f"**missed** by {over:.0f} {self.unit} ({self.measured / self.limit:.1f}×)"

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "met": self.met, "verdict": self.verdict}


def targets(stages: Sequence[Stage]) -> list[Target]:
    """Issue #7's targets for the stages that ran (by user count)."""
    out: list[Target] = []
    for stage in stages:
        if stage.users == 50:
            out += [
                Target(stage.name, "client p95", stage.client.p95, 300, "ms"),
                Target(stage.name, "server p95", stage.server.p95, 50, "ms"),
                Target(stage.name, "errors", stage.failures, 0, "errors"),
            ]
        elif stage.users == 100:
            out += [
                Target(stage.name, "client p95", stage.client.p95, 600, "ms"),
                Target(stage.name, "errors", stage.failures, 0, "errors"),
            ]
        elif stage.users == 200:
            out.append(Target(stage.name, "5xx", stage.server_errors, 0, "errors"))
    return out


@dataclass
class Window:
    """A slice of the saturation ramp."""

    start: float
    users: float
    offered: float  # requests per second the users would send
    rps: float  # responses the server completed per second
    client_p95: float
    errors: int


def ramp_windows(
    client: Sequence[ClientRecord],
    server: Sequence[ServerRecord],
    *,
    start: float,
    end: float,
    users_at: Sequence[tuple[float, int]],
    width: float = 5.0,
) -> list[Window]:
    """Throughput and latency of the ramp in windows of `width` seconds."""
    windows = []
    at = start
    while at + width <= end + 1e-9:
        inside = [r for r in client if at <= r.at < at + width]
        done = [r for r in server if at <= r.at < at + width]
        running = [u for t, u in users_at if at <= t < at + width] or [
            next((u for t, u in reversed(users_at) if t < at), 0)
        ]
        users = sum(running) / len(running)
        windows.append(
            Window(
                start=at - start,
                users=users,
                offered=users * 1.0,
                rps=len(done) / width,
                client_p95=percentile([r.millis for r in inside], 95),
                errors=sum(1 for r in inside if r.status >= 500 or r.status == 0),
            )
        )
        at += width
    return windows


def saturation(windows: Sequence[Window], *, p95_limit: float = 1000.0) -> dict[str, Any]:
    """The most the server completed per second, and where latency or errors blew up."""
    if not windows:
        return {"max_rps": math.nan}
    best = max(windows, key=lambda w: w.rps)

    def reason(window: Window) -> str | None:
        if window.errors:
            return "5xx or no response"
        if window.client_p95 > p95_limit:
            return f"client p95 > {p95_limit:g} ms"
        if window.offered >= 10 and window.rps < 0.8 * window.offered:
            return "the server completed less than 80 % of the offered requests"
        return None

    blown = next((w for w in windows if reason(w)), None)
    return {
        "max_rps": best.rps,
        "max_rps_users": best.users,
        "max_rps_p95_ms": best.client_p95,
        "blown_at_users": blown.users if blown else None,
        "blown_at_rps": blown.rps if blown else None,
        "blown_reason": reason(blown) if blown else None,
    }
