"""The matchmaking app's models, each declared beside the code that uses it."""

from matchmaking.counters import Counter
from matchmaking.events.models import Event, EventMeeting, EventQuerySet, Registration
from matchmaking.firms.introductions.models import Meeting, MeetingSlot, Outcome, OutcomeAsk
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
from matchmaking.search.models import SearchIndex, SearchIndexChunk, SearchIndexQuerySet

__all__ = [
    "Counter",
    "Event",
    "EventMeeting",
    "EventQuerySet",
    "FirmMember",
    "ForeignFirm",
    "IntroductionEvent",
    "IntroductionRequest",
    "IntroductionRequestQuerySet",
    "IntroductionState",
    "LanguagePreference",
    "Meeting",
    "MeetingSlot",
    "Outcome",
    "OutcomeAsk",
    "PendingSignUp",
    "Registration",
    "SearchIndex",
    "SearchIndexChunk",
    "SearchIndexQuerySet",
    "ShortlistEntry",
    "SuggestionFeedback",
    "SuggestionShown",
]
