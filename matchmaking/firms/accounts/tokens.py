"""Signed, expiring links for email confirmation and invitations: no table to clean up."""

from __future__ import annotations

from typing import Any

from django.core import signing

CONFIRM_SALT = "ryumon.accounts.confirm"
INVITE_SALT = "ryumon.accounts.invite"
CONFIRM_MAX_AGE = 3 * 24 * 3600
INVITE_MAX_AGE = 7 * 24 * 3600


def make(payload: dict[str, Any], *, salt: str) -> str:
    return signing.dumps(payload, salt=salt, compress=True)


def read(token: str, *, salt: str, max_age: int) -> dict[str, Any] | None:
    """Return the payload, or None for a forged, altered or expired token."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return payload if isinstance(payload, dict) else None
