"""GET /api/v1/suggestions: read-only JSON, published organizations only, rate-limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions"


def test_the_url_is_stable() -> None:
    assert reverse("api-suggestions") == URL
    assert reverse("api-openapi") == "/api/v1/openapi.json"


def test_it_returns_ranked_explained_suggestions(client: Client, indexed: Any) -> None:
    response = client.get(URL, {"text": "industrial robot arms", "top": "5"})
    assert response.status_code == 200
    data = response.json()
    assert [r["external_id"] for r in data["results"]] == ["kumamoto-robots", "tokyo-robots"]
    top = data["results"][0]
    assert top["boosted"] is True
    assert top["explanation"]["terms"][0]["term"]
    assert "unboosted_score" not in top  # staff only
    assert isinstance(data["index_version"], int)


def test_it_explains_in_chinese_for_a_chinese_reader(client: Client, indexed: Any) -> None:
    # Issue 18: a need in Chinese meets the Japanese-only chip maker; concepts are named in
    # the reader's script.
    text = "寻找半导体封装和晶圆检测设备的日本合作伙伴"
    response = client.get(URL, {"text": text, "lang": "zh-hans"})
    assert response.status_code == 200
    top = response.json()["results"][0]
    assert top["external_id"] == "fukuoka-chips"
    terms = {t["term"] for t in top["explanation"]["terms"]}
    assert "晶圆" in terms, terms
    traditional = client.get(URL, {"text": text, "lang": "zh-hant"}).json()["results"][0]
    assert "晶圓" in {t["term"] for t in traditional["explanation"]["terms"]}


def test_staff_see_the_unboosted_score(client: Client, indexed: Any, root: User) -> None:
    client.force_login(root)
    top = client.get(URL, {"text": "industrial robot arms"}).json()["results"][0]
    assert top["score"] > top["unboosted_score"]


def test_it_filters_and_switches_the_boost_off(client: Client, indexed: Any) -> None:
    tokyo = client.get(URL, {"text": "robot arms", "prefecture": "13"}).json()
    assert [r["external_id"] for r in tokyo["results"]] == ["tokyo-robots"]
    both = client.get(URL, {"text": "robot arms", "kind": ["university", "company"]}).json()
    assert len(both["results"]) == 2
    plain = client.get(URL, {"text": "industrial robot arms", "boost": "false"}).json()
    assert plain["results"][0]["external_id"] == "tokyo-robots"


def test_it_never_returns_unpublished_organizations(client: Client, indexed: Any) -> None:
    found = client.get(URL, {"text": "force sensors robot arms", "top": "50"}).json()
    assert "miyagi-sensors" not in [r["external_id"] for r in found["results"]]


def test_it_answers_400_for_bad_parameters(client: Client, indexed: Any) -> None:
    assert client.get(URL).status_code == 400
    assert client.get(URL, {"text": "x", "top": "500"}).status_code == 400
    response = client.get(URL, {"text": "x", "kind": "castle"})
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]


def test_it_is_read_only(client: Client, indexed: Any) -> None:
    assert client.post(URL, {"text": "robots"}).status_code == 405


def test_it_answers_503_until_an_index_exists(client: Client, directory: Any) -> None:
    assert client.get(URL, {"text": "robots"}).status_code == 503


@override_settings(API_RATE_LIMIT=3)
def test_it_limits_each_client_to_its_own_rate(client: Client, indexed: Any) -> None:
    for _ in range(3):
        assert client.get(URL, {"text": "robots"}).status_code == 200
    refused = client.get(URL, {"text": "robots"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert other.get(URL, {"text": "robots"}).status_code == 200


def test_it_describes_itself_in_openapi(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    names = {p["name"] for p in spec["paths"][URL]["get"]["parameters"]}
    assert {"text", "top", "kind", "prefecture", "region", "boost"} <= names
