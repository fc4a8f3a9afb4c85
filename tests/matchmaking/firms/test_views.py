"""The firm's own pages: profile with the thin-profile flag, shortlist, suggested partners,
"not relevant" feedback, similar organizations; each firm sees only its own."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from matchmaking.firms.models import FirmMember, ForeignFirm, ShortlistEntry, SuggestionFeedback
from matchmaking.firms.partners import firm_need
from matchmaking.search import selectors
from profiles.models import Industry, Organization, PartnershipType
from profiles.roles import FIRM_MEMBERS
from tests.conftest import PASSWORD, make_organization

pytestmark = pytest.mark.django_db

ROBOT_NEED = "We look for a partner that builds industrial robot arms for welding lines."
FIRM_URLS = ["firm:profile", "firm:suggested", "firm:shortlist", "firm:shortlist_csv"]


@pytest.fixture
def kai(db: None) -> User:
    """Kai works for Baltic Wind, another firm."""
    firm = ForeignFirm.objects.create(name="Baltic Wind AB", slug="baltic-wind", country="SE")
    user = User.objects.create_user("kai@balticwind.example", "kai@balticwind.example", PASSWORD)
    user.groups.add(Group.objects.get(name=FIRM_MEMBERS))
    FirmMember.objects.create(user=user, firm=firm)
    return user


def acme(maria: User) -> ForeignFirm:
    return maria.firm_membership.firm


@pytest.mark.parametrize("name", FIRM_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", FIRM_URLS)
def test_curators_and_admins_have_no_firm_pages(
    client: Client, aiko: User, root: User, name: str
) -> None:
    for user in (aiko, root):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_a_thin_profile_is_flagged_with_what_to_add(client: Client, maria: User) -> None:
    client.force_login(maria)
    response = client.get(reverse("firm:profile"))
    assert {gap.field for gap in response.context["gaps"]} == {
        "seeks",
        "offers",
        "industries",
        "partnership_types",
    }
    assert 'id="thin-profile"' in response.content.decode()


def test_a_complete_profile_is_saved_and_no_longer_flagged(client: Client, maria: User) -> None:
    client.force_login(maria)
    division = Industry.objects.get(code="E")
    joint = PartnershipType.objects.get(code="joint_rnd")
    response = client.post(
        reverse("firm:profile"),
        {
            "name": "Acme Robotics Inc.",
            "country": "us",
            "seeks_en": ROBOT_NEED + " Ideally a regional maker with export experience.",
            "offers_ja": "米国市場への販売網と溶接ロボット向けの制御ソフトウェアを提供します。",
            "industries": [division.pk],
            "partnership_types": [joint.pk],
        },
    )
    assert response.status_code == 302
    firm = acme(maria)
    firm.refresh_from_db()
    assert firm.country == "US"
    assert firm.offers_ja.startswith("米国市場")
    page = client.get(reverse("firm:profile"))
    assert page.context["gaps"] == []
    assert 'id="profile-ok"' in page.content.decode()


def test_shortlist_adds_and_removes_in_one_click_with_htmx(client: Client, maria: User) -> None:
    org = make_organization("43", name_en="Higo Welding")
    client.force_login(maria)
    url = reverse("firm:shortlist_toggle", args=[org.pk])
    response = client.post(url, {"action": "add"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="shortlist-{org.pk}"' in body and 'value="remove"' in body
    assert "HX-Request" in response["Vary"]
    # A double click adds once.
    client.post(url, {"action": "add"}, headers={"HX-Request": "true"})
    assert ShortlistEntry.objects.filter(firm=acme(maria), organization=org).count() == 1
    client.post(url, {"action": "remove"}, headers={"HX-Request": "true"})
    assert not ShortlistEntry.objects.filter(firm=acme(maria)).exists()


def test_shortlist_works_without_javascript(client: Client, maria: User) -> None:
    org = make_organization("43", name_en="Higo Welding")
    client.force_login(maria)
    response = client.post(reverse("firm:shortlist_toggle", args=[org.pk]), {"action": "add"})
    assert response.status_code == 302
    page = client.get(reverse("firm:shortlist"))
    assert "<html" in page.content.decode() and "Higo Welding" in page.content.decode()


def test_unpublished_organizations_cannot_be_shortlisted(client: Client, maria: User) -> None:
    draft = make_organization("43", status=Organization.Status.DRAFT)
    client.force_login(maria)
    response = client.post(reverse("firm:shortlist_toggle", args=[draft.pk]), {"action": "add"})
    assert response.status_code == 404


def test_notes_and_shortlist_stay_private_to_the_firm(
    client: Client, maria: User, kai: User
) -> None:
    org = make_organization("43", name_en="Higo Welding")
    ShortlistEntry.objects.create(firm=acme(maria), organization=org, note="call in May")
    client.force_login(kai)
    assert "Higo Welding" not in client.get(reverse("firm:shortlist")).content.decode()
    response = client.post(reverse("firm:shortlist_note", args=[org.pk]), {"note": "mine now"})
    assert response.status_code == 404
    assert ShortlistEntry.objects.get(organization=org).note == "call in May"
    client.force_login(maria)
    client.post(reverse("firm:shortlist_note", args=[org.pk]), {"note": "call in June"})
    assert ShortlistEntry.objects.get(organization=org).note == "call in June"


def test_the_shortlist_exports_as_csv_with_notes_and_no_formulas(
    client: Client, maria: User
) -> None:
    org = make_organization("43", name_en="Higo Welding", name_ja="肥後溶接", lying_dragon=True)
    ShortlistEntry.objects.create(firm=acme(maria), organization=org, note="=HYPERLINK(evil)")
    client.force_login(maria)
    response = client.get(reverse("firm:shortlist_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["name_en", "name_ja", "prefecture"]
    assert rows[1][:5] == ["Higo Welding", "肥後溶接", "Kumamoto", "company", "yes"]
    assert rows[1][6] == "'=HYPERLINK(evil)"


# -- suggested partners, on the small ranked directory of tests/matchmaking/conftest.py --


@pytest.fixture
def robot_firm(maria: User) -> ForeignFirm:
    firm = acme(maria)
    firm.seeks_en = ROBOT_NEED
    firm.save()
    return firm


def test_suggestions_rank_the_firm_profile_with_explanations_and_labels(
    client: Client, maria: User, robot_firm: ForeignFirm, indexed: dict[str, Organization]
) -> None:
    client.force_login(maria)
    response = client.get(reverse("firm:suggested"))
    body = response.content.decode()
    assert "<html" in body
    rows = response.context["page"].rows
    assert [s.organization.external_id for s in rows] == ["kumamoto-robots", "tokyo-robots"]
    assert rows[0].boosted and "robot" in {r.term for r in rows[0].reasons}
    assert 'class="badge regional"' in body and 'class="badge metro"' in body
    assert 'class="badge dragon"' in body
    assert "Regional boost" in body


def test_the_boost_switch_and_filters_change_the_ranking(
    client: Client, maria: User, robot_firm: ForeignFirm, indexed: dict[str, Organization]
) -> None:
    client.force_login(maria)
    off = client.get(reverse("firm:suggested"), {"boost": ["0"]})
    assert off.context["page"].rows[0].organization.external_id == "tokyo-robots"
    on = client.get(reverse("firm:suggested"), {"boost": ["0", "1"]})
    assert on.context["page"].rows[0].organization.external_id == "kumamoto-robots"
    kyushu = client.get(reverse("firm:suggested"), {"region": "kyushu-okinawa"})
    assert [s.organization.external_id for s in kyushu.context["page"].rows] == ["kumamoto-robots"]


def test_the_refine_box_adds_to_the_profile(
    client: Client, maria: User, robot_firm: ForeignFirm, indexed: dict[str, Organization]
) -> None:
    client.force_login(maria)
    response = client.get(reverse("firm:suggested"), {"refine": "cheese fermentation dairy"})
    found = [s.organization.external_id for s in response.context["page"].rows]
    assert "hokkaido-dairy" in found and "kumamoto-robots" in found


def test_suggestions_answer_htmx_with_the_results_partial(
    client: Client, maria: User, robot_firm: ForeignFirm, indexed: dict[str, Organization]
) -> None:
    client.force_login(maria)
    response = client.get(reverse("firm:suggested"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="suggestion-results"' in body
    assert "HX-Request" in response["Vary"]


def test_suggestions_page_runs_a_fixed_number_of_queries(
    client: Client,
    maria: User,
    robot_firm: ForeignFirm,
    indexed: dict[str, Organization],
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(maria)
    client.get(reverse("firm:suggested"))  # loads the index and the filter options
    with django_assert_max_num_queries(20):
        client.get(reverse("firm:suggested"))


def test_not_relevant_hides_the_suggestion_and_is_recorded(
    client: Client, maria: User, robot_firm: ForeignFirm, indexed: dict[str, Organization]
) -> None:
    client.force_login(maria)
    tokyo = indexed["tokyo_robots"]
    response = client.post(
        reverse("firm:dismiss", args=[tokyo.pk]),
        {"reason": "region", "comment": "we want Kyushu"},
        headers={"HX-Request": "true"},
    )
    assert f'id="suggestion-{tokyo.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    feedback = SuggestionFeedback.objects.get()
    assert (feedback.firm, feedback.reason, feedback.given_by) == (robot_firm, "region", maria)
    page = client.get(reverse("firm:suggested"))
    assert [s.organization.external_id for s in page.context["page"].rows] == ["kumamoto-robots"]
    assert page.context["page"].hidden_count == 1


def test_not_relevant_needs_one_of_the_fixed_reasons(
    client: Client, maria: User, indexed: dict[str, Organization]
) -> None:
    client.force_login(maria)
    org = indexed["tokyo_robots"]
    response = client.post(reverse("firm:dismiss", args=[org.pk]), {"reason": "bored"})
    assert response.status_code == 302
    assert not SuggestionFeedback.objects.exists()


def test_without_an_index_the_page_says_so(
    client: Client, maria: User, directory: dict[str, Organization]
) -> None:
    client.force_login(maria)
    response = client.get(reverse("firm:suggested"))
    assert response.status_code == 200
    assert response.context["page"] is None


def test_the_organization_page_lists_similar_organizations_and_the_shortlist_button(
    client: Client, maria: User, indexed: dict[str, Organization]
) -> None:
    kumamoto = indexed["kumamoto_robots"]
    response = client.get(kumamoto.get_absolute_url())
    body = response.content.decode()
    assert 'id="similar-heading"' in body and "Edo Robotics" in body
    assert f'id="shortlist-{kumamoto.pk}"' not in body  # anonymous: no firm controls
    client.force_login(maria)
    body = client.get(kumamoto.get_absolute_url()).content.decode()
    assert f'id="shortlist-{kumamoto.pk}"' in body


def test_similar_organizations_cost_one_query_once_the_index_is_loaded(
    client: Client,
    indexed: dict[str, Organization],
    django_assert_num_queries: Any,
    settings: Any,
) -> None:
    url = indexed["kumamoto_robots"].get_absolute_url()
    client.get(url)
    settings.RANKER_RELOAD_SECONDS = 3600
    client.get(url)
    with django_assert_num_queries(5):
        client.get(url)


def test_a_profile_written_in_chinese_is_saved_and_matched_as_chinese(
    client: Client, maria: User, indexed: dict[str, Organization]
) -> None:
    # Issue 18: a Taiwanese or mainland firm writes its profile in Chinese in the
    # English / own-language boxes; the need is read as Chinese against Japanese profiles.
    client.force_login(maria)
    response = client.post(
        reverse("firm:profile"),
        {
            "name": "新竹封測股份有限公司",
            "country": "tw",
            "seeks_en": "尋找半導體封裝與晶圓檢查設備的日本合作夥伴，希望進行技術合作。",
            "offers_en": "我們提供台灣的封測產能與銷售通路。",
        },
    )
    assert response.status_code == 302
    firm = acme(maria)
    firm.refresh_from_db()
    assert firm.seeks_en.startswith("尋找半導體封裝")
    need = firm_need(firm)
    found = selectors.suggest(need, top=3, lang="zh-hant")
    assert found[0].organization.external_id == "fukuoka-chips"
    terms = {r.term for r in found[0].reasons}
    assert "晶圓" in terms, terms
    english = selectors.suggest(need, top=3, lang="en")
    assert "wafer" in {r.term for r in english[0].reasons}
