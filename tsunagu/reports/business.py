"""The business report (seed 000): the municipality's configured tables and
rows, each counted for two periods (by default the last fiscal year and the
current one to date).

Figures are counted over all of the municipality's records: the report is
an aggregate, which every staff member (managers included) may read. They
are read from the monthly counts (``figures.Figures``, ``rollups``): one
query per period, so the report costs a handful of queries however many
rows it has, and the same time however many records there are;
``metrics.figure`` counts one row alone from the records and the tests hold
the two equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from tsunagu.directory.models import Business
from tsunagu.reports import metrics
from tsunagu.reports.figures import Figures, branches
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import ReportRow, ReportTable

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
    shared = branches()
    counters = [Figures(period, shared) for period in periods]
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
