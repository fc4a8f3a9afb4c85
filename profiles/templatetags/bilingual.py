"""Pick the English or Japanese version of a text field, falling back to the other one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.html import format_html
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


def _is_japanese(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x9FFF  # kanji
        or 0xF900 <= code <= 0xFAFF
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
    )


@register.filter
def lang_of(text: object) -> str:
    """Return "ja" for a text with any kana or kanji in it, else "en": for lang attributes on
    names and keywords, which may be in either language whatever the page's. On a Chinese
    page, a text of Han characters without kana is the reader's Chinese (the glossary's
    Chinese names in explanations)."""
    text = str(text)
    if not any(_is_japanese(char) for char in text):
        return "en"
    page = (get_language() or "en").lower()
    if page.startswith("zh") and not any(0x3040 <= ord(c) <= 0x30FF for c in text):
        return "zh-Hant" if page.startswith(("zh-hant", "zh-tw", "zh-hk")) else "zh-Hans"
    return "ja"


@register.filter
def lang_span(text: object) -> str:
    """Wrap a name or keyword in a span that says its language (WCAG 3.1.2)."""
    return format_html('<span lang="{}">{}</span>', lang_of(text), text)
