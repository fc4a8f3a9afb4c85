"""The import column schema, and the translation of a row's cells into form data.

Cells are only normalised here (names to codes, "|" lists, yes/no); validation is the
business of `OrganizationImportForm`, the same form as the web's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from profiles.models import (
    EmployeesBand,
    Industry,
    Language,
    Municipality,
    Organization,
    PartnershipType,
    Prefecture,
)

COLUMNS = [
    "external_id",
    "kind",
    "name_en",
    "name_ja",
    "prefecture",
    "municipality",
    "industries",
    *Organization.bilingual_fields(),
    "keywords",
    "partnership_types",
    "website",
    "employees",
    "founded",
    "languages",
    "lying_dragon",
    "lying_dragon_reason",
    "status",
    # The organization's version when the file was exported (blank in a file made by hand):
    # a row changed on the site since then is reported as a conflict, not overwritten.
    "version",
]
REQUIRED = ["external_id", "kind", "prefecture"]
NAME_COLUMNS = ["name_en", "name_ja"]
LIST_SEPARATOR = "|"
LIST_COLUMNS = {"industries", "partnership_types", "languages"}
# Exports prefix these with "'" so that spreadsheets show them as text; imports take it off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A cell a spreadsheet would run: any "=...", or "+", "-", "@" before a call, a link to
# another program (DDE, "cmd|' /C calc'!A0") or a reference to another sheet. Text that
# only starts with one of them ("-", "+81 96 ...", "@ryumon") is not one.
FORMULA = re.compile(r"=|[+\-@].*(?:\||[A-Za-z_][\w.]*\(|!\$?[A-Z]{1,3}\$?\d)", re.DOTALL)
YES = {"true", "yes", "y", "1", "on", "x", "○", "はい", "有"}
NO = {"false", "no", "n", "0", "off", "", "×", "いいえ", "無"}


def unneutralise(cell: str) -> str:
    if cell.startswith("'") and cell[1:2] and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


def header_problems(header: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Return (columns to use, missing required columns, unknown columns)."""
    names = [name.strip().lower() for name in header]
    known = [name for name in names if name in COLUMNS]
    unknown = [name for name in names if name and name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    if not any(name in names for name in NAME_COLUMNS):
        missing.append("name_en / name_ja")
    return known, missing, unknown


def duplicated_columns(header: list[str]) -> list[str]:
    counts = Counter(name.strip().lower() for name in header if name.strip())
    return sorted(name for name, count in counts.items() if count > 1)


@dataclass
class Vocabulary:
    """Every code and name a row may use, loaded once per import."""

    prefectures: dict[str, Prefecture] = field(default_factory=dict)
    prefecture_names: dict[str, str] = field(default_factory=dict)
    municipalities: dict[str, Municipality] = field(default_factory=dict)
    municipality_names: dict[tuple[int, str], str] = field(default_factory=dict)
    industries: dict[str, Model] = field(default_factory=dict)
    partnership_types: dict[str, Model] = field(default_factory=dict)
    languages: dict[str, Model] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Vocabulary:
        vocabulary = cls()
        for prefecture in Prefecture.objects.all():
            vocabulary.prefectures[prefecture.code] = prefecture
            for name in (
                prefecture.code,
                str(int(prefecture.code)),
                prefecture.name_en,
                prefecture.name_ja,
                prefecture.name_ja_short,
                prefecture.iso_code,
            ):
                vocabulary.prefecture_names[_key(name)] = prefecture.code
        for municipality in Municipality.objects.all():
            vocabulary.municipalities[municipality.code] = municipality
            for name in (
                municipality.code,
                municipality.code6,
                municipality.name_ja,
                municipality.name_romaji,
            ):
                key = (municipality.prefecture_id, _key(name))
                vocabulary.municipality_names.setdefault(key, municipality.code)
        vocabulary.industries = {row.code: row for row in Industry.objects.all()}
        vocabulary.partnership_types = {row.code: row for row in PartnershipType.objects.all()}
        vocabulary.languages = {row.code: row for row in Language.objects.all()}
        return vocabulary

    def field_caches(self) -> dict[str, dict[str, Any]]:
        return {
            "prefecture": self.prefectures,
            "municipality": self.municipalities,
            "industries": self.industries,
            "partnership_types": self.partnership_types,
            "languages": self.languages,
        }


def _key(value: str) -> str:
    return re.sub(r"[\s\-_]", "", value).lower()


def row_data(
    cells: dict[str, str], vocabulary: Vocabulary
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Turn a row's cells into form data; return it with the cells that make no sense."""
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for column, raw in cells.items():
        if FORMULA.match(raw.strip()):
            problems.append(
                (
                    column,
                    _(
                        "This cell is a spreadsheet formula (%(start)s…), which the import "
                        "does not run. If it is meant as text, start it with an apostrophe (')."
                    )
                    % {"start": raw.strip()[:12]},
                )
            )
        value = unneutralise(raw).strip()
        if column == "prefecture":
            data[column] = vocabulary.prefecture_names.get(_key(value), value)
        elif column == "municipality":
            continue
        elif column in LIST_COLUMNS:
            data[column] = [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
        elif column == "keywords":
            data[column] = "\n".join(item.strip() for item in value.split(LIST_SEPARATOR))
        elif column == "kind":
            data[column] = value.lower().replace(" ", "_")
        elif column == "version":
            if value and not value.isdigit():
                problems.append(
                    (column, _('Write the version as a whole number, not "%s".') % value)
                )
            data[column] = int(value) if value.isdigit() else None
        elif column == "employees":
            digits = value.replace(",", "")
            data[column] = (
                EmployeesBand.for_count(int(digits)).value if digits.isdigit() else value
            )
        elif column == "lying_dragon":
            if value.lower() not in YES | NO:
                problems.append((column, _('Write "true" or "false", not "%s".') % value))
            data[column] = "on" if value.lower() in YES else ""
        elif column == "status":
            # Blank keeps an existing row's status; a new row starts as a draft.
            data[column] = value.lower().replace(" ", "_")
        else:
            data[column] = value
    # Municipality names are looked up in the row's prefecture, whatever the column order.
    if "municipality" in cells:
        prefecture = vocabulary.prefectures.get(data.get("prefecture", ""))
        value = unneutralise(cells["municipality"]).strip()
        key = (prefecture.pk if prefecture else 0, _key(value))
        data["municipality"] = vocabulary.municipality_names.get(key, value)
    return data, problems
