"""Guards around every view: input no database can store, and a database that is down."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from matchmaking import views

logger = logging.getLogger(__name__)

# C0 control characters but tab, LF and CR, which a textarea may legitimately send.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ControlCharacterInRequest(SuspiciousOperation):
    """Logged by Django to `django.security.ControlCharacterInRequest`; answered with 400."""


class RefuseControlCharactersMiddleware:
    """Answer 400 to a path or a form field holding NUL or another control character.

    PostgreSQL refuses NUL in text, so without this any view that filters or saves what it
    was sent answers 500 there. Only field names and text values are read: request.POST holds
    a multipart form's text fields, while the files (request.FILES) are left to the view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_CHARACTERS.search(request.path):
            raise ControlCharacterInRequest("Control character in the path")
        # request.POST is empty unless this is a POST of a form; reading it here parses the
        # body a little earlier than CsrfViewMiddleware would (no view changes upload_handlers).
        for where, data in (("query", request.GET), ("form", request.POST)):
            for key, values in data.lists():
                if CONTROL_CHARACTERS.search(key) or any(
                    CONTROL_CHARACTERS.search(value) for value in values
                ):
                    raise ControlCharacterInRequest(
                        f"Control character in a {where} field: {key!r}"
                    )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not 500, when a view finds the database unreachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # Django logs nothing for an exception a middleware answers: say what happened here.
        logger.error("Database unavailable: %s", request.path, exc_info=exception)
        return views.service_unavailable(request)
