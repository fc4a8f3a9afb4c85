"""SearchIndex.blob dropped: 0012 moved its bytes into chunks (and emptied it). Given a
default first, so that migrating backwards can add the column again to existing rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0012_search_index_blobs_to_chunks"),
    ]

    operations = [
        migrations.AlterField(
            model_name="searchindex",
            name="blob",
            field=models.BinaryField(default=b"", verbose_name="serialised index"),
        ),
        migrations.RemoveField(
            model_name="searchindex",
            name="blob",
        ),
    ]
