"""Analysis variants measured side by side (issue 15's ablations), in process.

A variant is the shipped configuration with some of its parameters changed (`parse`: an
`AnalysisOptions` option, a number of `FitParams` or a field's weight), written
``ngram_unigrams=1.0,weight.name=1.5`` ("shipped" for none). For each: the JSIC ja and hard
MRR@10 ratios to the bigram baseline on the two folds the tuning used (`jsic.split`, seed
15), en2ja MRR@10 on every industry, and the judged set's nDCG@10, cross-language nDCG@10
and the Japanese needs' nDCG@10 (the Chinese needs left out, as `bench_quality` does).
`python manage.py bench_ablation VARIANT...` prints them (docs/ranker.md, the ablation
tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

from matchmaking.benchmarks import jsic, quality
from matchmaking.ranker import AnalysisOptions, Document, FitParams, GlossaryConcept

SHIPPED = "shipped"
WEIGHT = "weight."  # weight.name=1.5: a field's weight


class BadVariant(ValueError):
    """A variant names no parameter that `parse` knows, or a value of the wrong kind."""


def parse(variant: str) -> FitParams:
    """The shipped parameters with the variant's changes: options of `AnalysisOptions`
    (``ngram_share=0.6``), the fit's own numbers (``concept_weight=3``) or a field's weight
    (``weight.name=1.5``)."""
    shipped = FitParams()
    if variant == SHIPPED:
        return shipped
    kinds = {f.name: type(getattr(shipped.analysis, f.name)) for f in fields(AnalysisOptions)}
    fit_kinds = {
        f.name: float for f in fields(FitParams) if isinstance(getattr(shipped, f.name), float)
    }
    weights = {f"{WEIGHT}{name}": float for name in shipped.field_weights}
    known = ", ".join(sorted({**kinds, **fit_kinds, **weights}))
    analysis: dict[str, object] = {}
    fit: dict[str, object] = {}
    field_weights = dict(shipped.field_weights)
    for item in variant.split(","):
        key, sep, value = item.partition("=")
        key = key.strip()
        kind = kinds.get(key) or fit_kinds.get(key) or weights.get(key)
        if not sep or kind is None:
            raise BadVariant(f"{item!r}: write option=value, the option one of: {known}")
        try:
            if kind is bool:
                if value.strip().lower() not in {"true", "false", "1", "0"}:
                    raise ValueError(value)
                parsed: object = value.strip().lower() in {"true", "1"}
            else:
                parsed = kind(value.strip())
        except ValueError:
            raise BadVariant(f"{item!r}: {key} takes a {kind.__name__}") from None
        if key in kinds:
            analysis[key] = parsed
        elif key in fit_kinds:
            fit[key] = parsed
        else:
            field_weights[key.removeprefix(WEIGHT)] = float(parsed)  # type: ignore[arg-type]
    return replace(
        shipped,
        analysis=replace(shipped.analysis, **analysis),  # type: ignore[arg-type]
        field_weights=field_weights,
        **fit,  # type: ignore[arg-type]
    )


@dataclass
class Row:
    variant: str
    ja: tuple[float, float]  # ratio to the bigram baseline, fold A and B
    hard: tuple[float, float]
    en2ja: float  # MRR@10
    judged: float  # nDCG@10
    cross_language: float
    japanese_needs: float

    def line(self) -> str:
        return (
            f"{self.variant:40} {self.ja[0]:6.3f} {self.ja[1]:6.3f} {self.hard[0]:6.3f} "
            f"{self.hard[1]:6.3f} {self.en2ja:6.3f} {self.judged:6.3f} "
            f"{self.cross_language:6.3f} {self.japanese_needs:6.3f}"
        )


HEADER = (
    f"{'variant':40} {'ja A':>6} {'ja B':>6} {'hard A':>6} {'hard B':>6} {'en2ja':>6} "
    f"{'judged':>6} {'xlang':>6} {'jaNeed':>6}"
)


def measure(
    variant: str,
    *,
    industries: Sequence[jsic.Industry],
    examples: Sequence[jsic.Example],
    documents: Sequence[Document],
    queries: Sequence[quality.Query],
    concepts: list[GlossaryConcept],
    boost: float,
) -> Row:
    params = parse(variant)
    rankers = {
        corpus: jsic.rank_in_process(industries, concepts, params, english=corpus == "en")
        for corpus in ("en", "ja")
    }

    def rank(corpus: str, texts: list[str]) -> list[jsic.Ranked]:
        return [rankers[corpus](text) for text in texts]

    ja, hard = [], []
    for part in jsic.split(examples, seed=15):
        asked = {t: q for t, q in jsic.questions(industries, part).items() if t in ("ja", "hard")}
        report = jsic.evaluate(industries, asked, rank)
        ja.append(report.tasks["ja"].ratio)
        hard.append(report.tasks["hard"].ratio)
    en2ja = jsic.evaluate(industries, {"en2ja": jsic.questions(industries, [])["en2ja"]}, rank)
    ranker = quality.ranker_system(documents, concepts, params, boost=boost)
    judged = quality.evaluate(ranker, queries)
    needs = [q for q in queries if q.id.startswith(quality.JAPANESE_NEEDS_PREFIX)]
    return Row(
        variant,
        (ja[0], ja[1]),
        (hard[0], hard[1]),
        en2ja.tasks["en2ja"].ranker.mrr,
        judged.ndcg10,
        judged.cross_ndcg10,
        quality.evaluate(ranker, needs).ndcg10,
    )
