"""Forms of the matchmaking app: log-in (throttled)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from matchmaking import throttle


class ThrottleMixin:
    error_messages: dict[str, Any]
    request: Any
    data: Any

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        if username and throttle.is_locked(self.request, username):
            raise self._throttled()
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            # A parallel attempt may have reached the limit after the check above; the
            # backend counted this one, found the lock and refused it.
            if throttle.was_refused(self.request):
                raise self._throttled() from None
            raise

    def _throttled(self) -> forms.ValidationError:
        # The same words for every username, existing or not.
        minutes = max(1, settings.LOGIN_COOLOFF_SECONDS // 60)
        return forms.ValidationError(
            _(
                "Too many failed log-in attempts. For your security, log-in is paused "
                "for %(minutes)s minutes."
            ),
            code="throttled",
            params={"minutes": minutes},
        )


class LoginForm(ThrottleMixin, AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Usernames are email addresses, stored in lower case.
        self.fields["username"].label = _("Email")
        # Set input_type, not attrs["type"]: the template writes input_type first, so a
        # second type attribute would be ignored and phones would show no email keyboard.
        widget = self.fields["username"].widget
        widget.input_type = "email"
        widget.attrs.update({"autocomplete": "email"})

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username", "")).strip().lower()


class AdminLoginForm(ThrottleMixin, AdminAuthenticationForm):
    pass
