"""Analysis variants for the ablation tables (matchmaking/benchmarks/ablation.py)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from matchmaking.benchmarks.ablation import SHIPPED, BadVariant, parse
from matchmaking.ranker import AnalysisOptions, FitParams


def test_a_variant_changes_only_the_options_it_names() -> None:
    params = parse("ngram_unigrams=1.0, ngram_share=0.6,concepts=false")
    assert params.analysis.ngram_unigrams == 1.0
    assert params.analysis.ngram_share == 0.6
    assert params.analysis.concepts is False
    assert params.analysis.ngram_longest == AnalysisOptions().ngram_longest
    assert params.field_weights == FitParams().field_weights
    assert parse(SHIPPED) == FitParams()


@pytest.mark.parametrize(
    ("variant", "says"),
    [
        ("ngram_unigram=1", "the option one of"),  # a typo: no such option
        ("ngram_unigrams", "write option=value"),
        ("ngram_unigrams=lots", "takes a float"),
        ("concepts=maybe", "takes a bool"),
    ],
)
def test_a_bad_variant_says_what_is_wrong(variant: str, says: str) -> None:
    with pytest.raises(BadVariant, match=says):
        parse(variant)


def test_the_command_refuses_a_bad_variant_before_fitting_anything() -> None:
    with pytest.raises(CommandError, match="takes a float"):
        call_command("bench_ablation", SHIPPED, "ngram_share=half")


def test_a_variant_can_change_the_fits_numbers_and_a_fields_weight() -> None:
    params = parse("weight.name=1.5,concept_weight=3,ngram_unigrams=0.5")
    assert params.field_weights["name"] == 1.5
    assert params.field_weights["description"] == FitParams().field_weights["description"]
    assert params.concept_weight == 3.0
    assert params.analysis.ngram_unigrams == 0.5
    with pytest.raises(BadVariant, match="takes a float"):
        parse("weight.name=heavy")
    with pytest.raises(BadVariant, match="the option one of"):
        parse("weight.title=2")
