"""A small directory to rank: Tokyo and Kumamoto robot makers with the same profile, a
Hokkaido dairy university, a Japanese-only Fukuoka chip maker and an unpublished Miyagi
sensor firm."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from matchmaking.search.store import build_index, index_cache
from profiles.models import Industry, Language, Organization, PartnershipType
from tests.conftest import make_organization


@pytest.fixture(autouse=True)
def _fresh_index_cache() -> Iterator[None]:
    # Test databases roll back, so a version number can come back with another index.
    index_cache.forget()
    with override_settings(RANKER_RELOAD_SECONDS=0, RANKER_REGIONAL_BOOST=0.1):
        yield
    index_cache.forget()


@pytest.fixture
def directory(db: None) -> dict[str, Organization]:
    machinery = Industry.objects.filter(division="E").order_by("sort_key")[5]
    joint_rnd = PartnershipType.objects.get(code="joint_rnd")
    english = Language.objects.get(code="en")
    orgs: dict[str, Any] = {
        "tokyo_robots": make_organization(
            "13",
            external_id="tokyo-robots",
            name_en="Edo Robotics",
            name_ja="品川ロボティクス",
            offers_en="Industrial robot arms for precision assembly and welding lines.",
        ),
        "kumamoto_robots": make_organization(
            "43",
            external_id="kumamoto-robots",
            name_en="Higo Robotics",
            name_ja="肥後ロボティクス",
            offers_en="Industrial robot arms for precision assembly and welding lines.",
            lying_dragon=True,
            lying_dragon_reason="Global niche in welding robots",
        ),
        "hokkaido_dairy": make_organization(
            "01",
            kind=Organization.Kind.UNIVERSITY,
            external_id="hokkaido-dairy",
            name_en="Tokachi Dairy University",
            offers_en="Dairy science, cheese fermentation and cattle health research.",
        ),
        "fukuoka_chips": make_organization(
            "40",
            external_id="fukuoka-chips",
            name_en="",
            name_ja="筑紫セミコン",
            offers_ja="半導体の後工程とパッケージング。ウエハ検査装置の開発。",
        ),
        "miyagi_draft": make_organization(
            "04",
            external_id="miyagi-sensors",
            name_en="Sendai Sensors",
            offers_en="Industrial robot arms with force sensors.",
            status=Organization.Status.DRAFT,
        ),
    }
    # The two robot makers differ only in name and place: the regional boost decides. (Neither
    # Japanese name has a JMdict gloss, which would lengthen one profile and lower its fit.)
    orgs["tokyo_robots"].industries.add(machinery)
    orgs["kumamoto_robots"].industries.add(machinery)
    orgs["kumamoto_robots"].partnership_types.add(joint_rnd)
    orgs["kumamoto_robots"].languages.add(english)
    return orgs


@pytest.fixture
def indexed(directory: dict[str, Organization]) -> dict[str, Organization]:
    build_index()
    return directory
