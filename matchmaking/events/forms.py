from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from matchmaking.events.models import Event, EventMeeting, Registration
from profiles.models import Organization, Prefecture


class EventForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("kinds of organization"),
        choices=Organization.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: every kind may take part."),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "description",
            "prefecture",
            "date",
            "starts_at",
            "online",
            "venue",
            "slot_minutes",
            "break_minutes",
            "slot_count",
            "tables",
            "max_meetings",
            "registration_opens",
            "registration_closes",
            "prefectures",
            "kinds",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            # HTML date inputs take ISO values whatever the page's language (zh's default
            # input format, 2026/12/27, is not one).
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "starts_at": forms.TimeInput(attrs={"type": "time"}),
            "registration_opens": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "registration_closes": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args: Any, prefectures: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if prefectures is not None:
            self.fields["prefecture"].queryset = prefectures  # type: ignore[attr-defined]
        self.fields["prefectures"].widget.attrs["size"] = 8
        self.fields["prefectures"].queryset = Prefecture.objects.order_by("code")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("registration_opens"), data.get("registration_closes")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes", _("Registration must close after it opens."))
        if self.instance.pk:
            # Registrations and meetings name slots and tables by number: keep theirs.
            slots = [s for r in self.instance.registrations.all() for s in r.available_slots]
            slots += list(self.instance.meetings.values_list("slot", flat=True))
            if slots and data.get("slot_count") is not None and data["slot_count"] <= max(slots):
                self.add_error(
                    "slot_count",
                    _("Participants registered for slot %(slot)s: keep at least that many.")
                    % {"slot": max(slots) + 1},
                )
            tables = list(self.instance.meetings.values_list("table", flat=True))
            if tables and data.get("tables") is not None and data["tables"] < max(tables):
                self.add_error(
                    "tables",
                    _("Meetings are seated at table %(table)s: keep at least that many.")
                    % {"table": max(tables)},
                )
        return data


def slot_choices(event: Event) -> list[tuple[int, str]]:
    return [
        (number, f"{number + 1}: {formats.time_format(start)}–{formats.time_format(end)}")
        for number, (start, end) in enumerate(event.slot_times())
    ]


class RegistrationForm(forms.Form):
    """A participant's need, availability and requests (a firm's own, or the curator's
    for an organization)."""

    need = forms.CharField(
        label=_("What you hope to find at this event"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The partners are proposed from this text."),
    )
    available_slots = forms.TypedMultipleChoiceField(
        label=_("Slots you can attend"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    must_meet = forms.ModelMultipleChoiceField(
        label=_("Must meet"),
        queryset=Registration.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    not_interested = forms.ModelMultipleChoiceField(
        label=_("Not interested in"),
        queryset=Registration.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, event: Event, firm_side: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = slot_choices(event)
        self.fields["available_slots"].choices = choices  # type: ignore[attr-defined]
        self.fields["available_slots"].initial = [number for number, _ in choices]
        others = (
            event.registrations.filter(organization__isnull=False).select_related("organization")
            if firm_side
            else event.registrations.filter(firm__isnull=False).select_related("firm")
        )
        for name in ("must_meet", "not_interested"):
            self.fields[name].queryset = others  # type: ignore[attr-defined]
            if not others:
                self.fields[name].help_text = _("Nobody has registered on the other side yet.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("must_meet") or ()) & set(data.get("not_interested") or ())
        if both:
            self.add_error(
                "not_interested",
                _("A participant cannot be both “must meet” and “not interested”."),
            )
        return data


class OrganizationRegistrationForm(RegistrationForm):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )

    field_order = ["organization", "need", "available_slots", "must_meet", "not_interested"]

    def __init__(self, *args: Any, event: Event, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, event=event, firm_side=False, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class SwapForm(forms.Form):
    first: forms.ModelChoiceField[EventMeeting] = forms.ModelChoiceField(
        label=_("Meeting"), queryset=EventMeeting.objects.none()
    )
    second: forms.ModelChoiceField[EventMeeting] = forms.ModelChoiceField(
        label=_("Swap with"), queryset=EventMeeting.objects.none()
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meetings = event.meetings.filter(locked=False).select_related(
            "firm_registration__firm", "organization_registration__organization"
        )
        for name in ("first", "second"):
            self.fields[name].queryset = meetings  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = _meeting_label  # type: ignore[attr-defined]


def _meeting_label(meeting: Any) -> str:
    return (
        f"{meeting.slot + 1}/{meeting.table}: {meeting.firm_registration} – "
        f"{meeting.organization_registration}"
    )
