from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from profiles import signals  # noqa: F401  (connects the model signals)
        from profiles.roles import ensure_groups

        post_migrate.connect(ensure_groups, sender=self)
