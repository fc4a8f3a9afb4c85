"""The matchmaking app's models, each declared beside the code that uses it."""

from matchmaking.firms.models import (
    FirmMember,
    ForeignFirm,
    IntroductionEvent,
    IntroductionRequest,
    IntroductionRequestQuerySet,
    IntroductionState,
    ShortlistEntry,
    SuggestionFeedback,
    SuggestionShown,
)
from matchmaking.search.models import SearchIndex, SearchIndexQuerySet

__all__ = [
    "FirmMember",
    "ForeignFirm",
    "IntroductionEvent",
    "IntroductionRequest",
    "IntroductionRequestQuerySet",
    "IntroductionState",
    "SearchIndex",
    "SearchIndexQuerySet",
    "ShortlistEntry",
    "SuggestionFeedback",
    "SuggestionShown",
]
