"""Guards around every view (issue 16).

Input the database cannot store is refused before any view runs: PostgreSQL refuses NUL in
text, so each of these answered 500 there; SQLite accepted them. Both now answer 400.

A database that is down gives the 503 page with Retry-After, never the 500 page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from matchmaking import views
from matchmaking.middleware import RefuseControlCharactersMiddleware
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


def assert_bad_request(response: Any) -> None:
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["q=robot%00arm", "q=robot%01arm", "q=%1F", "robot%00arm=1", "page=1&status=%00"],
)
def test_it_refuses_control_characters_in_the_workspace_search(
    client: Client, aiko: User, query: str
) -> None:
    client.force_login(aiko)
    assert_bad_request(client.get(f"/workspace/organizations/?{query}"))


def test_it_refuses_nul_in_the_export_filters(client: Client, aiko: User) -> None:
    make_organization("43", name_en="Higo Precision")
    client.force_login(aiko)
    assert_bad_request(client.get("/workspace/export/?prefecture=%00"))


@pytest.mark.parametrize("query", ["q=%00", "status__exact=%00", "prefecture__id__exact=%00"])
def test_it_refuses_nul_in_the_admin_changelist(client: Client, root: User, query: str) -> None:
    client.force_login(root)
    url = reverse("admin:profiles_organization_changelist")
    assert_bad_request(client.get(f"{url}?{query}"))


def test_it_refuses_nul_in_a_posted_form(aiko: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(aiko)
    client.get(reverse("workspace:organization_new"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("workspace:organization_create"),
        {"csrfmiddlewaretoken": token, "kind": "company", "name_en": "X", "prefecture": "43\x00"},
    )
    assert_bad_request(response)


def test_it_refuses_nul_in_a_multipart_text_field(client: Client, aiko: User) -> None:
    client.force_login(aiko)
    upload = SimpleUploadedFile("orgs.csv", b"name_en\x00\r\nrobot\x00arm\r\n", "text/csv")
    response = client.post(reverse("workspace:import_upload"), {"file": upload, "mode": "\x00"})
    assert_bad_request(response)


def test_it_refuses_nul_in_the_path(client: Client, aiko: User) -> None:
    client.force_login(aiko)
    assert_bad_request(client.get("/workspace/prefectures/43%00/"))


def test_it_lets_tabs_and_line_breaks_through(client: Client, aiko: User) -> None:
    client.force_login(aiko)
    response = client.get("/workspace/organizations/", {"q": "robot\tarm\r\nwelding"})
    assert response.status_code == 200


def test_it_leaves_the_contents_of_uploaded_files_to_the_view(rf: RequestFactory) -> None:
    """A file may hold any byte: what it holds is for the import to judge."""
    upload = SimpleUploadedFile("orgs.csv", b"name_en\x00\r\nrobot\x00arm\r\n", "text/csv")
    request = rf.post("/workspace/import/upload/", {"file": upload, "mode": "dry_run"})
    middleware = RefuseControlCharactersMiddleware(lambda request: HttpResponse("view"))
    response = middleware(request)
    assert response.content == b"view"
    received = request.FILES["file"]
    assert isinstance(received, UploadedFile)
    assert received.read() == b"name_en\x00\r\nrobot\x00arm\r\n"


@contextmanager
def database_down() -> Iterator[None]:
    """Every new query fails as when PostgreSQL is stopped (the test's own transaction stays)."""
    refused = OperationalError("connection to server at 127.0.0.1, port 5432 failed")
    with mock.patch.object(connection, "ensure_connection", side_effect=refused):
        yield


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/organizations/", "/prefectures/", "/organizations/1/"])
def test_a_public_page_answers_503_while_the_database_is_down(url: str) -> None:
    client = Client(raise_request_exception=False)
    with database_down():
        assert_unavailable(client.get(url))


def test_a_signed_in_page_answers_503_while_the_database_is_down(aiko: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(aiko)
    with database_down():
        assert_unavailable(client.get(reverse("workspace:organizations")))


def test_the_admin_answers_503_while_the_database_is_down(root: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(root)
    with database_down():
        assert_unavailable(client.get(reverse("admin:profiles_organization_changelist")))


def test_logging_in_answers_503_while_the_database_is_down(root: User) -> None:
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.post(reverse("login"), {"username": root.username, "password": "x"})
    assert_unavailable(response)


def test_healthz_answers_503_while_the_database_is_down(client: Client) -> None:
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_an_outage_outside_a_view_gets_the_503_page_too(rf: RequestFactory) -> None:
    """A middleware saving the session after the view is past DatabaseUnavailableMiddleware."""
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError:
        response = views.server_error(rf.get("/"))
    assert_unavailable(response)


def test_other_errors_still_get_the_500_page(rf: RequestFactory) -> None:
    try:
        raise DatabaseError("value too long for type character varying(200)")
    except DatabaseError:
        response = views.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
