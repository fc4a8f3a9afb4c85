"""Email the curators (and admins) of every introduction request left unanswered too long.

Run it daily (cron or a scheduled task); INTRODUCTION_STALE_DAYS sets "too long".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils import translation

from matchmaking.firms.introductions.services import curators_of, stale_requests
from matchmaking.firms.models import IntroductionRequest
from matchmaking.language import languages_by_email


class Command(BaseCommand):
    help = "Email curators and admins about introduction requests unanswered for too long."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--site-url", default="", help="Prefix for the links in the emails.")

    def handle(self, *args: Any, site_url: str, **options: Any) -> None:
        stale = list(stale_requests().select_related("firm", "organization__prefecture"))
        admins = list(
            User.objects.filter(is_superuser=True, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        per_recipient: dict[str, list[IntroductionRequest]] = defaultdict(list)
        for request in stale:
            for email in {*curators_of(request.organization), *admins}:
                per_recipient[email].append(request)
        languages = languages_by_email(per_recipient)
        for email, requests in sorted(per_recipient.items()):
            context = {
                "requests": requests,
                "days": settings.INTRODUCTION_STALE_DAYS,
                "site_url": site_url.rstrip("/"),
            }
            with translation.override(languages.get(email, settings.LANGUAGE_CODE)):
                subject = render_to_string(
                    "matchmaking/email/introductions_stale_subject.txt", context
                )
                body = render_to_string("matchmaking/email/introductions_stale.txt", context)
            send_mail(" ".join(subject.split()), body, None, [email])
        self.stdout.write(f"{len(stale)} stale requests, {len(per_recipient)} emails sent")
