"""Working days and appointment slots: pure functions over the settings and dates.

Japanese public holidays come from the maintained ``holidays`` package
(振替休日 and 国民の休日 included), never from a table of our own."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.utils import timezone

from tsunagu.appointments.models import AppointmentSettings


@lru_cache(maxsize=16)
def _japan(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year, language="ja")


def holiday_name(day: datetime.date) -> str:
    """The public holiday's name (「振替休日」「こどもの日」), or ""."""
    return str(_japan(day.year).get(day) or "")


def in_year_end_closure(day: datetime.date) -> bool:
    """12/29–1/3, when Japanese municipal offices customarily close."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def closed_reason(day: datetime.date, *, year_end_closure: bool = True) -> str:
    """Why the window is closed on ``day`` (「土曜日」「振替休日」「年末年始」), or "" on a working day."""
    if day.weekday() == 5:
        return "土曜日"
    if day.weekday() == 6:
        return "日曜日"
    name = holiday_name(day)
    if name:
        return name
    if year_end_closure and in_year_end_closure(day):
        return "年末年始"
    return ""


def is_working_day(day: datetime.date, *, year_end_closure: bool = True) -> bool:
    return not closed_reason(day, year_end_closure=year_end_closure)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def key(self) -> str:
        """The slot's start as the forms and the API send it (``YYYY-MM-DDTHH:MM``)."""
        return timezone.localtime(self.starts_at).strftime("%Y-%m-%dT%H:%M")


def day_slots(config: AppointmentSettings, day: datetime.date) -> list[Slot]:
    """The slots of one day: from opening to closing time in steps of the slot
    length, none overlapping the lunch break; none on a closed day."""
    if not is_working_day(day, year_end_closure=config.year_end_closure):
        return []
    step = datetime.timedelta(minutes=max(config.slot_minutes, 5))
    moment = datetime.datetime.combine(day, config.opens_at)
    closing = datetime.datetime.combine(day, config.closes_at)
    lunch: tuple[datetime.datetime, datetime.datetime] | None = None
    if config.lunch_starts_at and config.lunch_ends_at:
        lunch = (
            datetime.datetime.combine(day, config.lunch_starts_at),
            datetime.datetime.combine(day, config.lunch_ends_at),
        )
    found: list[Slot] = []
    while moment + step <= closing:
        end = moment + step
        if lunch is not None and moment < lunch[1] and end > lunch[0]:
            moment = lunch[1]
            continue
        found.append(Slot(timezone.make_aware(moment), timezone.make_aware(end)))
        moment = end
    return found


def slots_between(
    config: AppointmentSettings, first: datetime.date, last: datetime.date
) -> list[Slot]:
    """Every slot from ``first`` to ``last`` (both included)."""
    found: list[Slot] = []
    day = first
    while day <= last:
        found.extend(day_slots(config, day))
        day += datetime.timedelta(days=1)
    return found


def slot_at(config: AppointmentSettings, starts_at: datetime.datetime) -> Slot | None:
    """The slot that starts at ``starts_at``, if the window has one then."""
    local = timezone.localtime(starts_at)
    return next((s for s in day_slots(config, local.date()) if s.starts_at == local), None)


def bookable_until(config: AppointmentSettings, today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=config.days_ahead)
