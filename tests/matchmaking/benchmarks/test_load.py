"""The load test's pure parts: the access log, a stage's figures, the targets, saturation."""

from __future__ import annotations

import math
import subprocess
import sys
import time

from matchmaking.benchmarks.load import analysis, report, run
from matchmaking.benchmarks.load.analysis import ClientRecord, ServerRecord

LOG = [
    '[02/Dec/2026:21:39:34 +0900] "GET /organizations/?q=sensor&kind=company HTTP/1.1" '
    '200 5120 48210 "-"',
    '[02/Dec/2026:21:39:35 +0900] "GET /organizations/?region=tohoku HTTP/1.1" 200 900 9000 '
    '"true"',
    '[02/Dec/2026:21:39:35 +0900] "POST /accounts/login/ HTTP/1.1" 302 0 890123 "-"',
    '[02/Dec/2026:21:39:36 +0900] "POST /introductions/new/77/ HTTP/1.1" 500 12 70000 "-"',
    "garbage that gunicorn never wrote",
]


def test_it_reads_gunicorn_access_lines_and_skips_others() -> None:
    records = analysis.parse_access_log(LOG)

    assert [r.endpoint for r in records] == [
        "directory",
        "directory (htmx)",
        "log-in",
        "introduction request",
    ]
    assert [r.status for r in records] == [200, 200, 302, 500]
    assert records[0].micros == 48210
    # 21:39:34 in Tokyo is 12:39:34 UTC.
    assert records[0].at == 1796215174.0
    assert records[3].at - records[0].at == 2


def test_it_names_requests_as_the_load_tool_does() -> None:
    assert analysis.endpoint_of("GET", "/organizations/123/", False) == "organization page"
    assert analysis.endpoint_of("GET", "/firm/suggestions/", True) == "suggestions (htmx)"
    assert analysis.endpoint_of("GET", "/accounts/login/", False) == "log-in page"
    assert analysis.endpoint_of("GET", "/introductions/new/5/", False) == "introduction form"
    assert analysis.endpoint_of("GET", "/static/site.css", False) == "other"


def test_it_reads_the_locustfile_request_log() -> None:
    records = analysis.parse_client_log(["10.5\tdirectory\t12.25\t200\t1\n", "broken\n"])

    assert records == [ClientRecord(10.5, "directory", 12.25, 200, True)]


def test_percentiles_interpolate_between_ranks() -> None:
    assert analysis.percentile([1, 2, 3, 4, 5], 50) == 3
    assert analysis.percentile([10, 20], 95) == 19.5
    assert math.isnan(analysis.percentile([], 95))


def _stage_world() -> tuple[list[ClientRecord], list[ServerRecord]]:
    client = [
        ClientRecord(99.0, "directory", 999, 200, True),  # before the window: ignored
        *(ClientRecord(100.0 + i, "directory", 10.0 + i, 200, True) for i in range(8)),
        ClientRecord(105.5, "log-in", 900, 302, True),
        ClientRecord(106.5, "introduction request", 50, 500, False),
        ClientRecord(107.0, "organization page", 30000, 0, False),
    ]
    server = [
        ServerRecord(99.0, "directory", 200, 999_000),
        *(ServerRecord(100.0 + i, "directory", 200, 5000) for i in range(8)),
        ServerRecord(105.0, "log-in", 302, 890_000),
        ServerRecord(106.0, "introduction request", 500, 40_000),
        ServerRecord(106.0, "other", 304, 1000),
    ]
    return client, server


def test_a_stage_counts_what_ended_in_its_window() -> None:
    client, server = _stage_world()

    stage = analysis.summarise(
        name="50 users",
        users=50,
        start=100.0,
        end=110.0,
        client=client,
        server=server,
        refused=2,
        unanswered=3,
    )

    assert stage.client.count == 11
    assert stage.server.count == 10  # "other" (static files, redirects) left out
    assert stage.rps == 1.0
    assert stage.statuses == {
        "0": 1, "200": 8, "302": 1, "500": 1, "no answer by the end": 3
    }  # fmt: skip
    assert stage.failures == 2 + 3
    assert stage.server_errors == 2 + 3  # the 500, the reset connection, the unanswered
    assert stage.server_5xx == 1
    assert stage.refused == 2
    assert stage.endpoints["log-in"]["server_p95"] == 890.0
    assert stage.endpoints["directory"]["count"] == 8


def test_targets_say_whether_met_and_by_how_much() -> None:
    client, server = _stage_world()
    stages = [
        analysis.summarise(
            name=f"{users} users",
            users=users,
            start=100.0,
            end=110.0,
            client=client,
            server=server,
        )
        for users in (50, 100, 200)
    ]

    found = {(t.stage, t.what): t for t in analysis.targets(stages)}

    assert len(found) == 6
    p95 = found["50 users", "client p95"]
    assert not p95.met
    assert p95.measured == stages[0].client.p95
    assert p95.verdict == f"**missed** by {p95.measured - 300:.0f} ms ({p95.measured / 300:.1f}×)"
    assert found["50 users", "errors"].verdict == "**missed** by 2 errors"
    assert found["200 users", "5xx"].measured == 2
    met = analysis.Target("x", "server p95", 40.0, 50, "ms")
    assert met.met and met.verdict == "met"


def test_saturation_is_the_best_window_and_where_it_blew_up() -> None:
    client = [ClientRecord(0.5 + t, "directory", 100 if t < 10 else 3000, 200, True)
              for t in range(15)]  # fmt: skip
    server = [
        ServerRecord(float(t), "directory", 200, 1000) for t in range(15) for _ in range(t * 10)
    ]
    users_at = [(float(t), t * 10) for t in range(16)]

    windows = analysis.ramp_windows(client, server, start=0.0, end=15.0, users_at=users_at)
    found = analysis.saturation(windows)

    assert [w.start for w in windows] == [0.0, 5.0, 10.0]
    assert windows[0].rps == (0 + 10 + 20 + 30 + 40) / 5 == windows[0].offered
    assert found["max_rps"] == (100 + 110 + 120 + 130 + 140) / 5
    assert found["blown_at_users"] == 120  # mean of 100..140
    assert found["blown_reason"] == "client p95 > 1000 ms"
    starved = analysis.Window(start=0, users=100, offered=100, rps=20, client_p95=50, errors=0)
    assert analysis.saturation([starved])["blown_reason"].startswith("the server completed less")


def test_the_headline_table_has_a_row_per_stage_and_the_saturation() -> None:
    latency = {"count": 1, "p50": 10.0, "p95": 20.0, "p99": 30.0, "max": 40.0}
    result = {
        "plan": {"ramp_users": 800},
        "stages": [
            {
                "name": "50 users", "users": 50, "rps": 49.5, "client_ms": latency,
                "server_ms": latency, "failures": 0, "server_errors": 0,
            }
        ],
        "targets": [{"stage": "50 users", "what": "client p95", "verdict": "met"}],
        "ramp": {"max_rps": 151.2, "max_rps_p95_ms": 480.0},
    }  # fmt: skip

    rows = report.headline_rows(result)

    assert rows[2] == ("| 50 | 49.5 | 10.0 / 20.0 / 30.0 | 10.0 / 20.0 | 0 (0) | client p95 met |")
    assert rows[3].startswith("| ramp to 800 | **151** max | p95 480 at the max")


def test_cpu_is_charged_to_the_process_group_and_to_the_waited_for_children() -> None:
    burn = [
        sys.executable,
        "-c",
        "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass",
    ]
    group = subprocess.Popen(
        [*burn[:2], burn[2] + "\nimport time; time.sleep(5)"], start_new_session=True
    )
    try:
        time.sleep(1.0)  # it burnt its 0.4 s and sleeps
        before = run.cpu_seconds(group.pid)
        assert before["gunicorn"] >= 0.35
        subprocess.run(burn, check=True)  # a child this process waits for, like locust
        after = run.cpu_seconds(group.pid)
    finally:
        group.kill()
        group.wait()
    assert after["gunicorn"] - before["gunicorn"] < 0.05  # asleep meanwhile
    assert 0.35 <= after["locust"] - before["locust"] < 1.0
    assert after["machine"] - before["machine"] >= 0.35


def test_the_cpu_table_divides_each_process_by_the_answered_requests() -> None:
    result = {
        "cpus": 2,
        "stages": [
            {
                "name": "50 users", "answered": 1000, "seconds": 20.0,
                "cpu": {"gunicorn": 15.0, "postgres": 3.0, "locust": 2.0, "machine": 24.0},
            }
        ],
    }  # fmt: skip
    rows = report.cpu_rows(result)
    assert rows[-1] == "| 50 users | 50.0 | 15.0 ms | 3.0 ms | 2.0 ms | 4.0 ms | 1.20 |"


def test_only_requests_sent_before_the_stop_are_owed_an_answer() -> None:
    assert run._unanswered({"counts": {"sent": 10, "answered": 9}}) == 1  # older runs
    stopped = {"counts": {"sent": 12, "sent_before_stop": 10, "answered": 10}}
    assert run._unanswered(stopped) == 0  # two cut off by locust's own stop
    assert run._unanswered({"counts": {"sent": 12, "sent_before_stop": 11, "answered": 10}}) == 1
