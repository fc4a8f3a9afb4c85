"""A Japanese word -> English gloss words table, built once from JMdict (jamdict-data).

jamdict-data ships JMdict as a SQLite file; querying it per token would be slow, so the
table is read once per process (and per choice of entries) into a plain dict. Keys are
NFKC-lowercased headwords: kanji spellings, and kana spellings of entries that have no kanji
or are usually written in kana (a kana reading of a kanji word is too ambiguous to key on).
Values are the English words (analysed like any English text: plural-folded, stop words
dropped) of the entry's first senses.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata

from matchmaking.ranker.columns import StringTable
from matchmaking.ranker.text import (
    EN_TOKEN,
    STOP_WORDS,
    DictionaryEntries,
    DictionaryPos,
    _sudachi,
    has_japanese,
    normalize,
    stem,
)

# JMdict's own definition of a common word (the "P" mark): one of these priority tags.
COMMON_PRIORITIES = frozenset({"news1", "ichi1", "spec1", "spec2", "gai1"})
MAX_SENSES = 2
MAX_WORDS = 6
_PARENTHESES = re.compile(r"\([^)]*\)")
# Gloss words that explain rather than translate ("something", "esp.", "one's").
_GLOSS_STOP_WORDS = frozenset(
    {"esp", "etc", "something", "someone", "thing", "one", "kind", "sort", "type", "act"}
)

# Legal forms in organization names: their glosses ("stock", "corporation", "partnership")
# would match needs that have nothing to do with the organization's business.
_NO_GLOSS = frozenset(
    {"株式会社", "会社", "法人", "財団法人", "社団法人", "公益", "協同組合", "組合"}
)


def _is_wanted(pos: str, wanted: DictionaryPos) -> bool:
    if wanted == "nouns":
        return "noun" in pos and "pronoun" not in pos and "prenominal" not in pos
    return any(p in pos for p in ("noun", "verb", "adjective")) and "pronoun" not in pos


def gloss_words(gloss: str) -> list[str]:
    gloss = _PARENTHESES.sub(" ", normalize(gloss))
    return [
        word
        for word in (stem(w) for w in EN_TOKEN.findall(gloss))
        if len(word) > 1
        and word not in STOP_WORDS
        and word not in _GLOSS_STOP_WORDS
        and not word.isdigit()
    ]


def database_path() -> str:
    import jamdict_data

    return str(jamdict_data.JAMDICT_DB_PATH)


@functools.cache
def gloss_table(
    entries: DictionaryEntries, pos: DictionaryPos = "nouns", path: str | None = None
) -> dict[str, tuple[str, ...]]:
    """Headword -> English gloss words, for common entries or all of them."""
    if entries == "off":
        return {}
    connection = sqlite3.connect(f"file:{path or database_path()}?mode=ro", uri=True)
    try:
        return _build(connection, entries, pos)
    finally:
        connection.close()


@functools.cache
def gloss_string_table(entries: DictionaryEntries, pos: DictionaryPos = "nouns") -> StringTable:
    """`gloss_table` as the arrays an index stores it in (`columns.StringTable`).

    Every index built in a process stores the same table; converting its 224,000 entries
    takes about a second, so it is done once per process, as reading the table is."""
    return StringTable.from_dict(gloss_table(entries, pos))


def _build(
    connection: sqlite3.Connection, entries: DictionaryEntries, wanted: DictionaryPos
) -> dict[str, tuple[str, ...]]:
    common = entries == "common"
    headwords: dict[int, list[str]] = {}
    has_kanji: set[int] = set()
    for idseq, text, priorities in connection.execute(
        "SELECT k.idseq, k.text, group_concat(p.text) FROM Kanji k "
        "LEFT JOIN KJP p ON p.kid = k.ID GROUP BY k.ID ORDER BY k.ID"
    ):
        has_kanji.add(idseq)
        if not common or COMMON_PRIORITIES & set((priorities or "").split(",")):
            headwords.setdefault(idseq, []).append(normalize(text))
    kana_usual = {
        idseq
        for (idseq,) in connection.execute(
            "SELECT DISTINCT s.idseq FROM Sense s JOIN misc m ON m.sid = s.ID "
            "WHERE m.text = 'word usually written using kana alone'"
        )
    }
    for idseq, text, priorities in connection.execute(
        "SELECT k.idseq, k.text, group_concat(p.text) FROM Kana k "
        "LEFT JOIN KNP p ON p.kid = k.ID GROUP BY k.ID ORDER BY k.ID"
    ):
        if idseq in has_kanji and idseq not in kana_usual:
            continue
        if not common or COMMON_PRIORITIES & set((priorities or "").split(",")):
            headwords.setdefault(idseq, []).append(normalize(text))

    pos_of: dict[int, str] = {}
    for sid, text in connection.execute(
        "SELECT sid, group_concat(text, ';') FROM pos GROUP BY sid"
    ):
        pos_of[sid] = text
    glosses: dict[int, list[str]] = {}
    for sid, text in connection.execute(
        "SELECT sid, text FROM SenseGloss WHERE lang = 'eng' ORDER BY rowid"
    ):
        glosses.setdefault(sid, []).append(text)

    words_of: dict[int, list[str]] = {}
    senses_seen: dict[int, int] = {}
    for sid, idseq in connection.execute("SELECT ID, idseq FROM Sense ORDER BY ID"):
        if idseq not in headwords:
            continue
        seen = senses_seen.get(idseq, 0)
        if seen >= MAX_SENSES:
            continue
        senses_seen[idseq] = seen + 1
        if not _is_wanted(pos_of.get(sid, ""), wanted):
            continue
        words = words_of.setdefault(idseq, [])
        for gloss in glosses.get(sid, ()):
            words.extend(gloss_words(gloss))

    table: dict[str, list[str]] = {}
    for idseq, words in words_of.items():
        for headword in headwords[idseq]:
            merged = table.setdefault(headword, [])
            merged.extend(w for w in words if w not in merged)
    interned: dict[tuple[str, ...], tuple[str, ...]] = {}
    result: dict[str, tuple[str, ...]] = {}
    for headword, words in table.items():
        if words and headword not in _NO_GLOSS:
            value = tuple(words[:MAX_WORDS])
            result[headword] = interned.setdefault(value, value)
    return result


# == a word's first gloss, for people to read (the at-a-glance reading of a profile) ==

_SPACES = re.compile(r"\s+")
GLOSS_CACHE_SIZE = 20_000
PHRASE_WORDS = 4  # a keyword split into more words than this is not glossed word by word


@functools.lru_cache(maxsize=GLOSS_CACHE_SIZE)
def first_gloss(headword: str, path: str | None = None) -> str:
    """JMdict's first English gloss of a headword, without its parenthesised notes ("" when
    JMdict has none). A kanji spelling is preferred to a kana one, and a kana spelling counts
    only for an entry with no kanji or one usually written in kana, as in `gloss_table`;
    among entries, a common one (the "P" mark) first."""
    word = normalize(headword).strip()
    if not word or word in _NO_GLOSS:
        return ""
    connection = sqlite3.connect(f"file:{path or database_path()}?mode=ro", uri=True)
    try:
        candidates = connection.execute(
            "SELECT k.idseq, 0, group_concat(p.text) FROM Kanji k "
            "LEFT JOIN KJP p ON p.kid = k.ID WHERE k.text = ? GROUP BY k.ID "
            "UNION ALL "
            "SELECT k.idseq, 1, group_concat(p.text) FROM Kana k "
            "LEFT JOIN KNP p ON p.kid = k.ID WHERE k.text = ? GROUP BY k.ID",
            (word, word),
        ).fetchall()
        ranked = sorted(
            (kana, not COMMON_PRIORITIES & set((priorities or "").split(",")), idseq)
            for idseq, kana, priorities in candidates
            if not kana or _kana_counts(connection, idseq)
        )
        for _, _, idseq in ranked:
            row = connection.execute(
                "SELECT g.text FROM Sense s JOIN SenseGloss g ON g.sid = s.ID "
                "WHERE s.idseq = ? AND g.lang = 'eng' ORDER BY s.ID, g.rowid LIMIT 1",
                (idseq,),
            ).fetchone()
            if row:
                gloss = _SPACES.sub(" ", _PARENTHESES.sub(" ", row[0])).strip()
                if gloss:
                    return gloss
        return ""
    finally:
        connection.close()


def _kana_counts(connection: sqlite3.Connection, idseq: int) -> bool:
    """Whether a kana spelling may stand for this entry: it has no kanji spelling, or is
    usually written in kana."""
    if connection.execute("SELECT 1 FROM Kanji WHERE idseq = ? LIMIT 1", (idseq,)).fetchone():
        return (
            connection.execute(
                "SELECT 1 FROM Sense s JOIN misc m ON m.sid = s.ID WHERE s.idseq = ? "
                "AND m.text = 'word usually written using kana alone' LIMIT 1",
                (idseq,),
            ).fetchone()
            is not None
        )
    return True


@functools.lru_cache(maxsize=GLOSS_CACHE_SIZE)
def gloss_phrase(text: str, path: str | None = None) -> str:
    """An English reading of a Japanese word or short compound: JMdict's first gloss of the
    whole, else of its parts, in order (中空シャフト -> "hollow shaft": Japanese noun
    compounds put the modifier first, as English does).

    The parts are Sudachi's short units, joined greedily into the longest spelling JMdict
    has (冷間鍛造金型: 金 and 型 make 金型). A lone character that joins nothing is left out
    (機 in 減速機 would read "loom", 用 "business"); Latin letters stay as they are; a longer
    part JMdict lacks leaves the whole unglossed rather than read wrong. "" when there is no
    reading.
    """
    whole = first_gloss(text, path)
    if whole or not has_japanese(normalize(text)):
        return whole
    units = _short_units(unicodedata.normalize("NFKC", text).strip())
    if len(units) < 2:
        return ""
    glosses: list[str] = []
    i = 0
    while i < len(units):
        if not has_japanese(units[i]):
            glosses.append(units[i])  # Latin letters and digits read as they are (EV)
            i += 1
            continue
        for end in range(min(len(units), i + PHRASE_WORDS), i, -1):
            spelling = "".join(units[i:end])
            gloss = first_gloss(spelling, path) if len(spelling) > 1 else ""
            if gloss:
                glosses.append(gloss)
                i = end
                break
        else:
            if len(units[i]) > 1:
                return ""
            i += 1
    return " ".join(dict.fromkeys(glosses))


def _short_units(run: str) -> list[str]:
    """The surfaces of Sudachi's shortest split (mode A) of a Japanese text."""
    tokenizer, _, mode_a, _ = _sudachi()
    return [m.surface() for m in tokenizer.tokenize(run, mode_a) if m.surface().strip()]
