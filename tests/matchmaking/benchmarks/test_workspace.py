"""bench_workspace: a small run writes its report and leaves the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from profiles.models import Organization, OrganizationChange

pytestmark = pytest.mark.django_db


def test_a_small_run_reports_every_request_and_rolls_back(tmp_path: Path) -> None:
    before = (
        Organization.objects.count(),
        OrganizationChange.objects.count(),
        User.objects.count(),
    )
    output = tmp_path / "workspace.md"
    call_command("bench_workspace", organizations=30, requests=2, output=output)
    report = output.read_text("utf-8")
    assert "30 organizations, 30 of them synthetic" in report
    for label in (
        "edit page, curator (GET)",
        "edit page, administrator (GET)",
        "municipalities of a prefecture",
        "live validation (htmx POST)",
        "save (POST, redirect to the organization)",
    ):
        assert f"| {label}" in report
    assert "**Command:**" in report and "**Machine:**" in report
    after = (
        Organization.objects.count(),
        OrganizationChange.objects.count(),
        User.objects.count(),
    )
    assert after == before
