"""The matchmaking admin: what a delete of search index versions shows and removes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from matchmaking.search import store
from matchmaking.search.models import SearchIndex, SearchIndexChunk
from profiles.models import Organization

pytestmark = pytest.mark.django_db


def test_deleting_an_index_version_counts_its_chunks_without_loading_them(
    client: Client, root: User, directory: dict[str, Organization]
) -> None:
    with override_settings(RANKER_INDEX_CHUNK_BYTES=4 * 2**20):
        kept, doomed = store.build_index(), store.build_index()
    chunks = doomed.chunks.count()
    assert chunks >= 3
    client.force_login(root)
    url = reverse("admin:matchmaking_searchindex_delete", args=[doomed.pk])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    summary = {"search indexes": 1, "search index chunks": chunks}
    assert dict(page.context["model_count"]) == summary
    read_chunks = [q["sql"] for q in queries if '"data"' in q["sql"]]
    assert read_chunks == []
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert list(SearchIndex.objects.values_list("pk", flat=True)) == [kept.pk]
    assert set(SearchIndexChunk.objects.values_list("index", flat=True)) == {kept.pk}
