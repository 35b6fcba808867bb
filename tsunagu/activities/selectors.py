"""Reads of activity records and counted entries: the choices of the quick
entry (category, kind and 直接/間接 as one choice), an organization's records
for a month with their totals, and the month grid of counted entries.

Records come through the policy's visible querysets. The totals count what
the business report counts (reports.metrics): records not archived, by
category, kind and 直接/間接.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.activities.models import (
    KINDS_BY_CATEGORY,
    ActivityRecord,
    Category,
    CountedEntry,
    Kind,
    Mode,
)
from tsunagu.core.wareki import fiscal_year_range, format_wareki_month
from tsunagu.directory.models import Organization
from tsunagu.reports.metrics import activity_option

# ---------------------------------------------------------------------------
# Category, kind and 直接/間接 as one choice.


@dataclass(frozen=True)
class ActivityOption:
    """One row of the report's tables, and one button of the quick entry."""

    category: str
    kind: str
    mode: str = ""

    @property
    def value(self) -> str:
        """「individual:relationship:direct」, as a report row's option names it."""
        return ":".join(part for part in (self.category, self.kind, self.mode) if part)

    @property
    def label(self) -> str:
        """「関係形成（直接支援）」 for 個人支援, else the kind (「運営支援」)."""
        kind = str(Kind(self.kind).label)
        return f"{kind}（{Mode(self.mode).label}）" if self.mode else kind


def options_of(category: str) -> list[ActivityOption]:
    """The options of one category in the report's order (個人支援: every kind
    with 直接支援, then every kind with 間接支援, as seed 000's tables list them)."""
    kinds = KINDS_BY_CATEGORY[category]
    if category == Category.INDIVIDUAL:
        return [ActivityOption(category, kind, mode) for mode in Mode.values for kind in kinds]
    return [ActivityOption(category, kind) for kind in kinds]


def activity_groups() -> list[tuple[str, list[ActivityOption]]]:
    """Every valid choice, grouped by category: (category label, options)."""
    return [(str(category.label), options_of(category)) for category in Category]


def parse_activity(value: str) -> ActivityOption | None:
    """The option a submitted value names, or None when it names none."""
    category, kind, mode = activity_option(value or "")
    option = ActivityOption(category, kind, mode)
    if category in KINDS_BY_CATEGORY and option in options_of(category):
        return option
    return None


def option_of(record: ActivityRecord) -> ActivityOption:
    return ActivityOption(record.category, record.kind, record.mode)


# ---------------------------------------------------------------------------
# An organization's records.


@dataclass(frozen=True)
class RecordFilter:
    start: datetime.date
    end: datetime.date
    district_id: int | None = None
    category: str = ""
    include_archived: bool = False

    def as_detail(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "district": self.district_id,
            "category": self.category,
            "archived": self.include_archived,
        }


def month_range(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def recent_months(today: datetime.date, count: int = 36) -> list[datetime.date]:
    """The first days of this month and the ``count - 1`` before it, newest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def with_listing(records: QuerySet[ActivityRecord]) -> QuerySet[ActivityRecord]:
    return records.select_related("district", "staff", "household")


def organization_records(
    staff: Staff, organization: Organization, filters: RecordFilter
) -> QuerySet[ActivityRecord]:
    """The organization's records the filter picks, newest first."""
    records = policy.visible(staff, "activity_record", policy.Action.LIST).filter(
        organization=organization,
        occurred_on__gte=filters.start,
        occurred_on__lte=filters.end,
    )
    if filters.district_id is not None:
        records = records.filter(district_id=filters.district_id)
    if filters.category:
        records = records.filter(category=filters.category)
    if not filters.include_archived:
        records = records.filter(archived_at=None)
    return records.order_by("-occurred_on", "-id")


@dataclass
class TotalRow:
    option: ActivityOption
    count: int

    @property
    def label(self) -> str:
        return self.option.label


@dataclass
class CategoryTotals:
    category: str
    label: str
    rows: list[TotalRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)


def totals(records: QuerySet[ActivityRecord], categories: list[str]) -> list[CategoryTotals]:
    """Counts per category and row of the report (archived records are not
    counted), every row shown even when nothing was recorded: one query."""
    counted = {
        (category, kind, mode): n
        for category, kind, mode, n in records.filter(archived_at=None)
        .order_by()
        .values_list("category", "kind", "mode")
        .annotate(n=Count("id"))
    }
    return [
        CategoryTotals(
            category=category,
            label=str(Category(category).label),
            rows=[
                TotalRow(option, counted.get((option.category, option.kind, option.mode), 0))
                for option in options_of(category)
            ],
        )
        for category in categories
    ]


def recent_intents(staff: Staff, limit: int = 20) -> list[str]:
    """The intents this staff member wrote lately, newest first, each once (the
    quick entry offers them: coordinators repeat the aims they work toward)."""
    seen: list[str] = []
    for intent in (
        policy.visible(staff, "activity_record", policy.Action.LIST)
        .filter(staff=staff, archived_at=None)
        .order_by("-created_at", "-id")
        .values_list("intent", flat=True)[:200]
    ):
        if intent not in seen:
            seen.append(intent)
            if len(seen) == limit:
                break
    return seen


def default_district_id(staff: Staff, organization: Organization) -> int | None:
    """The district of the staff member's last record, else the organization's first."""
    last = (
        policy.visible(staff, "activity_record", policy.Action.LIST)
        .filter(staff=staff, archived_at=None)
        .order_by("-created_at", "-id")
        .values_list("district_id", flat=True)
        .first()
    )
    if last is not None:
        return int(last)
    first = (
        organization.districts.filter(archived_at=None)
        .order_by("sort_order", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return int(first) if first is not None else None


# ---------------------------------------------------------------------------
# Counted entries: one organization's items × the months of a fiscal year.


def fiscal_months(fiscal_year: int) -> list[datetime.date]:
    start, _end = fiscal_year_range(fiscal_year)
    months = []
    year, month = start.year, start.month
    for _ in range(12):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class GridCell:
    month: datetime.date
    entry: CountedEntry | None
    #: A month not begun yet: nothing to count.
    future: bool

    @property
    def count(self) -> int | None:
        return self.entry.count if self.entry is not None else None


@dataclass
class GridRow:
    item: str
    cells: list[GridCell]

    @property
    def total(self) -> int:
        return sum(cell.count or 0 for cell in self.cells)


@dataclass
class CountedGrid:
    organization: Organization
    fiscal_year: int
    months: list[datetime.date]
    rows: list[GridRow]
    #: The first day of the current month: later months cannot be entered yet.
    this_month: datetime.date

    @property
    def month_labels(self) -> list[str]:
        return [format_wareki_month(m.year, m.month) for m in self.months]


def counted_items(staff: Staff, organization: Organization) -> list[str]:
    """The items the organization has entered (in any year), by name."""
    return list(
        policy.visible(staff, "counted_entry", policy.Action.LIST)
        .filter(organization=organization, archived_at=None)
        .order_by("item")
        .values_list("item", flat=True)
        .distinct()
    )


def counted_grid(
    staff: Staff, organization: Organization, fiscal_year: int, today: datetime.date
) -> CountedGrid:
    """The organization's entries for the fiscal year: a row per item it has
    entered, a cell per month with who entered it and when. Two queries."""
    months = fiscal_months(fiscal_year)
    entries = {
        (entry.item, entry.month): entry
        for entry in policy.visible(staff, "counted_entry", policy.Action.LIST)
        .filter(
            organization=organization,
            month__gte=months[0],
            month__lte=months[-1],
            archived_at=None,
        )
        .select_related("updated_by")
    }
    this_month = today.replace(day=1)
    rows = [
        GridRow(
            item=item,
            cells=[
                GridCell(month=month, entry=entries.get((item, month)), future=month > this_month)
                for month in months
            ],
        )
        for item in counted_items(staff, organization)
    ]
    return CountedGrid(organization, fiscal_year, months, rows, this_month)
