"""Readable explanations: which terms and glossary concepts made a result score."""

from __future__ import annotations

from dataclasses import dataclass

from matchmaking.ranker import chinese
from matchmaking.ranker.index import Contribution
from matchmaking.ranker.text import (
    BIGRAM_PREFIX,
    CONCEPT_PREFIX,
    GlossaryConcept,
    has_japanese,
    normalize,
)


@dataclass(frozen=True)
class Reason:
    term: str
    concept: bool
    weight: float


class Explainer:
    """Name features in the visitor's language where the glossary gives a translation.

    A Chinese reader (zh-hans, zh-hant, zh-tw...) gets a concept's Chinese name where the
    glossary has one (else its English name), and a Japanese word written in the reader's
    script when no concept names it.
    """

    def __init__(self, concepts: list[GlossaryConcept]) -> None:
        self.concepts = {c.key: c for c in concepts}
        self.translations: dict[str, GlossaryConcept] = {}
        for concept in concepts:
            for term in (*concept.terms_en, *concept.terms_ja):
                self.translations.setdefault(normalize(term), concept)
        # A word of a Chinese query is analysed in Japanese forms (閥門 for 阀门).
        for concept in concepts:
            for written_in, terms in (
                ("zh-hans", concept.terms_zh_hans),
                ("zh-hant", concept.terms_zh_hant),
            ):
                for term in terms:
                    term = normalize(term)
                    if has_japanese(term):
                        forms = chinese.japanese_forms(term, written_in)  # type: ignore[arg-type]
                        self.translations.setdefault(forms, concept)

    def name(self, feature: str, lang: str) -> tuple[str, bool]:
        japanese = lang.startswith("ja")
        if feature.startswith(CONCEPT_PREFIX):
            concept = self.concepts.get(feature[len(CONCEPT_PREFIX) :])
            if concept is not None:
                return concept.name_for(lang), True
            return feature[len(CONCEPT_PREFIX) :], True
        word = feature.removeprefix(BIGRAM_PREFIX)
        concept = self.translations.get(word)
        if concept is not None and has_japanese(word) != japanese:
            return concept.name_for(lang), True
        reader = chinese.reader_script(lang)
        if reader is not None and has_japanese(word):
            return chinese.reader_forms(word, reader), False
        return word, False

    def reasons(
        self, contributions: list[Contribution], lang: str, limit: int = 5
    ) -> list[Reason]:
        merged: dict[str, Reason] = {}
        for contribution in contributions:
            term, concept = self.name(contribution.feature, lang)
            previous = merged.get(term)
            weight = contribution.weight + (previous.weight if previous else 0.0)
            merged[term] = Reason(term, concept or bool(previous and previous.concept), weight)
        return sorted(merged.values(), key=lambda r: -r.weight)[:limit]
