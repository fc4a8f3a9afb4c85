"""Every language of settings.LANGUAGES but English is complete, and what its readers get."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils.translation import to_locale, trans_real

from matchmaking.i18n_compile import parse_po

REPO = Path(__file__).resolve().parents[2]
# The source strings are English; every other language has a catalogue.
LOCALES = [to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
CATALOGUE = "matchmaking/locale/{}/LC_MESSAGES/django.po"
# Folders with no translatable strings, or not ours.
NOT_SOURCE = {".git", ".venv", "var", "tests", "fixtures", "docs", "node_modules", ".ci"}
# %(name)s, %(size).1f, %d, %s and {0}; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[ds]|\{\d*\}")


@dataclass(frozen=True)
class Entry:
    msgid: str
    plural: str | None
    msgstrs: tuple[str, ...]  # one per plural form
    fuzzy: bool

    @property
    def untranslated(self) -> bool:
        return not self.msgstrs or not all(self.msgstrs)


def _entries(po_text: str) -> list[Entry]:
    """Every entry but the header and obsolete ones."""
    entries = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        key = ""
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"'):
                fields[key] += line[1:-1]
            else:
                key, _, value = line.partition(" ")
                fields[key] = value[1:-1]
        if fields.get("msgid"):
            forms = sorted(k for k in fields if k.startswith("msgstr"))
            entries.append(
                Entry(
                    fields["msgid"],
                    fields.get("msgid_plural"),
                    tuple(fields[k] for k in forms),
                    fuzzy,
                )
            )
    return entries


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def placeholder_mismatches(entries: list[Entry]) -> list[str]:
    """Entries whose translation drops, adds or alters a placeholder."""
    wrong = []
    for entry in entries:
        if entry.untranslated:
            continue
        source = _placeholders(entry.msgid)
        if entry.plural is None:
            if _placeholders(entry.msgstrs[0]) != source:
                wrong.append(entry.msgid)
            continue
        # A form may leave out the count ("one organization"), but names nothing else, and
        # the forms together name everything the plural does.
        allowed = set(source) | set(_placeholders(entry.plural))
        named = set().union(*(_placeholders(form) for form in entry.msgstrs))
        if not named <= allowed or not set(_placeholders(entry.plural)) <= named:
            wrong.append(entry.msgid)
    return wrong


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run makemessages on a copy of the code, over a copy of the committed catalogues."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is needed: apt-get install gettext")
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path_factory.mktemp("source")
    for item in REPO.iterdir():
        if item.name in NOT_SOURCE or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=shutil.ignore_patterns("__pycache__"))
        elif item.suffix == ".py":
            shutil.copy(item, copy / item.name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *[f"-l{loc}" for loc in LOCALES], "-v0"],
        cwd=copy,
        env={**os.environ, "DEBUG": "1", "RYUMON_VAR_DIR": str(copy / "var")},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {loc: (copy / CATALOGUE.format(loc)).read_text(encoding="utf-8") for loc in LOCALES}


def test_every_language_but_english_has_a_catalogue() -> None:
    assert {"ja", "zh_Hans", "zh_Hant"} <= set(LOCALES)
    for locale in LOCALES:
        assert (REPO / CATALOGUE.format(locale)).exists(), locale


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_in_the_code_is_translated(
    fresh_catalogues: dict[str, str], locale: str
) -> None:
    untranslated = [e.msgid for e in _entries(fresh_catalogues[locale]) if e.untranslated]
    assert untranslated == [], "translate in " + CATALOGUE.format(locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_translation_is_fuzzy(fresh_catalogues: dict[str, str], locale: str) -> None:
    fuzzy = [e.msgid for e in _entries(fresh_catalogues[locale]) if e.fuzzy]
    assert fuzzy == [], "check and unmark in " + CATALOGUE.format(locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_catalogue_is_up_to_date(
    fresh_catalogues: dict[str, str], locale: str
) -> None:
    committed = (REPO / CATALOGUE.format(locale)).read_text(encoding="utf-8")
    assert {e.msgid for e in _entries(committed)} == {
        e.msgid for e in _entries(fresh_catalogues[locale])
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_every_placeholder(locale: str) -> None:
    committed = (REPO / CATALOGUE.format(locale)).read_text(encoding="utf-8")
    assert placeholder_mismatches(_entries(committed)) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_header_says_how_plurals_work(locale: str) -> None:
    """The compiler skips fuzzy entries, the header included: without it, no plural forms."""
    header = parse_po((REPO / CATALOGUE.format(locale)).read_text(encoding="utf-8"))[b""]
    assert b"Plural-Forms: nplurals=" in header
    if locale.startswith(("ja", "zh")):
        assert b"nplurals=1; plural=0;" in header


def test_the_checker_notices_an_untranslated_string() -> None:
    po = (
        'msgid ""\nmsgstr ""\n\nmsgid "Directory"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Name"\nmsgstr "名"\n\n'
        'msgid "%(counter)s row"\nmsgid_plural "%(counter)s rows"\nmsgstr[0] "%(counter)s 行"\n'
        'msgstr[1] ""\n'
    )
    entries = _entries(po)
    assert [(e.msgid, e.untranslated, e.fuzzy) for e in entries] == [
        ("Directory", True, False),
        ("Name", False, True),
        ("%(counter)s row", True, False),
    ]


def test_the_checker_notices_a_lost_or_altered_placeholder() -> None:
    entries = [
        Entry("Invitation sent to %(email)s.", None, ("已向 %(mail)s 发送邀请。",), False),
        Entry("The file is %(size).1f MB.", None, ("文件大小为 %(size)s MB。",), False),
        Entry("%d organizations published.", None, ("已发布机构。",), False),
        Entry("Saved.", None, ("已保存 %s。",), False),
        Entry("one", "%(counter)s rows", ("%(count)s 行",), False),
        Entry("%(counter)s row", "%(counter)s rows", ("%(counter)s 行",), False),
        Entry("100%% done", None, ("100%% 完成",), False),
    ]
    assert placeholder_mismatches(entries) == [
        "Invitation sent to %(email)s.",
        "The file is %(size).1f MB.",
        "%d organizations published.",
        "Saved.",
        "one",
    ]


@pytest.mark.django_db
def test_a_japanese_visitor_reads_japanese(client: Client) -> None:
    call_command("compile_translations", stdout=io.StringIO())
    trans_real._translations = {}  # type: ignore[attr-defined]  # forget catalogues read before
    client.cookies["django_language"] = "ja"
    body = client.get("/organizations/").content.decode()
    assert "日本のパートナーを探す" in body and "絞り込み" in body
    assert parse_po((REPO / CATALOGUE.format("ja")).read_text(encoding="utf-8"))[b"Directory"] == (
        "ディレクトリ".encode()
    )
