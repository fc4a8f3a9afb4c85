"""Versions stored as one blob before 0011-0013 are moved into chunks, still load, and move
back into the blob when migrating backwards."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from matchmaking.ranker import FitParams, Index, fit
from matchmaking.ranker.fit import Document
from matchmaking.search import store
from matchmaking.search.models import SearchIndex

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("matchmaking", "0011_search_index_chunks")]
AFTER = [("matchmaking", "0013_remove_searchindex_blob")]
MOVE = importlib.import_module("matchmaking.migrations.0012_search_index_blobs_to_chunks")


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_chunks() -> Iterator[Any]:
    """The database as it was with the blob column (and the chunks' table, still empty)."""
    apps = _migrate(BEFORE)
    yield apps
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _old_index(name: str) -> bytes:
    documents = [
        Document(
            id=i + 1,
            external_id=f"{name}-{i}",
            fields={"offers": text},
            kind="company",
            prefecture="43",
            region="kyushu-okinawa",
            metropolitan=False,
            lying_dragon=False,
        )
        for i, text in enumerate([f"{name} robot arms", "dairy cheese", "半導体の検査装置"])
    ]
    return fit(documents, [], FitParams()).to_bytes()


def test_old_blobs_move_into_chunks_load_as_before_and_move_back(
    before_chunks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    OldSearchIndex = before_chunks.get_model("matchmaking", "SearchIndex")
    blobs = {"welding": _old_index("welding"), "brewing": _old_index("brewing")}
    rows = {}
    for name, blob in blobs.items():
        rows[name] = OldSearchIndex.objects.create(
            source_read_at=timezone.now(),
            document_count=3,
            vocabulary_size=1,
            build_seconds=0.1,
            size_bytes=len(blob),
            blob=blob,
        ).pk
    chunk = len(blobs["welding"]) // 3 + 1
    monkeypatch.setattr(MOVE, "CHUNK_BYTES", chunk)  # several chunks per version

    _migrate(AFTER)
    for name, blob in blobs.items():
        stored = SearchIndex.objects.get(pk=rows[name])
        data = list(stored.chunks.order_by("seq").values_list("data", flat=True))
        assert len(data) == 3 and all(len(d) <= chunk for d in data)
        assert b"".join(bytes(d) for d in data) == blob and stored.size_bytes == len(blob)
        loaded = store.read_version(stored)
        assert loaded.to_bytes() == Index.from_bytes(blob).to_bytes()
        assert loaded.search(f"{name} robot", regional_boost=0.1)[0].external_id == f"{name}-0"
    assert "blob" not in {f.name for f in SearchIndex._meta.get_fields()}

    apps = _migrate(BEFORE)
    moved_back = apps.get_model("matchmaking", "SearchIndex")
    for name, blob in blobs.items():
        assert bytes(moved_back.objects.get(pk=rows[name]).blob) == blob
    assert apps.get_model("matchmaking", "SearchIndexChunk").objects.count() == 0
