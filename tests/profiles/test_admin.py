from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profiles import services
from profiles.models import Organization, OrganizationChange, Prefecture
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", [model for model in admin.site._registry], ids=lambda model: model._meta.label
)
def test_every_admin_changelist_and_add_page_opens_for_an_admin(
    client: Client, root: User, model: Any
) -> None:
    client.force_login(root)
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert response.status_code in (200, 403)


def test_the_organization_changelist_searches_and_filters(client: Client, root: User) -> None:
    make_organization("43", name_en="Higo Precision", lying_dragon=True, lying_dragon_reason="x")
    make_organization("01", name_en="Sapporo Foods")
    client.force_login(root)
    url = reverse("admin:profiles_organization_changelist")
    response = client.get(url, {"q": "Higo"})
    assert [o.name_en for o in response.context["cl"].result_list] == ["Higo Precision"]
    response = client.get(url, {"lying_dragon__exact": "1"})
    assert [o.name_en for o in response.context["cl"].result_list] == ["Higo Precision"]


def test_a_curator_sees_only_their_prefectures_in_the_admin(client: Client, aiko: User) -> None:
    make_organization("43", name_en="Higo Precision", status="draft")
    other = make_organization("01", name_en="Sapporo Foods", status="draft")
    client.force_login(aiko)
    response = client.get(reverse("admin:profiles_organization_changelist"))
    assert [o.name_en for o in response.context["cl"].result_list] == ["Higo Precision"]
    change = reverse("admin:profiles_organization_change", args=[other.pk])
    assert client.get(change).status_code == 302  # the admin redirects a hidden object away
    response = client.post(change, {"name_en": "Hijacked"})
    other.refresh_from_db()
    assert other.name_en == "Sapporo Foods"


def test_a_curator_can_only_create_in_their_prefectures(client: Client, aiko: User) -> None:
    client.force_login(aiko)
    response = client.get(reverse("admin:profiles_organization_add"))
    choices = list(response.context["adminform"].form.fields["prefecture"].queryset)
    assert choices == [Prefecture.objects.get(code="43")]


def test_a_curator_cannot_move_an_organization_to_another_prefecture(
    client: Client, aiko: User
) -> None:
    organization = make_organization("43", name_en="Higo Precision", status="draft")
    client.force_login(aiko)
    response = client.get(reverse("admin:profiles_organization_change", args=[organization.pk]))
    assert "prefecture" not in response.context["adminform"].form.fields


def test_bulk_publish_records_who_verified_and_when(client: Client, root: User) -> None:
    first = make_organization("43", name_en="A", status="draft")
    second = make_organization("43", name_en="B", status="draft")
    client.force_login(root)
    response = client.post(
        reverse("admin:profiles_organization_changelist"),
        {"action": "publish", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    for organization in (first, second):
        organization.refresh_from_db()
        assert organization.status == Organization.Status.PUBLISHED
        assert organization.verified_by == root
        assert organization.verified_at is not None
        assert organization.version == 2


def test_bulk_archive_by_a_curator_touches_only_their_rows(client: Client, aiko: User) -> None:
    own = make_organization("43", name_en="A")
    other = make_organization("01", name_en="B")
    client.force_login(aiko)
    client.post(
        reverse("admin:profiles_organization_changelist"),
        {"action": "archive", "_selected_action": [own.pk, other.pk]},
    )
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == "archived"
    assert other.status == "published"


def test_a_foreign_firm_member_cannot_enter_the_admin(client: Client, maria: User) -> None:
    client.force_login(maria)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.headers["Location"]


def test_bulk_actions_announce_the_changed_organizations(
    client: Client, root: User, django_capture_on_commit_callbacks: Any
) -> None:
    from profiles.signals import organizations_changed

    draft = make_organization("43", name_en="A", status="draft")
    heard: list[frozenset[int]] = []

    def listener(organization_ids: frozenset[int], **kwargs: Any) -> None:
        heard.append(organization_ids)

    organizations_changed.connect(listener)
    try:
        client.force_login(root)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:profiles_organization_changelist"),
                {"action": "publish", "_selected_action": [draft.pk]},
            )
    finally:
        organizations_changed.disconnect(listener)
    assert frozenset({draft.pk}) in heard


def change_form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """The admin change form's current values as a browser would post them, with changes."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(item) for item in value]
        data[name] = value
    return data | changes


def test_publishing_on_the_change_form_records_who_verified_and_when(
    client: Client, root: User
) -> None:
    organization = make_organization("43", name_en="Higo Precision", status="draft")
    client.force_login(root)
    url = reverse("admin:profiles_organization_change", args=[organization.pk])
    response = client.post(url, change_form_data(client.get(url), status="published"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    organization.refresh_from_db()
    assert organization.status == Organization.Status.PUBLISHED
    assert organization.verified_by == root
    assert organization.verified_at is not None
    change = organization.changes.get()
    assert change.via == OrganizationChange.Via.ADMIN
    assert change.user == root
    assert change.version == organization.version == 2
    assert change.fields == {
        "status": ["draft", "published"],
        "verified_by": ["", root.username],
    }


def test_a_curator_publishing_on_the_change_form_is_recorded_as_the_verifier(
    client: Client, aiko: User
) -> None:
    organization = make_organization("43", name_en="Higo Precision", status="in_review")
    client.force_login(aiko)
    url = reverse("admin:profiles_organization_change", args=[organization.pk])
    client.post(url, change_form_data(client.get(url), status="published"))
    organization.refresh_from_db()
    assert organization.status == Organization.Status.PUBLISHED
    assert organization.verified_by == aiko


def test_adding_a_published_organization_in_the_admin_records_who_verified_it(
    client: Client, root: User
) -> None:
    client.force_login(root)
    url = reverse("admin:profiles_organization_add")
    data = change_form_data(
        client.get(url),
        kind="company",
        name_en="Higo Precision",
        prefecture=Prefecture.objects.get(code="43").pk,
        status="published",
    )
    assert client.post(url, data).status_code == 302
    organization = Organization.objects.get(name_en="Higo Precision")
    assert organization.verified_by == root
    assert organization.verified_at is not None
    assert organization.changes.get().fields["verified_by"] == ["", root.username]


def test_editing_a_published_organization_keeps_its_verification(
    client: Client, root: User, aiko: User
) -> None:
    organization = make_organization("43", name_en="Higo Precision")
    Organization.objects.filter(pk=organization.pk).update(
        verified_by=aiko, verified_at=timezone.now()
    )
    client.force_login(root)
    url = reverse("admin:profiles_organization_change", args=[organization.pk])
    client.post(url, change_form_data(client.get(url), seeks_en="Distributors in Vietnam"))
    organization.refresh_from_db()
    assert organization.seeks_en == "Distributors in Vietnam"
    assert organization.verified_by == aiko
    assert "verified_by" not in organization.changes.get().fields


def test_bulk_publish_writes_the_verifier_in_the_history(client: Client, root: User) -> None:
    draft = make_organization("43", name_en="A", status="draft")
    client.force_login(root)
    client.post(
        reverse("admin:profiles_organization_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert draft.changes.get().fields == {
        "status": ["draft", "published"],
        "verified_by": ["", root.username],
    }


def test_an_admin_form_opened_before_a_workspace_save_shows_a_conflict_and_undoes_nothing(
    client: Client, root: User, aiko: User
) -> None:
    organization = make_organization("43", name_en="Higo Precision", offers_en="Gears.")
    client.force_login(root)
    url = reverse("admin:profiles_organization_change", args=[organization.pk])
    opened = change_form_data(client.get(url), name_en="Higo Precision Co.")
    # Meanwhile a curator saves in the workspace.
    services.organization_update(
        organization=organization,
        data={"offers_en": "Gears and shafts."},
        version=organization.version,
        user=aiko,
    )
    response = client.post(url, opened)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "saved by someone else" in errors[0]
    assert "Gears. → Gears and shafts." in errors[0]
    organization.refresh_from_db()
    assert (organization.name_en, organization.offers_en) == (
        "Higo Precision",
        "Gears and shafts.",
    )
    assert organization.version == 2
    # Having read the conflict, saving the re-shown form again is a deliberate overwrite.
    again = change_form_data(response)
    assert again["seen_version"] == "2"
    assert client.post(url, again).status_code == 302
    organization.refresh_from_db()
    assert (organization.name_en, organization.offers_en) == ("Higo Precision Co.", "Gears.")
    assert list(organization.changes.order_by("version").values_list("version", "via")) == [
        (2, "workspace"),
        (3, "admin"),
    ]


def test_the_history_holds_one_change_per_version(root: User) -> None:
    organization = make_organization("43", name_en="Higo Precision")
    OrganizationChange.objects.create(organization=organization, via="admin", version=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationChange.objects.create(organization=organization, via="import", version=2)


def test_the_changelist_names_a_company_without_an_english_name_by_its_japanese_one(
    client: Client, root: User
) -> None:
    make_organization("43", name_en="Higo Precision")
    make_organization("43", name_en="", name_ja="阿蘇精機株式会社")
    make_organization("43", name_en="Aso Foods")
    client.force_login(root)
    url = reverse("admin:profiles_organization_changelist")
    response = client.get(url)
    names = [o.name_en or o.name_ja for o in response.context["cl"].result_list]
    aso, higo, japanese = "Aso Foods", "Higo Precision", "阿蘇精機株式会社"
    assert names.index(aso) < names.index(higo) < names.index(japanese)
    body = response.content.decode()
    assert ">阿蘇精機株式会社</a>" in body
    assert ">-</a>" not in body
    # The column sorts the other way too.
    response = client.get(url, {"o": "-1"})
    names = [o.name_en or o.name_ja for o in response.context["cl"].result_list]
    assert names.index("阿蘇精機株式会社") < names.index("Higo Precision")


def test_the_organization_form_has_every_bilingual_text(client: Client, root: User) -> None:
    # The admin's fieldsets take the texts from the model: a new one cannot be left out.
    client.force_login(root)
    response = client.get(reverse("admin:profiles_organization_add"))
    form = response.context["adminform"].form
    assert set(Organization.bilingual_fields()) <= set(form.fields)
    assert len(Organization.bilingual_fields()) == 6
