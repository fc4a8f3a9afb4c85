"""Import jobs: the web's way into the importer, run by a background task."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone, translation

from profiles.importing.service import organizations_import
from profiles.models import ImportJob
from profiles.models.history import HEARTBEAT_SECONDS

logger = logging.getLogger(__name__)


def import_job_start(
    *, user: User, file_name: str, content: bytes, mode: str, language: str
) -> ImportJob:
    """Store the file and hand it to the task backend (a worker in production).

    Not atomic on purpose: the job row must be committed before a worker looks for it.
    """
    job = ImportJob.objects.create(
        user=user, file_name=file_name[:255], content=content, mode=mode, language=language
    )
    return _enqueue(job)


def _enqueue(job: ImportJob) -> ImportJob:
    from profiles.tasks import run_import_job

    run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def import_job_commit(*, job: ImportJob, user: User) -> ImportJob:
    """Commit the file a clean preview was made from: the same bytes, validated again.

    A preview is committed once: a second click, or two at once, gets the first's job.
    """
    with transaction.atomic():
        preview = ImportJob.objects.select_for_update().get(pk=job.pk)
        if preview.commit_job_id is not None:
            return ImportJob.objects.get(pk=preview.commit_job_id)
        commit = ImportJob.objects.create(
            user=user,
            file_name=preview.file_name,
            content=bytes(preview.content),
            mode=ImportJob.Mode.COMMIT,
            language=preview.language,
        )
        preview.commit_job = commit
        preview.save(update_fields=["commit_job"])
    # After the commit of this transaction: a worker must find the job row.
    return _enqueue(commit)


def import_job_cancel(*, job: ImportJob) -> bool:
    """Cancel a job no worker has taken yet; False if one took it meanwhile."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.QUEUED).update(
            state=ImportJob.State.CANCELLED, finished_at=timezone.now()
        )
    )


def import_job_retry(*, job: ImportJob, user: User) -> ImportJob:
    """Run a failed job's file again, in the same mode, as a new job."""
    return import_job_start(
        user=user,
        file_name=job.file_name,
        content=bytes(job.content),
        mode=job.mode,
        language=job.language,
    )


@contextmanager
def heartbeat(stamp: Callable[[], object], *, name: str) -> Iterator[None]:
    """Call `stamp` from a thread every HEARTBEAT_SECONDS while the block runs.

    Rows report progress, but reading a file or writing 20,000 rows in one transaction
    says nothing for tens of seconds; a thread keeps the lease without guessing.
    """
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                try:
                    stamp()
                except DatabaseError:  # SQLite locked by the import's own write: next time
                    logger.warning("%s: heartbeat missed", name, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"{name} heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _stamp(job_id: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())


def _fail(job_id: int) -> None:
    """Mark the job failed, on a new connection if the failure was the connection's own
    (the session terminated, the server restarted): else it would stay `running` until the
    lease runs out."""
    fail = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.RUNNING)
    try:
        fail.update(state=ImportJob.State.FAILED, finished_at=timezone.now())
    except DatabaseError:
        if connection.in_atomic_block or connection.is_usable():
            raise
        connection.close()
        fail.update(state=ImportJob.State.FAILED, finished_at=timezone.now())


def import_job_run(job_id: int) -> None:
    # Jobs whose worker died (killed for its time or memory) are failed by the next one.
    ImportJob.objects.fail_orphaned()
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=done, rows_total=total, heartbeat_at=timezone.now()
        )

    try:
        with (
            heartbeat(lambda: _stamp(job.pk), name=f"import job {job.pk}"),
            translation.override(job.language),
        ):
            report = organizations_import(
                content=bytes(job.content),
                file_name=job.file_name,
                user=job.user,
                commit=job.mode == ImportJob.Mode.COMMIT,
                progress=progress,
            )
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _fail(job.pk)
        raise
    job.refresh_from_db()
    job.report = report.as_dict()
    job.rows_total = report.rows
    job.rows_done = report.rows
    job.state = ImportJob.State.DONE
    job.finished_at = timezone.now()
    if report.committed:
        # The data is in the directory now; the bytes are no longer needed.
        job.content = b""
    job.save()
