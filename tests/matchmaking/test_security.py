from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_every_page_sends_a_strict_content_security_policy(client: Client) -> None:
    response = client.get(reverse("home"))
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert any(value.startswith("'nonce-") for value in csp["script-src"])


def test_scripts_are_served_by_the_app_with_the_nonce(client: Client) -> None:
    response = client.get(reverse("home"))
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce is not None
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "htmx should be on the page"
    for tag in scripts:
        assert f'nonce="{nonce.group(1)}"' in tag
        src = re.search(r'src="([^"]+)"', tag)
        assert src is not None and src.group(1).startswith("/static/"), tag
    assert '"allowEval": false' in html


def test_password_validators_are_on() -> None:
    names = {
        validator["NAME"].rsplit(".", 1)[-1] for validator in settings.AUTH_PASSWORD_VALIDATORS
    }
    assert {
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    } <= names


def fail_logins(client: Client, url: str, username: str, times: int) -> None:
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong password"})
        assert response.status_code == 200


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_login_is_paused_after_five_failures_even_with_the_right_password(
    client: Client, root: User, url_name: str
) -> None:
    url = reverse(url_name)
    fail_logins(client, url, root.username, 5)
    response = client.post(url, {"username": root.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_and_a_success_resets_the_count(
    client: Client, root: User
) -> None:
    url = reverse("login")
    fail_logins(client, url, root.username, 4)
    response = client.post(url, {"username": root.username, "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    fail_logins(client, url, root.username, 4)
    response = client.post(url, {"username": root.username, "password": PASSWORD})
    assert response.status_code == 302


def test_the_lock_is_per_username_and_address(client: Client, root: User) -> None:
    url = reverse("login")
    fail_logins(client, url, root.username, 5)
    other_address = Client(REMOTE_ADDR="203.0.113.9")
    response = other_address.post(url, {"username": root.username, "password": PASSWORD})
    assert response.status_code == 302


def test_logging_in_rotates_the_session_key(client: Client, root: User) -> None:
    client.get(reverse("login"))
    session = client.session
    session["marker"] = "before"
    session.save()
    before = session.session_key
    client.post(reverse("login"), {"username": root.username, "password": PASSWORD})
    assert client.session.session_key != before


def test_logout_refuses_get_and_ends_the_session_on_post(client: Client, root: User) -> None:
    client.force_login(root)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_failures_for_one_account_from_many_addresses_lock_it(client: Client, root: User) -> None:
    """Issue 16: 30 wrong passwords from 6 addresses, 5 each, were never throttled."""
    url = reverse("login")
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT // 2):
        fail_logins(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), url, root.username, 2)
    response = Client(REMOTE_ADDR="203.0.113.50").post(
        url, {"username": root.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed log-in attempts" in response.content.decode()


def test_failures_from_one_address_across_accounts_lock_the_address(
    client: Client, root: User
) -> None:
    """Issue 16: one password tried against 40 accounts from one address was never paused."""
    url = reverse("login")
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        fail_logins(client, url, f"someone{n}@firm.example", 1)
    response = client.post(url, {"username": root.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert (
        Client(REMOTE_ADDR="203.0.113.9")
        .post(url, {"username": root.username, "password": PASSWORD})
        .status_code
        == 302
    )


def test_the_lock_reads_the_same_for_known_and_unknown_accounts(root: User) -> None:
    url = reverse("login")

    def locked_answer(username: str, first_address: int) -> list[str]:
        for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
            fail_logins(Client(REMOTE_ADDR=f"198.51.{first_address}.{n + 1}"), url, username, 1)
        response = Client(REMOTE_ADDR=f"203.0.{first_address}.1").post(
            url, {"username": username, "password": "wrong password"}
        )
        return list(response.context["form"].non_field_errors())

    known = locked_answer(root.username, 1)
    assert known == locked_answer("nobody@nowhere.example", 2)
    assert "Too many failed log-in attempts" in known[0]


def test_successful_log_ins_do_not_use_up_the_address_limit(client: Client, root: User) -> None:
    """An office behind one address logs in all day."""
    url = reverse("login")
    for _ in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT + 1):
        response = client.post(url, {"username": root.username, "password": PASSWORD})
        assert response.status_code == 302
        client.logout()
