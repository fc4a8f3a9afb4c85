from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.models import (
    ForeignFirm,
    ShortlistEntry,
    SuggestionFeedback,
    time_zone_choices,
)
from profiles.models import Industry

BILINGUAL = ("description", "offers", "seeks")


class FirmProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=capfirst(ForeignFirm._meta.get_field("time_zone").verbose_name),
        choices=time_zone_choices,
        required=False,
        help_text=ForeignFirm._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = ForeignFirm
        fields = [
            "name",
            "country",
            "time_zone",
            "website",
            "size",
            *ForeignFirm.bilingual_fields(),
            "keywords",
            "industries",
            "partnership_types",
            "target_regions",
            "target_prefectures",
            "languages",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in [f"{b}_{lang}" for b in BILINGUAL for lang in ("en", "ja")]
        } | {
            "keywords": forms.Textarea(attrs={"rows": 3}),
            "partnership_types": forms.CheckboxSelectMultiple,
            "target_regions": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Divisions and major groups: the fine JSIC levels are too many for a list box.
        self.fields["industries"].queryset = Industry.objects.filter(  # type: ignore[attr-defined]
            level__in=[Industry.Level.DIVISION, Industry.Level.MAJOR_GROUP]
        ).order_by("sort_key")
        self.fields["industries"].widget.attrs["size"] = 12
        self.fields["target_prefectures"].widget.attrs["size"] = 8
        # Each text box says its language, whatever the page's (WCAG 3.1.2).
        for language in ("en", "ja"):
            for name in ForeignFirm.bilingual_fields(language):
                self.fields[name].widget.attrs["lang"] = language

    def clean_country(self) -> str:
        country = str(self.cleaned_data["country"]).strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Enter a two-letter country code."))
        return country

    def bilingual_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{base}_en"], self[f"{base}_ja"]) for base in BILINGUAL]


class ShortlistNoteForm(forms.ModelForm):
    class Meta:
        model = ShortlistEntry
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = SuggestionFeedback
        fields = ["reason", "comment"]
        widgets = {"reason": forms.RadioSelect, "comment": forms.TextInput}
