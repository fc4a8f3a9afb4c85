"""Prefecture pages and the tile map of Japan."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from matchmaking import demo
from matchmaking.directory import japan_map
from profiles import loaders
from profiles.models import Organization, Prefecture, PrefectureGuide
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def kumamoto_guide(db: None) -> PrefectureGuide:
    return PrefectureGuide.objects.create(
        prefecture=Prefecture.objects.get(code="43"),
        incentives_en="Up to 30% of investment for new factories.",
        incentives_ja="新工場の投資額の最大30%を補助。",
        support_desk_en="Kumamoto investment desk.",
        support_contact="invest@pref-kumamoto.example",
        clusters_en="Semiconductor cluster around Kikuyo.",
        living_en="International school in Kumamoto City.",
        is_sample=True,
    )


def test_every_prefecture_has_a_page_by_code_and_by_name(client: Client) -> None:
    for prefecture in Prefecture.objects.all():
        assert (
            client.get(reverse("directory:prefecture", args=[prefecture.code])).status_code == 200
        )
    assert "Kumamoto" in client.get("/prefectures/kumamoto/").content.decode()
    assert client.get("/prefectures/atlantis/").status_code == 404
    assert client.get("/prefectures/48/").status_code == 404


def test_the_prefecture_page_shows_its_guide_organizations_and_lying_dragons(
    client: Client, kumamoto_guide: PrefectureGuide
) -> None:
    make_organization(
        "43", name_en="Higo Precision", lying_dragon=True, lying_dragon_reason="Niche top"
    )
    make_organization("43", name_en="Aso Foods")
    make_organization("43", name_en="Hidden Draft", status=Organization.Status.DRAFT)
    make_organization("01", name_en="Sapporo Dairy")
    response = client.get("/prefectures/43/")
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert response.context["counts"] == {"total": 2, "dragons": 1}
    assert "Higo Precision" in body and "Aso Foods" in body
    assert "Hidden Draft" not in body and "Sapporo Dairy" not in body
    assert "Kyushu-Okinawa" in body
    for text in (
        "Up to 30% of investment for new factories.",
        "Kumamoto investment desk.",
        "invest@pref-kumamoto.example",
        "Semiconductor cluster around Kikuyo.",
        "International school in Kumamoto City.",
        "Sample text",
    ):
        assert text in body
    assert re.search(r"Last updated [\w.]+ \d+, \d{4}", body)
    assert 'href="/organizations/?prefecture=43"' in body


def test_the_guide_is_shown_in_japanese_to_a_japanese_visitor(
    client: Client, kumamoto_guide: PrefectureGuide
) -> None:
    client.cookies["django_language"] = "ja"
    body = client.get("/prefectures/43/").content.decode()
    assert "新工場の投資額の最大30%を補助。" in body
    # No Japanese text yet for the desk: the English one is shown, marked as English.
    assert '<p lang="en">Kumamoto investment desk.</p>' in body
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", body)


def test_a_prefecture_without_a_guide_says_so(client: Client) -> None:
    body = client.get("/prefectures/01/").content.decode()
    assert "have not written their guide yet" in body


def test_the_map_has_one_labelled_link_per_prefecture_to_the_filtered_directory(
    client: Client,
) -> None:
    make_organization("43", name_en="Higo Precision")
    make_organization("43", name_en="Aso Foods")
    body = client.get(reverse("directory:prefectures")).content.decode()
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)" class="tile level-(\d)"', body)
    assert len(links) == 47
    assert ("/organizations/?prefecture=43", "Kumamoto 2 published organizations", "4") in links
    assert ("/organizations/?prefecture=01", "Hokkaido 0 published organizations", "0") in links
    assert "<title>Kumamoto 2 published organizations</title>" in body


@pytest.mark.parametrize(
    ("language", "label", "lang"),
    [("en", "Kumamoto", "en"), ("ja", "熊本", "ja"), ("zh-hant", "熊本", "ja")],
)
def test_the_map_names_prefectures_in_han_characters_for_japanese_and_chinese_readers(
    client: Client, language: str, label: str, lang: str
) -> None:
    client.cookies["django_language"] = language
    body = client.get(reverse("directory:prefectures")).content.decode()
    assert re.search(
        rf'class="tile-name[^"]*" lang="{lang}" aria-hidden="true">{label}</text>', body
    )


def test_a_map_link_filters_the_directory_to_its_prefecture(client: Client) -> None:
    make_organization("43", name_en="Higo Precision")
    make_organization("01", name_en="Sapporo Dairy")
    tile = next(tile for tile in japan_map.tiles() if tile.prefecture.code == "43")
    response = client.get(tile.url)
    assert [organization.name_en for organization in response.context["result"].page] == [
        "Higo Precision"
    ]


def test_the_home_page_shows_the_map(client: Client) -> None:
    body = client.get("/").content.decode()
    assert body.count('class="tile level-') == 47


def test_the_map_colours_prefectures_on_a_log_scale_up_to_the_busiest() -> None:
    levels = [japan_map.level_of(count, 100) for count in (0, 1, 4, 12, 40, 100)]
    assert levels == [0, 1, 2, 3, 4, 4]
    assert japan_map.level_of(1, 1) == 4
    assert len(set(japan_map.LAYOUT.values())) == 47  # no two prefectures on one tile


def test_the_map_and_the_prefecture_list_need_a_fixed_number_of_queries(
    client: Client, django_assert_num_queries: object
) -> None:
    for code in ("43", "01", "13"):
        make_organization(code, name_en=f"Works {code}")
    with django_assert_num_queries(2):  # type: ignore[operator]
        client.get(reverse("directory:prefectures"))


def test_every_prefecture_page_shows_its_sample_guide_from_the_demo_data(client: Client) -> None:
    rows = loaders.read_fixture("demo/prefecture_guides.json")
    demo.load_guides(rows)
    assert len({row["prefecture"] for row in rows}) == 47
    for prefecture in Prefecture.objects.all():
        body = client.get(reverse("directory:prefecture", args=[prefecture.code])).content.decode()
        assert "Sample text" in body, prefecture.code
        assert "Not written yet." not in body, prefecture.code
