"""The interface language a person chose, kept on their account as well as in the browser.

Django chooses a language from the `django_language` cookie (the switcher sets it) or else
from Accept-Language (LocaleMiddleware). A signed-in person's choice is also stored on their
account, so that it follows them to another browser: at log-in it is copied into the session,
and `AccountLanguageMiddleware` prefers the session's language to Accept-Language. A browser
whose switcher was used (it has the cookie) keeps that choice at log-in, and the account
takes it; a language only guessed from Accept-Language is never stored.

Mails a person receives later, from another person's action, are written in this language
(`account_language`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.signals import user_logged_in
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "_ryumon_language"


class LanguagePreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="language_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=7, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("interface language")
        verbose_name_plural = _("interface languages")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


def supported(language: str | None) -> str | None:
    """Return the code of LANGUAGES that `language` stands for (zh-TW -> zh-hant), or None."""
    if not language:
        return None
    try:
        # Django's LANG_INFO knows "zh-tw" but not "zh-TW" (Accept-Language is lowercased).
        return translation.get_supported_language_variant(language.lower())
    except LookupError:
        return None


def account_language(user: User | AnonymousUser | None) -> str | None:
    """Return the language stored on this account, or None when it has never chosen one."""
    if user is None or not user.is_authenticated:
        return None
    stored = (
        LanguagePreference.objects.filter(user=user).values_list("language", flat=True).first()
    )
    return supported(stored)


def languages_by_email(emails: Iterable[str]) -> dict[str, str]:
    """Return the stored language of each address that has an account with one (one query)."""
    rows = LanguagePreference.objects.filter(user__email__in=set(emails), user__is_active=True)
    return {
        email: code
        for email, language in rows.values_list("user__email", "language")
        if (code := supported(language))
    }


def remember_language(request: HttpRequest, language: str) -> None:
    """Store a signed-in person's choice on the account and in the session."""
    _store(request, request.user, language)


def _store(request: HttpRequest, user: User | AnonymousUser, language: str) -> None:
    code = supported(language)
    if code is None or not user.is_authenticated:
        return
    LanguagePreference.objects.update_or_create(user=user, defaults={"language": code})
    request.session[SESSION_KEY] = code


@receiver(user_logged_in, dispatch_uid="ryumon_account_language")
def _on_log_in(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    stored = account_language(user)
    chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen is not None and chosen != stored:
        # A choice made with the switcher in this browser (on the log-in page, say) is the
        # newest one: it becomes the account's.
        _store(request, user, chosen)
    elif stored is not None:
        request.session[SESSION_KEY] = stored


class AccountLanguageMiddleware:
    """After LocaleMiddleware: a signed-in person reads the language stored on the account,
    and the browser's cookie is brought in line, so the language stays after logging out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a browser with a session can be signed in; reading no session costs nothing.
        chosen = None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            chosen = supported(request.session.get(SESSION_KEY))
        if chosen is not None and chosen != request.LANGUAGE_CODE:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if (
            chosen is not None
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen
            # The switcher's answer sets the cookie to the new choice itself.
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
