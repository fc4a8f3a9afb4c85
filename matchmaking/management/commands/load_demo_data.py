from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from matchmaking import demo


class Command(BaseCommand):
    help = (
        "Load the fictional demo data (organizations, foreign firms, prefecture guides) and "
        "one demo account per role, then print the logins. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tallies = demo.load_all()
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        for name, tally in tallies.items():
            self.stdout.write(f"{name}: {tally}")
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        )
        for account in demo.DEMO_ACCOUNTS:
            scope = ", ".join(account.prefectures) or account.firm or "everything"
            self.stdout.write(f"  {account.role:12} {account.username:36} ({scope})")
