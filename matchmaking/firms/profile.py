"""How well a firm profile can be matched, and what to add when it cannot."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.models import ForeignFirm

# Below this many words the ranker has too few terms to tell partners apart.
MIN_SEEKS_WORDS = 12
MIN_OFFERS_WORDS = 8


def _words(*texts: str) -> int:
    # Japanese has no spaces: count about two characters of it as a word.
    total = 0
    for text in texts:
        ascii_words = len([w for w in text.split() if w.isascii()])
        other = sum(1 for ch in text if not ch.isascii() and not ch.isspace())
        total += ascii_words + other // 2
    return total


@dataclass(frozen=True)
class Gap:
    field: str
    advice: str | Promise


def profile_gaps(firm: ForeignFirm) -> list[Gap]:
    """Return what the profile lacks to be matched well; empty when it is rich enough."""
    gaps = []
    if _words(firm.seeks_en, firm.seeks_ja) < MIN_SEEKS_WORDS:
        gaps.append(
            Gap(
                "seeks",
                _(
                    "Describe what you seek in at least %(words)s words: the capability, "
                    "technology or market you need."
                )
                % {"words": MIN_SEEKS_WORDS},
            )
        )
    if _words(firm.offers_en, firm.offers_ja) < MIN_OFFERS_WORDS:
        gaps.append(Gap("offers", _("Say what your firm offers a Japanese partner.")))
    if firm.pk is None or not firm.industries.exists():
        gaps.append(Gap("industries", _("Choose at least one industry.")))
    if firm.pk is None or not firm.partnership_types.exists():
        gaps.append(Gap("partnership_types", _("Choose the kinds of partnership you seek.")))
    return gaps
