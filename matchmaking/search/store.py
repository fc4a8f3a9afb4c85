"""The search index's versions: built and updated in the database, shared by the processes
of each machine.

Every web process on every server serves the newest stored version; a rebuild writes a new
row and only then becomes visible, so requests keep the previous one until it is complete.
The database is the only source of which version is served; it holds each version's bytes
in chunks (`SearchIndexChunk`, RANKER_INDEX_CHUNK_BYTES each), written in the transaction
that writes the version's row. On each machine the first process that needs a version
streams its chunks into RANKER_INDEX_DIR and unpacks them there (written aside, then renamed
into place), and every process maps those files read-only, so the workers of one machine
share one copy of the arrays instead of holding one each.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from matchmaking.ranker import Explainer, FitParams, Index, fit, shared
from matchmaking.ranker.delta import apply_edits
from matchmaking.search.documents import glossary_concepts, organization_documents
from matchmaking.search.models import SearchIndex, SearchIndexChunk
from profiles.models import Organization

logger = logging.getLogger(__name__)

KEEP_VERSIONS = 3
# Leftovers of a process that died while unpacking, removed once this old.
ABANDONED_SECONDS = 3600


def build_index(*, params: FitParams | None = None, workers: int = 1) -> SearchIndex:
    """Fit a new index aside and store it; requests keep the old one until it is saved."""
    return _build(params or FitParams(), workers=workers)[0]


def build_and_serve() -> Loaded:
    """Build and store a version, and serve it in this process as fitted, without reading
    it back (for a small directory's first index: the other processes map it as usual)."""
    stored, index = _build(FitParams(), workers=1)
    loaded = Loaded(stored.pk, stored.created_at, index, Explainer(index.concepts))
    index_cache.serve(loaded)
    return loaded


def _build(params: FitParams, *, workers: int) -> tuple[SearchIndex, Index]:
    started = time.perf_counter()
    read_at = timezone.now()
    documents = organization_documents()
    index = fit(documents, glossary_concepts(), params, workers=workers)
    stored = _store(index, read_at=read_at, started=started, params=params.as_dict())
    logger.info("Built %s in %.2f s", stored, stored.build_seconds)
    return stored, index


def update_index(organization_ids: Iterable[int]) -> SearchIndex:
    """Apply changed organizations to the newest index as a delta, without a refit.

    Published ones are (re)vectorised into the delta segment, the others leave the index;
    once the delta holds more than RANKER_DELTA_LIMIT organizations, or there is no index
    yet, this is a full rebuild instead (which also refreshes the idf: see ranker.delta).
    The newest row is locked while the update is made, so two concurrent updates apply
    one after the other instead of one losing the other's change (PostgreSQL; SQLite runs
    one writer at a time anyway).
    """
    ids = set(organization_ids)
    started = time.perf_counter()
    with transaction.atomic():
        newest = SearchIndex.objects.select_for_update().order_by("-pk").first()
        if newest is not None:
            index = read_version(newest)
            pending = len(index.segment) if index.segment is not None else 0
            if pending + len(ids) <= settings.RANKER_DELTA_LIMIT:
                read_at = timezone.now()
                documents = organization_documents(Organization.objects.filter(pk__in=ids))
                published = {doc.id for doc in documents}
                apply_edits(index, upserts=documents, removals=ids - published)
                stored = _store(index, read_at=read_at, started=started, params=newest.params)
                logger.info("Updated %s with %d organizations", stored, len(ids))
                return stored
    return build_index()


def _store(index: Index, *, read_at: Any, started: float, params: dict[str, Any]) -> SearchIndex:
    with transaction.atomic():
        stored = save_version(
            index.to_bytes(),
            source_read_at=read_at,
            document_count=len(index),
            vocabulary_size=len(index.vocabulary),
            build_seconds=time.perf_counter() - started,
            params=params,
        )
        stale = SearchIndex.objects.order_by("-pk").values_list("pk", flat=True)[KEEP_VERSIONS:]
        SearchIndex.objects.filter(pk__in=list(stale)).delete()
    return stored


class VersionIncomplete(Exception):
    """A version's chunks do not add up to its size (it was deleted while being read)."""


@transaction.atomic
def save_version(blob: bytes, **fields: Any) -> SearchIndex:
    """Store a serialised index (`Index.to_bytes`) as a new version: its row, then its bytes
    in chunks of RANKER_INDEX_CHUNK_BYTES, all in one transaction, so no other connection
    sees the version before it is complete (and none at all if this fails halfway)."""
    size = settings.RANKER_INDEX_CHUNK_BYTES
    stored = SearchIndex.objects.create(size_bytes=len(blob), **fields)
    view = memoryview(blob)  # slices, not copies, of a blob that can be 1.4 GB
    for seq, start in enumerate(range(0, len(blob), size)):
        SearchIndexChunk.objects.create(index=stored, seq=seq, data=view[start : start + size])
    return stored


def version_chunks(stored: SearchIndex) -> Iterator[bytes | memoryview]:
    """The version's bytes, one chunk at a time (one query each: a single query would fetch
    them all at once, several hundred MB)."""
    chunks = SearchIndexChunk.objects.filter(index_id=stored.pk)
    read = 0
    for seq in chunks.order_by("seq").values_list("seq", flat=True):
        data = chunks.filter(seq=seq).order_by().values_list("data", flat=True).first()
        if data is None:
            break
        read += len(data)
        yield data
    if read != stored.size_bytes:
        raise VersionIncomplete(f"{stored}: {read} bytes stored of {stored.size_bytes}")


def _download(stored: SearchIndex, stream: IO[bytes]) -> None:
    """Write the version's bytes into `stream`, then rewind it."""
    for data in version_chunks(stored):
        stream.write(data)
    stream.seek(0)


def read_version(stored: SearchIndex) -> Index:
    """The version's index in this process's own memory. Its bytes go through a temporary
    file rather than one bytes object, so the process holds the arrays and one chunk, not
    also a copy of the whole version."""
    try:
        spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 -- closed just below
    except OSError:  # no writable temporary directory: in memory
        spool = io.BytesIO()
    with spool:
        _download(stored, spool)
        return shared.read(spool)


@dataclass
class Loaded:
    version: int
    created_at: Any
    index: Index
    explainer: Explainer
    # The directory the arrays are mapped from; None when they were loaded in memory.
    directory: Path | None = None


_VERSION_NAME = re.compile(r"^v(\d+)-\d+-\d+$")


def version_directory_name(stored: SearchIndex) -> str:
    """The version's directory under RANKER_INDEX_DIR. The id alone is not enough: a test
    database (or a restored backup) can give an id to another index, so the creation time
    and size are part of the name, as they are of what the cache compares."""
    created = int(stored.created_at.timestamp() * 1_000_000)
    return f"v{stored.pk}-{created}-{stored.size_bytes}"


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One process of the machine at a time unpacks or cleans up: the others wait, then
    find the version there instead of each reading hundreds of MB from the database."""
    with (root / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove(root: Path, name: str) -> None:
    """Rename aside, then delete: a directory that still has its version's name is always
    complete (a process mapping it meanwhile keeps its open files)."""
    doomed = root / f".trash-{name}-{os.getpid()}"
    try:
        (root / name).rename(doomed)
    except FileNotFoundError:
        return
    shutil.rmtree(doomed, ignore_errors=True)


def clean_index_directory(root: Path, *, in_use: str) -> None:
    """Keep the KEEP_VERSIONS newest versions and the one this process serves (`in_use`);
    remove older ones and what crashed processes left half-written."""
    versions = []
    for entry in root.iterdir():
        match = _VERSION_NAME.match(entry.name)
        if match:
            versions.append((int(match[1]), entry.name))
        elif entry.name.startswith((".tmp-", ".trash-")):
            with contextlib.suppress(FileNotFoundError):
                if time.time() - entry.stat().st_mtime > ABANDONED_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
    for _, name in sorted(versions, reverse=True)[KEEP_VERSIONS:]:
        if name != in_use:
            _remove(root, name)


def _unpacked(root: Path, stored: SearchIndex) -> Path:
    """The version's directory, unpacked from the database first if this machine lacks it."""
    name = version_directory_name(stored)
    final = root / name
    if final.is_dir():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        if not final.is_dir():  # another process may have unpacked it while this one waited
            started = time.perf_counter()
            aside = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
            try:
                aside.chmod(0o755)  # mkdtemp's 0700 would hide it from other users' processes
                with tempfile.TemporaryFile(dir=aside) as spool:
                    _download(stored, spool)
                    shared.unpack(spool, aside)
                aside.rename(final)
            except BaseException:
                shutil.rmtree(aside, ignore_errors=True)
                raise
            seconds = time.perf_counter() - started
            logger.info("Unpacked %s into %s in %.1f s", stored, final, seconds)
        clean_index_directory(root, in_use=name)
    return final


def load_version(stored: SearchIndex) -> Loaded:
    """The version's index, mapped from RANKER_INDEX_DIR; in this process's memory when that
    setting is empty or the directory cannot be written (a read-only file system)."""
    root = settings.RANKER_INDEX_DIR
    if root:
        for attempt in range(2):
            try:
                directory = _unpacked(Path(root), stored)
                index = shared.load(directory)
            except FileNotFoundError:
                if attempt == 0:
                    continue  # removed as this process opened it (a version far behind): again
                logger.warning("Index %s vanished from %s; loading it in memory", stored, root)
            except OSError as error:
                logger.warning(
                    "Cannot map index %s from %s (%s); loading it in this process's memory",
                    stored,
                    root,
                    error,
                )
            else:
                return Loaded(
                    stored.pk, stored.created_at, index, Explainer(index.concepts), directory
                )
            break
    index = read_version(stored)
    return Loaded(stored.pk, stored.created_at, index, Explainer(index.concepts))


class _IndexCache:
    """The index this process serves: loaded at first use, replaced when a newer one exists.

    The database is asked for the newest version at most every RANKER_RELOAD_SECONDS, so a
    new index is picked up within seconds and without a restart. The arrays are mapped from
    the machine's copy of that version (`load_version`).
    """

    def __init__(self) -> None:
        self.loaded: Loaded | None = None
        self.checked_at = float("-inf")
        self.lock = threading.Lock()

    def get(self) -> Loaded | None:
        now = time.monotonic()
        if now - self.checked_at < settings.RANKER_RELOAD_SECONDS and self.loaded is not None:
            return self.loaded
        with self.lock:
            newest = SearchIndex.objects.newest()
            self.checked_at = now
            if newest is None:
                self.loaded = None
            elif self.loaded is None or (self.loaded.version, self.loaded.created_at) != (
                newest.pk,
                newest.created_at,
            ):
                self.loaded = load_version(newest)
            return self.loaded

    def serve(self, loaded: Loaded) -> None:
        """Serve this version from now on (until a newer one is stored)."""
        with self.lock:
            self.loaded, self.checked_at = loaded, time.monotonic()

    def forget(self) -> None:
        with self.lock:
            self.loaded, self.checked_at = None, float("-inf")


index_cache = _IndexCache()


class IndexMissing(Exception):
    """No index has been built yet: run `python manage.py rebuild_index`."""


def current_index() -> Loaded:
    loaded = index_cache.get()
    if loaded is None:
        raise IndexMissing("No search index yet: run python manage.py rebuild_index")
    return loaded
