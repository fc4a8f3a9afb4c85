"""Turn uploaded bytes into a header and rows of text, or refuse the file with a clear reason.

The format is decided by the bytes, never by the file name: an .xlsx that is really CSV is
read as CSV (with a warning), a zip archive named .csv is refused. Workbooks are checked
(`workbook.inspect_workbook`) before openpyxl sees them, and every table is held to the caps
of `limits` while it is read.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NoReturn

from django.utils.translation import gettext as _

from profiles.importing.limits import (
    MAX_COLUMNS,
    MAX_RECORD_CHARS,
    Deadline,
    FileRejected,
    check_cells,
    row_limit,
    too_many_columns,
    too_many_data_rows,
    too_many_rows,
)
from profiles.importing.workbook import inspect_workbook

__all__ = ["FileRejected", "Table", "decode", "read_table"]

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Streams of an OLE compound file: a password-protected .xlsx holds the workbook encrypted
# in EncryptedPackage, described by EncryptionInfo; a legacy .xls holds Workbook (or Book).
ENCRYPTED_STREAMS = {"encryptioninfo", "encryptedpackage"}
LEGACY_WORKBOOK_STREAMS = {"workbook", "book"}
# What cp932 decodes bytes to that no Japanese text holds: its user-defined area and the
# single bytes 0xA0, 0xFD-0xFF (U+F8F0-U+F8F3), which are how a stray byte gets through.
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# Reading and checking a file stops here unless the caller gives a deadline.
DEFAULT_SECONDS = 300


@dataclass
class Table:
    format: str
    encoding: str
    header: list[str]
    # (spreadsheet row number, cells), the header being row 1.
    rows: list[tuple[int, list[str]]]
    warnings: list[str] = field(default_factory=list)


def read_table(
    content: bytes,
    *,
    file_name: str,
    max_bytes: int,
    max_rows: int,
    deadline: Deadline | None = None,
) -> Table:
    if len(content) > max_bytes:
        raise FileRejected(
            _("The file is %(size).1f MB; the limit is %(limit)g MB.")
            % {"size": len(content) / 1_000_000, "limit": max_bytes / 1_000_000}
        )
    if not content.strip():
        raise FileRejected(_("The file is empty."))
    deadline = deadline or Deadline(DEFAULT_SECONDS)
    named_xlsx = file_name.lower().endswith((".xlsx", ".xlsm"))
    if content.startswith(OLE_MAGIC):
        _refuse_ole(content)
    if content.startswith(ZIP_MAGIC):
        table = _read_xlsx(content, max_rows=max_rows, deadline=deadline)
        if not named_xlsx:
            table.warnings.append(_("The file is an Excel workbook; it was read as one."))
        return table
    table = _read_csv(content, max_rows=max_rows, deadline=deadline)
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
    """Return the text and the encoding: UTF-8 (with or without BOM) or Shift_JIS (CP932).

    Shift_JIS is chosen only when the file is not mostly UTF-8 and decodes to Japanese
    text: cp932 reads almost any byte as some character, so a stray byte in a UTF-8 file
    would otherwise turn the whole file into Shift_JIS without a word.
    """
    has_bom = content.startswith(codecs.BOM_UTF8)
    try:
        return content.decode("utf-8-sig"), "UTF-8 (BOM)" if has_bom else "UTF-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    line = _line_of(content, utf8_error.start)
    before = content[: utf8_error.start]
    first_line = content[: _first_line_end(content)]
    # Valid UTF-8 text up to here, below an ASCII header: a UTF-8 file with a bad byte.
    if not before.isascii() and line > 1 and not _is_non_ascii_utf8(first_line) and not has_bom:
        raise _not_utf8(content, utf8_error)
    header_is_utf8 = has_bom or _is_non_ascii_utf8(first_line)
    if header_is_utf8:
        raise FileRejected(
            _(
                "The header is UTF-8 but line %(line)d is in another encoding (probably "
                "Shift_JIS). Save the whole file in one encoding and upload it again."
            )
            % {"line": line}
        )
    if _mostly_utf8(content):
        raise _not_utf8(content, utf8_error)
    try:
        text = content.decode("cp932")
    except UnicodeDecodeError as error:
        raise _neither(content, error.start) from None
    if stray := PRIVATE_USE.search(text):
        raise _neither(content, len(text[: stray.start()].encode("cp932")))
    return text, "Shift_JIS (CP932)"


def _first_line_end(text: bytes | str) -> int:
    """Where the first line ends, looking no further than a record may reach."""
    if isinstance(text, bytes):
        end = text.find(b"\n", 0, MAX_RECORD_CHARS)
    else:
        end = text.find("\n", 0, MAX_RECORD_CHARS)
    return end if end >= 0 else MAX_RECORD_CHARS


def _mostly_utf8(content: bytes) -> bool:
    """Whether more characters decode as UTF-8 multi-byte sequences than bytes fail to."""
    lenient = content.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    non_ascii = len(lenient) - len(lenient.encode("ascii", errors="ignore"))
    return non_ascii - bad >= bad


def _not_utf8(content: bytes, error: UnicodeDecodeError) -> FileRejected:
    return FileRejected(
        _(
            "The file is UTF-8 but line %(line)d has bytes that are not (byte %(byte)s at "
            "position %(offset)s). Save it as CSV UTF-8 and upload it again."
        )
        % {
            "line": _line_of(content, error.start),
            "byte": f"0x{content[error.start]:02X}",
            "offset": f"{error.start:,}",
        }
    )


def _neither(content: bytes, offset: int) -> FileRejected:
    return FileRejected(
        _(
            "The file could not be read as UTF-8 or Shift_JIS: line %(line)d has bytes "
            "that are neither (byte %(byte)s at position %(offset)s). Save it as CSV UTF-8 "
            "and upload it again."
        )
        % {
            "line": _line_of(content, offset),
            "byte": f"0x{content[offset]:02X}",
            "offset": f"{offset:,}",
        }
    )


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


def _read_csv(content: bytes, *, max_rows: int, deadline: Deadline) -> Table:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected(
            _(
                'The file is UTF-16 (Excel\'s "Unicode Text"). Save it as CSV UTF-8 and '
                "upload it again."
            )
        )
    if _looks_binary(content):
        raise FileRejected(
            _("This is not a CSV file (it contains binary data). Upload CSV or .xlsx.")
        )
    text, encoding = decode(content)
    if not text.strip():
        raise FileRejected(_("The file is empty."))
    first_line = text[: _first_line_end(text)]
    delimiter = max(",\t;", key=first_line.count)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader, [])
        check_cells(header, 1)
        rows = _collect(_records(reader, lines, deadline), max_rows=max_rows)
    except csv.Error as error:
        raise _malformed(error, lines) from None
    return Table(format="CSV", encoding=encoding, header=header, rows=rows)


class _Lines(Iterator[str]):
    """The text's lines for csv.reader, refusing a record longer than MAX_RECORD_CHARS.

    The limit holds for one physical line and for a record whose quoted cells span many,
    so the reader never builds a list of millions of cells from one line.
    """

    def __init__(self, text: str) -> None:
        self._stream = io.StringIO(text, newline="")
        self.number = 0
        self.record_start = 1
        self._record_chars = 0

    def __next__(self) -> str:
        line = self._stream.readline(MAX_RECORD_CHARS + 1 - self._record_chars)
        if not line:
            raise StopIteration
        self.number += 1
        self._record_chars += len(line)
        if self._record_chars > MAX_RECORD_CHARS:
            raise FileRejected(
                _(
                    "Line %(line)d is longer than %(limit)s characters; a row of the import "
                    'is far shorter. Is a quote (") left open?'
                )
                % {"line": self.record_start, "limit": f"{MAX_RECORD_CHARS:,}"}
            )
        return line

    def record_done(self) -> None:
        self._record_chars = 0
        self.record_start = self.number + 1


def _records(
    reader: Iterator[list[str]], lines: _Lines, deadline: Deadline
) -> Iterator[list[str]]:
    lines.record_done()  # the header's
    for cells in reader:
        lines.record_done()
        deadline.check()
        yield cells


def _malformed(error: csv.Error, lines: _Lines) -> FileRejected:
    reason = str(error)
    if "unexpected end of data" in reason:
        reason = _('a quote (") opened there is never closed')
    elif "expected after" in reason:
        reason = _('a quoted cell has text after its closing quote (")')
    elif "field larger than field limit" in reason:
        reason = _('a cell is too long; is a quote (") left open?')
    return FileRejected(
        _("The CSV is malformed near line %(line)d: %(error)s")
        % {"line": lines.record_start, "error": reason}
    )


def _collect(records: Iterable[list[str]], *, max_rows: int) -> list[tuple[int, list[str]]]:
    """Number the rows as a spreadsheet does (header = 1) and skip the empty ones."""
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(records, start=2):
        if number > row_limit(max_rows):
            raise too_many_rows(number, max_rows)
        check_cells(cells, number)
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= max_rows:
            raise too_many_data_rows(max_rows)
        rows.append((number, cells))
    return rows


def _read_xlsx(content: bytes, *, max_rows: int, deadline: Deadline) -> Table:
    shape = inspect_workbook(content, max_rows=max_rows, deadline=deadline)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a bad workbook
        raise FileRejected(
            _("The workbook could not be read: %(error)s") % {"error": error}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # The dimension record says how far the sheet reaches; openpyxl pads every row to
        # its width and stops at its last row, so it is checked, and set aside when the
        # rows counted in the XML show it is wrong.
        width, height = sheet.max_column or 0, sheet.max_row or 0
        if width > MAX_COLUMNS:
            raise too_many_columns(width, None)
        if height > row_limit(max_rows):
            raise too_many_rows(height, max_rows)
        if shape.rows > height or shape.widest > width:
            sheet.reset_dimensions()
            width = MAX_COLUMNS + 1
        values = _sheet_rows(sheet.iter_rows(max_col=width or 1, values_only=True), max_rows)
        header = next(values, [])
        check_cells(header, 1)
        rows = _collect(_deadlined(values, deadline), max_rows=max_rows)
    except FileRejected:
        raise
    except Exception as error:  # the sheet is parsed while it is read, with the same kinds
        logger.warning("unreadable workbook", exc_info=True)
        raise FileRejected(
            _("The workbook could not be read: %(error)s") % {"error": error}
        ) from None
    finally:
        workbook.close()
    return Table(format="XLSX", encoding="", header=header, rows=rows)


def _sheet_rows(rows: Iterable[tuple[object, ...]], max_rows: int) -> Iterator[list[str]]:
    # openpyxl fills a gap in the row numbers (row 1, then row 1,000,000) with empty rows.
    for number, values in enumerate(rows, start=1):
        if number > row_limit(max_rows):
            raise too_many_rows(number, max_rows)
        if len(values) > MAX_COLUMNS and any(value is not None for value in values[MAX_COLUMNS:]):
            raise too_many_columns(len(values), number)
        if values.count(None) == len(values):
            yield []  # the usual empty row, and every row openpyxl makes up
        else:
            yield [_cell_text(value) for value in values[:MAX_COLUMNS]]


def _deadlined(records: Iterator[list[str]], deadline: Deadline) -> Iterator[list[str]]:
    for cells in records:
        deadline.check()
        yield cells


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
