"""オンライン相談 in the reports: threads received by channel, those turned into
consultations and the time to the first reply, counted from the threads
(docs/reports.md), in the business report's rows, the survey answers, its page
and its API; another municipality's threads never count."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.frontdoor import services
from tsunagu.frontdoor.models import Thread
from tsunagu.reports import metrics, threads
from tsunagu.reports.figures import Figures
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, ReportRow
from tsunagu.reports.survey import survey_answers
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

#: 令和7年度 (2025-04-01 .. 2026-03-31).
FY = 2025


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(y, m, d, hour, minute))


def thread(
    ward: Ward,
    channel: str,
    opened: datetime.datetime,
    answered: datetime.datetime | None = None,
    converted: bool = False,
) -> Thread:
    with tenancy.tenant_context(ward.municipality):
        made = services.open_thread(channel=channel)
        consultation = (
            rf.consultation(ward.member(Role.COORDINATOR), ward.coordinating) if converted else None
        )
        Thread.objects.filter(pk=made.pk).update(
            opened_at=opened, first_response_at=answered, consultation=consultation
        )
        made.refresh_from_db()
        return made


def test_open_days_skip_weekends_holidays_and_the_new_year() -> None:
    assert threads.is_open_day(datetime.date(2025, 11, 4))  # Tuesday
    assert not threads.is_open_day(datetime.date(2025, 11, 3))  # 文化の日
    assert not threads.is_open_day(datetime.date(2025, 11, 8))  # Saturday
    assert not threads.is_open_day(datetime.date(2025, 12, 29))  # 年末年始 (a Monday)
    assert not threads.is_open_day(datetime.date(2026, 1, 2))
    assert threads.is_open_day(datetime.date(2026, 1, 5))
    # Friday afternoon → by the end of Monday.
    assert threads.deadline(at(2025, 11, 14, 16)) == at(2025, 11, 18, 0)
    # Saturday → by the end of Monday; the Friday before 文化の日 (Mon) → Tuesday.
    assert threads.deadline(at(2025, 11, 15, 9)) == at(2025, 11, 18, 0)
    assert threads.deadline(at(2025, 10, 31, 9)) == at(2025, 11, 5, 0)
    # 12月26日 (Fri) → 1月5日 (Mon).
    assert threads.deadline(at(2025, 12, 26, 12)) == at(2026, 1, 6, 0)


@pytest.fixture
def year(ward: Ward, other_ward: Ward) -> list[Thread]:
    made = [
        # Answered the next open day, though over a weekend.
        thread(ward, "web", at(2025, 11, 14, 16), answered=at(2025, 11, 17, 17), converted=True),
        # Answered on the same day.
        thread(ward, "web", at(2025, 6, 2, 9), answered=at(2025, 6, 2, 11)),
        # Answered two open days later: late.
        thread(ward, "line", at(2025, 6, 2, 9), answered=at(2025, 6, 4, 9)),
        # Not answered.
        thread(ward, "mail", at(2026, 3, 31, 23, 30), converted=True),
        # Outside the year (Japan time): 令和6年度 and 令和8年度.
        thread(ward, "mail", at(2025, 3, 31, 23, 59), answered=at(2025, 4, 1, 9)),
        thread(ward, "web", at(2026, 4, 1, 0, 0)),
    ]
    # Another municipality's threads never count.
    thread(other_ward, "web", at(2025, 6, 2, 9), answered=at(2025, 6, 2, 10), converted=True)
    thread(other_ward, "line", at(2025, 7, 1, 9))
    return made


def test_counts_by_channel_conversion_and_first_reply(ward: Ward, year: list[Thread]) -> None:
    with tenancy.tenant_context(ward.municipality):
        counts = threads.count(Thread.objects.all(), Period.fiscal_year(FY))
    assert counts.received == {"web": 2, "line": 1, "mail": 1}
    assert counts.total == 4
    assert counts.converted == 2
    assert counts.answered == 3
    assert counts.answered_in_time == 2
    assert counts.share_in_time == 50
    # 2h, 2 days = 2880 min, 3 days 1h = 4380 min → median 2880.
    assert counts.median_minutes == 2880
    assert counts.median_label == "48時間00分"


@pytest.mark.parametrize(
    ("metric", "option", "expected"),
    [
        (Metric.THREADS, "", 4),
        (Metric.THREADS, "web", 2),
        (Metric.THREADS, "line", 1),
        (Metric.THREADS, "mail", 1),
        (Metric.THREADS_CONVERTED, "", 2),
        (Metric.THREADS_CONVERTED, "mail", 1),
        (Metric.THREADS_ANSWERED, "", 2),
        (Metric.THREADS_ANSWERED, "line", 0),
    ],
)
def test_business_report_rows(
    ward: Ward, year: list[Thread], metric: str, option: str, expected: int
) -> None:
    row = ReportRow(metric=metric, option=option)
    period = Period.fiscal_year(FY)
    with tenancy.tenant_context(ward.municipality):
        assert metrics.figure(row, period) == expected
        assert Figures(period).figure(row) == expected
        # The drill-down lists the very threads counted, to those who may see them.
        [(resource, shown)] = metrics.drill_down(ward.member(Role.COORDINATOR), row, period)  # type: ignore[misc]
        assert resource == "thread" and shown.count() == expected
        # Managers see no thread (access.md): the figure, not the threads behind it.
        [(_resource, none)] = metrics.drill_down(ward.member(Role.MANAGER), row, period)  # type: ignore[misc]
        assert none.count() == 0
    assert "オンライン相談" in metrics.counting_rule(row)


def test_a_row_for_a_window_counts_the_threads_it_holds(ward: Ward, year: list[Thread]) -> None:
    with tenancy.tenant_context(ward.municipality):
        Thread.objects.filter(pk=year[0].pk).update(organization=ward.center)
        row = ReportRow(metric=Metric.THREADS, organization=ward.center)
        assert metrics.figure(row, Period.fiscal_year(FY)) == 1
    assert "地域包括支援センター北" in metrics.counting_rule(row)


def test_survey_answers_page_and_api(ward: Ward, other_ward: Ward, year: list[Thread]) -> None:
    with tenancy.tenant_context(ward.municipality):
        answers = survey_answers(FY, today=datetime.date(2026, 6, 15))
    numbers = answers.numbers()
    assert (numbers["online_received"], numbers["online_web"], numbers["online_line"]) == (4, 2, 1)
    assert (numbers["online_mail"], numbers["online_converted"]) == (1, 2)
    assert numbers["online_answered_in_time"] == 2
    with tenancy.tenant_context(other_ward.municipality):
        theirs = survey_answers(FY, today=datetime.date(2026, 6, 15)).numbers()
    assert (theirs["online_received"], theirs["online_converted"]) == (2, 1)

    client = Client()
    client.force_login(ward.member(Role.MANAGER))
    page = client.get(reverse("reports:survey"), {"fiscal_year": FY}).content.decode()
    assert "オンライン相談（相談フォーム・LINE・メール）" in page
    assert "2件（50%）" in page and "48時間00分" in page
    data = client.get("/api/v1/survey", {"fiscal_year": FY}).json()
    assert data["online"] == {
        "received": 4,
        "web": 2,
        "line": 1,
        "mail": 1,
        "converted": 2,
        "answered": 3,
        "answered_within_one_business_day": 2,
        "median_minutes_to_first_reply": 2880,
    }


def test_rows_on_the_business_report_page_and_their_configuration(
    ward: Ward, year: list[Thread]
) -> None:
    from tsunagu.reports.business import business_report
    from tsunagu.reports.layout import RowSpec, TableSpec, report_layout_install

    layout = (
        TableSpec(2, "オンライン相談", rows=(
            RowSpec("相談フォーム", Metric.THREADS, option="web"),
            RowSpec("LINE", Metric.THREADS, option="line"),
            RowSpec("メール", Metric.THREADS, option="mail"),
            RowSpec("相談受付にした", Metric.THREADS_CONVERTED),
            RowSpec("1開庁日以内に返信", Metric.THREADS_ANSWERED),
        )),
    )  # fmt: skip
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=ward.member(Role.COORDINATOR), layout=layout)
        report = business_report((Period.fiscal_year(FY), Period.fiscal_year(FY - 1)))
        values = {line.row.label: line.values for line in report.rows()}
        row = ReportRow.objects.get(label="LINE")
    assert values == {
        "相談フォーム": [2, 0],
        "LINE": [1, 0],
        "メール": [1, 1],
        "相談受付にした": [2, 0],
        "1開庁日以内に返信": [2, 1],  # 令和6年度: answered at 9:00 on the next day
    }
    client = Client()
    client.force_login(ward.member(Role.COORDINATOR))
    page = client.get("/reports/business/", {"start_0": ""}).content.decode()
    assert "オンライン相談" in page

    # The coordinator opens the threads behind 1開庁日以内に返信 (令和7年度): the two
    # answered in time, each linked to its page; a manager has the figure only.
    with tenancy.tenant_context(ward.municipality):
        in_time = ReportRow.objects.get(label="1開庁日以内に返信")
    query = "start1=2025-04-01&end1=2026-03-31"
    drill = client.get(f"/reports/business/rows/{in_time.pk}/1/?{query}").content.decode()
    for counted in (year[0], year[1]):
        assert f'href="/threads/{counted.pk}/"' in drill and counted.number in drill
    for late_or_unanswered in (year[2], year[3]):
        assert late_or_unanswered.number not in drill
    manager = Client()
    manager.force_login(ward.member(Role.MANAGER))
    assert manager.get(f"/reports/business/rows/{in_time.pk}/1/?{query}").status_code == 404

    url = f"/reports/business/layout/rows/{row.pk}/"
    refused = client.post(
        url, {"label": "LINE", "metric": "threads", "option": "support_meeting", "sort_order": 2}
    )
    assert refused.status_code == 200
    assert "種類に経路（相談フォーム・LINE・メール）を選ぶか" in refused.content.decode()
    saved = client.post(
        url, {"label": "メール", "metric": "threads", "option": "mail", "sort_order": 2}
    )
    assert saved.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        row.refresh_from_db()
    assert (row.label, row.option) == ("メール", "mail")
