"""One run of the peers benchmark at one corpus size: every system, the same run, as ratios.

Systems are measured one after the other in this process (each dropped before the next, so
its resident memory can be read as a difference), with the ranker first: its top 10 for
each query is what the peers' overlap is counted against. Slow peers get a time budget per
figure instead of the full query set; the report gives the sample count beside each figure.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matchmaking.benchmarks import floor
from matchmaking.benchmarks.corpus import Corpus, query_tokens, token_texts
from matchmaking.benchmarks.peers import PEERS, Query, Ryumon, System, Unavailable
from matchmaking.ranker import FitParams

QUERY_KINDS = ("profile", "keyword")
FILTER_PREFECTURE = 43  # Kumamoto: about 1/47 of the synthetic profiles


def _rss_mb() -> float:
    """Resident memory of this process (Linux: /proc/self/statm, in pages)."""
    with open("/proc/self/statm", encoding="ascii") as stream:  # noqa: PTH123
        resident = int(stream.read().split()[1])
    return resident * os.sysconf("SC_PAGE_SIZE") / 1e6


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as stream:  # noqa: PTH123
        for line in stream:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "python": platform.python_version(),
        "load_average": round(os.getloadavg()[0], 1),
        "platform": platform.platform(),
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
        "queries": len(ordered),
    }


def _timed(system: System, queries: list[Query], prefecture: int | None) -> list[float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        system.search(query, prefecture=prefecture)
        times.append(time.perf_counter() - started)
    return times


def _latency(
    system: System,
    queries: list[Query],
    *,
    budget: float,
    prefecture: int | None = None,
    paired: System | None = None,
) -> tuple[dict[str, Any], list[list[int]]]:
    """p50/p95 of one query at a time; with `paired`, the ranker is timed on the same
    queries right before and right after the peer (A, B, A).

    The machines are shared and their load changes from minute to minute: timing the ranker
    on the peer's queries just before and just after it makes the ratio of the two p50s
    hold even when the absolute figures drift between one peer and the next. Each system
    runs its queries back to back, as a search service would. (Alternating on every query,
    as this did until 3 Dec 2026, made each system run with the other's index in the CPU
    caches: the ranker's time then depended on how much memory the peer had just walked
    through, 0.034 ms alone against 0.104 ms right after an SQLite FTS5 query at 10k.)
    Before each of its two runs the ranker re-reads its index (`System.warm`), as the peer
    had its warm-up queries.
    """
    for query in queries[:3]:
        system.search(query, prefecture=prefecture)  # warm up (numba compiles here)
    before: list[float] = []
    if paired is not None:
        paired.warm()
        before = _timed(paired, queries, prefecture)
    samples: list[float] = []
    answers: list[list[int]] = []
    deadline = time.perf_counter() + budget
    for query in queries:
        started = time.perf_counter()
        answers.append(system.search(query, prefecture=prefecture))
        samples.append(time.perf_counter() - started)
        if time.perf_counter() > deadline and len(samples) >= 5:
            break
    figures: dict[str, Any] = _percentiles(samples)
    if paired is not None:
        # The ranker's times on exactly the queries the peer answered, before and after.
        answered = queries[: len(samples)]
        paired.warm()  # as the peer had its warm-up queries
        figures["ours"] = _percentiles(
            before[: len(samples)] + _timed(paired, answered, prefecture)
        )
        figures["ours"]["queries"] = len(samples)
    return figures, answers


def _serve(system: System, queries: list[Query], budget: float, results: Any) -> None:
    system.reopen()
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < budget:
        system.search(queries[count % len(queries)])
        count += 1
    results.put((count, time.perf_counter() - started))


def _throughput(system: System, queries: list[Query], *, budget: float, workers: int) -> float:
    """Queries per second of `workers` forked processes serving at once (sum of rates)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=_serve, args=(system, queries[i::workers], budget, results))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    rates = []
    for _ in processes:
        count, elapsed = results.get(timeout=budget * 4 + 60)
        rates.append(count / elapsed)
    for process in processes:
        process.join()
    return float(sum(rates))


def _overlap(ours: list[list[int]], theirs: list[list[int]]) -> float:
    shared = [len(set(a) & set(b)) / 10 for a, b in zip(ours, theirs, strict=False) if a]
    return float(np.mean(shared)) if shared else 0.0


def measure(
    system: System,
    corpus: Corpus,
    texts: list[str],
    queries: dict[str, list[Query]],
    *,
    reference: dict[str, list[list[int]]] | None,
    paired: System | None = None,
    budget: float,
    workers: int,
    postings: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    result: dict[str, Any] = {"name": system.name}
    gc.collect()
    rss_before = _rss_mb()
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{system.name}-"))
    try:
        started = time.perf_counter()
        system.build(corpus, texts, workdir)
        # Part of the build: the files it wrote reach the disk now, not by the kernel's
        # writeback while the queries are timed.
        os.sync()
        result["build_s"] = time.perf_counter() - started
    except Unavailable as error:
        log(f"{system.name}: unavailable: {error}")
        return {**result, "status": f"unavailable: {error}"}
    try:
        result["status"] = "ok"
        result["note"] = system.note
        result["rss_mb"] = _rss_mb()
        result["rss_delta_mb"] = result["rss_mb"] - rss_before
        stored = system.stored_bytes()
        result["stored_bytes"] = stored
        result["bytes_per_value"] = stored / postings if stored else None
        result["load_s"] = system.load()
        log(f"{system.name}: built in {result['build_s']:.1f} s")
        result["latency"], result["overlap"], result["answers"] = {}, {}, {}
        for kind in QUERY_KINDS:
            figures, answers = _latency(system, queries[kind], budget=budget, paired=paired)
            result["latency"][kind] = figures
            result["answers"][kind] = answers
            if reference is not None:
                result["overlap"][kind] = _overlap(reference[kind], answers)
            log(f"{system.name} {kind}: p50 {figures['p50_ms']:.2f} ms ({figures['queries']})")
        if system.can_filter:
            figures, _ = _latency(
                system,
                queries["profile"],
                budget=budget,
                prefecture=FILTER_PREFECTURE,
                paired=paired,
            )
            result["filtered"] = figures
        result["throughput_qps"] = {
            kind: _throughput(system, queries[kind], budget=min(budget, 10.0), workers=workers)
            for kind in QUERY_KINDS
        }
        words = texts[0].split() if texts else []
        edited = " ".join(words[len(words) // 2 :] + words[: len(words) // 2] + ["t1"])
        result["edit_s"] = system.edit(0, edited)
        return result
    finally:
        system.close()
        from matchmaking.benchmarks.peers import remove

        remove(workdir)


def run(
    corpus: Corpus,
    *,
    params: FitParams,
    systems: list[str],
    queries: int,
    budget: float,
    workers: int = 2,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "organizations": len(corpus),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "generate_s": corpus.generate_seconds,
        "analyse_s": corpus.analyse_seconds,
        "from_cache": corpus.from_cache,
        "budget_s": budget,
        "filter_prefecture": FILTER_PREFECTURE,
        "filter_fraction": float(
            np.mean([int(d.prefecture) == FILTER_PREFECTURE for d in corpus.documents])
        ),
    }
    ours = Ryumon(params)
    gc.collect()
    rss_before = _rss_mb()
    started = time.perf_counter()
    ours.build(corpus, [], Path(tempfile.gettempdir()))
    build_s = time.perf_counter() - started
    index = ours.index
    postings = len(index.data)
    report["postings"] = postings
    report["features"] = len(index.vocabulary)
    texts = token_texts(index, corpus)
    texts_for = {
        "profile": corpus.profile_queries[:queries],
        "keyword": corpus.keyword_queries[:queries],
    }
    started = time.perf_counter()
    vectors = {kind: [index.vectorize(t) for t in ts] for kind, ts in texts_for.items()}
    report["query_analysis_ms"] = (
        (time.perf_counter() - started) * 1000 / sum(len(ts) for ts in texts_for.values())
    )
    prepared = {
        kind: [
            Query(text, vector, query_tokens(index, text))
            for text, vector in zip(texts_for[kind], vectors[kind], strict=True)
        ]
        for kind in QUERY_KINDS
    }
    bandwidth = floor.measure_bandwidth()
    floors = floor.compare(index, [q.vector for q in prepared["profile"]], bandwidth=bandwidth)
    floors_kw = floor.compare(index, [q.vector for q in prepared["keyword"]], bandwidth=bandwidth)
    report["floor"] = {"profile": floors.__dict__, "keyword": floors_kw.__dict__}
    log(f"bandwidth {floors.bandwidth_gb_s:.1f} GB/s, floor ratio {floors.ratio_p50:.2f}")

    results: dict[str, Any] = {}
    # The ranker is measured like any peer, but its build was done above (timed there).
    ryumon = _measure_built(ours, corpus, prepared, budget, workers, postings, log)
    ryumon["build_s"] = build_s
    ryumon["rss_delta_mb"] = ryumon["rss_mb"] - rss_before
    results["ryumon"] = ryumon
    reference = ryumon["answers"]
    for name in systems:
        peer = PEERS[name]()
        if peer.max_documents is not None and len(corpus) > peer.max_documents:
            log(f"{name}: not run above {peer.max_documents:,} profiles")
            results[name] = {
                "name": name,
                "status": f"not run above {peer.max_documents:,} profiles: {peer.too_large}",
            }
            continue
        results[name] = measure(
            peer,
            corpus,
            texts,
            prepared,
            reference=reference,
            paired=ours,
            budget=budget,
            workers=workers,
            postings=postings,
            log=log,
        )
    for result in results.values():
        result.pop("answers", None)
    report["systems"] = results
    return report


def _measure_built(
    ours: Ryumon,
    corpus: Corpus,
    queries: dict[str, list[Query]],
    budget: float,
    workers: int,
    postings: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    class _Prebuilt(Ryumon):
        def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
            pass

    prebuilt = _Prebuilt(ours.params)
    prebuilt.corpus, prebuilt.index, prebuilt.blob = corpus, ours.index, ours.blob
    prebuilt.to_corpus = ours.to_corpus
    result = measure(
        prebuilt,
        corpus,
        [],
        queries,
        reference=None,
        budget=budget,
        workers=workers,
        postings=postings,
        log=log,
    )
    result["note"] = Ryumon.note
    return result
