"""The index versions on each machine (matchmaking/search/store.py): unpacked once into
RANKER_INDEX_DIR, mapped by every process, cleaned up, and loaded in memory when the
directory cannot be written."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from matchmaking.ranker import Index, shared
from matchmaking.search import store
from matchmaking.search.models import SearchIndex, SearchIndexChunk
from profiles.models import Organization

pytestmark = pytest.mark.django_db

QUERIES = ["industrial robot arms", "半導体 パッケージング", "dairy cheese research"]


@pytest.fixture
def index_dir(tmp_path: Path) -> Any:
    with override_settings(RANKER_INDEX_DIR=str(tmp_path / "index")):
        yield tmp_path / "index"


def _answers(index: Index) -> list[list[tuple[int, str, float]]]:
    return [[(h.id, h.external_id, h.score) for h in _search(index, q)] for q in QUERIES]


def _search(index: Index, text: str) -> list[Any]:
    # The regional boost puts the Kumamoto robot maker above its Tokyo twin.
    return index.search(text, regional_boost=0.1)


def _versions(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if not p.name.startswith("."))


def test_a_process_maps_the_newest_version_from_the_index_directory(
    indexed: dict[str, Organization], index_dir: Path
) -> None:
    loaded = store.index_cache.get()
    assert loaded is not None and loaded.directory is not None
    newest = SearchIndex.objects.newest()
    assert newest is not None and loaded.version == newest.pk
    assert loaded.directory == index_dir / store.version_directory_name(newest)
    assert shared.is_mapped(loaded.index.data) and not loaded.index.data.flags.writeable
    in_memory = store.read_version(newest)
    assert _answers(loaded.index) == _answers(in_memory)
    assert _search(loaded.index, "industrial robot arms")[0].external_id == "kumamoto-robots"


def test_two_processes_share_the_files_the_first_one_unpacked(
    indexed: dict[str, Organization], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    read_chunks = store.version_chunks

    def counted(stored: SearchIndex) -> Any:
        reads.append(stored.pk)
        return read_chunks(stored)

    monkeypatch.setattr(store, "version_chunks", counted)
    first, second = store._IndexCache(), store._IndexCache()
    one, other = first.get(), second.get()
    assert one is not None and other is not None
    assert one.directory == other.directory and len(reads) == 1  # the second read no blob
    assert one.index is not other.index
    mapped_from = [loaded.index.indices.base.filename for loaded in (one, other)]  # type: ignore[union-attr]
    assert Path(mapped_from[0]).samefile(mapped_from[1])
    assert _answers(one.index) == _answers(other.index)


def test_processes_racing_for_a_new_version_unpack_it_once(
    indexed: dict[str, Organization], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = SearchIndex.objects.newest()
    assert newest is not None
    chunks = [bytes(data) for data in store.version_chunks(newest)]
    reads: list[int] = []

    def slow_chunks(stored: SearchIndex) -> list[bytes]:
        reads.append(stored.pk)
        time.sleep(0.3)  # the others arrive while the first is unpacking
        return chunks

    monkeypatch.setattr(store, "version_chunks", slow_chunks)
    results: list[store.Loaded] = []
    workers = [
        threading.Thread(target=lambda: results.append(store.load_version(newest)))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(results) == 4 and len(reads) == 1
    assert {loaded.directory for loaded in results} == {index_dir / results[0].directory.name}  # type: ignore[union-attr]
    assert _versions(index_dir) == [store.version_directory_name(newest)]


def test_a_half_written_version_is_never_mapped(
    indexed: dict[str, Organization], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = SearchIndex.objects.newest()
    assert newest is not None
    name = store.version_directory_name(newest)
    unpack = shared.unpack

    def dies_halfway(blob: Any, directory: Path) -> None:
        (directory / "indices.npy").write_bytes(b"\x93NUMPY")
        raise KeyboardInterrupt  # the worker is killed while writing

    monkeypatch.setattr(shared, "unpack", dies_halfway)
    with pytest.raises(KeyboardInterrupt):
        store.index_cache.get()
    assert _versions(index_dir) == []  # its files went with it, never under the version's name
    # A process killed outright leaves its work aside, where no one looks for a version.
    abandoned = index_dir / f".tmp-{name}-crashed"
    abandoned.mkdir()
    (abandoned / "header.json").write_text("{}")
    monkeypatch.setattr(shared, "unpack", unpack)
    store.index_cache.forget()
    loaded = store.index_cache.get()
    assert loaded is not None and loaded.directory == index_dir / name
    assert _answers(loaded.index)[0][0][1] == "kumamoto-robots"


def test_old_versions_are_removed_but_never_the_one_a_process_serves(
    indexed: dict[str, Organization], index_dir: Path
) -> None:
    served = store.index_cache.get()
    assert served is not None and served.directory is not None
    crashed = index_dir / ".tmp-v1-1-1-crashed"
    crashed.mkdir()
    os.utime(crashed, (time.time() - 2 * store.ABANDONED_SECONDS,) * 2)
    names = []
    for _ in range(store.KEEP_VERSIONS + 2):
        store.build_index()
        loaded = store._IndexCache().get()
        assert loaded is not None and loaded.directory is not None
        names.append(loaded.directory.name)
    assert _versions(index_dir) == sorted(names[-store.KEEP_VERSIONS :])
    assert not crashed.exists()
    # The other processes removed the version this one still serves (they keep the newest);
    # the one that cleans up never removes its own.
    assert served.directory.name not in _versions(index_dir)
    oldest = sorted(_versions(index_dir))[0]
    store.build_index()
    store.clean_index_directory(index_dir, in_use=oldest)
    assert oldest in _versions(index_dir)
    # The index still mapped from a removed directory keeps answering (Linux keeps the files).
    assert _answers(served.index)[0][0][1] == "kumamoto-robots"


def test_an_update_is_made_in_memory_and_served_from_its_own_directory(
    indexed: dict[str, Organization], index_dir: Path
) -> None:
    first = store.index_cache.get()
    assert first is not None and first.directory is not None
    files = {p.name: p.read_bytes() for p in first.directory.iterdir()}
    dairy = indexed["hokkaido_dairy"]
    dairy.offers_en = "Zyxoquantum cheese retrofits."
    dairy.save()
    store.update_index([dairy.pk])
    store.index_cache.forget()
    second = store.index_cache.get()
    assert second is not None and second.directory is not None
    assert second.directory != first.directory
    assert _search(second.index, "zyxoquantum")[0].id == dairy.pk
    assert {p.name: p.read_bytes() for p in first.directory.iterdir()} == files


def test_a_directory_that_cannot_be_written_falls_back_to_memory_with_a_warning(
    indexed: dict[str, Organization], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    with (
        override_settings(RANKER_INDEX_DIR=str(tmp_path / "a-file" / "index")),
        caplog.at_level(logging.WARNING, logger="matchmaking.search.store"),
    ):
        loaded = store.index_cache.get()
    assert loaded is not None and loaded.directory is None
    assert not shared.is_mapped(loaded.index.data)
    assert "loading it in this process's memory" in caplog.text
    assert _search(loaded.index, "industrial robot arms")[0].external_id == "kumamoto-robots"


def test_without_an_index_directory_each_process_loads_its_own_copy(
    indexed: dict[str, Organization], caplog: pytest.LogCaptureFixture
) -> None:
    with override_settings(RANKER_INDEX_DIR=""), caplog.at_level(logging.WARNING):
        loaded = store.index_cache.get()
    assert loaded is not None and loaded.directory is None
    assert not shared.is_mapped(loaded.index.data)
    assert caplog.text == ""


# -- a version's bytes in chunks --

CHUNK = 4 * 2**20  # the test index is about 18 MB: five chunks


def test_a_version_larger_than_a_chunk_is_stored_in_order_and_reads_back_whole(
    directory: dict[str, Organization], index_dir: Path
) -> None:
    with override_settings(RANKER_INDEX_CHUNK_BYTES=CHUNK):
        stored = store.build_index()
    chunks = list(stored.chunks.order_by("seq").values_list("seq", "data"))
    assert [seq for seq, _ in chunks] == list(range(len(chunks))) and len(chunks) >= 3
    assert all(len(data) == CHUNK for _, data in chunks[:-1]) and len(chunks[-1][1]) <= CHUNK
    blob = b"".join(bytes(data) for _, data in chunks)
    assert len(blob) == stored.size_bytes
    # The same index as the one serialised (its bytes, byte for byte), in memory and mapped.
    in_memory = store.read_version(stored)
    assert in_memory.to_bytes() == blob
    mapped = store.load_version(stored)
    assert mapped.directory is not None and shared.is_mapped(mapped.index.data)
    assert _answers(mapped.index) == _answers(in_memory) == _answers(Index.from_bytes(blob))
    assert _search(mapped.index, "industrial robot arms")[0].external_id == "kumamoto-robots"
    # The chunks were spooled into an unnamed file: the directory holds the arrays alone.
    files = {p.name for p in mapped.directory.iterdir() if p.is_file()}
    assert files == {f"{name}.npy" for name in in_memory.arrays()} | {shared.HEADER}


def test_a_store_that_fails_halfway_leaves_the_previous_version_served_and_no_trace(
    indexed: dict[str, Organization], index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = store.index_cache.get()
    assert served is not None
    before = list(SearchIndex.objects.values_list("pk", flat=True))
    chunks_before = SearchIndexChunk.objects.count()
    create = SearchIndexChunk.objects.create
    written: list[int] = []

    def fails_at_the_third(**fields: Any) -> SearchIndexChunk:
        if len(written) == 2:
            raise ConnectionError("the database went away")
        written.append(fields["seq"])
        return create(**fields)

    monkeypatch.setattr(SearchIndexChunk.objects, "create", fails_at_the_third)
    with override_settings(RANKER_INDEX_CHUNK_BYTES=CHUNK), pytest.raises(ConnectionError):
        store.build_index()
    assert written == [0, 1]  # two chunks were written, then rolled back with their row
    assert list(SearchIndex.objects.values_list("pk", flat=True)) == before
    assert SearchIndexChunk.objects.count() == chunks_before
    store.index_cache.forget()
    again = store.index_cache.get()
    assert again is not None and again.version == served.version
    assert _answers(again.index) == _answers(served.index)


def test_a_delta_update_reads_and_stores_a_version_of_several_chunks(
    directory: dict[str, Organization], index_dir: Path
) -> None:
    with override_settings(RANKER_INDEX_CHUNK_BYTES=CHUNK):
        first = store.build_index()
        dairy = directory["hokkaido_dairy"]
        dairy.offers_en = "Zyxoquantum cheese retrofits."
        dairy.save()
        updated = store.update_index([dairy.pk])
    assert updated.pk > first.pk and updated.chunks.count() >= 3
    index = store.read_version(updated)
    assert index.segment is not None and [d.id for d in index.segment.documents] == [dairy.pk]
    loaded = store.load_version(updated)
    assert _search(loaded.index, "zyxoquantum")[0].id == dairy.pk
    assert _search(store.read_version(first), "zyxoquantum") == []


def test_a_version_missing_a_chunk_is_refused_rather_than_served_cut_short(
    indexed: dict[str, Organization], index_dir: Path
) -> None:
    newest = SearchIndex.objects.newest()
    assert newest is not None
    newest.chunks.filter(seq=0).update(data=b"too short")
    with pytest.raises(store.VersionIncomplete):
        store.read_version(newest)
    with pytest.raises(store.VersionIncomplete):
        store.load_version(newest)
    assert _versions(index_dir) == []  # nothing unpacked under the version's name
