"""The workspace pages: dashboard, list, form, workflow, history, prefecture page, export."""

from __future__ import annotations

import csv
import datetime
import io
import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profiles.exporting import to_csv, to_xlsx
from profiles.forms import OrganizationForm
from profiles.importing import organizations_import
from profiles.models import (
    Concept,
    Industry,
    Municipality,
    Organization,
    PartnershipType,
    PrefectureGuide,
)
from tests.conftest import make_curator, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def aiko_client(client: Client, aiko: User) -> Client:
    client.force_login(aiko)
    return client


def form_data(organization: Organization | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "company",
        "name_en": "Aso Precision",
        "name_ja": "阿蘇精密",
        "prefecture": "43",
        "version": organization.version if organization else "",
    }
    return data | fields


def test_the_dashboard_names_what_each_profile_lacks(
    aiko_client: Client, django_assert_max_num_queries: Any
) -> None:
    bare = make_organization("43", name_en="Bare Works", status="draft")
    Organization.objects.filter(pk=bare.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=400)
    )
    complete = make_organization(
        "43",
        name_en="Complete Works",
        description_en="Gears.",
        offers_en="Gears",
        keywords="gears\nsensors\nrobots",
    )
    complete.partnership_types.set(PartnershipType.objects.all()[:1])
    make_organization("01", name_en="Sapporo Works", status="draft")
    # 13: the curator's scope, statuses, needs-work, recent changes, and the introduction
    # requests waiting (scope, count, first five); none of it grows with the data.
    with django_assert_max_num_queries(13):
        page = aiko_client.get(reverse("workspace:dashboard")).content.decode()
    assert "Bare Works" in page and "Sapporo Works" not in page
    needs_work = page.split('id="needs-work"')[1].split("</section>")[0]
    assert "Complete Works" not in needs_work
    for missing in [
        "no English description",
        "no offers",
        "no partnership types",
        "few keywords",
        "not updated for 12 months",
    ]:
        assert missing in needs_work
    assert "No introduction requests are waiting" in page


def test_the_organization_list_filters_by_status_with_htmx(
    aiko_client: Client, django_assert_num_queries: Any
) -> None:
    make_organization("43", name_en="Draft One", status="draft")
    make_organization("43", name_en="Live One", status="published")
    url = reverse("workspace:organizations") + "?status=draft"
    full = aiko_client.get(url)
    assert b"<html" in full.content and b"Draft One" in full.content
    assert b"Live One" not in full.content
    # session, user, curatorships (entry check), curatorships (scope), count, page
    with django_assert_num_queries(6):
        partial = aiko_client.get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="organization-list"' in partial.content
    assert "HX-Request" in partial["Vary"]


def test_a_curator_creates_an_organization_as_a_draft_with_history(
    aiko_client: Client, aiko: User
) -> None:
    data = form_data(industries="E | 2922", partnership_types=["joint_rnd"], keywords="a\na\nb")
    response = aiko_client.post(reverse("workspace:organization_create"), data)
    organization = Organization.objects.get(name_en="Aso Precision")
    assert response["Location"] == reverse("workspace:organization", args=[organization.pk])
    assert organization.status == "draft" and organization.keywords == "a\nb"
    assert sorted(organization.industries.values_list("code", flat=True)) == ["2922", "E"]
    change = organization.changes.get()
    assert change.created and change.user == aiko
    assert change.fields["partnership_types"] == ["", "joint_rnd"]


def test_the_form_works_without_javascript_and_shows_errors(aiko_client: Client) -> None:
    data = form_data(name_en="", name_ja="", website="javascript:alert(1)")
    response = aiko_client.post(reverse("workspace:organization_create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert "Give a name in English or in Japanese." in page and "Enter a valid URL." in page
    assert not Organization.objects.exists()


def test_live_validation_returns_only_the_feedback_partial(aiko_client: Client) -> None:
    url = reverse("workspace:organization_validate_new")
    data = form_data(founded="2999")
    full = aiko_client.post(url, data)
    assert b"<html" in full.content
    partial = aiko_client.post(url, data, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and 'id="form-feedback"' in body
    assert "The founding year cannot be in the future." in body or "2100" in body
    assert "HX-Request" in partial["Vary"]
    assert not Organization.objects.exists()


def test_keyword_suggestions_come_from_the_glossary(aiko_client: Client) -> None:
    Concept.objects.create(
        key="test-machining", domain="manufacturing", name_en="machining", name_ja="機械加工"
    )
    Concept.objects.create(
        key="test-brewing", domain="food_agriculture", name_en="brewing", name_ja="醸造"
    )
    data = form_data(description_ja="精密な機械加工の会社", keywords="")
    body = aiko_client.post(
        reverse("workspace:organization_validate_new"), data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "機械加工" in body and "醸造" not in body
    data["keywords"] = "machining"
    body = aiko_client.post(
        reverse("workspace:organization_validate_new"), data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "機械加工" not in body


def test_an_edit_bumps_the_version_and_records_old_and_new_values(
    aiko_client: Client, aiko: User
) -> None:
    organization = make_organization("43", name_en="Old Name", status="draft")
    data = form_data(organization, name_en="New Name", name_ja="")
    aiko_client.post(reverse("workspace:organization_update", args=[organization.pk]), data)
    organization.refresh_from_db()
    assert organization.name_en == "New Name" and organization.version == 2
    change = organization.changes.get()
    assert change.fields == {"name_en": ["Old Name", "New Name"]} and change.user == aiko
    page = aiko_client.get(reverse("workspace:organization", args=[organization.pk]))
    history = page.content.decode().split('id="history"')[1]
    assert "Old Name" in history and "New Name" in history and aiko.username in history


def test_two_curators_saving_the_same_version_cannot_overwrite_each_other(
    aiko: User, root: User
) -> None:
    organization = make_organization("43", name_en="Shared Works", status="draft")
    first, second = Client(), Client()
    first.force_login(aiko)
    second.force_login(root)
    url = reverse("workspace:organization_update", args=[organization.pk])
    # Both opened the form at version 1.
    ok = first.post(url, form_data(organization, name_en="Aiko's name", name_ja=""))
    assert ok.status_code == 302
    refused = second.post(url, form_data(organization, name_en="Root's name", name_ja=""))
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else saved this organization" in page
    assert "Aiko&#x27;s name" in page and aiko.username in page
    assert 'name="version" value="2"' in page
    organization.refresh_from_db()
    assert organization.name_en == "Aiko's name" and organization.version == 2


def test_the_workflow_publishes_and_records_who_verified(aiko_client: Client, aiko: User) -> None:
    organization = make_organization("43", status="draft")
    url = reverse("workspace:organization_transition", args=[organization.pk, "submit"])
    aiko_client.post(url, {"version": 1})
    organization.refresh_from_db()
    assert organization.status == "in_review" and organization.verified_by is None
    url = reverse("workspace:organization_transition", args=[organization.pk, "publish"])
    aiko_client.post(url, {"version": 2})
    organization.refresh_from_db()
    assert organization.status == "published" and organization.verified_by == aiko
    assert organization.verified_at is not None and organization.version == 3
    assert [c.fields["status"] for c in organization.changes.order_by("version")] == [
        ["draft", "in_review"],
        ["in_review", "published"],
    ]


def test_a_transition_from_a_stale_page_changes_nothing(aiko_client: Client) -> None:
    organization = make_organization("43", status="draft")
    Organization.objects.filter(pk=organization.pk).update(version=4)
    url = reverse("workspace:organization_transition", args=[organization.pk, "archive"])
    response = aiko_client.post(url, {"version": 1}, follow=True)
    assert "Someone else changed this organization" in response.content.decode()
    organization.refresh_from_db()
    assert organization.status == "draft"


def test_a_curator_edits_the_prefecture_page(aiko_client: Client, aiko: User) -> None:
    url = reverse("workspace:prefecture_guide_update", args=["43"])
    aiko_client.post(url, {"incentives_en": "Up to 50% of equipment", "living_ja": "温泉"})
    guide = PrefectureGuide.objects.get(prefecture__code="43")
    assert guide.incentives_en == "Up to 50% of equipment" and guide.living_ja == "温泉"
    assert guide.updated_by == aiko and not guide.is_sample


def test_an_export_reimports_with_no_changes(aiko: User) -> None:
    organization = make_organization(
        "43",
        external_id="k-1",
        name_ja="阿蘇精密",
        description_en='=HYPERLINK("http://evil")',
        offers_en="+81 exporters",
        seeks_en="-minus",
        offers_ja="@mention",
        seeks_ja="-3 dB noise",  # (forms trim a leading tab, so none is stored)
        keywords="gears\nsensors",
        website="https://aso.example.jp/",
        employees="50-299",
        founded=1970,
        lying_dragon=True,
        lying_dragon_reason="Top share in micro gears",
    )
    organization.partnership_types.set(PartnershipType.objects.all()[:2])
    make_organization("43", name_en="Hand Made")  # no external_id: exported as ryumon:<pk>
    queryset = Organization.objects.curated_by(aiko)
    for name, body in [("x.csv", to_csv(queryset)), ("x.xlsx", to_xlsx(queryset))]:
        report = organizations_import(content=body, file_name=name, user=aiko, commit=False)
        assert report.summary() == "created=0 updated=0 unchanged=2 errors=0", report.updates


def test_an_export_neutralises_cells_a_spreadsheet_would_run(aiko_client: Client) -> None:
    make_organization(
        "43", external_id="k-1", name_en="=1+1", description_en="@SUM(A1)", seeks_en="\rx"
    )
    response = aiko_client.get(reverse("workspace:export"), {"format": "csv"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["name_en"] == "'=1+1" and rows[0]["description_en"] == "'@SUM(A1)"
    assert rows[0]["seeks_en"] == "'\rx"


def test_the_export_holds_only_the_curators_organizations(aiko_client: Client) -> None:
    make_organization("43", external_id="kumamoto-1")
    make_organization("01", external_id="hokkaido-1")
    body = aiko_client.get(reverse("workspace:export"), {"format": "xlsx"}).content
    report = organizations_import(content=body, file_name="x.xlsx", user=None, commit=False)
    assert report.unchanged == 1 and report.rows == 1


def test_the_import_templates_hold_the_schema(aiko_client: Client) -> None:
    body = aiko_client.get(reverse("workspace:import_template", args=["csv"])).content
    header = body.decode("utf-8-sig").strip().split(",")
    assert header[:5] == ["external_id", "kind", "name_en", "name_ja", "prefecture"]
    assert aiko_client.get(reverse("workspace:import_template", args=["xlsx"])).content[:2] == (
        b"PK"
    )


def test_a_double_submitted_create_form_creates_one_draft(aiko_client: Client) -> None:
    page = aiko_client.get(reverse("workspace:organization_new"))
    key = page.context["form"]["creation_key"].value()
    assert f'name="creation_key" value="{key}"' in page.content.decode()
    url = reverse("workspace:organization_create")
    first = aiko_client.post(url, form_data(creation_key=key))
    second = aiko_client.post(url, form_data(creation_key=key))
    organization = Organization.objects.get()
    assert first["Location"] == second["Location"]
    assert first["Location"] == reverse("workspace:organization", args=[organization.pk])
    assert organization.changes.count() == 1
    # A new form is a new organization, even with the same text.
    aiko_client.post(url, form_data(creation_key=str(uuid.uuid4())))
    assert Organization.objects.count() == 2


def test_an_external_id_saved_meanwhile_is_a_form_error_not_a_server_error(
    aiko_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both forms passed validation before either saved: the race, replayed in one process.
    monkeypatch.setattr(OrganizationForm, "validate_unique", lambda self: None)
    monkeypatch.setattr(Organization, "validate_constraints", lambda self, exclude=None: None)
    make_organization("43", external_id="aso-1", name_en="Aso One")
    response = aiko_client.post(
        reverse("workspace:organization_create"), form_data(external_id="aso-1")
    )
    assert response.status_code == 200
    assert "was just saved with this external ID" in response.content.decode()
    assert Organization.objects.count() == 1


# == the municipality select: the chosen prefecture's municipalities, refilled by htmx ==


def municipality_values(html: str) -> list[str]:
    select = html.split('<select name="municipality"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


def codes_of(prefecture_code: str) -> list[str]:
    return list(
        Municipality.objects.filter(prefecture__code=prefecture_code)
        .order_by("code")
        .values_list("code", flat=True)
    )


def test_the_edit_page_offers_the_prefectures_municipalities_only(root: User) -> None:
    client = Client()
    client.force_login(root)
    sapporo = Municipality.objects.get(code="01100")
    organization = make_organization("01", municipality=sapporo, status="draft")
    page = client.get(reverse("workspace:organization_edit", args=[organization.pk]))
    html = page.content.decode()
    assert municipality_values(html) == ["", *codes_of("01")]  # 189, not 1,914
    assert '<option value="01100" selected>Sapporo-shi</option>' in html
    assert '<option value="01" selected>Hokkaido</option>' in html
    assert len(page.content) < 60_000  # 116 KB with every municipality
    assert '<label for="id_prefecture">Prefecture <span aria-hidden="true">*</span>' in html
    assert '<label for="id_municipality">Municipality</label>' in html


def test_changing_the_prefecture_asks_htmx_for_its_municipalities(aiko_client: Client) -> None:
    html = aiko_client.get(reverse("workspace:organization_new")).content.decode()
    select = re.search(r'<select name="prefecture"[^>]*>', html)
    assert select is not None
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', select.group(0)))
    assert attributes["hx-get"] == reverse("workspace:municipalities")
    assert attributes["hx-target"] == "#id_municipality"
    assert attributes["hx-swap"] == "innerHTML"  # the select itself stays, with its label
    assert attributes["hx-sync"] == "this:replace"  # not cancelled by the live validation
    assert attributes["aria-controls"] == "id_municipality"
    # Aiko curates Kumamoto alone: her new organization is offered Kumamoto's already.
    assert municipality_values(html) == ["", *codes_of("43")]


def test_the_municipality_options_are_those_of_the_prefecture_asked_for(
    aiko_client: Client,
) -> None:
    url = reverse("workspace:municipalities")
    response = aiko_client.get(url, {"prefecture": "43"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "<select" not in body
    assert re.findall(r'<option value="([^"]*)"', body) == ["", *codes_of("43")]
    assert '<option value="43100">Kumamoto-shi</option>' in body
    # No prefecture chosen: the blank option alone.
    blank = aiko_client.get(url, {"prefecture": ""}).content.decode()
    assert re.findall(r'<option value="([^"]*)"', blank) == [""]
    # Another curator's prefecture is refused; an unknown one is not found.
    assert aiko_client.get(url, {"prefecture": "01"}).status_code == 403
    assert aiko_client.get(url, {"prefecture": "99"}).status_code == 404


def test_the_municipality_options_in_japanese(aiko_client: Client) -> None:
    aiko_client.cookies["django_language"] = "ja"
    body = aiko_client.get(reverse("workspace:municipalities"), {"prefecture": "43"})
    assert '<option value="43100">熊本市</option>' in body.content.decode()
    assert "選択してください" in body.content.decode()


def test_without_javascript_a_municipality_of_the_old_prefecture_is_refused(
    root: User,
) -> None:
    """No script refilled the list: the save says so and offers the new prefecture's."""
    client = Client()
    client.force_login(root)
    sapporo = Municipality.objects.get(code="01100")
    organization = make_organization("01", municipality=sapporo, status="draft")
    data = form_data(organization, prefecture="43", municipality="01100")
    response = client.post(reverse("workspace:organization_update", args=[organization.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    message = (
        "Sapporo-shi is in Hokkaido, not in Kumamoto: choose one of the municipalities of "
        "Kumamoto."
    )
    assert f'<a href="#id_municipality">Municipality</a>: {message}' in html
    assert municipality_values(html) == ["", *codes_of("43")]
    assert 'aria-describedby="id_municipality_error"' in html
    organization.refresh_from_db()
    assert organization.prefecture.code == "01" and organization.version == 1
    # With a Kumamoto municipality the move is saved.
    data["municipality"] = "43100"
    client.post(reverse("workspace:organization_update", args=[organization.pk]), data)
    organization.refresh_from_db()
    assert organization.prefecture.code == "43" and organization.version == 2
    assert organization.municipality == Municipality.objects.get(code="43100")


def test_a_curator_of_two_prefectures_creates_with_a_matching_municipality(
    client: Client,
) -> None:
    curator = make_curator("kyushu@pref.example", "43", "44")
    client.force_login(curator)
    html = client.get(reverse("workspace:organization_new")).content.decode()
    assert municipality_values(html) == [""]  # two prefectures: none chosen yet
    data = form_data(prefecture="44", municipality="43100", creation_key=str(uuid.uuid4()))
    response = client.post(reverse("workspace:organization_create"), data)
    html = response.content.decode()
    assert "Kumamoto-shi is in Kumamoto, not in Oita" in html
    assert municipality_values(html) == ["", *codes_of("44")]
    assert not Organization.objects.exists()
    data["municipality"] = codes_of("44")[0]
    assert client.post(reverse("workspace:organization_create"), data).status_code == 302
    assert Organization.objects.get().municipality.code == codes_of("44")[0]  # type: ignore[union-attr]


@pytest.mark.parametrize("role", ["aiko", "root"])
def test_the_edit_page_costs_the_same_queries_whatever_the_directorys_size(
    role: str, aiko: User, root: User, django_assert_num_queries: Any
) -> None:
    user = {"aiko": aiko, "root": root}[role]
    client = Client()
    client.force_login(user)
    organization = make_organization("43", status="draft")
    organization.industries.set(Industry.objects.filter(code__in=["E", "E29"]))
    url = reverse("workspace:organization_edit", args=[organization.pk])
    # Session, user, the curator's scope (three times, read afresh on each request: a curator
    # only), the organization, its three related sets, the glossary, the menu's firm, the
    # prefectures, the municipalities, the partnership types and the languages.
    expected = 15 if role == "aiko" else 12
    with django_assert_num_queries(expected):
        small = client.get(url)
    for number in range(60):
        code = f"{number % 47 + 1:02d}"
        municipality = Municipality.objects.filter(prefecture__code=code).first()
        make_organization(code, name_en=f"Filler {number}", municipality=municipality)
    with django_assert_num_queries(expected - 1):  # the glossary is now read from memory
        large = client.get(url)
    assert municipality_values(large.content.decode()) == ["", *codes_of("43")]
    assert len(large.content) == len(small.content)
