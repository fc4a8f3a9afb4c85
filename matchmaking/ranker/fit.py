"""Fitting: from documents (plain data) to a TF-IDF matrix, then to a serving index.

Each field is analysed on its own; a feature's term frequency in a document is the sum over
fields of field weight × (1 + log count), so a word in "offers" can count more than the same
word in "seeks". scikit-learn's TfidfTransformer turns those frequencies into l2-normalised
TF-IDF rows (smoothed idf), in float64; the serving index keeps a float32 copy by term.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize

from matchmaking.ranker.facets import Facets
from matchmaking.ranker.index import Index
from matchmaking.ranker.text import (
    CONCEPT_PREFIX,
    GLOSS_PREFIX,
    HEAD_PREFIX,
    ROLE_BITS,
    ROLE_FIELDS,
    ROLE_PREFIX,
    UNIGRAM_PREFIX,
    UNIT_PREFIX,
    AnalysisOptions,
    Analyzer,
    GlossaryConcept,
    allowed_roles,
    glossary_matcher,
    is_ngram,
    role_words,
    stored_feature,
)

FOLDED_PREFIXES = (GLOSS_PREFIX, UNIT_PREFIX, HEAD_PREFIX, UNIGRAM_PREFIX)
ROLE_SHARE = 0.5

FIELDS = ("name", "description", "offers", "seeks", "keywords", "industries")

# Chosen on the evaluation set (docs/ranker.md): equal field weights did better than
# favouring "offers" or the keywords, and glossary concepts count double. The name counts
# more since issue 15 (× 1.25 in its second round, × 1.5 in its third, with the role factor
# by length): chosen on MIC's JSIC examples and the evaluation set together (docs/ranker.md,
# the ablation tables).
DEFAULT_FIELD_WEIGHTS: dict[str, float] = {**dict.fromkeys(FIELDS, 1.0), "name": 1.5}
DEFAULT_CONCEPT_WEIGHT = 2.0


@dataclass(frozen=True)
class Document:
    """One Japanese organization as the ranker sees it."""

    id: int
    external_id: str
    fields: Mapping[str, str]
    kind: str
    prefecture: str
    region: str
    metropolitan: bool
    lying_dragon: bool
    industries: tuple[str, ...] = ()
    partnership_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    roles: int = 0  # set by the fit (bits of text.ROLE_BITS), kept for delta documents


@dataclass(frozen=True)
class FitParams:
    field_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_FIELD_WEIGHTS))
    concept_weight: float = DEFAULT_CONCEPT_WEIGHT
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    # Corpus stop words: a feature found in more than max_df of the organizations (and in
    # more than max_df_floor of them, so a small directory keeps every word) says little
    # about a fit, while its long postings are what a query spends its time on.
    max_df: float = 0.2
    max_df_floor: int = 2000
    # Character n-grams in more than this share of the organizations (and more than
    # max_df_floor) are dropped outright: at 100k they were most of the postings.
    ngram_max_df: float = 0.05

    def as_dict(self) -> dict[str, Any]:
        return {
            "field_weights": dict(self.field_weights),
            "concept_weight": self.concept_weight,
            "analysis": asdict(self.analysis),
            "max_df": self.max_df,
            "max_df_floor": self.max_df_floor,
            "ngram_max_df": self.ngram_max_df,
        }


# Documents per unit of work. Small units keep the processes busy to the end (the last one
# to finish is at most a unit behind the others) and cost little: a spawned process keeps
# its analyzer, and with it the cache of tokenised runs, from one unit to the next.
UNIT = 500


@dataclass
class _Chunk:
    """Consecutive documents' term frequencies, with columns numbered by first use within
    the chunk."""

    vocabulary: list[str]
    lengths: np.ndarray  # features per document
    cols: np.ndarray
    values: np.ndarray


def term_frequencies(
    fields: Mapping[str, str], analyzer: Analyzer, params: FitParams
) -> dict[str, float]:
    """One document's weighted term frequencies: Σ over fields of weight × (1 + log count)
    (a delta's few documents; a fit computes the same as arrays, `_analyse`)."""
    frequencies: dict[str, float] = {}
    options = params.analysis
    roles = role_words(options.more_roles) if options.roles > 0 else {}
    get = frequencies.get
    for name, text in fields.items():
        weight = params.field_weights.get(name, 0.0)
        if weight <= 0 or not text:
            continue
        says_role = name in ROLE_FIELDS
        for feature, count in analyzer.features(text).items():
            feature, share, role = stored_as(feature, params, roles)
            # 1 + log 1 is exactly 1: most features occur once in a field.
            tf = weight if count == 1 else weight * (1.0 + math.log(count))
            if share is not None:
                tf *= share
            frequencies[feature] = get(feature, 0.0) + tf
            if role is not None and says_role:
                # Evidence of a role, taken out of the features by `split_roles`.
                key = ROLE_PREFIX + role
                frequencies[key] = get(key, 0.0) + weight
    return frequencies


def stored_as(
    feature: str, params: FitParams, roles: Mapping[str, str]
) -> tuple[str, float | None, str | None]:
    """An analysed feature as a document stores it: the feature, what its term frequency
    is multiplied by (None: nothing), and the role it is evidence of, if any."""
    share: float | None = None
    if feature.startswith(CONCEPT_PREFIX):
        share = params.concept_weight
    elif feature.startswith(FOLDED_PREFIXES):
        feature, share = stored_feature(feature, params.analysis)
    return feature, share, roles.get(feature)


def split_roles(
    terms: list[str], counts: sp.csr_matrix, allowed: np.ndarray | None = None
) -> tuple[list[str], sp.csr_matrix, np.ndarray]:
    """Take the role evidence out of the term frequencies: each document's roles are those
    with at least half the evidence of its best-attested role (bits of ROLE_BITS), among
    the roles `allowed` for it (bits per document, `text.allowed_roles`; None: all)."""
    columns = [i for i, t in enumerate(terms) if t.startswith(ROLE_PREFIX)]
    roles = np.zeros(counts.shape[0], dtype=np.uint16)
    if not columns:
        return terms, counts, roles
    evidence = counts[:, columns].toarray()
    if allowed is not None:
        bits = np.array([ROLE_BITS[terms[c][len(ROLE_PREFIX) :]] for c in columns])
        evidence[(allowed[:, None] & bits[None, :]) == 0] = 0.0
    best = evidence.max(axis=1, keepdims=True)
    named = (evidence > 0) & (evidence >= ROLE_SHARE * best)
    for j, column in enumerate(columns):
        roles[named[:, j]] |= ROLE_BITS[terms[column][len(ROLE_PREFIX) :]]
    kept = np.array([i for i, t in enumerate(terms) if not t.startswith(ROLE_PREFIX)])
    counts = counts[:, kept].tocsr()
    counts.sort_indices()
    return [terms[i] for i in kept], counts, roles


# 1 + log n for the counts a feature has in one field (most are 1): the same floats as
# math.log gives, looked up in C instead of computed per feature.
_LOG_TF = np.array([1.0] + [1.0 + math.log(n) for n in range(1, 4096)])


def _log_tf(counts: np.ndarray) -> np.ndarray:
    logs: np.ndarray = _LOG_TF[np.minimum(counts, len(_LOG_TF) - 1)]
    beyond = counts >= len(_LOG_TF)
    if beyond.any():  # a word repeated thousands of times in one field
        logs[beyond] = [1.0 + math.log(n) for n in counts[beyond].tolist()]
    return logs


def _analyse(texts: Sequence[Mapping[str, str]], analyzer: Analyzer, params: FitParams) -> _Chunk:
    """`term_frequencies` of consecutive documents, computed as arrays.

    Python only analyses each field and numbers its features (in C: a defaultdict of a
    counter); what each distinct feature is stored as is decided once (`stored_as`), and
    the weights are summed per document and stored feature with numpy, in the order the
    features come, so the floats are those `term_frequencies` gives, bit for bit.
    """
    found_features: list[str] = []
    counts: list[int] = []
    # Per field analysed: its document, its weight, whether it can name a role, its size.
    field_docs, field_weights, field_roles, field_sizes = [], [], [], []
    for doc, fields in enumerate(texts):
        for name, text in fields.items():
            weight = params.field_weights.get(name, 0.0)
            if weight <= 0 or not text:
                continue
            found = analyzer.features(text)
            found_features.extend(found)
            counts.extend(found.values())
            field_docs.append(doc)
            field_weights.append(weight)
            field_roles.append(name in ROLE_FIELDS)
            field_sizes.append(len(found))
    # Each distinct feature: the column it is stored in (numbered by first use, as a dict of
    # term frequencies would), what its frequency is multiplied by, and the role it shows.
    raw: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    ids = np.fromiter(map(raw.__getitem__, found_features), np.int64, len(found_features))
    options = params.analysis
    roles = role_words(options.more_roles) if options.roles > 0 else {}
    columns: dict[str, int] = {}
    column_of = np.empty(len(raw), dtype=np.int64)
    share_of = np.ones(len(raw), dtype=np.float64)
    role_of = np.full(len(raw), -1, dtype=np.int64)
    for i, feature in enumerate(raw):
        stored, share, role = stored_as(feature, params, roles)
        column_of[i] = columns.setdefault(stored, len(columns))
        if share is not None:
            share_of[i] = share
        if role is not None:
            role_of[i] = columns.setdefault(ROLE_PREFIX + role, len(columns))
    sizes = np.array(field_sizes, dtype=np.int64)
    weights = np.repeat(np.array(field_weights, dtype=np.float64), sizes)
    docs = np.repeat(np.array(field_docs, dtype=np.int64), sizes)
    tf = weights * _log_tf(np.array(counts, dtype=np.int64)) * share_of[ids]
    cols = column_of[ids]
    # Role evidence counts the field's weight once per feature that shows it.
    shows = (role_of[ids] >= 0) & np.repeat(np.array(field_roles, dtype=bool), sizes)
    docs = np.concatenate([docs, docs[shows]])
    cols = np.concatenate([cols, role_of[ids[shows]]])
    tf = np.concatenate([tf, weights[shows]])
    # Sum per (document, column) in the order the features came (np.add.at is unbuffered
    # and goes in order), from 0.0, as `frequencies.get(f, 0.0) + tf` does.
    cells, cell_of = np.unique(docs * max(len(columns), 1) + cols, return_inverse=True)
    values = np.zeros(len(cells), dtype=np.float64)
    np.add.at(values, cell_of, tf)
    width = max(len(columns), 1)
    return _Chunk(
        list(columns),
        np.bincount(cells // width, minlength=len(texts)).astype(np.int64),
        cells % width,
        values,
    )


# A spawned process's analyzer, kept from one unit to the next with what it was made from.
_worker: tuple[list[GlossaryConcept], AnalysisOptions, Analyzer] | None = None


def _analyse_in_worker(
    texts: Sequence[Mapping[str, str]], concepts: list[GlossaryConcept], params: FitParams
) -> _Chunk:
    global _worker
    if _worker is None or _worker[:2] != (concepts, params.analysis):
        _worker = (
            concepts,
            params.analysis,
            Analyzer(glossary_matcher(concepts), params.analysis),
        )
    return _analyse(texts, _worker[2], params)


def _analyse_units(
    texts: Sequence[Mapping[str, str]],
    concepts: list[GlossaryConcept],
    params: FitParams,
    workers: int,
) -> list[_Chunk]:
    """Analyse the texts in `workers` processes: this one and `workers - 1` spawned ones.

    This process works too rather than wait: it has everything imported already (and needs
    the JMdict table for the index anyway), while a spawned process first spends seconds
    importing. The spawned processes take units from the front, this one takes them from
    the back, each one the pool has not started yet, until they meet.
    """
    if workers <= 1 or len(texts) < 2 * UNIT:
        return [_analyse(texts, Analyzer(glossary_matcher(concepts), params.analysis), params)]
    starts = range(0, len(texts), UNIT)
    chunks: list[_Chunk | None] = [None] * len(starts)
    # "spawn": forking a process that holds database connections and threads is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
        # Submitted first, so the spawned processes start importing while this one reads
        # its JMdict table. Each unit carries the concepts and parameters: arguments for
        # the pool's initializer would be written to a new process before it starts, and
        # this one would wait while it imports.
        futures = [
            pool.submit(_analyse_in_worker, texts[i : i + UNIT], concepts, params) for i in starts
        ]
        try:
            analyzer = Analyzer(glossary_matcher(concepts), params.analysis)
            for unit in reversed(range(len(starts))):
                if not futures[unit].cancel():
                    break
                chunks[unit] = _analyse(
                    texts[starts[unit] : starts[unit] + UNIT], analyzer, params
                )
        except BaseException:
            # Leaving the pool would otherwise wait for every unit still queued.
            pool.shutdown(cancel_futures=True)
            raise
        for unit, future in enumerate(futures):
            if chunks[unit] is None:
                chunks[unit] = future.result()
    return [chunk for chunk in chunks if chunk is not None]


def analyse(
    texts: Sequence[Mapping[str, str]],
    concepts: list[GlossaryConcept],
    params: FitParams,
    *,
    workers: int = 1,
) -> tuple[list[str], sp.csr_matrix]:
    """Every document's weighted term frequencies: documents × features (in order of first
    use), with sorted column indices, as scipy makes them from coordinates."""
    vocabulary: dict[str, int] = {}
    lengths, cols, values = [], [], []
    for chunk in _analyse_units(texts, concepts, params, workers):
        remap = np.array(
            [vocabulary.setdefault(term, len(vocabulary)) for term in chunk.vocabulary],
            dtype=np.int64,
        )
        lengths.append(chunk.lengths)
        cols.append(remap[chunk.cols] if len(chunk.cols) else chunk.cols)
        values.append(chunk.values)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(lengths), out=indptr[1:])
    counts = sp.csr_matrix(
        (np.concatenate(values), np.concatenate(cols), indptr),
        shape=(len(texts), max(len(vocabulary), 1)),
        dtype=np.float64,
    )
    counts.sort_indices()
    return list(vocabulary) or [""], counts


@dataclass
class FittedMatrix:
    vocabulary: list[str]
    matrix: sp.csr_matrix  # documents × features, float64, l2-normalised rows
    idf: np.ndarray
    dropped: list[str] = field(default_factory=list)  # corpus stop words (max_df)
    # Which documents hold each dropped feature (CSC of documents × dropped): they do not
    # score, but the directory still finds "manufacturing" where it is written.
    common_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    common_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    roles: np.ndarray | None = None  # per document, bits of text.ROLE_BITS
    discarded: list[str] = field(default_factory=list)  # n-grams too common to keep at all


def fit_matrix(
    documents: Sequence[Document],
    concepts: list[GlossaryConcept],
    params: FitParams,
    *,
    workers: int = 1,
) -> FittedMatrix:
    terms, counts = analyse([doc.fields for doc in documents], concepts, params, workers=workers)
    allowed = np.array([allowed_roles(doc.kind) for doc in documents], dtype=np.int64)
    terms, counts, roles = split_roles(terms, counts, allowed)
    shape = counts.shape
    document_frequency = np.bincount(counts.indices, minlength=shape[1])
    kept, common_columns, discarded_columns = prune_columns(
        terms, document_frequency, len(documents), params
    )
    dropped: list[str] = []
    discarded = [terms[i] for i in discarded_columns]
    common = sp.csc_matrix((shape[0], 0), dtype=np.float64)
    if len(kept) < shape[1]:
        dropped = [terms[i] for i in common_columns]
        common = counts[:, common_columns].tocsc()
        common.sort_indices()
        counts = counts[:, kept]
        terms = [terms[i] for i in kept]
    transformer = TfidfTransformer(norm=None, use_idf=True, smooth_idf=True, sublinear_tf=False)
    matrix = normalise_rows(
        transformer.fit_transform(counts).tocsr(), ngram_mask(terms), params.analysis.ngram_share
    )
    return FittedMatrix(
        terms,
        matrix,
        transformer.idf_,
        dropped,
        common.indptr.astype(np.int64),
        common.indices.astype(np.int32),
        roles,
        discarded,
    )


def prune_columns(
    terms: Sequence[str], document_frequency: np.ndarray, documents: int, params: FitParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The columns to score; the corpus stop words (words in more than max_df of the
    documents, kept as plain postings so that the directory still finds them); and the
    n-grams in more than ngram_max_df of them, dropped outright (a word of the query still
    matches: an n-gram that common says nothing and only lengthens the postings). Both
    limits have the same floor, so a small directory keeps everything."""
    ngram = ngram_mask(terms)
    word_limit = max(params.max_df * documents, params.max_df_floor)
    ngram_limit = max(params.ngram_max_df * documents, params.max_df_floor)
    over = document_frequency > np.where(ngram, ngram_limit, word_limit)
    return (
        np.flatnonzero(~over),
        np.flatnonzero(over & ~ngram),
        np.flatnonzero(over & ngram),
    )


def block_scales(ngram_share: float) -> tuple[float, float]:
    """What a unit vector of words and one of n-grams are multiplied by, so that a dot
    product is (1 - share) × word cosine + share × n-gram cosine."""
    return math.sqrt(1.0 - ngram_share), math.sqrt(ngram_share)


def ngram_mask(terms: Sequence[str]) -> np.ndarray:
    return np.array([is_ngram(t) for t in terms], dtype=bool)


def normalise_rows(matrix: sp.csr_matrix, ngram: np.ndarray, ngram_share: float) -> sp.csr_matrix:
    """l2-normalise each row (TfidfTransformer's norm, bit for bit), or with n-grams as a
    second feature space (`ngram`: which columns), each row's words and n-grams apart,
    scaled by `block_scales`."""
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    if ngram_share <= 0 or not ngram.any():
        return normalize(matrix, norm="l2", copy=False)
    words_scale, ngram_scale = block_scales(ngram_share)
    in_ngram = ngram[matrix.indices]
    blocks = []
    for keep, scale in ((~in_ngram, words_scale), (in_ngram, ngram_scale)):
        block = matrix.copy()
        block.data = np.where(keep, block.data, 0.0)
        block.eliminate_zeros()
        blocks.append(scale * normalize(block, norm="l2", copy=False))
    combined = sp.csr_matrix(blocks[0] + blocks[1])
    combined.sort_indices()
    return combined


def fit(
    documents: Sequence[Document],
    concepts: list[GlossaryConcept],
    params: FitParams | None = None,
    *,
    workers: int = 1,
) -> Index:
    """Fit the model on the documents and return the serving index."""
    params = params or FitParams()
    fitted = fit_matrix(documents, concepts, params, workers=workers)
    return serving_index(fitted, documents, concepts, params)


def serving_index(
    fitted: FittedMatrix,
    documents: Sequence[Document],
    concepts: list[GlossaryConcept],
    params: FitParams,
) -> Index:
    """The serving layout: postings by term (float32), documents ordered by prefecture.

    Ordering by prefecture (stable, so by the given order within one) puts the documents of
    a prefecture, and of a region, next to each other in every posting list: a place filter
    then reads only its own stretch of each list (`kernels.accumulate_ranges`). Ties in
    score go to the earlier position, so to the lower prefecture code, then the given order.
    """
    order = sorted(range(len(documents)), key=lambda i: int(documents[i].prefecture))
    ordered = [documents[i] for i in order]
    by_term = fitted.matrix[order].tocsc()
    by_term.sort_indices()
    # The common features' documents, renumbered to serving positions and sorted again.
    position = np.empty(len(documents), dtype=np.int32)
    position[np.array(order, dtype=np.int64)] = np.arange(len(documents), dtype=np.int32)
    common_indices = position[fitted.common_indices] if len(documents) else fitted.common_indices
    for start, end in itertools.pairwise(fitted.common_indptr.tolist()):
        common_indices[start:end].sort()
    return Index(
        vocabulary=list(fitted.vocabulary),
        idf=fitted.idf.astype(np.float32),
        indptr=by_term.indptr.astype(np.int64),
        indices=by_term.indices.astype(np.int32),
        data=by_term.data.astype(np.float32),
        ids=np.array([doc.id for doc in ordered], dtype=np.int64),
        external_ids=[doc.external_id for doc in ordered],
        facets=Facets.from_documents(ordered),
        concepts=concepts,
        analysis=params.analysis,
        meta={
            "params": params.as_dict(),
            "dropped_features": fitted.dropped,
            "dropped_ngrams": fitted.discarded,
        },
        common_indptr=fitted.common_indptr,
        common_indices=common_indices,
        roles=fitted.roles[order] if fitted.roles is not None and len(documents) else None,
    )
