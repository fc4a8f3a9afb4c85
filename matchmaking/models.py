"""The matchmaking app's models, each declared beside the code that uses it."""

from matchmaking.counters import Counter
from matchmaking.events.models import Event, EventQuerySet, Meeting, Registration
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
from matchmaking.search.models import SearchIndex, SearchIndexQuerySet

__all__ = [
    "Counter",
    "Event",
    "EventQuerySet",
    "FirmMember",
    "ForeignFirm",
    "IntroductionEvent",
    "IntroductionRequest",
    "IntroductionRequestQuerySet",
    "IntroductionState",
    "Meeting",
    "PendingSignUp",
    "Registration",
    "SearchIndex",
    "SearchIndexQuerySet",
    "ShortlistEntry",
    "SuggestionFeedback",
    "SuggestionShown",
]
