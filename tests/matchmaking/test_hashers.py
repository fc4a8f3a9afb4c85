"""Password hashing (matchmaking/accounts/hashers.py) with the production PASSWORD_HASHERS.

The rest of the suite hashes with MD5 for speed (tests/conftest.py); these tests restore the
real list."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, make_password
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

PRODUCTION = importlib.import_module("matchmaking.settings").PASSWORD_HASHERS
pytestmark = pytest.mark.django_db


class _QuickPBKDF2(PBKDF2PasswordHasher):
    iterations = 1000  # an old, weak hash from before the switch (cheap for the test)


@override_settings(PASSWORD_HASHERS=PRODUCTION)
def test_new_passwords_are_argon2id_at_owasps_parameters() -> None:
    encoded = make_password("correct horse battery staple")
    assert identify_hasher(encoded).algorithm == "argon2id-owasp"
    assert "$argon2id$v=19$m=19456,t=2,p=1$" in encoded


def test_an_older_pbkdf2_hash_still_logs_in_and_is_upgraded(client: Client) -> None:
    with override_settings(PASSWORD_HASHERS=["tests.matchmaking.test_hashers._QuickPBKDF2"]):
        user = User.objects.create_user("old@example.com", "old@example.com", "an old secret 42")
    assert user.password.startswith("pbkdf2_sha256$1000$")
    hashers = [*PRODUCTION, "tests.matchmaking.test_hashers._QuickPBKDF2"]
    with override_settings(PASSWORD_HASHERS=hashers):
        response = client.post(
            reverse("login"),
            {"username": "old@example.com", "password": "an old secret 42"},
        )
        assert response.status_code == 302
        user.refresh_from_db()
        assert identify_hasher(user.password).algorithm == "argon2id-owasp"
