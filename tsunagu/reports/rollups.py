"""The monthly counts the reports read instead of the records (``MonthlyCount``).

A month's counts of one kind of record are always *recounted* from the
records, never added to: the services that create, change or archive a
counted record call :func:`refresh` with the days their write touched (the
old and the new day on an edit), in their own transaction, and the counts of
those months are counted again and replaced. A bulk load refreshes once at the
end (:func:`deferred`, :func:`rebuild`); ``manage.py check_rollups`` compares
every stored row with a recount (:func:`differences`).

Reading (:func:`grouped`): a period's whole months come from the counts; a
month the period only partly covers (a column ending on a day chosen
mid-month, the strategy sheet's year to today) is counted from the records
of those days, so that a figure is the same as counted from the records for
any period.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Min, Q, Sum
from django.utils import timezone

from tsunagu.core.models import Municipality
from tsunagu.reports.models import MonthlyCount, RecordKind


class Group(NamedTuple):
    """What a report row may filter a kind of record on (empty where the kind has no such thing)."""

    organization_id: int
    district_id: int | None = None
    category: str = ""
    kind: str = ""
    mode: str = ""
    item: str = ""


Counts = dict[Group, int]

_GROUP_FIELDS = ("organization_id", "district_id", "category", "kind", "mode", "item")


# ---------------------------------------------------------------------------
# Months.


def month_of(value: datetime.date | datetime.datetime) -> datetime.date:
    """The first day of the month ``value`` falls in (a moment: in local time)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def last_day(month: datetime.date) -> datetime.date:
    return _next_month(month) - datetime.timedelta(days=1)


def months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``start``'s to ``end``'s, both included."""
    found = []
    month = month_of(start)
    while month <= end:
        found.append(month)
        month = _next_month(month)
    return found


def split(
    start: datetime.date, end: datetime.date
) -> tuple[tuple[datetime.date, datetime.date] | None, list[tuple[datetime.date, datetime.date]]]:
    """``start``–``end`` as its whole months (first day of the first, first day
    of the last; None if there is none) and the days of the months it only
    partly covers."""
    if end < start:
        return None, []
    if month_of(start) == month_of(end) and (start.day != 1 or end != last_day(end)):
        return None, [(start, end)]
    edges = []
    first = start
    if start.day != 1:
        edges.append((start, last_day(start)))
        first = _next_month(start)
    last = end
    if end != last_day(end):
        edges.append((month_of(end), end))
        last = month_of(end) - datetime.timedelta(days=1)
    whole = (first, month_of(last)) if first <= last else None
    return whole, edges


# ---------------------------------------------------------------------------
# Counting from the records.


def _moments(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    from tsunagu.reports.metrics import Period

    return Period(start, end).moments()


def record_groups(
    record_kind: str, municipality_id: int, start: datetime.date, end: datetime.date
) -> Counts:
    """The counts of ``record_kind`` from the records dated ``start`` to ``end``
    (both included), per group: what ``metrics._filter`` counts, by the same
    date and the same exclusions (archived, not held)."""
    from tsunagu.activities.models import ActivityRecord, CountedEntry
    from tsunagu.consultations.models import Consultation
    from tsunagu.meetings.models import Meeting, MeetingPart
    from tsunagu.meetings.models import Status as MeetingStatus

    found: Counts = {}
    if record_kind == RecordKind.CONSULTATION:
        first, after = _moments(start, end)
        # ``organization_id + 0``: SQLite then reads the covering index
        # (municipality, received_at, organization, archived_at) over the month
        # alone instead of walking the (organization, received_at) one.
        for organization, continuity, n in (
            Consultation.all_tenants.filter(
                municipality_id=municipality_id,
                received_at__gte=first,
                received_at__lt=after,
                archived_at=None,
            )
            .annotate(org=ExpressionWrapper(F("organization_id") + 0, IntegerField()))
            .values("org", "continuity")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("org", "continuity", "n")
        ):
            # ``kind``: 新規/継続, so that 新規相談受付 and the 延べ count read one row set.
            found[Group(organization, kind=continuity)] = n
    elif record_kind == RecordKind.ACTIVITY_RECORD:
        for category, kind, mode, district, organization, n in (
            ActivityRecord.all_tenants.filter(
                municipality_id=municipality_id,
                occurred_on__gte=start,
                occurred_on__lte=end,
                archived_at=None,
            )
            .values("category", "kind", "mode", "district_id", "organization_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("category", "kind", "mode", "district_id", "organization_id", "n")
        ):
            found[Group(organization, district, category, kind, mode)] = n
    elif record_kind == RecordKind.MEETING:
        held = {
            "municipality_id": municipality_id,
            "status": MeetingStatus.HELD,
            "held_on__gte": start,
            "held_on__lte": end,
            "archived_at": None,
        }
        # A sitting holds at most one part of each kind: the parts of a kind
        # are the sittings that held one; kind empty: the sittings themselves.
        for kind, organization, n in (
            MeetingPart.all_tenants.filter(**{f"meeting__{k}": v for k, v in held.items()})
            .values("kind", "meeting__organization_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("kind", "meeting__organization_id", "n")
        ):
            found[Group(organization, kind=kind)] = n
        for organization, n in (
            Meeting.all_tenants.filter(**held)
            .values("organization_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("organization_id", "n")
        ):
            found[Group(organization)] = n
    elif record_kind == RecordKind.COUNTED_ENTRY:
        # An entry is a month: it counts where its first day is.
        for item, organization, n in (
            CountedEntry.all_tenants.filter(
                municipality_id=municipality_id,
                month__gte=month_of(start),
                month__lte=end,
                archived_at=None,
            )
            .values("item", "organization_id")
            .annotate(n=Sum("count"))
            .order_by()
            .values_list("item", "organization_id", "n")
        ):
            found[Group(organization, item=item)] = int(n or 0)
    elif record_kind == RecordKind.PROGRESS_NOTE:
        from tsunagu.progress.models import ProgressNote

        first, after = _moments(start, end)
        for kind, organization, n in (
            ProgressNote.all_tenants.filter(
                municipality_id=municipality_id,
                occurred_at__gte=first,
                occurred_at__lt=after,
                archived_at=None,
            )
            .values("kind", "organization_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("kind", "organization_id", "n")
        ):
            found[Group(organization, kind=kind)] = n
    else:
        raise ValueError(record_kind)
    return found


def _record_span(record_kind: str, municipality_id: int) -> list[datetime.date]:
    """The months from the earliest record of the kind to the latest (archived ones too)."""
    from tsunagu.activities.models import ActivityRecord, CountedEntry
    from tsunagu.consultations.models import Consultation
    from tsunagu.meetings.models import Meeting
    from tsunagu.progress.models import ProgressNote

    model, field = {
        RecordKind.CONSULTATION: (Consultation, "received_at"),
        RecordKind.ACTIVITY_RECORD: (ActivityRecord, "occurred_on"),
        RecordKind.MEETING: (Meeting, "held_on"),
        RecordKind.COUNTED_ENTRY: (CountedEntry, "month"),
        RecordKind.PROGRESS_NOTE: (ProgressNote, "occurred_at"),
    }[RecordKind(record_kind)]
    span = model.all_tenants.filter(municipality_id=municipality_id).aggregate(
        first=Min(field), last=Max(field)
    )
    if span["first"] is None:
        return []
    return months(month_of(span["first"]), month_of(span["last"]))


def _stored(record_kind: str, municipality_id: int, month: datetime.date) -> Counts:
    return {
        Group(*row[:-1]): row[-1]
        for row in MonthlyCount.all_tenants.filter(
            municipality_id=municipality_id, record_kind=record_kind, month=month
        ).values_list(*_GROUP_FIELDS, "count")
    }


# ---------------------------------------------------------------------------
# Keeping the counts.

#: Inside :func:`deferred`: the (municipality, kind, month) refreshed at its end.
_pending: ContextVar[set[tuple[int, str, datetime.date]] | None] = ContextVar(
    "rollups_pending", default=None
)


def refresh(
    *,
    municipality_id: int,
    record_kind: str,
    days: Iterable[datetime.date | datetime.datetime | None],
) -> None:
    """Count ``record_kind`` again for the months of ``days`` (the days a write
    touched: a record's day, and its old day on an edit) and replace their
    stored counts. Called by the services in their transaction."""
    touched = {month_of(day) for day in days if day is not None}
    pending = _pending.get()
    if pending is not None:
        pending.update((municipality_id, record_kind, month) for month in touched)
        return
    _recount(municipality_id, record_kind, touched)


@transaction.atomic
def _recount(municipality_id: int, record_kind: str, touched: Iterable[datetime.date]) -> None:
    # Two writes in one municipality recount one after the other: the second
    # waits here for the first to commit, and then counts its records too
    # (read committed), instead of both replacing the same rows. NO KEY: the
    # lock does not hold up other writes, whose foreign keys share the row.
    list(
        Municipality.objects.select_for_update(no_key=True)
        .filter(pk=municipality_id)
        .values_list("pk", flat=True)
    )
    for month in sorted(set(touched)):
        MonthlyCount.all_tenants.filter(
            municipality_id=municipality_id, record_kind=record_kind, month=month
        ).delete()
        MonthlyCount.all_tenants.bulk_create(
            MonthlyCount(
                municipality_id=municipality_id,
                record_kind=record_kind,
                month=month,
                count=n,
                **group._asdict(),
            )
            for group, n in record_groups(
                record_kind, municipality_id, month, last_day(month)
            ).items()
            if n
        )


@contextmanager
def deferred() -> Iterator[None]:
    """Refresh once at the end what the writes inside touched (a bulk load
    through the services), each month once."""
    if _pending.get() is not None:
        yield
        return
    pending: set[tuple[int, str, datetime.date]] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    by_kind: dict[tuple[int, str], set[datetime.date]] = defaultdict(set)
    for municipality_id, record_kind, month in pending:
        by_kind[(municipality_id, record_kind)].add(month)
    for (municipality_id, record_kind), touched in sorted(by_kind.items()):
        _recount(municipality_id, record_kind, touched)


@transaction.atomic
def rebuild(municipality_id: int) -> int:
    """Count every month of every kind again for one municipality (after a
    bulk load that wrote the records directly); the number of rows stored."""
    MonthlyCount.all_tenants.filter(municipality_id=municipality_id).delete()
    for record_kind in RecordKind.values:
        _recount(municipality_id, record_kind, _record_span(record_kind, municipality_id))
    return MonthlyCount.all_tenants.filter(municipality_id=municipality_id).count()


@dataclass(frozen=True)
class Difference:
    """A stored count that is not what the records give (0: no row)."""

    record_kind: str
    month: datetime.date
    group: Group
    stored: int
    counted: int


def differences(municipality_id: int) -> list[Difference]:
    """Every group whose stored count differs from a recount of the records."""
    found = []
    for record_kind in RecordKind.values:
        stored_months = set(
            MonthlyCount.all_tenants.filter(
                municipality_id=municipality_id, record_kind=record_kind
            ).values_list("month", flat=True)
        )
        for month in sorted(stored_months | set(_record_span(record_kind, municipality_id))):
            stored = _stored(record_kind, municipality_id, month)
            counted = {
                group: n
                for group, n in record_groups(
                    record_kind, municipality_id, month, last_day(month)
                ).items()
                if n
            }
            for group in sorted(stored.keys() | counted.keys(), key=repr):
                if stored.get(group, 0) != counted.get(group, 0):
                    found.append(
                        Difference(
                            record_kind, month, group, stored.get(group, 0), counted.get(group, 0)
                        )
                    )
    return found


# ---------------------------------------------------------------------------
# Reading.


def _stored_months(
    record_kind: str, start: datetime.date, end: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """The months of ``start``–``end`` read from the stored counts (first day
    of the first and of the last): the whole ones; for counted entries, each
    month whose first day is in the period (an entry is a month)."""
    if record_kind == RecordKind.COUNTED_ENTRY:
        return (month_of(start), month_of(end)) if start <= end else None
    return split(start, end)[0]


def stored(start: datetime.date, end: datetime.date, municipality_id: int) -> dict[str, Counts]:
    """The stored counts of every kind for ``start``–``end``'s months that
    the counts hold (:func:`_stored_months`), per group: one query."""
    condition = Q()
    for record_kind in RecordKind.values:
        span = _stored_months(record_kind, start, end)
        if span is not None:
            condition |= Q(record_kind=record_kind, month__gte=span[0], month__lte=span[1])
    found: dict[str, Counts] = {record_kind: {} for record_kind in RecordKind.values}
    if not condition:
        return found
    rows: Iterable[Any] = (
        MonthlyCount.all_tenants.filter(condition, municipality_id=municipality_id)
        .values("record_kind", *_GROUP_FIELDS)
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("record_kind", *_GROUP_FIELDS, "n")
    )
    for record_kind, *group, n in rows:
        found[record_kind][Group(*group)] = int(n or 0)
    return found


def partial(
    record_kind: str, start: datetime.date, end: datetime.date, municipality_id: int
) -> Counts:
    """The counts of ``record_kind`` on the days of the months ``start``–``end``
    only partly covers, from the records (none for counted entries)."""
    found: Counts = defaultdict(int)
    if record_kind != RecordKind.COUNTED_ENTRY:
        for first, last in split(start, end)[1]:
            for group, n in record_groups(record_kind, municipality_id, first, last).items():
                found[group] += n
    return dict(found)


def add(*counts: Counts) -> Counts:
    found: Counts = defaultdict(int)
    for each in counts:
        for group, n in each.items():
            found[group] += n
    return dict(found)


def grouped(
    record_kind: str, start: datetime.date, end: datetime.date, municipality_id: int
) -> Counts:
    """The counts of ``record_kind`` for ``start``–``end`` per group: the whole
    months from the stored counts, the days of a month only partly in the
    period from the records (a counted entry is a month: always stored)."""
    return add(
        stored(start, end, municipality_id)[record_kind],
        partial(record_kind, start, end, municipality_id),
    )
