"""Which firm a request acts for. Every firm page asks here, so scope is decided once."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from profiles.models import FirmMember, ForeignFirm


def firm_of(user: object) -> ForeignFirm | None:
    if not getattr(user, "is_authenticated", False):
        return None
    membership = (
        FirmMember.objects.select_related("firm").filter(user_id=user.pk).first()  # type: ignore[attr-defined]
    )
    return membership.firm if membership else None


def require_firm(request: HttpRequest) -> ForeignFirm:
    """Return the firm of the logged-in member, or refuse (curators and admins included)."""
    firm = firm_of(request.user)
    if firm is None:
        raise PermissionDenied("Only members of a foreign firm may use this page.")
    return firm
