"""The at-a-glance reading of a Japanese-only profile (matchmaking/directory/glance.py) and
the organization page that shows it.

Yonezawa Shinku Valve, a valve maker in Yonezawa (Yamagata), wrote its profile in Japanese
only; Higo Precision (Kumamoto) wrote in both languages.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from matchmaking.directory import glance
from profiles.models import (
    Concept,
    Industry,
    Language,
    Municipality,
    Organization,
    PartnershipType,
)
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def yonezawa(aiko: User) -> Organization:
    organization = make_organization(
        "06",
        name_en="Yonezawa Shinku Valve K.K.",
        name_ja="米沢真空バルブ株式会社",
        description_ja=(
            "半導体製造装置向けの真空バルブを製造する中小企業です。"
            "ゲートバルブと溶接ベローズを自社で設計・加工しています。"
        ),
        offers_ja="超高真空対応のゲートバルブ、圧力制御バルブの精密加工に対応します。",
        seeks_ja="半導体製造装置メーカーや、海外の販売代理店との連携を求めています。",
        keywords="真空バルブ\nバルブ\n精密加工\n冷間鍛造金型\nvacuum",
        municipality=Municipality.objects.get(code="06202"),
        employees="10-49",
        founded=1976,
        verified_by=aiko,
        verified_at=timezone.make_aware(datetime.datetime(2026, 3, 12, 10, 0)),
    )
    organization.industries.add(Industry.objects.get(code="2671"))
    organization.partnership_types.add(PartnershipType.objects.get(code="supply_chain"))
    organization.languages.add(Language.objects.get(code="ja"))
    return organization


def test_it_reads_a_japanese_only_profile_for_an_english_reader(
    yonezawa: Organization,
) -> None:
    reading = glance.glance(yonezawa, "en")
    assert reading is not None
    assert reading.untranslated == ["description", "what it offers", "what it seeks"]
    facts = {fact.label: fact.values for fact in reading.facts}
    assert facts["Kind"] == ["company"]
    assert facts["Where"] == ["Yonezawa-shi", "Yamagata", "Tohoku"]
    assert facts["Industries"] == [Industry.objects.get(code="2671").name_en]
    assert facts["Open to"] == ["Supply chain"]
    assert facts["Working languages"] == ["Japanese"]
    assert facts["Employees"] == ["10–49"] and facts["Founded"] == ["1976"]
    assert facts["Verified"] == ["by the staff of Yamagata"]
    assert {t.key for t in reading.offers} >= {"valves", "precision-machining"}
    assert {t.key for t in reading.seeks} >= {"semiconductor-equipment"}
    assert all(t.lang == "en" for t in reading.offers)
    # A concept already listed under offers or seeks is not repeated under "also names".
    assert not {t.key for t in reading.about} & {t.key for t in reading.offers + reading.seeks}


def test_each_keyword_reads_as_a_glossary_term_or_a_dictionary_gloss(
    yonezawa: Organization,
) -> None:
    readings = {r.text: r for r in glance.keyword_readings(yonezawa, "en")}
    assert readings["バルブ"] == glance.Reading("バルブ", "ja", "valves", "en", "glossary")
    assert readings["精密加工"].gloss == "precision machining"
    assert readings["精密加工"].source == "glossary"
    assert readings["真空バルブ"] == glance.Reading(
        "真空バルブ", "ja", "vacuum valve", "en", "dictionary"
    )
    # A compound JMdict cannot read whole is left without a gloss rather than read wrong.
    assert readings["冷間鍛造金型"] == glance.Reading("冷間鍛造金型", "ja")
    assert readings["vacuum"] == glance.Reading("vacuum", "en")  # the reader's own language


def test_a_japanese_reader_gets_no_reading_and_english_keywords_get_the_japanese_term(
    yonezawa: Organization,
) -> None:
    assert glance.glance(yonezawa, "ja") is None
    yonezawa.keywords = "valves\n真空バルブ"
    readings = glance.keyword_readings(yonezawa, "ja")
    assert readings == [
        glance.Reading("valves", "en", "バルブ", "ja", "glossary"),
        glance.Reading("真空バルブ", "ja"),
    ]


def test_a_profile_with_its_english_texts_needs_no_reading(yonezawa: Organization) -> None:
    for text in Organization.bilingual_texts():
        setattr(yonezawa, f"{text}_en", "In English.")
    assert glance.glance(yonezawa, "en") is None
    yonezawa.seeks_en = ""
    partial = glance.glance(yonezawa, "en")
    assert partial is not None and partial.untranslated == ["what it seeks"]


def test_a_chinese_reader_gets_the_glossary_s_chinese_term_when_it_has_one(
    yonezawa: Organization,
) -> None:
    """Before the glossary has Chinese terms, a Chinese reader gets the English ones, marked
    as English; a concept with a Chinese term (the zh_hans field) is named by it."""
    reading = glance.glance(yonezawa, "zh-hans")
    assert reading is not None
    valves = next(t for t in reading.offers if t.key == "valves")
    assert (valves.text, valves.lang) == ("valves", "en")
    concept = Concept.objects.get(key="valves")
    concept.zh_hans = "阀门"  # type: ignore[attr-defined]
    assert glance.concept_term(concept, "zh-hans") == ("阀门", "zh-hans")
    assert glance.concept_term(concept, "zh-hant") == ("valves", "en")
    assert glance.concept_term(concept, "en") == ("valves", "en")


def test_the_page_shows_the_reading_labelled_as_not_a_translation(
    client: Client, yonezawa: Organization
) -> None:
    body = client.get(yonezawa.get_absolute_url()).content.decode()
    panel = body[body.index('<section class="glance"') : body.index("</section>")]
    assert "a glossary reading, not a translation" in panel
    assert "written in Japanese only" in panel
    assert '<dd lang="en">Yonezawa-shi, Yamagata, Tohoku</dd>' in panel
    assert '<span lang="en">valves</span>' in panel
    # Keyword chips: the Japanese word and its gloss, each marked with its language.
    chip = re.search(
        '<li><span lang="ja">真空バルブ</span><span class="gloss" lang="en"[^>]*>'
        '<span aria-hidden="true"> · </span>vacuum valve</span></li>',
        body,
    )
    assert chip is not None
    assert "dictionary gloss (JMdict)" in body


def test_the_page_shows_no_reading_to_a_japanese_reader_nor_for_an_english_profile(
    client: Client, yonezawa: Organization
) -> None:
    client.cookies["django_language"] = "ja"
    body = client.get(yonezawa.get_absolute_url()).content.decode()
    assert 'class="glance"' not in body
    assert '<li><span lang="ja">真空バルブ</span></li>' in body
    english = make_organization("43", name_en="Higo Precision", description_en="Shafts.")
    client.cookies["django_language"] = "en"
    assert 'class="glance"' not in client.get(english.get_absolute_url()).content.decode()


def test_the_page_reads_the_related_rows_once_for_the_page_and_the_reading(
    client: Client, yonezawa: Organization, django_assert_num_queries: Any
) -> None:
    client.get(yonezawa.get_absolute_url())  # the glossary is read once a minute
    # The organization, its industries, partnership types and languages, the index row.
    with django_assert_num_queries(5):
        client.get(yonezawa.get_absolute_url())


@pytest.mark.parametrize(
    ("language", "industry", "supply"),
    [
        ("zh-hans", "半导体制造装置制造业", "供应链（采购与供货）"),
        ("zh-hant", "半導體製造裝置製造業", "供應鏈（採購與供貨）"),
    ],
)
def test_a_chinese_reader_gets_the_facts_in_chinese_or_han_characters(
    yonezawa: Organization, language: str, industry: str, supply: str
) -> None:
    """The industry as its JSIC name's Han reading, the partnership type and the working
    language in the reader's script, places in their Japanese names; an industry whose
    Japanese name has kana stays English and says so, value by value."""
    from django.utils import translation

    with translation.override(language):
        reading = glance.glance(yonezawa, language)
        label = {
            translation.gettext(english): english
            for english in ("Where", "Industries", "Open to", "Working languages")
        }
    assert reading is not None
    facts = {label.get(fact.label, fact.label): fact for fact in reading.facts}
    where = facts["Where"]
    assert where.values == ["米沢市", "山形県", "東北"] and where.lang == "ja"
    assert facts["Open to"].values == [supply] and facts["Open to"].lang == language
    assert facts["Working languages"].lang == language
    industries = facts["Industries"]
    assert industries.values == [industry] and industries.lang == language
    yonezawa.industries.add(Industry.objects.get(code="3912"))  # 組込みソフトウェア業: kana
    with translation.override(language):
        found = glance.facts(yonezawa, language)
    mixed = next(f for f in found if label.get(f.label) == "Industries")
    assert ("Embedded software services", "en") in mixed.parts
    assert len({lang for _value, lang in mixed.parts}) == 2
