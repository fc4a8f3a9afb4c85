"""JMdict glosses in the analysis (matchmaking/ranker/jmdict.py): the long tail both ways."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from matchmaking.ranker import AnalysisOptions, Analyzer, Document, FitParams, Index, fit
from matchmaking.ranker.columns import StringTable
from matchmaking.ranker.jmdict import first_gloss, gloss_phrase, gloss_table
from matchmaking.ranker.text import GLOSS_PREFIX

# The tables and columns of jamdict-data's JMdict that the table is read from.
SCHEMA = """
CREATE TABLE Kanji (ID INTEGER PRIMARY KEY, idseq INTEGER, text TEXT);
CREATE TABLE KJP (kid INTEGER, text TEXT);
CREATE TABLE Kana (ID INTEGER PRIMARY KEY, idseq INTEGER, text TEXT, nokanji BOOLEAN);
CREATE TABLE KNP (kid INTEGER, text TEXT);
CREATE TABLE Sense (ID INTEGER PRIMARY KEY, idseq INTEGER);
CREATE TABLE pos (sid INTEGER, text TEXT);
CREATE TABLE misc (sid INTEGER, text TEXT);
CREATE TABLE SenseGloss (sid INTEGER, lang TEXT, gend TEXT, text TEXT);
"""
NOUN = "noun (common) (futsuumeishi)"


def small_jmdict(path: Path) -> str:
    """鋳造 (common noun), 鍛造 (uncommon noun), ロボット (loanword), 作る (common verb)."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.executemany(
        "INSERT INTO Kanji VALUES (?, ?, ?)", [(1, 10, "鋳造"), (2, 20, "鍛造"), (3, 40, "作る")]
    )
    db.executemany("INSERT INTO KJP VALUES (?, ?)", [(1, "news1"), (2, "nf30"), (3, "ichi1")])
    db.executemany(
        "INSERT INTO Kana VALUES (?, ?, ?, 0)",
        [(1, 10, "ちゅうぞう"), (2, 20, "たんぞう"), (3, 30, "ロボット"), (4, 40, "つくる")],
    )
    db.executemany("INSERT INTO KNP VALUES (?, ?)", [(1, "news1"), (3, "gai1"), (4, "ichi1")])
    db.executemany(
        "INSERT INTO Sense VALUES (?, ?)", [(1, 10), (2, 10), (3, 10), (4, 20), (5, 30), (6, 40)]
    )
    db.executemany(
        "INSERT INTO pos VALUES (?, ?)",
        [(1, NOUN), (2, NOUN), (3, NOUN), (4, NOUN), (5, NOUN), (6, "transitive verb")],
    )
    db.executemany(
        "INSERT INTO SenseGloss VALUES (?, 'eng', '', ?)",
        [
            (1, "casting (of metals)"),
            (1, "castings"),
            (2, "founding"),
            (3, "minting (coins)"),
            (4, "forging"),
            (5, "robot"),
            (6, "to make"),
        ],
    )
    db.commit()
    db.close()
    return str(path)


def test_it_keys_common_nouns_by_their_spelling_with_their_first_senses(tmp_path) -> None:
    table = gloss_table("common", "nouns", small_jmdict(tmp_path / "jmdict.db"))
    # Parenthesised notes dropped, plurals folded, only the first two senses.
    assert table == {"鋳造": ("casting", "founding"), "ロボット": ("robot",)}


def test_all_entries_and_content_words_add_the_uncommon_and_the_verbs(tmp_path) -> None:
    table = gloss_table("all", "content", small_jmdict(tmp_path / "jmdict.db"))
    assert table["鍛造"] == ("forging",)
    assert table["作る"] == ("make",)
    # A kana reading of a word written in kanji is too ambiguous to key on.
    assert "ちゅうぞう" not in table


def test_the_shipped_table_comes_from_jamdict_data() -> None:
    table = gloss_table("common", "nouns")
    assert "semiconductor" in table["半導体"]
    assert "robot" in table["ロボット"]


def test_a_japanese_word_brings_its_gloss_words_only_when_asked() -> None:
    words_only = AnalysisOptions(concepts=False, ngram_share=0.0)
    with_glosses = Analyzer(None, words_only).features("鋳造")
    without = Analyzer(None, replace(words_only, dictionary="off")).features("鋳造")
    assert GLOSS_PREFIX + "casting" in with_glosses
    assert set(without) == {"鋳造"}


def organization(pk: int, offers: str) -> Document:
    return Document(
        id=pk,
        external_id=f"org-{pk}",
        fields={"offers": offers},
        kind="company",
        prefecture="43",
        region="kyushu-okinawa",
        metropolitan=False,
        lying_dragon=False,
    )


# No glossary: only JMdict can carry these words across.
FOUNDRY = organization(1, "アルミ鋳造と金属加工の工場です。")
TOURS = organization(2, "Guided tourism and sightseeing in the countryside.")
BREWERY = organization(3, "日本酒の酒蔵")


def test_an_english_query_reaches_a_japanese_only_profile_through_jmdict() -> None:
    index = fit([FOUNDRY, TOURS, BREWERY], [], FitParams())
    assert index.search("aluminium casting")[0].id == FOUNDRY.id
    before = fit(
        [FOUNDRY, TOURS, BREWERY], [], FitParams(analysis=AnalysisOptions(dictionary="off"))
    )
    assert FOUNDRY.id not in {h.id for h in before.search("casting")}


def test_a_japanese_query_reaches_an_english_only_profile_through_jmdict() -> None:
    index = fit([FOUNDRY, TOURS, BREWERY], [], FitParams())
    assert index.search("観光")[0].id == TOURS.id


def test_a_query_folds_gloss_words_into_the_plain_word_at_their_weight() -> None:
    # Words only (no n-gram space, short units or roles): the arithmetic of the glosses.
    options = AnalysisOptions(
        concepts=False,
        dictionary="common",
        dictionary_weight=0.5,
        ngram_share=0.0,
        short_units=0.0,
        roles=0.0,
    )
    index = fit([FOUNDRY, TOURS, BREWERY], [], FitParams(analysis=options))
    query = index.vectorize("casting 鋳造")
    # "casting" once as a word (tf 1) and once as a gloss of 鋳造 (tf 0.5); 鋳造 itself tf 1;
    # its other glosses 0.5 each (the foundry's profile has them too).
    tf = dict.fromkeys(gloss_table("common", "nouns")["鋳造"], 0.5)
    tf["casting"] += 1.0
    tf["鋳造"] = 1.0
    raw = {index.term_ids[t]: w * float(index.idf[index.term_ids[t]]) for t, w in tf.items()}
    norm = math.sqrt(sum(v * v for v in raw.values()))
    assert dict(zip(query.terms.tolist(), query.weights.tolist(), strict=True)) == pytest.approx(
        {t: v / norm for t, v in raw.items()}
    )


def test_the_gloss_words_of_a_matched_japanese_word_explain_as_that_word() -> None:
    # Both sides write 鋳造: its glosses (casting, founding, minting...) match too, but the
    # reason a reader sees is the word both wrote, not a list of its dictionary senses.
    index = fit([FOUNDRY, TOURS, BREWERY], [], FitParams())
    query = index.vectorize("鋳造の協力先")
    glosses = set(gloss_table("all", "nouns")["鋳造"][:6])
    hit = index.search("鋳造の協力先")[0]
    assert hit.id == FOUNDRY.id
    found = {c.feature: c.weight for c in index.contributions(query, [hit.position], 50)[0]}
    assert "鋳造" in found
    assert not glosses & set(found)
    # The word's weight is its own plus its glosses': the explanation loses no score.
    raw = index.scores(query)[hit.position]
    assert sum(found.values()) == pytest.approx(float(raw), rel=1e-4)


def test_a_gloss_that_reached_across_languages_explains_as_the_english_word() -> None:
    # 鋳造 against an English-only profile: "casting" matched through 鋳造's glosses, and 鋳造
    # itself is not in the profile, so the reader sees the English word that matched.
    english_foundry = organization(4, "Aluminium casting for car parts.")
    index = fit([english_foundry, TOURS, BREWERY], [], FitParams())
    query = index.vectorize("鋳造")
    hit = index.search("鋳造")[0]
    assert hit.id == english_foundry.id
    found = [c.feature for c in index.contributions(query, [hit.position])[0]]
    assert "casting" in found
    assert "鋳造" not in found


@dataclass(frozen=True)
class OptionsBeforeJMdict:
    japanese: str = "sudachi"
    concepts: bool = True


def test_an_index_stored_before_the_glosses_keeps_them_off() -> None:
    index = fit([FOUNDRY, TOURS], [], FitParams(analysis=AnalysisOptions(dictionary="off")))
    index.analysis = OptionsBeforeJMdict()  # type: ignore[assignment]
    stored = Index.from_bytes(index.to_bytes())
    assert stored.analysis == AnalysisOptions(
        dictionary="off",
        ngram_share=0.0,
        short_units=0.0,
        roles=0.0,
        chinese=False,
        ngram_unigrams=0.0,
        exclusions=False,
        more_roles=False,
        role_length=0,
        role_ngrams=True,
    )
    assert not stored.analyzer.dictionary


def test_a_stored_index_keeps_its_gloss_options() -> None:
    options = AnalysisOptions(dictionary="common", dictionary_weight=0.5)
    index = fit([FOUNDRY, TOURS], [], FitParams(analysis=options))
    assert Index.from_bytes(index.to_bytes()).analysis == options


def test_a_stored_index_carries_its_gloss_table_so_web_processes_never_read_jmdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = fit([FOUNDRY, TOURS, BREWERY], [], FitParams()).to_bytes()

    def unavailable(*args: object, **kwargs: object) -> None:
        raise AssertionError("a stored index read jamdict-data")

    monkeypatch.setattr("matchmaking.ranker.jmdict.gloss_table", unavailable)
    stored = Index.from_bytes(blob)
    assert stored.analyzer.dictionary["鋳造"] == gloss_table("common", "nouns")["鋳造"]
    assert stored.search("aluminium casting")[0].id == FOUNDRY.id


def test_every_index_of_a_process_stores_one_conversion_of_the_gloss_table() -> None:
    params = FitParams(analysis=AnalysisOptions(dictionary="common"))
    first, second = fit([FOUNDRY, TOURS], [], params), fit([BREWERY], [], params)
    table = first.analyzer.dictionary_table()
    assert second.analyzer.dictionary_table() is table
    expected = StringTable.from_dict(gloss_table("common", "nouns")).arrays("glosses")
    stored = table.arrays("glosses")
    assert stored.keys() == expected.keys()
    for name, array in expected.items():
        assert np.array_equal(stored[name], array), name
    loaded = Index.from_bytes(first.to_bytes())
    assert loaded.analyzer.dictionary_table() is loaded.analyzer.dictionary
    assert loaded.analyzer.dictionary["鋳造"] == gloss_table("common", "nouns")["鋳造"]


# == a word's first gloss, for people to read ==


def test_first_gloss_is_the_first_sense_s_first_gloss_without_its_notes(tmp_path: Path) -> None:
    path = small_jmdict(tmp_path / "jmdict.db")
    assert first_gloss("鋳造", path) == "casting"  # "casting (of metals)"
    assert first_gloss("ロボット", path) == "robot"  # an entry with no kanji, by its kana
    assert first_gloss("ちゅうぞう", path) == ""  # a kana reading of a kanji word is ambiguous
    assert first_gloss("未知", path) == ""


def test_a_compound_reads_as_its_parts_or_not_at_all(tmp_path: Path) -> None:
    path = small_jmdict(tmp_path / "jmdict.db")
    assert gloss_phrase("鍛造", path) == "forging"
    assert gloss_phrase("ロボット鋳造", path) == "robot casting"
    assert gloss_phrase("EVロボット", path) == "EV robot"
    # A part the dictionary lacks leaves the whole without a reading, not a partial one.
    assert gloss_phrase("冷間鍛造", path) == ""
