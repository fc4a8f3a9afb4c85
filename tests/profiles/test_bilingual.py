"""lang attributes for names, keywords and explanation terms in either language."""

from __future__ import annotations

from django.utils import translation

from profiles.templatetags.bilingual import lang_of


def test_lang_of_says_japanese_for_kana_and_kanji_on_an_english_page() -> None:
    with translation.override("en"):
        assert lang_of("バルブ") == "ja"
        assert lang_of("半導体") == "ja"
        assert lang_of("valves") == "en"


def test_lang_of_says_the_readers_chinese_for_han_without_kana_on_a_chinese_page() -> None:
    # Issue 18: a Chinese reader's explanations name concepts in Chinese.
    with translation.override("zh-hans"):
        assert lang_of("阀门") == "zh-Hans"
        assert lang_of("真空バルブ") == "ja"
        assert lang_of("valves") == "en"
    with translation.override("zh-hant"):
        assert lang_of("閥門") == "zh-Hant"
