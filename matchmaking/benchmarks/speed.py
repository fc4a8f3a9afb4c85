"""Speed benchmark: build, memory, load and query latency on a synthetic corpus.

Pure ranker code plus one optional hook to time the load from the database, so the
figures can be rerun with `python manage.py bench_speed` (README, "Speed"). Latencies are
reported as wall time and as CPU time: on a shared machine the wall time also counts the
time other processes held the cores.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matchmaking.benchmarks.synthetic import Generator, load_glossary, load_vocabulary
from matchmaking.ranker import Filters, Index, fit


@dataclass
class SpeedReport:
    organizations: int
    generate_seconds: float = 0.0
    build_seconds: float = 0.0
    build_cpu_seconds: float = 0.0
    features: int = 0
    postings: int = 0
    blob_mb: float = 0.0
    memory_mb: float = 0.0
    load_seconds: float = 0.0
    db_load_seconds: float | None = None
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    cpu_latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"organizations           {self.organizations}",
            f"generate corpus         {self.generate_seconds:.1f} s",
            f"build index             {self.build_seconds:.1f} s wall, "
            f"{self.build_cpu_seconds:.1f} s CPU (all processes)",
            f"features / postings     {self.features} / {self.postings}",
            f"stored size             {self.blob_mb:.1f} MB",
            f"memory of loaded index  {self.memory_mb:.1f} MB",
            f"load from bytes         {self.load_seconds:.2f} s",
        ]
        if self.db_load_seconds is not None:
            out.append(f"load from database      {self.db_load_seconds:.2f} s")
        out.append(
            f"{'query (wall | CPU time)':34} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}"
            f" | {'p50 ms':>8} {'p95 ms':>8}"
        )
        for name, wall in self.latency_ms.items():
            cpu = self.cpu_latency_ms[name]
            out.append(
                f"{name:34} {wall['p50']:8.2f} {wall['p95']:8.2f} {wall['mean']:8.2f}"
                f" | {cpu['p50']:8.2f} {cpu['p95']:8.2f}"
            )
        return out


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children: what the work cost, whatever
    else the machine was running at the time."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": ordered[len(ordered) // 2] * 1000,
        "p95": ordered[int(len(ordered) * 0.95)] * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


def run(
    *,
    fixtures: Path,
    organizations: int = 100_000,
    queries: int = 300,
    workers: int = 2,
    seed: int = 20260101,
    db_load: Callable[[bytes], float] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> SpeedReport:
    report = SpeedReport(organizations)
    generator = Generator(
        load_glossary(fixtures / "glossary.json"), load_vocabulary(fixtures), seed=seed
    )
    started = time.perf_counter()
    documents = generator.documents(organizations)
    report.generate_seconds = time.perf_counter() - started
    log(f"generated {organizations} organizations in {report.generate_seconds:.1f} s")

    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    built = fit(documents, generator.concepts, workers=workers)
    report.build_seconds = time.perf_counter() - started
    report.build_cpu_seconds = _cpu_seconds() - cpu_started
    log(f"built in {report.build_seconds:.1f} s")
    blob = built.to_bytes()
    report.features, report.postings = len(built.vocabulary), len(built.data)
    report.blob_mb = len(blob) / 1e6
    del built, documents
    gc.collect()

    tracemalloc.start()
    started = time.perf_counter()
    index = Index.from_bytes(blob)
    report.load_seconds = time.perf_counter() - started
    report.memory_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    if db_load is not None:
        report.db_load_seconds = db_load(blob)
    del blob

    english = [generator.query(100) for _ in range(queries)]
    japanese = [generator.japanese_query(200) for _ in range(queries)]
    cases: list[tuple[str, list[str], Filters | None, float, bool]] = [
        ("EN 100 words, no filter", english, None, 0.1, False),
        (
            "EN 100 words, kind+region",
            english,
            Filters(kinds=("company",), regions=("kyushu-okinawa",)),
            0.1,
            False,
        ),
        ("EN 100 words, prefecture", english, Filters(prefectures=("43",)), 0.1, False),
        (
            "EN 100 words, industry+language",
            english,
            Filters(industries=("E29",), languages=("en",)),
            0.1,
            False,
        ),
        ("EN 100 words, lying dragons", english, Filters(lying_dragons_only=True), 0.1, False),
        ("EN 100 words, no boost", english, None, 0.0, False),
        ("EN 100 words, with explanation", english, None, 0.1, True),
        ("JA 200 chars, no filter", japanese, None, 0.1, False),
    ]
    for text in english[:20]:
        index.search(text)  # warm up caches and the tokenizer
    index.search(japanese[0])
    for name, texts, filters, boost, explain in cases:
        samples, cpu_samples = [], []
        for text in texts:
            started, cpu_started = time.perf_counter(), time.process_time()
            query = index.vectorize(text)
            hits = index.search(query, top=10, filters=filters, regional_boost=boost)
            if explain:
                index.contributions(query, [h.position for h in hits])
            cpu_samples.append(time.process_time() - cpu_started)
            samples.append(time.perf_counter() - started)
        report.latency_ms[name] = _percentiles(samples)
        report.cpu_latency_ms[name] = _percentiles(cpu_samples)
        log(f"{name}: p50 {report.latency_ms[name]['p50']:.2f} ms")
    return report


def as_dict(report: SpeedReport) -> dict[str, Any]:
    return dict(report.__dict__)
