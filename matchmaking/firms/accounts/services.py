"""Account writes: sign-up, confirmation, invitations. Each sends its own email.

Sign-up answers the same way whether or not the address is known: a new address gets a
confirmation link, a known one a note saying it already has an account. The visitor sees
"check your inbox" in both cases, so the form cannot be used to list accounts.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify

from matchmaking.firms.access import forget_firm
from matchmaking.firms.accounts import tokens
from matchmaking.firms.models import FirmMember, ForeignFirm
from profiles.roles import FIRM_MEMBERS


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _send(*, to: str, template: str, context: dict[str, object]) -> None:
    subject = render_to_string(f"matchmaking/email/{template}_subject.txt", context)
    body = render_to_string(f"matchmaking/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "firm"
    slug, n = base, 1
    while ForeignFirm.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _add_member(*, user: User, firm: ForeignFirm, role: str) -> FirmMember:
    user.groups.add(Group.objects.get(name=FIRM_MEMBERS))
    membership = FirmMember.objects.create(user=user, firm=firm, role=role)
    forget_firm(user)
    return membership


@transaction.atomic
def account_sign_up(
    *, email: str, password: str, firm_name: str, country: str, site_url: str
) -> None:
    """Create an inactive owner and their firm, and mail the confirmation link."""
    email = normalize_email(email)
    existing = User.objects.filter(username__iexact=email).first()
    if existing is not None and not existing.is_active and existing.last_login is None:
        # Signed up before but never confirmed: send the confirmation again.
        make_password(password)
        _send_confirmation(existing, site_url=site_url)
        return
    if existing is not None:
        # Hash anyway, so that both answers take about the same time.
        make_password(password)
        _send(
            to=existing.email or email,
            template="signup_existing",
            context={
                "login_url": site_url + reverse("login"),
                "reset_url": site_url + reverse("password_reset"),
            },
        )
        return
    user = User.objects.create_user(username=email, email=email, password=password)
    user.is_active = False
    user.save(update_fields=["is_active"])
    firm = ForeignFirm.objects.create(
        name=firm_name.strip(), slug=_unique_slug(firm_name), country=country.upper()
    )
    _add_member(user=user, firm=firm, role=FirmMember.Role.OWNER)
    _send_confirmation(user, site_url=site_url)


def _send_confirmation(user: User, *, site_url: str) -> None:
    token = tokens.make({"u": user.pk, "e": user.email}, salt=tokens.CONFIRM_SALT)
    membership = FirmMember.objects.select_related("firm").filter(user=user).first()
    _send(
        to=user.email,
        template="signup_confirm",
        context={
            "firm": membership.firm if membership else None,
            "confirm_url": site_url + reverse("accounts:confirm", args=[token]),
        },
    )


@transaction.atomic
def account_confirm(*, token: str) -> User | None:
    """Activate the account the link names; None when the link is not valid."""
    payload = tokens.read(token, salt=tokens.CONFIRM_SALT, max_age=tokens.CONFIRM_MAX_AGE)
    if payload is None:
        return None
    user = User.objects.filter(
        pk=int(payload.get("u", 0)), email=str(payload.get("e", ""))
    ).first()
    if user is None:
        return None
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def member_invite(*, firm: ForeignFirm, invited_by: User, email: str, site_url: str) -> None:
    """Mail a colleague a link that lets them join the firm."""
    email = normalize_email(email)
    token = tokens.make({"f": firm.pk, "e": email, "by": invited_by.pk}, salt=tokens.INVITE_SALT)
    with translation.override(translation.get_language()):
        _send(
            to=email,
            template="invitation",
            context={
                "firm": firm,
                "invited_by": invited_by,
                "accept_url": site_url + reverse("accounts:accept_invitation", args=[token]),
            },
        )


def invitation_read(token: str) -> tuple[ForeignFirm, str] | None:
    payload = tokens.read(token, salt=tokens.INVITE_SALT, max_age=tokens.INVITE_MAX_AGE)
    if payload is None:
        return None
    firm = ForeignFirm.objects.filter(pk=int(payload.get("f", 0))).first()
    email = str(payload.get("e", ""))
    return (firm, email) if firm is not None and email else None


@transaction.atomic
def invitation_accept(*, firm: ForeignFirm, email: str, password: str) -> User:
    """Create the colleague's account, active at once: the link proved the address."""
    user = User.objects.create_user(username=email, email=email, password=password)
    _add_member(user=user, firm=firm, role=FirmMember.Role.MEMBER)
    return user
