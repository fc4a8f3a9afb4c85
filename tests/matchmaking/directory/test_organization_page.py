"""The organization page: the profile in the visitor's language, badges, the introduction."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from profiles.models import Industry, Municipality, Organization
from tests.conftest import PASSWORD, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def higo(aiko: User) -> Organization:
    organization = make_organization(
        "43",
        name_en="Higo Precision",
        name_ja="肥後精密",
        description_en="A maker of motor shafts.",
        description_ja="モーターシャフトのメーカーです。",
        lying_dragon=True,
        lying_dragon_reason="World share 40% in micro shafts",
        lying_dragon_evidence="METI Global Niche Top 100, 2020",
        municipality=Municipality.objects.get(code="43100"),
        verified_by=aiko,
        verified_at=timezone.make_aware(datetime.datetime(2026, 3, 12, 10, 0)),
        source=Organization.Source.DEMO,
    )
    organization.industries.add(Industry.objects.get(code="E"))
    return organization


def test_it_shows_the_profile_with_its_badges_in_english(
    client: Client, higo: Organization
) -> None:
    body = client.get(higo.get_absolute_url()).content.decode()
    assert body.count("<h1") == 1
    assert "Higo Precision" in body and "A maker of motor shafts." in body
    assert "World share 40% in micro shafts" in body
    assert "METI Global Niche Top 100, 2020" in body
    assert "Verified by Kumamoto on March 12, 2026" in body
    assert "Fictional demo organization" in body
    assert "Kumamoto" in body and "Kumamoto-shi" in body and "Kyushu-Okinawa" in body
    # JSIC's capitals tamed, marked as English.
    assert '<span lang="en">Manufacturing</span> <span class="code">E</span>' in body


def test_it_shows_the_profile_in_japanese_to_a_japanese_visitor(
    client: Client, higo: Organization
) -> None:
    client.cookies["django_language"] = "ja"
    body = client.get(higo.get_absolute_url()).content.decode()
    assert "<title>肥後精密" in body
    assert "モーターシャフトのメーカーです。" in body
    assert "2026年3月12日" in body  # the date in Japanese form
    assert 'href="?text=en"' in body


def test_the_other_language_is_one_click_away(client: Client, higo: Organization) -> None:
    first = client.get(higo.get_absolute_url()).content.decode()
    assert 'href="?text=ja"' in first
    body = client.get(higo.get_absolute_url(), {"text": "ja"}).content.decode()
    assert '<p lang="ja">モーターシャフトのメーカーです。' in body
    assert '<html lang="en">' in body  # the site itself stays in English


def test_a_japanese_only_profile_is_shown_and_marked_as_japanese(client: Client) -> None:
    organization = make_organization("43", name_en="", name_ja="球磨工業", offers_ja="精密加工")
    body = client.get(organization.get_absolute_url()).content.decode()
    assert '<p lang="ja">精密加工</p>' in body


def test_an_anonymous_visitor_is_asked_to_log_in_and_comes_back(
    client: Client, higo: Organization
) -> None:
    body = client.get(higo.get_absolute_url()).content.decode()
    assert f'href="/accounts/login/?next=/organizations/{higo.pk}/"' in body
    assert "No account yet?" in body


def test_a_logged_in_visitor_is_not_asked_to_log_in(
    client: Client, maria: User, higo: Organization
) -> None:
    client.login(username=maria.username, password=PASSWORD)
    body = client.get(higo.get_absolute_url()).content.decode()
    assert "/accounts/login/?next=" not in body
    assert "Request an introduction" in body


def test_an_unpublished_organization_is_hidden_from_visitors(client: Client) -> None:
    draft = make_organization("43", name_en="Draft Works", status=Organization.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_it_needs_a_fixed_number_of_queries(
    client: Client, higo: Organization, django_assert_num_queries: object
) -> None:
    # The fifth asks for the search index behind "Similar organizations" (none here).
    with django_assert_num_queries(5):  # type: ignore[operator]
        client.get(higo.get_absolute_url())
