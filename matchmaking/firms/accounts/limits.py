"""Daily limits on the account mails a visitor or a member can make Ryumon send.

Every sign-up, password reset and invitation counts against the recipient address, the client
address and (for an invitation) the inviting firm, whether or not the recipient has an
account, so reaching a limit says nothing about which addresses are registered.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from matchmaking import counters
from matchmaking.throttle import client_address

DAY = 24 * 3600

MAIL_LIMIT_REACHED = _(
    "Too many emails have been asked for today, from here or for this address. Nothing was "
    "sent; please try again tomorrow."
)


def _key(kind: str, value: str) -> str:
    return f"mail:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def mail_allowed(request: HttpRequest, *, recipient: str, firm_id: int | None = None) -> bool:
    """Count one account mail; False when a limit is passed (then send nothing)."""
    limits = {
        _key("to", recipient.strip().lower()): settings.ACCOUNT_MAIL_LIMIT_PER_RECIPIENT,
        _key("client", client_address(request)): settings.ACCOUNT_MAIL_LIMIT_PER_CLIENT,
    }
    if firm_id is not None:
        limits[_key("firm", str(firm_id))] = settings.ACCOUNT_MAIL_LIMIT_PER_FIRM
    allowed = True
    for key, limit in limits.items():
        if counters.count(key, seconds=DAY) > limit:
            allowed = False
    return allowed
