"""Bulk import of organizations from CSV or XLSX: read, validate with the web form, write.

`organizations_import` is the one code path for the web (through an `ImportJob` run by a
background task) and the `import_organizations` command.
"""

from profiles.importing.reading import FileRejected, read_table
from profiles.importing.schema import COLUMNS, REQUIRED
from profiles.importing.service import ImportReport, organizations_import

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "FileRejected",
    "ImportReport",
    "organizations_import",
    "read_table",
]
