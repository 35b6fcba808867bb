"""The strategy check sheet as one Excel worksheet, laid out like the page:
the title and header rows, then each programme (事業名称・所管課・役割・事業費)
with its indicators under the year columns R4(2022)…, then the year's four
narrative sections.

Figures are numbers (format ``#,##0``; a target reads 「目標 1,600」 through its
number format, so it stays a number); every text goes through
:func:`tsunagu.reports.excel.cell_text`, and the sheet through
:func:`~tsunagu.reports.excel.keep_as_text` (no typed text runs as a formula).
"""

from __future__ import annotations

import math
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tsunagu.reports import strategy
from tsunagu.reports.excel import cell_text, keep_as_text

NUMBER = "#,##0"
TARGET_NUMBER = '"目標 "#,##0'
INITIAL_NUMBER = "(#,##0)"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
BOLD = Font(bold=True)
#: About how many characters of Japanese text fit on one line of a merged row.
CHARACTERS_PER_LINE = 90
LINE_HEIGHT = 15


class _Writer:
    def __init__(self, worksheet: Worksheet, columns: int) -> None:
        self.ws = worksheet
        self.columns = columns
        self.row = 1

    def text(self, row: int, column: int, value: Any, **style: Any) -> None:
        cell = self.ws.cell(row=row, column=column, value=cell_text(value))
        self._style(cell, style)

    def figure(self, row: int, column: int, value: int | None, target: bool = False) -> Any:
        cell = self.ws.cell(row=row, column=column)
        if value is None:
            cell.value = strategy.NOTHING
            cell.alignment = Alignment(horizontal="center")
        else:
            cell.value = value
            cell.number_format = TARGET_NUMBER if target else NUMBER
        cell.border = BOX
        return cell

    def merged(self, row: int, first: int, last: int, value: Any, **style: Any) -> None:
        self.text(row, first, value, **style)
        if last > first:
            self.ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
            for column in range(first + 1, last + 1):
                self.ws.cell(row=row, column=column).border = style.get("border", BOX)

    def fit(self, row: int, text: str, width_characters: int = CHARACTERS_PER_LINE) -> None:
        """A merged text row tall enough for its text."""
        lines = sum(
            max(1, math.ceil(len(line) / width_characters)) for line in (text or "").split("\n")
        )
        self.ws.row_dimensions[row].height = max(1, lines) * LINE_HEIGHT + 4

    @staticmethod
    def _style(cell: Any, style: dict[str, Any]) -> None:
        cell.border = style.get("border", BOX)
        cell.alignment = style.get("alignment", WRAP)
        if "font" in style:
            cell.font = style["font"]
        if "fill" in style:
            cell.fill = style["fill"]


def workbook(assembled: strategy.AssembledSheet) -> Workbook:
    years = assembled.years
    first_year_column = 3
    note_column = first_year_column + len(years)
    last = note_column
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = _("戦略点検シート")
    w = _Writer(ws, last)
    sheet = assembled.sheet
    no_border = Border()

    # Title and header.
    w.merged(1, 1, last, f"{assembled.title}　{_('戦略点検シート')}",
             font=Font(bold=True, size=14), alignment=CENTER, border=no_border)  # fmt: skip
    ws.row_dimensions[1].height = 24
    row = 2
    for label, value in (
        (_("基本政策"), sheet.policy_area),
        (_("主要課題"), sheet.title),
        (_("4年後の目指す姿"), sheet.vision),
        (_("計画期間の方向性"), sheet.direction),
    ):
        w.text(row, 1, label, font=BOLD, fill=HEADER_FILL)
        w.merged(row, 2, last, value)
        w.fit(row, value)
        row += 1

    # Programmes and indicators.
    row += 1
    w.merged(row, 1, last, _("計画事業と主な取組実績"), font=BOLD, fill=SECTION_FILL)
    row += 1
    budget_label = _("事業費（%(year)s・千円）上段：実績 下段：当初予算") % {
        "year": assembled.budget_year_label
    }
    for block in assembled.programmes:
        programme = block.programme
        role_last = max(first_year_column, note_column - 1)
        w.text(row, 1, _("事業名称"), font=BOLD, fill=HEADER_FILL)
        w.text(row, 2, _("所管課"), font=BOLD, fill=HEADER_FILL)
        w.merged(
            row, first_year_column, role_last, _("事業の持つ役割"), font=BOLD, fill=HEADER_FILL
        )
        w.text(row, note_column, budget_label, font=BOLD, fill=HEADER_FILL)
        row += 1
        # 上段 the actual, 下段 the initial budget in parentheses, as the seed prints them.
        w.text(row, 1, programme.name, font=BOLD)
        w.text(row, 2, programme.department)
        w.text(row, first_year_column, programme.role)
        for column in (1, 2):
            ws.merge_cells(start_row=row, start_column=column, end_row=row + 1, end_column=column)
        ws.merge_cells(
            start_row=row, start_column=first_year_column, end_row=row + 1, end_column=role_last
        )
        w.figure(row, note_column, block.budget.actual)
        initial = w.figure(row + 1, note_column, block.budget.initial)
        if block.budget.initial is not None:
            initial.number_format = INITIAL_NUMBER
        w.fit(row, programme.role, 50)
        row += 2
        w.text(row, 1, _("主な取組実績"), font=BOLD, fill=HEADER_FILL)
        w.text(row, 2, _("単位"), font=BOLD, fill=HEADER_FILL)
        for offset, year in enumerate(years):
            w.text(row, first_year_column + offset, year.heading, font=BOLD, fill=HEADER_FILL,
                   alignment=CENTER)  # fmt: skip
        w.text(row, note_column, _("集計の方法"), font=BOLD, fill=HEADER_FILL)
        row += 1
        for indicator_row in block.indicators:
            indicator = indicator_row.indicator
            w.text(row, 1, indicator.name)
            w.text(row, 2, indicator.unit, alignment=CENTER)
            for offset, cell in enumerate(indicator_row.cells):
                written = w.figure(row, first_year_column + offset, cell.value, cell.is_target)
                if cell.to_date:
                    written.comment = Comment(strategy.describe_cell(cell), _("つなぐ"))
            w.text(
                row,
                note_column,
                _("記録から集計: %(what)s") % {"what": indicator_row.description}
                if indicator_row.computed
                else _("入力値"),
            )
            row += 1
        if not block.indicators:
            w.merged(row, 1, last, _("指標はまだありません。"))
            row += 1
        row += 1

    # Narratives of the year.
    w.merged(row, 1, last, _("%(year)sの点検") % {"year": assembled.title}, font=BOLD,
             fill=SECTION_FILL)  # fmt: skip
    row += 1
    for narrative in assembled.narratives:
        w.merged(row, 1, last, narrative.label, font=BOLD, fill=HEADER_FILL)
        row += 1
        w.merged(row, 1, last, narrative.text or _("（未記入）"))
        w.fit(row, narrative.text)
        row += 1

    row += 1
    w.merged(
        row, 1, last,
        _("年度の列: 進行管理年度までは実績、その後の年度は目標（「目標」と表示）。"
          "「記録から集計」の指標は、システムの記録をその年度について数えた値です"
          "（今年度は作成日までの集計）。事業費は千円単位です。"),
        border=no_border,
    )  # fmt: skip
    w.fit(row, "x" * 180)

    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 20
    for offset in range(len(years)):
        ws.column_dimensions[get_column_letter(first_year_column + offset)].width = 13
    ws.column_dimensions[get_column_letter(note_column)].width = 34
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    keep_as_text(ws)
    return book


def workbook_bytes(assembled: strategy.AssembledSheet) -> bytes:
    buffer = BytesIO()
    workbook(assembled).save(buffer)
    return buffer.getvalue()


def file_name(assembled: strategy.AssembledSheet) -> str:
    return f"{_('戦略点検シート')}_{assembled.fiscal_year_label}_{assembled.sheet.pk}.xlsx"
