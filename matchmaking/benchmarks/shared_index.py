"""One index per machine, measured: the memory each web worker adds for the index.

The index is stored once, as the site stores it (a `SearchIndex` row and its chunks, in a
SQLite database of the benchmark's own under var/bench/), from the synthetic corpus of
`bench_ranker` (same generator, seed and cache). Then 1, 2, 3 and 4 worker processes are
started one after the other, each doing what a web worker does (`index_cache.get()`, then
answering queries so that the pages it needs are touched), twice: with each process
loading its own copy (`RANKER_INDEX_DIR` empty: how every worker loaded the index before
issue 15) and with the arrays mapped from RANKER_INDEX_DIR. After each new worker is
ready, every worker answers its queries again (this VM slowly reclaims memory left
untouched, see docs/notes/idle-memory.md) and then the memory of each is read from
/proc/<pid>/smaps_rollup:

- USS, its private memory (Private_Clean + Private_Dirty): what it alone holds;
- PSS, its proportional share (each shared page divided among the processes mapping it);
- "index" = USS after loading the index and answering − USS just before loading it, in a
  process that already imported everything and ran the kernels once on a tiny index (so
  the interpreter, Django, SudachiPy and numba's compiled code are not counted as index).
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import scipy.sparse as sp

from matchmaking.benchmarks import corpus
from matchmaking.benchmarks.compare import machine
from matchmaking.ranker import Document, Filters, FitParams, fit, shared

Log = Callable[[str], None]
REGIONAL_BOOST = 0.1
TARGET_MB = 50.0


def memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of a process in MB (from /proc/<pid>/smaps_rollup)."""
    fields: dict[str, float] = {}
    with Path(f"/proc/{pid}/smaps_rollup").open(encoding="ascii") as stream:
        for line in stream:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {
        "rss": fields["Rss"],
        "pss": fields["Pss"],
        "uss": fields["Private_Clean"] + fields["Private_Dirty"],
        "shared": fields["Shared_Clean"] + fields["Shared_Dirty"],
    }


def work_directory(base: Path, organizations: int, analysed: int, seed: int) -> Path:
    return base / "var" / "bench" / f"shared-index-{organizations}-{analysed}-{seed}"


def environment(work: Path, *, mapped: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "0",
        "RYUMON_VAR_DIR": str(work / "var"),
        "RANKER_INDEX_DIR": str(work / "index") if mapped else "",
        "RANKER_RELOAD_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CONN_MAX_AGE", None)
    return env


# -- in the child that stores the index --


def repeated(analysed: corpus.Corpus, organizations: int) -> corpus.Corpus:
    """The analysed corpus repeated up to `organizations`, each copy with its own ids: the
    arrays of a corpus that size, without analysing every profile (Sudachi's analysis of
    1M profiles takes about 15 CPU-minutes)."""
    size = len(analysed)
    copies = -(-organizations // size)
    documents = [
        replace(doc, id=copy * size + i + 1, external_id=f"{doc.external_id}-{copy:03d}")
        for copy in range(copies)
        for i, doc in enumerate(analysed.documents)
    ][:organizations]
    counts = sp.vstack([analysed.counts] * copies, format="csr")[:organizations]
    return replace(analysed, documents=documents, counts=counts)


def prepare(
    *,
    base: Path,
    work: Path,
    organizations: int,
    seed: int,
    queries: int,
    analysed_size: int,
    log: Log,
) -> dict[str, Any]:
    """Store the synthetic corpus's index as the newest version (runs with `environment`).

    `analysed_size`: how many distinct profiles to analyse; the corpus repeats them up to
    `organizations` (`repeated`) when that is fewer."""
    from django.core.management import call_command

    from matchmaking.search.models import SearchIndex
    from matchmaking.search.store import save_version

    call_command("migrate", verbosity=0)
    analysed = corpus.build(
        fixtures=base / "fixtures",
        organizations=analysed_size,
        queries=queries,
        params=FitParams(),
        seed=seed,
        workers=1,
        cache=base / "var" / "bench",
        log=log,
    )
    if analysed_size < organizations:
        analysed = repeated(analysed, organizations)
        log(f"repeated {analysed_size} analysed profiles up to {organizations}")
    started = time.perf_counter()
    index = corpus.assemble(analysed, FitParams())
    assemble_seconds = time.perf_counter() - started
    blob = index.to_bytes()
    SearchIndex.objects.all().delete()
    stored = save_version(
        blob,
        source_read_at=datetime.now(UTC),
        document_count=len(index),
        vocabulary_size=len(index.vocabulary),
        build_seconds=assemble_seconds,
        params=FitParams().as_dict(),
    )
    facts = {
        "organizations": len(index),
        "analysed": analysed_size,
        "postings": len(index.data),
        "features": len(index.vocabulary),
        "arrays_mb": sum(a.nbytes for a in index.arrays().values()) / 2**20,
        "blob_mb": len(blob) / 2**20,
        "version": stored.pk,
        "profile_queries": analysed.profile_queries,
        "keyword_queries": analysed.keyword_queries,
    }
    (work / "index.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    log(f"stored {stored} ({facts['blob_mb']:.0f} MB) in {work}")
    return facts


# -- in each worker --


def _warm_up() -> None:
    """Run the kernels once on a tiny index, in memory and mapped (their read-only variant),
    so that loading numba's compiled code is not counted as the index's memory."""
    documents = [
        Document(
            id=i,
            external_id=f"warm-{i}",
            fields={"offers": text},
            kind="company",
            prefecture=prefecture,
            region="kyushu-okinawa",
            metropolitan=False,
            lying_dragon=False,
        )
        for i, (text, prefecture) in enumerate(
            [("robot arms and welding", "43"), ("半導体の検査装置", "40"), ("dairy cheese", "01")]
        )
    ]
    tiny = fit(documents, [])
    with tempfile.TemporaryDirectory() as directory:
        shared.save(tiny, Path(directory))
        for index in (tiny, shared.load(Path(directory))):
            for filters in (None, Filters(prefectures=("43",))):
                index.search("robot welding 半導体", filters=filters, regional_boost=0.1)


def _answer(index: Any, facts: dict[str, Any]) -> dict[str, float]:
    timings: dict[str, list[float]] = {"profile": [], "keywords": []}
    place = Filters(prefectures=("43",))
    for kind, key in (("profile", "profile_queries"), ("keywords", "keyword_queries")):
        for i, text in enumerate(facts[key]):
            vector = index.vectorize(text)
            started = time.perf_counter()
            index.search(vector, regional_boost=REGIONAL_BOOST)
            timings[kind].append(time.perf_counter() - started)
            if i % 4 == 0:
                index.search(vector, filters=place, regional_boost=REGIONAL_BOOST)
    return {f"{kind}_p50_ms": statistics.median(t) * 1000 for kind, t in timings.items()}


def worker(work: Path, out: IO[str], commands: IO[str]) -> None:
    """Load the index as a web worker does, answer the queries, report; again on "touch"."""
    from matchmaking.search.store import index_cache

    facts = json.loads((work / "index.json").read_text(encoding="utf-8"))
    _warm_up()
    gc.collect()
    before = memory(os.getpid())
    started = time.perf_counter()
    loaded = index_cache.get()
    load_seconds = time.perf_counter() - started
    assert loaded is not None, "no index stored: run the benchmark's prepare step"
    first = time.perf_counter()
    loaded.index.search(facts["profile_queries"][0], regional_boost=REGIONAL_BOOST)
    first_ms = (time.perf_counter() - first) * 1000
    latency = _answer(loaded.index, facts)
    gc.collect()
    report = {
        "pid": os.getpid(),
        "before": before,
        "after": memory(os.getpid()),
        "load_s": load_seconds,
        "first_query_ms": first_ms,
        "mapped": loaded.directory is not None,
        **latency,
    }
    out.write(json.dumps(report) + "\n")
    out.flush()
    for line in commands:
        if line.strip() == "touch":
            _answer(loaded.index, facts)
            out.write("{}\n")
            out.flush()


# -- in the benchmark's own process --


class _Worker:
    def __init__(self, base: Path, work: Path, *, mapped: bool) -> None:
        command = [sys.executable, "manage.py", "bench_shared_index", "--worker", str(work)]
        self.process = subprocess.Popen(
            command,
            cwd=base,
            env=environment(work, mapped=mapped),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _line(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.process.pid} stopped (code {self.process.wait()})")
        result: dict[str, Any] = json.loads(line)
        return result

    def ready(self) -> dict[str, Any]:
        return self._line()

    def touch(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("touch\n")
        self.process.stdin.flush()
        self._line()

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def measure(base: Path, work: Path, *, mapped: bool, workers: int, log: Log) -> dict[str, Any]:
    """Start `workers` workers one by one; after each, every worker's memory."""
    if mapped:
        shutil.rmtree(work / "index", ignore_errors=True)
    started: list[_Worker] = []
    reports: list[dict[str, Any]] = []
    steps: list[list[dict[str, float]]] = []
    try:
        for k in range(workers):
            started.append(_Worker(base, work, mapped=mapped))
            reports.append(started[-1].ready())
            if reports[-1]["mapped"] != mapped:
                raise RuntimeError("the worker did not load the index the way it was asked to")
            for running in started:
                running.touch()
            steps.append([memory(running.process.pid) for running in started])
            newest = reports[-1]
            log(
                f"{'mapped' if mapped else 'in memory'}: worker {k + 1} loaded in"
                f" {newest['load_s']:.1f} s, USS {newest['before']['uss']:.0f} →"
                f" {steps[-1][-1]['uss']:.0f} MB, PSS of all"
                f" {sum(m['pss'] for m in steps[-1]):.0f} MB"
            )
    finally:
        for running in started:
            running.stop()
    return {"mapped": mapped, "workers": reports, "steps": steps}


def run(
    *,
    base: Path,
    organizations: int,
    analysed: int,
    seed: int,
    queries: int,
    workers: int,
    log: Log,
) -> dict[str, Any]:
    work = work_directory(base, organizations, analysed, seed)
    work.mkdir(parents=True, exist_ok=True)
    started_at = datetime.now(UTC)
    facts_path = work / "index.json"
    if facts_path.exists():
        log(f"index of {organizations} organizations already stored in {work}")
    else:
        # In a process of its own: the corpus takes gigabytes that the workers' measurements
        # must not share the machine with.
        subprocess.run(
            [sys.executable, "manage.py", "bench_shared_index", "--prepare", str(work),
             "--organizations", str(organizations), "--analysed", str(analysed),
             "--seed", str(seed), "--queries", str(queries)],
            cwd=base, env=environment(work, mapped=False), check=True,
        )  # fmt: skip
    facts = json.loads(facts_path.read_text(encoding="utf-8"))
    for key in ("profile_queries", "keyword_queries"):
        facts[key] = len(facts[key])
    result = {
        "started": started_at.isoformat(timespec="seconds"),
        "machine": machine(),
        "index": facts,
        "runs": [
            measure(base, work, mapped=False, workers=workers, log=log),
            measure(base, work, mapped=True, workers=workers, log=log),
        ],
    }
    result["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result


# -- the page --


def page_name(organizations: int) -> str:
    """shared-index.md for the issue's size (1M, the default), shared-index-<n>.md else."""
    return "shared-index.md" if organizations == 1_000_000 else f"shared-index-{organizations}.md"


def _index_mb(report: dict[str, Any], step: dict[str, float]) -> float:
    return step["uss"] - report["before"]["uss"]


def render(result: dict[str, Any], command: str) -> str:
    m, facts = result["machine"], result["index"]
    lines = [
        "# One index for all workers",
        "",
        f"Generated by `{command}`; do not edit by hand. How it works:",
        '[../search-index.md](../search-index.md), "One copy per machine".',
        "",
        f"Measured {result['started']} – {result['finished']} on {m['cores']} cores"
        f" ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}, load average at the"
        f" start {m['load_average']} (the machine is shared with other work).",
        f"Index: {facts['organizations']:,} synthetic organizations (the generator and seed"
        f" of `bench_ranker`), {facts['postings']:,} postings, {facts['features']:,} features;"
        f" arrays {facts['arrays_mb']:.0f} MB, stored version {facts['blob_mb']:.0f} MB."
        + (
            f" **Repeated corpus**: {facts['analysed']:,} distinct profiles were analysed and"
            f" repeated {facts['organizations'] // facts['analysed']} times with their own ids"
            " and external ids, so the arrays have the size of a corpus of"
            f" {facts['organizations']:,} without its analysis (SudachiPy: about 15"
            " CPU-minutes per million profiles, more than this shared machine could give);"
            " the vocabulary and idf are those of the smaller corpus."
            if facts["analysed"] < facts["organizations"]
            else ""
        ),
        "",
        "Each worker is a process of the site doing what a web worker does:"
        " `index_cache.get()` (the newest version stored in a SQLite database), then"
        f" {facts['profile_queries']} 100-word profile queries and {facts['keyword_queries']}"
        " 10-word keyword queries (a quarter of them again filtered to one prefecture).",
        "Workers start one after the other; after each start every worker answers its"
        " queries again, then each one's memory is read from /proc/<pid>/smaps_rollup.",
        "USS: private memory (Private_Clean + Private_Dirty); PSS: private memory plus its"
        " share of pages mapped by several processes. **Index MB**: USS after loading the"
        " index and answering − USS just before loading it (the process has already"
        " imported everything and run the kernels on a tiny index).",
        "",
        "| loading | workers | index MB added by each worker (1st, 2nd, …) |"
        " USS MB of each | PSS MB of all | load s of each |",
        "|---|--:|---|---|--:|---|",
    ]
    for run in result["runs"]:
        label = "mapped (RANKER_INDEX_DIR)" if run["mapped"] else "own copy (before)"
        for k, step in enumerate(run["steps"]):
            reports = run["workers"][: k + 1]
            index_mb = ", ".join(
                f"{_index_mb(r, s):.0f}" for r, s in zip(reports, step, strict=True)
            )
            uss = ", ".join(f"{s['uss']:.0f}" for s in step)
            loads = ", ".join(f"{r['load_s']:.1f}" for r in reports)
            pss = sum(s["pss"] for s in step)
            lines.append(f"| {label} | {k + 1} | {index_mb} | {uss} | {pss:.0f} | {loads} |")
    lines += [
        "",
        "The first worker of the mapped run unpacks the version (reads it from the database,"
        " writes the files): its load time is that, and its USS counts the mapped pages as"
        " long as no other process maps them (they become shared when the second worker maps"
        " them). Its figure before loading also holds whatever numba compiled during its"
        " warm-up, the first time on this machine, and later freed; so the later workers'"
        " columns are the ones that measure a worker's own cost.",
    ]
    lines += ["", "Query time in each worker (p50 ms, profile / keywords; the first query):", ""]
    for run in result["runs"]:
        label = "mapped" if run["mapped"] else "own copy"
        cells = [
            f"{r['profile_p50_ms']:.2f} / {r['keywords_p50_ms']:.2f} ({r['first_query_ms']:.0f})"
            for r in run["workers"]
        ]
        lines.append(f"- {label}: " + "; ".join(cells))
    lines += ["", "## Target", ""]
    mapped = next(run for run in result["runs"] if run["mapped"])
    final = mapped["steps"][-1]
    added = [_index_mb(r, s) for r, s in zip(mapped["workers"], final, strict=True)][1:]
    if added:
        ok = max(added) <= TARGET_MB
        verdict = "met" if ok else "**missed**"
        lines.append(
            f"- at {facts['organizations']:,}: a second, third and fourth worker each add"
            f" ≤ {TARGET_MB:.0f} MB of resident memory for the index: {verdict}"
            f" ({', '.join(f'{a:.0f}' for a in added)} MB, with {len(final)} workers running)"
        )
    if facts["organizations"] < 1_000_000:
        lines.append(
            f"- at 1,000,000: not measured here ({facts['organizations']:,} is the size of this"
            f" run); see [{page_name(1_000_000)}]({page_name(1_000_000)})."
        )
    return "\n".join(lines) + "\n"
