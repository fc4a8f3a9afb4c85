"""Enqueue the meeting reminders (the day before) and the 30- and 90-day outcome asks.

Run it hourly (cron or a scheduled task): each reminder and each ask goes out once, however
often it runs and even when two runs overlap.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from matchmaking.firms.introductions.meetings import meetings_send_due


class Command(BaseCommand):
    help = "Enqueue meeting reminders and outcome asks that are due (each once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--site-url", default="", help="Prefix for the links in the emails.")

    def handle(self, *args: Any, site_url: str, **options: Any) -> None:
        sent = meetings_send_due(now=timezone.now(), site_url=site_url.rstrip("/"))
        self.stdout.write(f"{sent['reminders']} reminders, {sent['asks']} outcome asks enqueued")
