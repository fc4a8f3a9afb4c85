"""Account forms: they validate and normalise; the services send the mails."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.accounts.services import normalize_email
from matchmaking.firms.models import PendingSignUp


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Work email"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    firm_name = forms.CharField(label=_("Firm name"), max_length=255)
    country = forms.CharField(
        label=_("Country or region (two-letter code)"),
        min_length=2,
        max_length=2,
        help_text=_("ISO 3166-1 code, e.g. US, DE, FR."),
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if not country.isalpha():
            raise forms.ValidationError(_("Enter a two-letter country code."))
        return country

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            # Checked against a throwaway user, so the form says nothing about existing ones.
            probe = User(username=cleaned.get("email", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ConfirmSignUpForm(forms.Form):
    """The password chosen at sign-up: with the link, it shows that whoever confirms both
    controls the mailbox and is the person who signed up."""

    password = forms.CharField(
        label=_("The password you chose when signing up"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, pending: PendingSignUp, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending = pending

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not check_password(password, self.pending.password):
            raise forms.ValidationError(
                _(
                    "This is not the password chosen when signing up. If you did not sign "
                    "up yourself, sign up again: that replaces this sign-up."
                )
            )
        return password


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email"), max_length=150)

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(
                    first, User(username=self.email, email=self.email)
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
