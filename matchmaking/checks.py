"""Deployment checks of our own, run by `manage.py check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def background_work_leaves_the_request(**kwargs: Any) -> list[Warning]:
    """In production, imports, index updates and account mails run on the task worker.

    With the immediate backend they run inside the request: a 20,000-row commit nears
    gunicorn's timeout, and the time a sign-up or password reset takes says whether the
    address has an account (the mail is sent, or not, before the answer)."""
    if settings.TASKS_BACKEND != "immediate":
        return []
    return [
        Warning(
            "TASKS_BACKEND is 'immediate': imports, index updates and account mails run "
            "inside the request.",
            hint="Set TASKS_BACKEND=database for the site and run `manage.py db_worker`.",
            id="ryumon.W001",
        )
    ]
