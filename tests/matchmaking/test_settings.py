from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from matchmaking.env import env_bool, env_int, env_list

REPO = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "HTTPS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_bool_fails_loudly_on_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_env_bool_reads_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "Yes")
    assert env_bool("SOME_FLAG") is True
    monkeypatch.setenv("SOME_FLAG", "0")
    assert env_bool("SOME_FLAG", default=True) is False
    monkeypatch.delenv("SOME_FLAG")
    assert env_bool("SOME_FLAG", default=True) is True


def test_env_int_fails_loudly_on_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("SOME_NUMBER", 1)
    monkeypatch.setenv("SOME_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least"):
        env_int("SOME_NUMBER", 1)


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "insecure-key-for-the-test-suite-only",  # 36 characters: the suite's key until now
        "ab" * 40,  # long, but only two different characters
        "django-insecure-development-only-key-never-use-in-production",  # the DEBUG fallback
    ],
    ids=["short", "two-characters", "django-insecure"],
)
def test_it_refuses_a_weak_secret_key_when_debug_is_off(key: str) -> None:
    result = run_manage("check", DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_a_short_secret_key_is_fine_for_development() -> None:
    result = run_manage("check", DEBUG="1", SECRET_KEY="dev")
    assert result.returncode == 0, result.stderr


def test_it_refuses_an_unknown_database_url() -> None:
    result = run_manage("check", DEBUG="1", DATABASE_URL="mysql://nobody@localhost/x")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_it_refuses_an_index_chunk_larger_than_a_database_value() -> None:
    result = run_manage("check", DEBUG="1", RANKER_INDEX_CHUNK_BYTES=str(2**30))
    assert result.returncode != 0
    assert "RANKER_INDEX_CHUNK_BYTES must be at most" in result.stderr


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x7!kq2-production-like-secret-of-sufficient-length-and-variety-9fz3",
        ALLOWED_HOSTS="ryumon.example",
        TASKS_BACKEND="database",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_background_work_would_run_inside_requests() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x7!kq2-production-like-secret-of-sufficient-length-and-variety-9fz3",
        ALLOWED_HOSTS="ryumon.example",
        TASKS_BACKEND="immediate",
    )
    assert result.returncode != 0
    assert "ryumon.W001" in result.stdout + result.stderr


def test_persistent_postgres_connections_are_health_checked() -> None:
    code = (
        "from django.conf import settings; db = settings.DATABASES['default'];"
        "print(db['ENGINE'], db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "matchmaking.settings",
            "DEBUG": "1",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ryumon",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "60", "True"], result.stderr


def test_redis_url_moves_the_cache_and_the_session_reads_to_redis() -> None:
    code = (
        "from django.conf import settings; from django.core.cache import cache; "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE); "
        "print(type(cache._cache.get_client).__name__)"  # builds the client: redis is installed
    )
    done = run_manage(
        "shell", "--no-imports", "-c", code, DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/9"
    )
    assert done.returncode == 0, done.stderr
    backend, engine = done.stdout.split()[:2]
    assert backend == "django.core.cache.backends.redis.RedisCache"
    assert engine == "django.contrib.sessions.backends.cached_db"
    without = run_manage("shell", "--no-imports", "-c", code.split("; print(type")[0], DEBUG="1")
    assert without.stdout.split()[:2] == [
        "django.core.cache.backends.db.DatabaseCache",
        "django.contrib.sessions.backends.db",
    ]
