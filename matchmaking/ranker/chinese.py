"""Chinese text: tell it from Japanese, and write its characters in Japanese forms.

A need written in Chinese (Simplified on the mainland, Traditional in Taiwan and Hong Kong)
shares most of its words with Japanese once its characters are Japanese ones: 半导体设备 and
半導體設備 both become 半導体設備, which the Japanese analysis (Sudachi words and character
bigrams) then meets in 半導体製造装置. OpenCC does the mapping: Simplified → s2t → t2jp,
Traditional → t2jp. Its converters are built once per process, at first use.

Deciding that a text is Chinese: Japanese prose almost always has kana, Chinese has none;
but names, industry names and keywords are often kanji only in Japanese too. So a text is
Chinese when it has (almost) no kana *and* some evidence of Chinese: characters Japanese
does not use (outside CP932: 导, 们, 阀...) or Chinese function words (的, 們, 與, 尋找,
供應商...). A kanji-only text without such evidence stays Japanese, and is analysed as
before. Simplified or Traditional: whichever conversion (to the other script) changes more
characters. Japanese text with Simplified characters in it (kana and all) is written in
Japanese forms too, and analysed as Japanese.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Literal

import opencc

Script = Literal["zh-hans", "zh-hant"]
SCRIPTS: tuple[Script, ...] = ("zh-hans", "zh-hant")

_KANA = re.compile("[\u3040-\u309f\u30a0-\u30fa\u30fd-\u30ff]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Chinese words and characters that Japanese text (kanji-only names, industries and keywords
# included) does not use: function words, and the words every need or offer is made of.
_MARKER_CHARACTERS = frozenset("的們这這们吗嗎呢您於與從對讓該")
_MARKER_WORDS = re.compile(
    "寻找|尋找|寻求|尋求|我们|我們|我司|本公司|公司|供应商|供應商|合作伙伴|合作夥伴|夥伴|伙伴"
    "|以及|厂商|廠商|厂家|廠家|代工厂|代工廠|采购|採購|希望与|希望與|进口|進口|经销|經銷"
)
# A few kana in a long Chinese text (a Japanese brand, の in a Taiwanese shop's name) do
# not make it Japanese; more than one in this many Han characters does.
_KANA_SHARE = 20

_lock = threading.Lock()
_converters: dict[str, opencc.OpenCC] = {}


def _converter(config: str) -> opencc.OpenCC:
    converter = _converters.get(config)
    if converter is None:
        with _lock:
            converter = _converters.get(config)
            if converter is None:
                converter = _converters[config] = opencc.OpenCC(f"{config}.json")
    return converter


def convert(text: str, config: str) -> str:
    """The text through one OpenCC configuration (s2t, t2jp, jp2t, t2s, s2twp...)."""
    return str(_converter(config).convert(text))


@functools.lru_cache(maxsize=20_000)
def _outside_japanese(character: str) -> bool:
    try:
        character.encode("cp932")
    except UnicodeEncodeError:
        return True
    return False


def chinese_evidence(text: str, enough: int = 1_000_000) -> int:
    """How many characters and words of the text only Chinese uses: outside CP932 (most
    Simplified ones), Traditional forms that Japanese writes otherwise (醫 for 医, 經 for
    経), function words. Traditional forms count only beside one of the others (an old
    form in a Japanese name is no sign), and not once the others reach `enough`."""
    found = len(_MARKER_WORDS.findall(text))
    for character in _HAN.findall(text):
        if character in _MARKER_CHARACTERS or _outside_japanese(character):
            found += 1
    if found >= enough or found == 0:
        # No sign at all: a kanji-only Japanese name or industry (國學院大學 keeps old
        # forms), not worth the conversion.
        return found
    return found + _changed(text, convert(text, "t2jp"))


@functools.cache
def _plain(character: str) -> bool:
    """A Han character that is no sign of Chinese: Japanese writes it (CP932), and it is not
    one of the marker characters."""
    return character not in _MARKER_CHARACTERS and not _outside_japanese(character)


def plainly_japanese(text: str) -> bool:
    """True when the text can be neither Chinese (`script`) nor hold a Simplified character
    (`has_simplified`): no marker word, and every Han character one Japanese writes. The
    common case, decided without counting evidence."""
    return all(map(_plain, set(_HAN.findall(text)))) and _MARKER_WORDS.search(text) is None


def script(text: str) -> Script | None:
    """The Chinese script the text is written in, or None for Japanese (or no Han at all)."""
    han = len(_HAN.findall(text))
    if han == 0:
        return None
    if len(_KANA.findall(text)) * _KANA_SHARE > han:
        return None
    if chinese_evidence(text, enough=2) < 2:
        return None
    return simplified_or_traditional(text)


def has_simplified(text: str) -> bool:
    """Whether a (Japanese) text holds a Simplified character Japanese does not use (协作 in
    a Japanese need, or Japanese text put into Simplified characters): such a text is
    written in Japanese forms as a whole, and stays Japanese otherwise."""
    return any(map(_simplified_only, set(_HAN.findall(text))))


@functools.cache
def _simplified_only(character: str) -> bool:
    return _outside_japanese(character) and convert(character, "s2t") != character


def simplified_or_traditional(text: str) -> Script:
    simplified = _changed(text, convert(text, "s2t"))
    traditional = _changed(text, convert(text, "t2s"))
    return "zh-hans" if simplified >= traditional else "zh-hant"


def _changed(before: str, after: str) -> int:
    if len(before) != len(after):
        return abs(len(before) - len(after)) + len(set(before) ^ set(after))
    return sum(a != b for a, b in zip(before, after, strict=True))


def japanese_forms(text: str, written_in: Script) -> str:
    """The text with its characters in Japanese forms (Simplified through Traditional)."""
    if written_in == "zh-hans":
        text = convert(text, "s2t")
    return convert(text, "t2jp")


def reader_forms(text: str, reader: Script) -> str:
    """Japanese-form characters back in the reader's script (for naming a matched word)."""
    traditional = convert(text, "jp2t")
    return convert(traditional, "t2s") if reader == "zh-hans" else convert(traditional, "t2tw")


def reader_script(lang: str) -> Script | None:
    """The Chinese script of a language code (zh-hans, zh-hant, zh-tw, zh-hk, zh-cn...)."""
    lang = lang.lower()
    if not lang.startswith("zh"):
        return None
    if lang.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")):
        return "zh-hant"
    return "zh-hans"
