"""Schedules in Japanese and their next dates, from RFC 5545 rules (python-dateutil)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from dateutil import rrule

from tsunagu.resources.models import WEEKDAY_LABELS, WEEKDAYS, Frequency

if TYPE_CHECKING:
    from tsunagu.resources.models import Schedule

_RRULE_DAYS = {
    "MO": rrule.MO,
    "TU": rrule.TU,
    "WE": rrule.WE,
    "TH": rrule.TH,
    "FR": rrule.FR,
    "SA": rrule.SA,
    "SU": rrule.SU,
}


def _parts(byday: str) -> list[tuple[int | None, str]]:
    """``"2TU,-1FR"`` → ``[(2, "TU"), (-1, "FR")]``; unknown parts are skipped."""
    found = []
    for raw in byday.upper().replace(" ", "").split(","):
        code = raw[-2:]
        if code not in _RRULE_DAYS:
            continue
        ordinal = raw[:-2]
        try:
            found.append((int(ordinal) if ordinal else None, code))
        except ValueError:
            continue
    return sorted(found, key=lambda part: (WEEKDAYS.index(part[1]), part[0] or 0))


def _time(value: datetime.time | None) -> str:
    if value is None:
        return ""
    return f"{value.hour}時" + (f"{value.minute}分" if value.minute else "")


def _ordinal(n: int) -> str:
    return "最終" if n == -1 else f"第{n}"


def schedule_label(schedule: Schedule) -> str:
    """毎月第2火曜日 10時〜12時, 毎週月・水曜日 13時30分〜, 隔週木曜日 …"""
    parts = _parts(schedule.byday)
    if schedule.freq == Frequency.MONTHLY:
        if parts:
            by_ordinal: dict[int | None, list[str]] = {}
            for ordinal, code in parts:
                by_ordinal.setdefault(ordinal, []).append(code)
            ordinals = sorted({o for o, _c in parts if o is not None}, key=lambda o: (o < 0, o))
            codes = sorted({c for _o, c in parts}, key=WEEKDAYS.index)
            if ordinals and len(codes) == 1:
                when = "・".join(_ordinal(o) for o in ordinals) + WEEKDAY_LABELS[codes[0]] + "曜日"
            else:
                when = "・".join(
                    (_ordinal(o) if o is not None else "") + WEEKDAY_LABELS[c] + "曜日"
                    for o, c in parts
                )
        elif schedule.bymonthday:
            when = "・".join(f"{d.strip()}日" for d in schedule.bymonthday.split(",") if d.strip())
        else:
            when = ""
        head = ("毎月" if schedule.interval <= 1 else f"{schedule.interval}か月ごと") + when
    elif schedule.freq == Frequency.WEEKLY:
        codes = [c for _o, c in parts]
        when = ("・".join(WEEKDAY_LABELS[c] for c in codes) + "曜日") if codes else ""
        prefix = {1: "毎週", 2: "隔週"}.get(schedule.interval, f"{schedule.interval}週ごと")
        head = prefix + when
    else:
        head = schedule.description or "随時"
    times = ""
    if schedule.opens_at or schedule.closes_at:
        times = f" {_time(schedule.opens_at)}〜{_time(schedule.closes_at)}"
    return (head + times).strip()


def next_dates(schedule: Schedule, after: datetime.date, count: int = 3) -> list[datetime.date]:
    """The next ``count`` dates on or after ``after`` (none for a rule we cannot read)."""
    if schedule.freq not in Frequency.values:
        return []
    parts = _parts(schedule.byday)
    byweekday = [_RRULE_DAYS[c](o) if o is not None else _RRULE_DAYS[c] for o, c in parts]
    bymonthday = [int(d) for d in schedule.bymonthday.split(",") if d.strip().lstrip("-").isdigit()]
    if not byweekday and not bymonthday:
        return []
    start = schedule.dtstart or schedule.valid_from or after
    rule = rrule.rrule(
        rrule.MONTHLY if schedule.freq == Frequency.MONTHLY else rrule.WEEKLY,
        dtstart=datetime.datetime.combine(start, datetime.time()),
        interval=max(schedule.interval, 1),
        byweekday=byweekday or None,
        bymonthday=bymonthday or None,
        until=datetime.datetime.combine(schedule.valid_to, datetime.time())
        if schedule.valid_to
        else None,
    )
    found = []
    for moment in rule.xafter(
        datetime.datetime.combine(after, datetime.time()), count=count, inc=True
    ):
        found.append(moment.date())
    return found
