"""Login throttling for every login form, the admin's included.

Three counters, each locking log-in for LOGIN_COOLOFF_SECONDS once it reaches its limit:

- one username from one address (LOGIN_FAILURE_LIMIT): someone mistyping their password;
- one username from any address (LOGIN_ACCOUNT_FAILURE_LIMIT): guessing one account's
  password from many addresses;
- one address for any username (LOGIN_ADDRESS_FAILURE_LIMIT): trying one password against
  many accounts.

An attempt is counted before the password is checked (`begin_attempt`), atomically
(`matchmaking/counters.py`), so parallel attempts cannot slip past the limit; a success takes
its count back. Usernames are counted whether or not they exist, so a lock says nothing
about which accounts do.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from matchmaking import counters

_REFUSED = "_ryumon_login_refused"  # set on a request whose attempt the lock refused


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and trusting it would let an attacker pick a fresh address per attempt.
    return str(request.META.get("REMOTE_ADDR", "-"))


def _key(kind: str, value: str) -> str:
    return f"login:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _limits(request: HttpRequest | None, username: str) -> dict[str, int]:
    """Each counter's key and limit: pair, account, address, in this order."""
    name, address = username.strip().lower(), client_address(request)
    return {
        _key("pair", f"{name}|{address}"): settings.LOGIN_FAILURE_LIMIT,
        _key("account", name): settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
        _key("address", address): settings.LOGIN_ADDRESS_FAILURE_LIMIT,
    }


def is_locked(request: HttpRequest | None, username: str) -> bool:
    """Whether the next attempt would be refused (nothing is counted)."""
    limits = _limits(request, username)
    counts = counters.current(list(limits))
    return any(counts.get(key, 0) >= limit for key, limit in limits.items())


def begin_attempt(request: HttpRequest | None, username: str) -> bool:
    """Count an attempt on every counter; False when one of them was already at its limit."""
    allowed = True
    for key, limit in _limits(request, username).items():
        if counters.count(key, seconds=settings.LOGIN_COOLOFF_SECONDS, restart=True) > limit:
            allowed = False
    return allowed


def attempt_succeeded(request: HttpRequest | None, username: str) -> None:
    """The password was right: forget the username's failures, take the address's count back."""
    pair, account, address = _limits(request, username)
    counters.forget(pair, account)
    counters.uncount(address)


def was_refused(request: HttpRequest | None) -> bool:
    return bool(getattr(request, _REFUSED, False))


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that counts each attempt first and refuses even a correct password while
    a counter is at its limit."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username:
            return super().authenticate(request, username=username, password=password, **kwargs)
        if not begin_attempt(request, username):
            if request is not None:
                setattr(request, _REFUSED, True)
            raise PermissionDenied("Too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            attempt_succeeded(request, username)
        return user


@receiver(user_logged_in)
def _on_logged_in(
    sender: object, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    # Also after a confirmation or an invitation: the person proved they hold the account.
    name = user.get_username()
    pair, account, _address = _limits(request, name)
    counters.forget(pair, account)
