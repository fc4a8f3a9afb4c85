"""The bilingual glossary: what lets an English query reach a Japanese-only profile."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from profiles.models.reference import Bilingual


class Concept(Bilingual, models.Model):
    class Domain(models.TextChoices):
        MANUFACTURING = "manufacturing", _("manufacturing")
        MATERIALS = "materials", _("materials")
        ELECTRONICS = "electronics", _("electronics")
        SEMICONDUCTORS = "semiconductors", _("semiconductors")
        MEDICAL_BIO = "medical_bio", _("medical and bio")
        ENERGY_ENVIRONMENT = "energy_environment", _("energy and environment")
        IT_AI = "it_ai", _("IT and AI")
        FOOD_AGRICULTURE = "food_agriculture", _("food and agriculture")
        MOBILITY = "mobility", _("mobility")
        TOURISM = "tourism", _("tourism")
        ACADEMIC = "academic", _("academic field")
        BUSINESS = "business", _("business")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    name_en = models.CharField(_("English term"), max_length=100)
    name_ja = models.CharField(_("Japanese term"), max_length=100)
    synonyms_en = models.TextField(_("English synonyms"), blank=True, help_text=_("One per line."))
    synonyms_ja = models.TextField(
        _("Japanese synonyms"), blank=True, help_text=_("One per line.")
    )
    # Chinese (issue 18): matched in needs and profiles written in Chinese, and shown to
    # readers who read Chinese; blank falls back to English. The labels carry both
    # languages rather than a catalogue entry: the .po files are being reworked for the
    # Chinese UI at the same time (add them there, then mark these for translation).
    name_zh_hans = models.CharField(
        "Simplified Chinese term / 簡体字中国語の用語", max_length=100, blank=True
    )
    synonyms_zh_hans = models.TextField(
        "Simplified Chinese synonyms / 簡体字中国語の同義語",
        blank=True,
        help_text=_("One per line."),
    )
    name_zh_hant = models.CharField(
        "Traditional Chinese term / 繁体字中国語の用語", max_length=100, blank=True
    )
    synonyms_zh_hant = models.TextField(
        "Traditional Chinese synonyms / 繁体字中国語の同義語",
        blank=True,
        help_text=_("One per line."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("glossary concept")
        verbose_name_plural = _("glossary")

    def __str__(self) -> str:
        return f"{self.name_en} / {self.name_ja}"

    def terms_en(self) -> list[str]:
        return [self.name_en, *_lines(self.synonyms_en)]

    def terms_ja(self) -> list[str]:
        return [self.name_ja, *_lines(self.synonyms_ja)]

    def name_for(self, lang: str) -> str:
        """The name in a reader's language: Chinese readers get the Chinese name of their
        script (or the other script's), everyone but Japanese readers falls back to English."""
        lang = lang.lower()
        if lang.startswith("zh"):
            traditional = lang.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo"))
            first, second = (
                (self.name_zh_hant, self.name_zh_hans)
                if traditional
                else (self.name_zh_hans, self.name_zh_hant)
            )
            return first or second or self.name_en
        if lang.startswith("ja"):
            return self.name_ja or self.name_en
        return self.name_en

    @property
    def name(self) -> str:
        return self.name_for(get_language() or "en")

    def terms_zh_hans(self) -> list[str]:
        return [t for t in [self.name_zh_hans, *_lines(self.synonyms_zh_hans)] if t]

    def terms_zh_hant(self) -> list[str]:
        return [t for t in [self.name_zh_hant, *_lines(self.synonyms_zh_hant)] if t]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
