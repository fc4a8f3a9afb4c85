from __future__ import annotations

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmarks: their own app, installed only with the `bench` extra.

    No runtime module imports it; it imports the runtime (the ranker, the directory, the
    importer) to measure it.
    """

    name = "matchmaking.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"
