from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from matchmaking.search import store


class Command(BaseCommand):
    help = "Fit the ranker on the published organizations and store it as the new index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=min(os.cpu_count() or 1, 4),
            help="Processes for text analysis (used from 2,000 organizations up).",
        )

    def handle(self, *args: Any, workers: int, **options: Any) -> None:
        stored = store.build_index(workers=workers)
        self.stdout.write(
            f"Search index v{stored.version}: {stored.document_count} organizations, "
            f"{stored.vocabulary_size} features, {stored.size_bytes / 1e6:.1f} MB, "
            f"built in {stored.build_seconds:.1f} s"
        )
