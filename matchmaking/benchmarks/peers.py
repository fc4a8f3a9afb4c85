"""The systems the ranker is measured against, behind one small interface.

Each system indexes the same documents (the ranker's analysed features as whitespace tokens,
see corpus.py) and answers the same queries with the positions of its top 10. Peers that are
not installed report why instead of a number. A system knows how to:

- build: index the documents (timed by the caller);
- search: one query, single thread, optionally only documents of one prefecture;
- stored_bytes / load: the size of its index at rest and the time to open it again;
- reopen: get ready to serve in a forked process (own connection, own reader);
- edit: change one document and return the seconds until a search sees it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

from matchmaking.benchmarks.corpus import Corpus, assemble
from matchmaking.ranker import Filters, FitParams, Index, QueryVector
from matchmaking.ranker.delta import apply_edits

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/{database}"
POSTGRES_DATABASE = "ryumon_bench_peers"  # throwaway: created and dropped by each run


class Unavailable(Exception):
    """The system cannot run here (not installed, server down): reported, never faked."""


@dataclass(frozen=True)
class Query:
    text: str
    vector: QueryVector  # what the ranker scores
    tokens: list[str]  # the same features, as the peers' tokens


def _directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _top(scores: np.ndarray, k: int = 10) -> list[int]:
    candidates = np.argpartition(-scores, k)[:k] if len(scores) > k else np.arange(len(scores))
    ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
    return [int(p) for p in ordered if scores[p] > 0]


class System:
    name = ""
    note = ""
    can_filter = False
    # Above this many documents the system is not run: one query would take so long that
    # the budget could not give five samples per figure (`too_large` says why).
    max_documents: int | None = None
    too_large = ""

    def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
        raise NotImplementedError

    def search(self, query: Query, *, prefecture: int | None = None) -> list[int]:
        raise NotImplementedError

    def stored_bytes(self) -> int | None:
        return None

    def load(self) -> float | None:
        return None

    def reopen(self) -> None:
        """Called in a forked child before it serves queries."""

    def warm(self) -> None:
        """Bring the index back into memory after another system ran for a while."""

    def edit(self, position: int, text: str) -> float | None:
        return None

    def close(self) -> None:
        """Release what the system holds (files, connections, databases)."""


class Ryumon(System):
    name = "ryumon"
    note = "TF-IDF cosine over the inverted float32 index (matchmaking/ranker)"
    can_filter = True

    def __init__(self, params: FitParams) -> None:
        self.params = params
        self.corpus: Corpus | None = None

    def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
        self.corpus = corpus
        self.index = assemble(corpus, self.params)
        self.blob = self.index.to_bytes()
        # The index orders documents by prefecture; answers are given in corpus positions.
        corpus_position = {doc.id: i for i, doc in enumerate(corpus.documents)}
        self.to_corpus = [corpus_position[int(pk)] for pk in self.index.ids]

    def search(self, query: Query, *, prefecture: int | None = None) -> list[int]:
        filters = Filters(prefectures=(f"{prefecture:02d}",)) if prefecture else None
        hits = self.index.search(query.vector, filters=filters)
        to_corpus = self.to_corpus
        return [to_corpus[hit.position] for hit in hits]

    def stored_bytes(self) -> int:
        return self.index.nbytes

    def warm(self) -> None:
        """Read every array of the index once. On these VMs memory left untouched while a
        slow peer works for minutes is slow to touch again (the ranker took 5–11 ms instead
        of 2 ms at 1M after 30 s asleep, with no page faults of its own); a serving index is
        in constant use."""
        index = self.index
        for array in (index.indptr, index.indices, index.data, index.ids):
            array.sum()
        # And one search, for the score buffer and the top-10 pass (warmed: 2.5 ms instead
        # of 5 ms for the next queries at 1M; the first one alone was still 6.7 ms).
        one_term = QueryVector(np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.float32))
        index.search(one_term)

    def load(self) -> float:
        started = time.perf_counter()
        Index.from_bytes(self.blob)
        return time.perf_counter() - started

    def edit(self, position: int, text: str) -> float | None:
        """Edit the profile's real text (its offers, words rotated, one new word) and time
        until a search finds it: analysis of that profile, then the delta segment.

        On a copy of the index: the peers measured after this one are timed against the
        ranker's fitted index as it was, not one carrying a delta segment."""
        assert self.corpus is not None
        index = Index.from_bytes(self.blob)
        # A serving process has its analyzer (Sudachi) loaded and the edit's compiled loops
        # ready (numba loads or compiles them on first use): one edit before the timed one.
        self._edit(index, (position + 1) % len(self.corpus), "zyxwarmup")
        started = time.perf_counter()
        found = self._edit(index, position, "zyxedited")
        elapsed = time.perf_counter() - started
        if not found:
            raise AssertionError("the edited profile is not searchable after apply_edits")
        return elapsed

    def _edit(self, index: Index, position: int, marker: str) -> bool:
        """Rotate the words of the profile's offers and add `marker`; whether a search for
        the marker then finds it first."""
        assert self.corpus is not None
        document = self.corpus.documents[position]
        words = document.fields["offers"].split()
        offers = " ".join([*words[len(words) // 2 :], *words[: len(words) // 2], marker])
        changed = dataclasses.replace(document, fields={**document.fields, "offers": offers})
        apply_edits(index, upserts=[changed])
        hits = index.search(marker, top=1)
        return bool(hits) and hits[0].id == document.id


class _TokenIds(Sequence[list[int]]):
    """The documents as bm25s's token ids (its `Tokenized` input), made one document at a
    time as bm25s walks them: a list of strings per document, as `index` otherwise takes,
    is 230 million str objects at 1M profiles (about 12 GB)."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.vocab: dict[str, int] = {}
        for text in texts:
            for token in text.split():
                self.vocab.setdefault(token, len(self.vocab))

    @property
    def ids(self) -> _TokenIds:
        return self

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, i: int) -> list[int]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[int]]: ...
    def __getitem__(self, i: int | slice) -> list[int] | list[list[int]]:
        vocab = self.vocab
        if isinstance(i, slice):
            return [[vocab[t] for t in text.split()] for text in self.texts[i]]
        return [vocab[t] for t in self.texts[i].split()]


class Bm25s(System):
    name = "bm25s"
    can_filter = True  # weight_mask

    def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
        try:
            import bm25s
        except ImportError as error:
            raise Unavailable(f"bm25s not installed ({error})") from error
        try:
            import numba  # noqa: F401

            self.backend = "numba"
        except ImportError:
            self.backend = "numpy"
        self.note = f"bm25s {bm25s.__version__}, {self.backend} backend"
        self.module = bm25s
        self.prefectures = np.array([int(d.prefecture) for d in corpus.documents])
        self.retriever = bm25s.BM25(backend=self.backend)
        self.retriever.index(_TokenIds(texts), show_progress=False)
        self.path = workdir / "bm25s"
        self.retriever.save(str(self.path), show_progress=False)

    def search(self, query: Query, *, prefecture: int | None = None) -> list[int]:
        if not query.tokens:  # every feature of the query is a corpus stop word
            return []
        mask = None
        if prefecture:
            mask = (self.prefectures == prefecture).astype(np.float32)
        documents, scores = self.retriever.retrieve(
            [query.tokens],
            k=10,
            n_threads=1,
            show_progress=False,
            backend_selection=self.backend,
            weight_mask=mask,
        )
        return [int(d) for d, s in zip(documents[0], scores[0], strict=True) if s > 0]

    def stored_bytes(self) -> int:
        return _directory_bytes(self.path)

    def load(self) -> float:
        started = time.perf_counter()
        self.module.BM25.load(str(self.path), show_progress=False)
        return time.perf_counter() - started


class Tantivy(System):
    name = "tantivy"
    can_filter = True

    def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
        try:
            import tantivy
        except ImportError as error:
            raise Unavailable(f"tantivy not installed ({error})") from error
        self.module = tantivy
        version = getattr(tantivy, "__version__", "?")
        self.note = f"tantivy-py {version}, whitespace tokenizer, BM25"
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
        builder.add_unsigned_field("pos", stored=True, indexed=True)
        builder.add_unsigned_field("pref", indexed=True)
        self.schema = builder.build()
        self.path = workdir / "tantivy"
        self.path.mkdir()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        for position, (text, doc) in enumerate(zip(texts, corpus.documents, strict=True)):
            writer.add_document(self._document(text, position, int(doc.prefecture)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def _document(self, text: str, position: int, prefecture: int) -> Any:
        document = self.module.Document()
        document.add_text("body", text)
        document.add_unsigned("pos", position)
        document.add_unsigned("pref", prefecture)
        return document

    def search(self, query: Query, *, prefecture: int | None = None) -> list[int]:
        if not query.tokens:  # every feature of the query is a corpus stop word
            return []
        tantivy = self.module
        body = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "body", token))
                for token in query.tokens
            ]
        )
        if prefecture:
            body = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, body),
                    (
                        tantivy.Occur.Must,
                        tantivy.Query.term_query(self.schema, "pref", prefecture),
                    ),
                ]
            )
        hits = self.searcher.search(body, 10).hits
        return [self.searcher.doc(address)["pos"][0] for _, address in hits]

    def stored_bytes(self) -> int:
        return _directory_bytes(self.path)

    def load(self) -> float:
        started = time.perf_counter()
        self.module.Index.open(str(self.path)).searcher()
        return time.perf_counter() - started

    def reopen(self) -> None:
        self.index = self.module.Index.open(str(self.path))
        self.searcher = self.index.searcher()

    def edit(self, position: int, text: str) -> float:
        started = time.perf_counter()
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        writer.delete_documents("pos", position)
        writer.add_document(self._document(text, position, 1))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        return time.perf_counter() - started


class SqliteFts5(System):
    name = "sqlite-fts5"
    can_filter = True
    SQL = "SELECT rowid - 1 FROM docs WHERE docs MATCH ? {and_pref} ORDER BY rank LIMIT 10"

    def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
        self.note = f"SQLite {sqlite3.sqlite_version} FTS5, ORDER BY rank (bm25)"
        self.path = workdir / "fts5.sqlite3"
        self.connection = sqlite3.connect(self.path)
        self.connection.execute("CREATE VIRTUAL TABLE docs USING fts5(body, pref UNINDEXED)")
        rows = (
            (position + 1, text, int(doc.prefecture))
            for position, (text, doc) in enumerate(zip(texts, corpus.documents, strict=True))
        )
        self.connection.executemany("INSERT INTO docs (rowid, body, pref) VALUES (?, ?, ?)", rows)
        self.connection.commit()

    def search(self, query: Query, *, prefecture: int | None = None) -> list[int]:
        if not query.tokens:  # every feature of the query is a corpus stop word
            return []
        match = " OR ".join(dict.fromkeys(query.tokens))
        if prefecture:
            sql = self.SQL.format(and_pref="AND pref = ?")
            rows = self.connection.execute(sql, (match, prefecture))
        else:
            rows = self.connection.execute(self.SQL.format(and_pref=""), (match,))
        return [row[0] for row in rows]

    def stored_bytes(self) -> int:
        return self.path.stat().st_size

    def load(self) -> float:
        started = time.perf_counter()
        connection = sqlite3.connect(self.path)
        connection.execute("SELECT rowid FROM docs WHERE docs MATCH 't0' LIMIT 1").fetchall()
        connection.close()
        return time.perf_counter() - started

    def reopen(self) -> None:
        self.connection = sqlite3.connect(self.path)

    def edit(self, position: int, text: str) -> float:
        started = time.perf_counter()
        self.connection.execute("UPDATE docs SET body = ? WHERE rowid = ?", (text, position + 1))
        self.connection.commit()
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()


class Postgres(System):
    name = "postgresql-fts"
    can_filter = True
    SQL = (
        "SELECT pos FROM docs, to_tsquery('simple', %s) q WHERE tsv @@ q {and_pref}"
        " ORDER BY ts_rank(tsv, q) DESC LIMIT 10"
    )

    def _connect(self, database: str) -> Any:
        import psycopg

        return psycopg.connect(POSTGRES_URL.format(database=database), autocommit=True)

    def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
        try:
            admin = self._connect("postgres")
        except Exception as error:
            raise Unavailable(f"PostgreSQL not reachable at 127.0.0.1:5432 ({error})") from error
        with admin:
            admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE}")
            admin.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
            version = admin.execute("SHOW server_version").fetchone()
        self.note = f"PostgreSQL {version[0] if version else '?'}, ts_rank over a GIN index"
        self.reopen()
        self.connection.execute(
            "CREATE TABLE docs (pos integer PRIMARY KEY, pref smallint NOT NULL,"
            " body text NOT NULL,"
            " tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
        with (
            self.connection.cursor() as cursor,
            cursor.copy("COPY docs (pos, pref, body) FROM STDIN") as copy,
        ):
            for position, (text, doc) in enumerate(zip(texts, corpus.documents, strict=True)):
                copy.write_row((position, int(doc.prefecture), text))
        self.connection.execute("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
        self.connection.execute("CREATE INDEX docs_pref ON docs (pref)")
        # What an administrator does after a bulk load, and what autovacuum would otherwise
        # do in the background while the queries are timed (at 1M: a 2.4 GB table).
        self.connection.execute("VACUUM (ANALYZE) docs")
        self.connection.execute("CHECKPOINT")

    def search(self, query: Query, *, prefecture: int | None = None) -> list[int]:
        if not query.tokens:  # every feature of the query is a corpus stop word
            return []
        expression = " | ".join(dict.fromkeys(query.tokens))
        if prefecture:
            rows = self.connection.execute(
                self.SQL.format(and_pref="AND pref = %s"), (expression, prefecture)
            )
        else:
            rows = self.connection.execute(self.SQL.format(and_pref=""), (expression,))
        return [row[0] for row in rows]

    def stored_bytes(self) -> int:
        row = self.connection.execute("SELECT pg_total_relation_size('docs')").fetchone()
        return int(row[0])

    def reopen(self) -> None:
        self.connection = self._connect(POSTGRES_DATABASE)
        # Single-thread figures: no parallel workers behind one query.
        self.connection.execute("SET max_parallel_workers_per_gather = 0")

    def edit(self, position: int, text: str) -> float:
        started = time.perf_counter()
        self.connection.execute("UPDATE docs SET body = %s WHERE pos = %s", (text, position))
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()
        with contextlib.suppress(Exception), self._connect("postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")


class RankBm25(System):
    name = "rank_bm25"
    max_documents = 200_000
    too_large = (
        "pure Python, one query scores every document: 5.2 s per profile query at 100k on"
        " 2 Dec, so about a minute at 1M, and at least five per figure plus the build"
        " (a dict per document) would take longer than the whole benchmark"
    )

    def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
        try:
            import rank_bm25
        except ImportError as error:
            raise Unavailable(f"rank_bm25 not installed ({error})") from error
        self.note = "rank_bm25 BM25Okapi, get_scores then argpartition"
        self.model = rank_bm25.BM25Okapi([t.split() for t in texts])

    def search(self, query: Query, *, prefecture: int | None = None) -> list[int]:
        return _top(self.model.get_scores(query.tokens))


class SklearnNaive(System):
    name = "sklearn-naive"
    note = "TfidfVectorizer, cosine_similarity, argsort (the textbook recipe)"

    def build(self, corpus: Corpus, texts: list[str], workdir: Path) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(tokenizer=str.split, lowercase=False, token_pattern=None)
        self.matrix = self.vectorizer.fit_transform(texts)

    def search(self, query: Query, *, prefecture: int | None = None) -> list[int]:
        from sklearn.metrics.pairwise import cosine_similarity

        vector = self.vectorizer.transform([" ".join(query.tokens)])
        scores = cosine_similarity(vector, self.matrix).ravel()
        ordered = np.argsort(-scores, kind="stable")[:10]
        return [int(p) for p in ordered if scores[p] > 0]

    def stored_bytes(self) -> int:
        m = self.matrix
        return int(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes)


PEERS: dict[str, type[System]] = {
    cls.name: cls for cls in (Bm25s, Tantivy, SqliteFts5, Postgres, RankBm25, SklearnNaive)
}


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
