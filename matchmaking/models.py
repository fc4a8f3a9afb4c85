"""The matchmaking app's models, each declared beside the code that uses it."""

from matchmaking.counters import Counter
from matchmaking.firms.models import (
    FirmMember,
    ForeignFirm,
    IntroductionEvent,
    IntroductionRequest,
    IntroductionRequestQuerySet,
    IntroductionState,
    PendingSignUp,
    ShortlistEntry,
    SuggestionFeedback,
    SuggestionShown,
)
from matchmaking.language import LanguagePreference
from matchmaking.search.models import SearchIndex, SearchIndexQuerySet

__all__ = [
    "Counter",
    "FirmMember",
    "ForeignFirm",
    "IntroductionEvent",
    "IntroductionRequest",
    "IntroductionRequestQuerySet",
    "IntroductionState",
    "LanguagePreference",
    "PendingSignUp",
    "SearchIndex",
    "SearchIndexQuerySet",
    "ShortlistEntry",
    "SuggestionFeedback",
    "SuggestionShown",
]
