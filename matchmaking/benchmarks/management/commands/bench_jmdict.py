from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from matchmaking.benchmarks import jmdict, quality
from matchmaking.search.documents import glossary_concepts, organization_documents
from profiles.models import Organization

EVAL_SET = Path(settings.BASE_DIR) / "tests" / "matchmaking" / "eval" / "queries.jsonl"


class Command(BaseCommand):
    help = (
        "The JMdict experiment: the shipped analysis against JMdict gloss variants on the "
        "judged set, with their cost (docs/jmdict-findings.md). Needs load_demo_data and "
        "jamdict-data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queries", default=str(EVAL_SET))
        parser.add_argument("--repeats", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        queries = quality.load_queries(Path(options["queries"]))
        demo = Organization.objects.filter(source=Organization.Source.DEMO)
        documents = organization_documents(demo)
        report = jmdict.run(
            documents,
            glossary_concepts(),
            queries,
            boost=float(settings.RANKER_REGIONAL_BOOST),
            repeats=options["repeats"],
        )
        self.stdout.write(json.dumps(report, indent=2))
