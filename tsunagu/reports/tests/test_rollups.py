"""The monthly counts stay equal to the records: after each service's write
(a record created, moved to another month, archived), every stored row equals
a recount, and every business report row read from them equals the row
counted from the records (``metrics.figure``), for whole and partial months.
``check_rollups`` reports a difference; ``rebuild_rollups`` repairs it."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, CountedEntry
from tsunagu.activities.services import (
    activity_record_archive,
    activity_record_create,
    activity_record_update,
    counted_entry_archive,
    counted_entry_save,
)
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.meetings.models import Kind
from tsunagu.reports import metrics, rollups
from tsunagu.reports.business import business_report
from tsunagu.reports.layout import RowSpec, TableSpec, report_layout_install
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, MonthlyCount, RecordKind
from tsunagu.tests import case_factories as cf
from tsunagu.tests.factories import Ward
from tsunagu.tests.resident_factories import consultation

pytestmark = pytest.mark.django_db

D = datetime.date

LAYOUT = (
    TableSpec(1, "相談", rows=(
        RowSpec("北（分室含む）", Metric.CONSULTATIONS, "地域包括支援センター北", include_branches=True),
        RowSpec("北＋委託", Metric.CONSULTATIONS, "地域包括支援センター北", option="委託 相談件数"),
        RowSpec("すべて", Metric.CONSULTATIONS),
        RowSpec("委託", Metric.COUNTED, "地域包括支援センター北", option="委託 相談件数"),
    )),
    TableSpec(2, "会議", rows=(
        RowSpec("支援会議", Metric.MEETINGS_HELD, option="support_meeting"),
        RowSpec("重層的支援会議", Metric.MEETINGS_HELD, option="plan_meeting"),
        RowSpec("すべての会議", Metric.MEETINGS_HELD),
    )),
    TableSpec(5, "活動", rows=(
        RowSpec("個別支援（直接）", Metric.ACTIVITIES, option="individual:individual_support:direct"),
        RowSpec("個別支援（北）", Metric.ACTIVITIES, district="北", option="individual"),
        RowSpec("地域支援", Metric.ACTIVITIES, "地域包括支援センター北", option="community"),
    )),
)  # fmt: skip

#: Whole and partial months: a fiscal year, a span cut mid-month at both
#: ends, days inside one month, one whole month.
PERIODS = (
    Period.fiscal_year(2024),
    Period(D(2024, 5, 15), D(2024, 7, 10)),
    Period(D(2024, 6, 3), D(2024, 6, 20)),
    Period(D(2024, 6, 1), D(2024, 6, 30)),
)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def assert_rollups_equal_records(ward: Ward) -> None:
    """Every stored row equals a recount, and every row's figure read from the
    counts equals the figure counted from the records, for every period."""
    assert rollups.differences(ward.municipality.pk) == []
    with tenancy.tenant_context(ward.municipality):
        for line in business_report(PERIODS).rows():
            counted = [metrics.figure(line.row, period) for period in PERIODS]
            assert line.values == counted, line.row.label


@pytest.fixture
def counted_ward(ward: Ward) -> Ward:
    """A ward with a record of each kind, written through the services."""
    counselor = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=coordinator, layout=LAYOUT)
    for day in (D(2024, 5, 14), D(2024, 6, 10), D(2024, 6, 30), D(2024, 7, 11)):
        consultation(counselor, ward.center, received_at=_at(day))
    # The last evening of June in Japan is already July in UTC: June's.
    consultation(counselor, ward.other_center, received_at=_at(D(2024, 6, 30), 23))
    for day, kinds in (
        (D(2024, 5, 20), [Kind.SUPPORT_MEETING]),
        (D(2024, 6, 5), [Kind.SUPPORT_MEETING, Kind.PLAN_MEETING]),
    ):
        cf.hold(coordinator, cf.meeting(coordinator, ward.coordinating, kinds=kinds, held_on=day))
    cf.meeting(coordinator, ward.coordinating, held_on=D(2024, 6, 6))  # scheduled: not counted
    north, south = ward.districts
    with tenancy.tenant_context(ward.municipality):
        for day, district, category, kind, mode in (
            (D(2024, 6, 2), north, "individual", "individual_support", "direct"),
            (D(2024, 6, 25), south, "individual", "individual_support", "indirect"),
            (D(2024, 7, 1), north, "community", "launch", ""),
        ):
            activity_record_create(
                actor=counselor, organization=ward.center, occurred_on=day, district=district,
                category=category, kind=kind, mode=mode, intent="関係をつくる",
            )  # fmt: skip
        for month, count in ((D(2024, 6, 1), 30), (D(2024, 7, 1), 5)):
            counted_entry_save(
                actor=counselor,
                organization=ward.center,
                item="委託 相談件数",
                month=month,
                count=count,
            )
    return ward


def test_records_written_through_the_services_are_counted(counted_ward: Ward) -> None:
    assert MonthlyCount.all_tenants.filter(municipality=counted_ward.municipality).exists()
    assert_rollups_equal_records(counted_ward)
    with tenancy.tenant_context(counted_ward.municipality):
        june = {
            (row.record_kind, row.kind): row.count
            for row in MonthlyCount.objects.filter(
                month=D(2024, 6, 1), record_kind__in=[RecordKind.MEETING, RecordKind.COUNTED_ENTRY]
            )
        }
    # June: one sitting held, with two parts (the scheduled one is not counted); 30 counted.
    assert june == {
        (RecordKind.MEETING, ""): 1,
        (RecordKind.MEETING, Kind.SUPPORT_MEETING): 1,
        (RecordKind.MEETING, Kind.PLAN_MEETING): 1,
        (RecordKind.COUNTED_ENTRY, ""): 30,
    }
    # June's consultations: two at 北, and 南's on the last evening (already July in UTC).
    with tenancy.tenant_context(counted_ward.municipality):
        consultations = MonthlyCount.objects.filter(
            record_kind=RecordKind.CONSULTATION, month=D(2024, 6, 1)
        )
        assert sorted(consultations.values_list("organization_id", "count")) == sorted(
            [(counted_ward.center.pk, 2), (counted_ward.other_center.pk, 1)]
        )


def test_an_edit_moving_a_record_to_another_month_recounts_both(counted_ward: Ward) -> None:
    counselor = counted_ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(counted_ward.municipality):
        record = ActivityRecord.objects.get(occurred_on=D(2024, 6, 2))
        activity_record_update(
            actor=counselor,
            record=record,
            occurred_on=D(2024, 8, 9),
            district=counted_ward.districts[1],
        )
        months = set(
            MonthlyCount.objects.filter(record_kind=RecordKind.ACTIVITY_RECORD).values_list(
                "month", "count"
            )
        )
    assert (D(2024, 8, 1), 1) in months
    assert_rollups_equal_records(counted_ward)


def test_an_archived_record_leaves_the_counts(counted_ward: Ward) -> None:
    counselor = counted_ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(counted_ward.municipality):
        before = MonthlyCount.objects.filter(record_kind=RecordKind.ACTIVITY_RECORD).count()
        activity_record_archive(
            actor=counselor,
            record=ActivityRecord.objects.get(occurred_on=D(2024, 7, 1)),
            reason="二重に記録",
        )
        counted_entry_archive(
            actor=counselor,
            entry=CountedEntry.objects.get(month=D(2024, 7, 1)),
            reason="月の誤り",
        )
        assert MonthlyCount.objects.filter(record_kind=RecordKind.ACTIVITY_RECORD).count() == (
            before - 1
        )
        assert not MonthlyCount.objects.filter(
            record_kind=RecordKind.COUNTED_ENTRY, month=D(2024, 7, 1)
        ).exists()
    assert_rollups_equal_records(counted_ward)


def test_a_counted_entry_replaced_is_counted_anew(counted_ward: Ward) -> None:
    with tenancy.tenant_context(counted_ward.municipality):
        counted_entry_save(
            actor=counted_ward.member(Role.COUNSELOR),
            organization=counted_ward.center,
            item="委託 相談件数",
            month=D(2024, 6, 17),
            count=41,
        )
        assert (
            MonthlyCount.objects.get(
                record_kind=RecordKind.COUNTED_ENTRY, month=D(2024, 6, 1)
            ).count
            == 41
        )
    assert_rollups_equal_records(counted_ward)


def test_writes_inside_deferred_are_counted_once_at_its_end(counted_ward: Ward) -> None:
    counselor = counted_ward.member(Role.COUNSELOR)
    with rollups.deferred():
        consultation(counselor, counted_ward.center, received_at=_at(D(2024, 9, 2)))
        consultation(counselor, counted_ward.center, received_at=_at(D(2024, 9, 3)))
        assert not MonthlyCount.all_tenants.filter(month=D(2024, 9, 1)).exists()
    assert MonthlyCount.all_tenants.get(month=D(2024, 9, 1)).count == 2
    assert_rollups_equal_records(counted_ward)


def test_check_rollups_reports_a_difference_and_rebuild_rollups_repairs_it(
    counted_ward: Ward,
) -> None:
    output = StringIO()
    call_command("check_rollups", stdout=output)
    assert "違い 0件" in output.getvalue()
    # A record changed behind the services' back.
    Consultation.all_tenants.filter(municipality=counted_ward.municipality).update(
        archived_at=timezone.now()
    )
    output = StringIO()
    with pytest.raises(CommandError, match="違いがあります") as failed:
        call_command("check_rollups", stdout=output)
    assert failed.value.returncode == 1  # the command's exit status
    assert "consultation 2024-06" in output.getvalue()
    call_command("rebuild_rollups", stdout=StringIO())
    call_command("check_rollups", stdout=StringIO())
    assert_rollups_equal_records(counted_ward)


@pytest.mark.parametrize(
    ("start", "end", "whole", "edges"),
    [
        (D(2024, 4, 1), D(2025, 3, 31), (D(2024, 4, 1), D(2025, 3, 1)), []),
        (D(2024, 6, 1), D(2024, 6, 30), (D(2024, 6, 1), D(2024, 6, 1)), []),
        (D(2024, 6, 3), D(2024, 6, 20), None, [(D(2024, 6, 3), D(2024, 6, 20))]),
        (
            D(2024, 5, 15),
            D(2024, 7, 10),
            (D(2024, 6, 1), D(2024, 6, 1)),
            [(D(2024, 5, 15), D(2024, 5, 31)), (D(2024, 7, 1), D(2024, 7, 10))],
        ),
        (
            D(2024, 5, 15),
            D(2024, 6, 10),
            None,
            [(D(2024, 5, 15), D(2024, 5, 31)), (D(2024, 6, 1), D(2024, 6, 10))],
        ),
        (D(2024, 2, 1), D(2024, 2, 29), (D(2024, 2, 1), D(2024, 2, 1)), []),
        (D(2024, 6, 10), D(2024, 6, 1), None, []),
    ],
)
def test_a_period_is_split_into_whole_months_and_partial_days(
    start: datetime.date,
    end: datetime.date,
    whole: tuple[datetime.date, datetime.date] | None,
    edges: list[tuple[datetime.date, datetime.date]],
) -> None:
    assert rollups.split(start, end) == (whole, edges)
