"""Text analysis for both languages: the features that documents and queries share.

Everything starts with NFKC (full-width Latin and half-width kana become their usual forms)
and lower case. Japanese runs go through SudachiPy (dictionary from sudachidict-core) or
character bigrams; the rest is split into English word tokens with stop words removed and
plurals folded. Glossary concepts found in either language add a shared `§key` feature,
which is what lets an English query reach a Japanese-only profile.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

CONCEPT_PREFIX = "§"
BIGRAM_PREFIX = "²"

JapaneseMode = Literal["sudachi", "bigram", "both"]

# Hiragana, katakana, CJK ideographs and the marks that live inside Japanese words.
_JA_CHAR = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30fc"
_JA_RUN = re.compile(f"[{_JA_CHAR}]+")
_HAS_JA = re.compile(f"[{_JA_CHAR}]")
_EN_TOKEN = re.compile(r"[a-z0-9]+(?:[+#]+)?")
_KANA_ONLY = re.compile(r"^[\u3040-\u309f]+$")

# Words that every profile uses and that say nothing about a fit.
_DOMAIN_STOP_WORDS = {
    "co",
    "company",
    "companies",
    "corp",
    "inc",
    "ltd",
    "looking",
    "seek",
    "seeking",
    "seeks",
    "offer",
    "offers",
    "offering",
    "want",
    "wants",
    "partner",
    "partners",
    "also",
    "including",
    "based",
    "using",
    "use",
    "like",
    "new",
}
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | _DOMAIN_STOP_WORDS)

# Sudachi parts of speech that carry content; numerals, pronouns and "dependent" nouns
# (こと, もの) do not.
_JA_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞"}
_JA_SKIP_SUBPOS = {"数詞", "代名詞", "非自立可能"}
_JA_STOP_WORDS = frozenset(
    {
        "する",
        "ある",
        "いる",
        "なる",
        "できる",
        "行う",
        "こと",
        "もの",
        "ため",
        "よう",
        "等",
        "など",
    }
)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def has_japanese(text: str) -> bool:
    return _HAS_JA.search(text) is not None


def stem(word: str) -> str:
    """Fold English plurals: robots -> robot, batteries -> battery, processes -> process."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "sis")):
        return word[:-1]
    return word


_sudachi_local = threading.local()


def _sudachi() -> Any:
    # One tokenizer per thread: a Sudachi tokenizer is not safe to share across threads.
    tokenizer = getattr(_sudachi_local, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary(dict="core")
        tokenizer = dictionary.create(mode=SplitMode.C, fields={"pos", "normalized_form"})
        _sudachi_local.tokenizer = tokenizer
    return tokenizer


def japanese_words(run: str) -> list[str]:
    words = []
    for morpheme in _sudachi().tokenize(run):
        pos = morpheme.part_of_speech()
        if pos[0] not in _JA_CONTENT_POS or pos[1] in _JA_SKIP_SUBPOS:
            continue
        word = morpheme.normalized_form()
        if word in _JA_STOP_WORDS or (len(word) == 1 and _KANA_ONLY.match(word)):
            continue
        words.append(word)
    return words


def japanese_bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [BIGRAM_PREFIX + run]
    return [BIGRAM_PREFIX + run[i : i + 2] for i in range(len(run) - 1)]


@dataclass(frozen=True)
class GlossaryConcept:
    key: str
    name_en: str
    name_ja: str
    terms_en: tuple[str, ...]
    terms_ja: tuple[str, ...]


class GlossaryMatcher:
    """Find glossary concepts in normalised text, in either language.

    English terms match on whole (plural-folded) words; Japanese terms match as substrings,
    because Japanese has no spaces and a term may sit inside a longer compound.
    """

    def __init__(self, concepts: list[GlossaryConcept]) -> None:
        self.concepts = {concept.key: concept for concept in concepts}
        self._en: dict[tuple[str, ...], set[str]] = {}
        self._ja: dict[str, dict[str, set[str]]] = {}
        self.max_en_words = 1
        for concept in concepts:
            for term in (*concept.terms_en, *concept.terms_ja):
                term = normalize(term).strip()
                if not term:
                    continue
                if has_japanese(term):
                    self._ja.setdefault(term[:2], {}).setdefault(term, set()).add(concept.key)
                else:
                    words = tuple(stem(w) for w in _EN_TOKEN.findall(term))
                    if words:
                        self._en.setdefault(words, set()).add(concept.key)
                        self.max_en_words = max(self.max_en_words, len(words))

    def in_words(self, words: list[str]) -> list[str]:
        found: list[str] = []
        n = len(words)
        for i in range(n):
            for size in range(1, min(self.max_en_words, n - i) + 1):
                keys = self._en.get(tuple(words[i : i + size]))
                if keys:
                    found.extend(keys)
        return found

    def in_japanese(self, text: str) -> list[str]:
        found: list[str] = []
        table = self._ja
        for i in range(len(text)):
            # Terms of one character are keyed by that character alone.
            for head in (text[i : i + 2], text[i]):
                terms = table.get(head)
                if terms:
                    for term, keys in terms.items():
                        if text.startswith(term, i):
                            found.extend(keys)
        return found


@dataclass(frozen=True)
class AnalysisOptions:
    japanese: JapaneseMode = "sudachi"
    concepts: bool = True


class Analyzer:
    """Turn one text (English, Japanese or both) into feature counts."""

    def __init__(self, glossary: GlossaryMatcher | None, options: AnalysisOptions) -> None:
        self.glossary = glossary if options.concepts else None
        self.options = options

    def features(self, text: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        if not text:
            return counts
        text = normalize(text)
        if has_japanese(text):
            mode = self.options.japanese
            for run in _JA_RUN.findall(text):
                if mode != "bigram":
                    counts.update(japanese_words(run))
                if mode != "sudachi":
                    counts.update(japanese_bigrams(run))
            if self.glossary is not None:
                counts.update(CONCEPT_PREFIX + k for k in self.glossary.in_japanese(text))
            latin = _JA_RUN.sub(" ", text)
        else:
            latin = text
        words = [stem(w) for w in _EN_TOKEN.findall(latin)]
        if self.glossary is not None:
            counts.update(CONCEPT_PREFIX + k for k in self.glossary.in_words(words))
        counts.update(w for w in words if len(w) > 1 and w not in STOP_WORDS and not w.isdigit())
        return counts
