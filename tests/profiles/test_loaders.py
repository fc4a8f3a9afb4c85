from __future__ import annotations

import pytest

from profiles import loaders
from profiles.models import Concept, Industry, Municipality, Organization, Prefecture, Region

pytestmark = pytest.mark.django_db


def test_the_reference_geography_is_complete() -> None:
    assert Region.objects.count() == 8
    assert Prefecture.objects.count() == 47
    assert Municipality.objects.count() == 1914
    kumamoto = Prefecture.objects.get(code="43")
    assert (kumamoto.name_en, kumamoto.name_ja, kumamoto.iso_code) == (
        "Kumamoto",
        "熊本県",
        "JP-43",
    )
    assert kumamoto.region.name_en == "Kyushu-Okinawa"


def test_the_jsic_tree_is_complete_and_linked() -> None:
    counts = {
        level: Industry.objects.filter(level=level).count() for level in Industry.Level.values
    }
    assert counts == {"division": 20, "major_group": 99, "group": 536, "industry": 1473}
    universities = Industry.objects.get(code="8161")
    assert universities.parent is not None and universities.parent.code == "816"
    assert universities.parent.parent is not None and universities.parent.parent.code == "81"
    assert universities.parent.parent.parent is not None
    assert universities.parent.parent.parent.code == "O"


def test_the_glossary_has_at_least_300_concepts_across_the_domains() -> None:
    assert Concept.objects.count() >= 300
    domains = set(Concept.objects.values_list("domain", flat=True))
    assert domains >= {
        "manufacturing",
        "materials",
        "electronics",
        "medical_bio",
        "energy_environment",
        "it_ai",
        "food_agriculture",
        "mobility",
        "tourism",
        "academic",
    }
    die = Concept.objects.filter(name_ja="金型").first()
    assert die is not None and "mold" in " ".join(die.terms_en()).lower()


def test_reloading_the_reference_data_changes_nothing() -> None:
    tallies = loaders.load_geography()
    tallies["industries"] = loaders.load_industries()
    tallies |= loaders.load_vocabularies()
    tallies["glossary"] = loaders.load_glossary()
    for name, tally in tallies.items():
        assert (tally.created, tally.updated) == (0, 0), name


def test_reloading_keeps_an_admins_metropolitan_choice() -> None:
    Prefecture.objects.filter(code="26").update(metropolitan=True)
    loaders.load_geography()
    assert Prefecture.objects.get(code="26").metropolitan is True


def test_universities_load_published_with_faculties_and_english_from_the_glossary() -> None:
    tally = loaders.load_organizations(loaders.read_fixture("reference/universities.json"))
    assert tally.created == 813
    universities = Organization.objects.filter(kind="university")
    assert universities.published().count() == 813
    hokudai = universities.get(name_ja="北海道大学")
    assert "獣医学部" in hokudai.offers_ja
    assert "veterinary" in hokudai.offers_en.lower()
    assert hokudai.industries.get().code == "8161"
    assert hokudai.municipality is not None and hokudai.municipality.name_ja.startswith("札幌市")
    with_english = universities.exclude(offers_en="").count()
    assert with_english >= 0.8 * 813
    again = loaders.load_organizations(loaders.read_fixture("reference/universities.json"))
    assert (again.created, again.unchanged) == (0, 813)


def test_edinet_companies_outside_tokyo_load_as_drafts() -> None:
    loaders.load_organizations(loaders.read_fixture("reference/companies.json"))
    companies = Organization.objects.filter(source="edinet")
    assert companies.count() == 2277
    assert not companies.filter(prefecture__code="13").exists()
    assert not companies.exclude(status="draft").exists()
    kaneko = companies.get(external_id="edinet:E00004")
    assert kaneko.name_ja == "カネコ種苗株式会社"
    assert kaneko.prefecture.code == "10"
    assert {industry.code for industry in kaneko.industries.all()} == {"A", "B"}
