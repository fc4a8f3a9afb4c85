"""A version being stored is invisible to other connections until every chunk is written.

On its own module: the test commits for real (transactional), and pytest-django ends such a
test by emptying every table, the run's reference data with them; alone in its module it is
scheduled after the tests that need that data on its worker.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from django.test import override_settings

from matchmaking.search import store
from matchmaking.search.models import SearchIndex, SearchIndexChunk
from profiles import loaders
from profiles.models import Organization, Prefecture

CHUNK = 4 * 2**20  # the test index is about 18 MB: five chunks


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    """A transactional test before this one on the worker may have emptied every table: the
    reference data is loaded again here, committed, and emptied with the rest afterwards."""
    if not Prefecture.objects.exists():
        loaders.load_geography()
        loaders.load_industries()
        loaders.load_vocabularies()
        loaders.load_glossary()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite's shared-cache test database locks readers out of a table being written",
)
def test_another_connection_sees_the_previous_version_until_every_chunk_is_written(
    indexed: dict[str, Organization], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection as this_connection

    previous = SearchIndex.objects.newest()
    assert previous is not None
    create = SearchIndexChunk.objects.create
    seen: list[tuple[int | None, int]] = []

    def look_from_elsewhere() -> None:
        from django.db import connection

        newest = SearchIndex.objects.newest()
        seen.append((newest.pk if newest else None, SearchIndexChunk.objects.count()))
        connection.close()

    def looked_at(**fields: Any) -> SearchIndexChunk:
        chunk = create(**fields)
        if fields["seq"] == 1:  # the new row and two chunks are written, uncommitted
            other = threading.Thread(target=look_from_elsewhere)
            other.start()
            other.join()
        return chunk

    monkeypatch.setattr(SearchIndexChunk.objects, "create", looked_at)
    chunks_before = SearchIndexChunk.objects.count()
    with override_settings(RANKER_INDEX_CHUNK_BYTES=CHUNK):
        stored = store.build_index()
    assert this_connection.in_atomic_block is False
    assert seen == [(previous.pk, chunks_before)]
    assert SearchIndex.objects.newest() == stored
