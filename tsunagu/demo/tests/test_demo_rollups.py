"""The demo ward's monthly counts equal its records, row by row, and every
business report row and strategy indicator read from them equals the figure
counted from the records, for the seed's columns and for columns cut
mid-month (loaded once for the package: ``conftest.loaded``)."""

from __future__ import annotations

import datetime

import pytest

from tsunagu.core.models import Municipality
from tsunagu.demo.report_figures import seed_periods
from tsunagu.reports import metrics, rollups
from tsunagu.reports.business import business_report
from tsunagu.reports.figures import Figures
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Indicator, MonthlyCount

pytestmark = pytest.mark.django_db


def test_every_monthly_count_equals_a_recount_of_the_records(demo: Municipality) -> None:
    assert MonthlyCount.objects.count() > 0
    assert rollups.differences(demo.pk) == []


def test_every_row_read_from_the_counts_equals_its_records(demo: Municipality) -> None:
    periods = (
        *seed_periods(),
        Period(datetime.date(2024, 9, 16), datetime.date(2025, 2, 14)),
        Period(datetime.date(2025, 5, 7), datetime.date(2025, 5, 23)),
    )
    for line in business_report(periods).rows():
        assert line.values == [metrics.figure(line.row, p) for p in periods], line.row
    indicators = Indicator.objects.exclude(metric="entered")
    assert indicators.exists()
    for period in periods:
        figures = Figures(period)
        for indicator in indicators:
            assert figures.figure(indicator) == metrics.figure(indicator, period), indicator
