from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        # Connect the login throttle and the index rebuild to their signals.
        from matchmaking import throttle  # noqa: F401
        from matchmaking.search import signals  # noqa: F401
