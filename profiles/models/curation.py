"""Who curates which prefecture, and the prefecture pages they edit.

`curated_prefecture_ids` is the one place that decides a curator's scope: views, forms,
admin pages, imports and exports all ask it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from profiles.models.reference import Prefecture

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class Curatorship(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="curatorships",
        verbose_name=_("curator"),
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.CASCADE,
        related_name="curatorships",
        verbose_name=_("prefecture"),
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("curatorship")
        verbose_name_plural = _("curatorships")
        constraints = [
            models.UniqueConstraint(fields=["user", "prefecture"], name="curatorship_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.prefecture}"


def curated_prefecture_ids(user: User | AnonymousUser) -> frozenset[int] | None:
    """Return the ids of the prefectures this user curates; None means every prefecture.

    Read from the database on every call (never cached on the user), so that revoking a
    curatorship takes effect on the next request.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    return frozenset(
        Curatorship.objects.filter(user_id=user.pk).values_list("prefecture_id", flat=True)
    )


def is_curator(user: User | AnonymousUser) -> bool:
    ids = curated_prefecture_ids(user)
    return ids is None or bool(ids)


class PrefectureGuide(models.Model):
    """What foreign firms ask about a prefecture, in English and Japanese."""

    prefecture = models.OneToOneField(
        Prefecture, on_delete=models.CASCADE, related_name="guide", verbose_name=_("prefecture")
    )
    incentives_en = models.TextField(
        _("investment incentives and subsidies (English)"), blank=True
    )
    incentives_ja = models.TextField(
        _("investment incentives and subsidies (Japanese)"), blank=True
    )
    support_desk_en = models.TextField(_("support desk (English)"), blank=True)
    support_desk_ja = models.TextField(_("support desk (Japanese)"), blank=True)
    support_contact = models.CharField(_("support desk contact"), max_length=300, blank=True)
    clusters_en = models.TextField(_("industry clusters and consortia (English)"), blank=True)
    clusters_ja = models.TextField(_("industry clusters and consortia (Japanese)"), blank=True)
    living_en = models.TextField(_("living environment (English)"), blank=True)
    living_ja = models.TextField(_("living environment (Japanese)"), blank=True)
    is_sample = models.BooleanField(
        _("sample text"), default=False, help_text=_("Shown with a 'sample text' label.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("prefecture guide")
        verbose_name_plural = _("prefecture guides")

    def __str__(self) -> str:
        return str(self.prefecture)
