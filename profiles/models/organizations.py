"""The Japanese side of the match: companies, universities, research institutes, support bodies."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from profiles.models.reference import (
    EmployeesBand,
    Industry,
    Language,
    Municipality,
    PartnershipType,
    Prefecture,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

TEXT_LIMIT = 5000
KEYWORDS_LIMIT = 2000


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def published(self) -> OrganizationQuerySet:
        return self.filter(status=Organization.Status.PUBLISHED)

    def curated_by(self, user: User | AnonymousUser) -> OrganizationQuerySet:
        """Return the organizations this user may curate (all of them for an admin)."""
        from profiles.models.curation import curated_prefecture_ids

        ids = curated_prefecture_ids(user)
        return self if ids is None else self.filter(prefecture_id__in=ids)

    def visible_to(self, user: User | AnonymousUser) -> OrganizationQuerySet:
        """Published organizations, plus every status of those the user curates."""
        from profiles.models.curation import curated_prefecture_ids

        ids = curated_prefecture_ids(user)
        if ids is None:
            return self
        return self.filter(Q(status=Organization.Status.PUBLISHED) | Q(prefecture_id__in=ids))

    def in_region(self, region_code: str) -> OrganizationQuerySet:
        return self.filter(prefecture__region__code=region_code)

    def lying_dragons(self) -> OrganizationQuerySet:
        return self.filter(lying_dragon=True)

    def non_metropolitan(self) -> OrganizationQuerySet:
        return self.filter(prefecture__metropolitan=False)

    def missing_english(self) -> OrganizationQuerySet:
        """Those with a text (description, offers, seeks) in Japanese but not in English."""
        return self.filter(missing_text_q("en"))


def missing_text_q(language: str, texts: list[str] | None = None) -> Q:
    """A text written in Japanese and not in `language`, for any of `texts` (all of them)."""
    condition = Q()
    for text in texts if texts is not None else BilingualTexts.bilingual_texts():
        condition |= Q(**{f"{text}_{language}": ""}) & ~Q(**{f"{text}_ja": ""})
    return condition


def display_name_order(language: str) -> Coalesce:
    """The name an organization is listed under: the visitor's language first, else the other.

    The directory sorts by it; the indexes below make that sort a read of 20 index entries
    instead of a sort of every row (165 ms to 0.5 ms at 100k organizations on PostgreSQL).
    """
    first, second = ("name_ja", "name_en") if language == "ja" else ("name_en", "name_ja")
    return Coalesce(NullIf(F(first), Value("")), F(second))


class BilingualTexts(models.Model):
    """What a profile says, in English and in Japanese: declared here, once.

    Organizations and foreign firms share these fields. Forms, the importer, the exporter,
    the loaders and the ranker's documents take their lists from `bilingual_fields()`, so a
    new text is added here (and in a migration) and nowhere else.
    """

    description_en = models.TextField(
        _("description (English)"), blank=True, max_length=TEXT_LIMIT
    )
    description_ja = models.TextField(
        _("description (Japanese)"), blank=True, max_length=TEXT_LIMIT
    )
    offers_en = models.TextField(
        _("what it offers (English)"),
        blank=True,
        max_length=TEXT_LIMIT,
        help_text=_("Technologies, products, capabilities."),
    )
    offers_ja = models.TextField(_("what it offers (Japanese)"), blank=True, max_length=TEXT_LIMIT)
    seeks_en = models.TextField(_("what it seeks (English)"), blank=True, max_length=TEXT_LIMIT)
    seeks_ja = models.TextField(_("what it seeks (Japanese)"), blank=True, max_length=TEXT_LIMIT)

    class Meta:
        abstract = True

    @classmethod
    def bilingual_fields(cls, language: str = "") -> list[str]:
        """The text fields in declaration order, both languages or one ("en", "ja")."""
        names = [field.name for field in BilingualTexts._meta.local_fields]
        return [name for name in names if not language or name.endswith(f"_{language}")]

    @classmethod
    def bilingual_texts(cls) -> list[str]:
        """The texts without their language: description, offers, seeks."""
        return list(dict.fromkeys(name[:-3] for name in cls.bilingual_fields()))


class Organization(BilingualTexts):
    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        UNIVERSITY = "university", _("university")
        RESEARCH_INSTITUTE = "research_institute", _("research institute")
        SUPPORT_BODY = "support_body", _("public support body")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by staff")
        IMPORT = "import", _("imported file")
        MEXT = "mext", _("MEXT university list")
        EDINET = "edinet", _("EDINET code list")
        DEMO = "demo", _("fictional demo data")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=255, blank=True)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("prefecture"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("municipality"),
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="organizations", verbose_name=_("industries")
    )

    keywords = models.TextField(
        _("keywords"),
        blank=True,
        max_length=KEYWORDS_LIMIT,
        help_text=_("One keyword per line, in English or Japanese."),
    )
    partnership_types = models.ManyToManyField(
        PartnershipType,
        blank=True,
        related_name="organizations",
        verbose_name=_("open to partnership types"),
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="organizations", verbose_name=_("working languages")
    )

    employees = models.CharField(
        _("employees"), max_length=10, choices=EmployeesBand.choices, blank=True
    )
    capital_million_jpy = models.PositiveBigIntegerField(
        _("capital (million JPY)"), null=True, blank=True
    )
    founded = models.PositiveSmallIntegerField(
        _("founded (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(2100)],
    )
    website = models.URLField(_("website"), blank=True, max_length=300)
    certifications = models.CharField(_("certifications"), max_length=500, blank=True)
    export_experience = models.CharField(_("export experience"), max_length=500, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    lying_dragon = models.BooleanField(
        _("lying dragon"),
        default=False,
        help_text=_("A strong regional organization that foreign firms rarely find (臥竜)."),
    )
    lying_dragon_reason = models.CharField(
        _("why it is a lying dragon"), max_length=200, blank=True
    )
    lying_dragon_evidence = models.CharField(
        _("evidence"),
        max_length=300,
        blank=True,
        help_text=_('For example "METI Global Niche Top 100, 2020".'),
    )

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        blank=True,
        help_text=_("The key that imports match on; unique within a prefecture."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    # The key of the web form that created it: a double-submitted form creates one draft.
    creation_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    # What staff edit (the web form, the import) and the history records, in form order.
    PROFILE_FIELDS = [
        "kind",
        "name_en",
        "name_ja",
        "prefecture",
        "municipality",
        "industries",
        *BilingualTexts.bilingual_fields(),
        "keywords",
        "partnership_types",
        "languages",
        "website",
        "employees",
        "capital_million_jpy",
        "founded",
        "certifications",
        "export_experience",
        "contact_name",
        "contact_email",
        "lying_dragon",
        "lying_dragon_reason",
        "lying_dragon_evidence",
        "external_id",
    ]

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name_en", "name_ja"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "external_id"],
                condition=~Q(external_id=""),
                name="organization_external_id_unique_in_prefecture",
            ),
            models.CheckConstraint(
                condition=~Q(name_en="", name_ja=""),
                name="organization_has_a_name",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "prefecture"]),
            models.Index(display_name_order("en"), F("id"), name="organization_name_order_en"),
            models.Index(display_name_order("ja"), F("id"), name="organization_name_order_ja"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:organization", args=[self.pk])

    @property
    def is_fictional(self) -> bool:
        return self.source == self.Source.DEMO

    @property
    def name(self) -> str:
        if (get_language() or "en").startswith("ja"):
            return self.name_ja or self.name_en
        return self.name_en or self.name_ja

    @property
    def other_name(self) -> str:
        """The name in the other language, when it differs."""
        other = self.name_en if self.name == self.name_ja else self.name_ja
        return "" if other == self.name else other

    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not self.name_en.strip() and not self.name_ja.strip():
            errors["name_en"] = _("Give a name in English or in Japanese.")
        if self.lying_dragon:
            if self.prefecture_id and self.prefecture.metropolitan:
                errors["lying_dragon"] = _(
                    "Only organizations outside metropolitan prefectures can be lying dragons."
                )
            if not self.lying_dragon_reason.strip():
                errors["lying_dragon_reason"] = _("Say in one line why it is a lying dragon.")
        if (
            self.municipality is not None
            and self.prefecture_id
            and self.municipality.prefecture_id != self.prefecture_id
        ):
            errors["municipality"] = ValidationError(
                _(
                    "%(municipality)s is in %(other)s, not in %(prefecture)s: choose one of "
                    "the municipalities of %(prefecture)s."
                ),
                params={
                    "municipality": self.municipality.name,
                    "other": self.municipality.prefecture.name,
                    "prefecture": self.prefecture.name,
                },
                code="municipality_elsewhere",
            )
        if self.founded and self.founded > datetime.date.today().year:
            errors["founded"] = _("The founding year cannot be in the future.")
        if errors:
            raise ValidationError(errors)
