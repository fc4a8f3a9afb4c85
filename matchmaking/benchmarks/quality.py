"""Quality benchmark: the shipped ranker against its ablations and plain baselines.

Pure code over plain data: documents (as the ranker sees them), the judged queries from
tests/matchmaking/eval/queries.jsonl, and the metrics nDCG@10, MRR@10 and Recall@20.
Run it with `python manage.py bench_quality` (README, "Quality").
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matchmaking.ranker import AnalysisOptions, Document, FitParams, GlossaryConcept, fit

__all__ = ["FitParams"]
from matchmaking.ranker.text import Analyzer, normalize

RELEVANT = 2  # graded 0-3; "relevant" for MRR and recall means 2 or 3
JAPANESE_NEEDS_PREFIX = "ja-need-"  # the Japanese needs of issue 15
CHINESE_NEEDS_PREFIX = "zh-need-"  # the Chinese needs of issue 18 (lang zh-hans, zh-hant)
CHINESE_SCRIPTS = ("zh-hans", "zh-hant")

Ranker = Callable[[str], list[str]]  # query text -> external ids, best first


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    lang: str
    cross_language: bool
    judgments: dict[str, int]
    filters: dict[str, Any] = field(default_factory=dict)


def load_queries(path: Path) -> list[Query]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            queries.append(
                Query(
                    id=row["id"],
                    text=row["text"],
                    lang=row["lang"],
                    cross_language=row.get("cross_language", False),
                    judgments=row["judgments"],
                )
            )
    return queries


def ndcg(ranked: Sequence[str], judgments: dict[str, int], k: int = 10) -> float:
    gains = [2 ** judgments.get(doc, 0) - 1 for doc in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2**g - 1 for g in judgments.values()), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    for i, doc in enumerate(ranked[:k]):
        if doc in relevant:
            return 1.0 / (i + 1)
    return 0.0


def recall(ranked: Sequence[str], relevant: set[str], k: int = 20) -> float:
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


@dataclass
class Scores:
    ndcg10: float
    mrr10: float
    recall20: float
    cross_ndcg10: float
    queries: int


def evaluate(ranker: Ranker, queries: Sequence[Query]) -> Scores:
    ndcgs, mrrs, recalls, cross = [], [], [], []
    for query in queries:
        ranked = ranker(query.text)
        relevant = {d for d, g in query.judgments.items() if g >= RELEVANT}
        ndcgs.append(ndcg(ranked, query.judgments))
        mrrs.append(reciprocal_rank(ranked, relevant))
        recalls.append(recall(ranked, relevant))
        if query.cross_language:
            cross.append(ndcgs[-1])
    return Scores(
        float(np.mean(ndcgs)),
        float(np.mean(mrrs)),
        float(np.mean(recalls)),
        float(np.mean(cross)) if cross else 0.0,
        len(queries),
    )


# ---- Systems ----


def ranker_system(
    documents: Sequence[Document],
    concepts: list[GlossaryConcept],
    params: FitParams,
    *,
    boost: float,
    top: int = 20,
) -> Ranker:
    index = fit(documents, concepts, params)

    def rank(text: str) -> list[str]:
        return [h.external_id for h in index.search(text, top=top, regional_boost=boost)]

    return rank


def _whole_text(document: Document) -> str:
    return "\n".join(text for text in document.fields.values() if text)


def sklearn_system(
    documents: Sequence[Document], vectorizer: TfidfVectorizer, *, top: int = 20
) -> Ranker:
    matrix = vectorizer.fit_transform([_whole_text(d) for d in documents])
    external_ids = [d.external_id for d in documents]

    def rank(text: str) -> list[str]:
        scores = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        order = np.argsort(-scores, kind="stable")[:top]
        return [external_ids[i] for i in order if scores[i] > 0]

    return rank


def plain_words(documents: Sequence[Document]) -> Ranker:
    """scikit-learn's default word TF-IDF: no segmentation, stemming or glossary."""
    return sklearn_system(documents, TfidfVectorizer(preprocessor=normalize))


def char_bigrams(documents: Sequence[Document]) -> Ranker:
    return sklearn_system(
        documents,
        TfidfVectorizer(preprocessor=normalize, analyzer="char_wb", ngram_range=(2, 2)),
    )


def bm25(documents: Sequence[Document], *, top: int = 20) -> Ranker:
    """BM25 (bm25s) over the same documents and the same word analysis, no glossary."""
    import bm25s

    analyzer = Analyzer(None, AnalysisOptions(concepts=False, dictionary="off"))

    def tokens(text: str) -> list[str]:
        return list(analyzer.features(text).elements())

    corpus = [tokens(_whole_text(d)) for d in documents]
    vocabulary = {t for doc in corpus for t in doc}
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    external_ids = [d.external_id for d in documents]

    def rank(text: str) -> list[str]:
        query = [t for t in tokens(text) if t in vocabulary]
        if not query:
            return []
        found, scores = retriever.retrieve(
            [query], k=min(top, len(documents)), show_progress=False
        )
        return [external_ids[i] for i, s in zip(found[0], scores[0], strict=True) if s > 0]

    return rank


def systems(
    documents: Sequence[Document], concepts: list[GlossaryConcept], *, boost: float
) -> dict[str, Ranker]:
    shipped = FitParams()
    options = shipped.analysis
    no_glossary = replace(shipped, analysis=replace(options, concepts=False))
    no_dictionary = replace(shipped, analysis=replace(options, dictionary="off"))
    # One feature space each, as measured before issue 15 (no kanji unigrams then).
    bigram = replace(
        shipped,
        analysis=replace(options, japanese="bigram", ngram_share=0.0, ngram_unigrams=0.0),
    )
    both = replace(
        shipped, analysis=replace(options, japanese="both", ngram_share=0.0, ngram_unigrams=0.0)
    )
    words_only = replace(shipped, analysis=replace(options, ngram_share=0.0))
    no_roles = replace(shipped, analysis=replace(options, roles=0.0))
    before = replace(
        shipped,
        field_weights=dict.fromkeys(shipped.field_weights, 1.0),
        analysis=replace(
            options,
            ngram_share=0.0,
            ngram_unigrams=0.0,
            short_units=0.0,
            roles=0.0,
            dictionary="common",
            dictionary_words=6,
            exclusions=False,
        ),
    )
    # Issue 15's second round: a role factor of 1.5 at any length, role words' n-grams kept.
    second_round = replace(
        shipped,
        field_weights={**shipped.field_weights, "name": 1.25},
        analysis=replace(options, roles=0.5, role_length=0, role_ngrams=True),
    )
    # The first guess, before measuring: what an organization offers weighs most.
    offers_first = replace(
        shipped,
        field_weights={
            "name": 1,
            "description": 1,
            "offers": 2,
            "seeks": 0.5,
            "keywords": 1.5,
            "industries": 0.5,
        },
        concept_weight=1.0,
    )
    return {
        "ranker as shipped": ranker_system(documents, concepts, shipped, boost=boost),
        "without glossary": ranker_system(documents, concepts, no_glossary, boost=boost),
        "without JMdict glosses": ranker_system(documents, concepts, no_dictionary, boost=boost),
        "without regional boost": ranker_system(documents, concepts, shipped, boost=0.0),
        "Japanese as char bigrams": ranker_system(documents, concepts, bigram, boost=boost),
        "Sudachi + bigrams, 1 space": ranker_system(documents, concepts, both, boost=boost),
        "without n-gram space": ranker_system(documents, concepts, words_only, boost=boost),
        "without roles": ranker_system(documents, concepts, no_roles, boost=boost),
        "as before issue 15": ranker_system(documents, concepts, before, boost=boost),
        "issue 15, second round": ranker_system(documents, concepts, second_round, boost=boost),
        "offers-first weights": ranker_system(documents, concepts, offers_first, boost=boost),
        "plain word TF-IDF": plain_words(documents),
        "character-bigram TF-IDF": char_bigrams(documents),
        "BM25 (bm25s)": bm25(documents),
    }


def known_item_mrr(
    documents: Sequence[Document], ranker: Ranker, *, minimum_words: int = 5
) -> tuple[float, int]:
    """Each organization's own offers text, as a query, must find that organization."""
    ranks = []
    for document in documents:
        offers = document.fields.get("offers", "").strip()
        if len(offers.split()) < minimum_words and len(offers) < 20:
            continue
        ranks.append(reciprocal_rank(ranker(offers), {document.external_id}))
    return (float(np.mean(ranks)) if ranks else 0.0), len(ranks)


def non_metropolitan_share(
    documents: Sequence[Document], ranker: Ranker, queries: Sequence[Query], k: int = 10
) -> float:
    metropolitan = {d.external_id: d.metropolitan for d in documents}
    shown = [doc for q in queries for doc in ranker(q.text)[:k]]
    return sum(not metropolitan[d] for d in shown) / len(shown) if shown else 0.0
