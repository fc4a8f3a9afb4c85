"""Strings as numpy arrays, so that a memory-mapped index shares them between processes.

A list of a million external ids costs every process that holds it about 70 MB of str
objects and pointers of its own; one UTF-8 buffer and its offsets are two arrays that the
processes of a machine map from the same file (`shared`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import overload

import numpy as np


class StringColumn(Sequence[str]):
    """Strings by position: string i is utf8[offsets[i]:offsets[i + 1]], decoded."""

    def __init__(self, utf8: np.ndarray, offsets: np.ndarray) -> None:
        if offsets.ndim != 1 or len(offsets) == 0 or int(offsets[-1]) != len(utf8):
            raise ValueError("offsets must start each string and end with the buffer's length")
        self.utf8 = utf8
        self.offsets = offsets

    @classmethod
    def from_strings(cls, strings: Iterable[str]) -> StringColumn:
        encoded = [text.encode() for text in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(item) for item in encoded])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, position: int) -> str: ...

    @overload
    def __getitem__(self, position: slice) -> list[str]: ...

    def __getitem__(self, position: int | slice) -> str | list[str]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        size = len(self)
        if position < 0:
            position += size
        if not 0 <= position < size:
            raise IndexError("string column index out of range")
        start, end = self.offsets[position : position + 2].tolist()
        return self.utf8[start:end].tobytes().decode()

    def __iter__(self) -> Iterator[str]:
        buffer = self.utf8.tobytes()
        bounds = self.offsets.tolist()
        for start, end in itertools.pairwise(bounds):
            yield buffer[start:end].decode()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StringColumn):
            return np.array_equal(self.offsets, other.offsets) and np.array_equal(
                self.utf8, other.utf8
            )
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StringColumn({len(self)} strings, {len(self.utf8)} bytes)"


def _hash(key: str) -> int:
    """A 64-bit hash that is the same in every process (Python's own str hash is not)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


class StringTable(Mapping[str, tuple[str, ...]]):
    """A read-only str → tuple of str table (the JMdict glosses) as five arrays.

    As a dict, the 224,000 glosses of an index cost every process about 50 MB of its own; as
    arrays mapped from the index's files they are shared. A lookup hashes the key, finds the
    hash in the sorted `hashes` (a binary search) and checks the key itself: a few µs.
    """

    def __init__(
        self, hashes: np.ndarray, words: StringColumn, starts: np.ndarray, texts: StringColumn
    ) -> None:
        self.hashes = hashes  # uint64, sorted
        self.words = words  # the keys, in the order of their hashes
        self.starts = starts  # key i's values are texts[starts[i]:starts[i + 1]]
        self.texts = texts  # every key's values, one after the other

    @classmethod
    def from_dict(cls, table: Mapping[str, Sequence[str]]) -> StringTable:
        entries = sorted((_hash(key), key) for key in table)
        lengths = [len(table[key]) for _, key in entries]
        starts = np.zeros(len(entries) + 1, dtype=np.int64)
        starts[1:] = np.cumsum(lengths)
        return cls(
            np.array([h for h, _ in entries], dtype=np.uint64),
            StringColumn.from_strings(key for _, key in entries),
            starts,
            StringColumn.from_strings(value for _, key in entries for value in table[key]),
        )

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}_hashes": self.hashes,
            f"{prefix}_keys_utf8": self.words.utf8,
            f"{prefix}_keys_offsets": self.words.offsets,
            f"{prefix}_starts": self.starts,
            f"{prefix}_values_utf8": self.texts.utf8,
            f"{prefix}_values_offsets": self.texts.offsets,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], prefix: str) -> StringTable:
        return cls(
            arrays[f"{prefix}_hashes"],
            StringColumn(arrays[f"{prefix}_keys_utf8"], arrays[f"{prefix}_keys_offsets"]),
            arrays[f"{prefix}_starts"],
            StringColumn(arrays[f"{prefix}_values_utf8"], arrays[f"{prefix}_values_offsets"]),
        )

    def __getitem__(self, key: str) -> tuple[str, ...]:
        wanted = _hash(key)
        i = int(np.searchsorted(self.hashes, np.uint64(wanted)))
        while i < len(self.words) and int(self.hashes[i]) == wanted:
            if self.words[i] == key:
                start, end = self.starts[i : i + 2].tolist()
                return tuple(self.texts[start:end])
            i += 1
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __len__(self) -> int:
        return len(self.words)
