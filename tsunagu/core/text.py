"""What staff may type into a text field.

Any script, emoji (ZWJ sequences included), combining marks, rare kanji
outside the BMP (𠮷) and variation selectors are kept exactly as typed. Control
characters other than the line break and the tab are refused with a message
that names them: they are invisible on the page, break search and printing,
and PostgreSQL cannot store NUL at all. They are refused rather than dropped
so that what is stored is always what the clerk saw in the field.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Control characters a text may hold: tab, line feed, carriage return (a
#: browser sends a textarea's line breaks as CR LF).
ALLOWED_CONTROLS = frozenset("\t\n\r")

CONTROL_CHARACTERS_MESSAGE = _(
    "見えない制御文字（%(characters)s）が含まれています。"
    "改行とタブ以外の制御文字は使えません。取り除いてから保存してください。"
)


def control_characters(text: str) -> list[str]:
    """The control characters of ``text`` that it may not hold, in order of first appearance."""
    found: dict[str, None] = {}
    for char in text:
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            found.setdefault(char)
    return list(found)


def reject_control_characters(value: Any) -> None:
    """A validator for text fields: refuses control characters other than line breaks and tabs."""
    if not isinstance(value, str):
        return
    found = control_characters(value)
    if found:
        raise ValidationError(
            CONTROL_CHARACTERS_MESSAGE,
            code="control_characters",
            params={"characters": "、".join(f"U+{ord(char):04X}" for char in found)},
        )
