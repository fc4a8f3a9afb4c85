"""A search index version's bytes in chunks (rows of 16 MiB by default) instead of one value: a
1M-organization index (about 1.4 GB) is more than SQLite (1 GB) or PostgreSQL's bytea (1 GB)
holds in one. Three migrations so that PostgreSQL never alters a table with pending
trigger events: the chunks' table, the stored versions moved into it, the old column."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0010_events"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchIndexChunk",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveIntegerField(verbose_name="sequence")),
                ("data", models.BinaryField(verbose_name="bytes")),
                (
                    "index",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="chunks",
                        to="matchmaking.searchindex",
                    ),
                ),
            ],
            options={
                "verbose_name": "search index chunk",
                "verbose_name_plural": "search index chunks",
                "constraints": [
                    models.UniqueConstraint(fields=("index", "seq"), name="search_index_chunk_seq")
                ],
            },
        ),
    ]
