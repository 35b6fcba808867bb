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

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from tsunagu import policy
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import District, Organization
from tsunagu.reports import services_strategy, strategy
from tsunagu.reports.forms_strategy import LARGEST
from tsunagu.reports.models import (
    Indicator,
    Metric,
    NarrativeSection,
    StrategyProgramme,
    StrategySheet,
    Unit,
)

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
            changes={section: (payload.text, payload.version)},
        )
    except services_strategy.NarrativeConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return next(n for n in strategy.narratives_of(sheet, fiscal_year) if n.section == section)


# --- Setting the sheet up (as the pages under reports/strategy/) ---------------------


class StrategySheetIn(Schema):
    #: 主要課題.
    title: str = Field(..., max_length=120)
    #: 基本政策.
    policy_area: str = Field("", max_length=120)
    #: 4年後の目指す姿.
    vision: str = ""
    #: 計画期間の方向性.
    direction: str = ""
    #: The plan period's first and last fiscal year (西暦).
    first_year: int
    last_year: int


class StrategySheetHeaderOut(Schema):
    id: int
    title: str
    policy_area: str
    vision: str
    direction: str
    first_year: int
    last_year: int


class StrategyProgrammeIn(Schema):
    #: 事業名称.
    name: str = Field(..., max_length=120)
    #: 所管課 (several separated by 「・」).
    department: str = Field(..., max_length=120)
    #: 事業の持つ役割.
    role: str = ""


class StrategyProgrammeSavedOut(Schema):
    id: int
    sheet_id: int
    name: str
    department: str
    role: str
    sort_order: int
    archived_at: datetime | None
    archive_reason: str


class StrategyIndicatorIn(Schema):
    #: 指標（主な取組実績）.
    name: str = Field(..., max_length=120)
    unit: Unit
    #: entered: typed per year; any other: the actuals are counted from the records.
    metric: Metric = Metric.ENTERED
    #: Count only this organization's records (all when null).
    organization_id: int | None = None
    include_branches: bool = False
    #: Count only this district's records (activity records only).
    district_id: int | None = None
    #: The meeting kind (meetings held), the category and kind (activity records), or
    #: the counted entries' item (counted entries).
    option: str = Field("", max_length=60)


class StrategyIndicatorSavedOut(Schema):
    id: int
    programme_id: int
    name: str
    unit: str
    metric: str
    computed: bool
    organization_id: int | None
    include_branches: bool
    district_id: int | None
    option: str
    sort_order: int
    archived_at: datetime | None
    archive_reason: str


class StrategyMoveIn(Schema):
    direction: Literal["up", "down"]


class StrategyArchiveIn(Schema):
    reason: str = Field(..., max_length=200)


class StrategyValueIn(Schema):
    indicator_id: int
    fiscal_year: int
    #: 実績 (null: none; an indicator counted from records takes none).
    actual: int | None = Field(None, ge=0, le=LARGEST)
    #: 目標 (null: none).
    target: int | None = Field(None, ge=0, le=LARGEST)


class StrategyValuesIn(Schema):
    values: list[StrategyValueIn]


class StrategyBudgetIn(Schema):
    programme_id: int
    fiscal_year: int
    #: 実績, in 千円.
    actual: int | None = Field(None, ge=0, le=LARGEST)
    #: 当初予算, in 千円.
    initial: int | None = Field(None, ge=0, le=LARGEST)


class StrategyBudgetsIn(Schema):
    budgets: list[StrategyBudgetIn]


class StrategyGridSavedOut(Schema):
    #: How many cells changed (the unchanged ones are not written again).
    changed: int


#: The payload's names of the model's fields, in the errors.
INDICATOR_RENAMED = {"organization": "organization_id", "district": "district_id"}


def _row(request: StaffRequest, rows: QuerySet[Any], pk: int, action: policy.Action) -> Any:
    """One row of the sheet by its id (the current municipality's, in use), or
    404 with the refusal audited, as the pages do."""
    row = rows.filter(pk=pk).first()
    if row is None:
        policy.audit_denial(request.user, action, RESOURCE, pk)
        raise Http404
    return row


def _programme(request: StaffRequest, pk: int, action: policy.Action) -> StrategyProgramme:
    rows = StrategyProgramme.objects.filter(
        archived_at=None, sheet__archived_at=None
    ).select_related("sheet")
    programme: StrategyProgramme = _row(request, rows, pk, action)
    return programme


def _indicator(request: StaffRequest, pk: int, action: policy.Action) -> Indicator:
    rows = Indicator.objects.filter(
        archived_at=None, programme__archived_at=None, programme__sheet__archived_at=None
    ).select_related("programme__sheet")
    indicator: Indicator = _row(request, rows, pk, action)
    return indicator


def _indicator_fields(payload: StrategyIndicatorIn, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The service's fields of an indicator, the organization and district looked
    up among the municipality's in use (as the page's choices)."""
    organization = None
    if payload.organization_id is not None:
        organization = Organization.objects.filter(
            pk=payload.organization_id, archived_at=None
        ).first()
        if organization is None:
            errors["organization_id"] = ["指定された機関が見つかりません。"]
    district = None
    if payload.district_id is not None:
        district = District.objects.filter(pk=payload.district_id, archived_at=None).first()
        if district is None:
            errors["district_id"] = ["指定された地区（圏域）が見つかりません。"]
    return {
        "name": payload.name,
        "unit": payload.unit,
        "metric": payload.metric,
        "organization": organization,
        "include_branches": payload.include_branches,
        "district": district,
        "option": payload.option,
    }


def _indicator_out(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.pk,
        "programme_id": indicator.programme_id,
        "name": indicator.name,
        "unit": indicator.unit,
        "metric": indicator.metric,
        "computed": indicator.is_computed,
        "organization_id": indicator.organization_id,
        "include_branches": indicator.include_branches,
        "district_id": indicator.district_id,
        "option": indicator.option,
        "sort_order": indicator.sort_order,
        "archived_at": indicator.archived_at,
        "archive_reason": indicator.archive_reason,
    }


def _offset(payload: StrategyMoveIn) -> int:
    return -1 if payload.direction == "up" else 1


@router.post(
    "/strategy-sheets",
    response={201: StrategySheetHeaderOut, 422: FormErrorsOut, **ERRORS},
    summary="戦略点検シートの作成",
    description="主要課題ごとのシートを作ります。計画期間は最初と最後の年度（西暦、"
    f"{services_strategy.EARLIEST_YEAR}〜{services_strategy.LATEST_YEAR}年度）で、"
    f"{services_strategy.LONGEST_PERIOD}年度以内です。",
)
@policy.route(RESOURCE, policy.Action.CREATE)
def strategy_sheet_create(request: StaffRequest, payload: StrategySheetIn) -> Any:
    try:
        sheet = services_strategy.strategy_sheet_create(actor=request.user, **payload.dict())
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return Status(201, sheet)


@router.put(
    "/strategy-sheets/{sheet_id}",
    response={200: StrategySheetHeaderOut, 422: FormErrorsOut, **ERRORS},
    summary="戦略点検シートの見出しの変更",
    description="主要課題・基本政策・目指す姿・方向性・計画期間を保存します。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_sheet_update(request: StaffRequest, sheet_id: int, payload: StrategySheetIn) -> Any:
    sheet = _sheet(request, sheet_id, policy.Action.CHANGE)
    try:
        services_strategy.strategy_sheet_update(actor=request.user, sheet=sheet, **payload.dict())
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return sheet


@router.put(
    "/strategy-sheets/{sheet_id}/values",
    response={200: StrategyGridSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="指標の実績と目標の保存",
    description="送った指標と年度（西暦）ごとに、実績と目標を保存します（null は値なし）。"
    "送らなかったセルは変わりません。記録から集計する指標は目標だけを入力できます。"
    "一つでも誤りがあれば何も保存しません。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_values_set(request: StaffRequest, sheet_id: int, payload: StrategyValuesIn) -> Any:
    sheet = _sheet(request, sheet_id, policy.Action.CHANGE)
    # The indicators the page's grid shows: the sheet's in use.
    indicators = {i.pk: i for p in strategy.programmes_of(sheet) for i in p.indicators.all()}
    unknown = sorted({v.indicator_id for v in payload.values} - set(indicators))
    if unknown:
        return invalid({"values": [f"このシートの指標ではありません（ID {unknown}）。"]})
    entries = [
        services_strategy.ValueEntry(
            indicator=indicators[v.indicator_id],
            fiscal_year=v.fiscal_year,
            actual=v.actual,
            target=v.target,
        )
        for v in payload.values
    ]
    try:
        changed = services_strategy.strategy_values_set(
            actor=request.user, sheet=sheet, entries=entries
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, field="values"))
    return {"changed": changed}


@router.put(
    "/strategy-sheets/{sheet_id}/budgets",
    response={200: StrategyGridSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="計画事業の事業費の保存",
    description="送った計画事業と年度（西暦）ごとに、事業費の実績と当初予算（千円）を保存します"
    "（null は値なし）。送らなかったセルは変わりません。一つでも誤りがあれば何も保存しません。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_budgets_set(request: StaffRequest, sheet_id: int, payload: StrategyBudgetsIn) -> Any:
    sheet = _sheet(request, sheet_id, policy.Action.CHANGE)
    programmes = {p.pk: p for p in strategy.programmes_of(sheet)}
    unknown = sorted({b.programme_id for b in payload.budgets} - set(programmes))
    if unknown:
        return invalid({"budgets": [f"このシートの計画事業ではありません（ID {unknown}）。"]})
    entries = [
        services_strategy.BudgetEntry(
            programme=programmes[b.programme_id],
            fiscal_year=b.fiscal_year,
            actual=b.actual,
            initial=b.initial,
        )
        for b in payload.budgets
    ]
    try:
        changed = services_strategy.strategy_budgets_set(
            actor=request.user, sheet=sheet, entries=entries
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, field="budgets"))
    return {"changed": changed}


@router.post(
    "/strategy-sheets/{sheet_id}/programmes",
    response={201: StrategyProgrammeSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="計画事業の追加",
    description="シートに計画事業を加えます（最後に並びます）。",
)
@policy.route(RESOURCE, policy.Action.CREATE)
def strategy_programme_create(
    request: StaffRequest, sheet_id: int, payload: StrategyProgrammeIn
) -> Any:
    sheet = _sheet(request, sheet_id, policy.Action.CREATE)
    try:
        programme = services_strategy.strategy_programme_create(
            actor=request.user, sheet=sheet, **payload.dict()
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return Status(201, programme)


@router.put(
    "/strategy-programmes/{programme_id}",
    response={200: StrategyProgrammeSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="計画事業の変更",
    description="事業名称・所管課・事業の持つ役割を保存します。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_programme_update(
    request: StaffRequest, programme_id: int, payload: StrategyProgrammeIn
) -> Any:
    programme = _programme(request, programme_id, policy.Action.CHANGE)
    try:
        services_strategy.strategy_programme_update(
            actor=request.user, programme=programme, **payload.dict()
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return programme


@router.post(
    "/strategy-programmes/{programme_id}/move",
    response={200: StrategyProgrammeSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="計画事業の並べ替え",
    description="direction が up なら一つ上へ、down なら一つ下へ移します（端ではそのままです）。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_programme_move(
    request: StaffRequest, programme_id: int, payload: StrategyMoveIn
) -> Any:
    programme = _programme(request, programme_id, policy.Action.CHANGE)
    services_strategy.strategy_programme_move(
        actor=request.user, programme=programme, offset=_offset(payload)
    )
    programme.refresh_from_db()
    return programme


@router.post(
    "/strategy-programmes/{programme_id}/archive",
    response={200: StrategyProgrammeSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="計画事業のアーカイブ",
    description="計画事業をシートから外します。指標や事業費とともに、理由を添えて残ります。",
)
@policy.route(RESOURCE, policy.Action.ARCHIVE)
def strategy_programme_archive(
    request: StaffRequest, programme_id: int, payload: StrategyArchiveIn
) -> Any:
    programme = _programme(request, programme_id, policy.Action.ARCHIVE)
    try:
        services_strategy.strategy_programme_archive(
            actor=request.user, programme=programme, reason=payload.reason
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return programme


@router.post(
    "/strategy-programmes/{programme_id}/indicators",
    response={201: StrategyIndicatorSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="指標の追加",
    description="計画事業に指標（主な取組実績）を加えます（最後に並びます）。metric が entered "
    "以外なら実績は記録から集計します。option は、会議の開催件数では会議の種類、活動記録の件数"
    "では区分と種類、件数入力の合計では項目名です。",
)
@policy.route(RESOURCE, policy.Action.CREATE)
def strategy_indicator_create(
    request: StaffRequest, programme_id: int, payload: StrategyIndicatorIn
) -> Any:
    programme = _programme(request, programme_id, policy.Action.CREATE)
    errors: dict[str, list[str]] = {}
    fields = _indicator_fields(payload, errors)
    if errors:
        return invalid(errors)
    try:
        indicator = services_strategy.strategy_indicator_create(
            actor=request.user, programme=programme, **fields
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, INDICATOR_RENAMED))
    return Status(201, _indicator_out(indicator))


@router.put(
    "/strategy-indicators/{indicator_id}",
    response={200: StrategyIndicatorSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="指標の変更",
    description="指標の名前・単位・数え方を保存します（項目は指標の追加と同じです）。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_indicator_update(
    request: StaffRequest, indicator_id: int, payload: StrategyIndicatorIn
) -> Any:
    indicator = _indicator(request, indicator_id, policy.Action.CHANGE)
    errors: dict[str, list[str]] = {}
    fields = _indicator_fields(payload, errors)
    if errors:
        return invalid(errors)
    try:
        services_strategy.strategy_indicator_update(
            actor=request.user, indicator=indicator, **fields
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, INDICATOR_RENAMED))
    return _indicator_out(indicator)


@router.post(
    "/strategy-indicators/{indicator_id}/move",
    response={200: StrategyIndicatorSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="指標の並べ替え",
    description="計画事業の中で、direction が up なら一つ上へ、down なら一つ下へ移します"
    "（端ではそのままです）。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_indicator_move(
    request: StaffRequest, indicator_id: int, payload: StrategyMoveIn
) -> Any:
    indicator = _indicator(request, indicator_id, policy.Action.CHANGE)
    services_strategy.strategy_indicator_move(
        actor=request.user, indicator=indicator, offset=_offset(payload)
    )
    indicator.refresh_from_db()
    return _indicator_out(indicator)


@router.post(
    "/strategy-indicators/{indicator_id}/archive",
    response={200: StrategyIndicatorSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="指標のアーカイブ",
    description="指標をシートから外します。入力した値とともに、理由を添えて残ります。",
)
@policy.route(RESOURCE, policy.Action.ARCHIVE)
def strategy_indicator_archive(
    request: StaffRequest, indicator_id: int, payload: StrategyArchiveIn
) -> Any:
    indicator = _indicator(request, indicator_id, policy.Action.ARCHIVE)
    try:
        services_strategy.strategy_indicator_archive(
            actor=request.user, indicator=indicator, reason=payload.reason
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return _indicator_out(indicator)


class StrategyNarrativesIn(Schema):
    #: The sections to save, each with the version read (results, society, findings, next).
    sections: dict[str, NarrativeIn]


class StrategyNarrativeConflictOut(Schema):
    detail: str
    #: The sections someone else saved after they were read.
    sections: list[str]


@router.put(
    "/strategy-sheets/{sheet_id}/narratives/{fiscal_year}",
    response={
        200: list[NarrativeOut],
        409: StrategyNarrativeConflictOut,
        422: FormErrorsOut,
        **ERRORS,
    },
    summary="点検シートの記述（複数項目）の保存",
    description="画面と同じく、1年度の記述の複数の項目をまとめて保存します。sections の鍵は "
    "results・society・findings・next、値は本文と読んだときの version です。どれか一つでも"
    "その後に他の職員が保存していれば 409 で、その項目を返し、何も保存しません。"
    "答えはその年度の4項目です。",
)
@policy.route(RESOURCE, policy.Action.CHANGE)
def strategy_narratives_update(
    request: StaffRequest, sheet_id: int, fiscal_year: int, payload: StrategyNarrativesIn
) -> Any:
    sheet = _sheet(request, sheet_id, policy.Action.CHANGE)
    unknown = sorted(set(payload.sections) - set(NarrativeSection.values))
    if unknown:
        return invalid({"sections": [f"記述の項目が正しくありません（{', '.join(unknown)}）。"]})
    try:
        services_strategy.strategy_narratives_save(
            actor=request.user,
            sheet=sheet,
            fiscal_year=fiscal_year,
            changes={
                section: (given.text, given.version) for section, given in payload.sections.items()
            },
        )
    except services_strategy.NarrativeConflict as conflict:
        return Status(409, {"detail": str(conflict), "sections": conflict.sections})
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return strategy.narratives_of(sheet, fiscal_year)
