"""Curation forms. The web form and each imported row go through `OrganizationForm`."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from profiles.models import (
    Industry,
    Language,
    Municipality,
    Organization,
    OrganizationChange,
    PartnershipType,
    Prefecture,
    PrefectureGuide,
)
from profiles.models.curation import curated_prefecture_ids

# Separators a person may type between codes: the import's "|", commas, spaces, new lines.
CODE_SEPARATORS = re.compile(r"[|,、\s]+")


class CodeListInput(forms.TextInput):
    """A text box of codes ("E | 0911"): shorter than a 1,800-option select, and it is what
    the import columns hold, so a pasted spreadsheet cell works in the web form too."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None:
            return []
        if isinstance(values, str):
            values = [values]
        return [code for value in values for code in CODE_SEPARATORS.split(value) if code]

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, list | tuple):
            return " | ".join(str(item) for item in value)
        return super().format_value(value)


class CachedChoiceMixin:
    """Resolve codes from a dict handed over by the importer instead of one query per row.

    The field's validation is otherwise unchanged; without a cache it queries as usual.
    """

    cache: Mapping[str, Model] | None = None

    def to_python(self, value: Any) -> Any:
        if self.cache is None or value in self.empty_values:  # type: ignore[attr-defined]
            return super().to_python(value)  # type: ignore[misc]
        try:
            return self.cache[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"],  # type: ignore[attr-defined]
                code="invalid_choice",
                params={"value": value},
            ) from None


class CodeChoiceField(CachedChoiceMixin, forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": _("“%(value)s” is not a known code or name.")}


class CodeMultipleChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {"invalid_choice": _("“%(value)s” is not a known code.")}
    cache: Mapping[str, Model] | None = None

    def _check_values(self, value: Any) -> Any:
        if self.cache is None:
            return super()._check_values(value)  # type: ignore[misc]
        found = []
        for code in dict.fromkeys(str(item) for item in value):
            if code not in self.cache:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": code},
                )
            found.append(self.cache[code])
        return found


def _attributes(attrs: Mapping[str, Any]) -> str:
    """HTML attributes as Django's attrs.html writes them: True bare, False left out."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


class QuickSelect(forms.Select):
    """Django's select with its options joined in Python, the same HTML otherwise.

    Django draws each option through a template include: 0.1-0.2 ms an option, most of the
    organization form's drawing time with 47 prefectures and a prefecture's municipalities
    (up to 189, Hokkaido's).
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        context = self.get_context(name, value, attrs)["widget"]
        html = f'<select name="{escape(name)}"{_attributes(context["attrs"])}>'
        html += self._options(context["optgroups"]) + "</select>"
        return mark_safe(html)  # every name, value and label is escaped above

    def options_html(self, name: str, value: Any) -> SafeString:
        """The `<option>`s alone, for an htmx request that refills the select."""
        return mark_safe(self._options(self.optgroups(name, self.format_value(value))))

    @staticmethod
    def _options(groups: Iterable[tuple[Any, list[dict[str, Any]], Any]]) -> str:
        parts = []
        for group_name, options, _index in groups:
            if group_name:
                parts.append(f'<optgroup label="{escape(group_name)}">')
            parts += [
                f'<option value="{escape(option["value"])}"{_attributes(option["attrs"])}>'
                f"{escape(option['label'])}</option>"
                for option in options
            ]
            if group_name:
                parts.append("</optgroup>")
        return "".join(parts)


class PrefectureMunicipalities(ModelChoiceIterator):
    """The municipality select's options: those of the field's prefecture, read when drawn."""

    def _offered(self) -> QuerySet[Municipality]:
        code: str = getattr(self.field, "prefecture_code", "")
        if not code:
            return Municipality.objects.none()
        return Municipality.objects.filter(prefecture__code=code)

    def __iter__(self) -> Iterator[Any]:
        self.queryset = self._offered()
        return super().__iter__()

    def __len__(self) -> int:
        self.queryset = self._offered()
        return super().__len__()


class MunicipalityChoiceField(CodeChoiceField):
    """Accepts any municipality of its queryset; offers only those of `prefecture_code`.

    Offering all 1,914 put 116 KB of options in an administrator's form and took most of the
    edit page's time. Whether the municipality lies in the prefecture is `Organization.clean`'s
    check, which names both; the workspace refills the options when the prefecture changes.
    """

    iterator = PrefectureMunicipalities
    prefecture_code = ""


def municipality_options(prefecture_code: str) -> SafeString:
    """The options of the organization form's municipality select for this prefecture."""
    field = copy.deepcopy(OrganizationForm.base_fields["municipality"])
    field.prefecture_code = prefecture_code  # type: ignore[attr-defined]
    return field.widget.options_html("municipality", None)


def _label(name: str) -> Any:
    """The model field's name as Django's own form fields have it: "Prefecture".

    A field declared on the form takes no label from the model; handing it the lower-case
    verbose name printed "prefecture *" above the select.
    """
    return capfirst(Organization._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


class OrganizationForm(forms.ModelForm):
    """Create or edit an organization within the curator's prefectures.

    Related rows are named by their codes (JIS, local government, JSIC, vocabulary codes),
    exactly as in the import columns.
    """

    # Whether the form is shown: the import validates thousands of rows and draws none.
    drawn = True

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # Names this form's submission, so that a double click creates one organization.
    creation_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    prefecture = CodeChoiceField(
        queryset=Prefecture.objects.all(),
        to_field_name="code",
        widget=QuickSelect,
        label=_label("prefecture"),
    )
    municipality = MunicipalityChoiceField(
        queryset=Municipality.objects.all(),
        to_field_name="code",
        required=False,
        widget=QuickSelect,
        label=_label("municipality"),
    )
    industries = CodeMultipleChoiceField(
        queryset=Industry.objects.all(),
        to_field_name="code",
        required=False,
        widget=CodeListInput,
        label=_label("industries"),
        help_text=_('JSIC codes, separated by "|", for example "E | 2922".'),
    )
    partnership_types = CodeMultipleChoiceField(
        queryset=PartnershipType.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_label("partnership_types"),
    )
    languages = CodeMultipleChoiceField(
        queryset=Language.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_label("languages"),
    )

    class Meta:
        model = Organization
        fields = Organization.PROFILE_FIELDS
        widgets = {
            field: forms.Textarea(attrs={"rows": 4}) for field in Organization.bilingual_fields()
        } | {
            "keywords": forms.Textarea(attrs={"rows": 4}),
            "kind": QuickSelect,
            "employees": QuickSelect,
        }

    def __init__(
        self,
        *args: Any,
        user: User | AnonymousUser | None,
        only: Collection[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`user=None` is the command line acting as an administrator; `only` keeps just
        those fields (an import leaves the columns it does not have untouched)."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope = None if user is None else curated_prefecture_ids(user)
        if only is not None:
            for name in list(self.fields):
                if name not in only:
                    del self.fields[name]
        if "prefecture" in self.fields and self.scope is not None:
            field = self.fields["prefecture"]
            field.queryset = Prefecture.objects.filter(pk__in=self.scope)  # type: ignore[attr-defined]
            if len(self.scope) == 1 and not self.instance.pk:
                field.initial = field.queryset.get().code  # type: ignore[attr-defined]
        if "municipality" in self.fields and self.scope is not None:
            self.fields["municipality"].queryset = Municipality.objects.filter(  # type: ignore[attr-defined]
                prefecture_id__in=self.scope
            )
        if self.drawn:
            self._prepare_selects()
        if "version" in self.fields and self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if "creation_key" in self.fields and not self.instance.pk:
            self.fields["creation_key"].initial = uuid.uuid4()
        # Each text box says its language, whatever the page's (WCAG 3.1.2).
        for language in ("en", "ja"):
            for name in ["name_" + language, *Organization.bilingual_fields(language)]:
                if name in self.fields:
                    self.fields[name].widget.attrs["lang"] = language

    def _prepare_selects(self) -> None:
        """Select what is saved, offer the prefecture's municipalities, capitalise the kinds."""
        # The model gives the ids of the related rows; these selects are keyed by code.
        for name in ("prefecture", "municipality"):
            related_id = getattr(self.instance, f"{name}_id")
            if (
                name in self.fields
                and related_id is not None
                and self.initial.get(name) == related_id
            ):
                self.initial[name] = getattr(self.instance, name)
        if "kind" in self.fields:  # "Company", as the directory writes the kinds
            kind = self.fields["kind"]
            kind.choices = [(value, capfirst(label)) for value, label in kind.choices]  # type: ignore[attr-defined]
        if "municipality" in self.fields and "prefecture" in self.fields:
            self.fields["municipality"].prefecture_code = self["prefecture"].value() or ""  # type: ignore[attr-defined]

    def clean_prefecture(self) -> Prefecture:
        prefecture: Prefecture = self.cleaned_data["prefecture"]
        if self.scope is not None and prefecture.pk not in self.scope:
            raise ValidationError(
                _("You do not curate %(prefecture)s."),
                params={"prefecture": prefecture.name},
                code="out_of_scope",
            )
        if (
            self.instance.pk
            and prefecture.pk != self.instance.prefecture_id
            and self.scope is not None
        ):
            raise ValidationError(
                _("An organization cannot be moved to another prefecture; ask an administrator."),
                code="move_refused",
            )
        return prefecture

    def clean_keywords(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["keywords"].splitlines()]
        return "\n".join(dict.fromkeys(line for line in lines if line))


class OrganizationImportForm(OrganizationForm):
    """The web form plus the row's workflow status, which a file may set."""

    drawn = False

    class Meta(OrganizationForm.Meta):
        fields = [*OrganizationForm.Meta.fields, "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The upsert key: optional on the web, required in a file.
        if "external_id" in self.fields:
            self.fields["external_id"].required = True

    def _clean_fields(self) -> None:
        # Django's own loop, without a BoundField per field and row (a tenth of the time of
        # a 20,000-row import): these fields are never disabled and rows have no initial.
        for name, field in self.fields.items():
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                self.cleaned_data[name] = field.clean(value)
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except ValidationError as error:
                self.add_error(name, error)

    # Two model checks would cost a query per row, and a 20,000-row file must preview in
    # seconds. The importer covers both: it resolves related rows from a cache it has just
    # read, and it matches (prefecture, external_id) against the file and the database.
    # Organization.clean() still checks the names, and the database constraints still stand.
    def _get_validation_exclusions(self) -> set[str]:
        exclusions: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        if self.fields["prefecture"].cache is None:  # type: ignore[attr-defined]
            return exclusions
        return exclusions | {"prefecture", "municipality"}

    def validate_constraints(self) -> None:
        if self.fields["prefecture"].cache is None:  # type: ignore[attr-defined]
            super().validate_constraints()


class PrefectureGuideForm(forms.ModelForm):
    class Meta:
        model = PrefectureGuide
        fields = [
            "incentives_en",
            "incentives_ja",
            "support_desk_en",
            "support_desk_ja",
            "support_contact",
            "clusters_en",
            "clusters_ja",
            "living_en",
            "living_ja",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 5}) for name in fields if name != "support_contact"
        }


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("CSV (UTF-8 or Shift_JIS) or .xlsx, in the import column schema."),
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB."),
                params={
                    "size": f"{upload.size / 1_000_000:.1f}",
                    "limit": f"{self.max_bytes / 1_000_000:g}",
                },
                code="too_large",
            )
        return upload


class OrganizationAdminForm(forms.ModelForm):
    """The admin's organization form, refusing to overwrite a save made since it was opened.

    It carries the version it was opened at. Checked under a row lock (the admin saves in
    one transaction), so a workspace save, an import or another admin between opening and
    saving is shown as a conflict, never silently undone; saving again after reading it
    keeps this form's values.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        # The admin builds the form from its fieldsets; these are the defaults elsewhere.
        fields = Organization.PROFILE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen = cleaned.get("seen_version")
        if not self.instance.pk or seen is None:
            return cleaned
        current = (
            Organization.objects.select_for_update()
            .values_list("version", flat=True)
            .get(pk=self.instance.pk)
        )
        if current != seen:
            self.conflicts = list(
                OrganizationChange.objects.filter(
                    organization_id=self.instance.pk, version__gt=seen
                )
                .select_related("user")
                .order_by("version")
            )
            # Saving again, having read what changed, is a deliberate overwrite.
            data = QueryDict(mutable=True)
            data.update(self.data)
            data["seen_version"] = str(current)
            self.data = data
            raise ValidationError(
                _(
                    "This organization was saved by someone else since you opened it "
                    "(version %(seen)s, now %(current)s): %(changes)s. Your values are "
                    "kept below; save again to replace theirs."
                ),
                params={
                    "seen": seen,
                    "current": current,
                    "changes": "; ".join(_conflict_summary(change) for change in self.conflicts)
                    or _("no field changed"),
                },
                code="stale",
            )
        return cleaned


def _conflict_summary(change: OrganizationChange) -> str:
    who = change.user.get_username() if change.user else _("an import")
    fields = ", ".join(
        f"{label}: {old or '–'} → {new or '–'}" for label, old, new in change.field_rows()
    )
    return f"v{change.version} {who} ({change.get_via_display()}): {fields}"
