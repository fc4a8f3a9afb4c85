"""The load test's world: synthetic published organizations, firms and their members.

Runs inside the throwaway database only (`bench_load --populate`, started by the runner with
DATABASE_URL pointing at it). Organizations come from the same deterministic generator as the
ranker benchmark, written with bulk_create in batches; the index is built with the
`rebuild_index` code and its blob cached under var/bench/, keyed by what it was fitted on.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction

from matchmaking.benchmarks.synthetic import Generator, load_glossary, load_vocabulary
from matchmaking.firms.models import FirmMember, ForeignFirm
from matchmaking.ranker import Document
from matchmaking.search import store
from profiles.models import Industry, Language, Organization, PartnershipType, Prefecture
from profiles.roles import FIRM_MEMBERS

BATCH = 2000
PASSWORD = "ryumon-load-2026"  # noqa: S105 -- throwaway accounts in a throwaway database
EMAIL = "member{number:04d}@load-firm-{number:04d}.example"


def member_email(number: int) -> str:
    return EMAIL.format(number=number)


def _split(text: str) -> tuple[str, str]:
    english, _, japanese = text.partition("\n")
    return english.strip(), japanese.strip()


def organizations_create(
    *, fixtures: Path, count: int, seed: int, log: Callable[[str], None]
) -> None:
    """Create `count` published synthetic organizations with their facets."""
    generator = Generator(
        load_glossary(fixtures / "glossary.json"), load_vocabulary(fixtures), seed=seed
    )
    prefectures = dict(Prefecture.objects.values_list("code", "pk"))
    industries = dict(Industry.objects.values_list("code", "pk"))
    partnerships = dict(PartnershipType.objects.values_list("code", "pk"))
    languages = dict(Language.objects.values_list("code", "pk"))
    through: list[tuple[Any, str, str, dict[str, int]]] = [
        (Organization.industries.through, "industry_id", "industries", industries),
        (
            Organization.partnership_types.through,
            "partnershiptype_id",
            "partnership_types",
            partnerships,
        ),
        (Organization.languages.through, "language_id", "languages", languages),
    ]
    started = time.perf_counter()
    for offset in range(0, count, BATCH):
        documents = [generator.document(n) for n in range(offset, min(offset + BATCH, count))]
        with transaction.atomic():
            created = Organization.objects.bulk_create(
                [_organization(doc, prefectures) for doc in documents]
            )
            for model, column, attribute, codes in through:
                rows: list[Any] = []
                for doc, org in zip(documents, created, strict=True):
                    values = getattr(doc, attribute)
                    # The generator's JSIC codes are illustrative; keep those the reference
                    # data has, else their division (E09 -> E).
                    wanted = {codes.get(code) or codes.get(code[:1]) for code in values}
                    rows += [model(organization_id=org.pk, **{column: pk}) for pk in wanted if pk]
                model.objects.bulk_create(rows)
        if (offset // BATCH) % 10 == 0:
            log(f"  {offset + len(documents):,} organizations")
    log(f"created {count:,} organizations in {time.perf_counter() - started:.1f} s")


def _organization(doc: Document, prefectures: dict[str, int]) -> Organization:
    name_en, name_ja = _split(doc.fields["name"])
    description_en, description_ja = _split(doc.fields["description"])
    offers_en, offers_ja = _split(doc.fields["offers"])
    seeks_en, seeks_ja = _split(doc.fields["seeks"])
    return Organization(
        kind=doc.kind,
        name_en=name_en if description_en else "",
        name_ja=name_ja,
        prefecture_id=prefectures[doc.prefecture],
        description_en=description_en,
        description_ja=description_ja,
        offers_en=offers_en,
        offers_ja=offers_ja,
        seeks_en=seeks_en,
        seeks_ja=seeks_ja,
        keywords=doc.fields["keywords"],
        lying_dragon=doc.lying_dragon,
        lying_dragon_reason="Synthetic niche leader (load test)" if doc.lying_dragon else "",
        status=Organization.Status.PUBLISHED,
        external_id=doc.external_id,
        source=Organization.Source.DEMO,
    )


def firms_create(*, count: int, seed: int, fixtures: Path) -> None:
    """Create `count` firms with one member each, all with the same password."""
    generator = Generator(
        load_glossary(fixtures / "glossary.json"), load_vocabulary(fixtures), seed=seed + 7
    )
    rng = random.Random(seed)
    industries = list(Industry.objects.filter(parent=None).values_list("pk", flat=True))
    partnerships = list(PartnershipType.objects.values_list("pk", flat=True))
    languages = list(Language.objects.values_list("pk", flat=True))
    password = make_password(PASSWORD)  # hashed once: the hash is what log-ins check
    group = Group.objects.get(name=FIRM_MEMBERS)
    with transaction.atomic():
        firms = ForeignFirm.objects.bulk_create(
            [
                ForeignFirm(
                    name=f"Load Test Firm {n:04d}",
                    slug=f"load-firm-{n:04d}",
                    country=rng.choice(["US", "DE", "FR", "GB", "KR", "TW", "SG", "IN"]),
                    seeks_en=generator.query(40),
                    offers_en=generator.query(25),
                    keywords="\n".join(generator.query(6).rstrip(".").split()[:4]),
                    is_fictional=True,
                )
                for n in range(count)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(username=member_email(n), email=member_email(n), password=password)
                for n in range(count)
            ]
        )
        FirmMember.objects.bulk_create(
            [
                FirmMember(user=user, firm=firm, role=FirmMember.Role.OWNER)
                for user, firm in zip(users, firms, strict=True)
            ]
        )
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users]
        )
        firm_through: list[tuple[Any, str, list[int], int]] = [
            (ForeignFirm.industries.through, "industry_id", industries, 2),
            (ForeignFirm.partnership_types.through, "partnershiptype_id", partnerships, 2),
            (ForeignFirm.languages.through, "language_id", languages, 1),
        ]
        for model, column, choices, k in firm_through:
            model.objects.bulk_create(
                [
                    model(foreignfirm_id=firm.pk, **{column: pk})
                    for firm in firms
                    for pk in rng.sample(choices, min(k, len(choices)))
                ]
            )


def index_fingerprint() -> str:
    """What an index was fitted on: every published organization's id and external id."""
    digest = hashlib.sha256()
    rows = Organization.objects.published().order_by("pk").values_list("pk", "external_id")
    for pk, external_id in rows.iterator(chunk_size=10_000):
        digest.update(f"{pk}:{external_id}\n".encode())
    return digest.hexdigest()[:16]


def index_build(*, cache: Path, workers: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Build and store the index as `rebuild_index` does, or reuse the cached build."""
    fingerprint = index_fingerprint()
    blob_path = cache / f"load-index-{fingerprint}.bin"
    meta_path = blob_path.with_suffix(".json")
    if blob_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text("utf-8"))
        blob = blob_path.read_bytes()
        store.save_version(blob, **meta)
        log(f"index {fingerprint} read from {blob_path} (built in {meta['build_seconds']:.0f} s)")
        return {"cached": True, **meta}
    started = time.perf_counter()
    stored = store.build_index(workers=workers)
    log(f"index built in {time.perf_counter() - started:.1f} s")
    meta = {
        "source_read_at": stored.source_read_at.isoformat(),
        "document_count": stored.document_count,
        "vocabulary_size": stored.vocabulary_size,
        "build_seconds": stored.build_seconds,
        "params": stored.params,
    }
    cache.mkdir(parents=True, exist_ok=True)
    with blob_path.open("wb") as stream:
        for data in store.version_chunks(stored):
            stream.write(data)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return {"cached": False, **meta}


def populate(
    *,
    database: str,
    fixtures: Path,
    cache: Path,
    organizations: int,
    firms: int,
    seed: int,
    workers: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    if connection.settings_dict["NAME"] != database:
        raise RuntimeError(
            f"refusing to fill {connection.settings_dict['NAME']!r}: not the load-test database"
        )
    organizations_create(fixtures=fixtures, count=organizations, seed=seed, log=log)
    firms_create(count=firms, seed=seed, fixtures=fixtures)
    log(f"created {firms} firms with one member each")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    index = index_build(cache=cache, workers=workers, log=log)
    return {
        "published_organizations": Organization.objects.published().count(),
        "firms": ForeignFirm.objects.count(),
        "index": {k: v for k, v in index.items() if k != "params"},
    }
