"""Import jobs whose worker died are failed within the lease, and can be run again.

Aiko curates Kumamoto and uploads the EDINET sample; Ben curates Hokkaido.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profiles.importing import jobs
from profiles.importing.jobs import import_job_run
from profiles.models import ImportJob, Organization
from profiles.models.history import LEASE_SECONDS

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent.parent / "data" / "kumamoto_edinet.csv"


def running_job(user: User, *, silent_for: float, mode: str = "commit") -> ImportJob:
    """A job its worker claimed, then last stamped `silent_for` seconds ago."""
    return ImportJob.objects.create(
        user=user,
        file_name="k.csv",
        content=SAMPLE.read_bytes(),
        mode=mode,
        state=ImportJob.State.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=silent_for),
    )


def test_the_lease_fails_a_dead_worker_within_a_minute() -> None:
    assert jobs.HEARTBEAT_SECONDS * 3 < LEASE_SECONDS < 60


def test_a_job_whose_worker_died_is_failed_when_its_page_is_polled(
    client: Client, aiko: User
) -> None:
    job = running_job(aiko, silent_for=LEASE_SECONDS + 1)
    client.force_login(aiko)
    page = client.get(reverse("workspace:import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert job.state == "failed" and job.finished_at is not None
    assert b"every 1s" not in page.content and b"Run it again" in page.content
    assert Organization.objects.count() == 0


def test_a_job_heard_from_within_the_lease_keeps_running(client: Client, aiko: User) -> None:
    job = running_job(aiko, silent_for=LEASE_SECONDS - 10)
    client.force_login(aiko)
    page = client.get(reverse("workspace:import_job", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == "running" and b'hx-trigger="every 1s"' in page.content


def test_a_running_job_without_any_heartbeat_is_judged_by_its_age(aiko: User) -> None:
    job = running_job(aiko, silent_for=0)
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=None, created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert ImportJob.objects.fail_orphaned() == 1


def test_the_import_page_fails_the_users_orphaned_jobs(client: Client, aiko: User) -> None:
    job = running_job(aiko, silent_for=LEASE_SECONDS + 1)
    client.force_login(aiko)
    assert b"failed" in client.get(reverse("workspace:import")).content
    job.refresh_from_db()
    assert job.state == "failed"


def test_the_next_worker_fails_orphaned_jobs_then_runs_its_own(aiko: User) -> None:
    orphan = running_job(aiko, silent_for=LEASE_SECONDS + 1)
    queued = ImportJob.objects.create(
        user=aiko, file_name="k.csv", content=SAMPLE.read_bytes(), mode="dry_run"
    )
    import_job_run(queued.pk)
    orphan.refresh_from_db()
    queued.refresh_from_db()
    assert (orphan.state, queued.state) == ("failed", "done")
    assert queued.report["created"] == 11 and Organization.objects.count() == 0


def test_a_job_is_run_once_even_if_two_workers_are_handed_it(aiko: User) -> None:
    job = ImportJob.objects.create(
        user=aiko, file_name="k.csv", content=SAMPLE.read_bytes(), mode="commit"
    )
    import_job_run(job.pk)
    import_job_run(job.pk)
    assert Organization.objects.count() == 11


def test_a_failed_job_is_run_again_and_writes_only_then(client: Client, aiko: User) -> None:
    job = running_job(aiko, silent_for=LEASE_SECONDS + 1)
    ImportJob.objects.fail_orphaned()
    client.force_login(aiko)
    response = client.post(reverse("workspace:import_retry", args=[job.pk]))
    retry = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("workspace:import_job", args=[retry.pk])
    assert (retry.mode, retry.state, retry.report["created"]) == ("commit", "done", 11)
    assert Organization.objects.count() == 11


def test_only_a_failed_job_may_be_run_again(client: Client, aiko: User) -> None:
    job = running_job(aiko, silent_for=0)
    client.force_login(aiko)
    client.post(reverse("workspace:import_retry", args=[job.pk]))
    assert ImportJob.objects.count() == 1 and Organization.objects.count() == 0


def test_only_the_uploader_may_run_a_job_again(client: Client, aiko: User, ben: User) -> None:
    job = running_job(aiko, silent_for=LEASE_SECONDS + 1)
    ImportJob.objects.fail_orphaned()
    client.force_login(ben)
    response = client.post(reverse("workspace:import_retry", args=[job.pk]))
    assert response.status_code == 404 and ImportJob.objects.count() == 1


def test_the_heartbeat_beats_while_the_import_is_silent_and_stops_after(
    monkeypatch: Any,
) -> None:
    """Reading a file or writing it in one transaction reports no progress for a while."""
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.05)
    beats: list[float] = []
    with jobs.heartbeat(lambda: beats.append(time.monotonic()), name="test"):
        time.sleep(0.5)
    after = len(beats)
    time.sleep(0.2)
    assert after >= 3 and len(beats) == after


def test_the_worker_stamps_its_job_when_it_claims_it_and_as_rows_are_checked(
    aiko: User,
) -> None:
    rows = "\n".join(f"k-{n},company,Works {n},43" for n in range(600))
    job = ImportJob.objects.create(
        user=aiko,
        file_name="k.csv",
        content=f"external_id,kind,name_en,prefecture\n{rows}\n".encode(),
        mode="dry_run",
    )
    before = timezone.now()
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.heartbeat_at is not None and job.heartbeat_at >= before


def _clean_preview(user: User) -> ImportJob:
    preview = ImportJob.objects.create(
        user=user, file_name="k.csv", content=SAMPLE.read_bytes(), mode="dry_run"
    )
    import_job_run(preview.pk)
    preview.refresh_from_db()
    assert preview.can_commit
    return preview


def test_a_double_clicked_commit_commits_the_file_once(client: Client, aiko: User) -> None:
    preview = _clean_preview(aiko)
    client.force_login(aiko)
    url = reverse("workspace:import_commit", args=[preview.pk])
    first, second = client.post(url), client.post(url)
    commit = ImportJob.objects.get(mode="commit")
    assert first["Location"] == second["Location"]
    assert first["Location"] == reverse("workspace:import_job", args=[commit.pk])
    assert (commit.state, commit.report["created"]) == ("done", 11)
    assert Organization.objects.count() == 11


def test_an_import_is_cancelled_before_a_worker_takes_it_and_never_runs(
    client: Client, aiko: User, ben: User
) -> None:
    job = ImportJob.objects.create(
        user=aiko, file_name="k.csv", content=SAMPLE.read_bytes(), mode="commit"
    )
    url = reverse("workspace:import_cancel", args=[job.pk])
    client.force_login(ben)
    assert client.post(url).status_code == 404  # only the uploader's own job
    client.force_login(aiko)
    page = client.get(reverse("workspace:import_job", args=[job.pk])).content.decode()
    assert "Cancel this import" in page
    client.post(url)
    job.refresh_from_db()
    assert job.state == ImportJob.State.CANCELLED and job.is_finished
    import_job_run(job.pk)  # the worker that was handed it finds nothing to claim
    job.refresh_from_db()
    assert job.state == ImportJob.State.CANCELLED
    assert Organization.objects.count() == 0


def test_a_running_import_cannot_be_cancelled(client: Client, aiko: User) -> None:
    job = running_job(aiko, silent_for=0)
    client.force_login(aiko)
    client.post(reverse("workspace:import_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING
