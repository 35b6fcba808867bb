"""和暦表示のテンプレートフィルタ。``{% load wareki %}`` で使う。

- ``{{ d|wareki }}`` → 「令和7年4月1日」（None は空文字）
- ``{{ 2025|fiscal_year }}`` / ``{{ d|fiscal_year }}`` → 「令和7年度」
- ``{{ start|period:end }}`` → 「令和7年4月〜6月」
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone

from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of, format_wareki, period_label

register = template.Library()


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        moment: datetime.datetime = value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.date()
    if isinstance(value, datetime.date):
        return value
    return None


@register.filter(name="wareki")
def wareki(value: Any) -> str:
    """日付（または日時）を「令和7年4月1日」に。日付でなければ空文字。"""
    d = _as_date(value)
    if d is None:
        return ""
    try:
        return format_wareki(d)
    except ValueError:
        return f"{d.year}年{d.month}月{d.day}日"


@register.filter(name="fiscal_year")
def fiscal_year(value: Any) -> str:
    """年度（西暦の開始年の整数）または日付を「令和7年度」に。解釈できなければ空文字。"""
    d = _as_date(value)
    try:
        fy = fiscal_year_of(d) if d is not None else int(value)
        return fiscal_year_label(fy)
    except (TypeError, ValueError, OverflowError):
        return ""


@register.filter(name="period")
def period(start: Any, end: Any) -> str:
    """``{{ start|period:end }}`` で「令和7年4月〜6月」。解釈できなければ空文字。"""
    s, e = _as_date(start), _as_date(end)
    if s is None or e is None:
        return ""
    try:
        return period_label(s, e)
    except ValueError:
        return ""


@register.filter(name="age")
def age(value: Any) -> str:
    """生年月日から今日の満年齢。日付でなければ空文字。"""
    born = _as_date(value)
    if born is None:
        return ""
    today = timezone.localdate()
    return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


@register.filter(name="wareki_time")
def wareki_time(value: Any) -> str:
    """日時を「令和7年4月1日 9:05」に。"""
    if not isinstance(value, datetime.datetime):
        return wareki(value)
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{wareki(moment)} {moment.hour}:{moment.minute:02d}"
