"""Pure ranking code: plain data in, plain data out; no Django import anywhere in here."""

from matchmaking.ranker.explain import Explainer, Reason
from matchmaking.ranker.facets import Filters
from matchmaking.ranker.fit import DEFAULT_FIELD_WEIGHTS, FIELDS, Document, FitParams, fit
from matchmaking.ranker.index import Hit, Index, QueryVector
from matchmaking.ranker.text import (
    AnalysisOptions,
    Analyzer,
    GlossaryConcept,
    GlossaryMatcher,
    glossary_matcher,
)

__all__ = [
    "DEFAULT_FIELD_WEIGHTS",
    "FIELDS",
    "AnalysisOptions",
    "Analyzer",
    "Document",
    "Explainer",
    "Filters",
    "FitParams",
    "GlossaryConcept",
    "GlossaryMatcher",
    "Hit",
    "Index",
    "QueryVector",
    "Reason",
    "fit",
    "glossary_matcher",
]
