"""The layers hold: the import contracts in pyproject.toml ([tool.importlinter]) are kept,
and breaking one is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_import_contract_is_kept() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "profiles/services.py",
            "import matchmaking.search.selectors",
            "profiles (the directory's data) does not import matchmaking BROKEN",
        ),
        (
            "matchmaking/ranker/kernels.py",
            "import django.db",
            "the ranker is pure: no Django, no app code BROKEN",
        ),
        (
            "matchmaking/search/store.py",
            "import matchmaking.benchmarks.quality",
            "no runtime module imports the benchmarks BROKEN",
        ),
        (
            "matchmaking/search/documents.py",
            "import matchmaking.search.selectors",
            "no import cycles between the packages of either app BROKEN",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    for package in ("matchmaking", "profiles"):
        shutil.copytree(
            REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert contract in result.stdout
