"""Organizations as the ranker reads them: documents and glossary concepts from the database."""

from __future__ import annotations

from django.db.models import ManyToManyField

from matchmaking.ranker import Document, GlossaryConcept
from profiles.models import Concept, Industry, Language, Organization, PartnershipType
from profiles.models.organizations import OrganizationQuerySet


def glossary_concepts() -> list[GlossaryConcept]:
    return [
        GlossaryConcept(
            key=c.key,
            name_en=c.name_en,
            name_ja=c.name_ja,
            terms_en=tuple(c.terms_en()),
            terms_ja=tuple(c.terms_ja()),
            name_zh_hans=c.name_zh_hans,
            name_zh_hant=c.name_zh_hant,
            terms_zh_hans=tuple(c.terms_zh_hans()),
            terms_zh_hant=tuple(c.terms_zh_hant()),
        )
        for c in Concept.objects.order_by("key")
    ]


def _industry_codes() -> dict[int, frozenset[str]]:
    """Each industry's code with its ancestors' codes, so a filter on a division matches."""
    # From the columns, not model instances: every index build reads all 2,000 industries.
    rows = Industry.objects.values_list("pk", "level", "division", "code")
    return {pk: Industry.lineage_of(level, division, code) for pk, level, division, code in rows}


def linked_ids(
    field: str, ordering: str, organizations: OrganizationQuerySet
) -> dict[int, list[int]]:
    """Each organization's related rows through a many-to-many field, as primary keys in
    the related model's order (what `prefetch_related` would give)."""
    m2m = Organization._meta.get_field(field)
    assert isinstance(m2m, ManyToManyField)
    source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    through = m2m.remote_field.through
    assert through is not None
    links = (
        through._default_manager.filter(**{f"{source}__in": organizations.values("pk")})
        .order_by(f"{target}__{ordering}", f"{target}__pk")
        .values_list(f"{source}_id", f"{target}_id")
    )
    linked: dict[int, list[int]] = {}
    for organization, related in links:
        linked.setdefault(organization, []).append(related)
    return linked


def organization_documents(
    organizations: OrganizationQuerySet | None = None,
) -> list[Document]:
    """The published organizations (of the given queryset) as the ranker sees them.

    Read as plain rows rather than model instances with prefetched relations, which took
    5 of the 20 seconds of a rebuild at 20,000 organizations.
    """
    published = (
        organizations if organizations is not None else Organization.objects.all()
    ).published()
    ancestors = _industry_codes()
    industry_names = {
        pk: f"{name_en}\n{name_ja}"
        for pk, name_en, name_ja in Industry.objects.values_list("pk", "name_en", "name_ja")
    }
    partnership_codes = dict(PartnershipType.objects.values_list("pk", "code"))
    language_codes = dict(Language.objects.values_list("pk", "code"))
    industries = linked_ids("industries", "sort_key", published)
    partnership_types = linked_ids("partnership_types", "order", published)
    languages = linked_ids("languages", "order", published)
    head = (
        "pk",
        "external_id",
        "name_en",
        "name_ja",
        "keywords",
        "kind",
        "prefecture__code",
        "prefecture__region__code",
        "prefecture__metropolitan",
        "lying_dragon",
    )
    # Each bilingual text (Organization.bilingual_fields) becomes one field, both languages.
    bilingual = Organization.bilingual_fields()
    texts = [
        (text, bilingual.index(f"{text}_en"), bilingual.index(f"{text}_ja"))
        for text in Organization.bilingual_texts()
    ]
    rows = published.order_by("pk").values_list(*head, *bilingual)
    documents = []
    for row in rows.iterator(chunk_size=2000):
        pk, external_id, name_en, name_ja, keywords, kind, prefecture, region = row[:8]
        metropolitan, lying_dragon = row[8:10]
        values = row[len(head) :]
        industry_ids = industries.get(pk, ())
        documents.append(
            Document(
                id=pk,
                external_id=external_id,
                fields={
                    "name": f"{name_en}\n{name_ja}",
                    **{text: f"{values[en]}\n{values[ja]}" for text, en, ja in texts},
                    "keywords": keywords,
                    "industries": "\n".join(industry_names[i] for i in industry_ids),
                },
                kind=kind,
                prefecture=prefecture,
                region=region,
                metropolitan=metropolitan,
                lying_dragon=lying_dragon,
                industries=tuple(sorted({c for i in industry_ids for c in ancestors[i]})),
                partnership_types=tuple(
                    partnership_codes[p] for p in partnership_types.get(pk, ())
                ),
                languages=tuple(language_codes[lang] for lang in languages.get(pk, ())),
            )
        )
    return documents
