"""The strategy check sheet (戦略点検シート, seed 001) as the page, the Excel
file and the API show it: read once, every cell worked out once.

A sheet is checked each fiscal year (its 進行管理年度). Against that year, an
indicator's column of a year shows:

- the actual, for the years up to the checked one: counted from the records
  (over that fiscal year, the year now running only to today, read from the
  monthly counts as the business report's rows: ``figures.Figures``) when
  the indicator names a metric, else the value staff typed;
- the target (目標), for the years after it.

The programme's 事業費 shown is that of the year before the checked one (the
last closed year), actual above and the initial budget below, in 千円.

Everything here is an aggregate or text: no personal data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from tsunagu.core import wareki
from tsunagu.reports import metrics
from tsunagu.reports.figures import Figures
from tsunagu.reports.models import (
    Indicator,
    IndicatorValue,
    NarrativeSection,
    ProgrammeBudget,
    SheetNarrative,
    StrategyProgramme,
    StrategySheet,
)

#: The initial of each era as the sheet heads its columns (R6(2024)).
ERA_INITIALS = {"明治": "M", "大正": "T", "昭和": "S", "平成": "H", "令和": "R"}

#: What a cell shows.
RECORDS = "records"  # the actual, counted from the records
ENTERED = "entered"  # the actual staff typed
TARGET = "target"  # the target of a year still ahead
NONE = "none"  # nothing to show

NOTHING = "―"


def year_heading(fiscal_year: int) -> str:
    """2024 → 「R6(2024)」, as the sheet heads its year columns."""
    label = wareki.fiscal_year_label(fiscal_year)  # 令和6年度
    era, year = label[:2], label[2:-2]
    return f"{ERA_INITIALS[era]}{1 if year == '元' else year}({fiscal_year})"


def management_label(fiscal_year: int) -> str:
    """2026 → 「令和8年度進行管理」."""
    return _("%(year)s進行管理") % {"year": wareki.fiscal_year_label(fiscal_year)}


def number(value: int | None) -> str:
    """1326 → 「1,326」; none → 「―」."""
    return NOTHING if value is None else f"{value:,}"


def thousand_yen(value: int | None) -> str:
    """20097 → 「20,097千円」; none → 「―」."""
    return NOTHING if value is None else _("%(amount)s千円") % {"amount": f"{value:,}"}


@dataclass(frozen=True)
class Year:
    fiscal_year: int
    heading: str  # R6(2024)
    label: str  # 令和6年度
    #: After the checked year (its cells show targets).
    ahead: bool


@dataclass(frozen=True)
class Cell:
    fiscal_year: int
    source: str
    actual: int | None = None
    target: int | None = None
    #: Counted over the part of the running year up to ``through``.
    to_date: bool = False
    through: datetime.date | None = None

    @property
    def value(self) -> int | None:
        """The figure the cell shows: the actual, or the target of a year ahead."""
        if self.source in (RECORDS, ENTERED):
            return self.actual
        if self.source == TARGET:
            return self.target
        return None

    @property
    def display(self) -> str:
        return number(self.value)

    @property
    def target_display(self) -> str:
        return number(self.target)

    @property
    def is_target(self) -> bool:
        return self.source == TARGET

    @property
    def computed(self) -> bool:
        return self.source == RECORDS


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    computed: bool
    #: What a computed indicator counts, in words (empty for an entered one).
    description: str
    cells: list[Cell]


@dataclass(frozen=True)
class Budget:
    fiscal_year: int
    actual: int | None
    initial: int | None

    @property
    def actual_display(self) -> str:
        return thousand_yen(self.actual)

    @property
    def initial_display(self) -> str:
        return thousand_yen(self.initial)


@dataclass(frozen=True)
class ProgrammeBlock:
    programme: StrategyProgramme
    #: 事業費 of the year before the checked one.
    budget: Budget
    #: Every year's 事業費 that was entered (the API answers them all).
    budgets: list[Budget]
    indicators: list[IndicatorRow]


@dataclass(frozen=True)
class Narrative:
    section: str
    label: str
    text: str
    version: int  # 0: not written yet


@dataclass(frozen=True)
class AssembledSheet:
    sheet: StrategySheet
    fiscal_year: int
    today: datetime.date
    years: list[Year]
    programmes: list[ProgrammeBlock]
    narratives: list[Narrative]
    budget_year: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "budget_year", self.fiscal_year - 1)

    @property
    def title(self) -> str:
        return management_label(self.fiscal_year)

    @property
    def fiscal_year_label(self) -> str:
        return wareki.fiscal_year_label(self.fiscal_year)

    @property
    def budget_year_label(self) -> str:
        return wareki.fiscal_year_label(self.budget_year)

    @property
    def has_narrative(self) -> bool:
        return any(n.text for n in self.narratives)


# --- Reads ---------------------------------------------------------------------------


def sheets() -> QuerySet[StrategySheet]:
    """The municipality's sheets in use (the caller has passed the policy)."""
    return StrategySheet.objects.filter(archived_at=None).order_by("id")


def sheet_or_none(pk: int | None) -> StrategySheet | None:
    """One sheet in use by its id, or the first one when no id is given."""
    found = sheets()
    if pk is not None:
        found = found.filter(pk=pk)
    return found.first()


def default_fiscal_year(sheet: StrategySheet, today: datetime.date) -> int:
    """The year now running, kept inside the sheet's plan period."""
    return min(max(wareki.fiscal_year_of(today), sheet.first_year), sheet.last_year)


def years_of(sheet: StrategySheet, fiscal_year: int) -> list[Year]:
    """The sheet's year columns, as seen from the check of ``fiscal_year``."""
    return [
        Year(fy, year_heading(fy), wareki.fiscal_year_label(fy), ahead=fy > fiscal_year)
        for fy in sheet.fiscal_years()
    ]


def programmes_of(sheet: StrategySheet) -> list[StrategyProgramme]:
    """The sheet's programmes in use with their budgets, indicators and values:
    four queries, however many rows."""
    indicators = Indicator.objects.filter(archived_at=None).select_related(
        "organization", "district"
    )
    return list(
        StrategyProgramme.objects.filter(sheet=sheet, archived_at=None)
        .order_by("sort_order", "id")
        .prefetch_related(
            Prefetch(
                "budgets",
                queryset=ProgrammeBudget.objects.filter(archived_at=None).order_by("fiscal_year"),
            ),
            Prefetch("indicators", queryset=indicators.order_by("sort_order", "id")),
            Prefetch(
                "indicators__values",
                queryset=IndicatorValue.objects.filter(archived_at=None).order_by("fiscal_year"),
            ),
        )
    )


def narratives_of(sheet: StrategySheet, fiscal_year: int) -> list[Narrative]:
    """The four sections of ``fiscal_year`` in their order (empty where unwritten)."""
    written = {
        n.section: n
        for n in SheetNarrative.objects.filter(
            sheet=sheet, fiscal_year=fiscal_year, archived_at=None
        )
    }
    return [
        Narrative(
            section=section.value,
            label=str(section.label),
            text=written[section.value].text if section.value in written else "",
            version=written[section.value].version if section.value in written else 0,
        )
        for section in NarrativeSection
    ]


def _cells(
    indicator: Indicator,
    years: list[Year],
    current: int,
    today: datetime.date,
    figures: dict[metrics.Period, Figures],
) -> list[Cell]:
    values = {v.fiscal_year: v for v in indicator.values.all()}
    cells = []
    for year in years:
        fy = year.fiscal_year
        typed = values.get(fy)
        target = typed.target if typed is not None else None
        if year.ahead or fy > current:
            cells.append(Cell(fy, TARGET if target is not None else NONE, target=target))
        elif indicator.is_computed:
            start, end = wareki.fiscal_year_range(fy)
            to_date = today < end
            period = metrics.Period(start, min(end, today))
            cells.append(
                Cell(
                    fy,
                    RECORDS,
                    actual=figures.setdefault(period, Figures(period)).figure(indicator),
                    target=target,
                    to_date=to_date,
                    through=period.end,
                )
            )
        else:
            actual = typed.actual if typed is not None else None
            cells.append(
                Cell(fy, ENTERED if actual is not None else NONE, actual=actual, target=target)
            )
    return cells


def assemble(sheet: StrategySheet, fiscal_year: int, today: datetime.date) -> AssembledSheet:
    """The sheet as checked in ``fiscal_year``: each cell counted or looked up once."""
    current = wareki.fiscal_year_of(today)
    years = years_of(sheet, fiscal_year)
    # One period's figures are read once for all the indicators (``Figures``).
    figures: dict[metrics.Period, Figures] = {}
    blocks = []
    for programme in programmes_of(sheet):
        budgets = [Budget(b.fiscal_year, b.actual, b.initial) for b in programme.budgets.all()]
        shown = next(
            (b for b in budgets if b.fiscal_year == fiscal_year - 1),
            Budget(fiscal_year - 1, None, None),
        )
        rows = [
            IndicatorRow(
                indicator=indicator,
                computed=indicator.is_computed,
                description=metrics.describe(indicator) if indicator.is_computed else "",
                cells=_cells(indicator, years, current, today, figures),
            )
            for indicator in programme.indicators.all()
        ]
        blocks.append(ProgrammeBlock(programme, shown, budgets, rows))
    return AssembledSheet(
        sheet=sheet,
        fiscal_year=fiscal_year,
        today=today,
        years=years,
        programmes=blocks,
        narratives=narratives_of(sheet, fiscal_year),
    )


def describe_cell(cell: Cell) -> str:
    """What a cell's figure is, in words (the page's title text, the Excel comment)."""
    if cell.source == RECORDS:
        if cell.to_date and cell.through is not None:
            return _("記録から集計（%(date)sまで）") % {"date": wareki.format_wareki(cell.through)}
        return _("記録から集計")
    if cell.source == ENTERED:
        return _("入力値")
    if cell.source == TARGET:
        return _("目標")
    return _("値なし")


def as_dict(assembled: AssembledSheet) -> dict[str, Any]:
    """The assembled sheet as the API answers it."""
    return {
        "id": assembled.sheet.pk,
        "title": assembled.sheet.title,
        "policy_area": assembled.sheet.policy_area,
        "vision": assembled.sheet.vision,
        "direction": assembled.sheet.direction,
        "fiscal_year": assembled.fiscal_year,
        "fiscal_year_label": assembled.fiscal_year_label,
        "management_label": assembled.title,
        "budget_year": assembled.budget_year,
        "years": [
            {
                "fiscal_year": y.fiscal_year,
                "heading": y.heading,
                "label": y.label,
                "ahead": y.ahead,
            }
            for y in assembled.years
        ],
        "programmes": [
            {
                "id": block.programme.pk,
                "name": block.programme.name,
                "department": block.programme.department,
                "role": block.programme.role,
                "budget": _budget_dict(block.budget),
                "budgets": [_budget_dict(b) for b in block.budgets],
                "indicators": [
                    {
                        "id": row.indicator.pk,
                        "name": row.indicator.name,
                        "unit": row.indicator.unit,
                        "metric": row.indicator.metric,
                        "computed": row.computed,
                        "description": row.description,
                        "cells": [
                            {
                                "fiscal_year": cell.fiscal_year,
                                "value": cell.value,
                                "actual": cell.actual,
                                "target": cell.target,
                                "source": cell.source,
                                "to_date": cell.to_date,
                                "through": cell.through,
                            }
                            for cell in row.cells
                        ],
                    }
                    for row in block.indicators
                ],
            }
            for block in assembled.programmes
        ],
        "narratives": [
            {"section": n.section, "label": n.label, "text": n.text, "version": n.version}
            for n in assembled.narratives
        ],
    }


def _budget_dict(budget: Budget) -> dict[str, Any]:
    return {"fiscal_year": budget.fiscal_year, "actual": budget.actual, "initial": budget.initial}
