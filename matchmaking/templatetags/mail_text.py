"""Text that someone typed, placed in a mail that Ryumon signs.

A firm name such as "Your account is suspended - verify now at http://evil.example/login"
must not become a link in the recipient's mail client: `unlinked` drops URL schemes, breaks
the dots of anything that looks like a host or an address ("evil[.]example", "a[at]b[.]c",
the usual way to defang a link), keeps it on one line and caps its length. Templates quote
the result, so it reads as the user's words.
"""

from __future__ import annotations

import re

from django import template

register = template.Library()

NAME_LIMIT = 80

_SCHEME = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*:/+|\b(?:mailto|tel|sms|callto|javascript|data):")
# A dot (or an ideographic or full-width one, which IDNA also reads as a dot) between a
# character and a letter or digit: a host name, not the end of "Inc.".
_DOT = re.compile(r"(?<=\w)[.\u3002\uff0e\uff61](?=[A-Za-z0-9])")
_AT = re.compile(r"[@\uff20]")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def unlink(text: object, limit: int = NAME_LIMIT) -> str:
    """Return the text on one line, at most `limit` characters, with nothing a mail client
    would turn into a link."""
    words = _SPACE.sub(" ", _CONTROL.sub(" ", str(text))).strip()
    words = _SCHEME.sub("", words)
    words = _AT.sub("[at]", _DOT.sub("[.]", words))
    if len(words) > limit:
        words = words[: limit - 1].rstrip() + "…"
    return words


@register.filter
def unlinked(text: object, limit: int = NAME_LIMIT) -> str:
    return unlink(text, limit)
