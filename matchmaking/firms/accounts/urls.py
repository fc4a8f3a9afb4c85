from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from matchmaking.firms.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/done/", views.sign_up_done, name="sign_up_done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("invite/", views.invite, name="invite"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
]

# Django's own password-reset views, under their default names so that its templates and
# emails link to each other; they answer the same for known and unknown addresses. The first
# is ours (views.PasswordResetView): it sends the mail as background work, within the limits.
password_reset_urls = [
    path(
        "accounts/password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
