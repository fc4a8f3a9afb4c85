"""The JSIC benchmark: MIC's own example activities against the 1,473 JSIC Rev.14 industries.

Real Japanese text that nobody on the project wrote (issue 15). The corpus is the 1,473
four-digit industries as published companies in prefecture 43, text = name_ja +
description_ja (+ name_en, except for en2ja). Three tasks:

- ja: an example listed as *included* in an industry → that industry;
- hard: an example MIC lists as *excluded from* XXXX → the industry it belongs to;
- en2ja: each industry's English name → that industry, over a corpus without English;
- ja-zh-hans (issue 18): the ja examples in Simplified characters (OpenCC jp2t, then t2s;
  kana stay kana), against the same corpus: its MRR@10 against ja's is the figure.

Metrics: MRR@10, Recall@10 and nDCG@10 with gain 2 for the exact code and 1 for another
industry of its three-digit group (the ideal list: the code, then the rest of its group).
Beside the ranker, in the same run, a character-bigram TF-IDF baseline (NFKC, lower case,
whitespace removed, sublinear tf, idf = ln((N+1)/(df+1)) + 1, cosine).

This module is plain code over plain data; `bench_quality --jsic` feeds it through the
site's own import, index build and `suggest` command, and `rank_in_process` answers the same
questions with the ranker alone (for tuning and the test), which gives the same figures.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matchmaking.ranker import Document, FitParams, GlossaryConcept, chinese, fit

PREFECTURE = "43"
TASKS = ("ja", "hard", "en2ja", "ja-zh-hans")
K = 10

Ranked = list[str]  # industry codes, best first


@dataclass(frozen=True)
class Industry:
    code: str
    group: str
    name_ja: str
    name_en: str
    description_ja: str


@dataclass(frozen=True)
class Example:
    text: str
    code: str
    relation: str

    @property
    def task(self) -> str:
        return "ja" if self.relation == "included" else "hard"


def load_industries(path: Path) -> list[Industry]:
    """The four-digit industries from jsic14_ja_en.csv (or fixtures/reference/industries.json,
    the same table)."""
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    return [
        Industry(row["code"], row["parent"], row["name_ja"], row["name_en"], row["description_ja"])
        for row in rows
        if row["level"] == "industry"
    ]


def load_examples(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(row["example_ja"], row["jsic_code"], row["relation"])
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class Question:
    task: str
    text: str
    code: str


def questions(
    industries: Sequence[Industry], examples: Iterable[Example]
) -> dict[str, list[Question]]:
    codes = {industry.code for industry in industries}
    by_task: dict[str, list[Question]] = {task: [] for task in TASKS}
    for example in examples:
        if example.code in codes:
            by_task[example.task].append(Question(example.task, example.text, example.code))
    by_task["en2ja"] = [
        Question("en2ja", industry.name_en, industry.code)
        for industry in industries
        if industry.name_en.strip()
    ]
    by_task["ja-zh-hans"] = [
        Question("ja-zh-hans", simplified(q.text), q.code) for q in by_task["ja"]
    ]
    return by_task


def simplified(text: str) -> str:
    """Japanese text in Simplified Chinese characters: 製造業 → 制造业, 卸売業 → 卸卖业."""
    return chinese.convert(chinese.convert(text, "jp2t"), "t2s")


def split(examples: Sequence[Example], *, folds: int = 2, seed: int = 15) -> list[list[Example]]:
    """Examples in `folds` parts, each industry's examples spread over all of them (so that
    tuning on one part and scoring on another is the dev/held-out split in miniature)."""
    by_code: dict[str, list[Example]] = {}
    for example in examples:
        by_code.setdefault(example.code, []).append(example)
    parts: list[list[Example]] = [[] for _ in range(folds)]
    rng = random.Random(seed)
    offset = 0
    for code in sorted(by_code):
        group = by_code[code]
        rng.shuffle(group)
        for i, example in enumerate(group):
            parts[(i + offset) % folds].append(example)
        offset += len(group)
    return parts


# ---- the corpus ----


def external_id(code: str) -> str:
    return f"jsic14:{code}"


def code_of(external: str) -> str:
    return external.removeprefix("jsic14:")


def import_file(industries: Sequence[Industry], *, english: bool) -> bytes:
    """The industries as published companies in the import schema (import_organizations)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    columns = ["external_id", "kind", "status", "prefecture", "name_ja", "description_ja"]
    writer.writerow([*columns, "name_en"])
    for industry in industries:
        writer.writerow(
            [
                external_id(industry.code),
                "company",
                "published",
                PREFECTURE,
                industry.name_ja,
                industry.description_ja,
                industry.name_en if english else "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def documents(industries: Sequence[Industry], *, english: bool) -> list[Document]:
    """The same corpus as the ranker sees it after the import (as the site builds it)."""
    return [
        Document(
            id=number,
            external_id=external_id(industry.code),
            fields={
                "name": f"{industry.name_en if english else ''}\n{industry.name_ja}",
                "description": f"\n{industry.description_ja}",
                "offers": "\n",
                "seeks": "\n",
                "keywords": "",
                "industries": "",
            },
            kind="company",
            prefecture=PREFECTURE,
            region="kyushu-okinawa",
            metropolitan=False,
            lying_dragon=False,
        )
        for number, industry in enumerate(industries, 1)
    ]


# ---- metrics ----


@dataclass
class Figures:
    mrr: float = 0.0
    recall: float = 0.0
    ndcg: float = 0.0
    queries: int = 0

    def as_dict(self) -> dict[str, float]:
        return {"mrr10": self.mrr, "recall10": self.recall, "ndcg10": self.ndcg, "n": self.queries}


def _dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def score(
    ranked: Sequence[Ranked], questions: Sequence[Question], groups: dict[str, str]
) -> Figures:
    """MRR@10, Recall@10 (of the exact code) and graded nDCG@10 (2 exact, 1 same group)."""
    members: dict[str, int] = {}
    for group in groups.values():
        members[group] = members.get(group, 0) + 1
    rr, hit, nd = [], [], []
    for codes, question in zip(ranked, questions, strict=True):
        codes = codes[:K]
        rank = codes.index(question.code) + 1 if question.code in codes else 0
        rr.append(1.0 / rank if rank else 0.0)
        hit.append(1.0 if rank else 0.0)
        group = groups[question.code]
        gains = [
            2.0 if c == question.code else 1.0 if groups.get(c) == group else 0.0 for c in codes
        ]
        ideal = [2.0] + [1.0] * min(members[group] - 1, K - 1)
        nd.append(_dcg(gains) / _dcg(ideal))
    n = len(questions)
    if not n:
        return Figures()
    return Figures(float(np.mean(rr)), float(np.mean(hit)), float(np.mean(nd)), n)


# ---- systems ----

_SPACE = re.compile(r"\s+")


def _bigrams(text: str) -> list[str]:
    text = _SPACE.sub("", unicodedata.normalize("NFKC", text).lower())
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


def bigram_baseline(industries: Sequence[Industry], *, english: bool) -> Callable[[str], Ranked]:
    """Character-bigram TF-IDF, exactly as issue 15 defines it."""
    texts = [
        industry.name_ja + industry.description_ja + (industry.name_en if english else "")
        for industry in industries
    ]
    vectorizer = TfidfVectorizer(
        analyzer=_bigrams, sublinear_tf=True, smooth_idf=True, use_idf=True, norm="l2"
    )
    matrix = vectorizer.fit_transform(texts).tocsr()
    codes = [industry.code for industry in industries]

    def rank(text: str) -> Ranked:
        scores = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        order = np.argsort(-scores, kind="stable")[:K]
        return [codes[i] for i in order if scores[i] > 0]

    return rank


def rank_in_process(
    industries: Sequence[Industry],
    concepts: list[GlossaryConcept],
    params: FitParams | None = None,
    *,
    english: bool,
) -> Callable[[str], Ranked]:
    """The ranker alone on the same corpus (no database): what `suggest --no-boost` ranks."""
    index = fit(documents(industries, english=english), concepts, params)

    def rank(text: str) -> Ranked:
        return [code_of(h.external_id) for h in index.search(text, top=K)]

    return rank


@dataclass
class TaskReport:
    ranker: Figures
    baseline: Figures

    @property
    def ratio(self) -> float:
        return self.ranker.mrr / self.baseline.mrr if self.baseline.mrr else 0.0


@dataclass
class Report:
    tasks: dict[str, TaskReport] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [
            f"{'task':6} {'n':>5}  {'MRR@10':>15}  {'Recall@10':>15}  {'nDCG@10':>15}  "
            f"{'MRR ratio':>9}",
            f"{'':6} {'':>5}  {'ranker  bigram':>15}  {'ranker  bigram':>15}  "
            f"{'ranker  bigram':>15}",
        ]
        for task, r in self.tasks.items():
            a, b = r.ranker, r.baseline
            out.append(
                f"{task:6} {a.queries:5d}  {a.mrr:6.3f}  {b.mrr:6.3f}  {a.recall:6.3f}  "
                f"{b.recall:6.3f}  {a.ndcg:6.3f}  {b.ndcg:6.3f}  "
                + (f"{r.ratio:8.2f}x" if r.baseline.mrr else f"{'n/a':>9}")
            )
        if self.simplified_share is not None:
            out.append(
                f"ja-zh-hans MRR@10 / ja MRR@10 (the ranker's): {self.simplified_share:.2f}"
            )
        return out

    @property
    def simplified_share(self) -> float | None:
        """The ranker's MRR@10 on the ja examples in Simplified characters, as a share of
        its MRR@10 on the Japanese originals (issue 18: at least 0.8)."""
        zh, ja = self.tasks.get("ja-zh-hans"), self.tasks.get("ja")
        if zh is None or ja is None or not ja.ranker.mrr:
            return None
        return zh.ranker.mrr / ja.ranker.mrr


def evaluate(
    industries: Sequence[Industry],
    asked: dict[str, list[Question]],
    rank: Callable[[str, list[str]], list[Ranked]],
) -> Report:
    """Score every task: `rank(corpus, texts)` answers with the corpus "en" (with English
    names) or "ja" (without), as the ranker under test would."""
    groups = {industry.code: industry.group for industry in industries}
    report = Report()
    baselines = {
        "en": bigram_baseline(industries, english=True),
        "ja": bigram_baseline(industries, english=False),
    }
    for task, items in asked.items():
        corpus = "ja" if task == "en2ja" else "en"
        texts = [q.text for q in items]
        ranker = score(rank(corpus, texts), items, groups)
        baseline = score([baselines[corpus](t) for t in texts], items, groups)
        report.tasks[task] = TaskReport(ranker, baseline)
    return report


def markdown_rows(report: Report, *, label: str = "") -> list[str]:
    rows = [
        "| task | queries | MRR@10 ranker | MRR@10 bigram | ratio | Recall@10 ranker | "
        "Recall@10 bigram | nDCG@10 ranker | nDCG@10 bigram |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for task, r in report.tasks.items():
        a, b = r.ranker, r.baseline
        rows.append(
            f"| {label}{task} | {a.queries} | {a.mrr:.3f} | {b.mrr:.3f} | "
            f"{f'{r.ratio:.2f}×' if b.mrr else 'n/a'} | "
            f"{a.recall:.3f} | {b.recall:.3f} | {a.ndcg:.3f} | {b.ndcg:.3f} |"
        )
    if report.simplified_share is not None:
        rows += [
            "",
            f"{label}ja-zh-hans: the ja examples in Simplified characters (OpenCC jp2t, then "
            f"t2s); the ranker's MRR@10 on them is {report.simplified_share:.2f}× its MRR@10 "
            "on the Japanese originals (issue 18: at least 0.8×).",
        ]
    return rows


def markdown(
    report: Report,
    *,
    when: str,
    machine: str,
    command: str,
    examples: str,
    extra: Sequence[str] = (),
) -> str:
    """The report as docs/benchmarks/jsic.md."""
    rows = markdown_rows(report)
    return (
        "\n".join(
            [
                "# JSIC benchmark: MIC's example activities against the 1,473 industries",
                "",
                "Generated by `bench_quality --jsic` (`matchmaking/benchmarks/jsic.py`);",
                "protocol in issue 15 and docs/ranker.md. The corpus is imported with",
                "`import_organizations`,",
                "indexed with `rebuild_index` and asked through `suggest --queries --no-boost",
                "--top 10` (kind company), inside a transaction that is rolled back afterwards.",
                '"bigram" is the character-bigram TF-IDF baseline, measured in the same run.',
                "",
                f"- when: {when}",
                f"- machine: {machine}",
                f"- command: `{command}`",
                f"- examples: `{examples}`",
                "",
                *rows,
                "",
                *extra,
            ]
        ).rstrip()
        + "\n"
    )


class _Rollback(Exception):
    pass


def rank_through_commands(
    industries: Sequence[Industry], corpus: str, texts: Sequence[str], *, workdir: Path
) -> list[Ranked]:
    """Answer the texts as the site would: import the corpus with `import_organizations`,
    index it with `rebuild_index`, ask `suggest --queries --no-boost --top 10` (kind
    company), then roll everything back.

    The directory's own published organizations are archived for the run (inside the same
    transaction), so the corpus is exactly the 1,473 industries.
    """
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    from profiles.models import Organization

    corpus_file = workdir / f"jsic14_{corpus}.csv"
    corpus_file.write_bytes(import_file(industries, english=corpus == "en"))
    queries_file = workdir / f"jsic14_{corpus}_queries.jsonl"
    with queries_file.open("w", encoding="utf-8") as out:
        for number, text in enumerate(texts):
            row = {"id": str(number), "text": text, "kind": "company"}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    answers = io.StringIO()
    quiet = io.StringIO()
    # Reload the index at once: each run stores a new version (and rolls it back).
    with override_settings(RANKER_RELOAD_SECONDS=0):
        try:
            with transaction.atomic():
                Organization.objects.published().update(status=Organization.Status.ARCHIVED)
                try:
                    call_command("import_organizations", str(corpus_file), stdout=quiet)
                except SystemExit as error:
                    raise RuntimeError(f"import failed: {quiet.getvalue()}") from error
                call_command("rebuild_index", workers=1, stdout=quiet)
                call_command(
                    "suggest",
                    queries=str(queries_file),
                    top=K,
                    no_boost=True,
                    stdout=answers,
                )
                raise _Rollback
        except _Rollback:
            pass
    ranked: dict[str, Ranked] = {}
    for line in answers.getvalue().splitlines():
        row = json.loads(line)
        ranked[row["id"]] = [code_of(hit["external_id"]) for hit in row["results"]]
    return [ranked[str(number)] for number in range(len(texts))]
