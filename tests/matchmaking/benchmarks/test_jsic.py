"""MIC's JSIC examples (data nobody on the project wrote): the ranker stays above the
character-bigram baseline on a fixed sample of the public dev half, and the benchmark's
metrics and corpus follow the protocol of issue 15."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchmaking.benchmarks import jsic
from matchmaking.benchmarks.synthetic import load_glossary

ROOT = Path(__file__).resolve().parents[3]
INDUSTRIES = ROOT / "fixtures" / "reference" / "industries.json"
# 400 "included" and 200 "excluded_from" rows drawn once (seed 2026) from
# ../shared/data/jsic14_examples_dev.csv; 出典：総務省 日本標準産業分類（加工して作成）.
SAMPLE = ROOT / "tests" / "matchmaking" / "eval" / "jsic14_dev_sample.csv"


@pytest.fixture(scope="module")
def report() -> jsic.Report:
    industries = jsic.load_industries(INDUSTRIES)
    concepts = load_glossary(ROOT / "fixtures" / "glossary.json")
    asked = jsic.questions(industries, jsic.load_examples(SAMPLE))
    asked["en2ja"] = asked["en2ja"][::4]  # every fourth industry's English name
    rankers = {
        corpus: jsic.rank_in_process(industries, concepts, english=corpus == "en")
        for corpus in ("en", "ja")
    }
    return jsic.evaluate(
        industries, asked, lambda corpus, texts: [rankers[corpus](t) for t in texts]
    )


def test_the_ranker_beats_the_character_bigram_baseline_on_mic_examples(
    report: jsic.Report,
) -> None:
    # Measured on this sample: ja 1.16x, hard 1.11x, en2ja MRR@10 0.50 (2026-12-05); ja
    # 1.21x, hard 1.19x, en2ja 0.48 after issue 15's second round (2026-12-06); ja 1.23x,
    # hard 1.22x, en2ja 0.49 after its third (the role factor by query length; the whole dev
    # half: docs/benchmarks/jsic.md). Margins for noise, not slack for a regression to the
    # first round, nor to the 0.89x of Sudachi words alone.
    assert report.tasks["ja"].ranker.queries == 400
    assert report.tasks["ja"].ratio >= 1.18
    assert report.tasks["hard"].ratio >= 1.16
    assert report.tasks["en2ja"].ranker.mrr >= 0.42


def test_the_examples_in_simplified_characters_keep_most_of_the_japanese_figure(
    report: jsic.Report,
) -> None:
    # Issue 18: MRR@10 on the ja examples put into Simplified characters at least 0.8x the
    # ranker's own on the Japanese originals. Measured 2026-12-06 on this sample: 0.98x
    # (0.78x before Japanese text with Simplified characters was written in Japanese forms).
    assert report.tasks["ja-zh-hans"].ranker.queries == 400
    assert report.simplified_share is not None and report.simplified_share >= 0.8
    assert jsic.simplified("乾燥野菜卸売業") == "干燥野菜卸卖业"


def test_graded_ndcg_counts_the_code_then_its_group() -> None:
    groups = {"0111": "011", "0112": "011", "0113": "011", "0121": "012"}
    question = jsic.Question("ja", "水稲作農業", "0111")
    perfect = jsic.score([["0111", "0112", "0113"]], [question], groups)
    assert perfect.ndcg == pytest.approx(1.0) and perfect.mrr == 1.0 and perfect.recall == 1.0
    second = jsic.score([["0112", "0111", "0121"]], [question], groups)
    assert second.mrr == 0.5 and second.recall == 1.0
    assert 0 < second.ndcg < 1
    missed = jsic.score([["0121"]], [question], groups)
    assert missed.mrr == 0.0 and missed.ndcg == 0.0


def test_the_corpus_is_the_industries_as_published_companies_in_kumamoto() -> None:
    industries = jsic.load_industries(INDUSTRIES)
    assert len(industries) == 1473
    with_english = jsic.import_file(industries, english=True).decode()
    without = jsic.import_file(industries, english=False).decode()
    header, first = with_english.splitlines()[:2]
    assert header == "external_id,kind,status,prefecture,name_ja,description_ja,name_en"
    assert first.startswith("jsic14:0100,company,published,43,主として管理事務を行う本社等")
    assert first.endswith("Head offices primarily engaged in managerial operations")
    assert without.splitlines()[1].endswith(",")


def test_the_bigram_baseline_is_the_protocols() -> None:
    assert jsic._bigrams("Ａ Ｂ銀行") == ["ab", "b銀", "銀行"]
