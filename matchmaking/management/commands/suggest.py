"""The stable command-line interface to the ranker (README, "Machine interface")."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from matchmaking.ranker import Filters
from matchmaking.search import selectors, store
from profiles.models import Organization

FILTER_KEYS = {
    "kind": "kinds",
    "prefecture": "prefectures",
    "region": "regions",
    "industry": "industries",
    "partnership_type": "partnership_types",
    "language": "languages",
}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def filters_from_query(row: dict[str, Any]) -> Filters:
    values = {target: _as_list(row.get(key)) for key, target in FILTER_KEYS.items()}
    return selectors.filters_from(
        **values, lying_dragons_only=bool(row.get("lying_dragons_only", False))
    )


class Command(BaseCommand):
    help = (
        "Rank published Japanese organizations for a need. One query with --text, or many "
        "with --queries FILE.jsonl (one JSON object per line; one JSON line out per query)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--text", help="What the foreign firm offers and seeks.")
        source.add_argument("--queries", help='JSONL file of {"id", "text", ...filters}.')
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--kind", choices=Organization.Kind.values)
        parser.add_argument("--prefecture", help="JIS code, e.g. 43 for Kumamoto.")
        parser.add_argument("--region", help="Region code, e.g. kyushu-okinawa.")
        parser.add_argument("--industry", help="JSIC code at any level, e.g. E or 29.")
        parser.add_argument("--partnership-type", help="e.g. joint_rnd.")
        parser.add_argument("--language", help="Working language code, e.g. en.")
        parser.add_argument("--lying-dragons-only", action="store_true")
        parser.add_argument("--lang", choices=["en", "ja"], default="en")
        parser.add_argument("--no-boost", action="store_true", help="No regional boost.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["top"] <= 1000:
            raise CommandError("--top must be between 1 and 1000.")
        prefecture = options["prefecture"]
        if prefecture and not (prefecture.isdigit() and 1 <= int(prefecture) <= 47):
            raise CommandError("--prefecture takes a JIS code from 1 to 47.")
        try:
            if options["queries"]:
                self._batch(options["queries"], top=options["top"], boost=not options["no_boost"])
            else:
                self._single(options)
        except store.IndexMissing as error:
            raise CommandError(str(error)) from error

    def _single(self, options: dict[str, Any]) -> None:
        row = {key: options[key.replace("-", "_")] for key in FILTER_KEYS}
        row["lying_dragons_only"] = options["lying_dragons_only"]
        with translation.override(options["lang"]):
            results = selectors.suggest(
                options["text"],
                top=options["top"],
                filters=filters_from_query(row),
                boost=not options["no_boost"],
                lang=options["lang"],
            )
        rows = [s.as_json(staff=True) for s in results]
        if options["json"]:
            self.stdout.write(json.dumps({"results": rows}, ensure_ascii=False, indent=2))
            return
        for rank, row in enumerate(rows, 1):
            terms = ", ".join(t["term"] for t in row["explanation"]["terms"])
            mark = " [regional boost]" if row["boosted"] else ""
            self.stdout.write(
                f"{rank:2}. {row['score']:.3f}{mark}  {row['external_id'] or '-'} "
                f"(id {row['id']})  {row['name_en']} / {row['name_ja']}\n    because: {terms}"
            )

    def _batch(self, path: str, *, top: int, boost: bool) -> None:
        try:
            with open(path, encoding="utf-8") as handle:  # noqa: PTH123
                lines = [line for line in handle if line.strip()]
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        queries = []
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
                queries.append((row["id"], str(row["text"]), filters_from_query(row)))
            except (ValueError, KeyError, TypeError) as error:
                raise CommandError(f"{path}:{number}: not a query object ({error})") from error
        ranked = selectors.suggest_hits(
            ((text, filters) for _, text, filters in queries), top=top, boost=boost
        )
        for (query_id, _, _), hits in zip(queries, ranked, strict=True):
            results = [
                {"external_id": h.external_id, "id": h.id, "score": round(h.score, 6)}
                for h in hits
            ]
            self.stdout.write(json.dumps({"id": query_id, "results": results}, ensure_ascii=False))
