"""API of the business report (seed 000): the figures of two periods, and the
records behind one figure.

Like the page: the figures are aggregates (managers read them); the records
behind a figure come through the policy, each with its basis, and a viewer
with no basis to that kind of record gets 404.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from tsunagu import policy
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import District, Organization
from tsunagu.reports import metrics, services_business
from tsunagu.reports.business import business_report
from tsunagu.reports.layout import report_layout_install
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, ReportRow, ReportTable

router: Router = Router(tags=["事業報告"])


class PeriodOut(Schema):
    start: date
    end: date
    label: str


class RowOut(Schema):
    id: int
    label: str
    metric: str
    description: str
    rule: str
    values: list[int | None]
    note: str


class TableOut(Schema):
    id: int
    heading: str
    title: str
    note: str
    columns: list[str]
    rows: list[RowOut]


class SectionOut(Schema):
    number: int
    title: str
    tables: list[TableOut]


class BusinessReportOut(Schema):
    periods: list[PeriodOut]
    sections: list[SectionOut]


class RecordOut(Schema):
    id: int
    resource: str
    basis: str


class DrillDownOut(Schema):
    row_id: int
    period: PeriodOut
    figure: int
    #: The kind of record behind the figure; several, comma-separated, for a
    #: figure that adds kinds together (each record names its own).
    resource: str
    records: list[RecordOut]


def _periods(
    start1: date | None, end1: date | None, start2: date | None, end2: date | None
) -> tuple[Period, Period] | dict[str, list[str]]:
    """The two columns asked for (the defaults when none), or the errors."""
    given = [start1, end1, start2, end2]
    if all(value is None for value in given):
        return metrics.default_periods(timezone.localdate())
    if start1 is None or end1 is None or start2 is None or end2 is None:
        return {"start1": ["期間は start1・end1・start2・end2 をすべて指定してください。"]}
    if end1 < start1 or end2 < start2:
        return {"end1": ["期間の終わりが始まりより前です。"]}
    return Period(start1, end1), Period(start2, end2)


def _period_out(period: Period) -> dict[str, Any]:
    return {"start": period.start, "end": period.end, "label": period.label}


@router.get(
    "/reports/business",
    response={200: BusinessReportOut, 422: FormErrorsOut, **ERRORS},
    summary="事業報告（2つの期間の件数）",
    description="設定された表と行ごとに、2つの期間の件数を記録から数えて返します。"
    "期間を省くと前年度と今年度（前月まで）です。入力値の行は null です。",
)
@policy.route("aggregate", policy.Action.VIEW)
def business_report_get(
    request: StaffRequest,
    start1: Day | None = None,
    end1: Day | None = None,
    start2: Day | None = None,
    end2: Day | None = None,
) -> Any:
    periods = _periods(start1, end1, start2, end2)
    if isinstance(periods, dict):
        return invalid(periods)
    report = business_report(periods)
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="reports.businessreport",
        detail={
            "api": True,
            "periods": [[p.start.isoformat(), p.end.isoformat()] for p in periods],
        },
    )
    return {
        "periods": [_period_out(p) for p in periods],
        "sections": [
            {
                "number": section.number,
                "title": section.title,
                "tables": [
                    {
                        "id": table.table.pk,
                        "heading": table.table.heading,
                        "title": table.table.title,
                        "note": table.table.note,
                        "columns": table.headings,
                        "rows": [
                            {
                                "id": line.row.pk,
                                "label": line.row.label,
                                "metric": line.row.metric,
                                "description": metrics.describe(line.row),
                                "rule": line.rule,
                                "values": line.values,
                                "note": line.row.cell_note,
                            }
                            for line in table.rows
                        ],
                    }
                    for table in section.tables
                ],
            }
            for section in report.sections
        ],
    }


@router.get(
    "/reports/business/rows/{row_id}/records",
    response={200: DrillDownOut, 422: FormErrorsOut, **ERRORS},
    summary="集計の内訳（閲覧できる記録）",
    description="行の件数のもとになった記録のうち、閲覧の根拠があるものの ID と根拠を返します"
    "（期間を省くと前年度）。"
    "その種類の記録を見る根拠がない職員（管理職など）には 404 を返します。",
)
@policy.route("aggregate", policy.Action.VIEW)
def business_row_records(
    request: StaffRequest, row_id: int, start: Day | None = None, end: Day | None = None
) -> Any:
    row = (
        ReportRow.objects.filter(pk=row_id, archived_at=None)
        .select_related("organization", "district")
        .first()
    )
    if row is None:
        raise Http404
    if start is None or end is None:
        last_year = metrics.default_periods(timezone.localdate())[0]
        start, end = start or last_year.start, end or last_year.end
    if end < start:
        return invalid({"end": ["期間の終わりが始まりより前です。"]})
    resources = metrics.resources(row)
    if not any(policy.decide(request.user, policy.Action.LIST, r) for r in resources):
        for resource in resources:
            policy.audit_denial(request.user, policy.Action.LIST, resource, f"report-row-{row_id}")
        raise Http404
    period = Period(start, end)
    parts = metrics.drill_down(request.user, row, period)
    assert parts is not None
    default = str(policy.Basis.MUNICIPALITY_STAFF.label)
    out: list[dict[str, Any]] = []
    left = 1000
    for resource, found in parts:
        records = (
            list(found.select_related(*metrics.RELATED[resource]).order_by("-pk")[:left])
            if left
            else []
        )
        left -= len(records)
        bases = policy.bases(request.user, resource, records)
        model = policy.RULES[resource].model()
        assert model is not None
        audit_record(
            AuditAction.LIST,
            actor=request.user,
            object_type=model._meta.label_lower,
            detail={
                "api": "business_row_records",
                "row": row.pk,
                "shown": [r.pk for r in records],
            },
        )
        out += [
            {
                "id": record.pk,
                "resource": resource,
                "basis": str(bases[record.pk].label) if record.pk in bases else default,
            }
            for record in records
        ]
    return {
        "row_id": row.pk,
        "period": _period_out(period),
        "figure": metrics.figure(row, period) or 0,
        "resource": ",".join(resources),
        "records": out,
    }


# --- The report's layout (as the pages under reports/business/layout/) ---------------


class ReportRowIn(Schema):
    #: 行の名前 (empty: the organization's or district's name is shown).
    label: str = Field("", max_length=80)
    metric: Metric
    #: Count only this organization's records (all when null; required for
    #: consultations and received).
    organization_id: int | None = None
    include_branches: bool = False
    #: Count only this district's records.
    district_id: int | None = None
    #: The meeting kind or the activity category and kind; for counted entries, and
    #: the counted entry added to consultations or received, the item's name.
    option: str = Field("", max_length=60)
    #: 数値の注記, e.g. 「*委託事業件数と合算」.
    cell_note: str = Field("", max_length=60)
    sort_order: int = Field(0, ge=0, le=32767)


class ReportRowSavedOut(Schema):
    id: int
    table_id: int
    label: str
    metric: str
    #: What the row counts, in words.
    description: str
    organization_id: int | None
    include_branches: bool
    district_id: int | None
    option: str
    cell_note: str
    sort_order: int
    archived_at: datetime | None
    archive_reason: str


class ReportRowArchiveIn(Schema):
    #: Why the row leaves the report (the page's words when not given).
    reason: str = Field("", max_length=200)


class ReportLayoutInstalledOut(Schema):
    #: How many rows the layout set up.
    rows: int


#: The payload's names of the model's fields, in the errors.
ROW_RENAMED = {"organization": "organization_id", "district": "district_id"}
#: What the page records as the reason when a row is taken out.
ROW_ARCHIVE_REASON = "様式の変更で削除"


def _row_out(row: ReportRow) -> dict[str, Any]:
    return {
        "id": row.pk,
        "table_id": row.table_id,
        "label": row.label,
        "metric": row.metric,
        "description": metrics.describe(row),
        "organization_id": row.organization_id,
        "include_branches": row.include_branches,
        "district_id": row.district_id,
        "option": row.option,
        "cell_note": row.cell_note,
        "sort_order": row.sort_order,
        "archived_at": row.archived_at,
        "archive_reason": row.archive_reason,
    }


def _row_fields(row: ReportRow, payload: ReportRowIn) -> dict[str, list[str]]:
    """Set the payload on ``row``, the organization and district looked up among
    the municipality's (as the page's choices); the errors by field."""
    errors: dict[str, list[str]] = {}
    organization = None
    if payload.organization_id is not None:
        organization = Organization.objects.filter(
            pk=payload.organization_id, archived_at=None
        ).first()
        if organization is None:
            errors["organization_id"] = ["指定された機関が見つかりません。"]
    district = None
    if payload.district_id is not None:
        district = District.objects.filter(pk=payload.district_id).first()
        if district is None:
            errors["district_id"] = ["指定された地区（圏域）が見つかりません。"]
    row.label = payload.label
    row.metric = payload.metric
    row.organization = organization
    row.include_branches = payload.include_branches
    row.district = district
    row.option = payload.option
    row.cell_note = payload.cell_note
    row.sort_order = payload.sort_order
    return errors


def _layout_row(row_id: int) -> ReportRow:
    row = ReportRow.objects.filter(pk=row_id, archived_at=None).select_related("table").first()
    if row is None:
        raise Http404
    return row


@router.post(
    "/reports/business/layout/install",
    response={201: ReportLayoutInstalledOut, 409: ErrorOut, **ERRORS},
    summary="事業報告の様式（標準）の設定",
    description="標準の様式（事業ごとの表と行）を設定します。"
    "すでに様式が設定されていれば 409 で、何も変えません。",
)
@policy.route("report_configuration", policy.Action.CHANGE)
def business_layout_install(request: StaffRequest) -> Any:
    try:
        rows = report_layout_install(actor=request.user)
    except ValueError as error:
        return Status(409, {"detail": str(error)})
    return Status(201, {"rows": rows})


@router.post(
    "/reports/business/tables/{table_id}/rows",
    response={201: ReportRowSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="事業報告の表への行の追加",
    description="表に、数え方を指定した行を加えます。相談受付件数・届いた相談の件数は受付機関"
    "（organization_id）が必要です。件数入力の合計では option に項目名を入れます。",
)
@policy.route("report_configuration", policy.Action.CREATE)
def business_row_create(request: StaffRequest, table_id: int, payload: ReportRowIn) -> Any:
    table = ReportTable.objects.filter(pk=table_id, archived_at=None).first()
    if table is None:
        raise Http404
    row = ReportRow()
    errors = _row_fields(row, payload)
    if errors:
        return invalid(errors)
    try:
        services_business.report_row_create(actor=request.user, table=table, row=row)
    except DjangoValidationError as error:
        return invalid(field_errors(error, ROW_RENAMED))
    return Status(201, _row_out(row))


@router.put(
    "/reports/business/rows/{row_id}",
    response={200: ReportRowSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="事業報告の行の変更",
    description="行の名前・数え方・注記・表示順を保存します（項目は行の追加と同じです）。",
)
@policy.route("report_configuration", policy.Action.CHANGE)
def business_row_update(request: StaffRequest, row_id: int, payload: ReportRowIn) -> Any:
    row = _layout_row(row_id)
    errors = _row_fields(row, payload)
    if errors:
        return invalid(errors)
    try:
        services_business.report_row_update(actor=request.user, row=row)
    except DjangoValidationError as error:
        return invalid(field_errors(error, ROW_RENAMED))
    return _row_out(row)


@router.post(
    "/reports/business/rows/{row_id}/archive",
    response={200: ReportRowSavedOut, 422: FormErrorsOut, **ERRORS},
    summary="事業報告の行を外す",
    description="行を報告から外します（理由とともに残ります。理由を省くと「様式の変更で削除」）。",
)
@policy.route("report_configuration", policy.Action.CHANGE)
def business_row_archive(request: StaffRequest, row_id: int, payload: ReportRowArchiveIn) -> Any:
    row = _layout_row(row_id)
    services_business.report_row_archive(
        actor=request.user, row=row, reason=payload.reason.strip() or ROW_ARCHIVE_REASON
    )
    return _row_out(row)
