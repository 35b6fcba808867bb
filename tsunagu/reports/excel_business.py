"""The business report as an Excel workbook laid out like the page (and like
seed 000): a title, then each business with its tables — heading, title,
note, a header row of the two columns' 和暦 headings, and the figure rows."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from tsunagu.reports.business import BusinessReport
from tsunagu.reports.excel import cell_text, keep_as_text

NUMBER_FORMAT = "#,##0"
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")


def business_workbook(report: BusinessReport, *, municipality_name: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "事業報告"
    labels = "・".join(period.label for period in report.periods)
    sheet.append([cell_text(f"{municipality_name} 重層的支援体制整備事業 実績（{labels}）")])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append([])
    for section in report.sections:
        sheet.append([cell_text(section.title)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
        for table in section.tables:
            for text, bold in (
                (table.table.heading, True),
                (table.table.title, False),
                (table.table.note, False),
            ):
                if text:
                    sheet.append([cell_text(text)])
                    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=bold)
            sheet.append(["", *[cell_text(heading) for heading in table.headings]])
            header = sheet.max_row
            for column in range(1, 2 + len(table.headings)):
                cell = sheet.cell(row=header, column=column)
                cell.fill = _HEADER_FILL
                cell.border = _BOX
                cell.alignment = Alignment(horizontal="center", wrap_text=True)
            for row in table.rows:
                sheet.append([cell_text(row.row.label), *row.values])
                current = sheet.max_row
                sheet.cell(row=current, column=1).border = _BOX
                for index, _value in enumerate(row.values, start=2):
                    cell = sheet.cell(row=current, column=index)
                    cell.number_format = NUMBER_FORMAT
                    cell.border = _BOX
                if row.row.cell_note:
                    sheet.cell(row=current, column=2 + len(row.values)).value = cell_text(
                        row.row.cell_note
                    )
            sheet.append([])
    sheet.column_dimensions["A"].width = 44
    for letter in ("B", "C"):
        sheet.column_dimensions[letter].width = 22
    sheet.column_dimensions["D"].width = 24
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:1"
    keep_as_text(sheet)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
