"""The three roles and their Django groups: admins, curators, foreign-firm members."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

CURATORS = "Curators"
FIRM_MEMBERS = "Foreign firm members"

# What a curator may do in the admin; the rows they may touch are scoped by prefecture.
CURATOR_PERMISSIONS = [
    ("profiles", "view_organization"),
    ("profiles", "add_organization"),
    ("profiles", "change_organization"),
    ("profiles", "view_prefectureguide"),
    ("profiles", "change_prefectureguide"),
    ("profiles", "view_concept"),
    ("profiles", "add_concept"),
    ("profiles", "change_concept"),
    ("profiles", "view_prefecture"),
    ("profiles", "view_municipality"),
    ("profiles", "view_industry"),
]


def ensure_groups(**kwargs: Any) -> None:
    """Create the role groups and give curators their permissions (idempotent)."""
    curators, _ = Group.objects.get_or_create(name=CURATORS)
    Group.objects.get_or_create(name=FIRM_MEMBERS)
    wanted = set()
    for app_label, codename in CURATOR_PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            wanted.add(permission.pk)
    if set(curators.permissions.values_list("pk", flat=True)) != wanted:
        curators.permissions.set(wanted)
