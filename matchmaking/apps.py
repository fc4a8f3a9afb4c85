from __future__ import annotations

from django.apps import AppConfig
from django.db.models import fields
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        # Connect the login throttle and the index rebuild to their signals.
        from matchmaking import checks, throttle  # noqa: F401
        from matchmaking.search import signals  # noqa: F401

        # Django 6.1's empty choice, "- Select an option -", is missing from Django's Japanese
        # catalogue; ours has it (Django reads this constant each time it builds a select).
        fields.BLANK_CHOICE_LABEL = _("Select an option")
