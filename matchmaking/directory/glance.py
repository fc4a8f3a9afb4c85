"""The at-a-glance reading of a profile for a reader who cannot read the language it is written
in: its facts in the reader's language, the glossary concepts its texts name, and each keyword
with a gloss. A glossary reading, never a translation: nothing here turns a sentence into
another language, it names the things the profile names.

A concept is named by its glossary term in the reader's language (a Chinese term when the
glossary has one, else English); a keyword that is a glossary term gets the concept's term,
any other Japanese keyword JMdict's first English gloss (`ranker.jmdict.gloss_phrase`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from matchmaking.ranker import AnalysisOptions, Analyzer, glossary_matcher
from matchmaking.ranker.jmdict import gloss_phrase
from matchmaking.ranker.text import CONCEPT_PREFIX, has_japanese, normalize
from matchmaking.search.documents import glossary_concepts
from profiles.models import Concept, Organization

GLOSSARY_MAX_AGE = 60.0
# Glossary concepts only: no JMdict words, n-grams or roles, which say nothing to a reader.
_ANALYSIS = AnalysisOptions(dictionary="off", ngram_share=0.0, roles=0.0)


@dataclass(frozen=True)
class Reading:
    """A word as the profile has it, and what it reads as in the reader's language."""

    text: str
    lang: str
    gloss: str = ""
    gloss_lang: str = ""
    source: str = ""  # "glossary" or "dictionary" (JMdict), "" without a gloss


@dataclass(frozen=True)
class Term:
    """A glossary concept named in the reader's language (`lang`: the term's real language,
    English when the glossary has no term in the reader's)."""

    key: str
    text: str
    lang: str
    original: str = ""  # the Japanese term, for a reader who wants to look for it


@dataclass(frozen=True)
class Fact:
    label: str
    values: list[str]
    lang: str  # the values' language, or the first value's when they differ
    # Each value's language, when they differ (an industry's Chinese reading beside another's
    # English name); empty when all are in `lang`.
    langs: list[str] = field(default_factory=list)

    @property
    def parts(self) -> list[tuple[str, str]]:
        """(value, its language) pairs, for marking each value's language."""
        return list(zip(self.values, self.langs or [self.lang] * len(self.values), strict=True))


@dataclass
class Glance:
    language: str  # the reader's
    untranslated: list[str]  # labels of the texts written only in Japanese
    facts: list[Fact] = field(default_factory=list)
    offers: list[Term] = field(default_factory=list)
    seeks: list[Term] = field(default_factory=list)
    about: list[Term] = field(default_factory=list)  # named in its name or description only
    keywords: list[Reading] = field(default_factory=list)


@dataclass(frozen=True)
class _Glossary:
    concepts: dict[str, Concept]
    terms: dict[str, str]  # a normalised term in either language -> concept key
    analyzer: Analyzer


_glossary: tuple[float, _Glossary] | None = None


def _loaded_glossary() -> _Glossary:
    """The glossary, read at most once a minute per process (as other reference data is)."""
    global _glossary
    now = time.monotonic()
    if _glossary is None or now - _glossary[0] > GLOSSARY_MAX_AGE:
        concepts = {concept.key: concept for concept in Concept.objects.all()}
        terms: dict[str, str] = {}
        for concept in concepts.values():
            for term in (*concept.terms_en(), *concept.terms_ja()):
                terms.setdefault(normalize(term).strip(), concept.key)
        matcher = glossary_matcher(glossary_concepts())
        _glossary = (now, _Glossary(concepts, terms, Analyzer(matcher, _ANALYSIS)))
    return _glossary[1]


def _attribute(language: str) -> str:
    """The suffix of a language's fields: "zh-hans" -> "zh_hans"."""
    return language.lower().replace("-", "_")


def is_japanese(language: str) -> bool:
    return language.lower().startswith("ja")


def name_in(obj: Any, language: str) -> tuple[str, str]:
    """A reference row's name in the reader's language, and the language it really is in
    (see `Bilingual.localized_name`: a Chinese reader gets a place's Japanese name, an industry's
    Han reading, else English)."""
    name: tuple[str, str] = obj.localized_name(language)
    return name


def concept_term(concept: Concept, language: str) -> tuple[str, str]:
    """A glossary concept's term in the reader's language: Japanese, a Chinese term when the
    glossary has one (fields zh_hans, zh_hant), else English."""
    if is_japanese(language):
        return concept.name_ja, "ja"
    own = getattr(concept, _attribute(language), "")
    if isinstance(own, str) and own.strip() and not language.startswith("en"):
        return own.strip(), language
    return concept.name_en, "en"


def untranslated_texts(organization: Organization, language: str) -> list[str]:
    """The texts (description, offers, seeks) written in Japanese but not in the reader's
    language; empty for a Japanese reader."""
    if is_japanese(language):
        return []
    mine = "en" if language.startswith("en") else _attribute(language)
    return [
        text
        for text in Organization.bilingual_texts()
        if getattr(organization, f"{text}_ja", "").strip()
        and not (getattr(organization, f"{text}_{mine}", "") or "").strip()
    ]


def keyword_readings(organization: Organization, language: str) -> list[Reading]:
    """Each keyword with its gloss in the reader's language, when it is in another language:
    the glossary's term when the keyword is a glossary term, else (a Japanese keyword, a
    reader of another language) JMdict's first English gloss."""
    glossary = _loaded_glossary() if organization.keywords.strip() else None
    readings = []
    for keyword in organization.keyword_list():
        lang = "ja" if has_japanese(keyword) else "en"
        if glossary is None or is_japanese(language) == (lang == "ja"):
            readings.append(Reading(keyword, lang))
            continue
        key = glossary.terms.get(normalize(keyword).strip())
        if key is not None:
            text, term_lang = concept_term(glossary.concepts[key], language)
            if normalize(text) != normalize(keyword):
                readings.append(Reading(keyword, lang, text, term_lang, "glossary"))
                continue
        gloss = gloss_phrase(keyword) if lang == "ja" else ""
        if gloss:
            readings.append(Reading(keyword, lang, gloss, "en", "dictionary"))
        else:
            readings.append(Reading(keyword, lang))
    return readings


def _concepts_in(glossary: _Glossary, text: str) -> list[str]:
    found = glossary.analyzer.features(text)
    keys = [f[len(CONCEPT_PREFIX) :] for f in found if f.startswith(CONCEPT_PREFIX)]
    return [key for key in dict.fromkeys(keys) if key in glossary.concepts]


def _terms(glossary: _Glossary, keys: list[str], language: str) -> list[Term]:
    terms = []
    for key in keys:
        concept = glossary.concepts[key]
        text, lang = concept_term(concept, language)
        terms.append(Term(key, text, lang, concept.name_ja))
    return sorted(terms, key=lambda term: term.text.lower())


def _text(organization: Organization, name: str) -> str:
    return "\n".join(
        getattr(organization, f"{name}_{code}", "") or "" for code in ("ja", "en")
    ).strip()


def facts(organization: Organization, language: str) -> list[Fact]:
    """The structured facts of a profile, in the reader's language (the organization's
    prefecture, municipality, industries, partnership types and languages read here)."""
    prefecture, place_lang = name_in(organization.prefecture, language)
    place = [
        organization.municipality.name if organization.municipality else "",
        prefecture,
        name_in(organization.prefecture.region, language)[0],
    ]
    found = [
        Fact(_("Kind"), [str(organization.get_kind_display())], language),
        Fact(_("Where"), [p for p in place if p], place_lang),
    ]
    for label, rows in (
        (_("Industries"), organization.industries.all()),
        (_("Open to"), organization.partnership_types.all()),
        (_("Working languages"), organization.languages.all()),
    ):
        names = [name_in(row, language) for row in rows]
        if names:
            langs = [lang for _name, lang in names]
            mixed = langs if len(set(langs)) > 1 else []
            found.append(Fact(label, [name for name, _lang in names], langs[0], mixed))
    if organization.employees:
        found.append(Fact(_("Employees"), [organization.get_employees_display()], language))
    if organization.founded:
        found.append(Fact(_("Founded"), [str(organization.founded)], language))
    if organization.lying_dragon:
        found.append(
            Fact(
                _("Lying dragon"),
                [_("A strong regional organization that foreign firms rarely find.")],
                language,
            )
        )
    if organization.verified_at:
        found.append(
            Fact(
                _("Verified"),
                [
                    _("by the staff of %(prefecture)s")
                    % {"prefecture": name_in(organization.prefecture, language)[0]}
                ],
                language,
            )
        )
    return found


def glance(organization: Organization, language: str) -> Glance | None:
    """The at-a-glance reading for a reader of `language`, or None when the profile has every
    text it has in the reader's language (or the reader reads Japanese)."""
    untranslated = untranslated_texts(organization, language)
    if not untranslated:
        return None
    glossary = _loaded_glossary()
    offers = _concepts_in(glossary, _text(organization, "offers"))
    seeks = _concepts_in(glossary, _text(organization, "seeks"))
    named = [
        *_concepts_in(glossary, f"{organization.name_ja}\n{organization.name_en}"),
        *_concepts_in(glossary, _text(organization, "description")),
    ]
    about = [key for key in dict.fromkeys(named) if key not in offers and key not in seeks]
    labels = {
        "description": _("description"),
        "offers": _("what it offers"),
        "seeks": _("what it seeks"),
    }
    return Glance(
        language=language,
        untranslated=[labels.get(text, text) for text in untranslated],
        facts=facts(organization, language),
        offers=_terms(glossary, offers, language),
        seeks=_terms(glossary, seeks, language),
        about=_terms(glossary, about, language),
        keywords=keyword_readings(organization, language),
    )
