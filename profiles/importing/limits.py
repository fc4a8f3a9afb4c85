"""How much work one file may cost the importer, and the refusal when it asks for more.

The file size limit alone does not bound the work: 9 MB of `x,` is 4.5 million columns,
and a 400 KB workbook can describe a row of a hundred thousand cells. So each dimension of
the table is capped while it is read (before anything proportional to its square), and
reading and checking a file stops at a deadline whatever the cause.
"""

from __future__ import annotations

import time

from django.utils.translation import gettext as _

# The schema has 22 columns; room for a sheet's own notes columns beside them.
MAX_COLUMNS = 200
# Excel's own limit for a cell; the form refuses most fields far below it, row by row.
MAX_CELL_CHARS = 32_767
# One physical CSV line, and one record however many lines its quoted cells span: a row
# of every column at the form's limits is about 40,000 characters.
MAX_RECORD_CHARS = 250_000
# A sheet's cells in all (20,000 rows of every column is 440,000); shared strings too.
MAX_CELLS = 2_000_000


class FileRejected(Exception):
    """The file as a whole cannot be read; nothing in it was looked at further."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Deadline:
    """A time budget for reading and checking one file, checked between rows."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise FileRejected(
                _(
                    "Reading and checking the file took more than %(seconds)s seconds, so "
                    "it was stopped; nothing was written. Split it into smaller files."
                )
                % {"seconds": f"{self.seconds:g}"}
            )


def too_many_columns(count: int, row: int | None) -> FileRejected:
    if row is None:  # from the sheet's dimension record, before any row is read
        return FileRejected(
            _(
                "The sheet reaches column %(count)s; the limit is %(limit)s columns. Delete "
                "the columns the import does not use and upload it again."
            )
            % {"count": f"{count:,}", "limit": f"{MAX_COLUMNS:,}"}
        )
    return FileRejected(
        _(
            "Row %(row)d has %(count)s columns; the limit is %(limit)s. Delete the "
            "columns the import does not use and upload it again."
        )
        % {"row": row, "count": f"{count:,}", "limit": f"{MAX_COLUMNS:,}"}
    )


def row_limit(max_rows: int) -> int:
    """Rows a sheet may have, empty ones included: the header, the data, as many empty."""
    return 2 * max_rows + 1


def too_many_rows(count: int, max_rows: int) -> FileRejected:
    return FileRejected(
        _(
            "The file has %(count)s rows or more, counting empty ones; the limit is "
            "%(limit)s rows of data. Delete the empty rows or split the file."
        )
        % {"count": f"{count:,}", "limit": f"{max_rows:,}"}
    )


def too_many_data_rows(max_rows: int) -> FileRejected:
    return FileRejected(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": f"{max_rows:,}"}
    )


def check_cells(cells: list[str], row: int) -> None:
    """Refuse a row wider than the column cap, or with a cell longer than Excel allows."""
    if len(cells) > MAX_COLUMNS:
        raise too_many_columns(len(cells), row)
    for column, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL_CHARS:
            raise FileRejected(
                _(
                    "Row %(row)d, column %(column)d holds %(size)s characters; a cell "
                    "may hold at most %(limit)s."
                )
                % {
                    "row": row,
                    "column": column,
                    "size": f"{len(cell):,}",
                    "limit": f"{MAX_CELL_CHARS:,}",
                }
            )
