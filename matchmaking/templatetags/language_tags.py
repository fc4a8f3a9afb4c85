"""Language codes as HTML wants them: Django's "zh-hans" is BCP 47's "zh-Hans"."""

from __future__ import annotations

from django import template

register = template.Library()


def bcp47(code: str) -> str:
    """Return the BCP 47 spelling of a Django language code: zh-hans -> zh-Hans, en-us -> en-US.

    Tags are case-insensitive, but screen readers and font selection by :lang() read the
    conventional case more reliably, and tests can name the tag a person would write.
    """
    parts = code.replace("_", "-").split("-")
    tag = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4:  # script: Hans, Hant, Latn
            tag.append(part.title())
        elif len(part) == 2:  # region: TW, CN
            tag.append(part.upper())
        else:
            tag.append(part.lower())
    return "-".join(tag)


register.filter("bcp47", bcp47)


# What the language switch shows on a phone, where four full names do not fit beside the
# menu: each is part of the full name, so the visible label is in the accessible name.
SHORT_NAMES = {"en": "EN", "ja": "日本", "zh-hans": "简", "zh-hant": "繁"}


@register.filter
def short_language_name(code: str) -> str:
    return SHORT_NAMES.get(code, code.upper())
