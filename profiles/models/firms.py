"""The foreign side of the match: firms looking for partners in Japan, and their members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from profiles.models.organizations import KEYWORDS_LIMIT, TEXT_LIMIT
from profiles.models.reference import (
    EmployeesBand,
    Industry,
    Language,
    PartnershipType,
    Prefecture,
    Region,
)


class ForeignFirm(models.Model):
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(
        _("country or region"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code.")
    )
    size = models.CharField(
        _("employees"), max_length=10, choices=EmployeesBand.choices, blank=True
    )
    website = models.URLField(_("website"), blank=True, max_length=300)
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="foreign_firms", verbose_name=_("industries")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="foreign_firms", verbose_name=_("working languages")
    )
    # The same text fields as Organization, so that the ranker reads both sides alike.
    description_en = models.TextField(
        _("description (English)"), blank=True, max_length=TEXT_LIMIT
    )
    description_ja = models.TextField(
        _("description (Japanese)"), blank=True, max_length=TEXT_LIMIT
    )
    offers_en = models.TextField(_("what it offers (English)"), blank=True, max_length=TEXT_LIMIT)
    offers_ja = models.TextField(_("what it offers (Japanese)"), blank=True, max_length=TEXT_LIMIT)
    seeks_en = models.TextField(_("what it seeks (English)"), blank=True, max_length=TEXT_LIMIT)
    seeks_ja = models.TextField(_("what it seeks (Japanese)"), blank=True, max_length=TEXT_LIMIT)
    keywords = models.TextField(
        _("keywords"), blank=True, max_length=KEYWORDS_LIMIT, help_text=_("One per line.")
    )
    partnership_types = models.ManyToManyField(
        PartnershipType,
        blank=True,
        related_name="foreign_firms",
        verbose_name=_("partnership types sought"),
    )
    target_regions = models.ManyToManyField(
        Region, blank=True, related_name="foreign_firms", verbose_name=_("target regions")
    )
    target_prefectures = models.ManyToManyField(
        Prefecture,
        blank=True,
        related_name="foreign_firms",
        verbose_name=_("target prefectures"),
    )
    is_fictional = models.BooleanField(_("fictional demo firm"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("foreign firm")
        verbose_name_plural = _("foreign firms")

    def __str__(self) -> str:
        return self.name


class FirmMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        MEMBER = "member", _("member")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="firm_membership",
        verbose_name=_("user"),
    )
    firm = models.ForeignKey(
        ForeignFirm, on_delete=models.CASCADE, related_name="members", verbose_name=_("firm")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("firm member")
        verbose_name_plural = _("firm members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.firm}"
