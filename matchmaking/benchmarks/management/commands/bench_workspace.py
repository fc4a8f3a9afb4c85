"""Time the curator's organization edit page on a directory of 100k organizations."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from matchmaking.benchmarks import workspace
from profiles.models import Municipality, Organization


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time the workspace's organization edit page (GET as a curator and as an "
        "administrator), the municipality refill, live validation and a save, in-process, on "
        "the current database topped up to --organizations; print p50/p95 and write a report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organizations", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=50, help="requests per kind")
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "docs" / "benchmarks" / "workspace.md",
            help="where to write the Markdown report",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the synthetic organizations (a later run reuses them); the timed "
            "requests' writes are rolled back all the same.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Municipality.objects.exists():
            raise CommandError("No reference data: run `make data` (or load_reference_data).")
        if options["requests"] < 2:
            raise CommandError("--requests must be at least 2 (p95 needs two figures).")
        started, load_before = workspace.now(), os.getloadavg()[0]
        facts: dict[str, Any] = {}
        try:
            with contextlib.ExitStack() as stack:
                if not options["keep"]:
                    stack.enter_context(transaction.atomic())
                facts["added"] = workspace.populate(
                    options["organizations"], log=self.stderr.write
                )
                with transaction.atomic():
                    facts["organizations"] = Organization.objects.count()
                    facts["synthetic"] = Organization.objects.filter(
                        external_id__startswith=workspace.EXTERNAL_ID.split("{")[0]
                    ).count()
                    self.stdout.write(
                        f"{facts['organizations']:,} organizations; {workspace.database()}; "
                        f"DEBUG={settings.DEBUG}"
                    )
                    timings = []
                    for timing in workspace.measure(options["requests"]):
                        timings.append(timing)
                        self.stdout.write(
                            f"{timing.label}: p50 {timing.p50:.1f} ms, p95 {timing.p95:.1f} ms, "
                            f"max {max(timing.milliseconds):.1f} ms, "
                            f"{min(timing.queries)}-{max(timing.queries)} queries"
                        )
                    raise Rollback
        except Rollback:
            pass
        facts |= {
            "machine": workspace.machine(),
            "database": workspace.database(),
            "load_before": load_before,
            "load_after": os.getloadavg()[0],
            "municipalities": Municipality.objects.count(),
            "requests": options["requests"],
            "kept": options["keep"],
        }
        text = workspace.report(
            timings=timings, started=started, command=workspace.command_line(), facts=facts
        )
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(text, encoding="utf-8")
        self.stdout.write(f"Report: {options['output']}")
