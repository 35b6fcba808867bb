"""What every Excel export of the reports shares.

A cell's text comes from what staff typed (a narrative, an indicator's name)
and opens in a spreadsheet program on another clerk's desk. A text that
begins like a formula would be run as one there (CSV/formula injection,
OWASP), so every text cell goes through :func:`safe_text`.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: First characters that make a spreadsheet program read a text as a formula
#: (or, for a tab and a carriage return, split it into one on import).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Put before such a text: it is then read as text, and shown as typed.
TEXT_PREFIX = "'"

#: The media type of an .xlsx file.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: Any) -> str:
    """``value`` as the text of a cell that no spreadsheet runs as a formula.

    None is empty; control characters a workbook cannot hold are dropped
    (openpyxl refuses them); a text starting with = + - @, a tab or a
    carriage return gets a leading apostrophe."""
    if value is None:
        return ""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_STARTS):
        return TEXT_PREFIX + text
    return text
