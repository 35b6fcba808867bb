"""What every spreadsheet export of the reports shares.

A cell's text comes from what staff typed (a narrative, an indicator's name)
and opens in a spreadsheet program on another clerk's desk. A text that
begins like a formula (= + - @, a tab or a carriage return) would be run as
one there (CSV/formula injection, OWASP).

- In a workbook, every text goes in through :func:`cell_text` and the sheet
  is passed to :func:`keep_as_text` before it is saved: a text that starts
  like a formula is then a text cell (never openpyxl's formula cell) with
  Excel's quote prefix, so it is shown exactly as typed and stays text when
  the cell is edited. Numbers stay numbers, negative ones included.
- In a CSV file, which has no cell types, :func:`safe_text` puts an
  apostrophe before such a text.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

#: First characters that make a spreadsheet program read a text as a formula
#: (or, for a tab and a carriage return, split it into one on import).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Put before such a text in a CSV file: it is then read as text.
TEXT_PREFIX = "'"

#: The media type of an .xlsx file.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_text(value: Any) -> str:
    """``value`` as the text of a workbook cell, as typed: None is empty and
    control characters a workbook cannot hold are dropped (openpyxl refuses them)."""
    if value is None:
        return ""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def safe_text(value: Any) -> str:
    """``value`` as the text of a CSV cell that no spreadsheet runs as a formula:
    :func:`cell_text`, with a leading apostrophe when it starts like a formula."""
    text = cell_text(value)
    if text.startswith(FORMULA_STARTS):
        return TEXT_PREFIX + text
    return text


def keep_as_text(worksheet: Worksheet) -> Worksheet:
    """Make every text of ``worksheet`` that starts like a formula a text cell
    with Excel's quote prefix (openpyxl would write ``=…`` as a formula)."""
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True
    return worksheet
