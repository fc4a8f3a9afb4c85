"""Bilingual directory search, backed by the database (SQLite and PostgreSQL alike).

A query becomes a `SearchPlan`: weighted terms in English and Japanese. English words are
lower-cased, stop words and simple plurals dropped; Japanese runs of kana and kanji are kept
whole and also cut at particles. The glossary (`Concept`) then adds the other language's
terms for every concept the query names, which is how "precision machining" reaches a profile
written only in Japanese (精密加工) and the other way round.

Matching ORs the terms (a profile needs one, not all) and ranks by a score: for each term
found in a field, the term's weight times the field's weight. The score is one SQL
expression, so ranking happens in the database in one query.
"""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Max,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Combinable, RawSQL

from profiles.models import Concept, Organization

# Field weights: a term in the name says more than a term somewhere in the description.
FIELD_WEIGHTS = {
    "name": 5,
    "keywords": 4,
    "offers": 3,
    "description": 2,
    "seeks": 1,
}
# Bounds the SQL a single query can generate (terms x fields CASE branches).
MAX_TERMS = 30
QUERY_LIMIT = 200

# fmt: off
STOP_WORDS = frozenset({
    "a", "about", "above", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be",
    "by", "can", "for", "from", "get", "has", "have", "how", "i", "in", "into", "is", "it",
    "its", "looking", "me", "my", "need", "near", "of", "on", "or", "our", "partner",
    "partners", "seek", "seeking", "so", "some", "than", "that", "the", "their", "them",
    "these", "this", "those", "to", "up", "us", "want", "we", "what", "where", "which", "who",
    "with", "within", "without", "you", "your",
})
# fmt: on
# Words where a trailing "s" is not a plural.
NOT_PLURAL = ("ss", "us", "is", "ics", "ous", "sis")

_ENGLISH_WORD = re.compile(r"[a-z0-9]+(?:[-+.&][a-z0-9]+)*")
_JAPANESE_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶー]+")
_HIRAGANA_RUN = re.compile(r"[\u3040-\u309f]+")
_SHORT_TERM_LENGTH = 3  # ASCII terms this short only match whole words ("ev" is not in "level")
ACRONYM_LENGTH = 4  # ASCII terms up to this long are looked for in Japanese text too


def normalise(text: str) -> str:
    """Fold full-width forms to ASCII (ＥＶ -> EV), lower-case, squeeze spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word.endswith(NOT_PLURAL):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    return word[:-1]


def english_words(text: str) -> list[str]:
    """Return the content words of English text: lower-case, no stop words, singular."""
    words = _ENGLISH_WORD.findall(normalise(text))
    return [singular(word) for word in words if word not in STOP_WORDS]


def is_japanese(text: str) -> bool:
    return bool(_JAPANESE_RUN.search(text))


def japanese_runs(text: str) -> list[str]:
    """Return the Japanese runs of text, each whole and cut at hiragana (particles)."""
    runs: list[str] = []
    for run in _JAPANESE_RUN.findall(normalise(text)):
        runs.append(run)
        parts = [part for part in _HIRAGANA_RUN.split(run) if len(part) >= 2]
        runs.extend(part for part in parts if part != run)
    return list(dict.fromkeys(runs))


@dataclass(frozen=True)
class Term:
    text: str
    weight: int
    language: str  # "en", "ja", or "any" for ASCII inside Japanese ("EV用モーター")

    @property
    def whole_word_only(self) -> bool:
        return self.text.isascii() and len(self.text) <= _SHORT_TERM_LENGTH


@dataclass(frozen=True)
class SearchPlan:
    query: str
    terms: tuple[Term, ...]
    concepts: tuple[Concept, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def cross_language_terms(self) -> list[str]:
        """The glossary terms added in the language the visitor did not type."""
        typed_japanese = is_japanese(self.query)
        return [
            (concept.name_en if typed_japanese else concept.name_ja) for concept in self.concepts
        ]


# -- the glossary, read once per change ------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    concept: Concept
    phrases_en: tuple[tuple[str, ...], ...]
    terms_ja: tuple[str, ...]
    first_words: frozenset[str]  # a cheap test before looking for whole phrases


_glossary_lock = threading.Lock()
_glossary: tuple[tuple[object, ...], list[_Entry]] = ((), [])
_glossary_checked = -math.inf  # time.monotonic() of the last version check
GLOSSARY_CHECK_SECONDS = 2.0


def recheck_glossary() -> None:
    """Make the next search of this process check the glossary's version."""
    global _glossary_checked
    with _glossary_lock:
        _glossary_checked = -math.inf


def _glossary_entries() -> list[_Entry]:
    """Return the glossary, reloaded only when a concept was added, removed or edited.

    One cheap aggregate query, at most every GLOSSARY_CHECK_SECONDS per process, decides:
    every worker notices an edit within seconds, without a cache to invalidate.
    """
    global _glossary, _glossary_checked
    now = time.monotonic()
    with _glossary_lock:
        if _glossary[0] and now - _glossary_checked < GLOSSARY_CHECK_SECONDS:
            return _glossary[1]
    version = tuple(Concept.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values())
    with _glossary_lock:
        _glossary_checked = now
        if _glossary[0] == version:
            return _glossary[1]
    entries = []
    for concept in Concept.objects.all():
        phrases = {tuple(english_words(term)) for term in concept.terms_en()}
        terms_ja = {normalise(term) for term in concept.terms_ja() if term.strip()}
        phrases_en = tuple(p for p in phrases if p)
        entries.append(
            _Entry(
                concept,
                phrases_en,
                tuple(t for t in terms_ja if t),
                frozenset(phrase[0] for phrase in phrases_en),
            )
        )
    with _glossary_lock:
        _glossary = (version, entries)
    return entries


def _contains_phrase(words: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def plan_search(query: str) -> SearchPlan:
    """Turn what the visitor typed into weighted terms in both languages."""
    query = query.strip()[:QUERY_LIMIT]
    text = normalise(query)
    if not text:
        return SearchPlan(query="", terms=())
    weights: dict[tuple[str, str], int] = {}

    def add(term: str, weight: int, language: str) -> None:
        term = normalise(term)
        if term.isascii():
            # "Electric Motors" and "electric motor" are one term. Acronyms are written in
            # Japanese text too ("EV用モーター"), so they are looked for in both languages;
            # longer English words only in English text, which halves what the database reads.
            term = " ".join(english_words(term)) or term
            language = "any" if len(term) <= ACRONYM_LENGTH else "en"
        if term and weights.get((term, language), 0) < weight:
            weights[(term, language)] = weight

    words = english_words(text)
    for word in words:
        add(word, 1, "en")
    for run in japanese_runs(text):
        add(run, 2, "ja")

    concepts = []
    word_set = set(words)
    for entry in _glossary_entries():
        named = (
            not entry.first_words.isdisjoint(word_set)
            and any(_contains_phrase(words, phrase) for phrase in entry.phrases_en)
        ) or any(len(term) >= 2 and term in text for term in entry.terms_ja)
        if not named:
            continue
        concepts.append(entry.concept)
        # A concept the visitor named scores above a stray word, in both languages.
        for position, term in enumerate(entry.concept.terms_en()):
            add(term, 3 if position == 0 else 2, "en")
        for position, term in enumerate(entry.concept.terms_ja()):
            add(term, 3 if position == 0 else 2, "ja")

    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:MAX_TERMS]
    terms = tuple(Term(text, weight, language) for (text, language), weight in ranked)
    return SearchPlan(query=query, terms=terms, concepts=tuple(concepts))


# -- SQL -----------------------------------------------------------------------------------


def _fields(language: str) -> Iterable[tuple[str, int]]:
    for base, weight in FIELD_WEIGHTS.items():
        if base == "keywords":
            yield "keywords", weight
            continue
        if language in ("en", "any"):
            yield f"{base}_en", weight
        if language in ("ja", "any"):
            yield f"{base}_ja", weight


def _condition(column: str, term: Term) -> tuple[str, list[str]]:
    """SQL for "this column contains this term", written through the backend's own operators.

    Hand-built rather than one Q per term and field: a query has hundreds of them, and the
    ORM's per-expression overhead cost more than the database's work.
    """
    ops, operators = connection.ops, connection.operators  # type: ignore[attr-defined]
    lhs = f"{connection.ops.quote_name(Organization._meta.db_table)}.{ops.quote_name(column)}"
    contains = ops.lookup_cast("icontains", "TextField") % lhs
    sql = f"{contains} {operators['icontains'] % '%s'}"
    params = [f"%{ops.prep_for_like_query(term.text)}%"]
    if term.whole_word_only:
        # The LIKE first, so that the regex (a Python call on SQLite) only runs on rows that
        # contain the term. The pattern is portable between Python re and PostgreSQL's ~*.
        pattern = rf"(^|[^a-z0-9]){re.escape(term.text)}([^a-z0-9]|$)"
        regex = ops.lookup_cast("iregex", "TextField") % lhs
        sql = f"({sql} AND {regex} {operators['iregex'] % '%s'})"
        params.append(pattern)
    return sql, params


def _minimal(terms: tuple[Term, ...]) -> list[Term]:
    """Drop terms that contain another term: "ev motor" only matches where "motor" does."""
    return [
        term
        for term in terms
        if not any(
            other.text != term.text
            and other.text in term.text
            and other.language in (term.language, "any")
            and not other.whole_word_only
            for other in terms
        )
    ]


def match_condition(plan: SearchPlan) -> RawSQL:
    """Any term in any of its language's fields, except what the organization seeks.

    What it seeks ranks among the matches but does not make one: a visitor looking for
    motor makers wants the makers, not everyone who buys motors. It also saves the
    database a fifth of its reading.
    """
    parts = [
        _condition(column, term)
        for term in _minimal(plan.terms)
        for column, _ in _fields(term.language)
        if not column.startswith("seeks")
    ]
    sql = " OR ".join(part for part, _ in parts)
    params = [p for _, condition_params in parts for p in condition_params]
    # Safe: the SQL is built from the backend's operators and quoted column names only;
    # every value the visitor typed travels as a parameter.
    return RawSQL(f"({sql})", params, BooleanField())  # noqa: S611


def score_expression(plan: SearchPlan) -> RawSQL:
    """The weighted count of matched terms per field, as one flat SQL sum."""
    parts = []
    params: list[str | int] = []
    for term in plan.terms:
        for column, weight in _fields(term.language):
            sql, condition_params = _condition(column, term)
            parts.append(f"CASE WHEN {sql} THEN %s ELSE 0 END")
            params.extend([*condition_params, term.weight * weight])
    return RawSQL(f"({' + '.join(parts)})", params, IntegerField())  # noqa: S611


def search_scores(organizations: QuerySet[Organization], plan: SearchPlan) -> dict[int, int]:
    """Return {organization id: score} for the organizations that match, in one query."""
    if not plan:
        return {}
    rows = (
        organizations.filter(match_condition(plan))
        .annotate(search_score=score_expression(plan))
        .values_list("pk", "search_score")
    )
    return dict(rows)


def rank_by_scores(scores: dict[int, int]) -> Combinable:
    """An annotation that gives each organization its score, for ORDER BY in SQL.

    Grouped by score, so the CASE has as many branches as there are distinct scores.
    """
    by_score: dict[int, list[int]] = {}
    for pk, score in scores.items():
        by_score.setdefault(score, []).append(pk)
    if not by_score:
        return Value(0, output_field=IntegerField())
    return Case(
        *[When(pk__in=pks, then=Value(score)) for score, pks in by_score.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
