"""No typed text runs as a formula in any spreadsheet the product exports.

The exports (``grep -r openpyxl\\|csv.writer\\|text/csv\\|.xlsx tsunagu``) are
two workbooks: the business report (事業報告) and the strategy check sheet
(戦略点検シート). Their texts are typed by staff — row names, headings, notes,
programme names, narratives — and open on another clerk's desk. A text that
starts with = + - @, a tab or a carriage return must arrive as text, shown as
typed, never as a formula cell; figures must stay numbers.

The shared helper is ``tsunagu/reports/excel.py`` (``cell_text`` and
``keep_as_text`` for workbooks, ``safe_text`` for CSV).
"""

from __future__ import annotations

import datetime
import re
import zipfile
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.core.wareki import fiscal_year_of
from tsunagu.reports import services_strategy
from tsunagu.reports.excel import FORMULA_STARTS, keep_as_text, safe_text
from tsunagu.reports.layout import RowSpec, TableSpec, report_layout_install
from tsunagu.reports.models import Metric, NarrativeSection, ReportRow, ReportTable
from tsunagu.reports.tests.test_strategy import build_sheet
from tsunagu.tests.factories import Ward
from tsunagu.tests.resident_factories import consultation

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
SUM = "@SUM(1)"
#: One of each start a spreadsheet program reads as a formula (or splits on import).
HOSTILE = [HYPERLINK, SUM, "+1+1", "-2+3", "\t=1+1", "\r=1+1"]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def assert_no_formula(content: bytes) -> dict[str, Any]:
    """No formula anywhere in the file; every text that starts like one is a
    text cell with the quote prefix. The texts' cells, by value."""
    assert not re.search(r"<f[ >]", sheet_xml(content)), "a formula cell was written"
    worksheet = load_workbook(BytesIO(content)).active
    assert worksheet is not None
    texts: dict[str, Any] = {}
    for row in worksheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                texts[cell.value] = cell
                if cell.value.startswith(FORMULA_STARTS):
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    return texts


# --- 事業報告 ------------------------------------------------------------------------------


LAYOUT = (
    TableSpec(1, "地域包括支援センター", rows=(
        RowSpec("北", Metric.CONSULTATIONS, "地域包括支援センター北"),
        RowSpec("南", Metric.CONSULTATIONS, "地域包括支援センター南"),
    )),
)  # fmt: skip


def test_the_business_report_workbook_keeps_typed_formulas_as_text(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=ward.member(Role.COORDINATOR), layout=LAYOUT)
        ReportTable.objects.update(heading=HYPERLINK, title=SUM, note="\t=1+1")
        ReportRow.objects.filter(label="北").update(label="+1+1", cell_note="\r=1+1")
        ReportRow.objects.filter(label="南").update(label="-2+3")
    Municipality.objects.filter(pk=ward.municipality.pk).update(name="-テスト区")
    consultation(counselor, ward.center)
    consultation(counselor, ward.center)

    client = Client()
    client.force_login(ward.member(Role.MANAGER))
    # Both columns: this whole fiscal year (today's consultations in it).
    fy = fiscal_year_of(timezone.localdate())
    columns = {
        f"c{n}_{key}": value
        for n in (1, 2)
        for key, value in (("year", fy), ("from", 4), ("to", 3))
    }
    response = client.get(reverse("reports:business_excel"), columns)
    assert response.status_code == 200
    texts = assert_no_formula(response.content)

    for typed in HOSTILE:
        # Shown as typed, no apostrophe added (XML reads a carriage return as a line feed).
        assert typed.replace("\r", "\n") in texts, repr(typed)
    assert any(text.startswith("-テスト区") for text in texts)
    # The figures stay numbers: the two consultations at 北, in both columns.
    north = texts["+1+1"]  # the row 北
    figures = [c for c in north.parent[north.row] if c.column > 1 and c.data_type == "n"]
    assert [c.value for c in figures] == [2, 2]


# --- 戦略点検シート ---------------------------------------------------------------------


def test_the_strategy_sheet_workbook_keeps_typed_formulas_as_text(ward: Ward) -> None:
    built = build_sheet(ward)
    actor = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        services_strategy.strategy_sheet_update(
            actor=actor, sheet=built.sheet, title=HYPERLINK, vision=SUM, direction="\t=1+1"
        )
        services_strategy.strategy_programme_update(
            actor=actor, programme=built.programme, name="+1+1", department="-2+3", role="\r=1+1"
        )
        services_strategy.strategy_indicator_update(
            actor=actor, indicator=built.entered, name='=HYPERLINK("http://x","指標")'
        )
        services_strategy.strategy_narratives_save(
            actor=actor,
            sheet=built.sheet,
            fiscal_year=2025,
            changes={NarrativeSection.RESULTS: ("@SUM(1)+cmd|' /C calc'!A0", 0)},
        )

    client = Client()
    client.force_login(actor)
    response = client.get(
        reverse("reports:strategy_excel"), {"sheet": built.sheet.pk, "year": 2025}
    )
    assert response.status_code == 200
    texts = assert_no_formula(response.content)

    for typed in (*HOSTILE, '=HYPERLINK("http://x","指標")', "@SUM(1)+cmd|' /C calc'!A0"):
        assert typed.replace("\r", "\n") in texts, repr(typed)
    # The typed indicator's figures (10, 11, 12, 13 in the first four years) stay numbers.
    indicator = texts['=HYPERLINK("http://x","指標")']
    row = indicator.parent[indicator.row]
    assert [c.value for c in row[2:6]] == [10, 11, 12, 13]
    assert all(c.data_type == "n" and not c.quotePrefix for c in row[2:6])


# --- The helper --------------------------------------------------------------------------


def test_numbers_stay_numbers_and_only_formula_like_text_is_marked() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([-5, 0, 3.5, datetime.date(2025, 4, 1), "-5", "ひきこもり支援", HYPERLINK])
    keep_as_text(sheet)
    negative, zero, real, day, text_number, plain, link = next(sheet.iter_rows())
    assert (negative.value, negative.data_type, negative.quotePrefix) == (-5, "n", False)
    assert (zero.data_type, real.data_type, day.data_type) == ("n", "n", "d")
    assert (text_number.data_type, text_number.quotePrefix) == ("s", True)
    assert not plain.quotePrefix
    assert (link.value, link.data_type, link.quotePrefix) == (HYPERLINK, "s", True)
    buffer = BytesIO()
    book.save(buffer)
    assert_no_formula(buffer.getvalue())


@pytest.mark.parametrize("typed", HOSTILE)
def test_a_csv_cell_that_starts_like_a_formula_gets_an_apostrophe(typed: str) -> None:
    assert safe_text(typed) == "'" + typed
    assert safe_text(f"説明 {typed}") == f"説明 {typed}"  # only the first character counts
