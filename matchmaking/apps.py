from __future__ import annotations

from django.apps import AppConfig
from django.db.models import fields
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        # Connect the login throttle, the account language and the index rebuild to signals,
        # and register the deployment checks.
        from matchmaking import checks, language, throttle  # noqa: F401
        from matchmaking.search import signals  # noqa: F401

        # Django 6.1's empty choice, "- Select an option -", is missing from Django's Japanese
        # catalogue; ours has it, under Django's own text: the admin's autodiscovery builds the
        # curation forms before this runs, and their selects keep Django's lazy label, which
        # our catalogue then translates too (a label of our own left them in English).
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
