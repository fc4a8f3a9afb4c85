"""Reference data: regions, prefectures, municipalities, JSIC industries, fixed vocabularies."""

from __future__ import annotations

import functools
import re
from typing import Any

import opencc
from django.db import models
from django.utils import translation
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


def reads_japanese_names(place: bool) -> bool:
    """Whether the active language shows the Japanese name: always in Japanese, and the
    name of a place in Chinese."""
    language = get_language() or "en"
    return language.startswith("ja") or (place and language.startswith("zh"))


def chinese_script(language: str | None) -> str | None:
    """ "zh-hans" or "zh-hant" for a Chinese UI language, else None."""
    language = (language or "").lower()
    if not language.startswith("zh"):
        return None
    return "zh-hant" if language in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"} else "zh-hans"


_KANA = re.compile("[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\uff66-\uff9f]")


@functools.cache
def _opencc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(f"{config}.json")


@functools.lru_cache(maxsize=8192)
def han_reading(japanese: str, script: str) -> str:
    """A Japanese name written only in Han characters, in the Chinese reader's script: OpenCC
    maps Japanese forms to Traditional ones (jp2t: 製造業 → 製造業, 卸売 → 卸賣), then to
    Simplified ones for zh-hans (t2s: 制造业, 卸卖). A reading of the official Japanese name,
    not a translation. Empty when the name has kana, which a Chinese reader cannot read
    (コネクタ製造業, 野菜作農業（きのこ類の栽培を含む）)."""
    if not japanese or _KANA.search(japanese):
        return ""
    traditional = str(_opencc("jp2t").convert(japanese))
    return str(_opencc("t2s").convert(traditional)) if script == "zh-hans" else traditional


class Bilingual:
    """Mixin for rows with `name_en` and `name_ja`: `name` picks the active language."""

    name_en: str
    name_ja: str
    # Chinese writes Japan's places in Han characters as Japanese does (熊本県, 九州): a place
    # sets this, and Chinese readers get its Japanese name; anything else, its Chinese name
    # when it has one (`chinese_name`), else its English name.
    place = False

    @property
    def name(self) -> str:
        return self.localized_name(get_language() or "en")[0]

    def localized_name(self, language: str) -> tuple[str, str]:
        """The name a reader of `language` is shown, and the language it is really in."""
        language = language.lower()
        script = chinese_script(language)
        if language.startswith("ja") or (script and self.place):
            return (self.name_ja, "ja") if self.name_ja else (self.name_en, "en")
        if script:
            chinese = self.chinese_name(script)
            if chinese:
                return chinese, script
        return (self.name_en, "en") if self.name_en else (self.name_ja, "ja")

    def chinese_name(self, script: str) -> str:
        """The name in Chinese (script "zh-hans" or "zh-hant"), or "" when there is none: the
        English name's translation in the interface's catalogue, for a product vocabulary
        whose English names are marked for translation (partnership types, languages)."""
        if not self.name_en:
            return ""
        with translation.override(script):
            translated = gettext(self.name_en)
        return translated if translated != self.name_en else ""

    def __str__(self) -> str:
        return self.name


class EmployeesBand(models.TextChoices):
    MICRO = "1-9", "1–9"
    SMALL = "10-49", "10–49"
    MEDIUM = "50-299", "50–299"
    LARGE = "300-999", "300–999"
    ENTERPRISE = "1000+", "1,000+"

    @classmethod
    def for_count(cls, count: int) -> EmployeesBand:
        for band, floor in ((cls.ENTERPRISE, 1000), (cls.LARGE, 300), (cls.MEDIUM, 50)):
            if count >= floor:
                return band
        return cls.SMALL if count >= 10 else cls.MICRO


class Region(Bilingual, models.Model):
    place = True
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=50)
    name_ja = models.CharField(_("name (Japanese)"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class PrefectureQuerySet(models.QuerySet["Prefecture"]):
    def metropolitan(self) -> PrefectureQuerySet:
        return self.filter(metropolitan=True)

    def non_metropolitan(self) -> PrefectureQuerySet:
        return self.filter(metropolitan=False)


class Prefecture(Bilingual, models.Model):
    # Tokyo, Kanagawa, Saitama, Chiba, Aichi, Osaka: the default metropolitan set.
    DEFAULT_METROPOLITAN = frozenset({"11", "12", "13", "14", "23", "27"})
    place = True

    code = models.CharField(_("JIS code"), max_length=2, unique=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=5, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=50)
    name_ja = models.CharField(_("name (Japanese)"), max_length=50)
    name_ja_short = models.CharField(_("short name (Japanese)"), max_length=10)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="prefectures", verbose_name=_("region")
    )
    metropolitan = models.BooleanField(
        _("metropolitan"),
        default=False,
        help_text=_("Organizations in metropolitan prefectures get no regional boost."),
    )

    objects = PrefectureQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")


class Municipality(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("city, town or village")
        DESIGNATED_CITY = "designated_city", _("designated city")
        WARD = "ward_of_designated_city", _("ward of a designated city")
        SPECIAL_WARD = "tokyo_special_ward", _("Tokyo special ward")

    code = models.CharField(_("local government code"), max_length=5, unique=True)
    code6 = models.CharField(_("6-digit code"), max_length=6, unique=True)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("prefecture"),
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=50)
    name_romaji = models.CharField(_("name (romaji)"), max_length=80)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        indexes = [models.Index(fields=["prefecture", "name_ja"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if reads_japanese_names(place=True):
            return self.name_ja
        return self.name_romaji or self.name_ja


class Industry(Bilingual, models.Model):
    """One node of the JSIC Rev.14 tree."""

    class Level(models.TextChoices):
        DIVISION = "division", _("division")
        MAJOR_GROUP = "major_group", _("major group")
        GROUP = "group", _("group")
        INDUSTRY = "industry", _("industry")

    code = models.CharField(_("JSIC code"), max_length=4, unique=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    division = models.CharField(_("division"), max_length=1, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Division letter then code, so that ordering by it walks the tree depth-first.
    sort_key = models.CharField(max_length=5, db_index=True, editable=False)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        is_division = self.level == self.Level.DIVISION
        self.sort_key = self.division if is_division else self.division + self.code
        super().save(*args, **kwargs)

    def chinese_name(self, script: str) -> str:
        """JSIC has no Chinese names: a Chinese reader gets the Japanese name's Han reading
        (半導体製造装置製造業 → 半导体制造装置制造业), or the English name when it has kana."""
        return han_reading(self.name_ja, script)

    @property
    def lineage(self) -> frozenset[str]:
        """The codes of this industry and of every group above it, up to its division.

        JSIC codes nest by prefix (industry 2921 is in group 292, major group 29, division
        E), so no parent row needs to be read.
        """
        return self.lineage_of(self.level, self.division, self.code)

    @classmethod
    def lineage_of(cls, level: str, division: str, code: str) -> frozenset[str]:
        """`lineage` from an industry's level, division and code (no model instance)."""
        if level == cls.Level.DIVISION:
            return frozenset({code})
        return frozenset({division, *(code[:n] for n in range(2, len(code) + 1))})


class PartnershipType(Bilingual, models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=60)
    name_ja = models.CharField(_("name (Japanese)"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    # The vocabulary is fixed by the product; load_reference_data writes these rows.
    DEFAULTS = [
        ("supply_chain", gettext_noop("Supply chain"), "サプライチェーン（調達・供給）"),
        ("joint_rnd", gettext_noop("Joint R&D"), "共同研究開発"),
        ("licensing", gettext_noop("Licensing"), "ライセンス"),
        ("sales_distribution", gettext_noop("Sales and distribution"), "販売・流通"),
        ("investment_jv", gettext_noop("Investment or joint venture"), "出資・合弁"),
        ("site_location", gettext_noop("Site location"), "拠点立地"),
    ]

    class Meta:
        ordering = ["order"]
        verbose_name = _("partnership type")
        verbose_name_plural = _("partnership types")


class Language(Bilingual, models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=40)
    name_ja = models.CharField(_("name (Japanese)"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    DEFAULTS = [
        ("ja", gettext_noop("Japanese"), "日本語"),
        ("en", gettext_noop("English"), "英語"),
        ("zh", gettext_noop("Chinese"), "中国語"),
        ("ko", gettext_noop("Korean"), "韓国語"),
        ("vi", gettext_noop("Vietnamese"), "ベトナム語"),
        ("th", gettext_noop("Thai"), "タイ語"),
        ("de", gettext_noop("German"), "ドイツ語"),
        ("fr", gettext_noop("French"), "フランス語"),
        ("es", gettext_noop("Spanish"), "スペイン語"),
        ("pt", gettext_noop("Portuguese"), "ポルトガル語"),
        ("id", gettext_noop("Indonesian"), "インドネシア語"),
        ("hi", gettext_noop("Hindi"), "ヒンディー語"),
    ]

    class Meta:
        ordering = ["order"]
        verbose_name = _("working language")
        verbose_name_plural = _("working languages")
