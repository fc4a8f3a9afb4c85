"""Time a dry run and a commit of a generated file (default 20,000 rows) on this database.

Writes into the current database, inside a transaction that is rolled back at the end, so
it can run on a development database without leaving rows behind.
"""

from __future__ import annotations

import csv
import io
import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from profiles.importing import organizations_import
from profiles.importing.schema import COLUMNS
from profiles.models import Industry, Language, Municipality, PartnershipType, Prefecture


class Rollback(Exception):
    pass


def generate(rows: int, *, seed: int = 4) -> bytes:
    """A deterministic file of plausible rows over every non-metropolitan prefecture."""
    rng = random.Random(seed)
    prefectures = list(Prefecture.objects.non_metropolitan().order_by("code"))
    municipalities: dict[int, list[str]] = {}
    for prefecture_id, code in Municipality.objects.values_list("prefecture_id", "code"):
        municipalities.setdefault(prefecture_id, []).append(code)
    industries = list(Industry.objects.filter(level="major_group").values_list("code", flat=True))
    partnerships = list(PartnershipType.objects.values_list("code", flat=True))
    languages = list(Language.objects.values_list("code", flat=True))
    words = ["precision", "sensor", "robotics", "fermentation", "ceramics", "battery", "AI"]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for number in range(rows):
        prefecture = prefectures[number % len(prefectures)]
        cells = {
            "external_id": f"bench:{number:06d}",
            "kind": "company",
            "name_en": f"Bench Works {number}",
            "name_ja": f"ベンチ工業{number}",
            "prefecture": prefecture.code,
            "municipality": rng.choice(municipalities[prefecture.pk]),
            "industries": "|".join(rng.sample(industries, 2)),
            "description_en": f"Makes {rng.choice(words)} parts for export. " * 3,
            "description_ja": "精密部品を製造しています。" * 3,
            "offers_en": f"{rng.choice(words)} know-how",
            "offers_ja": "技術提供",
            "seeks_en": "distribution partners",
            "seeks_ja": "販売代理店",
            "keywords": "|".join(rng.sample(words, 3)),
            "partnership_types": "|".join(rng.sample(partnerships, 2)),
            "website": f"https://bench{number}.example.jp/",
            "employees": str(rng.randint(5, 2000)),
            "founded": str(rng.randint(1900, 2020)),
            "languages": "|".join(rng.sample(languages, 2)),
            "lying_dragon": "false",
            "lying_dragon_reason": "",
            "status": "draft",
        }
        # New rows: columns the generator does not fill (the version an export carries) stay
        # empty, as in a file a prefecture writes itself.
        writer.writerow([cells.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode("utf-8")


class Command(BaseCommand):
    help = "Benchmark the importer: dry run, commit, and re-import of a generated file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=20_000)
        parser.add_argument("--keep", action="store_true", help="Keep the imported rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        content = generate(options["rows"])
        self.stdout.write(
            f"{options['rows']} rows, {len(content) / 1e6:.1f} MB, {connection.vendor}"
        )
        try:
            with transaction.atomic():
                for label, commit in (
                    ("dry run", False),
                    ("commit", True),
                    ("re-import", True),
                ):
                    started = time.perf_counter()
                    report = organizations_import(
                        content=content, file_name="bench.csv", user=None, commit=commit
                    )
                    seconds = time.perf_counter() - started
                    self.stdout.write(f"{label}: {seconds:.1f} s  {report.summary()}")
                if not options["keep"]:
                    raise Rollback
        except Rollback:
            self.stdout.write("rolled back")
