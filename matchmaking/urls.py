from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from matchmaking import api, views
from matchmaking.accounts.urls import password_reset_urls
from matchmaking.forms import AdminLoginForm, LoginForm

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
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("profiles.urls")),
    path("workspace/", include("profiles.workspace.urls")),
    path("api/v1/suggestions", api.suggestions_api, name="api-suggestions"),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
    path("accounts/", include("matchmaking.accounts.urls")),
    path("firm/", include("matchmaking.firm.urls")),
    path("", include("matchmaking.introductions.urls")),
    *password_reset_urls,
]

handler400 = "matchmaking.views.bad_request"
handler403 = "matchmaking.views.permission_denied"
handler404 = "matchmaking.views.page_not_found"
handler500 = "matchmaking.views.server_error"
