"""Background work of the directory app (Django's tasks framework, see settings.TASKS)."""

from __future__ import annotations

from django.tasks import task

from profiles.importing.jobs import import_job_run


@task
def run_import_job(job_id: int) -> None:
    import_job_run(job_id)
