from __future__ import annotations

from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client, RequestFactory
from django.urls import reverse

from matchmaking import views
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


def test_home_shows_the_directory_in_numbers(client: Client) -> None:
    make_organization(
        "43", name_en="Higo Precision", lying_dragon=True, lying_dragon_reason="Niche top"
    )
    make_organization("13", name_en="Tokyo Works")
    make_organization("01", name_en="Draft Co", status="draft")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert response.context["published_count"] == 2
    assert response.context["regional_count"] == 1
    assert response.context["lying_dragon_count"] == 1
    assert response.context["prefecture_count"] == 47


def test_healthz_reports_a_working_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(client: Client) -> None:
    with mock.patch.object(views.connection, "cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.parametrize(
    ("handler", "status", "text"),
    [
        (views.page_not_found, 404, "Page not found"),
        (views.permission_denied, 403, "Access denied"),
        (views.bad_request, 400, "Bad request"),
    ],
)
def test_error_pages_are_friendly_and_need_no_database(
    rf: RequestFactory, django_assert_num_queries: object, handler: object, status: int, text: str
) -> None:
    request = rf.get("/nowhere")
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = handler(request, Exception())  # type: ignore[operator]
    assert response.status_code == status
    assert text in response.content.decode()


def test_the_500_page_renders_while_the_database_is_down(rf: RequestFactory) -> None:
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=DatabaseError
    ):
        response = views.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_an_unknown_url_gets_the_friendly_404(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
