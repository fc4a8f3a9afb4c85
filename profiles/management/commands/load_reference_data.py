from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from profiles import loaders


class Command(BaseCommand):
    help = (
        "Load the reference data (regions, prefectures, municipalities, JSIC industries, "
        "partnership types, languages, glossary, universities, EDINET companies). Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        tallies = loaders.load_geography()
        tallies["industries"] = loaders.load_industries()
        tallies |= loaders.load_vocabularies()
        tallies["glossary"] = loaders.load_glossary()
        tallies["universities"] = loaders.load_organizations(
            loaders.read_fixture("reference/universities.json")
        )
        tallies["EDINET companies"] = loaders.load_organizations(
            loaders.read_fixture("reference/companies.json")
        )
        for name, tally in tallies.items():
            self.stdout.write(f"{name}: {tally}")
        self.stdout.write(
            self.style.SUCCESS(f"Reference data loaded in {time.perf_counter() - started:.1f} s.")
        )
