"""Measure the directory's server time on the current database: full pages and htmx swaps."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles.models import Organization

# What visitors do: browse, search in English and Japanese, filter, page on.
FULL_PAGES = [
    "",
    "?q=precision+machining+for+EV+motors",
    "?q=精密加工",
    "?region=kyushu-okinawa&dragons=1",
    "?kind=university&sort=name&page=3",
]
HTMX_SWAPS = [
    "?kind=company",
    "?q=semiconductor&region=kyushu-okinawa",
    "?q=半導体&industry=E",
    "?prefecture=43&partnership=joint_rnd",
    "?q=food+processing&language=en&sort=updated",
]


class Command(BaseCommand):
    help = (
        "Time the directory page and its htmx filter responses in-process (middleware, view, "
        "queries, templates; no network) on the current database and print p50/p95."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--requests", type=int, default=50, help="requests per kind")
        parser.add_argument("--budget-ms", type=float, default=100.0, help="p95 budget")

    def handle(self, *args: Any, **options: Any) -> None:
        published = Organization.objects.published().count()
        if not published:
            raise CommandError("No published organization: run `make data` (or `make run`).")
        hosts = [host for host in settings.ALLOWED_HOSTS if host not in ("*", "")]
        client = Client(HTTP_HOST=(hosts or ["localhost"])[0].lstrip("."))
        url = reverse("directory:search")
        self.stdout.write(
            f"{published} published organizations; {connection.vendor}; DEBUG={settings.DEBUG}"
        )
        over_budget = False
        for label, queries, headers in (
            ("full page", FULL_PAGES, {}),
            ("htmx swap", HTMX_SWAPS, {"HX-Request": "true"}),
        ):
            for query in queries:  # warm-up: first-request costs are not what visitors see
                client.get(url + query, headers=headers, secure=True)
            timings, query_counts = [], []
            for number in range(options["requests"]):
                reset_queries()
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(
                        url + queries[number % len(queries)], headers=headers, secure=True
                    )
                    timings.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{queries[number % len(queries)]}: {response.status_code}")
                query_counts.append(len(captured))
            p50 = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
            over_budget |= p95 > options["budget_ms"]
            self.stdout.write(
                f"{label}: {len(timings)} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                f"max {max(timings):.1f} ms, {min(query_counts)}-{max(query_counts)} queries"
            )
        verdict = "over" if over_budget else "within"
        self.stdout.write(f"p95 {verdict} the {options['budget_ms']:.0f} ms budget")
