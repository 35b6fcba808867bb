"""The business report on a small ward: counting rows of every kind, the
columns form, the configuration (who may change it, audited), the API, and
query counts that do not grow with the rows."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, CountedEntry
from tsunagu.activities.services import activity_record_archive
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.meetings.models import Kind, Meeting, MeetingPart, Status
from tsunagu.reports import metrics, rollups
from tsunagu.reports.business import business_report
from tsunagu.reports.layout import RowSpec, TableSpec, report_layout_install
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, ReportRow
from tsunagu.tests.factories import Ward
from tsunagu.tests.resident_factories import consultation

pytestmark = pytest.mark.django_db

YEAR = Period.fiscal_year(2024)
QUARTER = Period(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))

LAYOUT = (
    TableSpec(1, "地域包括支援センター", rows=(
        RowSpec("北", Metric.CONSULTATIONS, "地域包括支援センター北", include_branches=True),
        RowSpec("南", Metric.CONSULTATIONS, "地域包括支援センター南"),
    )),
    TableSpec(1, "", "ひろば", column_suffix="利用者数", rows=(
        RowSpec("", Metric.COUNTED, "地域包括支援センター北", option="ひろば利用者数"),
    )),
    TableSpec(2, "会議", rows=(
        RowSpec("支援会議", Metric.MEETINGS_HELD, option="support_meeting"),
        RowSpec("研修", Metric.MEETINGS_HELD, option="training"),
    )),
    TableSpec(5, "活動", rows=(
        RowSpec("個別支援（直接支援）", Metric.ACTIVITIES, district="北", option="individual:individual_support:direct"),
        RowSpec("地域支援すべて", Metric.ACTIVITIES, option="community"),
        RowSpec("入力値", Metric.ENTERED),
    )),
)  # fmt: skip


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def report_ward(ward: Ward) -> Ward:
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=ward.member(Role.COORDINATOR), layout=LAYOUT)
        branch = ward.center.__class__.objects.create(
            name="地域包括支援センター北分室", kind="center", parent=ward.center
        )
    # 北: 2 in 令和6年度 (one at the branch, one on the year's last evening), 1 in the quarter.
    consultation(counselor, ward.center, received_at=_at(datetime.date(2024, 4, 1), 9))
    consultation(counselor, branch, received_at=_at(datetime.date(2025, 3, 31), 23))
    consultation(counselor, ward.center, received_at=_at(datetime.date(2025, 4, 1), 0))
    # 南: one just before the year (not counted).
    consultation(counselor, ward.other_center, received_at=_at(datetime.date(2024, 3, 31), 23))
    with tenancy.tenant_context(ward.municipality):
        for month, count in ((datetime.date(2024, 4, 1), 100), (datetime.date(2025, 3, 1), 50), (datetime.date(2025, 4, 1), 7)):  # fmt: skip
            CountedEntry.objects.create(
                organization=ward.center, item="ひろば利用者数", month=month, count=count
            )
        for day, kind, status in (
            (datetime.date(2024, 5, 1), Kind.SUPPORT_MEETING, Status.HELD),
            (datetime.date(2024, 6, 1), Kind.SUPPORT_MEETING, Status.CANCELLED),
            (datetime.date(2024, 7, 1), Kind.TRAINING, Status.HELD),
            (datetime.date(2025, 5, 1), Kind.SUPPORT_MEETING, Status.HELD),
        ):
            meeting = Meeting.objects.create(
                title="会議", organization=ward.coordinating, held_on=day, status=status
            )
            MeetingPart.objects.create(meeting=meeting, kind=kind)
        north, south = ward.districts
        for day, district, category, kind, mode in (
            (datetime.date(2024, 4, 2), north, "individual", "individual_support", "direct"),
            (datetime.date(2024, 4, 3), north, "individual", "individual_support", "indirect"),
            (datetime.date(2024, 4, 4), south, "individual", "individual_support", "direct"),
            (datetime.date(2024, 4, 5), south, "community", "launch", ""),
            (datetime.date(2024, 4, 6), north, "community", "operation", ""),
        ):
            ActivityRecord.objects.create(
                organization=ward.center, staff=counselor, occurred_on=day, district=district,
                category=category, kind=kind, mode=mode, intent="関係をつくる",
            )  # fmt: skip
    # Written here directly, not through the services: the report's monthly counts once.
    rollups.rebuild(ward.municipality.pk)
    return ward


def _values(ward: Ward) -> dict[str, list[int | None]]:
    with tenancy.tenant_context(ward.municipality):
        report = business_report((YEAR, QUARTER))
    return {line.row.label or line.row.option: line.values for line in report.rows()}


def test_each_kind_of_row_counts_its_records_in_each_period(report_ward: Ward) -> None:
    assert _values(report_ward) == {
        "北": [2, 1],  # the branch (分室) counts with its centre; JST day boundaries
        "南": [0, 0],
        "ひろば利用者数": [150, 7],
        "支援会議": [1, 1],  # the cancelled sitting is not counted
        "研修": [1, 0],
        "個別支援（直接支援）": [1, 0],
        "地域支援すべて": [2, 0],
        "入力値": [None, None],
    }


def test_batched_figures_equal_each_row_counted_alone(report_ward: Ward) -> None:
    with tenancy.tenant_context(report_ward.municipality):
        for line in business_report((YEAR, QUARTER)).rows():
            assert line.values == [metrics.figure(line.row, p) for p in (YEAR, QUARTER)]


def test_an_archived_record_is_not_counted(report_ward: Ward) -> None:
    with tenancy.tenant_context(report_ward.municipality):
        activity_record_archive(
            actor=report_ward.member(Role.COUNSELOR),
            record=ActivityRecord.objects.get(kind="launch"),
            reason="二重に記録",
        )
    assert _values(report_ward)["地域支援すべて"] == [1, 0]


def test_the_report_costs_the_same_queries_however_many_rows(
    report_ward: Ward, django_assert_max_num_queries: object
) -> None:
    client = Client()
    client.force_login(report_ward.member(Role.MANAGER))
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        assert client.get("/reports/business/").status_code == 200
    with tenancy.tenant_context(report_ward.municipality):
        table = ReportRow.objects.get(label="北").table
        for index in range(20):
            ReportRow.objects.create(table=table, label=f"追加{index}", metric=Metric.CONSULTATIONS)
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        assert client.get("/reports/business/").status_code == 200


def test_the_columns_default_to_last_year_and_this_year_to_date(report_ward: Ward) -> None:
    client = Client()
    client.force_login(report_ward.member(Role.MANAGER))
    today = timezone.localdate()
    fy = today.year if today.month >= 4 else today.year - 1
    html = client.get("/reports/business/").content.decode()
    from tsunagu.core.wareki import fiscal_year_label

    assert f"{fiscal_year_label(fy - 1)}件数" in html


def test_a_column_ending_before_it_starts_is_refused_in_japanese(report_ward: Ward) -> None:
    client = Client()
    client.force_login(report_ward.member(Role.MANAGER))
    html = client.get(
        "/reports/business/?c1_year=2024&c1_from=6&c1_to=4&c2_year=2025&c2_from=4&c2_to=6"
    ).content.decode()
    assert "終わりの月は始まりの月より後" in html


def test_seed_like_columns_read_as_the_seed_does(report_ward: Ward) -> None:
    client = Client()
    client.force_login(report_ward.member(Role.COUNSELOR))
    html = client.get(
        "/reports/business/?c1_year=2024&c1_from=4&c1_to=3&c2_year=2025&c2_from=4&c2_to=6"
    ).content.decode()
    assert "令和6年度件数" in html and "令和7年4月〜6月件数" in html and "令和6年度利用者数" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COORDINATOR, 200),
        (Role.MANAGER, 200),
        (Role.SYSADMIN, 200),
        (Role.COUNSELOR, 403),
        (Role.AUDITOR, 403),
        (Role.GUEST, 403),
    ],
)
def test_who_may_configure_the_rows(report_ward: Ward, role: str, status: int) -> None:
    client = Client()
    client.force_login(report_ward.member(role))
    assert client.get("/reports/business/layout/").status_code == status


def test_changing_a_row_is_audited_with_before_and_after(report_ward: Ward) -> None:
    client = Client()
    coordinator = report_ward.member(Role.COORDINATOR)
    client.force_login(coordinator)
    with tenancy.tenant_context(report_ward.municipality):
        row = ReportRow.objects.get(label="南")
    response = client.post(
        f"/reports/business/layout/rows/{row.pk}/",
        {"label": "南センター", "metric": "consultations", "organization": report_ward.other_center.pk, "sort_order": 2},
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="reports.reportrow", action="change").get()
    assert event.detail["before"]["label"] == "南"
    assert event.detail["after"]["label"] == "南センター"
    assert event.actor == coordinator


def test_a_consultation_row_without_an_organization_is_refused(report_ward: Ward) -> None:
    client = Client()
    client.force_login(report_ward.member(Role.COORDINATOR))
    with tenancy.tenant_context(report_ward.municipality):
        row = ReportRow.objects.get(label="南")
    response = client.post(
        f"/reports/business/layout/rows/{row.pk}/",
        {"label": "入れたラベル", "metric": "consultations", "sort_order": 2},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "受付機関を選んでください" in html
    assert "入れたラベル" in html  # what was typed is kept


def test_the_excel_export_is_audited_and_neutralises_formulas(report_ward: Ward) -> None:
    with tenancy.tenant_context(report_ward.municipality):
        ReportRow.objects.filter(label="南").update(label='=HYPERLINK("x")')
    client = Client()
    client.force_login(report_ward.member(Role.MANAGER))
    response = client.get("/reports/business/excel/")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    cells = {row[0].value: row[0] for row in sheet.iter_rows()}
    # Shown as typed, as a text cell with Excel's quote prefix: never a formula.
    assert cells['=HYPERLINK("x")'].data_type == "s" and cells['=HYPERLINK("x")'].quotePrefix
    assert (
        AuditEvent.objects.filter(object_type="reports.businessreport", action="export").count()
        == 1
    )


def test_the_api_gives_the_figures_and_refuses_a_half_given_period(report_ward: Ward) -> None:
    client = Client()
    client.force_login(report_ward.member(Role.MANAGER))
    body = client.get(
        "/api/v1/reports/business?start1=2024-04-01&end1=2025-03-31&start2=2025-04-01&end2=2025-06-30"
    ).json()
    assert body["periods"][0]["label"] == "令和6年度"
    assert body["periods"][1]["label"] == "令和7年4月〜6月"
    rows = {row["label"]: row["values"] for s in body["sections"] for t in s["tables"] for row in t["rows"]}  # fmt: skip
    assert rows["北"] == [2, 1]
    refused = client.get("/api/v1/reports/business?start1=2024-04-01")
    assert refused.status_code == 422
    assert "すべて指定" in refused.json()["errors"]["start1"][0]


def test_drill_down_lists_only_what_the_viewer_may_see(report_ward: Ward, other_ward: Ward) -> None:
    with tenancy.tenant_context(report_ward.municipality):
        north = ReportRow.objects.get(label="北")
    query = "start1=2024-04-01&end1=2025-03-31"
    counselor = Client()
    counselor.force_login(report_ward.member(Role.COUNSELOR))
    html = counselor.get(f"/reports/business/rows/{north.pk}/1/?{query}").content.decode()
    assert "自機関の記録" in html
    api = counselor.get(
        f"/api/v1/reports/business/rows/{north.pk}/records?start=2024-04-01&end=2025-03-31"
    ).json()
    # The branch's consultation is not the counselor's organization's record.
    assert api["figure"] == 2 and len(api["records"]) == 1
    manager = Client()
    manager.force_login(report_ward.member(Role.MANAGER))
    assert manager.get(f"/reports/business/rows/{north.pk}/1/?{query}").status_code == 404
    stranger = Client()
    stranger.force_login(other_ward.member(Role.COORDINATOR))
    assert stranger.get(f"/reports/business/rows/{north.pk}/1/?{query}").status_code == 404
    assert stranger.get(f"/reports/business/layout/rows/{north.pk}/").status_code == 404


def test_a_standard_row_naming_an_unknown_organization_waits_uncounted(ward: Ward) -> None:
    """Installed in a municipality without 「地域包括支援センター東」, the row
    must not count every organization's consultations."""
    layout = (
        TableSpec(1, "センター", rows=(
            RowSpec("東", Metric.CONSULTATIONS, "地域包括支援センター東"),
            RowSpec("北", Metric.CONSULTATIONS, "地域包括支援センター北"),
        )),
    )  # fmt: skip
    consultation(
        ward.member(Role.COUNSELOR), ward.center, received_at=_at(datetime.date(2024, 5, 1))
    )
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=ward.member(Role.SYSADMIN), layout=layout)
        east = ReportRow.objects.get(label="東")
        assert east.metric == Metric.ENTERED
        assert "地域包括支援センター東が見つかりません" in east.cell_note
        report = business_report((YEAR, QUARTER))
    assert [line.values for line in report.rows()] == [[None, None], [1, 0]]


def test_a_counted_row_is_edited_with_its_item_and_kinds_are_chosen_by_japanese_labels(
    report_ward: Ward,
) -> None:
    client = Client()
    client.force_login(report_ward.member(Role.COORDINATOR))
    with tenancy.tenant_context(report_ward.municipality):
        plaza = ReportRow.objects.get(option="ひろば利用者数")
        meetings = ReportRow.objects.get(label="研修")
    page = client.get(f"/reports/business/layout/rows/{meetings.pk}/").content.decode()
    assert '<option value="training" selected>研修</option>' in page
    assert "個人支援（地域福祉コーディネーター）・個別支援・直接支援" in page
    form = client.get(f"/reports/business/layout/rows/{plaza.pk}/").content.decode()
    assert 'value="ひろば利用者数"' in form
    response = client.post(
        f"/reports/business/layout/rows/{plaza.pk}/",
        {"label": "", "metric": "counted", "organization": report_ward.center.pk,
         "counted_item": "ひろば来場者数", "sort_order": 1},
    )  # fmt: skip
    assert response.status_code == 302
    plaza.refresh_from_db()
    assert plaza.option == "ひろば来場者数"
