"""Check an .xlsx's zip and XML before openpyxl reads it, by counting bytes, not parsing.

openpyxl builds a whole `<row>` element before it hands the row over, and reads every
shared string when the workbook opens; neither can be stopped half-way. So what they will
be asked to build is bounded here first: every part is unpacked once (which checks its
CRC), parts with a document type declaration are refused (no entity tricks reach a
parser), and the sheet's rows, cells per row and shared strings are counted.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from profiles.importing.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    Deadline,
    FileRejected,
    row_limit,
    too_many_columns,
    too_many_data_rows,
    too_many_rows,
)

# A real .xlsx has about a dozen entries and expands about 5 to 20 times.
XLSX_MAX_ENTRIES = 200
XLSX_MAX_RATIO = 100
XLSX_MAX_UNCOMPRESSED = 300_000_000
MERGE_CELL = re.compile(rb'<mergeCell\s+ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"')
SHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")
SHARED_STRINGS = "xl/sharedStrings.xml"
# Spreadsheet XML may use a namespace prefix (`<x:row>`); the prefix is found once per part.
SHEET_DATA = re.compile(rb"<(\w+:)?sheetData[\s/>]")
STRING_TABLE = re.compile(rb"<(\w+:)?sst[\s/>]")
DOCTYPES = [
    b"<!DOCTYPE",
    b"<!ENTITY",
    *("<!DOCTYPE".encode(c) for c in ("utf-16-le", "utf-16-be")),
]
# Unused shared strings beyond one per cell: some writers keep a few.
SHARED_STRINGS_SLACK = 10_000


@dataclass
class SheetShape:
    rows: int
    widest: int


def inspect_workbook(content: bytes, *, max_rows: int, deadline: Deadline) -> SheetShape:
    """Refuse a workbook that is damaged, is not one, or would cost too much to read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise FileRejected(_("The workbook is damaged (not a valid zip archive).")) from None
    with archive:
        _check_zip(archive, len(content))
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise FileRejected(
                _("This is a zip archive, not an Excel workbook. Upload CSV or .xlsx.")
            )
        sheets = sorted(name for name in names if SHEET.fullmatch(name))
        if len(sheets) != 1:
            raise FileRejected(
                _(
                    "The workbook has %(count)d sheets. Keep only the sheet with the "
                    "organizations and upload it again."
                )
                % {"count": len(sheets)}
            )
        shape, cells, strings = SheetShape(0, 0), 0, 0
        for name in sorted(names):
            deadline.check()
            part = _unpack(archive, name)
            if any(doctype in part for doctype in DOCTYPES):
                raise FileRejected(
                    _(
                        "The workbook's part %(part)s declares XML entities, which Excel "
                        "never writes: it was refused unread. Save it again from Excel."
                    )
                    % {"part": name}
                )
            if name == sheets[0]:
                shape, cells = _measure_sheet(part, max_rows=max_rows)
                _check_header_merges(part)
            elif name == SHARED_STRINGS:
                strings = _count_shared_strings(part)
        if strings > cells + SHARED_STRINGS_SLACK:
            raise FileRejected(
                _(
                    "The workbook lists %(strings)s texts for %(cells)s cells: it was refused "
                    "unread. Save it again from Excel."
                )
                % {"strings": f"{strings:,}", "cells": f"{cells:,}"}
            )
    return shape


def _check_zip(archive: zipfile.ZipFile, size: int) -> None:
    entries = archive.infolist()
    uncompressed = sum(entry.file_size for entry in entries)
    if (
        len(entries) > XLSX_MAX_ENTRIES
        or uncompressed > XLSX_MAX_UNCOMPRESSED
        or uncompressed > XLSX_MAX_RATIO * max(size, 100_000)
    ):
        raise FileRejected(
            _(
                "The workbook expands to %(size)s MB in %(entries)d parts, far more than its "
                "file size: it was refused unread. Save it again from Excel."
            )
            % {"size": f"{uncompressed / 1_000_000:,.0f}", "entries": len(entries)}
        )


def _unpack(archive: zipfile.ZipFile, name: str) -> bytes:
    """Return a part's bytes; zipfile stops at its declared size and checks its CRC."""
    try:
        return archive.read(name)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,  # a part encrypted with a zip password
        ValueError,
    ):
        raise FileRejected(
            _(
                "The workbook is damaged: its part %(part)s cannot be unpacked (bad "
                "checksum or data). Save it again from Excel."
            )
            % {"part": name}
        ) from None


def _prefixed(tag: bytes, prefix: bytes) -> list[bytes]:
    """The ways an element's start tag can begin: `<c ` `<c>` `<c/` and other whitespace."""
    return [b"<" + prefix + tag + end for end in (b" ", b">", b"/", b"\t", b"\n", b"\r")]


def _count(part: bytes, starts: list[bytes], begin: int, end: int) -> int:
    return sum(part.count(start, begin, end) for start in starts)


def _measure_sheet(part: bytes, *, max_rows: int) -> tuple[SheetShape, int]:
    """Count the sheet's rows, cells and widest row; refuse any beyond the caps."""
    match = SHEET_DATA.search(part)
    if match is None:
        return SheetShape(0, 0), 0
    prefix = match.group(1) or b""
    begin = match.end()
    end = part.find(b"</" + prefix + b"sheetData", begin)
    end = len(part) if end < 0 else end
    row_starts, cell_starts = _prefixed(b"row", prefix), _prefixed(b"c", prefix)
    rows = _count(part, row_starts, begin, end)
    if rows > row_limit(max_rows):
        raise too_many_rows(rows, max_rows)
    cells = _count(part, cell_starts, begin, end)
    if cells > MAX_CELLS:
        raise FileRejected(
            _(
                "The sheet has %(count)s cells; the limit is %(limit)s. Delete the columns "
                "the import does not use and upload it again."
            )
            % {"count": f"{cells:,}", "limit": f"{MAX_CELLS:,}"}
        )
    widest = 0
    if cells > MAX_COLUMNS:  # otherwise no row can be too wide
        row_open = b"<" + prefix + b"row"
        position, number = part.find(row_open, begin, end), 0
        while position >= 0:
            following = part.find(row_open, position + 1, end)
            width = _count(part, cell_starts, position, following if following >= 0 else end)
            number += 1
            if width > MAX_COLUMNS:
                raise too_many_columns(width, number)
            widest = max(widest, width)
            position = following
    else:
        widest = cells
    if rows > max_rows + 1:
        _check_rows_with_values(part, prefix, begin, end, max_rows=max_rows)
    return SheetShape(rows, widest), cells


def _check_rows_with_values(
    part: bytes, prefix: bytes, begin: int, end: int, *, max_rows: int
) -> None:
    """Refuse a sheet with more rows holding a value than the header and max_rows, before
    openpyxl reads them: it takes seconds over 20,000 rows, and the answer is known."""
    row_open = b"<" + prefix + b"row"
    values = (b"<" + prefix + b"v>", b"<" + prefix + b"is>")
    position, valued = part.find(row_open, begin, end), 0
    while position >= 0:
        following = part.find(row_open, position + 1, end)
        stop = following if following >= 0 else end
        if any(part.find(value, position, stop) >= 0 for value in values):
            valued += 1
            if valued > max_rows + 1:
                raise too_many_data_rows(max_rows)
        position = following


def _count_shared_strings(part: bytes) -> int:
    match = STRING_TABLE.search(part)
    prefix = (match.group(1) or b"") if match else b""
    return _count(part, _prefixed(b"si", prefix), 0, len(part))


def _check_header_merges(part: bytes) -> None:
    for match in MERGE_CELL.finditer(part):
        if int(match.group(1)) == 1:
            raise FileRejected(
                _("The header row has merged cells. Unmerge them: one column name a cell.")
            )
