"""Run the load test: throwaway PostgreSQL database, gunicorn, locust, report.

Everything the run starts (the database, gunicorn, locust) is stopped or dropped at the end,
also when a step fails or the run is interrupted.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from matchmaking.benchmarks.load import analysis
from matchmaking.benchmarks.load.population import PASSWORD

DATABASE = "ryumon_bench_load"  # throwaway: created and dropped by each run
SERVER = "postgresql://postgres@127.0.0.1:5432/{database}"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@dataclass(frozen=True)
class Plan:
    organizations: int
    firms: int
    users: tuple[int, ...]
    spawn_seconds: int  # users start over this time; the stage is measured after it
    stage_seconds: int
    ramp_users: int
    ramp_rate: float  # users added per second
    ramp_stop_p95_ms: float
    workers: int
    port: int
    quick: bool
    mix: str = "issue"  # or "without-directory" (see the locustfile)

    @classmethod
    def make(cls, *, quick: bool, **overrides: Any) -> Plan:
        defaults: dict[str, Any] = {
            "organizations": 10_000 if quick else 100_000,
            "firms": 1_500,
            "users": (50, 100, 200),
            "spawn_seconds": 5 if quick else 10,
            "stage_seconds": 20 if quick else 60,
            "ramp_users": 500 if quick else 800,
            "ramp_rate": 10.0 if quick else 4.0,
            "ramp_stop_p95_ms": 2000.0,
            "workers": 3,
            "port": 8765,
            "quick": quick,
        }
        defaults.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**defaults)


def _admin(sql: str) -> None:
    with psycopg.connect(SERVER.format(database="postgres"), autocommit=True) as conn:
        conn.execute(sql.encode())


def _exists() -> bool:
    with psycopg.connect(SERVER.format(database="postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
    return row is not None


@contextlib.contextmanager
def throwaway_database(
    log: Callable[[str], None], *, reuse: bool = False, keep: bool = False
) -> Iterator[tuple[str, bool]]:
    """Yield the database URL and whether it is a new, empty database."""
    fresh = not (reuse and _exists())
    if fresh:
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        _admin(f"CREATE DATABASE {DATABASE}")
        log(f"created database {DATABASE}")
    else:
        log(f"reusing database {DATABASE}")
    try:
        yield SERVER.format(database=DATABASE), fresh
    finally:
        if keep:
            log(f"kept database {DATABASE} (drop it with: dropdb -U postgres {DATABASE})")
        else:
            _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            log(f"dropped database {DATABASE}")


REDIS_DB = 14  # the load test's own Redis database, emptied at the start of each run


def local_redis() -> str | None:
    """The Redis the site should use as in production: REDIS_URL, else 127.0.0.1:6379."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    import redis

    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        client = redis.Redis.from_url(url, socket_timeout=2)
        client.flushdb()  # throttle counters and sessions of an earlier run
    except redis.RedisError:
        return None
    return url


def _environment(url: str, work: Path, redis_url: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "0",  # plain HTTP on loopback; TLS would be the proxy's
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "RYUMON_VAR_DIR": str(work / "var"),
        "EMAIL_BACKEND": "file",
        "EMAIL_FILE_PATH": str(work / "var" / "mail"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CONN_MAX_AGE", None)
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _manage(base: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=base, env=env, check=True)


@contextlib.contextmanager
def gunicorn(
    base: Path, env: dict[str, str], plan: Plan, work: Path, log: Callable[[str], None]
) -> Iterator[tuple[Path, int]]:
    access_log = work / "access.log"
    access_log.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "matchmaking.wsgi",
        "--bind",
        f"127.0.0.1:{plan.port}",
        "--workers",
        str(plan.workers),
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        analysis.ACCESS_LOG_FORMAT,
        "--error-logfile",
        str(work / "gunicorn.log"),
        "--timeout",
        "60",
    ]
    process = subprocess.Popen(command, cwd=base, env=env, start_new_session=True)
    log(f"gunicorn pid {process.pid}, {plan.workers} workers on 127.0.0.1:{plan.port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{plan.port}/healthz", timeout=5
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not come up; see " + str(work / "gunicorn.log"))
            time.sleep(0.5)
        yield access_log, process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log("gunicorn stopped")


def locust(
    *,
    name: str,
    users: int,
    spawn_rate: float,
    seconds: int,
    plan: Plan,
    world: dict[str, Any],
    members: tuple[int, int],
    work: Path,
    base: Path,
    stop_p95_ms: float | None = None,
    gunicorn_pid: int | None = None,
) -> dict[str, Any]:
    """Run one locust process headless; return its request log, events and CPU use."""
    requests_out = work / f"{name}.requests.tsv"
    extra_out = work / f"{name}.extra.json"
    requests_out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "LOAD_ORG_MIN": str(world["organization_ids"][0]),
        "LOAD_ORG_MAX": str(world["organization_ids"][1]),
        "LOAD_MEMBER_FIRST": str(members[0]),
        "LOAD_MEMBER_COUNT": str(members[1]),
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_PARTNERSHIP_IDS": ",".join(map(str, world["partnership_type_ids"])),
        "LOAD_REQUESTS_OUT": str(requests_out),
        "LOAD_EXTRA_OUT": str(extra_out),
        "LOAD_MIX": plan.mix,
    }
    if stop_p95_ms:
        env["LOAD_STOP_P95_MS"] = str(stop_p95_ms)
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        f"http://127.0.0.1:{plan.port}",
        "-u",
        str(users),
        "-r",
        f"{spawn_rate:g}",
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(work / name),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    before = cpu_seconds(gunicorn_pid)
    process = subprocess.Popen(command, cwd=base, env=env, start_new_session=True)
    try:
        process.wait(timeout=seconds + 120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    after = cpu_seconds(gunicorn_pid)
    extra = json.loads(extra_out.read_text("utf-8")) if extra_out.exists() else {}
    with requests_out.open(encoding="utf-8") as stream:
        client = analysis.parse_client_log(stream)
    cpu = {name: after[name] - before[name] for name in after}
    return {"extra": extra, "client": client, "cpu": cpu}


def cpu_seconds(gunicorn_pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (master and workers), PostgreSQL, the load tool
    (the waited-for children of this process: locust) and the whole machine (every core)."""
    tick = os.sysconf("SC_CLK_TCK")
    gunicorn_ticks = postgres_ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        if gunicorn_pid is not None and int(fields[2]) == gunicorn_pid:  # its process group
            gunicorn_ticks += ticks
        elif name == "postgres":
            postgres_ticks += ticks
    children = os.times()
    with Path("/proc/stat").open() as stream:
        total = stream.readline().split()[1:]
    busy = sum(int(x) for i, x in enumerate(total[:8]) if i not in (3, 4))  # not idle, iowait
    return {
        "gunicorn": gunicorn_ticks / tick,
        "postgres": postgres_ticks / tick,
        "locust": children.children_user + children.children_system,
        "machine": busy / tick,
    }


def wait_until_idle(plan: Plan, log: Callable[[str], None], limit: float = 180) -> float:
    """Wait until the server answers /healthz quickly: the last stage's queue is drained."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        begun = time.monotonic()
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{plan.port}/healthz", timeout=30
            ) as response:
                if response.status == 200 and time.monotonic() - begun < 0.5:
                    break
        except OSError:
            pass
        time.sleep(1)
    waited = time.monotonic() - started
    if waited > 5:
        log(f"waited {waited:.0f} s for the server to drain its queue")
    return waited


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run(
    *,
    base: Path,
    plan: Plan,
    log: Callable[[str], None],
    reuse_database: bool = False,
    keep_database: bool = False,
) -> dict[str, Any]:
    work = base / "var" / "bench" / "load"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    result: dict[str, Any] = {
        "plan": vars(plan) | {"users": list(plan.users)},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average": {"before": _load_average()},
    }
    world_path = base / "var" / "bench" / "load-world.json"
    redis_url = local_redis()
    result["cache"] = "redis" if redis_url else "database"
    log(f"cache and sessions: {redis_url or 'the database (no Redis answered)'}")
    with throwaway_database(log, reuse=reuse_database, keep=keep_database) as (url, fresh):
        env = _environment(url, work, redis_url)
        quiet = {**env, "RANKER_AUTO_REBUILD": "0"}
        started = time.perf_counter()
        if fresh or not world_path.exists():
            world_path.unlink(missing_ok=True)
            for step in (
                ("migrate", "--no-input", "-v", "0"),
                ("createcachetable",),
                ("load_reference_data",),
                ("load_demo_data",),
            ):
                log("manage.py " + " ".join(step))
                _manage(base, quiet, *step)
            _manage(
                base,
                quiet,
                "bench_load",
                "--populate",
                "--organizations",
                str(plan.organizations),
                "--firms",
                str(plan.firms),
                "--world",
                str(world_path),
            )
        else:
            # Requests of the last run would count against the firms' limits.
            _manage(base, quiet, "bench_load", "--reset-introductions")
        _manage(base, quiet, "collectstatic", "--no-input", "-v", "0")
        world = json.loads(world_path.read_text("utf-8"))
        if world.get("synthetic_organizations") != plan.organizations:
            raise RuntimeError(
                f"the kept database has {world.get('synthetic_organizations')} synthetic "
                f"organizations, not {plan.organizations}: run without --reuse-database"
            )
        result["world"] = world
        result["setup_seconds"] = time.perf_counter() - started
        log(f"world ready in {result['setup_seconds']:.0f} s: {world}")
        with gunicorn(base, env, plan, work, log) as (access_log, gunicorn_pid):
            # Warm-up, not measured: every worker loads the index and fills its caches.
            share = plan.firms // (len(plan.users) + 2)
            log("warm-up: 20 users")
            locust(
                name="warmup", users=20, spawn_rate=20, seconds=15 if plan.quick else 30,
                plan=plan, world=world, members=(0, share), work=work, base=base,
            )  # fmt: skip
            runs: list[dict[str, Any]] = []
            for number, users in enumerate(plan.users, start=1):
                time.sleep(3)
                wait_until_idle(plan, log)
                log(f"stage: {users} users, load average {_load_average()}")
                runs.append(
                    {
                        "name": f"{users} users",
                        "users": users,
                        "load_average": _load_average(),
                        **locust(
                            name=f"stage-{users}",
                            users=users,
                            spawn_rate=users / plan.spawn_seconds,
                            seconds=plan.spawn_seconds + plan.stage_seconds,
                            plan=plan,
                            world=world,
                            members=(share * number, share),
                            work=work,
                            base=base,
                            gunicorn_pid=gunicorn_pid,
                        ),
                    }
                )
            time.sleep(3)
            wait_until_idle(plan, log)
            log(f"saturation ramp: up to {plan.ramp_users} users, +{plan.ramp_rate:g}/s")
            ramp = locust(
                name="ramp",
                users=plan.ramp_users,
                spawn_rate=plan.ramp_rate,
                seconds=int(plan.ramp_users / plan.ramp_rate) + 10,
                plan=plan,
                world=world,
                members=(share * (len(plan.users) + 1), share),
                work=work,
                base=base,
                stop_p95_ms=plan.ramp_stop_p95_ms,
            )
            result["load_average"]["after"] = _load_average()
        with access_log.open(encoding="utf-8") as stream:
            server = analysis.parse_access_log(stream)
    result["stages"] = []
    for run_ in runs:
        extra = run_["extra"]
        stage = analysis.summarise(
            name=run_["name"],
            users=run_["users"],
            start=extra["spawned_at"],
            end=extra["ended_at"],
            client=run_["client"],
            server=server,
            refused=sum(extra.get("refused", {}).values()),
            unanswered=_unanswered(extra),
        )
        result["stages"].append(
            stage.as_dict()
            | {
                "load_average": run_["load_average"],
                "cpu": run_["cpu"],
                "answered": len(run_["client"]),
                "seconds": extra["ended_at"] - extra["started_at"],
            }
        )
        result.setdefault("series", {})[run_["name"]] = series(
            run_["client"], server, start=extra["started_at"], end=extra["ended_at"]
        )
    extra = ramp["extra"]
    users_at = ramp_users(extra, plan)
    windows = analysis.ramp_windows(
        ramp["client"], server, start=extra["started_at"], end=extra["ended_at"],
        users_at=users_at,
    )  # fmt: skip
    result["ramp"] = {
        "windows": [vars(w) for w in windows],
        "stopped": extra.get("stopped", "time limit"),
        "refused": sum(extra.get("refused", {}).values()),
        "unanswered": _unanswered(extra),
        **analysis.saturation(windows),
    }
    result["series"]["ramp"] = series(
        ramp["client"], server, start=extra["started_at"], end=extra["ended_at"]
    )
    result["targets"] = judge(result)
    return result


def judge(result: dict[str, Any]) -> list[dict[str, Any]]:
    stages = [analysis_stage(stage) for stage in result["stages"]]
    return [target.as_dict() for target in analysis.targets(stages)]


def _unanswered(extra: dict[str, Any]) -> int:
    """Requests sent before the load tool began to stop and never answered (a lower bound:
    answers to requests sent while stopping are counted too)."""
    counts = extra.get("counts", {})
    sent = counts.get("sent_before_stop", counts.get("sent", 0))
    return max(0, sent - counts.get("answered", 0))


def ramp_users(extra: dict[str, Any], plan: Plan) -> list[tuple[float, int]]:
    """Users running during the ramp: locust adds them at a steady rate from the start."""
    start, end = extra["started_at"], extra["ended_at"]
    points = []
    at = start
    while at <= end:
        points.append((at, min(plan.ramp_users, int((at - start) * plan.ramp_rate))))
        at += 1.0
    return points


def analysis_stage(stage: dict[str, Any]) -> analysis.Stage:
    def latency(values: dict[str, Any]) -> analysis.Latency:
        fields: dict[str, Any] = {k: math.nan if v is None else v for k, v in values.items()}
        return analysis.Latency(**fields)

    return analysis.Stage(
        name=stage["name"],
        users=stage["users"],
        start=stage["start"],
        end=stage["end"],
        client=latency(stage["client_ms"]),
        server=latency(stage["server_ms"]),
        rps=stage["rps"],
        client_rps=stage["client_rps"],
        statuses=stage["statuses"],
        failures=stage["failures"],
        server_errors=stage["server_errors"],
        refused=stage["refused"],
        endpoints=stage["endpoints"],
        unanswered=stage.get("unanswered", 0),
        server_5xx=stage.get("server_5xx", 0),
    )


def series(
    client: list[analysis.ClientRecord],
    server: list[analysis.ServerRecord],
    *,
    start: float,
    end: float,
    width: float = 2.0,
) -> dict[str, list[float]]:
    """Latency over time in windows of `width` seconds, for the plot."""
    out: dict[str, list[float]] = {
        "t": [], "client_p50": [], "client_p95": [], "server_p95": [], "rps": []
    }  # fmt: skip
    at = start
    while at < end:
        inside = [r.millis for r in client if at <= r.at < at + width]
        done = [r.micros / 1000 for r in server if at <= r.at < at + width]
        out["t"].append(round(at - start, 1))
        out["client_p50"].append(analysis.percentile(inside, 50))
        out["client_p95"].append(analysis.percentile(inside, 95))
        out["server_p95"].append(analysis.percentile(done, 95))
        out["rps"].append(len(inside) / width)
        at += width
    return out
