from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError

from profiles.models import (
    Curatorship,
    Industry,
    Language,
    Municipality,
    Organization,
    PartnershipType,
    Prefecture,
)
from profiles.models.curation import curated_prefecture_ids
from profiles.models.reference import han_reading
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


def test_the_six_metropolitan_prefectures_are_flagged_by_default() -> None:
    names = set(Prefecture.objects.metropolitan().values_list("name_en", flat=True))
    assert names == {"Tokyo", "Kanagawa", "Saitama", "Chiba", "Aichi", "Osaka"}


def test_a_lying_dragon_must_be_outside_the_metropolitan_prefectures() -> None:
    organization = make_organization("13", lying_dragon=True, lying_dragon_reason="Niche leader")
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert "lying_dragon" in error.value.message_dict


def test_a_lying_dragon_needs_a_reason() -> None:
    organization = make_organization("43", lying_dragon=True)
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert "lying_dragon_reason" in error.value.message_dict
    organization.lying_dragon_reason = "Global niche top in gear hobbing"
    organization.full_clean()


def test_the_municipality_must_lie_in_the_prefecture() -> None:
    sapporo = Municipality.objects.get(code="01100")
    organization = make_organization("43", municipality=sapporo)
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert error.value.message_dict["municipality"] == [
        "Sapporo-shi is in Hokkaido, not in Kumamoto: choose one of the municipalities of "
        "Kumamoto."
    ]


def test_an_organization_needs_a_name_in_one_language() -> None:
    organization = Organization(kind="company", prefecture=Prefecture.objects.get(code="43"))
    with pytest.raises(ValidationError):
        organization.full_clean()


def test_name_follows_the_active_language() -> None:
    from django.utils import translation

    organization = make_organization("43", name_en="Higo Precision", name_ja="肥後精密")
    with translation.override("ja"):
        assert organization.name == "肥後精密"
        assert organization.other_name == "Higo Precision"
    with translation.override("en"):
        assert organization.name == "Higo Precision"


@pytest.mark.parametrize(
    ("language", "manufacturing", "wholesale"),
    [("zh-hans", "制造业", "卸卖业、小卖业"), ("zh-hant", "製造業", "卸賣業、小賣業")],
)
def test_chinese_readers_get_places_and_industries_in_han_characters(
    language: str, manufacturing: str, wholesale: str
) -> None:
    """Places keep their Japanese names; an industry is its Japanese name's Han reading in
    the reader's script; a name with kana, which a Chinese reader cannot read, stays
    English; an organization's own name is not touched."""
    from django.utils import translation

    kumamoto = Prefecture.objects.get(code="43")
    city = Municipality.objects.get(prefecture=kumamoto, name_ja="熊本市")
    organization = make_organization("43", name_en="Higo Precision", name_ja="肥後精密")
    with translation.override(language):
        assert (kumamoto.name, kumamoto.region.name, city.name) == (
            "熊本県",
            "九州・沖縄",
            "熊本市",
        )
        assert Industry.objects.get(code="E").name == manufacturing
        assert Industry.objects.get(code="I").name == wholesale
        software = Industry.objects.get(code="3912")  # 組込みソフトウェア業
        assert software.name == software.name_en == "Embedded software services"
        assert str(Industry.objects.get(code="E")) == f"E {manufacturing}"
        assert organization.name == "Higo Precision"
    assert Industry.objects.get(code="E").localized_name(language) == (manufacturing, language)
    assert software.localized_name(language) == ("Embedded software services", "en")
    assert kumamoto.localized_name(language) == ("熊本県", "ja")


def test_han_reading_maps_japanese_forms_and_refuses_kana() -> None:
    assert han_reading("電気溶接機製造業", "zh-hant") == "電氣熔接機製造業"
    assert han_reading("電気溶接機製造業", "zh-hans") == "电气熔接机制造业"
    assert han_reading("野菜作農業（きのこ類の栽培を含む）", "zh-hans") == ""
    assert han_reading("ｺﾈｸﾀ製造業", "zh-hant") == ""  # half-width katakana too
    assert han_reading("", "zh-hans") == ""


@pytest.mark.parametrize(
    ("language", "supply", "german"),
    [
        ("zh-hans", "供应链（采购与供货）", "德语"),
        ("zh-hant", "供應鏈（採購與供貨）", "德語"),
        ("ja", "サプライチェーン（調達・供給）", "ドイツ語"),
        ("en", "Supply chain", "German"),
    ],
)
def test_the_product_vocabularies_read_in_every_interface_language(
    language: str, supply: str, german: str
) -> None:
    """Partnership types and working languages are the product's own words: a Chinese reader
    gets the interface catalogue's translation of them; a row an admin adds without one
    stays English."""
    from django.utils import translation

    with translation.override(language):
        assert PartnershipType.objects.get(code="supply_chain").name == supply
        assert Language.objects.get(code="de").name == german
        added = Language(code="xx", name_en="Klingon", name_ja="クリンゴン語")
        assert added.name == ("クリンゴン語" if language == "ja" else "Klingon")


def test_curators_see_their_own_prefectures_and_admins_everything(
    aiko: User, ben: User, root: User
) -> None:
    kumamoto = make_organization("43", status="draft")
    hokkaido = make_organization("01", status="draft")
    published = make_organization("13")
    assert list(Organization.objects.curated_by(aiko)) == [kumamoto]
    assert set(Organization.objects.curated_by(root)) == {kumamoto, hokkaido, published}
    assert set(Organization.objects.visible_to(aiko)) == {kumamoto, published}
    assert set(Organization.objects.visible_to(AnonymousUser())) == {published}
    assert curated_prefecture_ids(AnonymousUser()) == frozenset()


def test_revoking_a_curatorship_takes_effect_at_once(aiko: User) -> None:
    make_organization("43", status="draft")
    assert Organization.objects.curated_by(aiko).count() == 1
    Curatorship.objects.filter(user=aiko).delete()
    assert Organization.objects.curated_by(aiko).count() == 0


def test_an_inactive_curator_curates_nothing(aiko: User) -> None:
    aiko.is_active = False
    aiko.save()
    assert curated_prefecture_ids(aiko) == frozenset()


def test_external_ids_are_unique_within_a_prefecture() -> None:
    from django.db import IntegrityError, transaction

    make_organization("43", external_id="K-1")
    make_organization("01", external_id="K-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_organization("43", external_id="K-1")


def test_an_industrys_lineage_is_its_chain_of_parents_in_the_real_jsic_tree() -> None:
    industries = {industry.pk: industry for industry in Industry.objects.all()}
    assert len(industries) > 2000
    for industry in industries.values():
        chain: set[str] = set()
        node: Industry | None = industry
        while node is not None:
            chain.add(node.code)
            node = industries.get(node.parent_id) if node.parent_id else None
        assert industry.lineage == chain, industry.code
        assert Industry.lineage_of(industry.level, industry.division, industry.code) == chain
