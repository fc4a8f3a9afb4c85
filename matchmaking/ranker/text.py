"""Text analysis for both languages: the features that documents and queries share.

Everything starts with NFKC (full-width Latin and half-width kana become their usual forms)
and lower case. Japanese runs go through SudachiPy (dictionary from sudachidict-core) or
character bigrams; the rest is split into English word tokens with stop words removed and
plurals folded. Glossary concepts found in either language add a shared `§key` feature,
which is what lets an English query reach a Japanese-only profile; for the words beyond the
glossary, a Japanese word's JMdict glosses add its English words (`¶word`, folded into the
plain word when fitting and vectorising), which reaches both ways.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

CONCEPT_PREFIX = "§"
# An English word that JMdict gives for a Japanese word; fitting and vectorising fold it into
# the plain English word at `AnalysisOptions.dictionary_weight`.
GLOSS_PREFIX = "¶"
RUN_CACHE_SIZE = 200_000
BIGRAM_PREFIX = "²"

JapaneseMode = Literal["sudachi", "bigram", "both"]
DictionaryEntries = Literal["off", "common", "all"]
DictionaryPos = Literal["nouns", "content"]

# Hiragana, katakana, CJK ideographs and the marks that live inside Japanese words.
_JA_CHAR = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30fc"
# Digits and Latin letters between Japanese characters stay in the run (第5世代, 診断AI).
_JA_RUN = re.compile(f"[{_JA_CHAR}]+(?:[0-9a-z.]+[{_JA_CHAR}]+)*")
_HAS_JA = re.compile(f"[{_JA_CHAR}]")
EN_TOKEN = re.compile(r"[a-z0-9]+(?:[+#]+)?")
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


@functools.lru_cache(maxsize=100_000)
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


def _is_content(pos: tuple[str, ...]) -> bool:
    return pos[0] in _JA_CONTENT_POS and pos[1] not in _JA_SKIP_SUBPOS


def _sudachi() -> tuple[Any, dict[int, bool]]:
    """This thread's tokenizer and, per part-of-speech id, whether it carries content.

    One tokenizer per thread: a Sudachi tokenizer is not safe to share across threads.
    Deciding by the id (looked up once per id) avoids building the part-of-speech tuple
    for every token, which was a third of the analysis time.
    """
    state = getattr(_sudachi_local, "state", None)
    if state is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary(dict="core")
        tokenizer = dictionary.tokenizer(mode=SplitMode.C, fields={"pos", "normalized_form"})
        state = _sudachi_local.state = (tokenizer, {})
    return state


def japanese_words(run: str) -> tuple[list[str], list[str]]:
    """Content words (dictionary forms) and the surface of every token, in order."""
    tokenizer, content = _sudachi()
    words: list[str] = []
    surfaces: list[str] = []
    add_word, add_surface = words.append, surfaces.append
    for morpheme in tokenizer.tokenize(run):
        add_surface(morpheme.surface())
        pos_id = morpheme.part_of_speech_id()
        is_content = content.get(pos_id)
        if is_content is None:
            is_content = content[pos_id] = _is_content(morpheme.part_of_speech())
        if not is_content:
            continue
        word = morpheme.normalized_form().lower()
        if word in _JA_STOP_WORDS or (len(word) == 1 and _KANA_ONLY.match(word)):
            continue
        add_word(word)
    return words, surfaces


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

    English terms match on whole (plural-folded) words; Japanese terms match on runs of whole
    Sudachi tokens (Japanese has no spaces, so the analyzer's token boundaries stand in for
    word boundaries), or as plain substrings when no tokenizer is used.
    """

    def __init__(self, concepts: list[GlossaryConcept]) -> None:
        self.concepts = {concept.key: concept for concept in concepts}
        self._en: dict[tuple[str, ...], set[str]] = {}
        self._ja: dict[str, set[str]] = {}
        for concept in concepts:
            for term in (*concept.terms_en, *concept.terms_ja):
                term = normalize(term).strip()
                if not term:
                    continue
                if has_japanese(term):
                    self._ja.setdefault(term, set()).add(concept.key)
                else:
                    words = tuple(stem(w) for w in EN_TOKEN.findall(term))
                    if words:
                        self._en.setdefault(words, set()).add(concept.key)
        # The longest term (in words) that starts with each word.
        self._en_longest: dict[str, int] = {}
        for words in self._en:
            self._en_longest[words[0]] = max(self._en_longest.get(words[0], 0), len(words))
        # Every prefix of a Japanese term: extending a span of tokens stops as soon as the
        # text it covers cannot start any term.
        self._ja_prefixes = {term[:i] for term in self._ja for i in range(1, len(term) + 1)}

    def in_words(self, words: list[str]) -> list[str]:
        found: list[str] = []
        longest, terms = self._en_longest, self._en
        n = len(words)
        for i in [i for i, word in enumerate(words) if word in longest]:
            size = longest[words[i]]
            for end in range(i + 1, min(i + size, n) + 1):
                keys = terms.get(tuple(words[i:end]))
                if keys:
                    found.extend(keys)
        return found

    def in_japanese_tokens(self, surfaces: list[str]) -> list[str]:
        """Concepts whose Japanese terms cover whole tokens of the analysed text."""
        found: list[str] = []
        prefixes, terms = self._ja_prefixes, self._ja
        n = len(surfaces)
        for i in range(n):
            span = surfaces[i]
            j = i + 1
            while span in prefixes:
                keys = terms.get(span)
                if keys:
                    found.extend(keys)
                if j == n:
                    break
                span += surfaces[j]
                j += 1
        return found

    def in_japanese_text(self, text: str) -> list[str]:
        """Concepts whose Japanese terms occur anywhere in the text (slower; no tokens)."""
        return [key for term, keys in self._ja.items() if term in text for key in keys]


@dataclass(frozen=True)
class AnalysisOptions:
    japanese: JapaneseMode = "sudachi"
    concepts: bool = True
    # JMdict glosses for Japanese words (`matchmaking.ranker.jmdict`): which entries, which
    # parts of speech, and how much a gloss word counts against a real token. Common nouns
    # at full weight measured best (docs/jmdict-findings.md).
    dictionary: DictionaryEntries = "common"
    dictionary_pos: DictionaryPos = "nouns"
    dictionary_weight: float = 1.0
    dictionary_words: int = 6  # gloss words per Japanese word, first sense first


class Analyzer:
    """Turn one text (English, Japanese or both) into feature counts."""

    def __init__(
        self,
        glossary: GlossaryMatcher | None,
        options: AnalysisOptions,
        dictionary: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        """`dictionary`: the JMdict gloss table an index was fitted with (stored in it);
        without one it is read from jamdict-data, as when fitting."""
        self.glossary = glossary if options.concepts else None
        self.options = options
        self.dictionary: dict[str, tuple[str, ...]] = {}
        if options.dictionary != "off" and options.japanese != "bigram":
            if dictionary is None:
                from matchmaking.ranker.jmdict import gloss_table

                dictionary = gloss_table(options.dictionary, options.dictionary_pos)
            self.dictionary = dictionary
        # Japanese runs recur (names, set phrases, industry names): tokenising each distinct
        # run once is a third less work on a directory-sized corpus.
        self._runs: dict[str, tuple[str, ...]] = {}
        # The gloss features of each word in the table met so far, ready to add.
        self._glosses: dict[str, tuple[str, ...]] = {}

    def _japanese_run(self, run: str) -> tuple[str, ...]:
        """The run's content words, their JMdict glosses and glossary concepts (as features)."""
        cached = self._runs.get(run)
        if cached is None:
            words, surfaces = japanese_words(run)
            features = words.copy()
            if self.dictionary:
                for word in words:
                    glosses = self._glosses.get(word)
                    if glosses is None:
                        entry = self.dictionary.get(word)
                        if entry is None:
                            continue
                        most = self.options.dictionary_words
                        glosses = self._glosses[word] = tuple(
                            GLOSS_PREFIX + g for g in entry[:most]
                        )
                    features.extend(glosses)
            if self.glossary is not None:
                features.extend(
                    CONCEPT_PREFIX + k for k in self.glossary.in_japanese_tokens(surfaces)
                )
            if len(self._runs) >= RUN_CACHE_SIZE:
                self._runs.clear()
            cached = self._runs[run] = tuple(features)
        return cached

    def plain_features(self, text: str) -> set[str]:
        """The text's features as stored in an index: gloss words folded into plain words."""
        return {
            f[len(GLOSS_PREFIX) :] if f.startswith(GLOSS_PREFIX) else f
            for f in self.features(text)
        }

    def features(self, text: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        if not text:
            return counts
        text = normalize(text)
        if has_japanese(text):
            mode = self.options.japanese
            for run in _JA_RUN.findall(text):
                if mode != "bigram":
                    counts.update(self._japanese_run(run))
                if mode != "sudachi":
                    counts.update(japanese_bigrams(run))
            if mode == "bigram" and self.glossary is not None:
                found = self.glossary.in_japanese_text(text)
                counts.update(CONCEPT_PREFIX + k for k in found)
            latin = _JA_RUN.sub(" ", text)
        else:
            latin = text
        words = list(map(stem, EN_TOKEN.findall(latin)))
        if self.glossary is not None:
            counts.update(CONCEPT_PREFIX + k for k in self.glossary.in_words(words))
        counts.update(w for w in words if len(w) > 1 and w not in STOP_WORDS and not w.isdigit())
        return counts
