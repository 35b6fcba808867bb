"""API of the business report (seed 000): the figures of two periods, and the
records behind one figure.

Like the page: the figures are aggregates (managers read them); the records
behind a figure come through the policy, each with its basis, and a viewer
with no basis to that kind of record gets 404.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from tsunagu import policy
from tsunagu.api.errors import ERRORS, FormErrorsOut, invalid
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.reports import metrics
from tsunagu.reports.business import business_report
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import ReportRow

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
