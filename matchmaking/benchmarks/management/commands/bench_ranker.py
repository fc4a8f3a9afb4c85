from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from matchmaking.benchmarks import compare, corpus, report
from matchmaking.benchmarks.peers import PEERS
from matchmaking.ranker import FitParams


def _sizes(value: str) -> list[int]:
    try:
        return [int(part.replace("_", "")) for part in value.split(",") if part]
    except ValueError as error:
        raise CommandError(f"--sizes takes numbers separated by commas, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "The ranker against bm25s, tantivy, SQLite FTS5, PostgreSQL full-text search,"
        " rank_bm25 and scikit-learn on synthetic corpora; writes docs/benchmarks/ranker.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quick", action="store_true", help="10k profiles, short budgets.")
        parser.add_argument(
            "--sizes", type=_sizes, default=None, help="default 10000,100000,1000000"
        )
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument(
            "--budget", type=float, default=None, help="Seconds per figure for slow peers."
        )
        parser.add_argument("--peers", default=",".join(PEERS), help="Comma-separated.")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--output", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.BASE_DIR)
        sizes = options["sizes"] or (
            [10_000] if options["quick"] else [10_000, 100_000, 1_000_000]
        )
        budget = options["budget"] or (5.0 if options["quick"] else 20.0)
        peers = [name for name in options["peers"].split(",") if name]
        unknown = set(peers) - set(PEERS)
        if unknown:
            raise CommandError(f"Unknown peers {sorted(unknown)}; known: {sorted(PEERS)}")
        output = options["output"] or base / "docs" / "benchmarks"
        output.mkdir(parents=True, exist_ok=True)
        params = FitParams()
        for size in sizes:
            self.stderr.write(f"== {size:,} profiles")
            analysed = corpus.build(
                fixtures=base / "fixtures",
                organizations=size,
                queries=options["queries"],
                params=params,
                seed=options["seed"],
                workers=options["workers"],
                cache=base / "var" / "bench",
                log=self.stderr.write,
            )
            result = compare.run(
                analysed,
                params=params,
                systems=peers,
                queries=options["queries"],
                budget=budget,
                workers=options["workers"],
                log=self.stderr.write,
            )
            result["quick"] = options["quick"]
            path = output / f"ranker-{size}.json"
            path.write_text(json.dumps(result, indent=1), encoding="utf-8")
            self.stderr.write(f"wrote {path}")
        written = report.write(output)
        self.stdout.write(f"Report: {written}")
