"""The curation forms: labels, the municipality select, and the select widget's HTML."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from django import forms
from django.contrib.auth.models import User
from django.forms.utils import pretty_name
from django.utils import translation

from profiles.forms import OrganizationForm, QuickSelect, municipality_options
from profiles.models import Municipality, Organization, Prefecture
from tests.conftest import make_organization

pytestmark = pytest.mark.django_db

FORM_MODULES = [
    "profiles.forms",
    "matchmaking.forms",
    "matchmaking.firms.forms",
    "matchmaking.firms.accounts.forms",
    "matchmaking.firms.introductions.forms",
]


def option_values(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', html)


def test_every_visible_label_starts_with_a_capital() -> None:
    """Django capitalises the labels it takes from the model; a field declared on a form
    takes its label as given (the workspace showed "prefecture *")."""
    lower = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, form_class in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form_class, forms.BaseForm) or form_class.__module__ != module_name:
                continue
            for field_name, field in form_class.base_fields.items():  # type: ignore[attr-defined]
                label = str(field.label) if field.label is not None else pretty_name(field_name)
                if not field.widget.is_hidden and label[:1].islower():
                    lower.append(f"{name}.{field_name}: {label}")
    assert lower == []


def test_the_organization_form_labels_in_english_and_japanese(aiko: User) -> None:
    form = OrganizationForm(user=aiko)
    labels = {name: str(form[name].label) for name in ("prefecture", "municipality", "kind")}
    assert labels == {"prefecture": "Prefecture", "municipality": "Municipality", "kind": "Kind"}
    assert 'value="company">Company<' in str(form["kind"])
    with translation.override("ja"):
        form = OrganizationForm(user=aiko)
        assert str(form["prefecture"].label) == "都道府県"
        assert str(form["municipality"].label) == "市区町村"
        # Django's empty choice, translated although the form was built before our app's ready()
        assert "選択してください" in str(form["kind"]) and "Select" not in str(form["kind"])


def test_the_edit_form_selects_the_saved_prefecture_and_municipality(root: User) -> None:
    """The model gives related ids; the selects are keyed by code (they showed neither)."""
    sapporo = Municipality.objects.get(code="01100")
    organization = make_organization("01", municipality=sapporo)
    html = str(OrganizationForm(instance=organization, user=root)["prefecture"])
    assert '<option value="01" selected>' in html
    html = str(OrganizationForm(instance=organization, user=root)["municipality"])
    assert '<option value="01100" selected>Sapporo-shi</option>' in html


def test_the_municipality_select_offers_only_the_prefectures_municipalities(root: User) -> None:
    hokkaido = set(
        Municipality.objects.filter(prefecture__code="01").values_list("code", flat=True)
    )
    organization = make_organization("01")
    values = option_values(str(OrganizationForm(instance=organization, user=root)["municipality"]))
    assert values[0] == "" and set(values[1:]) == hokkaido and len(hokkaido) == 189
    # A new organization with no prefecture yet: the blank option alone.
    assert option_values(str(OrganizationForm(user=root)["municipality"])) == [""]
    # A bound form offers the submitted prefecture's.
    bound = OrganizationForm({"prefecture": "43"}, instance=organization, user=root)
    kumamoto = set(
        Municipality.objects.filter(prefecture__code="43").values_list("code", flat=True)
    )
    assert set(option_values(str(bound["municipality"]))[1:]) == kumamoto


def test_a_curator_of_one_prefecture_is_offered_its_municipalities_on_a_new_form(
    aiko: User,
) -> None:
    values = option_values(str(OrganizationForm(user=aiko)["municipality"]))
    assert (
        "43100" in values
        and len(values) == 1 + Municipality.objects.filter(prefecture__code="43").count()
    )


def test_a_municipality_of_another_prefecture_is_refused_with_a_clear_message(
    root: User,
) -> None:
    organization = make_organization("01", municipality=Municipality.objects.get(code="01100"))
    data = {
        "kind": "company",
        "name_en": organization.name_en,
        "prefecture": "43",
        "municipality": "01100",  # Sapporo, kept from before the prefecture changed
        "version": organization.version,
    }
    form = OrganizationForm(data, instance=organization, user=root)
    assert not form.is_valid()
    assert form.errors["municipality"] == [
        "Sapporo-shi is in Hokkaido, not in Kumamoto: choose one of the municipalities of "
        "Kumamoto."
    ]
    # Drawn again with Kumamoto's municipalities, none chosen (the browser shows the blank).
    html = str(form["municipality"])
    assert '<option value="43100">' in html and "01100" not in html and "selected" not in html


def test_the_options_for_htmx_are_those_the_form_draws() -> None:
    organization = make_organization("47")
    form = OrganizationForm(instance=organization, user=None)
    drawn = re.sub(r" selected", "", str(form["municipality"]))
    options = municipality_options("47")
    assert options.startswith('<option value="" selected>')
    assert options.replace(" selected", "") in drawn
    assert municipality_options("") == '<option value="" selected>- Select an option -</option>'


def test_the_quick_select_draws_what_django_draws() -> None:
    choices = [("", "---"), ("a&b", "A <b>"), ("Group", [("x", "X"), ("y", 'Y "quoted"')])]
    attrs = {"id": "id_pick", "required": True, "disabled": False, "aria-describedby": "hint"}
    ours = QuickSelect(choices=choices).render("pick", "x", attrs=attrs)
    django = forms.Select(choices=choices).render("pick", "x", attrs=attrs)

    def tags(html: str) -> list[str]:
        return re.findall(r"<[^>]+>|[^<>\s][^<>]*", html.replace("\n", ""))

    assert tags(ours) == [tag.strip() for tag in tags(django)]
    assert "&amp;" in ours and "&lt;b&gt;" in ours and "&quot;" in ours


def test_the_prefecture_select_is_limited_to_the_curators_prefectures(aiko: User) -> None:
    assert option_values(str(OrganizationForm(user=aiko)["prefecture"])) == ["", "43"]
    assert Prefecture.objects.count() == 47
    assert not Organization.objects.exists()
