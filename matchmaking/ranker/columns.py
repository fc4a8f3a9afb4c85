"""A column of strings as two numpy arrays, so that a memory-mapped index shares it.

A list of a million external ids costs every process that holds it about 70 MB of str
objects and pointers of its own; one UTF-8 buffer and its offsets are two arrays that the
processes of a machine map from the same file (`shared`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
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
