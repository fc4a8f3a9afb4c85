"""Idempotent loading of the shipped fixtures: reference data, glossary and demo data.

Every loader compares before it writes, so a second run reports everything unchanged and
touches no row. Organizations are created once and then belong to their curators: a later
run never overwrites what staff edited.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction

from profiles.models import (
    Concept,
    Industry,
    Language,
    Municipality,
    Organization,
    PartnershipType,
    Prefecture,
    Region,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged}"


def read_fixture(relative: str) -> list[dict[str, Any]]:
    path = FIXTURES / relative
    if not path.exists():
        raise FileNotFoundError(f"Missing fixture {path}; run the build script in fixtures/.")
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return rows


def upsert[M: models.Model](
    model: type[M], rows: Iterable[dict[str, Any]], *, key: str, keep: Iterable[str] = ()
) -> Tally:
    """Create missing rows and update changed ones, matching on `key`.

    Fields named in `keep` are set on creation only (admins may change them later).
    """
    keep = set(keep)
    existing = {getattr(obj, key): obj for obj in model._default_manager.all()}
    tally = Tally()
    to_create: list[M] = []
    to_update: list[M] = []
    update_fields: set[str] = set()
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            to_create.append(model(**row))
            continue
        changed = [
            field
            for field, value in row.items()
            if field not in keep and field != key and getattr(obj, field) != value
        ]
        if changed:
            for field in changed:
                setattr(obj, field, row[field])
            to_update.append(obj)
            update_fields.update(changed)
        else:
            tally.unchanged += 1
    model._default_manager.bulk_create(to_create, batch_size=500)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(update_fields), batch_size=500)
    tally.created, tally.updated = len(to_create), len(to_update)
    return tally


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}


def _lookup(model: type[models.Model], field: str = "code") -> dict[str, int]:
    return dict(model._default_manager.values_list(field, "pk"))


@transaction.atomic
def load_geography() -> dict[str, Tally]:
    tallies = {"regions": upsert(Region, read_fixture("reference/regions.json"), key="code")}
    regions = _lookup(Region)
    prefectures = [
        {**_without(row, "region"), "region_id": regions[row["region"]]}
        for row in read_fixture("reference/prefectures.json")
    ]
    tallies["prefectures"] = upsert(Prefecture, prefectures, key="code", keep=["metropolitan"])
    prefecture_ids = _lookup(Prefecture)
    municipalities = [
        {**_without(row, "prefecture"), "prefecture_id": prefecture_ids[row["prefecture"]]}
        for row in read_fixture("reference/municipalities.json")
    ]
    tallies["municipalities"] = upsert(Municipality, municipalities, key="code")
    return tallies


@transaction.atomic
def load_industries() -> Tally:
    rows = read_fixture("reference/industries.json")
    total = Tally()
    # Parents first: a level's rows can only point at rows already written.
    for level in ["division", "major_group", "group", "industry"]:
        ids = _lookup(Industry)
        level_rows = []
        for row in rows:
            if row["level"] != level:
                continue
            parent = row["parent"]
            level_rows.append(
                {
                    **{k: v for k, v in row.items() if k != "parent"},
                    "parent_id": ids[parent] if parent else None,
                    "sort_key": row["division"]
                    if level == "division"
                    else row["division"] + row["code"],
                }
            )
        tally = upsert(Industry, level_rows, key="code")
        total.created += tally.created
        total.updated += tally.updated
        total.unchanged += tally.unchanged
    return total


@transaction.atomic
def load_vocabularies() -> dict[str, Tally]:
    return {
        "partnership types": upsert(
            PartnershipType,
            [
                {"code": code, "name_en": en, "name_ja": ja, "order": order}
                for order, (code, en, ja) in enumerate(PartnershipType.DEFAULTS)
            ],
            key="code",
        ),
        "languages": upsert(
            Language,
            [
                {"code": code, "name_en": en, "name_ja": ja, "order": order}
                for order, (code, en, ja) in enumerate(Language.DEFAULTS)
            ],
            key="code",
        ),
    }


@transaction.atomic
def load_glossary() -> Tally:
    rows = [
        {
            "key": row["key"],
            "domain": row["domain"],
            "name_en": row["en"],
            "name_ja": row["ja"],
            "synonyms_en": "\n".join(row.get("synonyms_en", [])),
            "synonyms_ja": "\n".join(row.get("synonyms_ja", [])),
            "name_zh_hans": row.get("zh_hans", ""),
            "synonyms_zh_hans": "\n".join(row.get("synonyms_zh_hans", [])),
            "name_zh_hant": row.get("zh_hant", ""),
            "synonyms_zh_hant": "\n".join(row.get("synonyms_zh_hant", [])),
        }
        for row in read_fixture("glossary.json")
    ]
    return upsert(Concept, rows, key="key")


ORGANIZATION_SCALARS = [
    "kind",
    "name_en",
    "name_ja",
    *Organization.bilingual_fields(),
    "employees",
    "capital_million_jpy",
    "founded",
    "website",
    "certifications",
    "export_experience",
    "contact_name",
    "contact_email",
    "lying_dragon",
    "lying_dragon_reason",
    "lying_dragon_evidence",
    "status",
    "source",
]


@transaction.atomic
def load_organizations(rows: list[dict[str, Any]]) -> Tally:
    """Create the organizations that do not exist yet (matched on prefecture and external_id)."""
    prefectures = _lookup(Prefecture)
    municipalities = _lookup(Municipality)
    industries = _lookup(Industry)
    partnership_types = _lookup(PartnershipType)
    languages = _lookup(Language)
    existing = set(
        Organization.objects.exclude(external_id="").values_list("prefecture_id", "external_id")
    )
    tally = Tally()
    new: list[tuple[Organization, dict[str, Any]]] = []
    for row in rows:
        prefecture_id = prefectures[row["prefecture"]]
        if (prefecture_id, row["external_id"]) in existing:
            tally.unchanged += 1
            continue
        values = {field: row[field] for field in ORGANIZATION_SCALARS if field in row}
        values["keywords"] = "\n".join(row.get("keywords", []))
        organization = Organization(
            external_id=row["external_id"],
            prefecture_id=prefecture_id,
            municipality_id=municipalities.get(row.get("municipality") or ""),
            **values,
        )
        new.append((organization, row))
    created = Organization.objects.bulk_create(
        [organization for organization, _ in new], batch_size=500
    )
    tally.created = len(created)
    through_rows: dict[Any, list[models.Model]] = {}
    for organization, row in new:
        for field, target, lookup in [
            ("industries", "industry_id", industries),
            ("partnership_types", "partnershiptype_id", partnership_types),
            ("languages", "language_id", languages),
        ]:
            through = getattr(Organization, field).through
            for code in dict.fromkeys(row.get(field, [])):
                through_rows.setdefault(through, []).append(
                    through(organization_id=organization.pk, **{target: lookup[code]})
                )
    for through, objs in through_rows.items():
        through.objects.bulk_create(objs, batch_size=1000)
    return tally
