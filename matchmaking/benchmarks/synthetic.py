"""A deterministic, bilingual synthetic corpus for the speed benchmark.

Words come from the glossary (English and Japanese terms, drawn with a Zipf-like skew so
that some concepts are common, as in real profiles), from everyday business vocabulary,
and from the reference data's long tail (JSIC industry names and descriptions, municipality
names), also Zipf-skewed. The same seed always gives the same organizations and queries.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchmaking.ranker import Document, GlossaryConcept

EN_FILLER = str.split(
    "precision quality production process design development manufacturing testing supply "
    "customer market export overseas local regional cooperation research university "
    "laboratory prototype component system solution service software hardware sensor "
    "material equipment factory plant line automation inspection measurement analysis "
    "engineering technology product products parts assembly maintenance logistics partner "
    "expertise experience capability capacity small medium large global niche leading "
    "innovative sustainable efficient reliable advanced specialised certified patented "
    "customers distributors clients projects applications industries sectors we our with "
    "for and the in of to from high low cost energy water food health care data"
)
JA_FILLER = str.split(
    "技術 製品 開発 製造 加工 品質 生産 設計 研究 地域 海外 販売 連携 提供 部品 装置 "
    "工場 顧客 市場 検査 測定 分析 試作 量産 素材 独自 高精度 小型 省エネ 環境 産業 "
    "事業 協力 実績 専門 支援 共同 輸出 取引 企業 大学 研究所 地元 新規 展開"
)
JA_GLUE = ["の", "を活かした", "に強みを持つ", "と", "や", "による", "を手掛ける", "向けの", "、"]
KINDS = ["company"] * 7 + ["university", "research_institute", "support_body"]
METROPOLITAN = {"11", "12", "13", "14", "23", "27"}
REGIONS = {
    "hokkaido": ["01"],
    "tohoku": ["02", "03", "04", "05", "06", "07"],
    "kanto": ["08", "09", "10", "11", "12", "13", "14"],
    "chubu": ["15", "16", "17", "18", "19", "20", "21", "22", "23"],
    "kinki": ["24", "25", "26", "27", "28", "29", "30"],
    "chugoku": ["31", "32", "33", "34", "35"],
    "shikoku": ["36", "37", "38", "39"],
    "kyushu-okinawa": ["40", "41", "42", "43", "44", "45", "46", "47"],
}
PREFECTURE_REGION = {p: r for r, ps in REGIONS.items() for p in ps}
INDUSTRIES = ["E", "E09", "E24", "E26", "E28", "E29", "E31", "G", "G39", "L", "L71", "A", "D"]
PARTNERSHIPS = ["supply_chain", "joint_rnd", "licensing", "sales_distribution", "investment_jv"]
LANGUAGES = ["ja", "en", "zh", "ko", "de"]


@dataclass(frozen=True)
class Vocabulary:
    english: tuple[str, ...]
    japanese: tuple[str, ...]


def load_vocabulary(fixtures: Path) -> Vocabulary:
    """The long tail: words of industry names and descriptions, and place names."""
    industries = json.loads((fixtures / "reference" / "industries.json").read_text("utf-8"))
    places = json.loads((fixtures / "reference" / "municipalities.json").read_text("utf-8"))
    english: dict[str, None] = {}
    japanese: dict[str, None] = {}
    for row in industries:
        for word in re.findall(r"[a-z]{3,}", row["name_en"].lower()):
            english.setdefault(word)
        for phrase in re.split(
            r"[、。,()（）「」・\s]+", row["name_ja"] + "、" + row.get("description_ja", "")
        ):
            if 2 <= len(phrase) <= 12:
                japanese.setdefault(phrase)
    for row in places:
        english.setdefault(row["name_romaji"].split("-")[0].lower())
        japanese.setdefault(row["name_ja"])
    return Vocabulary(tuple(english), tuple(japanese))


def load_glossary(path: Path) -> list[GlossaryConcept]:
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return [
        GlossaryConcept(
            key=row["key"],
            name_en=row["en"],
            name_ja=row["ja"],
            terms_en=(row["en"], *row.get("synonyms_en", [])),
            terms_ja=(row["ja"], *row.get("synonyms_ja", [])),
            name_zh_hans=row.get("zh_hans", ""),
            name_zh_hant=row.get("zh_hant", ""),
            terms_zh_hans=tuple(
                t for t in (row.get("zh_hans", ""), *row.get("synonyms_zh_hans", [])) if t
            ),
            terms_zh_hant=tuple(
                t for t in (row.get("zh_hant", ""), *row.get("synonyms_zh_hant", [])) if t
            ),
        )
        for row in rows
    ]


class Generator:
    def __init__(
        self, concepts: list[GlossaryConcept], vocabulary: Vocabulary, seed: int = 20260101
    ) -> None:
        self.random = random.Random(seed)
        self.concepts = concepts
        # Zipf-like: the i-th concept is drawn with weight 1 / (i + 10); the long tail too.
        self.weights = [1.0 / (i + 10) for i in range(len(concepts))]
        shuffled = random.Random(seed + 1)
        self.tail_en = list(vocabulary.english)
        self.tail_ja = list(vocabulary.japanese)
        shuffled.shuffle(self.tail_en)
        shuffled.shuffle(self.tail_ja)
        self.tail_en_cumulative = list(
            itertools.accumulate(1.0 / (i + 10) for i in range(len(self.tail_en)))
        )
        self.tail_ja_cumulative = list(
            itertools.accumulate(1.0 / (i + 10) for i in range(len(self.tail_ja)))
        )
        self.cumulative = list(itertools.accumulate(self.weights))

    def _concepts(self, k: int) -> list[GlossaryConcept]:
        return self.random.choices(self.concepts, cum_weights=self.cumulative, k=k)

    def english(self, words: int, topics: list[GlossaryConcept]) -> str:
        out: list[str] = []
        while len(out) < words:
            draw = self.random.random()
            if draw < 0.3:
                concept = self.random.choice(topics)
                out.extend(self.random.choice(concept.terms_en).split())
            elif draw < 0.5:
                out.extend(
                    self.random.choices(self.tail_en, cum_weights=self.tail_en_cumulative)[
                        0
                    ].split()
                )
            else:
                out.append(self.random.choice(EN_FILLER))
        return " ".join(out[:words]) + "."

    def japanese(self, chars: int, topics: list[GlossaryConcept]) -> str:
        out = ""
        while len(out) < chars:
            draw = self.random.random()
            if draw < 0.4:
                out += self.random.choice(self.random.choice(topics).terms_ja)
            elif draw < 0.6:
                out += self.random.choices(self.tail_ja, cum_weights=self.tail_ja_cumulative)[0]
            else:
                out += self.random.choice(JA_FILLER)
            out += self.random.choice(JA_GLUE)
        return out + "。"

    def document(self, number: int) -> Document:
        topics = self._concepts(6)
        prefecture = f"{self.random.randint(1, 47):02d}"
        metropolitan = prefecture in METROPOLITAN
        # A third of the organizations are Japanese-only, as in the directory.
        english = self.random.random() > 0.33
        en = self.english if english else (lambda words, topics: "")
        fields = {
            "name": f"{topics[0].name_en.title()} Works {number}\n{topics[0].name_ja}工業",
            "description": en(45, topics) + "\n" + self.japanese(110, topics),
            "offers": en(30, topics) + "\n" + self.japanese(70, topics),
            "seeks": en(15, topics) + "\n" + self.japanese(35, topics),
            "keywords": "\n".join(self.random.choice((c.name_en, c.name_ja)) for c in topics[:4]),
            "industries": "",
        }
        return Document(
            id=number + 1,
            external_id=f"syn-{number:06d}",
            fields=fields,
            kind=self.random.choice(KINDS),
            prefecture=prefecture,
            region=PREFECTURE_REGION[prefecture],
            metropolitan=metropolitan,
            lying_dragon=not metropolitan and self.random.random() < 0.05,
            industries=tuple(self.random.sample(INDUSTRIES, 2)),
            partnership_types=tuple(self.random.sample(PARTNERSHIPS, 2)),
            languages=("ja", *self.random.sample(LANGUAGES[1:], 1)),
        )

    def documents(self, count: int) -> list[Document]:
        return [self.document(n) for n in range(count)]

    def query(self, words: int = 100) -> str:
        """A foreign firm's profile of about `words` English words."""
        return self.english(words, self._concepts(5))

    def japanese_query(self, chars: int = 200) -> str:
        return self.japanese(chars, self._concepts(5))
