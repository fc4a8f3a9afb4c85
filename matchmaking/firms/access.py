"""Which firm a request acts for. Every firm page asks here, so scope is decided once."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from matchmaking.firms.models import FirmMember, ForeignFirm

_FIRM = "_ryumon_firm"  # the user's firm, looked up once per request (None: not a member)


def firm_of(user: object) -> ForeignFirm | None:
    """The firm the user is a member of, or None.

    Remembered on the user object, which lives for one request: a page asks in its view, its
    template tags and its navigation, and only the first asks the database. The membership is
    also cached as `user.firm_membership`, which the navigation reads.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, _FIRM):
        firm: ForeignFirm | None = getattr(user, _FIRM)
        return firm
    membership = (
        FirmMember.objects.select_related("firm").filter(user_id=user.pk).first()  # type: ignore[attr-defined]
    )
    if membership is not None:
        membership.user = user  # type: ignore[assignment]  # fills user.firm_membership too
    firm = membership.firm if membership else None
    setattr(user, _FIRM, firm)
    return firm


def forget_firm(user: object) -> None:
    """Drop the remembered firm, after the user joined or left one in this request."""
    if hasattr(user, _FIRM):
        delattr(user, _FIRM)


def require_firm(request: HttpRequest) -> ForeignFirm:
    """Return the firm of the logged-in member, or refuse (curators and admins included)."""
    firm = firm_of(request.user)
    if firm is None:
        raise PermissionDenied("Only members of a foreign firm may use this page.")
    return firm


def member_firm(request: HttpRequest) -> dict[str, object]:
    """Context processor: `member_firm`, the member's firm (None for anyone else), read on use."""
    return {"member_firm": SimpleLazyObject(lambda: firm_of(request.user))}
