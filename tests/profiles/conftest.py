from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The access matrix creates five accounts per test; real hashing would take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English; an earlier request may have left Japanese active."""
    with translation.override("en"):
        yield
