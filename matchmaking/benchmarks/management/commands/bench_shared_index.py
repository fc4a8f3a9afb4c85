from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from matchmaking.benchmarks import shared_index


class Command(BaseCommand):
    help = (
        "The memory each worker adds for the index, with its own copy and with the arrays"
        " mapped from RANKER_INDEX_DIR; writes docs/benchmarks/shared-index.md (at 1M"
        " organizations, the default; shared-index-<n>.md at another size) and its .json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organizations", type=int, default=1_000_000)
        parser.add_argument(
            "--analysed",
            type=int,
            default=None,
            help="Distinct profiles to analyse (default: all); repeated up to --organizations.",
        )
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--output", type=Path, default=None)
        # The benchmark's own child processes:
        parser.add_argument("--prepare", type=Path, default=None, help="(internal)")
        parser.add_argument("--worker", type=Path, default=None, help="(internal)")

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.BASE_DIR)
        if options["worker"] is not None:
            shared_index.worker(options["worker"], sys.stdout, sys.stdin)
            return
        analysed = options["analysed"] or options["organizations"]
        if options["prepare"] is not None:
            shared_index.prepare(
                base=base,
                work=options["prepare"],
                organizations=options["organizations"],
                seed=options["seed"],
                queries=options["queries"],
                analysed_size=analysed,
                log=self.stderr.write,
            )
            return
        result = shared_index.run(
            base=base,
            organizations=options["organizations"],
            analysed=analysed,
            seed=options["seed"],
            queries=options["queries"],
            workers=options["workers"],
            log=self.stderr.write,
        )
        output = options["output"] or base / "docs" / "benchmarks"
        output.mkdir(parents=True, exist_ok=True)
        page = output / shared_index.page_name(options["organizations"])
        page.with_suffix(".json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        command = "python manage.py bench_shared_index"
        if options["organizations"] != 1_000_000:
            command += f" --organizations {options['organizations']}"
        if analysed != options["organizations"]:
            command += f" --analysed {analysed}"
        page.write_text(shared_index.render(result, command), encoding="utf-8")
        self.stdout.write(f"Report: {page}")
