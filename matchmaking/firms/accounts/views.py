from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from matchmaking.firms.access import require_firm
from matchmaking.firms.accounts import services
from matchmaking.firms.accounts.forms import AcceptInvitationForm, InviteForm, SignUpForm

BACKEND = "matchmaking.throttle.ThrottledModelBackend"


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_sign_up(**form.cleaned_data, site_url=_site_url(request))
        return redirect("accounts:sign_up_done")
    return render(request, "matchmaking/firms/accounts/sign_up.html", {"form": form})


@require_GET
def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(request, "matchmaking/firms/accounts/sign_up_done.html")


@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = services.account_confirm(token=token)
    if user is None:
        return render(request, "matchmaking/firms/accounts/link_invalid.html", status=400)
    login(request, user, backend=BACKEND)
    messages.success(request, _("Your email address is confirmed. Welcome to Ryumon."))
    return redirect("firm:profile")


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    firm = require_firm(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        services.member_invite(
            firm=firm,
            invited_by=request.user,
            email=form.cleaned_data["email"],
            site_url=_site_url(request),
        )
        messages.success(
            request,
            _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
        )
        return redirect("accounts:invite")
    members = firm.members.select_related("user").order_by("joined_at")
    return render(
        request,
        "matchmaking/firms/accounts/invite.html",
        {"form": form, "firm": firm, "members": members},
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_read(token)
    if invitation is None:
        return render(request, "matchmaking/firms/accounts/link_invalid.html", status=400)
    firm, email = invitation
    if User.objects.filter(username__iexact=email).exists():
        # Only the holder of the link sees this, and the link was sent to that address.
        return render(
            request,
            "matchmaking/firms/accounts/invitation_taken.html",
            {"email": email},
            status=409,
        )
    form = AcceptInvitationForm(request.POST or None, email=email)
    if request.method == "POST" and form.is_valid():
        user = services.invitation_accept(
            firm=firm, email=email, password=form.cleaned_data["password1"]
        )
        login(request, user, backend=BACKEND)
        return redirect("firm:profile")
    return render(
        request,
        "matchmaking/firms/accounts/accept_invitation.html",
        {"form": form, "firm": firm, "email": email},
    )
