"""Keyword suggestions from the glossary for the profile being written."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from profiles.models import Concept

# The glossary as the suggestions read it, kept per process for a minute: reading and
# preparing its 500 concepts on each edit page took longer than the matching itself. A
# glossary edit shows in the suggestions within the minute.
GLOSSARY_MAX_AGE = 60.0


@dataclass(frozen=True)
class _Entry:
    concept: Concept
    lowered: frozenset[str]  # every term, lower case: a keyword already present skips it
    english: tuple[tuple[str, re.Pattern[str]], ...]  # (casefolded term, whole-word pattern)
    japanese: tuple[str, ...]


_glossary: tuple[float, list[_Entry]] | None = None


def _entry(concept: Concept) -> _Entry:
    terms = [term for term in concept.terms_en() + concept.terms_ja() if term]
    return _Entry(
        concept=concept,
        lowered=frozenset(term.lower() for term in terms),
        # Whole words for English ("AI" must not match "said"); substrings for Japanese.
        english=tuple(
            (term.casefold(), re.compile(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", re.I))
            for term in terms
            if term.isascii()
        ),
        japanese=tuple(term for term in terms if not term.isascii()),
    )


def _entries() -> list[_Entry]:
    global _glossary
    now = time.monotonic()
    if _glossary is None or now - _glossary[0] > GLOSSARY_MAX_AGE:
        _glossary = (now, [_entry(concept) for concept in Concept.objects.all()])
    return _glossary[1]


def _casefold(text: str) -> str:
    """Fold as `re.I` matches: every text a pattern finds then contains its folded term."""
    # re.I also equates "i" with the Turkish dotless ı and dotted İ (which casefolds to i +
    # a combining dot); the substring test must not miss what the pattern would find.
    return text.casefold().replace("\u0131", "i").replace("\u0307", "")


def _mentions(entry: _Entry, text: str, folded: str) -> bool:
    # The substring test first: most terms are absent, and it costs a fraction of the regex.
    return any(term in text for term in entry.japanese) or any(
        term in folded and pattern.search(text) is not None for term, pattern in entry.english
    )


def suggest_keywords(*, texts: Iterable[str], keywords: str, limit: int = 12) -> list[Concept]:
    """Return glossary concepts the texts mention that the keywords do not have yet."""
    text = "\n".join(texts)
    if not text.strip():
        return []
    folded = _casefold(text)
    present = {line.strip().lower() for line in keywords.splitlines() if line.strip()}
    suggestions = []
    for entry in _entries():
        if present & entry.lowered:
            continue
        if _mentions(entry, text, folded):
            suggestions.append(entry.concept)
            if len(suggestions) >= limit:
                break
    return suggestions
