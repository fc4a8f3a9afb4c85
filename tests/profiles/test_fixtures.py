"""The shipped fixtures are exactly what the build scripts make from the shared data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("RYUMON_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED / "prefectures_47.csv").exists():
        message = f"the shared reference data is not at {SHARED}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    return SHARED


def test_the_reference_fixtures_are_rebuilt_byte_for_byte(
    shared_data: Path, tmp_path: Path
) -> None:
    subprocess.run(
        [
            sys.executable,
            "fixtures/build_reference.py",
            "--data",
            str(shared_data),
            "--out",
            str(tmp_path),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    shipped = sorted((REPO / "fixtures" / "reference").glob("*.json"))
    assert [path.name for path in shipped] == sorted(path.name for path in tmp_path.glob("*.json"))
    for path in shipped:
        assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name


def test_the_sources_file_carries_every_required_credit() -> None:
    sources = (REPO / "fixtures" / "SOURCES.md").read_text(encoding="utf-8")
    for credit in [
        "出典：総務省 日本標準産業分類（加工して作成）",
        "出典：文部科学省ウェブサイト（加工して作成）",
        "出典：金融庁 EDINET コードリスト（加工して作成）",
        "Geolonia japanese-addresses",
        "CC BY 4.0",
    ]:
        assert credit in sources


def test_the_demo_fixtures_are_rebuilt_byte_for_byte(shared_data: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "fixtures/build_demo.py",
            "--data",
            str(shared_data),
            "--out",
            str(tmp_path),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ["organizations", "foreign_firms", "prefecture_guides"]:
        shipped = REPO / "fixtures" / "demo" / f"{name}.json"
        assert shipped.read_bytes() == (tmp_path / f"{name}.json").read_bytes(), name
