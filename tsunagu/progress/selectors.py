"""Reads of 支援経過記録: a household's or a case's notes as the viewer may
see them (through the policy, a fixed number of queries whatever their
number), and the reports' 延べ counts by kind and month."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.core.wareki import format_wareki_month
from tsunagu.progress.models import Kind
from tsunagu.reports import rollups
from tsunagu.reports.models import MonthlyCount, RecordKind


def notes(staff: Staff, action: policy.Action = policy.Action.VIEW) -> QuerySet[Any]:
    """The notes ``staff`` may see, with what a list shows of each."""
    return (
        policy.visible(staff, "progress_note", action)
        .select_related("organization", "person", "case")
        .prefetch_related("participants__staff", "participants__organization")
    )


def annotated(staff: Staff, found: QuerySet[Any]) -> list[Any]:
    """``found`` as a list, each note with its ``basis``, whether the viewer
    may correct it (``changeable``) and the 本人 named only where the viewer
    may see them (``shown_person``): three queries for the whole list."""
    items = list(found)
    bases = policy.bases(staff, "progress_note", items)
    changeable = set(
        policy.visible(staff, "progress_note", policy.Action.CHANGE)
        .filter(pk__in=[note.pk for note in items])
        .values_list("pk", flat=True)
    )
    persons = policy.bases(staff, "person", [note.person for note in items if note.person])
    for note in items:
        note.basis = bases.get(note.pk)
        note.changeable = note.pk in changeable
        note.shown_person = note.person if note.person_id in persons else None
    return [note for note in items if note.basis is not None]


#: How many of a case's latest notes its page shows (the rest: the case's list).
CASE_PAGE_NOTES = 5


def recent_for_case(staff: Staff, case: Any) -> list[Any]:
    """The case's latest notes the viewer may see, for the case page: one query."""
    return list(
        policy.visible(staff, "progress_note", policy.Action.VIEW)
        .filter(case=case)
        .select_related("organization")
        .order_by("-occurred_at", "-pk")[:CASE_PAGE_NOTES]
    )


# ---------------------------------------------------------------------------
# The reports' counts (延べ: every contact counts, by its 種別 and month).


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class KindMonthTable:
    kinds: list[tuple[str, str]]
    rows: list[MonthRow]

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.rows) for i in range(len(self.kinds))]

    @property
    def total(self) -> int:
        return sum(self.totals)


def counts_by_kind_month(
    municipality_id: int,
    start: datetime.date,
    end: datetime.date,
    organization_id: int | None = None,
) -> KindMonthTable:
    """延べ contacts of ``start``–``end`` (whole months: a fiscal year or a
    quarter) by 種別 and month, from the monthly counts the services keep:
    one query, whatever the number of notes."""
    months = rollups.months(start, end)
    rows = MonthlyCount.all_tenants.filter(
        municipality_id=municipality_id,
        record_kind=RecordKind.PROGRESS_NOTE,
        month__gte=months[0] if months else start,
        month__lte=end,
    )
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    found: dict[tuple[datetime.date, str], int] = {}
    for month, kind, n in (
        rows.values("month", "kind").annotate(n=Sum("count")).values_list("month", "kind", "n")
    ):
        found[(month, kind)] = int(n or 0)
    kinds = [(str(value), str(label)) for value, label in Kind.choices]
    return KindMonthTable(
        kinds=kinds,
        rows=[
            MonthRow(
                month=month,
                label=format_wareki_month(month.year, month.month),
                counts=[found.get((month, value), 0) for value, _label in kinds],
            )
            for month in months
        ],
    )
