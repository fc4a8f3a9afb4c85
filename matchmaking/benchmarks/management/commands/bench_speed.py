from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from matchmaking.benchmarks import speed
from matchmaking.search import store
from matchmaking.search.models import SearchIndex


class _Rollback(Exception):
    pass


def _time_database_load(blob: bytes) -> float:
    """Store the blob, time reading it back as a web process would, then roll back."""
    elapsed = 0.0
    try:
        with transaction.atomic():
            stored = store.save_version(
                blob,
                source_read_at=timezone.now(),
                document_count=0,
                vocabulary_size=0,
                build_seconds=0,
            )
            started = time.perf_counter()
            store.read_version(SearchIndex.objects.get(pk=stored.pk))
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


class Command(BaseCommand):
    help = "Time the ranker on a deterministic synthetic bilingual corpus (README, Speed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organizations", type=int, default=100_000)
        parser.add_argument("--queries", type=int, default=300)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--no-db", action="store_true", help="Skip the database load.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        report = speed.run(
            fixtures=Path(settings.BASE_DIR) / "fixtures",
            organizations=options["organizations"],
            queries=options["queries"],
            workers=options["workers"],
            seed=options["seed"],
            db_load=None if options["no_db"] else _time_database_load,
            log=lambda line: self.stderr.write(line),
        )
        if options["json"]:
            self.stdout.write(json.dumps(speed.as_dict(report), indent=2))
        else:
            self.stdout.write("\n".join(report.lines()))
