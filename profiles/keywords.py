"""Keyword suggestions from the glossary for the profile being written."""

from __future__ import annotations

import re
from collections.abc import Iterable

from profiles.models import Concept


def _mentions(text: str, term: str) -> bool:
    if not term:
        return False
    if term.isascii():
        # Whole words for English ("AI" must not match "said"); substrings for Japanese.
        return re.search(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", text, re.I) is not None
    return term in text


def suggest_keywords(*, texts: Iterable[str], keywords: str, limit: int = 12) -> list[Concept]:
    """Return glossary concepts the texts mention that the keywords do not have yet."""
    text = "\n".join(texts)
    if not text.strip():
        return []
    present = {line.strip().lower() for line in keywords.splitlines() if line.strip()}
    suggestions = []
    for concept in Concept.objects.all():
        terms = concept.terms_en() + concept.terms_ja()
        if present & {term.lower() for term in terms}:
            continue
        if any(_mentions(text, term) for term in terms):
            suggestions.append(concept)
            if len(suggestions) >= limit:
                break
    return suggestions
