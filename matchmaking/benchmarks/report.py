"""The peers benchmark report: markdown tables and plots from the results of each size.

Each run writes docs/benchmarks/ranker-<size>.json; the report is rebuilt from all of them,
so a quick 10k run and a longer 100k run end up in one document (each table says when and
on what machine its figures were measured).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Issue #7's targets: the ranker at least this many times faster than the peer (p50).
SPEED_TARGETS = {
    "bm25s": 1.3,
    "tantivy": 3.0,
    "sqlite-fts5": 300.0,
    "postgresql-fts": 1000.0,
}
FLOOR_TARGET = 2.5
BYTES_TARGET = 10.0
EDIT_TARGET_S = 1.0
KINDS = {"profile": "100-word profile", "keyword": "10-word keywords"}


def load_results(directory: Path) -> list[dict[str, Any]]:
    results = [json.loads(p.read_text("utf-8")) for p in directory.glob("ranker-*.json")]
    return sorted(results, key=lambda r: r["organizations"])


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _ok(systems: dict[str, Any]) -> dict[str, Any]:
    return {name: s for name, s in systems.items() if s.get("status") == "ok"}


def _ratio(ours: float, theirs: float) -> float:
    return theirs / ours if ours else float("inf")


def _speedup(systems: dict[str, Any], name: str, kind: str, figure: str = "latency") -> float:
    """How many times faster the ranker was, against its own run paired with this peer's."""
    theirs = systems[name][figure]
    ours = theirs.get("ours") if figure == "filtered" else theirs[kind].get("ours")
    mine = ours or (
        systems["ryumon"]["filtered"] if figure == "filtered" else systems["ryumon"][figure][kind]
    )
    peer = theirs if figure == "filtered" else theirs[kind]
    return _ratio(mine["p50_ms"], peer["p50_ms"])


def _solo_speedup(systems: dict[str, Any], name: str, kind: str) -> float:
    """The same against the ranker's own unpaired run (no peer evicting its caches)."""
    ours = systems["ryumon"]["latency"][kind]["p50_ms"]
    return _ratio(ours, systems[name]["latency"][kind]["p50_ms"])


def latency_table(result: dict[str, Any]) -> list[str]:
    systems = _ok(result["systems"])
    lines = [
        "| system | profile p50 ms | p95 ms | × ours (solo) | overlap | keywords p50 ms"
        " | p95 ms | × ours (solo) | overlap | queries |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, s in systems.items():
        cells = [f"**{name}**" if name == "ryumon" else name]
        for kind in KINDS:
            figures = s["latency"][kind]
            overlap = s["overlap"].get(kind)
            cells += [
                _ms(figures["p50_ms"]),
                _ms(figures["p95_ms"]),
                f"{_speedup(systems, name, kind):.2f} ({_solo_speedup(systems, name, kind):.2f})",
                "—" if overlap is None else f"{overlap:.0%}",
            ]
        cells.append("/".join(str(s["latency"][k]["queries"]) for k in KINDS))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def index_table(result: dict[str, Any]) -> list[str]:
    lines = [
        "| system | build s | at rest MB | bytes / stored value | RSS MB (Δ) | load s"
        " | 2-process q/s (profile / keywords) | edit → searchable s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, s in _ok(result["systems"]).items():
        stored = s.get("stored_bytes")
        per_value = s.get("bytes_per_value")
        edit = s.get("edit_s")
        edit_cell = f"{edit:.3f}" if edit is not None else f"rebuild ({s['build_s']:.1f})"
        if name == "ryumon":
            edit_cell += " (delta segment)"
        throughput = s["throughput_qps"]
        lines.append(
            f"| {name} | {s['build_s']:.1f} | {'—' if not stored else f'{stored / 1e6:.1f}'}"
            f" | {'—' if per_value is None else f'{per_value:.1f}'}"
            f" | {s['rss_mb']:.0f} ({s['rss_delta_mb']:+.0f})"
            f" | {'—' if s.get('load_s') is None else f'{s["load_s"]:.3f}'}"
            f" | {throughput['profile']:.0f} / {throughput['keyword']:.0f} | {edit_cell} |"
        )
    return lines


def filter_table(result: dict[str, Any]) -> list[str]:
    lines = [
        f"Filter: prefecture {result['filter_prefecture']} only"
        f" ({result['filter_fraction']:.1%} of the profiles pass), 100-word profile queries.",
        "",
        "| system | unfiltered p50 ms | filtered p50 ms | filtered / unfiltered"
        " | filtered: × ours |",
        "|---|--:|--:|--:|--:|",
    ]
    systems = _ok(result["systems"])
    for name, s in systems.items():
        if "filtered" not in s:
            continue
        plain, filtered = s["latency"]["profile"]["p50_ms"], s["filtered"]["p50_ms"]
        lines.append(
            f"| {name} | {_ms(plain)} | {_ms(filtered)} | {filtered / plain:.2f}"
            f" | {_speedup(systems, name, 'profile', 'filtered'):.2f} |"
        )
    return lines


def floor_lines(result: dict[str, Any]) -> list[str]:
    lines = [
        "| queries | bandwidth GB/s | postings touched (mean) | floor p50 ms"
        " | ranker search p50 ms | search / floor | of which summing postings p50 ms"
        " | summing / floor |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, label in KINDS.items():
        f = result["floor"][kind]
        lines.append(
            f"| {label} | {f['bandwidth_gb_s']:.1f} | {f['mean_postings']:.0f}"
            f" | {f['floor_ms_p50']:.3f} | {f['scoring_ms_p50']:.3f} | {f['ratio_p50']:.2f}"
            f" | {f['sum_ms_p50']:.3f} | {f['sum_ratio_p50']:.2f} |"
        )
    lines += [
        "",
        "Floor: postings touched × 8 bytes (int32 document + float32 weight) plus one pass",
        "over the float32 score array, at the memory bandwidth measured by numpy in this run",
        "(best of a streaming sum and a copy). Search = scores + filters + top 10 + hits,",
        "from an already analysed query; ratios are medians over the queries, each query's",
        "best of 3.",
    ]
    return lines


def _verdict(ok: bool, detail: str) -> str:
    return f"{'met' if ok else '**missed**'}: {detail}"


TARGET_SIZE = 100_000  # the issue sets its targets at 100k profiles ...
BM25S_ALSO_AT = 10_000  # ... the ratio to bm25s at 10k too, and the peer ratios at 1M


def targets(result: dict[str, Any]) -> list[str]:
    """Each target of the issue that applies at this size, met or missed and by how much;
    then, marked as such, the same checks where the issue sets no target at this size."""
    size = result.get("organizations", TARGET_SIZE)
    lines = _checks(result)
    if size == TARGET_SIZE:
        return [line for _, line in lines]
    applies = [line for kind, line in lines if _applies(kind, size)]
    reference = [line for kind, line in lines if not _applies(kind, size)]
    if not reference:
        return applies
    return [
        *applies,
        "",
        f"For reference only (the issue sets these at {TARGET_SIZE:,} profiles, not at {size:,}):",
        "",
        *reference,
    ]


def _applies(check: str, size: int) -> bool:
    if size == TARGET_SIZE:
        return True
    if size > TARGET_SIZE:
        return check in SPEED_TARGETS  # "the same ratios to the peers" at 1M
    return check == "bm25s" and size == BM25S_ALSO_AT


def _checks(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(which target, its line) for every check, whatever the size."""
    systems = result["systems"]
    ours = systems["ryumon"]
    out: list[tuple[str, str]] = []
    for peer, wanted in SPEED_TARGETS.items():
        s = systems.get(peer, {})
        if s.get("status") != "ok":
            out.append(
                (peer, f"- ≥ {wanted:g}× {peer}: not measured ({s.get('status', 'not run')})")
            )
            continue
        for kind, label in KINDS.items():
            ratio = _speedup(systems, peer, kind)
            solo = _solo_speedup(systems, peer, kind)
            detail = (
                f"{ratio:.2f}× paired ({ratio / wanted:.0%} of target),"
                f" {solo:.2f}× against the ranker's solo run"
            )
            if ratio < wanted <= solo:
                verdict = f"met against the solo run only: {detail}"
            else:
                verdict = _verdict(ratio >= wanted, detail)
            out.append((peer, f"- ≥ {wanted:g}× {peer}, {label}: {verdict}"))
    for kind, label in KINDS.items():
        ratio = result["floor"][kind]["ratio_p50"]
        floor_line = f"- scoring within {FLOOR_TARGET}× of the floor, {label}: " + _verdict(
            ratio <= FLOOR_TARGET, f"{ratio:.2f}×"
        )
        out.append(("floor", floor_line))
    plain, filtered = ours["latency"]["profile"]["p50_ms"], ours["filtered"]["p50_ms"]
    speedup = plain / filtered
    out.append(
        (
            "filter",
            "- filtered never slower than unfiltered: "
            + _verdict(filtered <= plain, f"filtered {filtered:.3f} ms vs {plain:.3f} ms"),
        )
    )
    if result["filter_fraction"] <= 0.05:
        out.append(
            (
                "filter",
                f"- ≥ 2× faster with ≤ 5% passing ({result['filter_fraction']:.1%}): "
                + _verdict(speedup >= 2, f"{speedup:.2f}×"),
            )
        )
    edit = ours["edit_s"]
    out.append(
        (
            "edit",
            f"- edit searchable within {EDIT_TARGET_S:g} s without a full refit: "
            + _verdict(
                edit is not None and edit <= EDIT_TARGET_S,
                f"{edit * 1000:.1f} ms through the delta segment (analysis of the edited profile,"
                " zeroing its old postings, one search that finds it)",
            ),
        )
    )
    per_value = ours["bytes_per_value"]
    out.append(
        (
            "bytes",
            f"- ≤ {BYTES_TARGET:g} bytes per stored value: "
            + _verdict(per_value <= BYTES_TARGET, f"{per_value:.2f} bytes"),
        )
    )
    return out


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    names = sorted({n for r in results for n in _ok(r["systems"])})
    for axis, (kind, label) in zip(axes, KINDS.items(), strict=True):
        for name in names:
            points = [
                (r["organizations"], r["systems"][name]["latency"][kind]["p50_ms"])
                for r in results
                if r["systems"].get(name, {}).get("status") == "ok"
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                axis.plot(xs, ys, marker="o", label=name, linewidth=2.5 if name == "ryumon" else 1)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_title(f"{label}: p50 latency, single thread")
        axis.set_xlabel("profiles")
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ms per query (log)")
    axes[1].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def headline(results: list[dict[str, Any]]) -> list[str]:
    """The README table: p50 per system at the largest size measured, and the ratio."""
    result = results[-1]
    systems = _ok(result["systems"])
    lines = [
        f"{result['organizations']:,} synthetic profiles, {result['started']},"
        f" {result['machine']['cores']} cores ({result['machine']['cpu']}):",
        "",
        "| system | profile query p50 ms | keywords p50 ms | ryumon faster by | top-10 overlap |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, s in systems.items():
        p, k = s["latency"]["profile"]["p50_ms"], s["latency"]["keyword"]["p50_ms"]
        overlap = s["overlap"].get("profile")
        by_profile = _speedup(systems, name, "profile")
        by_keywords = _speedup(systems, name, "keyword")
        lines.append(
            f"| {name} | {_ms(p)} | {_ms(k)} | {by_profile:.2f}× / {by_keywords:.2f}×"
            f" | {'—' if overlap is None else f'{overlap:.0%}'} |"
        )
    return lines


def render(results: list[dict[str, Any]], directory: Path) -> str:
    plot(results, directory / "ranker-latency.png")
    out = [
        "# Ranker against its peers",
        "",
        "Generated by `python manage.py bench_ranker` (`make bench`); do not edit by hand.",
        "Every system indexes the same synthetic profiles, analysed once by the ranker's own",
        "analyzer and given to the peers as whitespace tokens, and answers the same queries in",
        "the same run; so the ratios hold even though absolute times on these shared machines",
        "move by tens of percent between runs. Overlap: share of the ranker's top 10 that the",
        "peer also returns (the peers rank by BM25, the ranker by TF-IDF cosine; they answer",
        "the same question, not with the same formula). Slow peers are timed within a budget",
        "per figure; the `queries` column gives the sample sizes (profile/keywords).",
        "`× ours`: the peer's p50 divided by the ranker's p50 on the same queries, the",
        "ranker timed on them right before and right after the peer (paired, so the load of",
        "these shared machines at that minute cancels out); above 1 the ranker is faster. In",
        "brackets, the same against the ranker's own run at the start, before any peer.",
        "Each system runs its queries back to back. (Until 3 Dec 2026 the two alternated on",
        "every query: each then ran with the other's index in the CPU caches, and the",
        "ranker's time depended on how much memory the peer had just walked through.)",
        "",
        "![p50 latency against corpus size](ranker-latency.png)",
        "",
    ]
    for result in results:
        m = result["machine"]
        out += [
            f"## {result['organizations']:,} profiles",
            "",
            f"Measured {result['started']} on {m['cores']} cores ({m['cpu']}),"
            f" {m['memory_gb']} GB, Python {m['python']}, load average at the start"
            f" {m.get('load_average', '?')}. Corpus: {result['features']:,}"
            f" features, {result['postings']:,} stored values (postings); generating took"
            f" {result['generate_s']:.0f} s and the ranker's analysis {result['analyse_s']:.0f} s"
            f" (not in any build time below). Query analysis by the ranker:"
            f" {result['query_analysis_ms']:.2f} ms per query, outside every timing.",
            "",
            "### Query latency, single thread",
            "",
            *latency_table(result),
            "",
            "### Index, memory, throughput, edits",
            "",
            *index_table(result),
            "",
            "### Filtered against unfiltered",
            "",
            *filter_table(result),
            "",
            "### Physical floor",
            "",
            *floor_lines(result),
            "",
            "### Targets (issue #7)",
            "",
            *targets(result),
            "",
        ]
        missing = [
            f"- {name}: {s['status']}"
            for name, s in result["systems"].items()
            if s.get("status") != "ok"
        ]
        if missing:
            out += ["Not measured:", "", *missing, ""]
    return "\n".join(out)


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def not_measured(results: list[dict[str, Any]]) -> list[str]:
    """What the issue asks for that this report does not hold, and why."""
    largest = results[-1]
    sizes = {r["organizations"] for r in results}
    out = ["", "## Not in this report", ""]
    for size in (10_000, 100_000, 1_000_000):
        if size not in sizes:
            estimate = largest["analyse_s"] * size / largest["organizations"]
            out.append(
                f"- {size:,} profiles: not run. The ranker's analysis of the corpus alone took"
                f" {largest['analyse_s']:.0f} s for {largest['organizations']:,} profiles here"
                f" (Sudachi, 2 processes), so about {_duration(estimate)} at {size:,},"
                " before any peer is built; run `make bench SIZES=" + str(size) + "` on a"
                " quieter machine (the analysed corpus is cached under var/bench/)."
            )
    out += [
        "- The site under load (gunicorn + locust on PostgreSQL with 100k organizations) is"
        " its own report: `docs/benchmarks/load.md` (`python manage.py bench_load`).",
        "",
    ]
    return out


def write(directory: Path) -> Path:
    results = load_results(directory)
    path = directory / "ranker.md"
    text = render(results, directory) + "\n".join(not_measured(results))
    path.write_text(text, encoding="utf-8")
    return path
