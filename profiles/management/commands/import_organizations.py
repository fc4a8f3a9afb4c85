"""python manage.py import_organizations FILE [--dry-run] [--user USERNAME]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from profiles.importing import organizations_import


class Command(BaseCommand):
    help = (
        "Import organizations from a CSV or XLSX file in the import schema (see README). "
        "Without --user it acts as an administrator. Exits 1, having written nothing, "
        "when any row has an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")
        parser.add_argument("--user", help="Import as this curator (their prefectures only).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No such user: {options['user']}") from None
        try:
            content = path.read_bytes()
        except OSError as unreadable:
            raise CommandError(f"Cannot read {path}: {unreadable.strerror}") from None
        report = organizations_import(
            content=content,
            file_name=path.name,
            user=user,
            commit=not options["dry_run"],
        )
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for error in report.errors:
            where = f"row {error['row']}" if error["row"] else "file"
            column = f", {error['column']}" if error["column"] else ""
            self.stderr.write(f"{where}{column}: {error['message']}")
        if report.error_count > len(report.errors):
            self.stderr.write(f"... {report.error_count - len(report.errors)} more errors")
        self.stdout.write(report.summary())
        if report.error_count:
            raise SystemExit(1)
