"""Suggestions from the stored index: documents, versions, reloads, rebuilds, filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from matchmaking.firms import partners
from matchmaking.ranker import Document, Filters
from matchmaking.search import selectors, store
from matchmaking.search.documents import organization_documents
from matchmaking.search.models import SearchIndex
from profiles.models import Industry, Language, Organization, PartnershipType
from profiles.services import organizations_set_status
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db

ROBOT_NEED = "We look for a partner that builds industrial robot arms for welding."


def ids(found: list[selectors.Suggestion]) -> list[str]:
    return [s.organization.external_id for s in found]


def test_it_refuses_to_suggest_before_any_index_exists(directory: Any) -> None:
    with pytest.raises(store.IndexMissing):
        selectors.suggest(ROBOT_NEED)


def test_it_suggests_published_organizations_only(indexed: Any) -> None:
    found = ids(selectors.suggest(ROBOT_NEED))
    assert set(found) == {"kumamoto-robots", "tokyo-robots"}
    assert "miyagi-sensors" not in found


def test_the_regional_boost_puts_the_kumamoto_lying_dragon_first(indexed: Any) -> None:
    boosted = selectors.suggest(ROBOT_NEED)
    assert ids(boosted) == ["kumamoto-robots", "tokyo-robots"]
    assert boosted[0].boosted and not boosted[1].boosted
    # The same offers; the names differ a little (肥後 has a JMdict gloss, "Higo", that
    # 品川 lacks), so the fit is nearly equal and Tokyo's a shade better without the boost.
    assert boosted[0].unboosted_score == pytest.approx(boosted[1].unboosted_score, rel=0.05)
    assert boosted[0].score == pytest.approx(boosted[0].unboosted_score * 1.2, rel=1e-5)
    unboosted = selectors.suggest(ROBOT_NEED, boost=False)
    assert ids(unboosted) == ["tokyo-robots", "kumamoto-robots"]
    assert not any(s.boosted for s in unboosted)


def test_an_english_need_finds_a_japanese_only_profile_and_says_why(indexed: Any) -> None:
    found = selectors.suggest("semiconductor packaging and wafer inspection services")
    assert ids(found)[0] == "fukuoka-chips"
    terms = [r.term for r in found[0].reasons]
    assert {"semiconductor testing", "wafer", "semiconductors"} <= set(terms)
    japanese = selectors.suggest("wafer inspection", lang="ja")
    assert "半導体検査" in [r.term for r in japanese[0].reasons]


def test_filters_narrow_the_suggestions(indexed: Any) -> None:
    kyushu = selectors.Filters(regions=("kyushu-okinawa",))
    assert ids(selectors.suggest(ROBOT_NEED, filters=kyushu)) == ["kumamoto-robots"]
    tokyo = Filters(prefectures=("13",))
    assert ids(selectors.suggest(ROBOT_NEED, filters=tokyo)) == ["tokyo-robots"]
    universities = Filters(kinds=("university",))
    assert ids(selectors.suggest("cheese fermentation", filters=universities)) == [
        "hokkaido-dairy"
    ]
    assert selectors.suggest(ROBOT_NEED, filters=universities) == []
    dragons = Filters(lying_dragons_only=True)
    assert ids(selectors.suggest(ROBOT_NEED, filters=dragons)) == ["kumamoto-robots"]


def test_matched_facets_are_reported_for_a_firms_need(indexed: Any) -> None:
    kumamoto = indexed["kumamoto_robots"]
    need = selectors.Need(
        ROBOT_NEED,
        industries=frozenset({kumamoto.industries.get().code}),
        partnership_types=frozenset({"joint_rnd"}),
        languages=frozenset({"en"}),
    )
    top = selectors.suggest(need)[0]
    assert top.organization == kumamoto
    assert set(top.matched_facets) == {"industries", "partnership_types", "languages"}
    assert top.matched_facets["partnership_types"] == ["Joint R&D"]
    in_chinese = selectors.suggest(need, lang="zh-hant")[0].matched_facets
    assert in_chinese["partnership_types"] == ["共同研發"]
    assert in_chinese["languages"] == ["英語"]
    assert in_chinese["industries"] == [kumamoto.industries.get().localized_name("zh-hant")[0]]
    division = Filters(industries=("E",))
    in_division = ids(selectors.suggest(ROBOT_NEED, filters=division))
    assert in_division == ["kumamoto-robots", "tokyo-robots"]
    assert ids(selectors.suggest("dairy cheese", filters=division)) == []


def test_a_rebuild_is_stored_as_a_new_version_and_picked_up_without_restart(
    indexed: Any,
) -> None:
    first = store.current_index().version
    assert "fukuoka-chips" not in ids(selectors.suggest("robot arms"))
    make_organization("40", external_id="fukuoka-robots", offers_en="Robot arms for cars.")
    store.build_index()
    assert store.current_index().version > first
    assert "fukuoka-robots" in ids(selectors.suggest("robot arms"))


def test_old_versions_are_pruned(indexed: Any) -> None:
    for _ in range(store.KEEP_VERSIONS + 2):
        store.build_index()
    assert SearchIndex.objects.count() == store.KEEP_VERSIONS


def test_an_organization_archived_after_the_build_is_not_suggested(indexed: Any) -> None:
    Organization.objects.filter(external_id="tokyo-robots").update(status="archived")
    assert ids(selectors.suggest(ROBOT_NEED)) == ["kumamoto-robots"]


def test_publishing_rebuilds_the_index_in_a_background_task(
    indexed: Any, root: User, django_capture_on_commit_callbacks: Any
) -> None:
    draft = indexed["miyagi_draft"]
    before = store.current_index().version
    with django_capture_on_commit_callbacks(execute=True):
        organizations_set_status(organizations=[draft], status="published", user=root)
    assert store.current_index().version > before
    assert "miyagi-sensors" in ids(selectors.suggest("force sensors robot arms"))


def test_publishing_applies_a_delta_without_a_refit(
    indexed: Any, root: User, django_capture_on_commit_callbacks: Any
) -> None:
    draft = indexed["miyagi_draft"]
    before = store.current_index()
    with django_capture_on_commit_callbacks(execute=True):
        organizations_set_status(organizations=[draft], status="published", user=root)
    after = store.current_index()
    assert after.version > before.version
    assert after.index.segment is not None
    assert [doc.id for doc in after.index.segment.documents] == [draft.pk]
    assert len(after.index.ids) == len(before.index.ids)  # the fitted part is as it was


def test_archiving_takes_an_organization_out_through_the_delta(
    indexed: Any, root: User, django_capture_on_commit_callbacks: Any
) -> None:
    tokyo = Organization.objects.get(external_id="tokyo-robots")
    with django_capture_on_commit_callbacks(execute=True):
        organizations_set_status(organizations=[tokyo], status="archived", user=root)
    Organization.objects.filter(pk=tokyo.pk).update(status="published")  # the index decides
    assert "tokyo-robots" not in ids(selectors.suggest(ROBOT_NEED))


def test_a_full_delta_turns_the_update_into_a_rebuild(indexed: Any, settings: Any) -> None:
    settings.RANKER_DELTA_LIMIT = 1
    published = list(Organization.objects.published().values_list("pk", flat=True)[:2])
    stored = store.update_index(published)
    loaded = store.read_version(stored)
    assert loaded.segment is None and len(loaded) == Organization.objects.published().count()


def test_a_burst_of_changes_already_covered_by_a_build_costs_no_second_build(
    indexed: Any,
) -> None:
    from matchmaking.search.tasks import rebuild_index

    newest = SearchIndex.objects.newest()
    assert newest is not None
    earlier = newest.source_read_at.isoformat()
    assert rebuild_index.call(requested_at=earlier) is None
    assert SearchIndex.objects.count() == 1


def test_a_firms_profile_is_its_need(indexed: Any, maria: User) -> None:
    firm = maria.firm_membership.firm
    firm.seeks_en = "Suppliers of industrial robot arms for welding lines."
    firm.save()
    firm.partnership_types.set(PartnershipType.objects.filter(code="joint_rnd"))
    need = partners.firm_need(firm)
    assert need.partnership_types == {"joint_rnd"}
    found = selectors.suggest(need)
    assert ids(found)[:2] == ["kumamoto-robots", "tokyo-robots"]
    assert found[0].matched_facets == {"partnership_types": ["Joint R&D"]}
    assert "partnership_types" not in found[1].matched_facets


def test_a_later_page_skips_the_best_and_excluded_ones_and_reads_only_its_own_rows(
    directory: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        make_organization(
            "43",
            external_id=f"welder-{n:02d}",
            name_en=f"Welder {n}",
            offers_en="Welding robots" + " and welding cells" * (n % 4),
        )
    store.build_index()
    everything = ids(selectors.suggest(ROBOT_NEED, top=20))
    assert len(everything) == 14
    assert ids(selectors.suggest(ROBOT_NEED, top=5, skip=5)) == everything[5:10]
    hidden = Organization.objects.get(external_id=everything[2]).pk
    without = [e for e in everything if e != everything[2]]
    with django_assert_max_num_queries(5):  # index version, the rows, their three facet lists
        page = selectors.suggest(ROBOT_NEED, top=5, skip=5, exclude={hidden})
    assert ids(page) == without[5:10]
    assert ids(selectors.suggest(ROBOT_NEED, top=5, skip=12)) == everything[12:]


def _documents_from_instances() -> list[Document]:
    """The documents as first read: model instances with their relations prefetched."""
    documents = []
    for org in (
        Organization.objects.published()
        .select_related("prefecture__region")
        .prefetch_related("industries__parent__parent", "partnership_types", "languages")
        .order_by("pk")
    ):
        industries = list(org.industries.all())
        codes = set()
        for industry in industries:
            node: Industry | None = industry
            while node is not None:
                codes.add(node.code)
                node = node.parent
        documents.append(
            Document(
                id=org.pk,
                external_id=org.external_id,
                fields={
                    "name": f"{org.name_en}\n{org.name_ja}",
                    "description": f"{org.description_en}\n{org.description_ja}",
                    "offers": f"{org.offers_en}\n{org.offers_ja}",
                    "seeks": f"{org.seeks_en}\n{org.seeks_ja}",
                    "keywords": org.keywords,
                    "industries": "\n".join(f"{i.name_en}\n{i.name_ja}" for i in industries),
                },
                kind=org.kind,
                prefecture=org.prefecture.code,
                region=org.prefecture.region.code,
                metropolitan=org.prefecture.metropolitan,
                lying_dragon=org.lying_dragon,
                industries=tuple(sorted(codes)),
                partnership_types=tuple(p.code for p in org.partnership_types.all()),
                languages=tuple(lang.code for lang in org.languages.all()),
            )
        )
    return documents


def test_documents_read_as_rows_equal_those_read_as_model_instances(
    directory: dict[str, Organization], django_assert_num_queries: Any
) -> None:
    # Several industries, partnership types and languages on one organization, so their
    # order matters.
    kumamoto = directory["kumamoto_robots"]
    kumamoto.industries.add(*Industry.objects.order_by("-sort_key")[:2])
    kumamoto.partnership_types.add(*PartnershipType.objects.all())
    kumamoto.languages.add(*Language.objects.all())
    with django_assert_num_queries(8):
        documents = organization_documents()
    assert documents == _documents_from_instances()
    assert len(documents[1].partnership_types) == PartnershipType.objects.count()
