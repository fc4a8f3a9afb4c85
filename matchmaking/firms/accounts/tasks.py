"""Account mails, sent as background work.

The request that asks for a mail only enqueues one of these, with the same task whatever the
answer turns out to be (a known or an unknown address), so its timing says nothing about
which accounts exist. With TASKS_BACKEND=immediate (development, tests) the task still runs
inside the request; production runs the database backend and its worker.
"""

from __future__ import annotations

from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


@task()
def send_account_mail(*, to: str, template: str, context: dict[str, str], language: str) -> None:
    """Render matchmaking/email/<template>.txt (and _subject.txt) in `language` and send it."""
    with translation.override(language):
        subject = render_to_string(f"matchmaking/email/{template}_subject.txt", context)
        body = render_to_string(f"matchmaking/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


@task()
def send_password_reset(*, email: str, domain: str, use_https: bool, language: str) -> None:
    """Mail a reset link to the active accounts of this address, if it has any (Django's)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    with translation.override(language):
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name="matchmaking/email/password_reset_subject.txt",
            email_template_name="matchmaking/email/password_reset.txt",
        )
