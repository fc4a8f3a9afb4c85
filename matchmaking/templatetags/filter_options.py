"""The `<option>` lists of the filter forms, built in Python.

A directory or suggestions page renders about a hundred options (47 prefectures, 20 JSIC
divisions, regions, languages, partnership types); as template loops they were a quarter of
the page's rendering time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from matchmaking.directory.listing import FacetValue

register = template.Library()


@register.simple_tag
def filter_options(values: Iterable[Any], selected: Any) -> SafeString:
    """One `<option>` per value, the one whose code is `selected` marked so.

    A value is a `FacetValue` (its count is shown after the label: "Kumamoto (1,204)") or a
    `(code, label)` pair.
    """
    chosen = "" if selected is None else str(selected)
    parts = []
    for value in values:
        if isinstance(value, FacetValue):
            code, label = value.code, f"{value.label} ({value.count:,})"
        else:
            code, label = value
        code = str(code)
        mark = " selected" if code == chosen else ""
        parts.append(f'<option value="{escape(code)}"{mark}>{escape(label)}</option>')
    return mark_safe("".join(parts))  # every code and label is escaped above
