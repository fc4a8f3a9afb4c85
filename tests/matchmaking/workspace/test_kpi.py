"""The key figures pages: the report a curator reads and downloads, the admins' comparison.

The figures themselves are tested in test_kpi_reports.py; the access matrix covers who sees
what (tests/matchmaking/access/test_pages.py).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def test_the_report_shows_the_year_per_quarter_with_a_chart(
    client: Client, aiko: User, kpi_world: dict[str, Any]
) -> None:
    client.force_login(aiko)
    page = client.get(reverse("workspace:kpi"), {"year": 2026})
    assert page.status_code == 200
    body = page.content.decode()
    assert page.context["year"] == 2026
    assert [p.label for p in page.context["report"].periods][-1] == "2026"
    requested = page.context["report"].rows()[2]
    assert requested[0] == "requested" and requested[2] == [1, 1, 1, 0, 3]
    assert body.count('class="bar requested"') == 4 and body.count('class="bar accepted"') == 4
    assert 'id="kpi-chart" role="img"' in body
    assert '<th scope="row">US</th>' in body  # the country table
    assert f'value="{THIS_YEAR}"' in body and 'value="2025"' in body


def test_a_curator_picks_one_of_their_prefectures_and_no_other(
    client: Client, aiko: User, ben: User, kpi_world: dict[str, Any]
) -> None:
    client.force_login(aiko)
    mine = client.get(reverse("workspace:kpi"), {"prefecture": "43", "year": "2026"})
    assert mine.status_code == 200 and mine.context["title"] == "Kumamoto 2026"
    client.force_login(ben)
    assert client.get(reverse("workspace:kpi"), {"prefecture": "43"}).status_code == 403


@pytest.mark.parametrize("year", ["1999", "next", str(THIS_YEAR + 1)])
def test_a_year_without_figures_is_not_found(client: Client, aiko: User, year: str) -> None:
    client.force_login(aiko)
    assert client.get(reverse("workspace:kpi"), {"year": year}).status_code == 404
    export = client.get(reverse("workspace:kpi_export", args=["csv"]), {"year": year})
    assert export.status_code == 404


def test_the_csv_is_the_annual_report_table(
    client: Client, aiko: User, kpi_world: dict[str, Any]
) -> None:
    client.force_login(aiko)
    response = client.get(
        reverse("workspace:kpi_export", args=["csv"]), {"prefecture": "43", "year": "2026"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="ryumon-kpi-43-2026.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel on Japanese Windows
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "Kumamoto 2026"
    assert rows[3] == "Figure,2026 Q1,2026 Q2,2026 Q3,2026 Q4,2026"
    assert "Introductions requested,1,1,1,0,3" in rows
    assert "Median days to first response,2.0,4.0,,,3.0" in rows
    assert rows[rows.index("By country") + 1] == "Firm's country or region,Requested,Accepted"
    assert "US,2,0" in rows and "FR,0,1" in rows


def test_the_excel_file_has_a_sheet_per_table(
    client: Client, aiko: User, kpi_world: dict[str, Any]
) -> None:
    client.force_login(aiko)
    response = client.get(reverse("workspace:kpi_export", args=["xlsx"]), {"year": 2026})
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Summary", "By country", "By industry"]
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    assert ("Introductions requested", 1, 1, 1, 0, 3) in summary  # numbers, not text
    industry = list(workbook["By industry"].iter_rows(values_only=True))[1]
    assert str(industry[0]).startswith("E ") and industry[1:] == (3, 2)


def test_the_report_reads_in_japanese(
    client: Client, aiko: User, kpi_world: dict[str, Any]
) -> None:
    client.force_login(aiko)
    client.cookies["django_language"] = "ja"
    body = client.get(reverse("workspace:kpi"), {"year": 2026}).content.decode()
    assert "紹介の依頼" in body or "紹介依頼" in body


def test_the_national_view_is_every_prefecture_for_admins(
    client: Client, root: User, aiko: User, kpi_world: dict[str, Any]
) -> None:
    client.force_login(root)
    page = client.get(reverse("workspace:kpi_national"), {"year": 2026})
    assert page.status_code == 200
    rows = {row["row"].prefecture.code: row for row in page.context["rows"]}
    assert len(rows) == 47
    assert rows["43"]["row"].figures.requested == 3 and rows["43"]["width"] == 160
    assert rows["13"]["width"] == round(1 / 3 * 160)
    client.force_login(aiko)
    assert client.get(reverse("workspace:kpi_national")).status_code == 403
