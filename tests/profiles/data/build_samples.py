"""Build the Kumamoto EDINET sample files the import tests and browser journeys use.

    python tests/profiles/data/build_samples.py [--data ../shared/data]

Source: 出典：金融庁 EDINET コードリスト（加工して作成）. The listed companies of Kumamoto
(pref_code 43), mapped to the import schema and saved as Shift_JIS, as Excel on Japanese
Windows writes CSV. The "with errors" copy has three mistakes a curator would make.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
HEADER = [
    "external_id",
    "kind",
    "name_en",
    "name_ja",
    "prefecture",
    "municipality",
    "industries",
    "description_ja",
    "keywords",
    "status",
]


def build(data: Path) -> list[dict[str, str]]:
    companies = {
        row["external_id"]: row
        for row in json.loads((REPO / "fixtures/reference/companies.json").read_text())
    }
    with (data / "edinet_companies_domestic.csv").open(encoding="utf-8") as source:
        rows = [row for row in csv.DictReader(source) if row["pref_code"] == "43"]
    out = []
    for row in rows:
        external_id = f"edinet:{row['edinet_code']}"
        listed = "上場" if row["listed"] == "listed" else "非上場"
        out.append(
            {
                "external_id": external_id,
                "kind": "company",
                "name_en": row["name_en"].strip(),
                "name_ja": row["name_ja"].strip(),
                "prefecture": row["prefecture_ja"],
                "municipality": row["municipality_ja"],
                "industries": "|".join(companies.get(external_id, {}).get("industries", [])),
                "description_ja": f"{row['industry_ja']}（{listed}）。本社：{row['address_ja']}",
                "keywords": "|".join([row["industry_en"], row["industry_ja"]]),
                "status": "draft",
            }
        )
    return out


def write(rows: list[dict[str, str]], path: Path) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp932"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    if not parser.parse_args().data.exists():
        parser.error("EDINET data folder not found")
    rows = build(parser.parse_args().data)
    write(rows, HERE / "kumamoto_edinet.csv")
    broken = [dict(row) for row in rows]
    broken[1]["municipality"] = "熊本市東西区"  # no such ward
    broken[2]["industries"] = "25|ZZ"  # no such JSIC code
    broken[3]["prefecture"] = "Kumamot"  # misspelt
    write(broken, HERE / "kumamoto_edinet_with_errors.csv")


if __name__ == "__main__":
    main()
