"""The pure ranker, without a database: analysis, exactness, filters, boost, explanations."""

from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matchmaking.benchmarks.synthetic import Generator, load_glossary, load_vocabulary
from matchmaking.ranker import (
    AnalysisOptions,
    Analyzer,
    Document,
    Explainer,
    Filters,
    FitParams,
    GlossaryConcept,
    GlossaryMatcher,
    Index,
    fit,
    glossary_matcher,
)
from matchmaking.ranker.fit import FittedMatrix, fit_matrix
from matchmaking.ranker.text import (
    BIGRAM_PREFIX,
    FEATURE_PREFIXES,
    ROLE_BITS,
    UNIGRAM_PREFIX,
    allowed_roles,
    has_japanese,
    is_ngram,
    role_bits,
    role_boost,
    stored_feature,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"

ROBOTS = GlossaryConcept(
    "industrial-robots",
    "industrial robot",
    "産業用ロボット",
    ("industrial robot", "robot arm"),
    ("産業用ロボット", "ロボットアーム"),
)
CHIPS = GlossaryConcept(
    "semiconductors", "semiconductor", "半導体", ("semiconductor", "chip"), ("半導体",)
)


def doc(pk: int, prefecture: str = "43", **fields: str) -> Document:
    metropolitan = prefecture in {"11", "12", "13", "14", "23", "27"}
    return Document(
        id=pk,
        external_id=f"org-{pk}",
        fields=fields,
        kind="company",
        prefecture=prefecture,
        region="kanto" if metropolitan else "kyushu-okinawa",
        metropolitan=metropolitan,
        lying_dragon=False,
    )


def features(text: str, **options: object) -> set[str]:
    analyzer = Analyzer(GlossaryMatcher([ROBOTS, CHIPS]), AnalysisOptions(**options))  # type: ignore[arg-type]
    return set(analyzer.features(text))


def test_it_normalises_full_width_and_half_width_forms_first() -> None:
    assert features("ＲＯＢＯＴＳ") == features("robots")
    assert features("ﾛﾎﾞｯﾄ") == features("ロボット")


def test_it_folds_plurals_and_drops_stop_words_and_case() -> None:
    assert features("The Batteries and the Processes") == {"battery", "process"}


def test_it_finds_glossary_concepts_in_both_languages_and_in_mixed_text() -> None:
    assert "§industrial-robots" in features("we build robot arms")
    assert "§industrial-robots" in features("熊本の産業用ロボットメーカー")
    mixed = features("Kumamoto chip maker 半導体 and ロボットアーム")
    assert {"§semiconductors", "§industrial-robots", "kumamoto"} <= mixed


def test_equal_glossaries_share_one_matcher_and_an_edited_one_gets_its_own() -> None:
    matcher = glossary_matcher([ROBOTS, CHIPS])
    assert glossary_matcher([dataclasses.replace(ROBOTS), dataclasses.replace(CHIPS)]) is matcher
    edited = dataclasses.replace(CHIPS, terms_en=("semiconductor", "chip", "wafer"))
    other = glossary_matcher([ROBOTS, edited])
    assert other is not matcher
    assert other.in_words(["wafer"]) == ["semiconductors"]
    assert matcher.in_words(["wafer"]) == []
    # What a matcher finds is what a matcher built afresh finds.
    words = ["robot", "arm", "and", "chip"]
    assert matcher.in_words(words) == GlossaryMatcher([ROBOTS, CHIPS]).in_words(words)
    index = fit([doc(1, offers_en="robot arms")], [ROBOTS, CHIPS], FitParams())
    assert index.analyzer.glossary is matcher


def test_an_english_query_reaches_a_japanese_only_profile() -> None:
    index = fit(
        [
            doc(1, offers="産業用ロボットの精密組立と保守"),
            doc(2, offers="Dairy farming and cheese"),
        ],
        [ROBOTS, CHIPS],
    )
    hits = index.search("We need robot arms for our assembly lines")
    assert [h.id for h in hits] == [1]


def test_without_the_glossary_or_jmdict_the_japanese_profile_is_out_of_reach() -> None:
    params = FitParams(analysis=AnalysisOptions(concepts=False, dictionary="off"))
    index = fit([doc(1, offers="産業用ロボットの精密組立")], [ROBOTS], params)
    assert index.search("robot arms") == []


def ngrams(text: str, **options: object) -> set[str]:
    """The text's features in the n-gram space, as an index stores them."""
    analyzer = Analyzer(None, AnalysisOptions(dictionary="off", **options))  # type: ignore[arg-type]
    return {f for f in analyzer.plain_features(text) if is_ngram(f)}


def test_kanji_unigrams_let_compounds_that_share_no_bigram_meet() -> None:
    assert AnalysisOptions().ngram_unigrams > 0  # on as shipped
    off = {"ngram_unigrams": 0.0}
    assert ngrams("竹細工", **off) & ngrams("竹製品", **off) == set()
    on = {"ngram_unigrams": 0.5}
    assert ngrams("竹細工", **on) & ngrams("竹製品", **on) == {BIGRAM_PREFIX + "竹"}
    assert stored_feature(UNIGRAM_PREFIX + "竹", AnalysisOptions(**on)) == (  # type: ignore[arg-type]
        BIGRAM_PREFIX + "竹",
        0.5,
    )
    # Kana alone say nothing: no unigrams of them.
    assert ngrams("ぶどうジュース", **on) == ngrams("ぶどうジュース", **off)
    # A one-character run is its own n-gram already: not counted again as a unigram.
    analyzer = Analyzer(None, AnalysisOptions(dictionary="off", **on))  # type: ignore[arg-type]
    found = analyzer.features("竹")
    assert found[BIGRAM_PREFIX + "竹"] == 1
    assert not any(f.startswith(UNIGRAM_PREFIX) for f in found)


@pytest.mark.parametrize(
    ("text", "left_out", "kept"),
    [
        ("金属加工全般（鋳造を除く）", "鋳造", "金属"),
        ("特用林産物のうち、薪及び炭を除く林産物を生産する", "薪", "林産物"),
        ("菓子小売業（製造小売でないもの）", "製造", "菓子"),
        ("Livestock raising services, except veterinary services", "veterinary", "livestock"),
        ("Precision machining (excluding castings) for robots", "casting", "robot"),
    ],
)
def test_what_a_text_says_it_excludes_is_not_among_its_features(
    text: str, left_out: str, kept: str
) -> None:
    analyzer = Analyzer(None, AnalysisOptions(dictionary="off", ngram_share=0.0))
    words = analyzer.plain_features(text)
    assert any(kept in w for w in words), words
    assert not any(left_out in w for w in words), words
    off = Analyzer(None, AnalysisOptions(dictionary="off", ngram_share=0.0, exclusions=False))
    assert any(left_out in w for w in off.plain_features(text))


def test_finding_exclusions_reads_a_long_text_once() -> None:
    # A pattern that tried each character as the start of "... を除く" took 1.7 s on 20,000
    # characters without punctuation (quadratic); a query or profile may be that long.
    from matchmaking.ranker.text import _EXCLUDED

    long = 50_000
    for text in ["x" * long, "あ" * long, " " * long, "(" + "あ" * long, "を除く" * 20_000]:
        started = time.process_time()
        _EXCLUDED.sub(" ", text)
        assert time.process_time() - started < 0.5


def test_a_need_for_what_a_profile_excludes_prefers_the_one_that_offers_it() -> None:
    general = doc(1, offers="金属加工全般（鋳造を除く）を請け負います")
    foundry = doc(2, offers="鋳造と金属加工を請け負います")
    index = fit([general, foundry], [])
    assert [h.id for h in index.search("鋳造")] == [foundry.id]


@pytest.mark.parametrize(
    ("words", "boost"),
    [
        (1, 2.5),
        (3, 2.5),
        (4, 1.25),
        (6, 1.25),
        (7, 0.625),
        (12, 0.625),
        (13, 0.3125),
        (400, 0.3125),
    ],
)
def test_the_role_boost_halves_with_each_doubling_of_the_query_length(
    words: int, boost: float
) -> None:
    options = AnalysisOptions(roles=2.5, role_length=3)
    assert role_boost(options, words) == boost
    # Before issue 15's third round: the whole factor at any length; roles off: none.
    assert role_boost(dataclasses.replace(options, role_length=0), words) == 2.5
    assert role_boost(dataclasses.replace(options, roles=0.0), words) == 0.0


def test_role_words_give_no_ngrams_since_their_role_is_scored_apart() -> None:
    found = ngrams("竹細工卸売業")
    assert {BIGRAM_PREFIX + "竹細", BIGRAM_PREFIX + "細工", BIGRAM_PREFIX + "竹"} <= found
    # Neither the role word's own n-grams nor one across its edge (工卸).
    assert not {"卸売", "売業", "工卸", "卸"} & {g[1:] for g in found}
    before = ngrams("竹細工卸売業", role_ngrams=True)
    assert {BIGRAM_PREFIX + "卸売", BIGRAM_PREFIX + "工卸"} <= before
    # Roles off: nothing is scored apart, so role words keep their n-grams.
    assert BIGRAM_PREFIX + "卸売" in ngrams("竹細工卸売業", roles=0.0)


# A maker of exactly what the query names, a wholesaler of the kind of thing it is, and
# others with one of the two roles (after JSIC's own industries).
ZINC_MAKER = doc(1, name="亜鉛鉄板製造業", description="主として亜鉛鉄板を製造する事業所をいう。")
STEEL_WHOLESALER = doc(
    2,
    name="鉄鋼一次製品卸売業",
    description="主として鉄鋼一次製品を卸売する事業所をいう。鋼板、鋼管、線材を含む。",
)
ROLE_WORLD = [
    ZINC_MAKER,
    STEEL_WHOLESALER,
    doc(3, name="紙卸売業", description="主として洋紙、板紙を卸売する事業所をいう。"),
    doc(4, name="鉄鋼製品製造業", description="主として鉄鋼製品を製造する事業所をいう。"),
    doc(5, name="菓子小売業", description="主として菓子を小売する事業所をいう。"),
]


def test_a_short_query_for_a_role_prefers_that_role_to_a_closer_word_match() -> None:
    index = fit(ROLE_WORLD, [])
    query = index.vectorize("亜鉛鉄板卸売業")
    assert query.roles and query.role_boost == index.analysis.roles
    assert [h.id for h in index.search(query)][:2] == [STEEL_WHOLESALER.id, ZINC_MAKER.id]
    # The analysis before issue 15's third round: the maker's words win.
    before = AnalysisOptions(roles=0.5, role_length=0, role_ngrams=True)
    old = fit(ROLE_WORLD, [], FitParams(analysis=before))
    assert [h.id for h in old.search("亜鉛鉄板卸売業")][:2] == [ZINC_MAKER.id, STEEL_WHOLESALER.id]


def test_in_a_long_need_a_role_word_counts_less() -> None:
    index = fit(ROLE_WORLD, [])
    need = (
        "台湾の建材メーカーです。屋根や外壁に使う亜鉛鉄板を日本から輸入したく、"
        "品質の安定した取引先と長期の契約を結べる卸売業者を探しています。"
    )
    query = index.vectorize(need)
    assert query.roles
    assert 0 < query.role_boost < index.analysis.roles / 2


def test_only_a_company_carries_on_a_trade() -> None:
    # A university of distribution studies writes 流通 and "distribution" all over its
    # profile: it teaches the trade, it does not wholesale. It keeps its own roles.
    university = dataclasses.replace(
        doc(
            6,
            name="流通経済大学",
            description="流通と卸売業の研究・教育。Distribution and wholesale studies.",
        ),
        kind="university",
    )
    wholesaler = doc(
        7, name="九州機械商事", description="工作機械の卸売。Machine tool distributor."
    )
    index = fit([university, wholesaler], [])
    by_id = dict(zip(index.ids.tolist(), index.roles.tolist(), strict=True))
    wholesale, education = ROLE_BITS["wholesale"], ROLE_BITS["education"]
    assert by_id[university.id] & education and not by_id[university.id] & wholesale
    assert by_id[wholesaler.id] & wholesale
    assert allowed_roles("university") == allowed_roles("support_body")
    assert index.search("machine tool distributor")[0].id == wholesaler.id
    # An edit goes through the same rule (the delta segment).
    from matchmaking.ranker.delta import apply_edits

    apply_edits(index, upserts=[dataclasses.replace(university, id=8, external_id="org-8")])
    assert index.segment is not None
    assert not index.segment.documents[0].roles & wholesale
    assert index.segment.documents[0].roles & education


def test_explanations_never_show_kanji_unigrams() -> None:
    params = FitParams(analysis=AnalysisOptions(ngram_unigrams=1.0))
    bamboo = doc(1, offers="竹製品を製造しています")
    moulds = doc(2, offers="精密金型の設計と製作")
    index = fit([bamboo, moulds], [ROBOTS, CHIPS], params)
    assert BIGRAM_PREFIX + "竹" in index.vocabulary
    query = index.vectorize("竹細工の販売")
    hits = index.search(query)
    assert hits and hits[0].id == bamboo.id
    found = index.contributions(query, [hits[0].position], limit=20)[0]
    assert found
    assert not any(c.feature.startswith((BIGRAM_PREFIX, UNIGRAM_PREFIX)) for c in found)
    reasons = Explainer([ROBOTS, CHIPS]).reasons(found, "ja")
    assert {r.term for r in reasons if has_japanese(r.term)} <= set(query.words)


def test_the_regional_boost_raises_and_labels_non_metropolitan_organizations() -> None:
    same = "semiconductor wafer inspection"
    index = fit([doc(1, "13", offers=same), doc(2, "43", offers=same)], [CHIPS])
    plain = index.search("wafer inspection")
    boosted = index.search("wafer inspection", regional_boost=0.1)
    assert [h.id for h in plain] == [1, 2]  # a tie, broken by index order
    assert [h.id for h in boosted] == [2, 1]
    kumamoto, tokyo = boosted
    assert kumamoto.boosted and not tokyo.boosted
    assert kumamoto.score == pytest.approx(kumamoto.unboosted_score * 1.1, rel=1e-6)
    assert tokyo.score == tokyo.unboosted_score


def test_explanations_name_concepts_in_the_visitors_language() -> None:
    params = FitParams(analysis=AnalysisOptions(dictionary="off"))
    index = fit([doc(1, offers="産業用ロボットの精密組立")], [ROBOTS], params)
    query = index.vectorize("robot arm integration")
    contributions = index.contributions(query, [0])[0]
    explainer = Explainer(index.concepts)
    assert [r.term for r in explainer.reasons(contributions, "en")] == ["industrial robot"]
    assert [r.term for r in explainer.reasons(contributions, "ja")] == ["産業用ロボット"]


def test_contributions_add_up_to_the_unboosted_score() -> None:
    index = fit(
        [doc(1, offers="chip packaging and robot arm testing"), doc(2, offers="chip design")],
        [ROBOTS, CHIPS],
    )
    query = index.vectorize("chip testing with robot arms")
    for hit in index.search(query):
        found = index.contributions(query, [hit.position], limit=100)[0]
        assert sum(c.weight for c in found) == pytest.approx(hit.unboosted_score, rel=1e-5)


# ---- Exactness against a float64 scikit-learn reference, on a synthetic corpus ----


@pytest.fixture(scope="module")
def corpus() -> tuple[Generator, list[Document], Index, FittedMatrix]:
    generator = Generator(
        load_glossary(FIXTURES / "glossary.json"), load_vocabulary(FIXTURES), seed=7
    )
    documents = generator.documents(1500)
    # The reference's scikit-learn query vector cannot fold JMdict glosses, short units or
    # kanji unigrams into their features (tests/matchmaking/ranker/test_jmdict.py checks
    # that arithmetic, the same `stored_feature` for all three); the character n-grams
    # (their own space) and the roles are checked here.
    params = FitParams(
        analysis=AnalysisOptions(dictionary="off", short_units=0.0, ngram_unigrams=0.0)
    )
    index = Index.from_bytes(fit(documents, generator.concepts, params).to_bytes())
    fitted = fit_matrix(documents, generator.concepts, params)
    return generator, documents, index, fitted


_UNIT_ROWS: dict[tuple[int, bool], np.ndarray] = {}


def _unit_rows(fitted: FittedMatrix, block: np.ndarray) -> np.ndarray:
    """The documents' rows restricted to one space, l2-normalised again (dense, cached)."""
    key = (id(fitted), bool(block[0]))
    if key not in _UNIT_ROWS:
        rows = fitted.matrix[:, np.flatnonzero(block)].toarray()
        norms = np.linalg.norm(rows, axis=1)
        rows[norms > 0] /= norms[norms > 0, None]
        _UNIT_ROWS[key] = rows
    return _UNIT_ROWS[key]


def reference_role_boost(options: AnalysisOptions, features: list[str]) -> float:
    """The role factor's boost for a query with these features, written out: all of
    `roles` up to `role_length` distinct plain words, then half for each doubling of the
    length, down to an eighth."""
    words = len({f for f in features if not f.startswith(FEATURE_PREFIXES)})
    if options.role_length <= 0:
        return options.roles
    boost, limit = options.roles, options.role_length
    while words > limit and boost > options.roles / 8:
        boost, limit = boost / 2, limit * 2
    return boost


def reference_ranking(
    index: Index,
    fitted: FittedMatrix,
    documents: list[Document],
    text: str,
    filters: Filters,
    boost: float,
) -> np.ndarray:
    """Score every document in float64 with scikit-learn, then filter: the slow, sure way.

    Words and character n-grams are two spaces: the score is (1 - share) × the cosine of
    the words plus share × the cosine of the n-grams, times 1 + the role boost (by the
    query's length) for a document with a role that the query names.
    """
    options = index.analysis
    features = list(index.analyzer.features(text).elements())
    ngram = np.array([is_ngram(t) for t in fitted.vocabulary])
    scores = np.zeros(len(documents))
    for block, share in ((~ngram, 1 - options.ngram_share), (ngram, options.ngram_share)):
        columns = np.flatnonzero(block)
        vocabulary = [fitted.vocabulary[c] for c in columns]
        if not vocabulary or share == 0:
            continue
        vectorizer = TfidfVectorizer(
            analyzer=lambda _: features,
            vocabulary=vocabulary,
            sublinear_tf=True,
            lowercase=False,
            norm="l2",
            dtype=np.float64,
        )
        vectorizer.fit([""])
        vectorizer.idf_ = fitted.idf[columns]
        query = vectorizer.transform([text])
        scores += share * (_unit_rows(fitted, block) @ query.T.toarray()).ravel()
    asked = role_bits(features, more=options.more_roles)
    assert fitted.roles is not None
    for i, d in enumerate(documents):
        scores[i] *= 1 + boost * ((not d.metropolitan) + d.lying_dragon)
        if asked & int(fitted.roles[i]):
            scores[i] *= 1 + reference_role_boost(options, features)
        keep = (
            (not filters.kinds or d.kind in filters.kinds)
            and (not filters.prefectures or d.prefecture in filters.prefectures)
            and (not filters.regions or d.region in filters.regions)
            and (not filters.industries or set(d.industries) & set(filters.industries))
            and (not filters.languages or set(d.languages) & set(filters.languages))
            and (
                not filters.partnership_types
                or set(d.partnership_types) & set(filters.partnership_types)
            )
            and (not filters.lying_dragons_only or d.lying_dragon)
        )
        if not keep:
            scores[i] = 0.0
    return scores


FILTER_CHOICES = [
    Filters(),
    Filters(kinds=("company",)),
    Filters(kinds=("university", "research_institute"), regions=("kyushu-okinawa", "tohoku")),
    Filters(prefectures=("43", "01", "13")),
    Filters(industries=("E29",), languages=("en",)),
    Filters(partnership_types=("joint_rnd",)),
    Filters(lying_dragons_only=True),
]


def test_rankings_equal_an_exact_float64_scikit_learn_reference_on_200_queries(
    corpus: tuple[Generator, list[Document], Index, FittedMatrix],
) -> None:
    generator, documents, index, fitted = corpus
    at = {doc.id: i for i, doc in enumerate(documents)}  # the index orders by prefecture
    chooser = random.Random(11)
    compared = with_roles = 0
    for number in range(240):
        text = generator.query(100) if number % 3 else generator.japanese_query(200)
        filters = chooser.choice(FILTER_CHOICES)
        boost = chooser.choice([0.0, 0.1, 0.3])
        reference = reference_ranking(index, fitted, documents, text, filters, boost)
        hits = index.search(text, top=10, filters=filters, regional_boost=boost)
        expected = np.sort(reference[reference > 0])[::-1][:10]
        assert len(hits) == len(expected), text
        for hit, score in zip(hits, expected, strict=True):
            # Same score at each rank, and each hit has that score in the reference: equal
            # rankings up to the order of ties.
            assert hit.score == pytest.approx(score, abs=1e-5)
            assert reference[at[hit.id]] == pytest.approx(score, abs=1e-5)
        compared += bool(hits)
        with_roles += bool(role_bits(index.analyzer.features(text)))
    assert compared >= 200
    assert with_roles >= 20  # the role factor was exercised


def test_filters_return_exactly_what_filtering_all_scores_returns(
    corpus: tuple[Generator, list[Document], Index, FittedMatrix],
) -> None:
    generator, _, index, _ = corpus
    for text in [generator.query(60) for _ in range(30)]:
        everything = index.search(text, top=len(index))
        for filters in FILTER_CHOICES[1:]:
            mask = index.mask(filters)
            assert mask is not None
            expected = [h.id for h in everything if mask[h.position]][:10]
            assert [h.id for h in index.search(text, top=10, filters=filters)] == expected


def test_the_serialised_index_ranks_like_the_fitted_one(
    corpus: tuple[Generator, list[Document], Index, FittedMatrix],
) -> None:
    generator, documents, _, _ = corpus
    fresh = fit(documents[:300], generator.concepts)
    loaded = Index.from_bytes(fresh.to_bytes())
    for text in [generator.query(50) for _ in range(10)]:
        assert fresh.search(text, regional_boost=0.1) == loaded.search(text, regional_boost=0.1)


def test_the_ranker_imports_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, matchmaking.ranker, matchmaking.benchmarks.quality;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_explanations_name_the_words_that_partial_matches_came_from_never_ngrams() -> None:
    purses = Document(
        id=1,
        external_id="purses",
        fields={"offers": "ハンドバッグ、財布、札入れ、名刺入れなどの袋物を製造しています。"},
        kind="company",
        prefecture="43",
        region="kyushu-okinawa",
        metropolitan=False,
        lying_dragon=False,
    )
    other = dataclasses.replace(
        purses, id=2, external_id="other", fields={"offers": "精密金型の設計と製作"}
    )
    index = fit([purses, other], [ROBOTS, CHIPS])
    query = index.vectorize("名刺ケースの卸売")
    hits = index.search(query)
    assert hits and hits[0].id == purses.id
    found = index.contributions(query, [hits[0].position], limit=20)[0]
    assert found and not any(c.feature.startswith(BIGRAM_PREFIX) for c in found)
    reasons = Explainer([ROBOTS, CHIPS]).reasons(found, "ja")
    terms = {r.term for r in reasons}
    # Japanese reasons are the query's own words (English ones are JMdict glosses of them).
    assert "名刺" in terms
    assert {t for t in terms if has_japanese(t)} <= set(query.words)
