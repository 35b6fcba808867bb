"""The dates and times the product accepts, in forms and in the API alike.

One range for every date and datetime typed or sent:

- from 1873-01-01 (明治6年1月1日), the day Japan took the Gregorian
  calendar: earlier dates were written in the lunisolar calendar, have no
  one-to-one Gregorian day and no 和暦 label here (``tsunagu.core.wareki``
  refuses them);
- to the 31 December :data:`YEARS_AHEAD` years after the current year. The
  furthest dates the programme writes are a plan's review or a retention
  date a few years out; thirty years leaves room for those and refuses
  slips of the keyboard (20255-04-01) and a year 9999 whose time-zone
  conversion overflows.

A datetime is checked on its local (Asia/Tokyo) date, the date every page
and printout shows.

The API's date types (:data:`Day`, :data:`Moment`) also take only ISO text:
django-ninja (pydantic) would read ``0`` or ``"0"`` as 1970-01-01, a Unix
timestamp no client means.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

#: The earliest date accepted (明治6年1月1日, the first Gregorian day in Japan).
EARLIEST = datetime.date(1873, 1, 1)
#: How many years after the current one a date may lie.
YEARS_AHEAD = 30

TOO_EARLY_MESSAGE = (
    "明治5年以前（旧暦）の日付には対応していません。"
    "1873年（明治6年）1月1日以降の日付を入力してください。"
)
TOO_LATE_MESSAGE = "%(year)s年12月31日より後の日付は入力できません。日付を確かめてください。"


def latest(today: datetime.date | None = None) -> datetime.date:
    """The latest date accepted: 31 December, :data:`YEARS_AHEAD` years from now."""
    today = today or timezone.localdate()
    return datetime.date(today.year + YEARS_AHEAD, 12, 31)


def local_date(value: datetime.date) -> datetime.date:
    """The day a date or datetime falls on, as shown: an aware datetime in local time."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            try:
                value = timezone.localtime(value)
            except OverflowError:  # year 9999 past midnight UTC, year 1 before it
                return value.date()
        return value.date()
    return value


def range_error(value: datetime.date) -> str | None:
    """Why ``value`` (a date or datetime) is outside the range, or None when it is inside."""
    day = local_date(value)
    if day < EARLIEST:
        return TOO_EARLY_MESSAGE
    last = latest()
    if day > last:
        return TOO_LATE_MESSAGE % {"year": last.year}
    return None


def validate_in_range(value: Any) -> None:
    """A validator for form and model date and datetime fields."""
    if isinstance(value, datetime.date):
        message = range_error(value)
        if message:
            raise ValidationError(message, code="date_out_of_range")


# --- The API's date types -------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|z|[+-][0-9]{2}:?[0-9]{2})?"
)


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_type", "date as YYYY-MM-DD")
    return value


def _iso_datetime_only(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
        raise PydanticCustomError("datetime_type", "datetime in ISO 8601")
    return value


def _in_range(value: Any) -> Any:
    message = range_error(value)
    if message:
        # The message is the API's, in Japanese: the handler shows it as it is.
        raise PydanticCustomError("date_out_of_range", message)
    return value


_RANGE_SCHEMA = {"x-tsunagu-earliest": EARLIEST.isoformat(), "x-tsunagu-years-ahead": YEARS_AHEAD}

#: A date the API accepts: ``2025-04-01`` from 明治6年 to :func:`latest`.
Day = Annotated[
    datetime.date,
    BeforeValidator(_iso_date_only),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date", **_RANGE_SCHEMA}),
]
#: A datetime the API accepts: ISO 8601 text whose local date is in the range.
Moment = Annotated[
    datetime.datetime,
    BeforeValidator(_iso_datetime_only),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date-time", **_RANGE_SCHEMA}),
]
