from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.introductions.models import Outcome
from matchmaking.firms.models import IntroductionRequest
from matchmaking.firms.times import JAPAN, zone_of

DURATIONS = (30, 45, 60, 90, 120)

# HTML date and time inputs take ISO values whatever the page's language (Chinese formats
# a date 2026/12/27 by default, which the input does not show).
LOCAL_DATETIME = "%Y-%m-%dT%H:%M"


class IntroductionRequestForm(forms.ModelForm):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = IntroductionRequest
        fields = [
            "partnership_type",
            "proposal",
            "questions",
            "preferred_language",
            "contact_name",
            "contact_email",
        ]
        widgets = {
            "proposal": forms.Textarea(attrs={"rows": 6}),
            "questions": forms.Textarea(attrs={"rows": 3}),
            "preferred_language": forms.RadioSelect,
        }
        help_texts = {
            "proposal": _("What your firm proposes to this organization, and why them."),
            "questions": _("What you need to know before you meet."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A required radio group needs no blank choice: it would be a bogus option.
        language = self.fields["preferred_language"]
        language.choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in language.choices  # type: ignore[attr-defined]
            if value != ""
        ]


class TransitionForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MeetingForm(forms.Form):
    """Up to three times for a meeting, in Japan time or the firm's own, and where it is."""

    zone = forms.ChoiceField(label=_("The times are in"), widget=forms.RadioSelect)
    slot_1 = forms.DateTimeField(
        label=_("First time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DATETIME),
    )
    slot_2 = forms.DateTimeField(
        label=_("Second time (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DATETIME),
    )
    slot_3 = forms.DateTimeField(
        label=_("Third time (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DATETIME),
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Duration"),
        coerce=int,
        initial=60,
        choices=[
            (minutes, _("%(minutes)s minutes") % {"minutes": minutes}) for minutes in DURATIONS
        ],
    )
    online_url = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A video call address, or leave empty and give a venue."),
    )
    venue = forms.CharField(label=_("Venue"), required=False, max_length=300)
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, firm_zone: str, default_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, object]] = [(JAPAN.key, _("Japan time (JST)"))]
        if zone_of(firm_zone) is not None and firm_zone != JAPAN.key:
            choices.append((firm_zone, _("the firm's time zone (%(zone)s)") % {"zone": firm_zone}))
        zone_field = self.fields["zone"]
        zone_field.choices = choices  # type: ignore[attr-defined]
        zone_field.initial = default_zone if default_zone in dict(choices) else JAPAN.key

    def clean_online_url(self) -> str:
        url = str(self.cleaned_data.get("online_url") or "")
        if url and not url.startswith("https://"):
            raise forms.ValidationError(_("Give an https:// address."))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = zone_of(str(data.get("zone") or "")) or JAPAN
        slots = []
        for name in ("slot_1", "slot_2", "slot_3"):
            moment = data.get(name)
            if moment is not None:
                # The browser sends a wall-clock time: read it in the zone the form says.
                slots.append(moment.replace(tzinfo=None).replace(tzinfo=zone))
        data["slots"] = slots
        if (
            not str(data.get("online_url") or "").strip()
            and not str(data.get("venue") or "").strip()
        ):
            raise forms.ValidationError(_("Give an online meeting link or a venue."))
        return data


class PickForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["kind", "date", "amount", "currency", "note"]
        widgets = {
            "kind": forms.RadioSelect,
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"amount": _("Optional: the value of the order, contract or investment.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        kind.choices = [(v, label) for v, label in kind.choices if v != ""]  # type: ignore[attr-defined]

    def clean_currency(self) -> str:
        currency = str(self.cleaned_data.get("currency") or "").strip().upper()
        if currency and (len(currency) != 3 or not currency.isalpha()):
            raise forms.ValidationError(_("Enter a three-letter currency code."))
        return currency

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") is not None and not data.get("currency"):
            self.add_error("currency", _("Give the currency of the amount."))
        return data
