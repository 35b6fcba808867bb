"""tsunagu.core のフォーム部品。"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tsunagu.core.wareki import format_wareki, parse_date

WAREKI_DATE_PLACEHOLDER = "例: 令和7年4月1日 または 2025-04-01"


def _display(value: Any) -> Any:
    """日付なら和暦の文字列に、それ以外（入力途中の文字列など）はそのまま返す。"""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        try:
            return format_wareki(value)
        except ValueError:  # 和暦で表せない古い日付
            return value.isoformat()
    return value


class WarekiDateInput(forms.TextInput):
    """和暦でも西暦でも打てる日付欄。

    漢字の元号を打てるよう ``inputmode`` は付けない（数字キーボードにしない）。
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        merged: dict[str, Any] = {"placeholder": WAREKI_DATE_PLACEHOLDER, "autocomplete": "off"}
        if attrs:
            merged.update(attrs)
        merged.pop("inputmode", None)
        super().__init__(merged)

    def format_value(self, value: Any) -> str | None:
        formatted: str | None = super().format_value(_display(value))
        return formatted


class WarekiDateField(forms.DateField):
    """``parse_date`` で解釈する日付欄。初期値は和暦（令和7年4月1日）で表示する。"""

    widget = WarekiDateInput
    default_error_messages = {"invalid": "%(detail)s"}

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as exc:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"detail": str(exc)}
            ) from exc

    def prepare_value(self, value: Any) -> Any:
        return _display(value)
