"""Login throttling for every login form, the admin's included.

After LOGIN_FAILURE_LIMIT failures for one username from one address, that pair is locked
for LOGIN_COOLOFF_SECONDS. State lives in the shared cache, so every worker agrees.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and trusting it would let an attacker pick a fresh address per attempt.
    return str(request.META.get("REMOTE_ADDR", "-"))


def _key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def is_locked(request: HttpRequest | None, username: str) -> bool:
    failures = cache.get(_key(username, client_address(request)), 0)
    return int(failures) >= settings.LOGIN_FAILURE_LIMIT


def record_failure(request: HttpRequest | None, username: str) -> None:
    key = _key(username, client_address(request))
    failures = int(cache.get(key, 0)) + 1
    # Each failure restarts the cool-off, so a locked pair stays locked while it keeps trying.
    cache.set(key, failures, timeout=settings.LOGIN_COOLOFF_SECONDS)


def reset(request: HttpRequest | None, username: str) -> None:
    cache.delete(_key(username, client_address(request)))


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses even a correct password while the pair is locked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username and is_locked(request, username):
            raise PermissionDenied("Too many failed logins")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = credentials.get("username") or credentials.get("email") or ""
    if username:
        record_failure(request, username)


@receiver(user_logged_in)
def _on_logged_in(
    sender: object, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    reset(request, user.get_username())
