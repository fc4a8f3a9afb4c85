from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.models import IntroductionRequest


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
