from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from matchmaking.i18n_compile import compile_catalogue


class Command(BaseCommand):
    help = (
        "Compile every .po catalogue under LOCALE_PATHS to .mo (pure Python, no gettext needed)."
    )
    # Runs before any database exists (a fresh clone's `make test`): no system checks.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        for locale_path in settings.LOCALE_PATHS:
            for po in sorted(Path(locale_path).rglob("*.po")):
                mo = compile_catalogue(po)
                self.stdout.write(f"compiled {mo.relative_to(settings.BASE_DIR)}")
