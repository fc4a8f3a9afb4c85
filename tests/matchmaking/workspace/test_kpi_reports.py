"""A prefecture's key figures per quarter and year, and the national comparison.

The world (conftest.py): Kumamoto's Higo Robotics and Tokyo's Edo Software, requests from
firms in Germany, the US and France, each moved on at a known time.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from matchmaking.workspace import kpi_reports
from profiles.models import Prefecture

pytestmark = pytest.mark.django_db


def kumamoto() -> frozenset[int]:
    return frozenset({Prefecture.objects.get(code="43").pk})


def test_the_periods_are_the_quarters_then_the_year() -> None:
    q1, q2, q3, q4, year = kpi_reports.periods(2026)
    assert (q1.start, q1.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
    assert (q4.start, q4.end) == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    assert (year.label, year.start, year.end) == (
        "2026",
        datetime.date(2026, 1, 1),
        datetime.date(2027, 1, 1),
    )
    assert [q2.label, q3.label] == ["2026 Q2", "2026 Q3"]


def test_a_prefectures_figures_per_quarter_and_year(kpi_world: dict[str, Any]) -> None:
    report = kpi_reports.report(kumamoto(), 2026)
    table = {key: values for key, _label, values in report.rows()}
    #                        Q1  Q2  Q3  Q4  year
    assert table["requested"] == [1, 1, 1, 0, 3]
    assert table["accepted"] == [1, 1, 0, 0, 2]  # by when it was accepted, in Japan time
    assert table["declined"] == [0, 1, 0, 0, 1]
    assert table["shown"] == [2, 0, 0, 0, 2]
    assert table["published"] == [0, 0, 1, 0, 1]
    # 2 days (Q1), 4 days (Q2); the withdrawn request had no response from staff.
    assert table["median_days"] == [2.0, 4.0, None, None, 3.0]


def test_the_year_is_broken_down_by_country_and_industry(kpi_world: dict[str, Any]) -> None:
    report = kpi_reports.report(kumamoto(), 2026)
    countries = {row.label: (row.requested, row.accepted) for row in report.countries}
    assert countries == {"US": (2, 0), "DE": (1, 1), "FR": (0, 1)}
    assert report.countries[0].label == "US"  # most requested first
    [industry] = report.industries
    assert industry.label.startswith("E ") and (industry.requested, industry.accepted) == (3, 2)


def test_an_admins_scope_is_every_prefecture(kpi_world: dict[str, Any]) -> None:
    year = kpi_reports.report(None, 2026).figures[-1]
    assert (year.requested, year.shown) == (4, 3)
    assert year.median_days == 2.0  # 2, 4 and Tokyo's 1 day


def test_the_national_view_compares_every_prefecture_in_a_few_queries(
    kpi_world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):
        rows = kpi_reports.national(2026)
    assert len(rows) == 47
    by_code = {row.prefecture.code: row.figures for row in rows}
    assert by_code["43"] == kpi_reports.report(kumamoto(), 2026).figures[-1]
    assert (by_code["13"].requested, by_code["13"].median_days) == (1, 1.0)
    assert by_code["01"] == kpi_reports.Figures()


def test_the_years_run_from_the_first_request_to_this_one(kpi_world: dict[str, Any]) -> None:
    this_year = timezone.localdate().year
    assert kpi_reports.years(kumamoto()) == list(range(this_year, 2024, -1))
    assert kpi_reports.years(frozenset()) == [this_year]
