"""Introduction requests and their transitions. Every transition is recorded with who and
when, and both sides get an email: the firm's requester, and the prefecture's curators."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from matchmaking.firms.models import (
    ForeignFirm,
    IntroductionEvent,
    IntroductionRequest,
    IntroductionState,
)
from matchmaking.language import account_language, languages_by_email
from profiles.models import Curatorship, Organization

State = IntroductionState


class IntroductionRefused(Exception):
    """The request breaks a rule (limits, a second open request); the message says which."""


# Which states each action leaves from, and where it goes. The firm acts on its own
# requests; curators on those of their prefectures (checked by the views).
FIRM_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "withdraw": (
        (State.SUBMITTED, State.UNDER_REVIEW, State.INFO_REQUESTED, State.FORWARDED),
        State.WITHDRAWN,
    ),
    "answer": ((State.INFO_REQUESTED,), State.SUBMITTED),
}
CURATOR_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "review": ((State.SUBMITTED,), State.UNDER_REVIEW),
    "request_info": ((State.SUBMITTED, State.UNDER_REVIEW), State.INFO_REQUESTED),
    "forward": ((State.SUBMITTED, State.UNDER_REVIEW), State.FORWARDED),
    "decline": (
        (State.SUBMITTED, State.UNDER_REVIEW, State.INFO_REQUESTED, State.FORWARDED),
        State.DECLINED,
    ),
    "interested": ((State.FORWARDED,), State.ACCEPTED),
    "not_interested": ((State.FORWARDED,), State.DECLINED),
}
# What a curator must write for an action: a reason to decline, a question to ask.
MESSAGE_REQUIRED = {"request_info", "decline", "answer"}


def new_submission_key() -> uuid.UUID:
    return uuid.uuid4()


def curators_of(organization: Organization) -> list[str]:
    return list(
        Curatorship.objects.filter(prefecture_id=organization.prefecture_id, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def _mail(
    *, to: list[str], template: str, context: dict[str, Any], fallback: str | None = None
) -> None:
    """Send one mail per language: each recipient's stored language, else `fallback`, else
    the language of the page that caused the mail."""
    if not to:
        return
    stored = languages_by_email(to)
    fallback = fallback or translation.get_language() or settings.LANGUAGE_CODE
    by_language: dict[str, list[str]] = {}
    for address in sorted(set(to)):
        by_language.setdefault(stored.get(address, fallback), []).append(address)
    for language, addresses in by_language.items():
        with translation.override(language):
            subject = render_to_string(f"matchmaking/email/{template}_subject.txt", context)
            body = render_to_string(f"matchmaking/email/{template}.txt", context)
        send_mail(" ".join(subject.split()), body, None, addresses)


def _notify(introduction: IntroductionRequest, event: IntroductionEvent, site_url: str) -> None:
    context = {"introduction": introduction, "event": event, "site_url": site_url}
    firm_side = [introduction.contact_email]
    if introduction.requested_by is not None and introduction.requested_by.email:
        firm_side.append(introduction.requested_by.email)
    curators = curators_of(introduction.organization)

    def send() -> None:
        # The firm's contact person reads the language of the member who asked.
        requester = account_language(introduction.requested_by)
        _mail(to=firm_side, template="introduction_firm", context=context, fallback=requester)
        _mail(to=curators, template="introduction_curator", context=context)

    # Sent after the commit: a rolled-back transition must not have told anyone.
    transaction.on_commit(send)


@transaction.atomic
def introduction_request(
    *,
    firm: ForeignFirm,
    organization: Organization,
    user: User,
    submission_key: uuid.UUID,
    site_url: str,
    **fields: Any,
) -> IntroductionRequest:
    """Create the introduction, or return the one this same form already created."""
    # Serialise a firm's submissions, so that two at once cannot both pass the limits.
    ForeignFirm.objects.select_for_update().filter(pk=firm.pk).first()
    existing = IntroductionRequest.objects.filter(firm=firm, submission_key=submission_key).first()
    if existing is not None:
        return existing
    mine = IntroductionRequest.objects.filter(firm=firm)
    if mine.open().filter(organization=organization).exists():
        raise IntroductionRefused(
            _("Your firm already has an open introduction request to this organization.")
        )
    if mine.open().count() >= settings.INTRODUCTION_OPEN_LIMIT:
        raise IntroductionRefused(
            _("Your firm has %(limit)s open requests, the most allowed. Withdraw one first.")
            % {"limit": settings.INTRODUCTION_OPEN_LIMIT}
        )
    since = timezone.now() - timedelta(days=1)
    if mine.filter(created_at__gte=since).count() >= settings.INTRODUCTION_DAILY_LIMIT:
        raise IntroductionRefused(
            _("Your firm has sent %(limit)s requests in the last 24 hours. Try again later.")
            % {"limit": settings.INTRODUCTION_DAILY_LIMIT}
        )
    try:
        with transaction.atomic():
            introduction = IntroductionRequest.objects.create(
                firm=firm,
                organization=organization,
                requested_by=user,
                submission_key=submission_key,
                **fields,
            )
    except IntegrityError:
        raise IntroductionRefused(
            _("Your firm already has an open introduction request to this organization.")
        ) from None
    event = IntroductionEvent.objects.create(
        request=introduction, from_state="", to_state=State.SUBMITTED, actor=user
    )
    _notify(introduction, event, site_url)
    return introduction


@transaction.atomic
def introduction_transition(
    *,
    introduction: IntroductionRequest,
    action: str,
    actor: User,
    by_firm: bool,
    site_url: str,
    message: str = "",
) -> IntroductionEvent:
    """Move the introduction by the action, record it, tell both sides; refuse a wrong move."""
    actions = FIRM_ACTIONS if by_firm else CURATOR_ACTIONS
    if action not in actions:
        raise IntroductionRefused(_("This action is not available."))
    sources, target = actions[action]
    # Re-read under a lock: two curators acting at once must not both move it.
    locked = IntroductionRequest.objects.select_for_update().get(pk=introduction.pk)
    if locked.state not in sources:
        raise IntroductionRefused(_("The request has moved on since you opened it."))
    if action in MESSAGE_REQUIRED and not message.strip():
        raise IntroductionRefused(_("Write a message for this step."))
    if action == "forward" and not locked.organization.contact_email:
        raise IntroductionRefused(
            _("The organization has no contact email: add it to its profile first.")
        )
    event = IntroductionEvent.objects.create(
        request=locked, from_state=locked.state, to_state=target, actor=actor, message=message
    )
    locked.state = target
    locked.state_changed_at = event.at
    if action in {"interested", "not_interested"}:
        locked.answer = action
    locked.save(update_fields=["state", "state_changed_at", "answer"])
    if action == "forward":
        _forward(locked, curator=actor, note=message)
    _notify(locked, event, site_url)
    introduction.state, introduction.answer = locked.state, locked.answer
    return event


def introduction_email(
    introduction: IntroductionRequest, *, curator: User, note: str
) -> tuple[str, str]:
    """The bilingual (English, then Japanese) introduction sent to the organization."""
    context = {"introduction": introduction, "curator": curator, "note": note}
    parts = []
    for language in ("en", "ja"):
        with translation.override(language):
            parts.append(render_to_string("matchmaking/email/introduction_forward.txt", context))
    subject = f"Introduction: {introduction.firm.name} / {introduction.firm.name}様からのご紹介"
    return subject, "\n\n――――――――――――――――――――\n\n".join(parts)


def _forward(introduction: IntroductionRequest, *, curator: User, note: str) -> None:
    subject, body = introduction_email(introduction, curator=curator, note=note)
    message = EmailMessage(
        subject,
        body,
        to=[introduction.organization.contact_email],
        reply_to=[curator.email] if curator.email else [],
    )
    transaction.on_commit(message.send)


def stale_requests() -> Any:
    before = timezone.now() - timedelta(days=settings.INTRODUCTION_STALE_DAYS)
    return IntroductionRequest.objects.stale(before=before)
