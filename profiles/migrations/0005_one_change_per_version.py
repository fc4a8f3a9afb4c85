"""History versions unique per organization (the unique index replaces the plain one).

Histories forked by a race before this (two changes numbered alike) keep every row: the
later duplicates move past the organization's highest version, in the order they were made.
"""

from django.conf import settings
from django.db import migrations, models


def renumber_duplicates(apps, schema_editor):
    change = apps.get_model("profiles", "OrganizationChange")
    organization = apps.get_model("profiles", "Organization")
    seen: set[tuple[int, int]] = set()
    top: dict[int, int] = {}
    for row in change.objects.order_by("organization_id", "version", "at", "pk"):
        top[row.organization_id] = max(top.get(row.organization_id, 0), row.version)
    for row in change.objects.order_by("organization_id", "at", "pk"):
        key = (row.organization_id, row.version)
        if key in seen:
            top[row.organization_id] += 1
            row.version = top[row.organization_id]
            row.save(update_fields=["version"])
        seen.add((row.organization_id, row.version))
    # The next save must number past the moved ones.
    for pk, version in top.items():
        organization.objects.filter(pk=pk, version__lt=version).update(version=version)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0004_firms_moved_to_matchmaking"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(renumber_duplicates, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="organizationchange",
            name="profiles_or_organiz_c106df_idx",
        ),
        migrations.AddConstraint(
            model_name="organizationchange",
            constraint=models.UniqueConstraint(
                fields=("organization", "version"), name="one_change_per_organization_version"
            ),
        ),
    ]
