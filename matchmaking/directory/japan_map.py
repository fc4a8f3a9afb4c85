"""A tile-grid map of Japan's 47 prefectures, drawn as SVG by the templates.

One square per prefecture, placed roughly where it lies (north-east at the top right,
Okinawa apart at the bottom left), so every prefecture gets the same room for its label and
its link whatever its area. Colour says how many published organizations it has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import get_language

from profiles.models import Organization, Prefecture

TILE = 52
GAP = 4
LEVELS = 5  # level 0: no organization; 1..4: more and more

# JIS code -> (column, row).
LAYOUT: dict[str, tuple[int, int]] = {
    "01": (12, 0),
    "02": (12, 1),
    "05": (11, 2), "03": (12, 2),
    "17": (8, 3), "16": (9, 3), "15": (10, 3), "06": (11, 3), "04": (12, 3),
    "18": (7, 4), "21": (8, 4), "20": (9, 4), "10": (10, 4), "09": (11, 4), "07": (12, 4),
    "32": (3, 5), "31": (4, 5), "28": (5, 5), "26": (6, 5), "25": (7, 5), "23": (8, 5),
    "19": (9, 5), "11": (10, 5), "13": (11, 5), "08": (12, 5),
    "40": (1, 6), "35": (2, 6), "34": (3, 6), "33": (4, 6), "27": (5, 6), "29": (6, 6),
    "24": (7, 6), "22": (9, 6), "14": (10, 6), "12": (12, 6),
    "42": (0, 7), "41": (1, 7), "44": (2, 7), "38": (4, 7), "37": (5, 7), "30": (6, 7),
    "43": (1, 8), "45": (2, 8), "39": (4, 8), "36": (5, 8),
    "46": (1, 9),
    "47": (0, 10),
}  # fmt: skip
COLUMNS = 1 + max(column for column, _ in LAYOUT.values())
ROWS = 1 + max(row for _, row in LAYOUT.values())
WIDTH = COLUMNS * (TILE + GAP) - GAP
HEIGHT = ROWS * (TILE + GAP) - GAP


@dataclass(frozen=True)
class Tile:
    prefecture: Prefecture
    count: int
    level: int
    x: int
    y: int
    url: str

    @property
    def label(self) -> str:
        """The short name that fits a tile: 熊本 for readers of Han characters (Japanese and
        Chinese write Japan's prefectures alike), Kumamoto in English."""
        if self.label_lang == "ja":
            return self.prefecture.name_ja_short
        return self.prefecture.name_en

    @property
    def label_lang(self) -> str:
        return "ja" if (get_language() or "en").startswith(("ja", "zh")) else "en"

    @property
    def small_label(self) -> bool:
        return len(self.label) > 7


def level_of(count: int, most: int) -> int:
    """Return 0 for none, else 1..4 on a log scale up to the busiest prefecture.

    Logarithmic because Tokyo alone has several times the organizations of most
    prefectures; on a linear scale every other prefecture would share the palest colour.
    """
    if count <= 0:
        return 0
    if most <= 1:
        return LEVELS - 1
    return 1 + min(LEVELS - 2, int((LEVELS - 1) * math.log(count) / math.log(most)))


def published_counts() -> dict[str, int]:
    return dict(
        Organization.objects.published()
        .values("prefecture__code")
        .annotate(n=Count("pk"))
        .values_list("prefecture__code", "n")
    )


def tiles() -> list[Tile]:
    """Return the 47 tiles, each linking to the directory filtered to its prefecture."""
    counts = published_counts()
    most = max(counts.values(), default=0)
    directory = reverse("directory:search")
    result = []
    for prefecture in Prefecture.objects.select_related("region"):
        column, row = LAYOUT[prefecture.code]
        count = counts.get(prefecture.code, 0)
        result.append(
            Tile(
                prefecture=prefecture,
                count=count,
                level=level_of(count, most),
                x=column * (TILE + GAP),
                y=row * (TILE + GAP),
                url=f"{directory}?{urlencode({'prefecture': prefecture.code})}",
            )
        )
    return result


def legend() -> list[int]:
    return list(range(LEVELS))
