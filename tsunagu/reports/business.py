"""The business report (seed 000): the municipality's configured tables and
rows, each counted for two periods (by default the last fiscal year and the
current one to date).

Figures are counted over all of the municipality's records: the report is
an aggregate, which every staff member (managers included) may read. The
rows of one kind are counted together, one grouped query per kind and
period, so the report costs a handful of queries however many rows it has;
``metrics.figure`` counts one row alone and the tests hold the two equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Sum

from tsunagu.activities.models import ActivityRecord, CountedEntry
from tsunagu.consultations.models import Consultation
from tsunagu.directory.models import Business, Organization
from tsunagu.meetings.models import MeetingPart
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.reports import metrics
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, ReportRow, ReportTable

#: Business names when the municipality has not named its own.
BUSINESS_NAMES = {
    1: "包括的相談支援事業",
    2: "多機関協働事業",
    3: "アウトリーチ等を通じた継続的支援事業",
    4: "参加支援事業",
    5: "地域づくり事業",
}
NUMERALS = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ"}


@dataclass
class RowFigures:
    row: ReportRow
    values: list[int | None]

    @property
    def drillable(self) -> bool:
        return bool(metrics.resources(self.row))

    @property
    def rule(self) -> str:
        """How the row counts, in words, for the clerk reading the report."""
        return metrics.counting_rule(self.row)


@dataclass
class TableFigures:
    table: ReportTable
    rows: list[RowFigures]
    headings: list[str]


@dataclass
class Section:
    number: int
    name: str
    tables: list[TableFigures] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{NUMERALS[self.number]} {self.name}"


@dataclass
class BusinessReport:
    periods: tuple[Period, ...]
    sections: list[Section]

    def rows(self) -> Iterable[RowFigures]:
        for section in self.sections:
            for table in section.tables:
                yield from table.rows


def column_heading(period: Period, table: ReportTable) -> str:
    """「令和6年度件数」「令和7年4月〜6月利用者数」 as the seed heads its columns."""
    return f"{period.label}{table.column_suffix}"


def _branches() -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for pk, parent in Organization.objects.filter(parent__isnull=False).values_list(
        "pk", "parent_id"
    ):
        found[parent].append(pk)
    return found


def _organizations(row: ReportRow, branches: dict[int, list[int]]) -> set[int] | None:
    """The organizations a row counts (None: all of them)."""
    if row.organization_id is None:
        return None
    ids = {row.organization_id}
    if row.include_branches:
        ids.update(branches.get(row.organization_id, []))
    return ids


class _Counter:
    """The figures of one period: one grouped query per kind of record, asked
    for only when a row needs it, then each row picks its groups."""

    def __init__(self, period: Period, branches: dict[int, list[int]]) -> None:
        self.period = period
        self.branches = branches
        self._groups: dict[str, list[tuple[Any, ...]]] = {}

    def _grouped(self, metric: str) -> list[tuple[Any, ...]]:
        if metric in self._groups:
            return self._groups[metric]
        start, end = self.period.start, self.period.end
        rows: list[tuple[Any, ...]]
        if metric == Metric.CONSULTATIONS:
            first, after = self.period.moments()
            # Grouped by ``organization_id + 0``, not the column: grouping by the
            # column itself, SQLite walks the (organization, received_at) index
            # and reads every row (26 s for a fiscal year at three million
            # consultations); by the expression it reads the covering index
            # consultation_received_org over the year alone (0.5 s).
            rows = list(
                Consultation.objects.filter(
                    received_at__gte=first, received_at__lt=after, archived_at=None
                )
                .annotate(org=ExpressionWrapper(F("organization_id") + 0, IntegerField()))
                .values("org")
                .annotate(n=Count("id"))
                .order_by()
                .values_list("org", "n")
            )
        elif metric == Metric.ACTIVITIES:
            rows = list(
                ActivityRecord.objects.filter(
                    occurred_on__gte=start, occurred_on__lte=end, archived_at=None
                )
                .values("category", "kind", "mode", "district_id", "organization_id")
                .annotate(n=Count("id"))
                .order_by()
                .values_list("category", "kind", "mode", "district_id", "organization_id", "n")
            )
        elif metric == Metric.MEETINGS_HELD:
            # A sitting holds at most one part of each kind, so parts count sittings.
            rows = list(
                MeetingPart.objects.filter(
                    meeting__status=MeetingStatus.HELD,
                    meeting__held_on__gte=start,
                    meeting__held_on__lte=end,
                    meeting__archived_at=None,
                )
                .values("kind", "meeting__organization_id")
                .annotate(n=Count("id"))
                .order_by()
                .values_list("kind", "meeting__organization_id", "n")
            )
        elif metric == Metric.COUNTED:
            rows = list(
                CountedEntry.objects.filter(
                    month__gte=start.replace(day=1), month__lte=end, archived_at=None
                )
                .values("item", "organization_id")
                .annotate(n=Sum("count"))
                .order_by()
                .values_list("item", "organization_id", "n")
            )
        else:
            raise ValueError(metric)
        self._groups[metric] = rows
        return rows

    def figure(self, row: ReportRow) -> int | None:
        metric = row.metric
        if metric not in (
            Metric.CONSULTATIONS,
            Metric.ACTIVITIES,
            Metric.MEETINGS_HELD,
            Metric.COUNTED,
        ):
            return metrics.figure(row, self.period)
        organizations = _organizations(row, self.branches)

        def counted(organization_id: int) -> bool:
            return organizations is None or organization_id in organizations

        groups = self._grouped(metric)
        if metric == Metric.CONSULTATIONS:
            # 「*委託事業件数と合算」: the contractor's counted entries are added.
            contracted = (
                sum(
                    int(n or 0)
                    for item, organization, n in self._grouped(Metric.COUNTED)
                    if item == row.option and counted(organization)
                )
                if row.option
                else 0
            )
            return contracted + sum(n for organization, n in groups if counted(organization))
        if metric == Metric.ACTIVITIES:
            category, kind, mode = metrics.activity_option(row.option)
            return sum(
                n
                for c, k, m, district, organization, n in groups
                if (not category or c == category)
                and (not kind or k == kind)
                and (not mode or m == mode)
                and (row.district_id is None or district == row.district_id)
                and counted(organization)
            )
        if metric == Metric.MEETINGS_HELD:
            return sum(
                n
                for kind, organization, n in groups
                if (not row.option or kind == row.option) and counted(organization)
            )
        return sum(
            int(n or 0)
            for item, organization, n in groups
            if item == row.option and counted(organization)
        )


def business_report(periods: tuple[Period, ...]) -> BusinessReport:
    """The current municipality's business report for ``periods`` (its columns)."""
    names = dict(Business.objects.values_list("number", "name"))
    tables = list(
        ReportTable.objects.filter(archived_at=None).order_by("business_number", "sort_order", "id")
    )
    rows_by_table: dict[int, list[ReportRow]] = defaultdict(list)
    for row in (
        ReportRow.objects.filter(table__in=tables, archived_at=None)
        .select_related("organization", "district")
        .order_by("sort_order", "id")
    ):
        rows_by_table[row.table_id].append(row)
    branches = _branches()
    counters = [_Counter(period, branches) for period in periods]
    sections: dict[int, Section] = {}
    for table in tables:
        number = table.business_number
        section = sections.setdefault(
            number, Section(number, names.get(number) or BUSINESS_NAMES[number])
        )
        section.tables.append(
            TableFigures(
                table=table,
                rows=[
                    RowFigures(row, [counter.figure(row) for counter in counters])
                    for row in rows_by_table[table.pk]
                ],
                headings=[column_heading(period, table) for period in periods],
            )
        )
    return BusinessReport(periods=periods, sections=[sections[n] for n in sorted(sections)])
