"""Account writes: sign-up, confirmation, invitations. Each enqueues its own email.

Sign-up answers the same way whether or not the address is known: a new address gets a
confirmation link, a known one a note saying it already has an account. The visitor sees
"check your inbox" in both cases, and the request does the same work (a password hash, one
mail task), so neither the page nor its timing can be used to list accounts.

A sign-up grants nothing until it is confirmed: it is a `PendingSignUp`, not a user. The
confirmation takes the link (control of the mailbox) and the password chosen at sign-up, so
neither someone who signed up with another person's address nor the owner of the address
clicking a link they did not ask for can finish it. Signing up again replaces the pending
sign-up, and with it the only link that works.
"""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify

from matchmaking.firms.access import forget_firm
from matchmaking.firms.accounts import tokens
from matchmaking.firms.accounts.tasks import send_account_mail
from matchmaking.firms.models import FirmMember, ForeignFirm, PendingSignUp
from profiles.roles import FIRM_MEMBERS


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _mail(*, to: str, template: str, context: dict[str, str]) -> None:
    send_account_mail.enqueue(
        to=to, template=template, context=context, language=translation.get_language() or "en"
    )


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


def _confirmation_window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=tokens.CONFIRM_MAX_AGE)


@transaction.atomic
def account_sign_up(
    *, email: str, password: str, firm_name: str, country: str, site_url: str
) -> None:
    """Record a pending sign-up and mail its confirmation link (or tell a known address)."""
    email = normalize_email(email)
    # Hashed on both paths, so that both answers take about the same time.
    hashed = make_password(password)
    PendingSignUp.objects.filter(created_at__lt=_confirmation_window_start()).delete()
    if User.objects.filter(username__iexact=email).exists():
        _mail(
            to=email,
            template="signup_existing",
            context={
                "login_url": site_url + reverse("login"),
                "reset_url": site_url + reverse("password_reset"),
            },
        )
        return
    pending, _created = PendingSignUp.objects.update_or_create(
        email=email,
        defaults={
            "password": hashed,
            "firm_name": firm_name.strip(),
            "country": country.upper(),
            "nonce": secrets.token_urlsafe(24),
            "created_at": timezone.now(),
        },
    )
    token = tokens.make({"e": pending.email, "n": pending.nonce}, salt=tokens.CONFIRM_SALT)
    _mail(
        to=email,
        template="signup_confirm",
        context={
            "firm": pending.firm_name,
            "confirm_url": site_url + reverse("accounts:confirm", args=[token]),
        },
    )


def pending_sign_up_read(token: str) -> PendingSignUp | None:
    """The pending sign-up the link names, or None: forged, expired, replaced by a later
    sign-up, already confirmed, or for an address that has an account by now."""
    payload = tokens.read(token, salt=tokens.CONFIRM_SALT, max_age=tokens.CONFIRM_MAX_AGE)
    if payload is None:
        return None
    pending = PendingSignUp.objects.filter(
        email=str(payload.get("e", "")), created_at__gte=_confirmation_window_start()
    ).first()
    if pending is None or not constant_time_compare(pending.nonce, str(payload.get("n", ""))):
        return None
    if User.objects.filter(username__iexact=pending.email).exists():
        return None
    return pending


@transaction.atomic
def account_confirm(*, pending: PendingSignUp) -> User | None:
    """Create the owner (with the password chosen at sign-up) and their firm; use up the
    pending sign-up. None when a concurrent confirmation got there first."""
    locked = (
        PendingSignUp.objects.select_for_update()
        .filter(pk=pending.pk, nonce=pending.nonce)
        .first()
    )
    if locked is None or User.objects.filter(username__iexact=locked.email).exists():
        return None
    user = User(username=locked.email, email=locked.email, password=locked.password)
    user.save()
    firm = ForeignFirm.objects.create(
        name=locked.firm_name, slug=_unique_slug(locked.firm_name), country=locked.country
    )
    _add_member(user=user, firm=firm, role=FirmMember.Role.OWNER)
    locked.delete()
    return user


def _inviter_state(*, firm: ForeignFirm, inviter: User) -> str:
    """A digest of what must not change for an invitation to stay valid: the inviter's
    password and active flag, and their membership of the firm."""
    value = f"{firm.pk}|{inviter.pk}|{inviter.password}|{inviter.is_active}"
    return salted_hmac(tokens.INVITE_SALT, value, algorithm="sha256").hexdigest()[:32]


def member_invite(*, firm: ForeignFirm, invited_by: User, email: str, site_url: str) -> None:
    """Mail a colleague a link that lets them join the firm."""
    email = normalize_email(email)
    token = tokens.make(
        {
            "f": firm.pk,
            "e": email,
            "by": invited_by.pk,
            "s": _inviter_state(firm=firm, inviter=invited_by),
        },
        salt=tokens.INVITE_SALT,
    )
    _mail(
        to=email,
        template="invitation",
        context={
            "firm": firm.name,
            "invited_by": invited_by.email,
            "accept_url": site_url + reverse("accounts:accept_invitation", args=[token]),
        },
    )


def invitation_read(token: str) -> tuple[ForeignFirm, str] | None:
    """The firm and address an invitation names, or None: forged or expired, or the inviter
    has since changed their password, been deactivated or left the firm."""
    payload = tokens.read(token, salt=tokens.INVITE_SALT, max_age=tokens.INVITE_MAX_AGE)
    if payload is None:
        return None
    membership = (
        FirmMember.objects.select_related("firm", "user")
        .filter(firm_id=int(payload.get("f", 0)), user_id=int(payload.get("by", 0)))
        .first()
    )
    email = str(payload.get("e", ""))
    if membership is None or not email or not membership.user.is_active:
        return None
    state = _inviter_state(firm=membership.firm, inviter=membership.user)
    if not constant_time_compare(state, str(payload.get("s", ""))):
        return None
    return membership.firm, email


@transaction.atomic
def invitation_accept(*, firm: ForeignFirm, email: str, password: str) -> User:
    """Create the colleague's account, active at once: the link proved the address.

    The view refuses a link whose address has an account, so a link creates one account once.
    """
    user = User.objects.create_user(username=email, email=email, password=password)
    _add_member(user=user, firm=firm, role=FirmMember.Role.MEMBER)
    return user
