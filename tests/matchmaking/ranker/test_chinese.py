"""Chinese text (issue 18): told from Japanese, written in Japanese forms, analysed as
Japanese, and its glossary concepts found by their Chinese terms."""

from __future__ import annotations

import pytest

from matchmaking.ranker import (
    AnalysisOptions,
    Analyzer,
    Document,
    Explainer,
    FitParams,
    GlossaryConcept,
    GlossaryMatcher,
    chinese,
    fit,
)
from matchmaking.ranker.text import CONCEPT_PREFIX, normalize

VALVES = GlossaryConcept(
    "valves",
    "valves",
    "バルブ",
    ("valves", "valve"),
    ("バルブ", "制御弁"),
    name_zh_hans="阀门",
    name_zh_hant="閥門",
    terms_zh_hans=("阀门", "真空阀门"),
    terms_zh_hant=("閥門", "真空閥門"),
)
EQUIPMENT = GlossaryConcept(
    "semiconductor-equipment",
    "semiconductor manufacturing equipment",
    "半導体製造装置",
    ("semiconductor manufacturing equipment",),
    ("半導体製造装置", "半導体装置"),
    name_zh_hans="半导体设备",
    name_zh_hant="半導體設備",
    terms_zh_hans=("半导体设备",),
    terms_zh_hant=("半導體設備",),
)
SOFTWARE = GlossaryConcept(
    "software-development",
    "software development",
    "ソフトウェア開発",
    ("software development",),
    ("ソフトウェア開発",),
)  # no Chinese terms: a Chinese reader gets the English name

SIMPLIFIED_NEED = "寻找半导体设备用真空阀门的供应商"
TRADITIONAL_NEED = "尋找半導體設備用真空閥門的供應商"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SIMPLIFIED_NEED, "zh-hans"),
        (TRADITIONAL_NEED, "zh-hant"),
        ("我們是台灣的能源公司，尋找氫氣製造、燃料電池及水電解設備的日本合作夥伴。", "zh-hant"),
        ("东莞精密冲压企业，寻求日本模具厂合作：冲压模具的设计制造。", "zh-hans"),
        # Japanese prose has kana.
        ("半導体製造装置向けの真空バルブを探しています。", None),
        # Kanji-only Japanese (names, industries, keywords) without Chinese evidence.
        ("半導体製造装置製造業", None),
        ("日向灘獣医畜産大学", None),
        ("乾燥野菜卸売業", None),
        # A Japanese need with one Simplified character stays Japanese.
        ("协作ロボットの関節に使う減速機を探しております。", None),
        ("precision machining of motor shafts", None),
        ("", None),
    ],
)
def test_it_tells_chinese_from_japanese(text: str, expected: str | None) -> None:
    assert chinese.script(normalize(text)) == expected


def test_both_scripts_become_the_same_japanese_forms() -> None:
    simplified = chinese.japanese_forms(SIMPLIFIED_NEED, "zh-hans")
    traditional = chinese.japanese_forms(TRADITIONAL_NEED, "zh-hant")
    assert simplified == traditional
    assert "半導体設備" in simplified and "真空閥門" in simplified


def test_japanese_forms_leave_japanese_characters_alone() -> None:
    # Only Traditional characters change: 機 stays 機, 体 stays 体.
    assert chinese.japanese_forms("半導体製造装置", "zh-hant") == "半導体製造装置"


def test_a_japanese_text_with_simplified_characters_is_written_in_japanese_forms() -> None:
    assert chinese.has_simplified("协作ロボット")
    assert not chinese.has_simplified("協働ロボット")
    analyzer = Analyzer(None, AnalysisOptions(dictionary="off", concepts=False))
    assert "協作" in "".join(analyzer.features("协作ロボット"))


def test_reader_scripts_follow_the_language_code() -> None:
    assert chinese.reader_script("zh-hans") == "zh-hans"
    assert chinese.reader_script("zh-cn") == "zh-hans"
    assert chinese.reader_script("zh-hant") == "zh-hant"
    assert chinese.reader_script("zh-TW") == "zh-hant"
    assert chinese.reader_script("ja") is None
    assert chinese.reader_forms("半導体設備", "zh-hans") == "半导体设备"
    assert chinese.reader_forms("半導体設備", "zh-hant") == "半導體設備"


def test_chinese_terms_are_found_in_chinese_text_in_either_script() -> None:
    analyzer = Analyzer(GlossaryMatcher([VALVES, EQUIPMENT]), AnalysisOptions(dictionary="off"))
    for need in (SIMPLIFIED_NEED, TRADITIONAL_NEED):
        features = analyzer.features(need)
        assert features[CONCEPT_PREFIX + "valves"] >= 1, need
        assert features[CONCEPT_PREFIX + "semiconductor-equipment"] >= 1, need
        # Words and character bigrams in Japanese forms, as a Japanese profile has them.
        assert "²導体" in features and "²設備" in features


def test_chinese_terms_are_not_matched_in_japanese_text() -> None:
    # 閥門 is not a Japanese word: a Japanese profile keeps its concepts as before.
    analyzer = Analyzer(GlossaryMatcher([VALVES]), AnalysisOptions(dictionary="off"))
    assert CONCEPT_PREFIX + "valves" not in analyzer.features("閥門の歴史を研究する会")


def test_without_the_option_chinese_is_analysed_as_it_stands() -> None:
    options = AnalysisOptions(dictionary="off", chinese=False)
    analyzer = Analyzer(GlossaryMatcher([VALVES, EQUIPMENT]), options)
    features = analyzer.features(SIMPLIFIED_NEED)
    assert CONCEPT_PREFIX + "valves" not in features
    assert "²导体" in features


def japanese_profile(pk: int, offers: str) -> Document:
    return Document(
        id=pk,
        external_id=f"demo-{pk:04d}",
        fields={"offers": offers},
        kind="company",
        prefecture="06",
        region="tohoku",
        metropolitan=False,
        lying_dragon=False,
    )


def test_a_chinese_need_finds_the_japanese_profile_in_both_scripts() -> None:
    documents = [
        japanese_profile(
            1, "超高真空対応のゲートバルブと半導体製造装置向けの真空部品を製造しています。"
        ),
        japanese_profile(2, "和牛の部分肉と真空包装の冷凍牛肉を出荷しています。"),
        japanese_profile(3, "抹茶と煎茶を製造し、海外へ輸出しています。"),
    ]
    params = FitParams(analysis=AnalysisOptions(dictionary="off"))
    index = fit(documents, [VALVES, EQUIPMENT, SOFTWARE], params)
    for need in (SIMPLIFIED_NEED, TRADITIONAL_NEED):
        hits = index.search(need, top=3, regional_boost=0.0)
        assert hits[0].external_id == "demo-0001", need


def test_explanations_name_concepts_in_the_readers_chinese() -> None:
    documents = [japanese_profile(1, "超高真空対応のゲートバルブを製造しています。")]
    params = FitParams(analysis=AnalysisOptions(dictionary="off"))
    index = fit(documents, [VALVES, SOFTWARE], params)
    contributions = index.contributions(index.vectorize(SIMPLIFIED_NEED), [0])[0]
    explainer = Explainer(index.concepts)
    assert "阀门" in [r.term for r in explainer.reasons(contributions, "zh-hans")]
    assert "閥門" in [r.term for r in explainer.reasons(contributions, "zh-hant")]
    assert "valves" in [r.term for r in explainer.reasons(contributions, "en")]
    assert "バルブ" in [r.term for r in explainer.reasons(contributions, "ja")]


def test_a_concept_without_chinese_terms_is_named_in_english() -> None:
    assert SOFTWARE.name_for("zh-hans") == "software development"
    assert VALVES.name_for("zh-hant") == "閥門"
    assert VALVES.name_for("ja") == "バルブ"
    assert VALVES.name_for("en") == "valves"


def test_an_index_keeps_the_chinese_terms_when_stored() -> None:
    index = fit([japanese_profile(1, "ゲートバルブ")], [VALVES], FitParams())
    loaded = type(index).from_bytes(index.to_bytes())
    assert loaded.concepts == [VALVES]
    assert loaded.analysis.chinese


def test_a_need_written_in_chinese_and_japanese_reads_each_line_in_its_language() -> None:
    analyzer = Analyzer(GlossaryMatcher([VALVES, EQUIPMENT]), AnalysisOptions(dictionary="off"))
    need = (
        "寻找半导体设备用真空阀门的供应商\n"
        "半導体製造装置向けのゲートバルブを小ロットで調達したいと考えています。"
    )
    features = analyzer.features(need)
    # The Chinese line's 阀门 is found although the Japanese line has kana enough to make
    # the whole text read as Japanese.
    assert features[CONCEPT_PREFIX + "valves"] >= 2
