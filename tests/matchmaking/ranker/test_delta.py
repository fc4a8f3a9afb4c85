"""Edits without a refit: the delta segment (matchmaking/ranker/delta.py)."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np
import pytest

from matchmaking.benchmarks.synthetic import Generator, load_glossary, load_vocabulary
from matchmaking.ranker import Document, Filters, FitParams, Index, fit
from matchmaking.ranker.delta import apply_edits
from matchmaking.ranker.fit import term_frequencies
from matchmaking.ranker.text import is_ngram
from tests.matchmaking.ranker.test_index import reference_role_boost

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


@pytest.fixture(scope="module")
def world() -> tuple[Generator, list[Document]]:
    generator = Generator(
        load_glossary(FIXTURES / "glossary.json"), load_vocabulary(FIXTURES), seed=3
    )
    return generator, generator.documents(800)


def fresh_index(world: tuple[Generator, list[Document]]) -> Index:
    generator, documents = world
    return Index.from_bytes(fit(documents, generator.concepts).to_bytes())


def edited(document: Document, text: str) -> Document:
    return dataclasses.replace(document, fields={**document.fields, "offers": text})


UNIQUE = "zyxoquantum fluxcapacitor retrofits"


def test_an_edited_profile_is_found_by_its_new_text_and_no_longer_twice(world) -> None:
    index = fresh_index(world)
    _, documents = world
    target = documents[123]
    apply_edits(index, upserts=[edited(target, UNIQUE)])
    hits = index.search(UNIQUE)
    assert hits[0].id == target.id and hits[0].position == len(index.ids)
    # Its old text still finds it, but only as its delta row: never the stale fitted row.
    old = index.search(target.fields["description"], top=len(index))
    assert [h.id for h in old].count(target.id) == 1
    assert all(h.position != index.position_of[target.id] for h in old)


def test_a_removed_profile_is_never_returned(world) -> None:
    index = fresh_index(world)
    _, documents = world
    target = documents[5]
    assert index.search(target.fields["offers"])[0].id == target.id
    apply_edits(index, removals=[target.id])
    assert target.id not in {h.id for h in index.search(target.fields["offers"], top=len(index))}


def test_a_second_edit_replaces_the_first_in_the_delta(world) -> None:
    index = fresh_index(world)
    _, documents = world
    target = documents[7]
    apply_edits(index, upserts=[edited(target, UNIQUE)])
    apply_edits(index, upserts=[edited(target, "plain hydroponic lettuce farming")])
    assert index.segment is not None and len(index.segment) == 1
    assert target.id not in {h.id for h in index.search(UNIQUE)}


def test_delta_scores_equal_tf_idf_cosine_with_the_fitted_idf(world) -> None:
    """With the fitted idf (no drift), a delta document scores its exact float64 cosine."""
    generator, documents = world
    index = fresh_index(world)
    changed = [edited(documents[i], generator.query(40)) for i in (10, 20, 30)]
    apply_edits(index, upserts=changed)
    params = FitParams()
    options = index.analysis
    ngram = np.array([is_ngram(t) for t in index.vocabulary])
    rows = []
    for doc in changed:
        row = np.zeros(len(index.vocabulary))
        for feature, tf in term_frequencies(doc.fields, index.analyzer, params).items():
            if feature in index.term_ids:
                row[index.term_ids[feature]] = tf * float(index.idf[index.term_ids[feature]])
        # Words and character n-grams: two spaces, each l2-normalised, then weighted.
        for block, share in ((~ngram, 1 - options.ngram_share), (ngram, options.ngram_share)):
            norm = np.linalg.norm(row[block])
            if norm > 0:
                row[block] *= np.sqrt(share) / norm
        rows.append(row)
    assert index.segment is not None
    roles = {doc.id: doc.roles for doc in index.segment.documents}
    assert any(roles.values())
    for text in [generator.query(60) for _ in range(20)]:
        query = index.vectorize(text)
        hits = {h.id: h.unboosted_score for h in index.search(query, top=len(index))}
        q = np.zeros(len(index.vocabulary))
        q[query.terms] = query.weights
        for doc, row in zip(changed, rows, strict=True):
            boost = reference_role_boost(options, list(query.analysed))
            factor = 1 + boost if roles[doc.id] & query.roles else 1.0
            assert hits.get(doc.id, 0.0) == pytest.approx(float(q @ row) * factor, abs=1e-6)


def test_edits_rank_like_a_full_rebuild_except_for_idf_drift(world) -> None:
    generator, documents = world
    chooser = random.Random(5)
    picked = chooser.sample(range(len(documents)), 20)
    changed = {documents[i].id: edited(documents[i], generator.query(50)) for i in picked}
    index = fresh_index(world)
    apply_edits(index, upserts=list(changed.values()))
    rebuilt = fit([changed.get(d.id, d) for d in documents], generator.concepts)
    overlaps = []
    for text in [generator.query(80) for _ in range(40)]:
        ours = [h.id for h in index.search(text)]
        theirs = [h.id for h in rebuilt.search(text)]
        overlaps.append(len(set(ours) & set(theirs)) / max(len(theirs), 1))
    assert np.mean(overlaps) >= 0.9


def test_filters_and_boost_apply_to_the_delta(world) -> None:
    index = fresh_index(world)
    _, documents = world
    target = dataclasses.replace(edited(documents[50], UNIQUE), kind="university")
    apply_edits(index, upserts=[target])
    assert [h.id for h in index.search(UNIQUE, filters=Filters(kinds=("university",)))][:1] == [
        target.id
    ]
    assert target.id not in {
        h.id for h in index.search(UNIQUE, filters=Filters(kinds=("company",)))
    }
    boosted = index.search(UNIQUE, regional_boost=0.5)[0]
    assert boosted.boosted == (not target.metropolitan or target.lying_dragon)


def test_the_delta_survives_serialisation_and_explains_itself(world) -> None:
    index = fresh_index(world)
    _, documents = world
    apply_edits(index, upserts=[edited(documents[9], UNIQUE)], removals=[documents[1].id])
    loaded = Index.from_bytes(index.to_bytes())
    assert loaded.search(UNIQUE) == index.search(UNIQUE)
    assert len(loaded) == len(index)
    query = loaded.vectorize(UNIQUE)
    hit = loaded.search(query)[0]
    found = loaded.contributions(query, [hit.position], limit=50)[0]
    assert sum(c.weight for c in found) == pytest.approx(hit.unboosted_score, rel=1e-5)
    assert {"zyxoquantum", "fluxcapacitor"} <= {c.feature for c in found}
