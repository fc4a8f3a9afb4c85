"""Turn uploaded bytes into a header and rows of text, or refuse the file with a clear reason.

The format is decided by the bytes, never by the file name: an .xlsx that is really CSV is
read as CSV (with a warning), a zip archive named .csv is refused. Workbooks are checked for
zip bombs before openpyxl sees them.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NoReturn

from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Streams of an OLE compound file: a password-protected .xlsx holds the workbook encrypted
# in EncryptedPackage, described by EncryptionInfo; a legacy .xls holds Workbook (or Book).
ENCRYPTED_STREAMS = {"encryptioninfo", "encryptedpackage"}
LEGACY_WORKBOOK_STREAMS = {"workbook", "book"}
# A real .xlsx has about a dozen entries and expands about 5 to 20 times.
XLSX_MAX_ENTRIES = 200
XLSX_MAX_RATIO = 100
XLSX_MAX_UNCOMPRESSED = 300_000_000
MERGE_CELL = re.compile(rb'<mergeCell\s+ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"')


class FileRejected(Exception):
    """The file as a whole cannot be read; nothing in it was looked at further."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    format: str
    encoding: str
    header: list[str]
    # (spreadsheet row number, cells), the header being row 1.
    rows: list[tuple[int, list[str]]]
    warnings: list[str] = field(default_factory=list)


def read_table(content: bytes, *, file_name: str, max_bytes: int, max_rows: int) -> Table:
    if len(content) > max_bytes:
        raise FileRejected(
            _("The file is %(size).1f MB; the limit is %(limit)g MB.")
            % {"size": len(content) / 1_000_000, "limit": max_bytes / 1_000_000}
        )
    if not content.strip():
        raise FileRejected(_("The file is empty."))
    named_xlsx = file_name.lower().endswith((".xlsx", ".xlsm"))
    if content.startswith(OLE_MAGIC):
        _refuse_ole(content)
    if content.startswith(ZIP_MAGIC):
        table = _read_xlsx(content, max_rows=max_rows)
        if not named_xlsx:
            table.warnings.append(_("The file is an Excel workbook; it was read as one."))
        return table
    table = _read_csv(content, max_rows=max_rows)
    if named_xlsx:
        table.warnings.append(_("The file is named .xlsx but is really CSV; it was read as CSV."))
    return table


def _refuse_ole(content: bytes) -> NoReturn:
    """Refuse an OLE compound file, saying which kind it is from the streams it holds.

    Its directory is read, not searched for names: the bytes "EncryptionInfo" can just as
    well be text in a cell of an old .xls.
    """
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(content)) as ole:
            streams = {"/".join(path).lower() for path in ole.listdir()}
    except Exception:  # olefile raises many kinds on a damaged file
        streams = set(LEGACY_WORKBOOK_STREAMS)  # most likely an old workbook, cut short
    if streams >= ENCRYPTED_STREAMS:
        raise FileRejected(
            _(
                "The workbook is protected with a password. Remove the password in Excel "
                "(File > Info > Protect Workbook) and upload it again."
            )
        )
    if streams & LEGACY_WORKBOOK_STREAMS:
        raise FileRejected(
            _(
                "This is an old Excel 97-2003 (.xls) file. Save it as .xlsx "
                "(Excel Workbook) or as CSV and upload it again."
            )
        )
    raise FileRejected(
        _("This is an old-format Office file, not an Excel workbook. Upload CSV or .xlsx.")
    )


def _line_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def decode(content: bytes) -> tuple[str, str]:
    """Return the text and the encoding: UTF-8 (with or without BOM) or Shift_JIS (CP932)."""
    has_bom = content.startswith(codecs.BOM_UTF8)
    try:
        return content.decode("utf-8-sig"), "UTF-8 (BOM)" if has_bom else "UTF-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    before = content[: utf8_error.start]
    first_line = content.split(b"\n", 1)[0]
    # Valid UTF-8 text up to here, below an ASCII header: a UTF-8 file with a bad byte.
    if (
        not before.isascii()
        and _line_of(content, utf8_error.start) > 1
        and not _is_non_ascii_utf8(first_line)
        and not has_bom
    ):
        raise FileRejected(
            _(
                "The file is UTF-8 but line %(line)d has bytes that are not. "
                "Save it as CSV UTF-8 and upload it again."
            )
            % {"line": _line_of(content, utf8_error.start)}
        )
    header_is_utf8 = has_bom or _is_non_ascii_utf8(first_line)
    if header_is_utf8:
        raise FileRejected(
            _(
                "The header is UTF-8 but line %(line)d is in another encoding (probably "
                "Shift_JIS). Save the whole file in one encoding and upload it again."
            )
            % {"line": _line_of(content, utf8_error.start)}
        )
    try:
        return content.decode("cp932"), "Shift_JIS (CP932)"
    except UnicodeDecodeError as error:
        raise FileRejected(
            _(
                "The file could not be read as UTF-8 or Shift_JIS: line %(line)d has bytes "
                "that are neither. Save it as CSV UTF-8 and upload it again."
            )
            % {"line": _line_of(content, error.start)}
        ) from None


def _is_non_ascii_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not line.isascii()


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\r\n")
    # One stray NUL in a cell is reported on its row; a file full of them is not text.
    return controls > max(8, len(sample) // 100)


def _read_csv(content: bytes, *, max_rows: int) -> Table:
    if _looks_binary(content):
        raise FileRejected(
            _("This is not a CSV file (it contains binary data). Upload CSV or .xlsx.")
        )
    text, encoding = decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        rows = _collect(reader, max_rows=max_rows)
    except csv.Error as error:
        raise FileRejected(
            _("The CSV is malformed near line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    return Table(format="CSV", encoding=encoding, header=header, rows=rows)


def _collect(records: Iterable[list[str]], *, max_rows: int) -> list[tuple[int, list[str]]]:
    """Number the rows as a spreadsheet does (header = 1) and skip the empty ones."""
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= max_rows:
            raise FileRejected(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": f"{max_rows:,}"}
            )
        rows.append((number, cells))
    return rows


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


def _read_xlsx(content: bytes, *, max_rows: int) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileRejected(_("The workbook is damaged (not a valid zip archive).")) from None
    with archive:
        _check_zip(archive, len(content))
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise FileRejected(
                _("This is a zip archive, not an Excel workbook. Upload CSV or .xlsx.")
            )
        sheets = sorted(
            name for name in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name)
        )
        if len(sheets) != 1:
            raise FileRejected(
                _(
                    "The workbook has %(count)d sheets. Keep only the sheet with the "
                    "organizations and upload it again."
                )
                % {"count": len(sheets)}
            )
        for match in MERGE_CELL.finditer(archive.read(sheets[0])):
            if int(match.group(1)) == 1:
                raise FileRejected(
                    _("The header row has merged cells. Unmerge them: one column name a cell.")
                )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a bad workbook
        raise FileRejected(
            _("The workbook could not be read: %(error)s") % {"error": error}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = [_cell_text(value) for value in next(values, ())]
        rows = _collect(
            ([_cell_text(value) for value in row] for row in values), max_rows=max_rows
        )
    finally:
        workbook.close()
    return Table(format="XLSX", encoding="", header=header, rows=rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)
