"""The shared corpus of the peers benchmark: synthetic profiles analysed once, for everyone.

Every system answers the same question on the same data: the ranker's own analysis (Sudachi
for Japanese, English tokens, glossary concepts) runs once, and each peer is fed the same
analysed features as whitespace tokens `t<feature id>`, repeated by their rounded term
frequency. So the peers are timed on indexing and ranking, not on tokenising Japanese (which
most of them cannot do), and a top-10 overlap measures ranking functions, not tokenisers.

The analysis is the slow part (Sudachi, minutes per 100k profiles) and is cached under
var/bench/ by size and seed; the ranker's index is then assembled from it exactly as
`ranker.fit` does (tests/benchmarks check that the two give the same index).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from matchmaking.benchmarks.synthetic import Generator, load_glossary, load_vocabulary
from matchmaking.ranker import Document, FitParams, GlossaryConcept, Index
from matchmaking.ranker.fit import (
    FittedMatrix,
    ngram_mask,
    normalise_rows,
    prune_columns,
    serving_index,
    split_roles,
)
from matchmaking.ranker.fit import analyse as analyse_texts
from matchmaking.ranker.text import allowed_roles, is_ngram

# 2: the analysis of issue 15 (bigram space, role evidence, JMdict all); 3: its third round
# (no n-grams of role words).
CACHE_FORMAT = 3


@dataclass
class Corpus:
    documents: list[Document]
    concepts: list[GlossaryConcept]
    vocabulary: list[str]
    counts: sp.csr_matrix  # documents × features: the ranker's weighted term frequencies
    profile_queries: list[str]  # ~100-word English firm profiles
    keyword_queries: list[str]  # 10-word keyword queries
    generate_seconds: float
    analyse_seconds: float
    from_cache: bool = False

    def __len__(self) -> int:
        return len(self.documents)


def analyse(
    documents: list[Document],
    concepts: list[GlossaryConcept],
    params: FitParams,
    *,
    workers: int = 2,
) -> tuple[list[str], sp.csr_matrix]:
    """The ranker's analysis of every document (the same code as `fit_matrix`)."""
    return analyse_texts([doc.fields for doc in documents], concepts, params, workers=workers)


def prune(
    vocabulary: list[str], counts: sp.csr_matrix, params: FitParams
) -> tuple[list[str], sp.csr_matrix]:
    """Drop the corpus stop words and too common n-grams exactly as `fit_matrix` does."""
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    kept, _, _ = prune_columns(vocabulary, document_frequency, counts.shape[0], params)
    if len(kept) < len(vocabulary):
        return [vocabulary[i] for i in kept], counts[:, kept].tocsr()
    return vocabulary, counts


def assemble(corpus: Corpus, params: FitParams) -> Index:
    """The ranker's serving index from the analysed corpus: the rest of `ranker.fit`."""
    allowed = np.array([allowed_roles(d.kind) for d in corpus.documents], dtype=np.int64)
    analysed, counts, roles = split_roles(corpus.vocabulary, corpus.counts, allowed)
    vocabulary, counts = prune(analysed, counts, params)
    transformer = TfidfTransformer(norm=None, use_idf=True, smooth_idf=True, sublinear_tf=False)
    matrix = normalise_rows(
        transformer.fit_transform(counts).tocsr(),
        ngram_mask(vocabulary),
        params.analysis.ngram_share,
    )
    pruned = set(analysed) - set(vocabulary)
    dropped = sorted(t for t in pruned if not is_ngram(t))
    discarded = sorted(t for t in pruned if is_ngram(t))
    fitted = FittedMatrix(
        vocabulary, matrix, transformer.idf_, dropped, roles=roles, discarded=discarded
    )
    return serving_index(fitted, corpus.documents, corpus.concepts, params)


def token_texts(index: Index, corpus: Corpus) -> list[str]:
    """Each document as the peers see it: its index features as repeated `t<id>` tokens."""
    term_of = index.term_ids
    remap = np.array([term_of.get(term, -1) for term in corpus.vocabulary], dtype=np.int64)
    counts = corpus.counts
    texts = []
    for row in range(counts.shape[0]):
        start, end = counts.indptr[row], counts.indptr[row + 1]
        terms = remap[counts.indices[start:end]]
        repeats = np.maximum(1, np.rint(counts.data[start:end])).astype(np.int64)
        texts.append(
            " ".join(
                f"t{term}"
                for term, times in zip(terms.tolist(), repeats.tolist(), strict=True)
                if term >= 0
                for _ in range(times)
            )
        )
    return texts


def query_tokens(index: Index, text: str) -> list[str]:
    """A query as the peers see it: the features the ranker would score, as tokens."""
    return [f"t{term}" for term in index.vectorize(text).terms.tolist()]


def build(
    *,
    fixtures: Path,
    organizations: int,
    queries: int,
    params: FitParams,
    seed: int = 20260101,
    workers: int = 2,
    cache: Path | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Corpus:
    path = cache / f"corpus-{organizations}-{seed}-{queries}.pickle" if cache else None
    if path is not None and path.exists():
        with path.open("rb") as stream:
            stored = pickle.load(stream)  # noqa: S301 -- our own cache file under var/
        if stored.get("format") == CACHE_FORMAT:
            log(f"corpus of {organizations} read from {path}")
            cached: Corpus = stored["corpus"]
            cached.from_cache = True
            return cached
    generator = Generator(
        load_glossary(fixtures / "glossary.json"), load_vocabulary(fixtures), seed=seed
    )
    started = time.perf_counter()
    documents = generator.documents(organizations)
    profile_queries = [generator.query(100) for _ in range(queries)]
    keyword_queries = [generator.query(10) for _ in range(queries)]
    generate_seconds = time.perf_counter() - started
    log(f"generated {organizations} profiles in {generate_seconds:.1f} s")
    started = time.perf_counter()
    vocabulary, counts = analyse(documents, generator.concepts, params, workers=workers)
    analyse_seconds = time.perf_counter() - started
    log(f"analysed them in {analyse_seconds:.1f} s")
    corpus = Corpus(
        documents=documents,
        concepts=generator.concepts,
        vocabulary=vocabulary,
        counts=counts,
        profile_queries=profile_queries,
        keyword_queries=keyword_queries,
        generate_seconds=generate_seconds,
        analyse_seconds=analyse_seconds,
    )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as stream:
            pickle.dump({"format": CACHE_FORMAT, "corpus": corpus}, stream)
    return corpus
