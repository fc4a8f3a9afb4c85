"""The English texts queue and its side-by-side editor (matchmaking/workspace/english.py).

Aiko curates Kumamoto. Aso Valves (shown to firms three times) and Kuma Gears (once) wrote in
Japanese only; Higo Precision has every text in English; a Kumamoto draft and Ben's Sapporo
Dairy (Hokkaido) lack English too, but are not Aiko's queue.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from matchmaking.firms.models import ForeignFirm, SuggestionShown
from profiles.models import Organization, OrganizationChange
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


def shown(organization: Organization, times: int) -> None:
    monday = datetime.date(2026, 11, 2)
    for n in range(times):
        firm, _ = ForeignFirm.objects.get_or_create(slug=f"firm-{n}", defaults={"name": f"F{n}"})
        SuggestionShown.objects.create(firm=firm, organization=organization, week=monday)


@pytest.fixture
def queue_world(aiko: User, ben: User) -> dict[str, Organization]:
    world = {
        "aso": make_organization(
            "43",
            name_en="Aso Valves",
            name_ja="阿蘇バルブ",
            description_ja="真空バルブのメーカーです。",
            offers_ja="ゲートバルブ",
            offers_en="Gate valves.",
            keywords="真空バルブ",
        ),
        "kuma": make_organization("43", name_en="", name_ja="球磨歯車", seeks_ja="販売代理店"),
        "higo": make_organization(
            "43", name_en="Higo Precision", description_ja="精密", description_en="Precision."
        ),
        "draft": make_organization(
            "43",
            name_en="Draft Works",
            description_ja="下書き",
            status=Organization.Status.DRAFT,
        ),
        "sapporo": make_organization("01", name_en="Sapporo Dairy", description_ja="乳製品"),
    }
    shown(world["aso"], 3)
    shown(world["kuma"], 1)
    return world


def test_it_lists_the_published_japanese_only_profiles_most_shown_first(
    client: Client, aiko: User, queue_world: dict[str, Organization]
) -> None:
    client.force_login(aiko)
    response = client.get(reverse("workspace:english_queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 profiles wait for English" in body
    assert "1 without English description, 0 without English what it offers" in body
    rows = body[body.index("<tbody>") : body.index("</tbody>")]
    assert rows.index("Aso Valves") < rows.index("球磨歯車")
    assert "Higo Precision" not in rows and "Draft Works" not in rows
    assert "Sapporo Dairy" not in rows
    assert "<td>3</td>" in rows and "<td>1</td>" in rows
    assert reverse("workspace:english_edit", args=[queue_world["aso"].pk]) in rows


def test_the_queue_is_paginated_and_its_queries_are_fixed(
    client: Client,
    aiko: User,
    queue_world: dict[str, Organization],
    django_assert_num_queries: Any,
) -> None:
    for n in range(30):
        make_organization("43", name_en=f"Quiet Works {n}", description_ja="静か")
    client.force_login(aiko)
    client.get(reverse("workspace:english_queue"))
    # Session, user, curatorships (the access check, the scope), the counts, the rows, and
    # the header's firm membership.
    with django_assert_num_queries(7):
        body = client.get(reverse("workspace:english_queue")).content.decode()
    assert "32 profiles wait for English" in body and "Page 1 of 2" in body
    second = client.get(reverse("workspace:english_queue"), {"page": 2}).content.decode()
    assert second.count('<td><a href="/workspace/organizations/') == 7


def test_an_admin_sees_every_prefecture_s_queue(
    client: Client, root: User, queue_world: dict[str, Organization]
) -> None:
    client.force_login(root)
    body = client.get(reverse("workspace:english_queue")).content.decode()
    assert "Sapporo Dairy" in body and "Aso Valves" in body


def test_the_editor_shows_each_japanese_text_beside_its_english_field(
    client: Client, aiko: User, queue_world: dict[str, Organization]
) -> None:
    client.force_login(aiko)
    aso = queue_world["aso"]
    body = client.get(reverse("workspace:english_edit", args=[aso.pk])).content.decode()
    for name in ["name_en", *Organization.bilingual_fields("en"), "keywords"]:
        assert f'name="{name}"' in body
    assert 'name="description_ja"' not in body and 'name="prefecture"' not in body
    assert '<p lang="ja">真空バルブのメーカーです。</p>' in body
    offers = r'<textarea name="offers_en"[^>]*lang="en"[^>]*>\s*Gate valves.</textarea>'
    assert re.search(offers, body)
    assert "vacuum valve" in body  # the keyword's gloss beside the keywords field


def test_saving_writes_the_history_and_goes_back_to_the_queue(
    client: Client, aiko: User, queue_world: dict[str, Organization]
) -> None:
    client.force_login(aiko)
    aso = queue_world["aso"]
    data = {
        "version": aso.version,
        "name_en": "Aso Valves",
        "description_en": "A maker of vacuum valves.",
        "offers_en": "Gate valves.",
        "seeks_en": "",
        "keywords": "真空バルブ\nvacuum valves",
    }
    response = client.post(reverse("workspace:english_update", args=[aso.pk]), data, follow=True)
    assert response.redirect_chain == [(reverse("workspace:english_queue"), 302)]
    assert "The English texts of Aso Valves were saved." in response.content.decode()
    aso.refresh_from_db()
    assert aso.description_en == "A maker of vacuum valves." and aso.version == 2
    assert aso.description_ja == "真空バルブのメーカーです。"  # untouched
    change = OrganizationChange.objects.get(organization=aso, version=2)
    assert set(change.fields) == {"description_en", "keywords"}
    assert "Aso Valves" not in response.content.decode().split("<tbody>")[1]


def test_a_save_based_on_an_older_version_is_refused_and_keeps_the_text(
    client: Client, aiko: User, queue_world: dict[str, Organization]
) -> None:
    client.force_login(aiko)
    aso = queue_world["aso"]
    Organization.objects.filter(pk=aso.pk).update(version=5)
    data = {"version": 1, "name_en": "Aso Valves", "description_en": "My new text."}
    response = client.post(reverse("workspace:english_update", args=[aso.pk]), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this organization" in body and "My new text." in body
    assert 'name="version" value="5"' in body
    aso.refresh_from_db()
    assert aso.description_en == ""


def test_a_name_cannot_be_emptied_when_there_is_no_japanese_one(
    client: Client, aiko: User, queue_world: dict[str, Organization]
) -> None:
    client.force_login(aiko)
    higo = queue_world["higo"]
    data = {"version": higo.version, "name_en": ""}
    response = client.post(reverse("workspace:english_update", args=[higo.pk]), data)
    assert response.status_code == 200 and "Give a name in English or in Japanese." in (
        response.content.decode()
    )
    higo.refresh_from_db()
    assert higo.name_en == "Higo Precision"


def test_another_prefecture_s_profile_is_not_found(
    client: Client, aiko: User, queue_world: dict[str, Organization]
) -> None:
    client.force_login(aiko)
    sapporo = queue_world["sapporo"]
    assert client.get(reverse("workspace:english_edit", args=[sapporo.pk])).status_code == 404
    data = {"version": 1, "name_en": "Hijacked", "description_en": "x"}
    response = client.post(reverse("workspace:english_update", args=[sapporo.pk]), data)
    assert response.status_code == 404
    sapporo.refresh_from_db()
    assert sapporo.name_en == "Sapporo Dairy" and sapporo.description_en == ""
