"""docs/benchmarks/load.md, its plot and its raw JSON, from one run's result."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

NOTES = "load-notes.md"  # hand-written analysis of the latest full run, included as it is


def _ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def _clean(value: Any) -> Any:
    """JSON without NaN (strict parsers refuse it)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def headline_rows(result: dict[str, Any]) -> list[str]:
    """The short table README shows: per stage, the figures and each target's verdict."""
    verdicts: dict[str, list[str]] = {}
    for target in result["targets"]:
        verdicts.setdefault(target["stage"], []).append(f"{target['what']} {target['verdict']}")
    rows = [
        "| users | req/s done | client p50 / p95 / p99 ms | server p50 / p95 ms "
        "| failed (5xx or no answer) | targets |",
        "|--:|--:|--:|--:|--:|---|",
    ]
    for stage in result["stages"]:
        client, server = stage["client_ms"], stage["server_ms"]
        rows.append(
            f"| {stage['users']} | {stage['rps']:.1f} | {_ms(client['p50'])} / "
            f"{_ms(client['p95'])} / {_ms(client['p99'])} | {_ms(server['p50'])} / "
            f"{_ms(server['p95'])} | {stage['failures']} ({stage['server_errors']}) | "
            f"{'; '.join(verdicts.get(stage['name'], [])) or '—'} |"
        )
    ramp = result["ramp"]
    rows.append(
        f"| ramp to {result['plan']['ramp_users']} | **{ramp['max_rps']:.0f}** max | "
        f"p95 {_ms(ramp.get('max_rps_p95_ms'))} at the max | | | saturation |"
    )
    return rows


def markdown(result: dict[str, Any], notes: str = "") -> str:
    plan, world = result["plan"], result["world"]
    load = result["load_average"]
    lines = [
        "# The site under load"
        + (" (quick run)" if plan["quick"] else "")
        + (
            ""
            if plan.get("mix", "issue") == "issue"
            else " — without directory pages (every directory request replaced by an "
            "organization page; not issue #7's mix)"
        ),
        "",
        f"`python manage.py bench_load{' --quick' if plan['quick'] else ''}` "
        f"(`make bench-load`), started {result['started']}, {result['cpus']} cores; "
        f"load average (1, 5, 15 min) {load['before']} before, {load.get('after')} after "
        "(the machine is shared with other engineers).",
        "",
        f"gunicorn, {plan['workers']} sync workers (README: 2 × cores − 1), `DEBUG=0`, on "
        + (
            "Redis for the cache and the session reads (`REDIS_URL`, as README recommends) and "
            if result.get("cache") == "redis"
            else "no Redis (cache and sessions in the database) and "
        )
        + f"PostgreSQL 15 (loopback) with {world['published_organizations']:,} published "
        f"organizations ({plan['organizations']:,} synthetic, from the ranker benchmark's "
        f"generator) and {world['firms']:,} firms; the index "
        f"({world['index']['document_count']:,} documents, "
        f"{world['index']['vocabulary_size']:,} features) "
        f"built with `rebuild_index`'s code (fit {world['index']['build_seconds']:.0f} s"
        f"{'; read from the cache under var/bench/' if world['index']['cached'] else ''}). "
        "Locust on the same machine, "
        "open-loop: each user sends one request per second on a Poisson schedule with a "
        "random phase and catches up when behind. Visitors (3 of 5 users) search the "
        "directory (English, Japanese or no text, 0–3 filters, sort, paging; a third as htmx "
        "swaps) and open organizations; firm members (2 of 5) log in, open suggestions "
        "(filters, refine, htmx), organizations and the directory, and request "
        "introductions (GET the form, POST with CSRF; each firm stays under the daily "
        "limit of 10). Each stage ramps its users over "
        f"{plan['spawn_seconds']} s and is measured for the {plan['stage_seconds']} s after "
        "(client: locust's own timing of each request; server: gunicorn's `%(D)s`).",
        "",
        "## Stages",
        "",
        *headline_rows(result),
        "",
        "## Targets (issue #7)",
        "",
        "| stage | target | measured | limit | verdict |",
        "|---|---|--:|--:|---|",
    ]
    for target in result["targets"]:
        unit = target["unit"] if target["unit"] == "ms" else ""
        lines.append(
            f"| {target['stage']} | {target['what']} | {_ms(target['measured'])} {unit} | "
            f"{target['limit']:g} {unit} | {target['verdict']} |"
        )
    lines += cpu_rows(result)
    lines += ["", "## Per endpoint", ""]
    for stage in result["stages"]:
        lines += [
            f"**{stage['name']}** (load average at the start {stage['load_average']}; "
            f"statuses seen by the client: "
            + ", ".join(f"{k}: {v}" for k, v in stage["statuses"].items())
            + f"; introductions refused by a business limit: {stage['refused']})",
            "",
            "| endpoint | requests | share | client p50 / p95 ms | server p50 / p95 ms | failed |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for name, row in sorted(
            stage["endpoints"].items(), key=lambda item: -(item[1]["server_p95"] or 0)
        ):
            lines.append(
                f"| {name} | {row['count']:.0f} | {row['share']:.1%} | "
                f"{_ms(row['client_p50'])} / {_ms(row['client_p95'])} | "
                f"{_ms(row['server_p50'])} / {_ms(row['server_p95'])} | {row['failures']:.0f} |"
            )
        lines.append("")
    ramp = result["ramp"]
    lines += [
        "## Saturation",
        "",
        f"Users added at {plan['ramp_rate']:g} per second up to {plan['ramp_users']}, "
        f"stopped by: {ramp['stopped']}. The most the server completed: "
        f"**{ramp['max_rps']:.0f} requests per second** (5-s window, with "
        f"{ramp.get('max_rps_users', 0):.0f} users offering "
        f"{ramp.get('max_rps_users', 0):.0f} req/s; client p95 there "
        f"{_ms(ramp.get('max_rps_p95_ms'))} ms). "
        + (
            f"Latency or errors blew up ({ramp['blown_reason']}) at "
            f"{ramp['blown_at_users']:.0f} users, {ramp['blown_at_rps']:.0f} req/s."
            if ramp.get("blown_at_users") is not None
            else "Neither latency (p95 > 1 s) nor errors blew up within the ramp."
        ),
        "",
        "| seconds | users | offered req/s | done req/s | client p95 ms | 5xx / no answer |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    windows = ramp["windows"]
    step = max(1, len(windows) // 16)
    for window in windows[::step]:
        lines.append(
            f"| {window['start']:.0f} | {window['users']:.0f} | {window['offered']:.0f} | "
            f"{window['rps']:.0f} | {_ms(window['client_p95'])} | {window['errors']} |"
        )
    lines += [
        "",
        "![latency over time](" + result["plot"] + ")",
        "",
        f"Raw figures: `{result['json']}` (per stage, per endpoint, time series).",
        "",
    ]
    if notes:
        lines += ["## Why (analysis of the run, written by hand)", "", notes.strip(), ""]
    return "\n".join(lines)


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [*result["series"].items()]
    columns = 2
    rows = math.ceil(len(panels) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(12, 3.6 * rows), squeeze=False)
    for axis, (name, data) in zip(axes.flat, panels, strict=False):
        axis.plot(data["t"], data["client_p95"], label="client p95", color="tab:red")
        axis.plot(data["t"], data["client_p50"], label="client p50", color="tab:orange")
        axis.plot(data["t"], data["server_p95"], label="server p95", color="tab:blue")
        axis.set_yscale("log")
        axis.set_title(name)
        axis.set_xlabel("seconds since the stage started")
        axis.set_ylabel("ms (2-s windows)")
        axis.grid(True, which="both", alpha=0.3)
        rate = axis.twinx()
        rate.plot(data["t"], data["rps"], color="tab:gray", alpha=0.5, label="req/s")
        rate.set_ylabel("requests per second")
        if name == panels[0][0]:
            handles = axis.get_legend_handles_labels()
            more = rate.get_legend_handles_labels()
            axis.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8)
    for axis in list(axes.flat)[len(panels) :]:
        axis.set_visible(False)
    figure.suptitle("Ryumon under load: latency over time")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def cpu_rows(result: dict[str, Any]) -> list[str]:
    """CPU per answered request, by process, over each stage (its ramp included)."""
    stages = [stage for stage in result["stages"] if stage.get("cpu") and stage.get("answered")]
    if not stages:
        return []
    lines = [
        "",
        "## Where the CPU goes",
        "",
        "CPU time per answered request over each stage (ramp included), from /proc: gunicorn's "
        "master and workers, every PostgreSQL process, locust, and whatever else ran on the "
        "machine (other engineers' work, the kernel's share not charged to a process). "
        f"{result['cpus']} cores = {1000 * result['cpus']:,} ms of CPU per second.",
        "",
        "| stage | requests/s | gunicorn | PostgreSQL | locust | other | cores busy |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for stage in stages:
        cpu, answered, seconds = stage["cpu"], stage["answered"], stage["seconds"]
        other = cpu["machine"] - cpu["gunicorn"] - cpu["postgres"] - cpu["locust"]
        per = {name: 1000 * value / answered for name, value in cpu.items()}
        lines.append(
            f"| {stage['name']} | {answered / seconds:.1f} | {per['gunicorn']:.1f} ms | "
            f"{per['postgres']:.1f} ms | {per['locust']:.1f} ms | "
            f"{1000 * other / answered:.1f} ms | {cpu['machine'] / seconds:.2f} |"
        )
    return lines


def write(output: Path, result: dict[str, Any]) -> Path:
    stem = "load-quick" if result["plan"]["quick"] else "load"
    if result["plan"].get("mix", "issue") != "issue":
        stem += "-" + result["plan"]["mix"]
    result["plot"] = f"{stem}-latency.png"
    result["json"] = f"docs/benchmarks/{stem}.json"
    plot(result, output / result["plot"])
    (output / f"{stem}.json").write_text(
        json.dumps(_clean(result), indent=1, allow_nan=False), encoding="utf-8"
    )
    notes_path = output / NOTES
    notes = notes_path.read_text("utf-8") if notes_path.exists() and stem == "load" else ""
    path = output / f"{stem}.md"
    path.write_text(markdown(_clean(result), notes), encoding="utf-8")
    return path
