from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from matchmaking import api, views
from matchmaking.firms.accounts.urls import password_reset_urls
from matchmaking.forms import AdminLoginForm, LoginForm


def _moved(pattern_name: str) -> Any:
    """A page that moved: 301 to its new address, query string kept."""
    return RedirectView.as_view(pattern_name=pattern_name, permanent=True, query_string=True)


admin.site.login_form = AdminLoginForm
admin.site.site_header = "Ryumon administration"
admin.site.site_title = "Ryumon admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("matchmaking.directory.urls")),
    path("workspace/", include("matchmaking.workspace.urls")),
    # /workspace/events/… and /firm/events/…: one module, so the events stand on the firms
    # and the workspace without either importing them back.
    path("", include("matchmaking.events.urls")),
    path("api/v1/suggestions", api.suggestions_api, name="api-suggestions"),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
    path("accounts/", include("matchmaking.firms.accounts.urls")),
    path("firm/", include("matchmaking.firms.urls")),
    path("introductions/", include("matchmaking.firms.introductions.urls")),
    # The curator's pages moved under /workspace/; mails already sent link the old addresses.
    path(
        "curation/introductions/",
        RedirectView.as_view(
            pattern_name="workspace:introductions", permanent=True, query_string=True
        ),
    ),
    path(
        "curation/introductions/<int:pk>/",
        RedirectView.as_view(
            pattern_name="workspace:introduction", permanent=True, query_string=True
        ),
    ),
    path(
        "curation/demand/",
        _moved("workspace:demand"),
    ),
    *password_reset_urls,
]

handler400 = "matchmaking.views.bad_request"
handler403 = "matchmaking.views.permission_denied"
handler404 = "matchmaking.views.page_not_found"
handler500 = "matchmaking.views.server_error"
