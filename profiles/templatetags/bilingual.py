"""Pick the English or Japanese version of a text field, falling back to the other one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@dataclass(frozen=True)
class Localized:
    text: str
    lang: str  # the language the text is really in, for the lang attribute

    def __str__(self) -> str:
        return self.text


def text_language(requested: str | None = None) -> str:
    code = requested or get_language() or "en"
    return "ja" if code.startswith("ja") else "en"


@register.simple_tag
def localized(obj: Any, field: str, language: str | None = None) -> Localized:
    """Return obj.<field>_<language>, or the other language's text when that one is empty."""
    first = text_language(language)
    second = "en" if first == "ja" else "ja"
    for code in (first, second):
        text = getattr(obj, f"{field}_{code}", "") or ""
        if text.strip():
            return Localized(text, code)
    return Localized("", first)
