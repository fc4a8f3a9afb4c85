from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max, Min

from matchmaking.benchmarks.load import report, run
from profiles.models import Organization, PartnershipType


def _users(value: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in value.split(",") if part)
    except ValueError as error:
        raise CommandError(f"--users takes numbers separated by commas, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "The site under load: gunicorn on a throwaway PostgreSQL database with synthetic "
        "organizations, locust at 50, 100 and 200 users and a saturation ramp; writes "
        "docs/benchmarks/load.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quick", action="store_true", help="10k organizations, short.")
        parser.add_argument("--organizations", type=int, default=None)
        parser.add_argument("--firms", type=int, default=None, help="firms, one member each")
        parser.add_argument("--users", type=_users, default=None, help="e.g. 50,100,200")
        parser.add_argument("--stage-seconds", type=int, default=None)
        parser.add_argument("--ramp-users", type=int, default=None)
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument("--output", type=Path, default=None)
        parser.add_argument(
            "--mix",
            choices=["issue", "without-directory"],
            default=None,
            help="issue #7's request mix (default), or the same without directory pages.",
        )
        # Internal: the runner calls this with DATABASE_URL on the throwaway database.
        parser.add_argument("--populate", action="store_true", help="internal")
        parser.add_argument("--world", type=Path, default=None, help="internal")
        parser.add_argument("--reset-introductions", action="store_true", help="internal")
        parser.add_argument(
            "--report-only",
            type=Path,
            default=None,
            metavar="JSON",
            help="Write the report again from a run's raw JSON (e.g. with new notes).",
        )
        parser.add_argument(
            "--keep-database", action="store_true", help="Do not drop the database at the end."
        )
        parser.add_argument(
            "--reuse-database",
            action="store_true",
            help="Use the database a --keep-database run left (same size), skip the set-up.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.BASE_DIR)
        plan = run.Plan.make(
            quick=options["quick"],
            organizations=options["organizations"],
            firms=options["firms"],
            users=options["users"],
            stage_seconds=options["stage_seconds"],
            ramp_users=options["ramp_users"],
            workers=options["workers"],
            port=options["port"],
            mix=options["mix"],
        )
        if options["populate"]:
            self._populate(base, plan, options["world"])
            return
        if options["reset_introductions"]:
            self._reset_introductions()
            return
        output = options["output"] or base / "docs" / "benchmarks"
        output.mkdir(parents=True, exist_ok=True)
        if options["report_only"]:
            stored = json.loads(options["report_only"].read_text("utf-8"))
            stored["targets"] = run.judge(stored)
            self.stdout.write(f"Report: {report.write(output, stored)}")
            return
        result = run.run(
            base=base,
            plan=plan,
            log=self.stderr.write,
            reuse_database=options["reuse_database"],
            keep_database=options["keep_database"],
        )
        written = report.write(output, result)
        self.stdout.write(f"Report: {written}")

    def _reset_introductions(self) -> None:
        from django.db import connection

        from matchmaking.firms.models import IntroductionRequest

        if connection.settings_dict["NAME"] != run.DATABASE:
            raise CommandError("--reset-introductions runs on the load-test database only")
        IntroductionRequest.objects.all().delete()

    def _populate(self, base: Path, plan: run.Plan, world: Path | None) -> None:
        from matchmaking.benchmarks.load import population

        if world is None:
            raise CommandError("--populate needs --world FILE")
        summary = population.populate(
            database=run.DATABASE,
            fixtures=base / "fixtures",
            cache=base / "var" / "bench",
            organizations=plan.organizations,
            firms=plan.firms,
            seed=20260101,
            workers=min(os.cpu_count() or 1, 2),
            log=self.stderr.write,
        )
        synthetic = Organization.objects.filter(external_id__startswith="syn-").aggregate(
            low=Min("pk"), high=Max("pk")
        )
        summary["synthetic_organizations"] = plan.organizations
        summary["organization_ids"] = [synthetic["low"], synthetic["high"]]
        summary["partnership_type_ids"] = list(
            PartnershipType.objects.order_by("pk").values_list("pk", flat=True)
        )
        world.write_text(json.dumps(summary, default=str), encoding="utf-8")
