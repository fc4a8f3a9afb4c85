"""One index per machine: the arrays as .npy files, memory-mapped (matchmaking/ranker/shared.py),
and the external ids as a column of two arrays (matchmaking/ranker/columns.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

from matchmaking.benchmarks.synthetic import Generator, load_glossary, load_vocabulary
from matchmaking.ranker import Document, Filters, Index, fit, shared
from matchmaking.ranker.columns import StringColumn, StringTable
from matchmaking.ranker.delta import apply_edits

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
FILTERS = [
    Filters(),
    Filters(prefectures=("43",)),
    Filters(regions=("kanto",)),
    Filters(kinds=("university",), lying_dragons_only=True),
]


@pytest.fixture(scope="module")
def world() -> tuple[Generator, list[Document], Index]:
    generator = Generator(
        load_glossary(FIXTURES / "glossary.json"), load_vocabulary(FIXTURES), seed=11
    )
    documents = generator.documents(600)
    return generator, documents, fit(documents, generator.concepts)


def _fingerprints(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()  # not derived/: factors shared beside the index (see below)
    }


def _same_answers(generator: Generator, one: Index, other: Index) -> None:
    for text in [generator.query(40) for _ in range(12)] + ["半導体 製造", "robot arms"]:
        for filters in FILTERS:
            for boost in (0.0, 0.1):
                expected = one.search(text, top=20, filters=filters, regional_boost=boost)
                assert other.search(text, top=20, filters=filters, regional_boost=boost) == (
                    expected
                )
        query = one.vectorize(text)
        positions = [hit.position for hit in one.search(query)]
        assert other.contributions(query, positions) == one.contributions(query, positions)


def test_a_saved_directory_loads_an_index_that_answers_exactly_like_the_original(
    world: tuple[Generator, list[Document], Index], tmp_path: Path
) -> None:
    generator, _, index = world
    shared.save(index, tmp_path / "v1")
    mapped = shared.load(tmp_path / "v1")
    assert len(mapped) == len(index)
    assert mapped.vocabulary == index.vocabulary
    assert list(mapped.external_ids) == list(index.external_ids)
    _same_answers(generator, index, mapped)


def test_a_blob_unpacks_into_the_same_files_as_a_saved_index(
    world: tuple[Generator, list[Document], Index], tmp_path: Path
) -> None:
    generator, _, index = world
    shared.save(index, tmp_path / "saved")
    shared.unpack(index.to_bytes(), tmp_path / "unpacked")
    assert _fingerprints(tmp_path / "saved") == _fingerprints(tmp_path / "unpacked")
    assert {p.name for p in (tmp_path / "saved").iterdir()} >= {
        "header.json",
        "indices.npy",
        "data.npy",
        "external_ids_utf8.npy",
    }
    unpacked = shared.load(tmp_path / "unpacked")
    _same_answers(generator, Index.from_bytes(index.to_bytes()), unpacked)


def test_the_arrays_are_mapped_read_only_and_searching_never_writes_to_them(
    world: tuple[Generator, list[Document], Index], tmp_path: Path
) -> None:
    generator, _, index = world
    shared.save(index, tmp_path / "v1")
    before = _fingerprints(tmp_path / "v1")
    mapped = shared.load(tmp_path / "v1")
    arrays = [mapped.indptr, mapped.indices, mapped.data, mapped.ids, mapped.idf, mapped.roles]
    arrays += [mapped.external_ids.utf8, mapped.external_ids.offsets, mapped.facets.prefecture]
    arrays += [mapped.facets.industries.documents, mapped.common_indices]
    glosses = mapped.analyzer.dictionary
    assert isinstance(glosses, StringTable) and len(glosses) > 100_000  # JMdict's nouns
    arrays += [glosses.hashes, glosses.words.utf8, glosses.texts.utf8, glosses.starts]
    for array in arrays:
        assert shared.is_mapped(array)
        assert not array.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        mapped.data[0] = 1.0
    assert not shared.is_mapped(index.data)
    for text in [generator.query(30) for _ in range(20)]:
        for filters in FILTERS:
            assert mapped.search(text, filters=filters, regional_boost=0.1) is not None
    mapped.facets.industries.counts(np.ones(len(mapped.ids), dtype=bool))
    assert _fingerprints(tmp_path / "v1") == before


def test_edits_to_a_mapped_index_work_on_a_copy_and_leave_the_files_alone(
    world: tuple[Generator, list[Document], Index], tmp_path: Path
) -> None:
    generator, documents, index = world
    shared.save(index, tmp_path / "v1")
    before = _fingerprints(tmp_path / "v1")
    mapped = shared.load(tmp_path / "v1")
    in_memory = Index.from_bytes(index.to_bytes())
    change = dataclasses.replace(documents[17], fields={"offers": "zyxoquantum retrofits"})
    for edited in (mapped, in_memory):
        apply_edits(edited, upserts=[change], removals=[documents[3].id])
    assert not shared.is_mapped(mapped.data) and mapped.data.flags.writeable
    assert mapped.search("zyxoquantum retrofits")[0].id == documents[17].id
    _same_answers(generator, in_memory, mapped)
    assert _fingerprints(tmp_path / "v1") == before
    # And an index with its delta segment goes to a directory and back.
    shared.save(mapped, tmp_path / "v2")
    reloaded = shared.load(tmp_path / "v2")
    assert reloaded.segment is not None and len(reloaded.segment) == 1
    _same_answers(generator, in_memory, reloaded)


def test_loading_a_directory_does_not_build_a_dict_per_organization(
    world: tuple[Generator, list[Document], Index], tmp_path: Path
) -> None:
    generator, documents, index = world
    shared.save(index, tmp_path / "v1")
    mapped = shared.load(tmp_path / "v1")
    mapped.search(generator.query(30))
    assert "position_of" not in vars(mapped)  # built only for an edit
    assert mapped.position_of[documents[0].id] == index.position_of[documents[0].id]


def test_an_index_stored_before_the_external_ids_were_arrays_still_loads(
    world: tuple[Generator, list[Document], Index],
) -> None:
    generator, _, index = world
    arrays = index.arrays()
    arrays.pop("external_ids_utf8")
    arrays.pop("external_ids_offsets")
    header = {**index.header(), "format": 1, "external_ids": list(index.external_ids)}
    buffer = io.BytesIO()
    encoded = json.dumps(header, ensure_ascii=False).encode()
    np.savez(buffer, allow_pickle=False, header=np.frombuffer(encoded, np.uint8), **arrays)
    old = Index.from_bytes(buffer.getvalue())
    assert list(old.external_ids) == list(index.external_ids)
    _same_answers(generator, index, old)


def test_a_string_column_reads_like_the_list_it_was_made_from() -> None:
    strings = ["org-1", "", "熊本セミコン", "acme-robotics", "ß"]
    column = StringColumn.from_strings(strings)
    assert len(column) == 5
    assert [column[i] for i in range(5)] == strings
    assert column[-3] == "熊本セミコン"
    assert column[1:4] == strings[1:4]
    assert list(column) == strings
    assert column == strings and column == StringColumn.from_strings(strings)
    assert column != strings[:4]
    with pytest.raises(IndexError):
        column[5]
    assert len(StringColumn.from_strings([])) == 0
    with pytest.raises(ValueError, match="offsets"):
        StringColumn(np.zeros(3, np.uint8), np.array([0, 2], dtype=np.int64))


def test_a_string_table_reads_like_the_dict_it_was_made_from() -> None:
    glosses = {"鋳造": ("casting", "founding"), "猫": ("cat",), "空": (), "ß": ("sharp s",)}
    table = StringTable.from_dict(glosses)
    assert len(table) == 4 and dict(table) == glosses
    assert table["鋳造"] == ("casting", "founding") and table.get("空") == ()
    assert table.get("犬") is None and "猫" in table and "犬" not in table
    with pytest.raises(KeyError):
        table["犬"]
    assert not StringTable.from_dict({})
    again = StringTable.from_arrays(table.arrays("glosses"), "glosses")
    assert dict(again) == glosses


def test_a_mapped_index_analyses_japanese_with_the_same_glosses(
    world: tuple[Generator, list[Document], Index], tmp_path: Path
) -> None:
    _, _, index = world
    assert isinstance(index.analyzer.dictionary, dict)  # as fitted: read from jamdict-data
    shared.save(index, tmp_path / "v1")
    mapped = shared.load(tmp_path / "v1")
    assert dict(mapped.analyzer.dictionary) == index.analyzer.dictionary
    for text in ("鋳造の部品と金型の設計", "半導体の検査装置", "industrial robots"):
        assert mapped.analyzer.features(text) == index.analyzer.features(text)
        assert mapped.search(text) == index.search(text)


def test_the_factors_of_a_role_query_are_shared_by_the_processes_mapping_the_index(
    world: tuple[Generator, list[Document], Index], tmp_path: Path
) -> None:
    generator, _, index = world
    shared.save(index, tmp_path / "v1")
    one, other = shared.load(tmp_path / "v1"), shared.load(tmp_path / "v1")
    query = "we need a wholesale distributor of robot parts"
    assert one.vectorize(query).roles  # names a role: its factors are an array per document
    assert one.search(query, regional_boost=0.1) == index.search(query, regional_boost=0.1)
    derived = sorted(p.name for p in (tmp_path / "v1" / "derived").iterdir())
    assert derived and all(name.endswith(".npy") for name in derived)  # nothing left aside
    assert other.search(query, regional_boost=0.1) == index.search(query, regional_boost=0.1)
    vector = other.vectorize(query)
    factors = other.factors(0.1, vector.roles, vector.role_boost)
    assert shared.is_mapped(factors) and not factors.flags.writeable
    assert sorted(p.name for p in (tmp_path / "v1" / "derived").iterdir()) == derived
    _same_answers(generator, index, other)
