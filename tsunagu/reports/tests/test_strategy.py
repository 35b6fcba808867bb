"""The strategy check sheet as assembled from its rows and the records: which
cells show counted actuals, typed actuals and targets; the counted figure is
the number of matching activity records; the writes and their audit events;
the Excel file; the demo's sheet."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.reports import excel_strategy, rollups, services_strategy, strategy
from tsunagu.reports.excel import safe_text
from tsunagu.reports.models import (
    Indicator,
    IndicatorValue,
    Metric,
    NarrativeSection,
    RecordKind,
    SheetNarrative,
    StrategyProgramme,
    StrategySheet,
    Unit,
)
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

NEW_INDIVIDUAL = "new_consultation:new_individual"


@dataclass
class Built:
    sheet: StrategySheet
    programme: StrategyProgramme
    entered: Indicator
    computed: Indicator
    other: StrategyProgramme


def build_sheet(ward: Ward, first_year: int = 2022, last_year: int = 2027) -> Built:
    """A sheet with a programme holding one typed and one counted indicator, and
    a second programme; values typed for the typed one, targets for both."""
    actor = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        sheet = services_strategy.strategy_sheet_create(
            actor=actor,
            title="包括的な支援体制の強化",
            policy_area="健康で安心な暮らし",
            vision="分野を越えて支え合う体制ができている。",
            direction="多機関の協働を進める。",
            first_year=first_year,
            last_year=last_year,
        )
        programme = services_strategy.strategy_programme_create(
            actor=actor,
            sheet=sheet,
            name="小地域福祉活動の推進",
            department="福祉政策課",
            role="居場所づくり",
        )
        entered = services_strategy.strategy_indicator_create(
            actor=actor, programme=programme, name="コーディネーターの配置", unit=Unit.PEOPLE
        )
        computed = services_strategy.strategy_indicator_create(
            actor=actor,
            programme=programme,
            name="個人支援の新規件数",
            unit=Unit.CASES,
            metric=Metric.ACTIVITIES,
            option=NEW_INDIVIDUAL,
        )
        other = services_strategy.strategy_programme_create(
            actor=actor, sheet=sheet, name="ひきこもり総合対策", department="生活福祉課"
        )
        years = sheet.fiscal_years()
        entries = []
        for i, fy in enumerate(years):
            # Typed: actuals of the first four years, a target of 20 from the fourth on.
            entries.append(
                services_strategy.ValueEntry(
                    entered, fy, actual=10 + i if i < 4 else None, target=20 if i >= 3 else None
                )
            )
            # Counted: targets 1000, 1001, … from the fourth year on.
            entries.append(
                services_strategy.ValueEntry(
                    computed, fy, actual=None, target=997 + i if i >= 3 else None
                )
            )
        services_strategy.strategy_values_set(actor=actor, sheet=sheet, entries=entries)
        services_strategy.strategy_budgets_set(
            actor=actor,
            sheet=sheet,
            entries=[services_strategy.BudgetEntry(programme, years[2], 35394, 36059)],
        )
    return Built(sheet, programme, entered, computed, other)


def activity(ward: Ward, day: datetime.date, option: str = NEW_INDIVIDUAL, **fields: Any) -> None:
    category, kind, *_rest = option.split(":")
    with tenancy.tenant_context(ward.municipality):
        record = ActivityRecord.objects.create(
            organization=ward.center,
            staff=ward.member(Role.COUNSELOR),
            occurred_on=day,
            district=ward.districts[0],
            category=category,
            kind=kind,
            mode=fields.pop("mode", ""),
            intent="地域から寄せられた相談を受ける",
            **fields,
        )
    # Written here directly, not through the service: its month counted again.
    rollups.refresh(
        municipality_id=record.municipality_id,
        record_kind=RecordKind.ACTIVITY_RECORD,
        days=[record.occurred_on],
    )


def activities(ward: Ward, days: list[datetime.date], **fields: Any) -> None:
    for day in days:
        activity(ward, day, **fields)


def assembled(ward: Ward, sheet: StrategySheet, year: int, today: datetime.date) -> Any:
    with tenancy.tenant_context(ward.municipality):
        return strategy.assemble(StrategySheet.objects.get(pk=sheet.pk), year, today)


def row_of(sheet: strategy.AssembledSheet, indicator: Indicator) -> strategy.IndicatorRow:
    return next(
        row
        for block in sheet.programmes
        for row in block.indicators
        if row.indicator.pk == indicator.pk
    )


def by_year(row: strategy.IndicatorRow) -> dict[int, strategy.Cell]:
    return {cell.fiscal_year: cell for cell in row.cells}


# --- Assembling ----------------------------------------------------------------------


def test_year_headings_read_like_the_sheet() -> None:
    assert strategy.year_heading(2022) == "R4(2022)"
    assert strategy.year_heading(2027) == "R9(2027)"
    assert strategy.year_heading(2019) == "R1(2019)"
    assert strategy.year_heading(2018) == "H30(2018)"
    assert strategy.management_label(2026) == "令和8年度進行管理"
    assert strategy.thousand_yen(20097) == "20,097千円"
    assert strategy.thousand_yen(None) == "―"


def test_cells_are_actuals_up_to_the_checked_year_and_targets_after(ward: Ward) -> None:
    built = build_sheet(ward)
    today = datetime.date(2025, 10, 15)
    sheet = assembled(ward, built.sheet, 2025, today)
    assert [y.heading for y in sheet.years] == [
        "R4(2022)", "R5(2023)", "R6(2024)", "R7(2025)", "R8(2026)", "R9(2027)",
    ]  # fmt: skip
    typed = by_year(row_of(sheet, built.entered))
    assert [(typed[fy].source, typed[fy].value) for fy in (2022, 2023, 2024, 2025)] == [
        (strategy.ENTERED, 10), (strategy.ENTERED, 11), (strategy.ENTERED, 12), (strategy.ENTERED, 13),
    ]  # fmt: skip
    # The checked year shows its actual and keeps its target beside it.
    assert typed[2025].target == 20
    assert [(typed[fy].source, typed[fy].value) for fy in (2026, 2027)] == [
        (strategy.TARGET, 20),
        (strategy.TARGET, 20),
    ]
    counted = by_year(row_of(sheet, built.computed))
    assert all(counted[fy].source == strategy.RECORDS for fy in (2022, 2023, 2024, 2025))
    assert counted[2026].source == strategy.TARGET and counted[2026].value == 1001
    # The other programme has no indicators: its block is there, empty.
    assert [b.programme.name for b in sheet.programmes] == [
        "小地域福祉活動の推進",
        "ひきこもり総合対策",
    ]
    # 事業費 of the year before the checked one.
    first = sheet.programmes[0]
    assert (first.budget.fiscal_year, first.budget.actual, first.budget.initial) == (
        2024,
        35394,
        36059,
    )
    assert sheet.programmes[1].budget.actual_display == "―"


def test_a_year_with_nothing_typed_shows_nothing(ward: Ward) -> None:
    built = build_sheet(ward)
    with tenancy.tenant_context(ward.municipality):
        IndicatorValue.objects.filter(indicator=built.entered, fiscal_year=2023).delete()
    sheet = assembled(ward, built.sheet, 2025, datetime.date(2025, 10, 15))
    cell = by_year(row_of(sheet, built.entered))[2023]
    assert (cell.source, cell.value, cell.display) == (strategy.NONE, None, "―")


def test_the_counted_indicator_equals_the_matching_activity_records(
    ward: Ward, other_ward: Ward
) -> None:
    built = build_sheet(ward)
    # 令和5年度: 3 matching; 令和6年度: 5 matching (one on the last day of March).
    activities(
        ward, [datetime.date(2023, 4, 1), datetime.date(2023, 9, 9), datetime.date(2024, 3, 31)]
    )
    activities(ward, [datetime.date(2024, 4, 1)] * 4 + [datetime.date(2025, 3, 31)])
    # Not counted: another kind, another category, an archived record, another ward.
    activity(ward, datetime.date(2024, 6, 1), option="new_consultation:new_community")
    activity(ward, datetime.date(2024, 6, 1), option="individual:individual_support", mode="direct")
    activity(
        ward,
        datetime.date(2024, 6, 1),
        archived_at=datetime.datetime(2024, 7, 1, tzinfo=datetime.UTC),
    )
    activity(other_ward, datetime.date(2024, 6, 1))
    # The running year (today 2025-10-15): two so far, one dated later in the year.
    activities(
        ward, [datetime.date(2025, 4, 1), datetime.date(2025, 10, 15), datetime.date(2025, 11, 1)]
    )

    sheet = assembled(ward, built.sheet, 2025, datetime.date(2025, 10, 15))
    counted = by_year(row_of(sheet, built.computed))
    assert (counted[2022].value, counted[2023].value, counted[2024].value) == (0, 3, 5)
    assert not counted[2024].to_date
    assert (counted[2025].value, counted[2025].to_date) == (2, True)
    assert counted[2025].through == datetime.date(2025, 10, 15)
    assert "令和7年10月15日まで" in strategy.describe_cell(counted[2025])
    # The same sheet checked in 令和6年度: 2025 is ahead and shows its target.
    earlier = by_year(
        row_of(assembled(ward, built.sheet, 2024, datetime.date(2025, 10, 15)), built.computed)
    )
    assert (earlier[2024].value, earlier[2024].to_date) == (5, False)
    assert (earlier[2025].source, earlier[2025].value) == (strategy.TARGET, 1000)


def test_each_counted_year_is_read_once_and_typed_rows_add_none(
    ward: Ward, django_assert_num_queries: Any
) -> None:
    built = build_sheet(ward)
    today = datetime.date(2025, 10, 15)
    # sheet's programmes, budgets, indicators, values, narratives + 4 counted years
    # (their monthly counts) + the days of October so far, from the records
    with tenancy.tenant_context(ward.municipality):
        sheet = StrategySheet.objects.get(pk=built.sheet.pk)
        with django_assert_num_queries(5 + 4 + 1):
            strategy.assemble(sheet, 2025, today)
        actor = ward.member(Role.COORDINATOR)
        for n in range(5):
            programme = services_strategy.strategy_programme_create(
                actor=actor, sheet=sheet, name=f"事業{n}", department="福祉政策課"
            )
            indicator = services_strategy.strategy_indicator_create(
                actor=actor, programme=programme, name=f"指標{n}", unit=Unit.TIMES
            )
            services_strategy.strategy_values_set(
                actor=actor,
                sheet=sheet,
                entries=[services_strategy.ValueEntry(indicator, 2024, n, n + 1)],
            )
        with django_assert_num_queries(5 + 4 + 1):
            strategy.assemble(sheet, 2025, today)


# --- Writes --------------------------------------------------------------------------


def test_a_counted_indicator_refuses_a_typed_actual_but_takes_targets(ward: Ward) -> None:
    built = build_sheet(ward)
    actor = ward.member(Role.MANAGER)
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(ValidationError) as refused:
            services_strategy.strategy_values_set(
                actor=actor,
                sheet=built.sheet,
                entries=[services_strategy.ValueEntry(built.computed, 2024, 99, None)],
            )
        assert "記録から集計" in refused.value.messages[0]
        changed = services_strategy.strategy_values_set(
            actor=actor,
            sheet=built.sheet,
            entries=[services_strategy.ValueEntry(built.computed, 2027, None, 2000)],
        )
        assert changed == 1
        assert IndicatorValue.objects.get(indicator=built.computed, fiscal_year=2027).target == 2000
        event = AuditEvent.objects.filter(object_id=str(built.sheet.pk), action="change").last()
        assert event is not None and event.detail["indicator_values"][0]["fiscal_year"] == 2027
        with pytest.raises(ValidationError):
            services_strategy.strategy_values_set(
                actor=actor,
                sheet=built.sheet,
                entries=[services_strategy.ValueEntry(built.entered, 2030, 1, None)],
            )


def test_an_indicator_option_must_suit_its_metric(ward: Ward) -> None:
    built = build_sheet(ward)
    actor = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(ValidationError) as wrong:
            services_strategy.strategy_indicator_create(
                actor=actor,
                programme=built.programme,
                name="連絡会の回数",
                unit=Unit.TIMES,
                metric=Metric.MEETINGS_HELD,
                option=NEW_INDIVIDUAL,
            )
        assert "会議の種類" in wrong.value.message_dict["option"][0]
        with pytest.raises(ValidationError):
            services_strategy.strategy_indicator_create(
                actor=actor,
                programme=built.programme,
                name="地域支援",
                unit=Unit.CASES,
                metric=Metric.ACTIVITIES,
                option="community:relationship:direct",
            )
        liaison = services_strategy.strategy_indicator_create(
            actor=actor,
            programme=built.programme,
            name="連絡会の回数",
            unit=Unit.TIMES,
            metric=Metric.MEETINGS_HELD,
            option="liaison",
            district=ward.districts[0],
        )
        # A district only narrows activity records: dropped for meetings.
        assert liaison.district is None and liaison.option == "liaison"
        # Turning it into a typed indicator clears what it counted.
        services_strategy.strategy_indicator_update(
            actor=actor, indicator=liaison, metric=Metric.ENTERED
        )
        liaison.refresh_from_db()
        assert (liaison.metric, liaison.option, liaison.is_computed) == (Metric.ENTERED, "", False)


def test_moving_rows_changes_the_order_on_the_sheet(ward: Ward) -> None:
    built = build_sheet(ward)
    actor = ward.member(Role.SYSADMIN)
    with tenancy.tenant_context(ward.municipality):
        services_strategy.strategy_programme_move(actor=actor, programme=built.other, offset=-1)
        services_strategy.strategy_indicator_move(actor=actor, indicator=built.entered, offset=1)
        # Moving the first one up does nothing.
        services_strategy.strategy_programme_move(actor=actor, programme=built.other, offset=-1)
    sheet = assembled(ward, built.sheet, 2025, datetime.date(2025, 10, 15))
    assert [b.programme.pk for b in sheet.programmes] == [built.other.pk, built.programme.pk]
    assert [r.indicator.pk for r in sheet.programmes[1].indicators] == [
        built.computed.pk,
        built.entered.pk,
    ]
    with tenancy.tenant_context(ward.municipality):
        services_strategy.strategy_indicator_archive(
            actor=actor, indicator=built.entered, reason="計画の見直し"
        )
    sheet = assembled(ward, built.sheet, 2025, datetime.date(2025, 10, 15))
    assert [r.indicator.pk for r in sheet.programmes[1].indicators] == [built.computed.pk]


def test_narratives_are_saved_with_a_version_and_a_stale_save_is_refused(ward: Ward) -> None:
    built = build_sheet(ward)
    coordinator, manager = ward.member(Role.COORDINATOR), ward.member(Role.MANAGER)
    results, society = NarrativeSection.RESULTS, NarrativeSection.SOCIETY
    with tenancy.tenant_context(ward.municipality):
        services_strategy.strategy_narratives_save(
            actor=coordinator,
            sheet=built.sheet,
            fiscal_year=2025,
            changes={results: ("居場所の立ち上げを支援した。", 0)},
        )
        # The manager's page still shows version 0 of 実績; their save changes
        # 社会の動き too — nothing of it is applied.
        with pytest.raises(services_strategy.NarrativeConflict) as conflict:
            services_strategy.strategy_narratives_save(
                actor=manager,
                sheet=built.sheet,
                fiscal_year=2025,
                changes={results: ("別の内容", 0), society: ("法改正があった。", 0)},
            )
        assert conflict.value.sections == [results]
        assert "他の職員が保存しました" in str(conflict.value)
        assert not SheetNarrative.objects.filter(section=society).exists()
        saved = SheetNarrative.objects.get(section=results)
        assert (saved.text, saved.version) == ("居場所の立ち上げを支援した。", 1)
        services_strategy.strategy_narratives_save(
            actor=manager,
            sheet=built.sheet,
            fiscal_year=2025,
            changes={results: ("別の内容", 1)},
        )
        saved.refresh_from_db()
        assert (saved.text, saved.version) == ("別の内容", 2)
        assert AuditEvent.objects.filter(
            object_type="reports.sheetnarrative", object_id=str(saved.pk), action="change"
        ).exists()


# --- Excel ---------------------------------------------------------------------------


def test_safe_text_neutralises_formulas() -> None:
    assert safe_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in ("+", "-", "@", "\t", "\r"):
        assert safe_text(f"{start}1") == f"'{start}1"
    assert safe_text("ひきこもり支援") == "ひきこもり支援"
    assert safe_text(None) == ""
    assert safe_text(12) == "12"
    # Characters a workbook cannot hold are dropped.
    assert safe_text("a\x00b\x0bc") == "abc"


def _book(ward: Ward, built: Built, today: datetime.date) -> Any:
    sheet = assembled(ward, built.sheet, 2025, today)
    with tenancy.tenant_context(ward.municipality):
        content = excel_strategy.workbook_bytes(sheet)
    return sheet, load_workbook(BytesIO(content)).active


def test_the_excel_file_holds_the_page_s_figures_and_layout(ward: Ward) -> None:
    built = build_sheet(ward)
    activities(ward, [datetime.date(2024, 5, 1)] * 7)
    actor = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        services_strategy.strategy_narratives_save(
            actor=actor,
            sheet=built.sheet,
            fiscal_year=2025,
            changes={NarrativeSection.NEXT: ("つなぐシートを広める。", 0)},
        )
    sheet, ws = _book(ward, built, datetime.date(2025, 10, 15))
    assert ws["A1"].value == "令和7年度進行管理　戦略点検シート"
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    rows = {row[0].value: row for row in ws.iter_rows() if row[0].value}
    assert rows["主要課題"][1].value == "包括的な支援体制の強化"
    heading = rows["主な取組実績"]
    assert [c.value for c in heading[2:8]] == [y.heading for y in sheet.years]
    counted = rows["個人支援の新規件数"]
    assert counted[4].value == 7 and counted[4].number_format == "#,##0"
    assert counted[7].value == 1002 and "目標" in counted[7].number_format
    assert counted[8].value.startswith("記録から集計")
    typed = rows["コーディネーターの配置"]
    assert [c.value for c in typed[2:6]] == [10, 11, 12, 13]
    assert typed[1].value == "人"
    budget = rows["小地域福祉活動の推進"]
    assert budget[8].value == 35394 and budget[8].number_format == "#,##0"
    below = ws.cell(row=budget[8].row + 1, column=9)
    assert below.value == 36059 and below.number_format == "(#,##0)"
    assert rows["ひきこもり総合対策"][8].value == "―"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "つなぐシートを広める。" in texts
    assert ws.column_dimensions["A"].width == 46


def test_the_excel_file_neutralises_typed_formulas(ward: Ward) -> None:
    built = build_sheet(ward)
    actor = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        services_strategy.strategy_indicator_update(
            actor=actor, indicator=built.entered, name='=HYPERLINK("http://evil","x")'
        )
        services_strategy.strategy_programme_update(
            actor=actor, programme=built.other, department="@SUM(1+1)"
        )
        services_strategy.strategy_narratives_save(
            actor=actor,
            sheet=built.sheet,
            fiscal_year=2025,
            changes={NarrativeSection.RESULTS: ("+cmd|' /C calc'!A0", 0)},
        )
    _sheet, ws = _book(ward, built, datetime.date(2025, 10, 15))
    texts = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for typed in ('=HYPERLINK("http://evil","x")', "@SUM(1+1)", "+cmd|' /C calc'!A0"):
        # Shown as typed, as a text cell with Excel's quote prefix.
        cell = texts[typed]
        assert cell.data_type == "s" and cell.quotePrefix
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


# --- The demo's sheet ----------------------------------------------------------------


def test_the_demo_sheet_is_loaded_once_with_the_seed_s_figures(db: None) -> None:
    from tsunagu.demo.strategy import load_demo_strategy
    from tsunagu.demo.ward import load_demo_ward

    municipality = load_demo_ward(code="999992", name="デモ区2")
    summary = load_demo_strategy(municipality)
    assert summary is not None and summary.programmes == 5 and summary.computed == 1
    assert load_demo_strategy(municipality) is None
    with tenancy.tenant_context(municipality):
        assert StrategySheet.objects.count() == 1
        sheet = strategy.assemble(StrategySheet.objects.get(), 2025, datetime.date(2025, 10, 15))
        blocks = {b.programme.name: b for b in sheet.programmes}
        hikikomori = blocks["ひきこもり総合対策"]
        assert (hikikomori.budget.actual, hikikomori.budget.initial) == (20097, 17387)
        assert hikikomori.programme.department == "生活福祉課"
        step = by_year(hikikomori.indicators[0])
        assert [step[fy].value for fy in (2022, 2023, 2024)] == [1326, 1564, 1587]
        assert step[2026].source == strategy.TARGET
        csw = next(
            r
            for r in blocks["小地域福祉活動の推進"].indicators
            if r.indicator.name.endswith("新規件数")
        )
        assert (csw.indicator.metric, csw.indicator.option) == (Metric.ACTIVITIES, NEW_INDIVIDUAL)
        assert csw.cells[0].source == strategy.RECORDS
        assert not IndicatorValue.objects.filter(
            indicator=csw.indicator, actual__isnull=False
        ).exists()
        assert SheetNarrative.objects.filter(fiscal_year__in=[2023, 2024, 2025]).count() == 12
        keeper = Staff.objects.get(username="demo-jimukyoku")
        assert StrategySheet.objects.get().created_by == keeper
