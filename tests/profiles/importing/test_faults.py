"""Import jobs under real faults (PostgreSQL): the worker process killed with SIGKILL in the
middle of a job, and the job's database session terminated by `pg_terminate_backend`.

Either way nothing of the file is written, the job does not stay `running` for good, and the
curator can run the same file again. The worker is a real second process (or thread) on its
own connection, so the rows it works on are committed first and deleted afterwards; SQLite's
in-memory test database is private to one connection, so these run on PostgreSQL only (CI
runs the whole suite on both).
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from profiles.importing import jobs
from profiles.models import ImportJob, Organization
from profiles.models.history import LEASE_SECONDS
from tests.conftest import make_curator

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs one database for several connections"
    ),
]

REPO = Path(__file__).resolve().parents[3]
HEADER = (
    "external_id,kind,name_en,name_ja,prefecture,municipality,industries,description_ja,status"
)
ROWS = 2000


def _committed(call: Callable[[], Any]) -> Any:
    """Run `call` in its own thread and connection, so what it writes is committed."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as error:
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    (result,) = outcome
    if isinstance(result, Exception):
        raise result
    return result


def _file(tag: str) -> bytes:
    lines = [HEADER] + [
        f"fault-{tag}:{i},company,Fault Test {tag} {i},障害試験{i}株式会社,熊本県,熊本市中央区,"
        f"E,精密部品の切削加工。試験行{i},draft"
        for i in range(ROWS)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def curator() -> Iterator[User]:
    tag = uuid.uuid4().hex[:8]
    # No index updates after the retry's commit: they would outlive the test.
    with override_settings(RANKER_AUTO_REBUILD=False):
        user = _committed(lambda: make_curator(f"fault-{tag}@pref-kumamoto.example", "43"))
        yield user
        _committed(lambda: Organization.objects.filter(external_id__startswith="fault-").delete())
        _committed(lambda: User.objects.filter(pk=user.pk).delete())


def _queued_job(user: User) -> ImportJob:
    tag = uuid.uuid4().hex[:6]
    return _committed(
        lambda: ImportJob.objects.create(
            user=user, file_name=f"{tag}.csv", content=_file(tag), mode=ImportJob.Mode.COMMIT
        )
    )


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _state(job: ImportJob) -> ImportJob:
    return ImportJob.objects.get(pk=job.pk)


def _written(job: ImportJob) -> int:
    prefix = job.file_name.removesuffix(".csv")
    return Organization.objects.filter(external_id__startswith=f"fault-{prefix}:").count()


def _retry_writes_the_whole_file(job: ImportJob, user: User) -> None:
    # Run again by a worker of its own, as the curator's click would: committed.
    again = _committed(lambda: jobs.import_job_retry(job=_state(job), user=user))
    again.refresh_from_db()
    assert again.state == ImportJob.State.DONE, again.report
    assert again.report["created"] == ROWS
    assert _written(job) == ROWS


def test_a_worker_killed_mid_job_writes_nothing_is_failed_after_the_lease_and_runs_again(
    curator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _queued_job(curator)
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from profiles.importing.jobs import import_job_run; "
            f"import_job_run({job.pk})",
        ],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "matchmaking.settings",
            "DATABASE_URL": url,
            "RANKER_AUTO_REBUILD": "0",
        },
    )
    try:
        _wait_for(
            lambda: _state(job).state == ImportJob.State.RUNNING and _state(job).rows_done > 0,
            60,
            "the worker to start reading rows",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL

    dead = _state(job)
    assert dead.state == ImportJob.State.RUNNING  # nobody is left to say otherwise...
    assert dead.rows_done < ROWS
    assert _written(job) == 0  # ...and nothing of the file was written
    # Another worker's next job (or a look at the job's page) fails orphans, committed.
    assert _committed(ImportJob.objects.fail_orphaned) == 0  # within the lease: maybe alive

    later = timezone.now() + datetime.timedelta(seconds=LEASE_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _committed(ImportJob.objects.fail_orphaned) == 1
    monkeypatch.undo()
    failed = _state(job)
    assert failed.state == ImportJob.State.FAILED and failed.finished_at is not None

    _retry_writes_the_whole_file(job, curator)


def test_a_terminated_database_session_fails_the_job_at_once_and_writes_nothing(
    curator: User,
) -> None:
    job = _queued_job(curator)
    raised: list[BaseException] = []

    def work() -> None:
        try:
            jobs.import_job_run(job.pk)
        except Exception as error:
            raised.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    with override_settings(RANKER_AUTO_REBUILD=False):
        worker.start()
        try:
            _wait_for(lambda: _state(job).rows_done > 0, 60, "the worker to start reading rows")
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                assert cursor.fetchall(), "no other session to terminate"
        finally:
            worker.join(timeout=60)
    assert not worker.is_alive()
    assert raised, "the import went on without its database session"

    failed = _state(job)
    assert failed.state == ImportJob.State.FAILED  # at once, not after the lease
    assert failed.finished_at is not None
    assert _written(job) == 0

    _retry_writes_the_whole_file(job, curator)
