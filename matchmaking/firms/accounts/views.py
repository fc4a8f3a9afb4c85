from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from matchmaking.firms.access import require_firm
from matchmaking.firms.accounts import services
from matchmaking.firms.accounts.forms import (
    AcceptInvitationForm,
    ConfirmSignUpForm,
    InviteForm,
    SignUpForm,
)
from matchmaking.firms.accounts.limits import MAIL_LIMIT_REACHED, mail_allowed
from matchmaking.firms.accounts.tasks import send_password_reset

BACKEND = "matchmaking.throttle.ThrottledModelBackend"


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if mail_allowed(request, recipient=form.cleaned_data["email"]):
            services.account_sign_up(**form.cleaned_data, site_url=_site_url(request))
            return redirect("accounts:sign_up_done")
        form.add_error(None, MAIL_LIMIT_REACHED)
        status = 429
    return render(
        request, "matchmaking/firms/accounts/sign_up.html", {"form": form}, status=status
    )


@require_GET
def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(request, "matchmaking/firms/accounts/sign_up_done.html")


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows the form: a link scanner that follows the link confirms nothing.
    pending = services.pending_sign_up_read(token)
    if pending is None:
        return render(request, "matchmaking/firms/accounts/link_invalid.html", status=400)
    form = ConfirmSignUpForm(request.POST or None, pending=pending)
    if request.method == "POST" and form.is_valid():
        user = services.account_confirm(pending=pending)
        if user is None:
            return render(request, "matchmaking/firms/accounts/link_invalid.html", status=400)
        login(request, user, backend=BACKEND)
        messages.success(request, _("Your email address is confirmed. Welcome to Ryumon."))
        return redirect("firm:profile")
    return render(
        request,
        "matchmaking/firms/accounts/confirm.html",
        {"form": form, "pending": pending},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    firm = require_firm(request)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        email = form.cleaned_data["email"]
        if mail_allowed(request, recipient=email, firm_id=firm.pk):
            services.member_invite(
                firm=firm, invited_by=request.user, email=email, site_url=_site_url(request)
            )
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
            return redirect("accounts:invite")
        form.add_error(None, MAIL_LIMIT_REACHED)
        status = 429
    members = firm.members.select_related("user").order_by("joined_at")
    return render(
        request,
        "matchmaking/firms/accounts/invite.html",
        {"form": form, "firm": firm, "members": members},
        status=status,
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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, except that the mail is background work and counts against the daily limits.

    The request enqueues the same task for a known and an unknown address; the task looks
    the address up, so the answer and its timing are the same.
    """

    form_class = PasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        if not mail_allowed(self.request, recipient=email):
            form.add_error(None, MAIL_LIMIT_REACHED)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        send_password_reset.enqueue(
            email=email,
            domain=self.request.get_host(),
            use_https=self.request.is_secure(),
            language=translation.get_language() or "en",
        )
        return HttpResponseRedirect(self.get_success_url())
