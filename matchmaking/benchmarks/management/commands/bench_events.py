"""Time the events' scheduler on a 200-participant, 12-slot day and write the report."""

from __future__ import annotations

import json
import os
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from matchmaking.benchmarks import events
from matchmaking.benchmarks.management.commands.bench_quality import _machine

REPORT = Path(settings.BASE_DIR) / "docs" / "benchmarks" / "events.md"


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


class Command(BaseCommand):
    # Pure computation: no database, so none of the checks that would open one.
    requires_system_checks: list[str] = []
    help = (
        "Schedule a business-matching day of 80 firms and 120 organizations in 12 slots "
        "(the ranker's scores, requests, locks and lying dragons) several times; print p50 "
        "and max time, objective, LP bound and ratio beside a greedy baseline; write "
        "docs/benchmarks/events.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument(
            "--scenario", action="append", choices=sorted(events.SCENARIOS), default=None
        )
        parser.add_argument("--report", default=str(REPORT), help="'-' for none")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        names = options["scenario"] or list(events.SCENARIOS)
        results = []
        for name in names:
            result = events.run(events.SCENARIOS[name], fixtures, runs=options["runs"])
            results.append(result)
            self.stdout.write(
                f"{name}: schedule p50 {result['schedule_p50_s']:.2f} s, max "
                f"{result['schedule_max_s']:.2f} s (with bound p50 "
                f"{result['with_bound_p50_s']:.2f} s, max {result['with_bound_max_s']:.2f} s); "
                f"objective {result['objective']:.2f}, bound {result['bound']:.2f}, ratio "
                f"{result['ratio']:.1%}; greedy's score {result['greedy_ratio']:.1%} of it; "
                f"{result['ours']['meetings']} meetings, issues {result['issues']}"
            )
            if options["json"]:
                self.stdout.write(json.dumps(result, indent=2, default=str))
        slow = any(r["with_bound_max_s"] > events.TARGET_SECONDS for r in results)
        low = any(r["ratio"] < events.TARGET_RATIO for r in results)
        self.stdout.write(
            f"time {'over' if slow else 'within'} {events.TARGET_SECONDS:.0f} s; "
            f"ratio {'under' if low else 'at or above'} {events.TARGET_RATIO:.0%}"
        )
        if options["report"] != "-":
            command = "python manage.py bench_events " + shlex.join(sys.argv[2:])
            text = events.markdown(
                results,
                when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                machine=f"{_machine()}, {_memory_gib():.0f} GiB, load average "
                f"{os.getloadavg()[0]:.1f} at the end (shared with other work)",
                command=command.strip(),
            )
            Path(options["report"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {options['report']}")
