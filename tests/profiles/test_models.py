from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError

from profiles.models import Curatorship, Industry, Municipality, Organization, Prefecture
from profiles.models.curation import curated_prefecture_ids
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


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_chinese_readers_get_places_in_han_characters_and_the_rest_in_english(
    language: str,
) -> None:
    from django.utils import translation

    kumamoto = Prefecture.objects.get(code="43")
    city = Municipality.objects.get(prefecture=kumamoto, name_ja="熊本市")
    industry = Industry.objects.get(code="E")
    organization = make_organization("43", name_en="Higo Precision", name_ja="肥後精密")
    with translation.override(language):
        assert (kumamoto.name, kumamoto.region.name, city.name) == (
            "熊本県",
            "九州・沖縄",
            "熊本市",
        )
        assert industry.name == industry.name_en == "MANUFACTURING"
        assert organization.name == "Higo Precision"


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
