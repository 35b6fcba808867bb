"""API of the strategy check sheet (戦略点検シート, seed 001): the sheets, one
sheet as checked in a fiscal year (programmes, budgets, indicators with each
year's figure and where it comes from), and writing one narrative section
with its version.

As the pages: every staff member but a guest reads (an aggregate: no personal
data), the coordinating section, managers and the system administrator
write; reads of a sheet and every write are audited.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from tsunagu import policy
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.http import StaffRequest
from tsunagu.reports import services_strategy, strategy
from tsunagu.reports.models import NarrativeSection, StrategySheet

RESOURCE = "report_configuration"
OBJECT_TYPE = "reports.strategysheet"


# --- Schemas -------------------------------------------------------------------------


class SheetSummaryOut(Schema):
    id: int
    title: str
    policy_area: str
    first_year: int
    last_year: int


class YearOut(Schema):
    fiscal_year: int
    #: 「R6(2024)」, as the sheet heads its columns.
    heading: str
    #: 「令和6年度」.
    label: str
    #: After the checked year: the cell shows the target.
    ahead: bool


class CellOut(Schema):
    fiscal_year: int
    #: The figure shown: the actual (counted or typed), or the target of a year ahead.
    value: int | None
    actual: int | None
    target: int | None
    #: records (counted from the records), entered (typed), target, none.
    source: str
    #: Counted over the running year up to ``through`` only.
    to_date: bool
    through: date | None


class IndicatorOut(Schema):
    id: int
    name: str
    unit: str
    metric: str
    computed: bool
    #: What a computed indicator counts, in words.
    description: str
    cells: list[CellOut]


class BudgetOut(Schema):
    fiscal_year: int
    #: 実績, in 千円.
    actual: int | None
    #: 当初予算, in 千円.
    initial: int | None


class ProgrammeOut(Schema):
    id: int
    name: str
    department: str
    role: str
    #: 事業費 of the year before the checked one (what the sheet shows).
    budget: BudgetOut
    budgets: list[BudgetOut]
    indicators: list[IndicatorOut]


class NarrativeOut(Schema):
    section: str
    label: str
    text: str
    #: Send it back when writing the section (0: not written yet).
    version: int


class SheetOut(Schema):
    id: int
    title: str
    policy_area: str
    vision: str
    direction: str
    fiscal_year: int
    fiscal_year_label: str
    management_label: str
    budget_year: int
    years: list[YearOut]
    programmes: list[ProgrammeOut]
    narratives: list[NarrativeOut]


class NarrativeIn(Schema):
    text: str = Field("", max_length=4000)
    #: The version read with the section (0 when it was not written yet).
    version: int = Field(..., ge=0)


# --- Helpers -------------------------------------------------------------------------


def _sheet(request: StaffRequest, sheet_id: int, action: policy.Action) -> StrategySheet:
    sheet = strategy.sheets().filter(pk=sheet_id).first()
    if sheet is None:
        policy.audit_denial(request.user, action, RESOURCE, sheet_id)
        raise Http404
    return sheet


# --- Operations ----------------------------------------------------------------------

router: Router = Router(tags=["戦略点検シート"])


@router.get(
    "/strategy-sheets",
    response={200: list[SheetSummaryOut], **ERRORS},
    summary="戦略点検シートの一覧",
)
@policy.route(RESOURCE, policy.Action.LIST)
def strategy_sheet_list(request: StaffRequest) -> Any:
    sheets = list(strategy.sheets())
    audit_record(
        AuditAction.LIST,
        object_type=OBJECT_TYPE,
        detail={"via": "api", "shown": [s.pk for s in sheets]},
    )
    return sheets


@router.get(
    "/strategy-sheets/{sheet_id}",
    response={200: SheetOut, 422: FormErrorsOut, **ERRORS},
    summary="戦略点検シート（進行管理年度ごと）",
    description="fiscal_year（西暦の年度、省略時は今年度）の進行管理として、計画事業・事業費・"
    "指標の年度ごとの値を返します。source は records（記録から集計）、entered（入力値）、"
    "target（目標）、none（値なし）です。今年度の集計は今日までです。",
)
@policy.route(RESOURCE, policy.Action.VIEW)
def strategy_sheet_detail(
    request: StaffRequest, sheet_id: int, fiscal_year: int | None = None
) -> Any:
    sheet = _sheet(request, sheet_id, policy.Action.VIEW)
    today = timezone.localdate()
    if fiscal_year is None:
        fiscal_year = strategy.default_fiscal_year(sheet, today)
    elif fiscal_year not in sheet.fiscal_years():
        return invalid(
            {
                "fiscal_year": [
                    f"計画期間（{sheet.first_year}〜{sheet.last_year}年度）の年度を指定してください。"
                ]
            }
        )
    assembled = strategy.assemble(sheet, fiscal_year, today)
    audit_record(
        AuditAction.VIEW,
        obj=sheet,
        detail={"via": "api", "fiscal_year": fiscal_year},
    )
    return strategy.as_dict(assembled)


@router.put(
    "/strategy-sheets/{sheet_id}/narratives/{fiscal_year}/{section}",
    response={200: NarrativeOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="点検シートの記述（1項目）の保存",
    description="section は results・society・findings・next。version には読んだときの値を"
    "送ります。その後に他の職員が保存していれば 409 で、何も保存しません。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_narrative_update(
    request: StaffRequest, sheet_id: int, fiscal_year: int, section: str, payload: NarrativeIn
) -> Any:
    sheet = _sheet(request, sheet_id, policy.Action.CHANGE)
    if section not in NarrativeSection.values:
        return invalid({"section": ["記述の項目が正しくありません。"]})
    try:
        services_strategy.strategy_narratives_save(
            actor=request.user,
            sheet=sheet,
            fiscal_year=fiscal_year,
            changes={section: (payload.text.replace("\r\n", "\n"), payload.version)},
        )
    except services_strategy.NarrativeConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return next(n for n in strategy.narratives_of(sheet, fiscal_year) if n.section == section)
