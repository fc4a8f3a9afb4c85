"""Speed benchmark: build, memory, load and query latency on a synthetic corpus.

Pure ranker code plus one optional hook to time the load from the database, so the
figures can be rerun with `python manage.py bench_speed` (README, "Speed").
"""

from __future__ import annotations

import gc
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
    features: int = 0
    postings: int = 0
    blob_mb: float = 0.0
    memory_mb: float = 0.0
    load_seconds: float = 0.0
    db_load_seconds: float | None = None
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"organizations           {self.organizations}",
            f"generate corpus         {self.generate_seconds:.1f} s",
            f"build index             {self.build_seconds:.1f} s",
            f"features / postings     {self.features} / {self.postings}",
            f"stored size             {self.blob_mb:.1f} MB",
            f"memory of loaded index  {self.memory_mb:.1f} MB",
            f"load from bytes         {self.load_seconds:.2f} s",
        ]
        if self.db_load_seconds is not None:
            out.append(f"load from database      {self.db_load_seconds:.2f} s")
        out.append(f"{'query':34} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
        for name, figures in self.latency_ms.items():
            out.append(
                f"{name:34} {figures['p50']:8.2f} {figures['p95']:8.2f} {figures['mean']:8.2f}"
            )
        return out


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
    built = fit(documents, generator.concepts, workers=workers)
    report.build_seconds = time.perf_counter() - started
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
        samples = []
        for text in texts:
            started = time.perf_counter()
            query = index.vectorize(text)
            hits = index.search(query, top=10, filters=filters, regional_boost=boost)
            if explain:
                index.contributions(query, [h.position for h in hits])
            samples.append(time.perf_counter() - started)
        report.latency_ms[name] = _percentiles(samples)
        log(f"{name}: p50 {report.latency_ms[name]['p50']:.2f} ms")
    return report


def as_dict(report: SpeedReport) -> dict[str, Any]:
    return dict(report.__dict__)
