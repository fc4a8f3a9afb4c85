"""The versions stored as one blob, moved into chunks (and back, when migrating backwards)."""

from typing import Any

from django.db import migrations

# The chunk size of the versions moved here (new versions use RANKER_INDEX_CHUNK_BYTES).
CHUNK_BYTES = 16 * 2**20


def blobs_to_chunks(apps: Any, schema_editor: Any) -> None:
    SearchIndex = apps.get_model("matchmaking", "SearchIndex")
    SearchIndexChunk = apps.get_model("matchmaking", "SearchIndexChunk")
    # One version at a time: a blob can be hundreds of MB.
    for pk in SearchIndex.objects.order_by("pk").values_list("pk", flat=True):
        blob = memoryview(SearchIndex.objects.filter(pk=pk).values_list("blob", flat=True)[0])
        for seq, start in enumerate(range(0, len(blob), CHUNK_BYTES)):
            SearchIndexChunk.objects.create(
                index_id=pk, seq=seq, data=blob[start : start + CHUNK_BYTES]
            )
        SearchIndex.objects.filter(pk=pk).update(size_bytes=len(blob), blob=b"")


def chunks_to_blobs(apps: Any, schema_editor: Any) -> None:
    SearchIndex = apps.get_model("matchmaking", "SearchIndex")
    SearchIndexChunk = apps.get_model("matchmaking", "SearchIndexChunk")
    for pk in SearchIndex.objects.order_by("pk").values_list("pk", flat=True):
        chunks = SearchIndexChunk.objects.filter(index_id=pk).order_by("seq")
        blob = b"".join(bytes(data) for data in chunks.values_list("data", flat=True))
        SearchIndex.objects.filter(pk=pk).update(blob=blob)
        chunks.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0011_search_index_chunks"),
    ]

    operations = [
        migrations.RunPython(blobs_to_chunks, chunks_to_blobs, elidable=True),
    ]
