from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from matchmaking.benchmarks import ablation, jsic, quality
from matchmaking.benchmarks.management.commands.bench_quality import (
    EVAL_SET,
    SHARED_DATA,
    judged_world,
)
from matchmaking.search.documents import glossary_concepts


class Command(BaseCommand):
    help = (
        "Analysis variants side by side, in process: JSIC ja and hard ratios to the bigram "
        "baseline on the two tuning folds, en2ja MRR@10, and the judged set (nDCG@10, "
        "cross-language, Japanese needs). A variant changes the shipped configuration: "
        "AnalysisOptions (ngram_unigrams=1.0,ngram_share=0.6), the fit's numbers "
        "(concept_weight=3) or a field's weight (weight.name=1.25); 'shipped' for none. "
        "Needs the demo data: python manage.py load_demo_data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("variants", nargs="*", default=[ablation.SHIPPED])
        parser.add_argument("--queries", default=str(EVAL_SET))
        parser.add_argument(
            "--jsic-examples", default=str(SHARED_DATA / "jsic14_examples_dev.csv")
        )
        parser.add_argument("--jsic-industries", default=str(SHARED_DATA / "jsic14_ja_en.csv"))

    def handle(self, *args: Any, **options: Any) -> None:
        variants: list[str] = options["variants"]
        for variant in variants:  # every one checked before minutes of fitting
            try:
                ablation.parse(variant)
            except ablation.BadVariant as error:
                raise CommandError(str(error)) from None
        every_query, documents = judged_world(Path(options["queries"]))
        # The Chinese needs left out, as bench_quality scores them apart.
        queries = [q for q in every_query if not q.id.startswith(quality.CHINESE_NEEDS_PREFIX)]
        industries = jsic.load_industries(Path(options["jsic_industries"]))
        examples = jsic.load_examples(Path(options["jsic_examples"]))
        concepts = glossary_concepts()
        boost = float(settings.RANKER_REGIONAL_BOOST)
        self.stdout.write(ablation.HEADER)
        for variant in variants:
            row = ablation.measure(
                variant,
                industries=industries,
                examples=examples,
                documents=documents,
                queries=queries,
                concepts=concepts,
                boost=boost,
            )
            self.stdout.write(row.line())
