"""The Japanese translation is complete, and it is what Japanese visitors get."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.translation import trans_real

from matchmaking.i18n_compile import parse_po

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = Path("matchmaking/locale/ja/LC_MESSAGES/django.po")
# Folders with no translatable strings, or not ours.
NOT_SOURCE = {".git", ".venv", "var", "tests", "fixtures", "docs", "node_modules", ".ci"}


def _entries(po_text: str) -> list[tuple[str, str, bool]]:
    """Return (msgid, msgstr, fuzzy) for every entry but the header and obsolete ones."""
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
            msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            entries.append((fields["msgid"], msgstr, fuzzy))
    return entries


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run makemessages on a copy of the code, over a copy of the committed catalogue."""
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
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "-v", "0"],
        cwd=copy,
        env={**os.environ, "DEBUG": "1", "RYUMON_VAR_DIR": str(copy / "var")},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (copy / CATALOGUE).read_text(encoding="utf-8")


def test_every_string_in_the_code_has_a_japanese_translation(fresh_catalogue: str) -> None:
    untranslated = [msgid for msgid, msgstr, fuzzy in _entries(fresh_catalogue) if not msgstr]
    assert untranslated == [], "translate in " + str(CATALOGUE)


def test_no_translation_is_fuzzy(fresh_catalogue: str) -> None:
    fuzzy = [msgid for msgid, _, is_fuzzy in _entries(fresh_catalogue) if is_fuzzy]
    assert fuzzy == [], "check and unmark in " + str(CATALOGUE)


def test_the_committed_catalogue_is_up_to_date(fresh_catalogue: str) -> None:
    committed = (REPO / CATALOGUE).read_text(encoding="utf-8")
    assert {m for m, _, _ in _entries(committed)} == {m for m, _, _ in _entries(fresh_catalogue)}


def test_the_checker_notices_an_untranslated_string() -> None:
    po = (
        'msgid ""\nmsgstr ""\n\nmsgid "Directory"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Name"\nmsgstr "名"\n'
    )
    assert _entries(po) == [("Directory", "", False), ("Name", "名", True)]


@pytest.mark.django_db
def test_a_japanese_visitor_reads_japanese(client: Client) -> None:
    call_command("compile_translations", stdout=io.StringIO())
    trans_real._translations = {}  # type: ignore[attr-defined]  # forget catalogues read before
    client.cookies["django_language"] = "ja"
    body = client.get("/organizations/").content.decode()
    assert "日本のパートナーを探す" in body and "絞り込み" in body
    assert parse_po((REPO / CATALOGUE).read_text(encoding="utf-8"))[b"Directory"] == (
        "ディレクトリ".encode()
    )
