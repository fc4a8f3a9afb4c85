from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0012_search_index_blobs_to_chunks"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="searchindex",
            name="blob",
        ),
    ]
