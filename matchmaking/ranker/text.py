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
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from matchmaking.ranker import chinese
from matchmaking.ranker.columns import StringTable

CONCEPT_PREFIX = "§"
# An English word that JMdict gives for a Japanese word; fitting and vectorising fold it into
# the plain English word at `AnalysisOptions.dictionary_weight`.
GLOSS_PREFIX = "¶"
RUN_CACHE_SIZE = 200_000
BIGRAM_PREFIX = "²"
# A short unit (split mode A) inside a longer compound: folded into the plain word at
# `AnalysisOptions.short_units` when fitting and vectorising, like a gloss.
UNIT_PREFIX = "¹"
# The head of a Japanese noun compound, folded into the plain word at
# `AnalysisOptions.heads`: what a compound names counts more than what it is about.
HEAD_PREFIX = "³"
# A single kanji of a Japanese run, folded into the n-gram space (as BIGRAM_PREFIX + the
# kanji) at `AnalysisOptions.ngram_unigrams`, like a gloss into the word space.
UNIGRAM_PREFIX = "⁰"
# What marks an analysed feature as other than a plain word.
FEATURE_PREFIXES = (
    CONCEPT_PREFIX,
    GLOSS_PREFIX,
    BIGRAM_PREFIX,
    UNIGRAM_PREFIX,
    UNIT_PREFIX,
    HEAD_PREFIX,
)

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
# What a text says it leaves out (after NFKC and lower case): a parenthesis that excludes
# (（獣医業を除く）, （製造小売でないもの）, (except veterinary services)); the words before
# を除く / を除き back to the last punctuation (薪及び炭を除く林産物); an English ", except ..."
# or ", excluding ..." to the next punctuation. What a text excludes is not what it is about.
_EXCLUDES = r"を除く|を除き|を除いた|でないもの|以外のもの|を含まない|\bexcept\b|\bexcluding\b"
# Each alternative starts only where it can (a parenthesis, the first character after a
# punctuation mark, the English word), so a long text is read once, not once per character.
_EXCLUDED = re.compile(
    rf"\([^()]*(?:{_EXCLUDES})[^()]*\)"
    r"|(?<![^、。,.;:()\s])[^、。,.;:()\s]*?を除(?:く|き|いた)"
    r"|\b(?:except|excluding)\b[^,.;:()\n、。]*"
)
# CJK ideographs (Extension A, the unified block, the compatibility block): the characters
# of a run that carry meaning alone (not kana, nor the iteration mark 々).
_KANJI = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# What an organization does with the things it names, after JSIC's own role structure:
# divisions E (製造業), I (卸売業 50-55, 小売業 56-61), M (飲食店 76-77), L 71 (学術・開発
# 研究機関), O (教育) and the service divisions, with their English equivalents. A need for
# a distributor then prefers wholesalers, one for a supplier prefers makers. Only words that
# the analysis keeps whole count (a Japanese term is matched by its Sudachi form).
ROLE_PREFIX = "◇"
ROLES: dict[str, tuple[str, ...]] = {
    "make": (
        "製造", "製造業", "製造業者", "メーカー", "製作", "製作所",
        "manufacture", "manufacturer", "manufacturing", "maker", "producer", "supplier",
        "factory", "oem",
    ),
    "wholesale": (
        "卸売", "卸売り", "卸売業", "卸売業者", "卸", "問屋", "商社", "代理店",
        "wholesale", "wholesaler", "distributor", "distribution", "trading", "importer",
    ),
    "retail": ("小売", "小売り", "小売業", "小売店", "retail", "retailer", "shop", "store"),
    "food": ("飲食", "飲食店", "レストラン", "restaurant", "catering"),
    "service": ("サービス", "サービス業", "service"),
    "research": ("研究", "研究所", "研究機関", "research", "laboratory"),
    "education": ("教育", "学校", "研修", "education", "school", "training"),
}  # fmt: skip
# The other activities JSIC's divisions name (D 建設業, H 運輸業, K 物品賃貸業, the repair
# industries of R and E): measured as an extension (docs/ranker.md), off unless asked.
MORE_ROLES: dict[str, tuple[str, ...]] = {
    "construction": ("工事", "工事業", "建設", "施工", "construction", "contractor"),
    "transport": ("運送", "運送業", "運輸", "輸送", "transport", "logistics", "shipping"),
    "rental": ("賃貸", "賃貸業", "リース", "レンタル", "rental", "leasing"),
    "repair": ("修理", "修理業", "補修", "repair"),
}  # fmt: skip
ROLE_BITS = {role: 1 << i for i, role in enumerate([*ROLES, *MORE_ROLES])}
# The roles an organization other than a company can have. A university's, an institute's
# or a support body's text names the trades it teaches, studies or serves (流通, distribution
# at a university of distribution studies), not a trade it carries on itself.
BUSINESS_KIND = "company"
PUBLIC_ROLES = ("service", "research", "education")
PUBLIC_ROLE_BITS = sum(ROLE_BITS[role] for role in PUBLIC_ROLES)


def allowed_roles(kind: str) -> int:
    """The bits of ROLE_BITS an organization of this kind can have."""
    return sum(ROLE_BITS.values()) if kind == BUSINESS_KIND else PUBLIC_ROLE_BITS


# The fields whose role words say what an organization is (what it seeks does not).
ROLE_FIELDS = ("name", "description", "offers", "keywords", "industries")


@functools.cache
def role_words(more: bool = False) -> dict[str, str]:
    """Each analysed form of a role word, with its role."""
    found: dict[str, str] = {}
    for role, terms in [*ROLES.items(), *(MORE_ROLES.items() if more else ())]:
        for term in terms:
            term = normalize(term)
            if has_japanese(term):
                words, _, _, _ = japanese_words(term)
                forms = [*words, term] if len(words) == 1 else [term]
            else:
                forms = [stem(term)]
            for form in forms:
                found.setdefault(form, role)
    return found


@functools.cache
def role_spans(more: bool = False) -> re.Pattern[str]:
    """The Japanese role words as written and as Sudachi reads them (`role_words` holds
    both), longest first: what `AnalysisOptions.role_ngrams` off leaves out of a run's
    n-grams."""
    terms = [form for form in role_words(more) if has_japanese(form)]
    return re.compile("|".join(map(re.escape, sorted(terms, key=lambda t: (-len(t), t)))))


ROLE_LEVELS = 4  # the whole role factor, a half, a quarter, an eighth


def role_boost(options: AnalysisOptions, words: int) -> float:
    """What a query of this many distinct content words adds to its role factor: all of
    `options.roles` up to `role_length` words, half of it up to twice as many, and so on
    down to an eighth (few levels: each is a factor array per role combination)."""
    if options.roles <= 0 or options.role_length <= 0 or words <= options.role_length:
        return options.roles if options.roles > 0 else 0.0
    halvings = math.ceil(math.log2(words / options.role_length))
    return options.roles / (1 << min(halvings, ROLE_LEVELS - 1))


def role_bits(features: Iterable[str], *, more: bool = False) -> int:
    """The roles that a text's (stored) features name, as bits of ROLE_BITS."""
    words = role_words(more)
    bits = 0
    for feature in features:
        role = words.get(feature)
        if role is not None:
            bits |= ROLE_BITS[role]
    return bits


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
_JA_AFFIX_POS = {"接尾辞", "接頭辞"}
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


def _sudachi() -> tuple[Any, dict[int, int], Any, dict[int, tuple[int, str | None]]]:
    """This thread's tokenizer; per part-of-speech id, whether it carries content; and per
    dictionary word (its id), its kind and content word.

    One tokenizer per thread: a Sudachi tokenizer is not safe to share across threads.
    Deciding by the id (looked up once per id) avoids building the part-of-speech tuple
    for every token, which was a third of the analysis time; a word's kind and normalised
    form belong to its dictionary entry, so they are decided once per entry too.
    """
    state = getattr(_sudachi_local, "state", None)
    if state is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary(dict="core")
        tokenizer = dictionary.tokenizer(
            mode=SplitMode.C, fields={"pos", "normalized_form", "split_a"}
        )
        state = _sudachi_local.state = (tokenizer, {}, SplitMode.A, {})
    return state


def japanese_words(
    run: str, *, short_units: bool = False
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Content words (dictionary forms) and the surface of every token, in order; the
    short units (split mode A) inside each compound that mode C keeps whole, when asked
    (only those that differ from the compound); and the head of each noun compound.

    Japanese compounds are right-headed: in ぶどう作農業 or ビスケット卸売業 the last noun
    (農業, 卸売業) says what kind of thing or activity it is, the rest what it is about.
    """
    tokenizer, content, mode_a, entries = _sudachi()
    words: list[str] = []
    surfaces: list[str] = []
    units: list[str] = []
    heads: list[str] = []
    add_word, add_surface = words.append, surfaces.append

    def kind_of(morpheme: Any) -> int:
        """0: no content, 1: a content word, 2: a content noun, 3: an affix (inside a
        compound, never its head)."""
        pos_id = morpheme.part_of_speech_id()
        kind = content.get(pos_id)
        if kind is None:
            pos = morpheme.part_of_speech()
            if pos[0] in _JA_AFFIX_POS:
                kind = 3
            elif _is_content(pos):
                kind = 2 if pos[0] == "名詞" else 1
            else:
                kind = 0
            content[pos_id] = kind
        return kind

    def word_of(morpheme: Any, kind: int) -> str | None:
        """The content word of a morpheme of this kind, or None."""
        if kind != 1 and kind != 2:
            return None
        word: str = morpheme.normalized_form().lower()
        if word in _JA_STOP_WORDS or (len(word) == 1 and _KANA_ONLY.match(word)):
            return None
        return word

    last_noun: str | None = None
    for morpheme in tokenizer.tokenize(run):
        surface = morpheme.surface()
        add_surface(surface)
        entry = entries.get(morpheme.word_id())
        if entry is None:
            kind = content.get(morpheme.part_of_speech_id())
            if kind is None:
                kind = kind_of(morpheme)
            entry = (kind, None if kind == 3 else word_of(morpheme, kind))
            if not morpheme.is_oov():  # unknown words share one id
                entries[morpheme.word_id()] = entry
        kind, word = entry
        if kind == 3:
            continue
        if kind != 2 or word is None:
            if last_noun is not None:
                heads.append(last_noun)
            last_noun = None
        else:
            last_noun = word
        if word is None:
            continue
        add_word(word)
        if short_units and len(surface) > 2:
            parts = morpheme.split(mode_a)
            if len(parts) > 1:
                units.extend(
                    w
                    for w in (word_of(part, kind_of(part)) for part in parts)
                    if w is not None and w != word and len(w) > 1
                )
    if last_noun is not None:
        heads.append(last_noun)
    return words, surfaces, units, heads


def japanese_bigrams(run: str, longest: int = 2, *, unigrams: bool = False) -> list[str]:
    """Character n-grams of a Japanese run, from 2 up to `longest` characters; with
    `unigrams`, each kanji of the run too (`UNIGRAM_PREFIX`: kana alone say nothing). A
    one-character run is its own n-gram if it is a kanji (竹), and is not counted again as a
    unigram; a lone kana (の between two English words) gives none."""
    if len(run) == 1:
        return [BIGRAM_PREFIX + run] if _KANJI.match(run) else []
    grams = [
        BIGRAM_PREFIX + run[i : i + n]
        for n in range(2, longest + 1)
        for i in range(len(run) - n + 1)
    ]
    if unigrams:
        grams.extend(UNIGRAM_PREFIX + kanji for kanji in _KANJI.findall(run))
    return grams


@dataclass(frozen=True)
class GlossaryConcept:
    key: str
    name_en: str
    name_ja: str
    terms_en: tuple[str, ...]
    terms_ja: tuple[str, ...]
    # Simplified and Traditional Chinese (issue 18): matched in Chinese text only.
    name_zh_hans: str = ""
    name_zh_hant: str = ""
    terms_zh_hans: tuple[str, ...] = ()
    terms_zh_hant: tuple[str, ...] = ()

    def name_for(self, lang: str) -> str:
        """The concept's name in a reader's language (English where the glossary has none)."""
        written_in = chinese.reader_script(lang)
        if written_in == "zh-hans":
            return self.name_zh_hans or self.name_zh_hant or self.name_en
        if written_in == "zh-hant":
            return self.name_zh_hant or self.name_zh_hans or self.name_en
        if lang.startswith("ja"):
            return self.name_ja or self.name_en
        return self.name_en


class GlossaryMatcher:
    """Find glossary concepts in normalised text, in either language.

    English terms match on whole (plural-folded) words; Japanese terms match on runs of whole
    Sudachi tokens (Japanese has no spaces, so the analyzer's token boundaries stand in for
    word boundaries), or as plain substrings when no tokenizer is used. In Chinese text
    (written in Japanese forms by then), the Chinese terms, in Japanese forms too, and the
    Japanese ones match as substrings: Sudachi's boundaries in Chinese are guesses.
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
        self._zh: dict[str, set[str]] = {term: set(keys) for term, keys in self._ja.items()}
        for concept in concepts:
            for written_in, terms in (
                ("zh-hans", concept.terms_zh_hans),
                ("zh-hant", concept.terms_zh_hant),
            ):
                for term in terms:
                    term = normalize(term).strip()
                    if has_japanese(term):
                        term = chinese.japanese_forms(term, written_in)  # type: ignore[arg-type]
                        self._zh.setdefault(term, set()).add(concept.key)
        self._zh_prefixes = {term[:i] for term in self._zh for i in range(1, len(term) + 1)}

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

    def in_chinese_text(self, text: str) -> list[str]:
        """Concepts whose Chinese or Japanese terms occur in Chinese text (in Japanese forms)."""
        found: list[str] = []
        prefixes, terms = self._zh_prefixes, self._zh
        n = len(text)
        for i in range(n):
            j = i + 1
            while j <= n and text[i:j] in prefixes:
                keys = terms.get(text[i:j])
                if keys:
                    found.extend(keys)
                j += 1
        return found

    def in_japanese_text(self, text: str) -> list[str]:
        """Concepts whose Japanese terms occur anywhere in the text (slower; no tokens)."""
        return [key for term, keys in self._ja.items() if term in text for key in keys]


def glossary_matcher(concepts: Iterable[GlossaryConcept]) -> GlossaryMatcher:
    """The matcher for these concepts, shared by every index and analyzer of the process
    with the same glossary (a matcher is never changed once built). Building one normalises
    and converts every term, tens of milliseconds for the real glossary, and fitting,
    storing and loading an index each needed one."""
    return _shared_matcher(tuple(concepts))


@functools.lru_cache(maxsize=8)
def _shared_matcher(concepts: tuple[GlossaryConcept, ...]) -> GlossaryMatcher:
    return GlossaryMatcher(list(concepts))


@dataclass(frozen=True)
class AnalysisOptions:
    japanese: JapaneseMode = "sudachi"
    concepts: bool = True
    # JMdict glosses for Japanese words (`matchmaking.ranker.jmdict`): which entries, which
    # parts of speech, and how much a gloss word counts against a real token. Nouns at full
    # weight (docs/jmdict-findings.md); all entries rather than the common ones since
    # issue 15: MIC's JSIC examples name rarer things (docs/ranker.md).
    dictionary: DictionaryEntries = "all"
    dictionary_pos: DictionaryPos = "nouns"
    dictionary_weight: float = 1.0
    # Gloss words per Japanese word, first sense first: 3 since issue 15's second round (6
    # before): the later words of an entry are mostly other senses (docs/ranker.md).
    dictionary_words: int = 3
    # Character bigrams of Japanese runs as a second feature space: each document's and
    # query's words and n-grams are l2-normalised apart and weighted so that a score is
    # (1 - ngram_share) × word cosine + ngram_share × n-gram cosine. Keeps the partial-word
    # matches that segmentation loses (a compound kept whole shares characters, not a word,
    # with its neighbours). 0: words only.
    ngram_share: float = 0.5
    ngram_longest: int = 2  # n-grams from 2 up to this many characters
    # Also each kanji of a run, in the n-gram space, at this weight against a bigram (竹細工
    # and 竹製品 share no bigram but share 竹); kana alone get none. 0: off (before issue
    # 15's second round).
    ngram_unigrams: float = 1.0
    # Also the short units (Sudachi split mode A) of a compound that mode C keeps whole,
    # at this weight against the compound itself (卸売業 also gives 卸売り). 0: off: with
    # the n-gram space it added nothing measurable (docs/ranker.md) and costs postings.
    short_units: float = 0.0
    # Role words (`ROLES`): a document whose text says it makes, wholesales, retails...
    # what the query asks for scores × (1 + roles), for a query of at most `role_length`
    # content words (`role_boost`). 0: off. 2.5 since issue 15's third round (0.5 before,
    # for queries of any length).
    roles: float = 2.5
    # The role factor by the query's length: a short query (an industry, 竹細工卸売業) that
    # names a role asks for it; in a long need a role word is one word among many. Up to
    # this many distinct content words the whole factor, then half of it for each doubling
    # of the length, down to an eighth. 0: the whole factor at any length (before).
    role_length: int = 3
    # Character n-grams of role words too (卸売, 売業 in 竹細工卸売業). Off since issue 15's
    # third round: the role is scored by its factor, and its n-grams matched every short
    # wholesaler (紙卸売業) to every wholesale query. On: indexes stored before.
    role_ngrams: bool = False
    # Also MORE_ROLES (construction, transport, rental, repair: JSIC divisions D and H, and
    # the rental and repair industries), since issue 15's second round.
    more_roles: bool = True
    # Extra term frequency of the head (last noun) of each Japanese noun compound. 0: off.
    heads: float = 0.0
    # Leave out what a text says it excludes (`_EXCLUDED`): 金属加工（鋳造を除く） is no
    # foundry (issue 15's second round). Off: indexes stored before the option existed.
    exclusions: bool = True
    # Chinese text (issue 18, `ranker.chinese`): told from Japanese, its characters written
    # in Japanese forms with OpenCC, then analysed as Japanese; glossary concepts by their
    # Chinese and Japanese terms. Off: analysed as Japanese as it stands (indexes stored
    # before the option existed).
    chinese: bool = True


class Analyzer:
    """Turn one text (English, Japanese or both) into feature counts."""

    def __init__(
        self,
        glossary: GlossaryMatcher | None,
        options: AnalysisOptions,
        dictionary: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        """`dictionary`: the JMdict gloss table an index was fitted with (stored in it, as a
        dict or as the arrays of a `columns.StringTable`); without one it is read from
        jamdict-data, as when fitting."""
        self.glossary = glossary if options.concepts else None
        self.options = options
        self.dictionary: Mapping[str, tuple[str, ...]] = {}
        # Read from jamdict-data here (not given): `dictionary_table` then reuses the
        # process's one conversion of it.
        self._from_jmdict = False
        if options.dictionary != "off" and options.japanese != "bigram":
            if dictionary is None:
                from matchmaking.ranker.jmdict import gloss_table

                dictionary = gloss_table(options.dictionary, options.dictionary_pos)
                self._from_jmdict = True
            self.dictionary = dictionary
        # Japanese runs recur (names, set phrases, industry names): tokenising each distinct
        # run once is a third less work on a directory-sized corpus.
        self._runs: dict[str, tuple[str, ...]] = {}
        self._chinese_runs: dict[str, tuple[str, ...]] = {}
        self._ngrams: dict[str, list[str]] = {}
        # The gloss features of each word in the table met so far, ready to add.
        self._glosses: dict[str, tuple[str, ...]] = {}

    def dictionary_table(self) -> StringTable:
        """The gloss table as an index stores it: as arrays (`columns.StringTable`)."""
        if isinstance(self.dictionary, StringTable):
            return self.dictionary
        if self._from_jmdict:
            from matchmaking.ranker.jmdict import gloss_string_table

            return gloss_string_table(self.options.dictionary, self.options.dictionary_pos)
        return StringTable.from_dict(self.dictionary)

    def _gloss_features(self, word: str) -> tuple[str, ...]:
        """The gloss features a Japanese word brings (JMdict's first gloss words), once per
        word: a table lookup is a few µs."""
        glosses = self._glosses.get(word)
        if glosses is None:
            entry = self.dictionary.get(word) if self.dictionary else None
            most = self.options.dictionary_words
            glosses = tuple(GLOSS_PREFIX + g for g in entry[:most]) if entry else ()
            self._glosses[word] = glosses
        return glosses

    def glosses_of(self, word: str) -> tuple[str, ...]:
        """The English gloss words a Japanese word of the analysed text brings, as stored."""
        return tuple(g[len(GLOSS_PREFIX) :] for g in self._gloss_features(word))

    def _japanese_run(self, run: str, *, in_chinese: bool = False) -> tuple[str, ...]:
        """The run's content words, their JMdict glosses and glossary concepts (as features);
        in Chinese text, the concepts are found in the whole text instead."""
        runs = self._chinese_runs if in_chinese else self._runs
        cached = runs.get(run)
        if cached is None:
            short = self.options.short_units > 0
            words, surfaces, units, heads = japanese_words(run, short_units=short)
            features = words.copy()
            features.extend(UNIT_PREFIX + unit for unit in units)
            if self.options.heads > 0:
                features.extend(HEAD_PREFIX + head for head in heads)
            if self.dictionary:
                for word in words:
                    glosses = self._glosses.get(word)
                    if glosses is None:
                        glosses = self._gloss_features(word)
                    features.extend(glosses)
            if self.glossary is not None and not in_chinese:
                features.extend(
                    CONCEPT_PREFIX + k for k in self.glossary.in_japanese_tokens(surfaces)
                )
            if len(runs) >= RUN_CACHE_SIZE:
                runs.clear()
            cached = runs[run] = tuple(features)
        return cached

    def _run_ngrams(self, run: str, spans: re.Pattern[str] | None) -> list[str]:
        """The run's n-grams; with `spans`, those of the parts between its role words only
        (none spans a role word's edge)."""
        options = self.options
        unigrams = options.ngram_unigrams > 0
        if spans is None:
            return japanese_bigrams(run, options.ngram_longest, unigrams=unigrams)
        grams: list[str] = []
        for part in spans.split(run):
            if part:
                grams.extend(japanese_bigrams(part, options.ngram_longest, unigrams=unigrams))
        return grams

    def plain_features(self, text: str) -> set[str]:
        """The text's features as stored in an index: gloss words and short units folded
        into plain words."""
        return {stored_feature(f, self.options)[0] for f in self.features(text)}

    def _paragraphs(self, text: str) -> list[tuple[str, bool]]:
        """The text's lines, each in Japanese forms and whether it is Chinese; the text
        whole, as it stands, when no line is Chinese or holds Simplified characters (a
        firm's need joins what it wrote in Chinese with what it wrote in Japanese)."""
        if not self.options.chinese:
            return [(text, False)]
        lines = text.split("\n")
        read: list[tuple[str, bool]] = []
        changed = False
        for line in lines:
            if chinese.plainly_japanese(line):
                read.append((line, False))
                continue
            written_in = chinese.script(line) if has_japanese(line) else None
            if written_in is not None:
                read.append((chinese.japanese_forms(line, written_in), True))
                changed = True
            elif has_japanese(line) and chinese.has_simplified(line):
                read.append((chinese.japanese_forms(line, "zh-hans"), False))
                changed = True
            else:
                read.append((line, False))
        return read if changed else [(text, False)]

    def features(self, text: str) -> Counter[str]:
        if not text:
            return Counter()
        # Every feature in order, counted once at the end (in C): the same counts, keys in
        # the same first-seen order, as updating a Counter run by run.
        found: list[str] = []
        add = found.extend
        text = normalize(text)
        if self.options.exclusions:
            text = _EXCLUDED.sub(" ", text)
        if has_japanese(text):
            mode = self.options.japanese
            ngrams = mode != "sudachi" or self.options.ngram_share > 0
            spans = (
                role_spans(self.options.more_roles)
                if self.options.roles > 0 and not self.options.role_ngrams
                else None
            )
            paragraphs = self._paragraphs(text)
            for paragraph, in_chinese in paragraphs:
                if in_chinese and self.glossary is not None:
                    add(CONCEPT_PREFIX + k for k in self.glossary.in_chinese_text(paragraph))
                for run in _JA_RUN.findall(paragraph):
                    if mode != "bigram":
                        add(self._japanese_run(run, in_chinese=in_chinese))
                    if ngrams:
                        grams = self._ngrams.get(run)
                        if grams is None:
                            if len(self._ngrams) >= RUN_CACHE_SIZE:
                                self._ngrams.clear()
                            grams = self._ngrams[run] = self._run_ngrams(run, spans)
                        add(grams)
            if mode == "bigram" and self.glossary is not None:
                japanese = "\n".join(p for p, in_chinese in paragraphs if not in_chinese)
                add(CONCEPT_PREFIX + k for k in self.glossary.in_japanese_text(japanese))
            latin = _JA_RUN.sub(" ", text)
        else:
            latin = text
        words = list(map(stem, EN_TOKEN.findall(latin)))
        if self.glossary is not None:
            add(CONCEPT_PREFIX + k for k in self.glossary.in_words(words))
        add(w for w in words if len(w) > 1 and w not in STOP_WORDS and not w.isdigit())
        return Counter(found)


def stored_feature(feature: str, options: AnalysisOptions) -> tuple[str, float]:
    """The feature an analysed one is stored as, and the weight of its term frequency
    (gloss words and short units fold into the plain words at their own weights, kanji
    unigrams into the n-grams)."""
    if feature.startswith(GLOSS_PREFIX):
        return feature[len(GLOSS_PREFIX) :], options.dictionary_weight
    if feature.startswith(UNIT_PREFIX):
        return feature[len(UNIT_PREFIX) :], options.short_units
    if feature.startswith(HEAD_PREFIX):
        return feature[len(HEAD_PREFIX) :], options.heads
    if feature.startswith(UNIGRAM_PREFIX):
        return BIGRAM_PREFIX + feature[len(UNIGRAM_PREFIX) :], options.ngram_unigrams
    return feature, 1.0


def is_ngram(feature: str) -> bool:
    return feature.startswith(BIGRAM_PREFIX)
