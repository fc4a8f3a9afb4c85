"""Browsing the index (matchmaking/ranker/browse.py), checked against a brute-force reading
of the same documents: which match a text, how many under each filter value, in what order."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np
import pytest

from matchmaking.benchmarks.synthetic import Generator, load_glossary, load_vocabulary
from matchmaking.ranker import Document, Filters, FitParams, Index, fit
from matchmaking.ranker.browse import browse
from matchmaking.ranker.delta import apply_edits
from matchmaking.ranker.fit import term_frequencies

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
# Small enough that some features are corpus stop words (in more than 20 % of documents).
PARAMS = FitParams(max_df_floor=50)


@pytest.fixture(scope="module")
def world() -> tuple[Generator, list[Document], Index, list[Document]]:
    """600 documents, then a delta: 10 edited, 5 withdrawn, 5 new. Returns the documents
    as they now stand (the live ones) beside the index."""
    generator = Generator(
        load_glossary(FIXTURES / "glossary.json"), load_vocabulary(FIXTURES), seed=11
    )
    documents = generator.documents(620)
    fitted, new = documents[:600], documents[600:605]
    index = Index.from_bytes(fit(fitted, generator.concepts, PARAMS).to_bytes())
    assert index.common_terms, "the corpus must have stop words for these tests"
    edits = [
        dataclasses.replace(fitted[i], fields={**fitted[i].fields, "offers": generator.query(30)})
        for i in range(0, 100, 10)
    ]
    withdrawn = {fitted[i].id for i in range(5, 30, 5)}
    apply_edits(index, upserts=[*edits, *new], removals=withdrawn)
    index = Index.from_bytes(index.to_bytes())  # what a web process loads
    by_id = {doc.id: doc for doc in fitted if doc.id not in withdrawn}
    by_id.update({doc.id: doc for doc in [*edits, *new]})
    return generator, documents, index, list(by_id.values())


def _features(index: Index, doc: Document) -> set[str]:
    return set(term_frequencies(doc.fields, index.analyzer, PARAMS))


def _passes(doc: Document, filters: Filters, but: str = "") -> bool:
    checks = {
        "kinds": doc.kind in filters.kinds,
        "regions": doc.region in filters.regions,
        "prefectures": doc.prefecture in filters.prefectures,
        "industries": bool(set(doc.industries) & set(filters.industries)),
        "partnership_types": bool(set(doc.partnership_types) & set(filters.partnership_types)),
        "languages": bool(set(doc.languages) & set(filters.languages)),
        "lying_dragons_only": doc.lying_dragon,
    }
    return all(ok for name, ok in checks.items() if name != but and getattr(filters, name))


def _brute_force(index: Index, live: list[Document], text: str, filters: Filters):
    wanted = index.analyzer.plain_features(text) if text else set()
    known = wanted & (set(index.term_ids) | set(index.common_terms))
    matched = [d for d in live if not text or known & _features(index, d)]
    counts: dict[str, dict[str, int]] = {}
    for name, attribute in [
        ("kinds", "kind"),
        ("regions", "region"),
        ("prefectures", "prefecture"),
        ("industries", "industries"),
        ("partnership_types", "partnership_types"),
        ("languages", "languages"),
    ]:
        tally: dict[str, int] = {}
        for doc in matched:
            if _passes(doc, filters, but=name):
                values = getattr(doc, attribute)
                for value in [values] if isinstance(values, str) else set(values):
                    tally[value] = tally.get(value, 0) + 1
        counts[name] = tally
    dragons = sum(
        1 for d in matched if d.lying_dragon and _passes(d, filters, but="lying_dragons_only")
    )
    return {d.id for d in matched if _passes(d, filters)}, counts, dragons


def _cases(generator: Generator, live: list[Document]) -> list[tuple[str, Filters]]:
    chooser = random.Random(5)
    some = chooser.sample(live, 6)
    texts = ["", "manufacturing", generator.query(10), generator.query(10), "精密加工 ロボット"]
    texts += [generator.japanese_query(40), some[0].fields["offers"][:80]]
    filters = [
        Filters(),
        Filters(kinds=(some[1].kind,)),
        Filters(regions=(some[2].region,), lying_dragons_only=True),
        Filters(prefectures=(some[3].prefecture,)),
        Filters(industries=some[4].industries[:1], languages=some[5].languages[:1]),
        Filters(partnership_types=some[5].partnership_types[:1], kinds=(some[4].kind,)),
    ]
    return [(text, f) for text in texts for f in filters]


def test_matches_and_counts_equal_a_brute_force_reading(world) -> None:
    generator, _, index, live = world
    common_only = 0
    for text, filters in _cases(generator, live):
        listing = browse(index, text, filters)
        expected_ids, expected_counts, expected_dragons = _brute_force(index, live, text, filters)
        assert set(listing.ids.tolist()) == expected_ids, (text, filters)
        assert len(listing.ids) == len(expected_ids)  # nobody twice (old row and delta row)
        assert listing.counts == expected_counts, (text, filters)
        assert listing.dragons == expected_dragons, (text, filters)
        common_only += int(text != "" and bool((listing.scores == 0).any()))
    # Some texts matched documents only through corpus stop words: that path was tested.
    assert common_only > 0


def test_a_corpus_stop_word_still_finds_every_document_that_holds_it(world) -> None:
    _, _, index, live = world
    word = max(index.common_terms, key=lambda w: (not w.startswith(("§", "²")), w.isascii()))
    holders = {d.id for d in live if word in _features(index, d)}
    listing = browse(index, word, Filters())
    assert holders and set(listing.ids.tolist()) == holders
    assert not listing.scores.any()  # they match, but the word does not score


def test_the_order_is_the_search_order_then_dragons_then_regional(world) -> None:
    generator, _, index, _ = world
    for boost in (0.0, 0.1):
        for text in (generator.query(10), generator.query(100), generator.japanese_query(60)):
            for filters in (Filters(), Filters(regions=("kanto", "kyushu-okinawa"))):
                listing = browse(index, text, filters, regional_boost=boost)
                hits = index.search(text, top=10, filters=filters, regional_boost=boost)
                # The same scores, best first, as the top-k search (ties may swap).
                _, best = listing.best(10)
                np.testing.assert_allclose(best, [h.score for h in hits], rtol=1e-6)
                ids, scores = listing.best(len(listing))
                assert np.all(np.diff(scores) <= 0)
                assert sorted(ids.tolist()) == sorted(listing.ids.tolist())
                # A page is the start of the whole order.
                assert listing.best(25)[0].tolist() == ids[:25].tolist()
    # Without a text: the lying dragons first, then non-metropolitan, then the rest.
    listing = browse(index, "", Filters())
    ids, _ = listing.best(len(listing))
    positions = [index.position_of.get(pk) for pk in ids.tolist()]
    keys = [
        (not index.facets.lying_dragon[p], bool(index.facets.metropolitan[p]))
        for p in positions
        if p is not None
    ]
    assert keys == sorted(keys) and len(set(keys)) > 2


def test_without_a_text_every_live_document_is_listed_once(world) -> None:
    _, documents, index, live = world
    listing = browse(index, "", Filters())
    assert sorted(listing.ids.tolist()) == sorted(d.id for d in live)
    withdrawn = {d.id for d in documents[:600]} - {d.id for d in live}
    assert withdrawn and not withdrawn & set(listing.ids.tolist())


def test_a_cached_listing_follows_every_edit(world) -> None:
    generator, documents, _, _ = world
    index = Index.from_bytes(fit(documents[:200], generator.concepts, PARAMS).to_bytes())
    first = browse(index, "", Filters(kinds=(documents[0].kind,)))
    assert browse(index, "", Filters(kinds=(documents[0].kind,))) is first  # cached
    apply_edits(index, removals=[documents[0].id])
    after = browse(index, "", Filters(kinds=(documents[0].kind,)))
    assert len(after) == len(first) - 1 and documents[0].id not in after.ids
    moved = dataclasses.replace(documents[1], kind="support_body")
    apply_edits(index, upserts=[moved])
    assert (
        browse(index, "", Filters(kinds=("support_body",))).counts["kinds"]["support_body"]
        == sum(d.kind == "support_body" for d in documents[2:200]) + 1
    )
