from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from matchmaking.benchmarks import quality
from matchmaking.search.documents import glossary_concepts, organization_documents
from profiles.models import Organization

EVAL_SET = Path(settings.BASE_DIR) / "tests" / "matchmaking" / "eval" / "queries.jsonl"


class Command(BaseCommand):
    help = (
        "Score the ranker and its baselines on the judged evaluation set (nDCG@10, MRR@10, "
        "Recall@20), the known-item test and the regional boost's effect. Needs the demo "
        "data: python manage.py load_demo_data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queries", default=str(EVAL_SET))
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        queries = quality.load_queries(Path(options["queries"]))
        # The judged world: the demo organizations (universities and EDINET companies from
        # the reference data were never judged).
        demo = Organization.objects.filter(source=Organization.Source.DEMO)
        documents = organization_documents(demo)
        judged = {doc for q in queries for doc in q.judgments}
        known = {d.external_id for d in documents}
        if not judged <= known:
            missing = sorted(judged - known)[:5]
            raise CommandError(f"Judged organizations missing (load the demo data?): {missing}")
        concepts = glossary_concepts()
        boost = float(settings.RANKER_REGIONAL_BOOST)
        systems = quality.systems(documents, concepts, boost=boost)
        report: dict[str, Any] = {"queries": len(queries), "documents": len(documents)}
        report["systems"] = {
            name: quality.evaluate(rank, queries).__dict__ for name, rank in systems.items()
        }
        shipped = systems["ranker as shipped"]
        mrr, count = quality.known_item_mrr(documents, shipped)
        report["known_item"] = {"mrr10": mrr, "organizations": count}
        report["boost"] = {
            "setting": boost,
            "non_metropolitan_top10_with": quality.non_metropolitan_share(
                documents, shipped, queries
            ),
            "non_metropolitan_top10_without": quality.non_metropolitan_share(
                documents, systems["without regional boost"], queries
            ),
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(f"{len(queries)} queries over {len(documents)} organizations")
        self.stdout.write(f"{'system':28} {'nDCG@10':>8} {'MRR@10':>8} {'R@20':>8} {'xlang':>8}")
        for name, s in report["systems"].items():
            self.stdout.write(
                f"{name:28} {s['ndcg10']:8.3f} {s['mrr10']:8.3f} {s['recall20']:8.3f} "
                f"{s['cross_ndcg10']:8.3f}"
            )
        self.stdout.write(f"known-item MRR@10: {mrr:.3f} over {count} organizations")
        b = report["boost"]
        self.stdout.write(
            f"non-metropolitan share of top 10: {b['non_metropolitan_top10_with']:.1%} with "
            f"boost {boost}, {b['non_metropolitan_top10_without']:.1%} without"
        )
