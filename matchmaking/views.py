from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from matchmaking import language
from matchmaking.directory import japan_map
from profiles.models import Organization, Prefecture


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    published = Organization.objects.published()
    context = {
        "published_count": published.count(),
        "lying_dragon_count": published.lying_dragons().count(),
        "regional_count": published.non_metropolitan().count(),
        "prefecture_count": Prefecture.objects.count(),
        "tiles": japan_map.tiles(),
        "map": japan_map,
    }
    return render(request, "matchmaking/home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher (a cookie), and the account's language for someone signed in."""
    code = language.supported(request.POST.get("language"))
    if code is not None:
        # Django would keep "zh-TW" as sent, and read that cookie back as zh-hans.
        post = request.POST.copy()
        post["language"] = code
        request.POST = post  # type: ignore[assignment]  # a copy, mutable on purpose
        if request.user.is_authenticated:
            language.remember_language(request, code)
    return i18n.set_language(request)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Error pages render without the database and without context processors that might
# touch it, so they still work when the database is what failed.
def _error_page(template: str, status: int) -> HttpResponse:
    return HttpResponse(loader.get_template(template).render(), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page("403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # DatabaseUnavailableMiddleware answers for views; this catches the rest (a middleware
    # saving the session, say), since Django calls handler500 inside its `except` block.
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        return service_unavailable(request)
    return _error_page("500.html", 500)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The database is unreachable: ask clients and crawlers to come back shortly."""
    response = _error_page("503.html", 503)
    response["Retry-After"] = "30"
    return response
