from __future__ import annotations

import pytest
from django.conf import settings

from matchmaking.templatetags.language_tags import bcp47, short_language_name


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("en", "en"),
        ("ja", "ja"),
        ("zh-hans", "zh-Hans"),
        ("zh-hant", "zh-Hant"),
        ("zh_Hant", "zh-Hant"),
        ("en-us", "en-US"),
        ("zh-hant-tw", "zh-Hant-TW"),
    ],
)
def test_django_codes_become_bcp47_tags(code: str, tag: str) -> None:
    assert bcp47(code) == tag


def test_every_language_has_a_short_name_that_is_part_of_its_own_name() -> None:
    from django.utils.translation import get_language_info

    for code, _ in settings.LANGUAGES:
        short = short_language_name(code)
        assert short.lower() in get_language_info(code)["name_local"].lower(), code
