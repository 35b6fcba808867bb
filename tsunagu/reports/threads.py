"""オンライン相談 (frontdoor threads) in the reports: counted from the records.

The figures are of the threads **received** in a period (``Thread.opened_at``,
Japan time), by channel (相談フォーム・LINE・メール):

- received: every such thread (anonymised ones included: anonymising keeps
  the count);
- turned into consultations: those of them linked to a 相談受付 (``consultation``
  set, whenever it was done: a thread converted later counts in the period it
  was received in, so a recent period's figure may still grow);
- answered within one business day: those whose first staff reply
  (``first_response_at``) came by the end of the first 開庁日 after the day the
  thread was received. 開庁日 are Monday to Friday, except Japanese public
  holidays (the ``holidays`` package) and 年末年始 (29 December to 3 January).
  A thread received on Friday afternoon is answered in time by Monday's end;
  one received on Saturday, also by Monday's end.
- the median time to the first reply (calendar time, in minutes) over the
  threads answered; unanswered ones are not in the median but are in the
  share's denominator.

There are few threads (hundreds to thousands a year), so these are counted
from the records and not kept in the monthly counts.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import holidays
from django.db.models import QuerySet
from django.utils import timezone

from tsunagu.frontdoor.models import Channel, Thread


class Span(Protocol):
    """A reporting period (``reports.metrics.Period``, which imports this module)."""

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]: ...


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def is_open_day(day: datetime.date) -> bool:
    """開庁日: a weekday that is no public holiday and not 年末年始 (12/29〜1/3)."""
    if day.weekday() >= 5 or day in _holidays(day.year):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def deadline(opened_at: datetime.datetime) -> datetime.datetime:
    """The end of the first 開庁日 after the day ``opened_at`` falls on (Japan time)."""
    day = timezone.localtime(opened_at).date() + datetime.timedelta(days=1)
    while not is_open_day(day):
        day += datetime.timedelta(days=1)
    after = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(after)


def answered_in_time(opened_at: datetime.datetime, first_response_at: Any) -> bool:
    return first_response_at is not None and first_response_at < deadline(opened_at)


@dataclass(frozen=True)
class ThreadCounts:
    """The threads received in a period, counted."""

    received: dict[str, int] = field(default_factory=dict)
    converted: int = 0
    answered: int = 0
    answered_in_time: int = 0
    #: Median minutes to the first reply (None: nothing answered).
    median_minutes: int | None = None

    @property
    def total(self) -> int:
        return sum(self.received.values())

    @property
    def share_in_time(self) -> int | None:
        """Percent answered within one business day (None: no thread)."""
        return round(100 * self.answered_in_time / self.total) if self.total else None

    @property
    def median_label(self) -> str:
        if self.median_minutes is None:
            return "―"
        hours, minutes = divmod(self.median_minutes, 60)
        return f"{hours}時間{minutes:02d}分" if hours else f"{minutes}分"


def received(
    records: QuerySet[Thread],
    period: Span,
    channel: str = "",
    organizations: list[int] | None = None,
) -> QuerySet[Thread]:
    """The threads received in ``period`` (by channel, by the window that has them now)."""
    first, after = period.moments()
    records = records.filter(opened_at__gte=first, opened_at__lt=after)
    if channel:
        records = records.filter(channel=channel)
    if organizations:
        records = records.filter(organization_id__in=organizations)
    return records


def answered_within_a_day(records: QuerySet[Thread]) -> QuerySet[Thread]:
    """Those of ``records`` answered within one business day: decided thread by
    thread (:func:`answered_in_time`, the business calendar is no SQL), kept as
    a queryset of their ids for the drill-down to page through."""
    found = [
        pk
        for pk, opened_at, first_response_at in records.order_by().values_list(
            "pk", "opened_at", "first_response_at"
        )
        if answered_in_time(opened_at, first_response_at)
    ]
    return records.filter(pk__in=found)


def count(
    records: QuerySet[Thread],
    period: Span,
    channel: str = "",
    organizations: list[int] | None = None,
) -> ThreadCounts:
    by_channel = dict.fromkeys(Channel.values, 0)
    converted = answered = in_time = 0
    minutes: list[float] = []
    for kind, opened_at, first_response_at, consultation_id in (
        received(records, period, channel, organizations)
        .order_by()
        .values_list("channel", "opened_at", "first_response_at", "consultation_id")
    ):
        by_channel[kind] = by_channel.get(kind, 0) + 1
        converted += consultation_id is not None
        if first_response_at is not None:
            answered += 1
            minutes.append((first_response_at - opened_at).total_seconds() / 60)
            in_time += answered_in_time(opened_at, first_response_at)
    return ThreadCounts(
        received=by_channel,
        converted=converted,
        answered=answered,
        answered_in_time=in_time,
        median_minutes=round(statistics.median(minutes)) if minutes else None,
    )
