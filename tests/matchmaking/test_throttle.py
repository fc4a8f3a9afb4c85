"""Log-in attempts are counted atomically: parallel attempts cannot pass the limit."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import RequestFactory

from matchmaking.throttle import ThrottledModelBackend

ATTEMPTS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)
def test_parallel_attempts_get_no_more_password_checks_than_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 16: 20 parallel attempts got 6 password checks against a limit of 5."""
    User.objects.create_user("root@ryumon.example", password="correct horse battery staple")
    checks: list[int] = []
    real = ModelBackend.authenticate

    def counting(self: ModelBackend, *args: Any, **kwargs: Any) -> Any:
        checks.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    start = threading.Barrier(ATTEMPTS)

    def attempt() -> None:
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.1")
        start.wait()
        try:
            ThrottledModelBackend().authenticate(
                request, username="root@ryumon.example", password="wrong password"
            )
        except PermissionDenied:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == settings.LOGIN_FAILURE_LIMIT
