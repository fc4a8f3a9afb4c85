from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from matchmaking.benchmarks import jsic, quality
from matchmaking.ranker import Document
from matchmaking.search.documents import glossary_concepts, organization_documents
from profiles.models import Organization

EVAL_SET = Path(settings.BASE_DIR) / "tests" / "matchmaking" / "eval" / "queries.jsonl"
SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
JSIC_REPORT = Path(settings.BASE_DIR) / "docs" / "benchmarks" / "jsic.md"


def _machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        lscpu = ""
    fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
    model = fields.get("Model name", platform.processor() or "unknown CPU").strip()
    cpus = fields.get("CPU(s)", "?").strip()
    return f"{model}, {cpus} CPUs, {platform.platform()}, Python {platform.python_version()}"


def judged_world(path: Path) -> tuple[list[quality.Query], list[Document]]:
    """The judged queries and the world they were judged in: the demo organizations
    (universities and EDINET companies from the reference data were never judged)."""
    queries = quality.load_queries(path)
    documents = organization_documents(
        Organization.objects.filter(source=Organization.Source.DEMO)
    )
    judged = {doc for q in queries for doc in q.judgments}
    missing = sorted(judged - {d.external_id for d in documents})[:5]
    if missing:
        raise CommandError(f"Judged organizations missing (load the demo data?): {missing}")
    return queries, documents


class Command(BaseCommand):
    help = (
        "Score the ranker and its baselines on the judged evaluation set (nDCG@10, MRR@10, "
        "Recall@20), the known-item test and the regional boost's effect. Needs the demo "
        "data: python manage.py load_demo_data. With --jsic: MIC's JSIC Rev.14 examples "
        "against the 1,473 industries (issue 15), through import_organizations, "
        "rebuild_index and suggest, rolled back afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queries", default=str(EVAL_SET))
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--jsic", action="store_true", help="The JSIC benchmark instead.")
        parser.add_argument(
            "--jsic-examples",
            default=str(SHARED_DATA / "jsic14_examples_dev.csv"),
            help="Examples file (the dev half by default; the held-out half has its columns).",
        )
        parser.add_argument("--jsic-industries", default=str(SHARED_DATA / "jsic14_ja_en.csv"))
        parser.add_argument(
            "--jsic-report",
            default=str(JSIC_REPORT),
            help="Where to write the Markdown report ('-' for none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jsic"]:
            self._jsic(options)
            return
        every_query, documents = judged_world(Path(options["queries"]))
        # The English and Japanese set keeps its figures comparable with the runs before
        # the Chinese needs (issue 18) joined it; those are scored apart, per script.
        chinese = [q for q in every_query if q.id.startswith(quality.CHINESE_NEEDS_PREFIX)]
        queries = [q for q in every_query if q not in chinese]
        concepts = glossary_concepts()
        boost = float(settings.RANKER_REGIONAL_BOOST)
        systems = quality.systems(documents, concepts, boost=boost)
        report: dict[str, Any] = {"queries": len(queries), "documents": len(documents)}
        report["systems"] = {
            name: quality.evaluate(rank, queries).__dict__ for name, rank in systems.items()
        }
        needs = [q for q in queries if q.id.startswith(quality.JAPANESE_NEEDS_PREFIX)]
        report["japanese_needs"] = {
            name: quality.evaluate(rank, needs).__dict__ for name, rank in systems.items()
        }
        report["chinese_needs"] = {
            script: {
                name: quality.evaluate(rank, subset).__dict__ for name, rank in systems.items()
            }
            for script, subset in [
                ("all", chinese),
                *[(s, [q for q in chinese if q.lang == s]) for s in quality.CHINESE_SCRIPTS],
            ]
            if subset
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
        self.stdout.write(f"\nthe {len(needs)} Japanese needs of issue 15 (ja-need-*)")
        for name, s in report["japanese_needs"].items():
            self.stdout.write(
                f"{name:28} {s['ndcg10']:8.3f} {s['mrr10']:8.3f} {s['recall20']:8.3f}"
            )
        for script, scores in report["chinese_needs"].items():
            count_script = scores["ranker as shipped"]["queries"]
            self.stdout.write(
                f"\nthe {count_script} Chinese needs of issue 18 (zh-need-*), script: {script}"
            )
            for name, s in scores.items():
                self.stdout.write(
                    f"{name:28} {s['ndcg10']:8.3f} {s['mrr10']:8.3f} {s['recall20']:8.3f}"
                )
        self.stdout.write(f"known-item MRR@10: {mrr:.3f} over {count} organizations")
        b = report["boost"]
        self.stdout.write(
            f"non-metropolitan share of top 10: {b['non_metropolitan_top10_with']:.1%} with "
            f"boost {boost}, {b['non_metropolitan_top10_without']:.1%} without"
        )

    def _jsic(self, options: dict[str, Any]) -> None:
        started = datetime.now(UTC)
        industries = jsic.load_industries(Path(options["jsic_industries"]))
        examples = jsic.load_examples(Path(options["jsic_examples"]))
        asked = jsic.questions(industries, examples)
        with tempfile.TemporaryDirectory() as workdir:

            def rank(corpus: str, texts: list[str]) -> list[jsic.Ranked]:
                self.stderr.write(f"{corpus} corpus: {len(texts)} queries")
                return jsic.rank_through_commands(industries, corpus, texts, workdir=Path(workdir))

            # One import, build and batch of queries per corpus: ja and hard share "en".
            merged: dict[str, list[str]] = {}
            for task, items in asked.items():
                merged.setdefault("ja" if task == "en2ja" else "en", []).extend(
                    q.text for q in items
                )
            answers = {
                corpus: dict(zip(texts, rank(corpus, texts), strict=True))
                for corpus, texts in merged.items()
            }

            def answered(corpus: str, texts: list[str]) -> list[jsic.Ranked]:
                return [answers[corpus][t] for t in texts]

            report = jsic.evaluate(industries, asked, answered)
            # The same answers scored on each half of a 2-fold split of the examples (the
            # folds that tuning used: docs/ranker.md), to show the spread between halves.
            folds = [
                jsic.evaluate(
                    industries,
                    {t: q for t, q in jsic.questions(industries, part).items() if t != "en2ja"},
                    answered,
                )
                for part in jsic.split(examples)
            ]
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        task: {"ranker": r.ranker.as_dict(), "bigram": r.baseline.as_dict()}
                        for task, r in report.tasks.items()
                    },
                    indent=2,
                )
            )
        else:
            self.stdout.write("\n".join(report.lines()))
            for name, fold in zip("AB", folds, strict=True):
                self.stdout.write(f"fold {name} of the examples:")
                self.stdout.write("\n".join(fold.lines()[2:]))
        if options["jsic_report"] != "-":
            skipped = sum(1 for e in examples if e.code not in {i.code for i in industries})
            command = "python manage.py " + " ".join(["bench_quality", *sys.argv[2:]])
            text = jsic.markdown(
                report,
                when=f"{started:%Y-%m-%d %H:%M} UTC",
                machine=_machine(),
                command=command,
                examples=options["jsic_examples"],
                extra=[
                    f"{skipped} examples name a group or major group rather than one of the "
                    "1,473 industries and are left out (all of them excluded_from_XXXX rows).",
                    "",
                    "The same answers on each half of the 2-fold split of the examples "
                    "(`jsic.split`, seed 15) that the tuning used (docs/ranker.md):",
                    "",
                    *[
                        line
                        for name, fold in zip("AB", folds, strict=True)
                        for line in [*jsic.markdown_rows(fold, label=f"fold {name}: "), ""]
                    ],
                ],
            )
            path = Path(options["jsic_report"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.stderr.write(f"report written to {path}")
