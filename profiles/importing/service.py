"""Validate a whole file through the organization form, then write it all or nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.forms import OrganizationImportForm
from profiles.importing.limits import Deadline
from profiles.importing.reading import FileRejected, Table, read_table
from profiles.importing.schema import (
    COLUMNS,
    Vocabulary,
    duplicated_columns,
    header_problems,
    row_data,
)
from profiles.models import Organization, OrganizationChange
from profiles.services import M2M_FIELDS, display_value
from profiles.signals import notify_organizations_changed

Progress = Callable[[int, int], None]
MAX_ERRORS_KEPT = 1000
MAX_PREVIEW_ROWS = 200
PROGRESS_EVERY = 250
FETCH_CHUNK = 2000
EXPORT_KEY_PREFIX = "ryumon:"


@dataclass
class ImportReport:
    file_name: str = ""
    format: str = ""
    encoding: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} errors={self.error_count}"
        )

    def as_dict(self) -> dict[str, Any]:
        # Kept as JSON, which PostgreSQL refuses with a NUL inside: a header or a message
        # quoting a cell may hold one, so it shows as the symbol for null.
        printable: dict[str, Any] = _printable(asdict(self))
        return printable


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\N{SYMBOL FOR NULL}")
    if isinstance(value, dict):
        return {_printable(key): _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


class ImportAborted(Exception):
    """A row changed in the database between validation and writing."""


@dataclass
class _Row:
    number: int
    organization: Organization
    cleaned: dict[str, Any]
    changes: dict[str, list[Any]]
    version: int


def organizations_import(
    *,
    content: bytes,
    file_name: str,
    user: User | None,
    commit: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """Preview (commit=False) or write (commit=True) a file of organizations.

    `user=None` is the command line acting as an administrator. Writes happen only when
    every row is valid, in one transaction; unchanged rows are not written at all.
    """
    report = ImportReport(file_name=file_name)
    deadline = Deadline(settings.IMPORT_TIME_LIMIT)
    try:
        table = read_table(
            content,
            file_name=file_name,
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            deadline=deadline,
        )
        return _check_and_write(table, report, user, commit, progress, deadline)
    except FileRejected as rejected:
        report.error(0, "", rejected.message)
        return report


def _check_and_write(
    table: Table,
    report: ImportReport,
    user: User | None,
    commit: bool,
    progress: Progress | None,
    deadline: Deadline,
) -> ImportReport:
    report.format, report.encoding, report.rows = table.format, table.encoding, len(table.rows)
    report.warnings.extend(table.warnings)
    columns, missing, unknown = header_problems(table.header)
    if unknown:
        report.warnings.append(
            _("Unknown columns were ignored: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    for name in duplicated_columns(table.header):
        report.error(1, name, _("This column appears more than once."))
    if missing:
        report.error(
            1,
            "",
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
        )
    if report.error_count:
        return report

    vocabulary = Vocabulary.load()
    index: dict[str, int] = {}
    for position, raw in enumerate(table.header):
        if (name := raw.strip().lower()) in COLUMNS:
            index.setdefault(name, position)
    form_fields = [name for name in OrganizationImportForm.Meta.fields if name in columns]
    form_class = row_form_class(form_fields, vocabulary)
    parsed = []
    for number, cells in table.rows:
        values = {name: cells[i] if i < len(cells) else "" for name, i in index.items()}
        data, problems = row_data(values, vocabulary)
        parsed.append((number, data, problems))
    existing = _existing(parsed, vocabulary)

    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    for done, (number, data, problems) in enumerate(parsed, start=1):
        deadline.check()
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, len(parsed))
        for column, message in problems:
            report.error(number, column, message)
        key = (data.get("prefecture", ""), data.get("external_id", ""))
        if key[1] and key in seen:
            report.error(
                number,
                "external_id",
                _("Row %(row)d has the same external_id in the same prefecture.")
                % {"row": seen[key]},
            )
            continue
        seen[key] = number
        if _changed_since_export(number, data, existing.get(key), report):
            continue
        row = _validate(number, data, existing.get(key), form_class, user, report)
        if row is not None and not problems:
            rows.append(row)
    if progress:
        progress(len(parsed), len(parsed))

    for row in rows:
        if row.organization.pk is None:
            report.created += 1
            if len(report.creates) < MAX_PREVIEW_ROWS:
                report.creates.append(_preview(row))
        elif row.changes:
            report.updated += 1
            if len(report.updates) < MAX_PREVIEW_ROWS:
                report.updates.append(_preview(row))
        else:
            report.unchanged += 1
    if commit and not report.error_count:
        try:
            try:
                _write(rows, user)
            except IntegrityError as error:
                # Another writer took a key or a version number meanwhile (unique indexes).
                raise ImportAborted(
                    _(
                        "An organization in this file was changed by someone else during "
                        "the import. Nothing was written; run the import again."
                    )
                ) from error
        except ImportAborted as aborted:
            report.error(0, "", str(aborted))
            return report
        report.committed = True
    return report


def _changed_since_export(
    number: int, data: dict[str, Any], organization: Organization | None, report: ImportReport
) -> bool:
    """Report a row exported before the organization's last save (its `version` column)."""
    exported = data.get("version")
    if organization is None or exported is None or exported >= organization.version:
        return False
    since = (
        OrganizationChange.objects.filter(organization=organization, version__gt=exported)
        .order_by("version")
        .values_list("fields", flat=True)
    )
    fields = sorted({name for change in since for name in change})
    report.error(
        number,
        "version",
        _(
            "This organization was changed on the site after the file was exported (version "
            "%(exported)s, now %(current)s; changed: %(fields)s). Export it again and make "
            "your changes there, or empty this cell to overwrite."
        )
        % {
            "exported": exported,
            "current": organization.version,
            "fields": ", ".join(fields) or "-",
        },
    )
    return True


def _existing(
    parsed: list[tuple[int, dict[str, Any], list[Any]]], vocabulary: Vocabulary
) -> dict[tuple[str, str], Organization]:
    wanted = {
        (data.get("prefecture", ""), data.get("external_id", ""))
        for _number, data, _problems in parsed
        if data.get("external_id")
    }
    external_ids = sorted({external_id for _code, external_id in wanted})
    found: dict[tuple[str, str], Organization] = {}
    for start in range(0, len(external_ids), FETCH_CHUNK):
        chunk = external_ids[start : start + FETCH_CHUNK]
        queryset = (
            Organization.objects.filter(external_id__in=chunk)
            .select_related("prefecture", "municipality")
            .prefetch_related(*M2M_FIELDS)
        )
        for organization in queryset:
            key = (organization.prefecture.code, organization.external_id)
            if key in wanted:
                found[key] = organization
    # Exports name rows without an external_id "ryumon:<pk>"; match those back by pk.
    by_pk = {
        int(external_id.removeprefix(EXPORT_KEY_PREFIX)): (code, external_id)
        for code, external_id in wanted - found.keys()
        if external_id.startswith(EXPORT_KEY_PREFIX)
        and external_id.removeprefix(EXPORT_KEY_PREFIX).isdigit()
    }
    queryset = (
        Organization.objects.filter(pk__in=list(by_pk)[:FETCH_CHUNK], external_id="")
        .select_related("prefecture", "municipality")
        .prefetch_related(*M2M_FIELDS)
    )
    for organization in queryset:
        key = by_pk[organization.pk]
        if organization.prefecture.code == key[0]:
            organization.external_id = key[1]
            found[key] = organization
    return found


class _SharedFields(dict[str, Any]):
    """Form fields that each row's form shares instead of deep-copying.

    Copying some 25 fields with their widgets and querysets took half of the time of a
    row. Validation only reads a field (the form's __init__ may replace a queryset, which
    a shallow copy keeps to itself), so a shallow copy per form is enough.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {name: copy.copy(field) for name, field in self.items()}


def row_form_class(fields: list[str], vocabulary: Vocabulary) -> type[OrganizationImportForm]:
    """The import form, keeping only the file's columns, resolving codes from `vocabulary`."""

    class RowForm(OrganizationImportForm):
        pass

    caches = vocabulary.field_caches()
    shared = _SharedFields()
    for name, form_field in RowForm.base_fields.items():
        if name in fields:
            if name in caches:
                form_field.cache = caches[name]  # type: ignore[attr-defined]
            shared[name] = form_field
    RowForm.base_fields = shared
    return RowForm


def _validate(
    number: int,
    data: dict[str, Any],
    organization: Organization | None,
    form_class: type[OrganizationImportForm],
    user: User | None,
    report: ImportReport,
) -> _Row | None:
    if organization is None:
        organization = Organization(source=Organization.Source.IMPORT)
        before: dict[str, Any] = {}
    else:
        before = {
            name: display_value(
                getattr(organization, name).all()
                if name in M2M_FIELDS
                else getattr(organization, name)
            )
            for name in form_class.base_fields
        }
    if "status" in data and not data["status"]:
        data["status"] = organization.status or Organization.Status.DRAFT
    version = organization.version
    form = form_class(data, instance=organization, user=user)
    if not form.is_valid():
        for name, messages in form.errors.items():
            column = name if name in COLUMNS else ""
            for message in messages:
                report.error(number, column, str(message))
        return None
    after = {name: display_value(form.cleaned_data[name]) for name in form_class.base_fields}
    changes = {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value and (organization.pk or value not in ("", None))
    }
    return _Row(number, form.instance, form.cleaned_data, changes, version)


def _preview(row: _Row) -> dict[str, Any]:
    return {
        "row": row.number,
        "external_id": row.organization.external_id,
        "name": row.organization.name_ja or row.organization.name_en,
        "fields": sorted(row.changes),
    }


@transaction.atomic
def _write(rows: list[_Row], user: User | None) -> None:
    now = timezone.now()
    creates = [row for row in rows if row.organization.pk is None]
    updates = [row for row in rows if row.organization.pk is not None and row.changes]
    _check_versions(updates)
    for row in [*creates, *updates]:
        organization = row.organization
        organization.updated_at = now
        if organization.pk is not None:
            organization.version = row.version + 1
        if "status" in row.changes and organization.status == Organization.Status.PUBLISHED:
            organization.verified_by = user
            organization.verified_at = now
    Organization.objects.bulk_create([row.organization for row in creates], batch_size=500)
    scalar_fields = sorted(
        {name for row in updates for name in row.changes if name not in M2M_FIELDS}
        | {"version", "updated_at", "verified_by", "verified_at"}
    )
    Organization.objects.bulk_update(
        [row.organization for row in updates], scalar_fields, batch_size=500
    )
    for name in M2M_FIELDS:
        _write_related(name, creates, updates)
    created = {id(row) for row in creates}
    OrganizationChange.objects.bulk_create(
        [
            OrganizationChange(
                organization_id=row.organization.pk,
                user=user,
                via=OrganizationChange.Via.IMPORT,
                version=row.organization.version,
                created=id(row) in created,
                fields=row.changes,
            )
            for row in [*creates, *updates]
        ],
        batch_size=500,
    )
    notify_organizations_changed(row.organization.pk for row in [*creates, *updates])


def _check_versions(updates: list[_Row]) -> None:
    expected = {row.organization.pk: row.version for row in updates}
    ids = sorted(expected)
    for start in range(0, len(ids), FETCH_CHUNK):
        chunk = ids[start : start + FETCH_CHUNK]
        # Locked until the import commits: a web save waits instead of being overwritten.
        current = (
            Organization.objects.select_for_update()
            .filter(pk__in=chunk)
            .values_list("pk", "version")
        )
        for pk, version in current:
            if version != expected[pk]:
                raise ImportAborted(
                    _(
                        "An organization in this file was changed by someone else during "
                        "the import. Nothing was written; run the import again."
                    )
                )


def _write_related(name: str, creates: list[_Row], updates: list[_Row]) -> None:
    through: type[models.Model] = getattr(Organization, name).through
    target = Organization._meta.get_field(name).m2m_reverse_field_name()  # type: ignore[union-attr]
    changed = [row for row in updates if name in row.changes]
    ids = [row.organization.pk for row in changed]
    for start in range(0, len(ids), FETCH_CHUNK):
        through._default_manager.filter(
            organization_id__in=ids[start : start + FETCH_CHUNK]
        ).delete()
    links = [
        through(organization_id=row.organization.pk, **{f"{target}_id": related.pk})
        for row in [*creates, *changed]
        if name in row.cleaned
        for related in row.cleaned[name]
    ]
    through._default_manager.bulk_create(links, batch_size=1000)
