"""An index as a directory of uncompressed .npy files, memory-mapped: one copy per machine.

`Index.from_bytes` gives each process its own copy of every array (about 700 MB at 1M
organizations). A directory written once (`save`, or `unpack` straight from a stored blob)
and opened with `load` maps the arrays read-only from the files instead, so every process
of the machine reads the same pages of the page cache and adds only its small Python
objects (the header: vocabulary, concepts, glosses; a few KB to MB).

The arrays are never written to: searching only reads them, and an edit (`delta`) copies
the one array it changes (`Index.zero_documents`) or builds new ones. A directory is
complete or absent only if the caller writes it aside and renames it into place
(`matchmaking.search.store` does); `load` checks nothing but that the header is there.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from matchmaking.ranker.index import Index

HEADER = "header.json"


def save(index: Index, directory: Path) -> None:
    """Write the index's arrays (one .npy each) and its header (JSON) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in index.arrays().items():
        _save_array(directory / f"{name}.npy", np.ascontiguousarray(array))
    _write_header(directory, json.dumps(index.header(), ensure_ascii=False).encode())


def unpack(blob: bytes | IO[bytes], directory: Path) -> None:
    """Write a stored blob (`Index.to_bytes`, as bytes or a seekable binary file) as `save`
    would, one array at a time, without building the index."""
    directory.mkdir(parents=True, exist_ok=True)
    with np.load(_stream(blob), allow_pickle=False) as arrays:
        for name in arrays.files:
            if name != "header":
                _save_array(directory / f"{name}.npy", arrays[name])
        header = arrays["header"].tobytes()
    _write_header(directory, header)


def read(blob: bytes | IO[bytes]) -> Index:
    """The index of a stored blob (as `Index.from_bytes`), from bytes or a seekable binary
    file: from a file, only the arrays end up in memory, not also the whole blob."""
    with np.load(_stream(blob), allow_pickle=False) as arrays:
        header = json.loads(arrays["header"].tobytes().decode())
        return Index.from_arrays(header, arrays)


def _stream(blob: bytes | IO[bytes]) -> IO[bytes]:
    return io.BytesIO(blob) if isinstance(blob, bytes) else blob


def _save_array(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as stream:
        np.save(stream, array, allow_pickle=False)
        _sync(stream)


def _write_header(directory: Path, header: bytes) -> None:
    # Last: a directory with a header has all its arrays.
    with (directory / HEADER).open("wb") as stream:
        stream.write(header)
        _sync(stream)


def _sync(stream: io.BufferedWriter) -> None:
    """On disk before the directory is renamed into place: after a power cut a directory
    that exists is complete, not files the kernel had yet to write."""
    stream.flush()
    os.fsync(stream.fileno())


class _Mapped(Mapping[str, np.ndarray]):
    """The directory's arrays by name, each mapped read-only when first asked for."""

    def __init__(self, directory: Path) -> None:
        self.paths = {path.stem: path for path in directory.glob("*.npy")}

    def __getitem__(self, name: str) -> np.ndarray:
        # A plain ndarray view of the memmap (numba and numpy treat it as any array; the
        # view keeps the mapping alive).
        return np.asarray(np.load(self.paths[name], mmap_mode="r", allow_pickle=False))

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def load(directory: Path) -> Index:
    """The index in `directory`, its arrays memory-mapped read-only (shared, not copied)."""
    header: dict[str, Any] = json.loads((directory / HEADER).read_bytes().decode())
    index = Index.from_arrays(header, _Mapped(directory))
    index.directory = directory
    return index


def is_mapped(array: np.ndarray) -> bool:
    """Whether the array's memory is a file mapping (rather than this process's own)."""
    base: Any = array
    while base is not None:
        if isinstance(base, np.memmap):
            return True
        base = getattr(base, "base", None)
    return False
