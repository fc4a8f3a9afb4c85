"""Export organizations in the import schema, so that an export re-imports unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from profiles.importing.schema import COLUMNS, FORMULA_STARTS, LIST_COLUMNS, LIST_SEPARATOR
from profiles.models import Organization


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (the importer takes the ' off)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_queryset(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    return (
        queryset.select_related("prefecture", "municipality")
        .prefetch_related("industries", "partnership_types", "languages")
        .order_by("prefecture__code", "external_id", "pk")
    )


def organization_row(organization: Organization) -> list[str]:
    cells: dict[str, str] = {}
    for column in COLUMNS:
        if column in LIST_COLUMNS:
            codes = sorted(item.code for item in getattr(organization, column).all())
            value = LIST_SEPARATOR.join(codes)
        elif column == "keywords":
            value = LIST_SEPARATOR.join(organization.keyword_list())
        elif column in ("prefecture", "municipality"):
            related = getattr(organization, column)
            value = related.code if related is not None else ""
        elif column == "external_id":
            # Rows entered by hand get a key, so that the file can come back as updates.
            value = organization.external_id or f"ryumon:{organization.pk}"
        elif column == "lying_dragon":
            value = "true" if organization.lying_dragon else "false"
        else:
            raw = getattr(organization, column)
            value = "" if raw is None else str(raw)
        cells[column] = neutralise(value)
    return [cells[column] for column in COLUMNS]


def rows(organizations: Iterable[Organization]) -> Iterator[list[str]]:
    yield list(COLUMNS)
    for organization in organizations:
        yield organization_row(organization)


def to_csv(organizations: Iterable[Organization]) -> bytes:
    """UTF-8 with a BOM, which Excel on Japanese Windows opens without garbling."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows(organizations))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(organizations: Iterable[Organization]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organizations")
    for row in rows(organizations):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
