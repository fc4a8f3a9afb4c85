"""Import jobs: the web's way into the importer, run by a background task."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.utils import timezone, translation

from profiles.importing.service import organizations_import
from profiles.models import ImportJob

logger = logging.getLogger(__name__)


def import_job_start(
    *, user: User, file_name: str, content: bytes, mode: str, language: str
) -> ImportJob:
    """Store the file and hand it to the task backend (a worker in production).

    Not atomic on purpose: the job row must be committed before a worker looks for it.
    """
    from profiles.tasks import run_import_job

    job = ImportJob.objects.create(
        user=user, file_name=file_name[:255], content=content, mode=mode, language=language
    )
    run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def import_job_commit(*, job: ImportJob, user: User) -> ImportJob:
    """Commit the file a clean preview was made from: the same bytes, validated again."""
    return import_job_start(
        user=user,
        file_name=job.file_name,
        content=bytes(job.content),
        mode=ImportJob.Mode.COMMIT,
        language=job.language,
    )


def import_job_run(job_id: int) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.state != ImportJob.State.QUEUED:
        return
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        with translation.override(job.language):
            report = organizations_import(
                content=bytes(job.content),
                file_name=job.file_name,
                user=job.user,
                commit=job.mode == ImportJob.Mode.COMMIT,
                progress=progress,
            )
    except Exception:
        logger.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, finished_at=timezone.now()
        )
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
