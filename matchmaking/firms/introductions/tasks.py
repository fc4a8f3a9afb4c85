"""Meeting and outcome mails, sent as background work.

The services render each mail in its recipient's language and enqueue it after the commit;
the task only sends it, with the invitation attached when there is one.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.tasks import task


@task()
def send_meeting_mail(
    *, to: list[str], subject: str, body: str, reply_to: list[str], ics: str = "", method: str = ""
) -> None:
    message = EmailMessage(subject, body, to=to, reply_to=reply_to)
    if ics:
        # text/calendar with its METHOD: what mail clients read as an invitation to accept.
        message.attach("invitation.ics", ics, f"text/calendar; method={method}")
    message.send()
