"""The business report's pages: the report (two columns, 和暦 headings), the
records behind one figure, its Excel export, and its row configuration.

The report is an aggregate (resource "aggregate": managers read it). A
drill-down shows the records behind a figure through the policy: only those
the viewer has a basis to see, each with that basis; a viewer with no basis
to that kind of record at all (a manager) is answered "not found", as for
any record they may not see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import range_error
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import format_wareki, format_wareki_month
from tsunagu.reports import metrics, services_business
from tsunagu.reports.business import business_report, column_heading
from tsunagu.reports.excel import XLSX_CONTENT_TYPE
from tsunagu.reports.excel_business import business_workbook
from tsunagu.reports.forms_business import ColumnsForm, ReportRowForm
from tsunagu.reports.layout import report_layout_install
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, ReportRow, ReportTable


def _columns(request: StaffRequest) -> tuple[ColumnsForm, tuple[Period, Period]]:
    form = ColumnsForm(request.GET or None, today=timezone.localdate())
    return form, form.periods()


def _may_drill(request: StaffRequest, metric: str) -> bool:
    resource = metrics.RESOURCE.get(metric)
    return resource is not None and bool(policy.decide(request.user, policy.Action.LIST, resource))


@policy.route("aggregate", policy.Action.VIEW)
def business(request: StaffRequest) -> HttpResponse:
    form, periods = _columns(request)
    report = business_report(periods)
    drill_metrics = {metric for metric in metrics.RESOURCE if _may_drill(request, metric)}
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="reports.businessreport",
        detail={"periods": [[p.start.isoformat(), p.end.isoformat()] for p in periods]},
    )
    return render(
        request,
        "reports/business.html",
        {
            "form": form,
            "report": report,
            "periods": periods,
            "drill_metrics": drill_metrics,
            "query": urlencode(
                {
                    "start1": periods[0].start.isoformat(),
                    "end1": periods[0].end.isoformat(),
                    "start2": periods[1].start.isoformat(),
                    "end2": periods[1].end.isoformat(),
                }
            ),
            "excel_query": request.GET.urlencode(),
            "may_configure": policy.decide(
                request.user, policy.Action.CHANGE, "report_configuration"
            ),
        },
    )


@policy.route("aggregate", policy.Action.EXPORT)
def business_excel(request: StaffRequest) -> HttpResponse:
    _form, periods = _columns(request)
    report = business_report(periods)
    municipality = request.user.municipality
    content = business_workbook(report, municipality_name=municipality.name)
    audit_record(
        AuditAction.EXPORT,
        actor=request.user,
        object_type="reports.businessreport",
        detail={
            "format": "xlsx",
            "periods": [[p.start.isoformat(), p.end.isoformat()] for p in periods],
        },
    )
    first, second = periods
    filename = f"business-report-{first.start:%Y%m}-{second.end:%Y%m}.xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@dataclass
class Entry:
    """One record behind a figure, as the drill-down lists it."""

    on: str
    organization: str
    text: str
    url: str
    basis: str


def _period_from(request: StaffRequest, column: int) -> Period:
    try:
        start = datetime.date.fromisoformat(request.GET.get(f"start{column}", ""))
        end = datetime.date.fromisoformat(request.GET.get(f"end{column}", ""))
    except ValueError:
        raise Http404 from None
    if end < start or (end - start).days > 366 * 2 or range_error(start) or range_error(end):
        raise Http404
    return Period(start, end)


def _entries(resource: str, records: list[Any], bases: dict[int, policy.Basis]) -> list[Entry]:
    def basis(obj: Any) -> str:
        found = bases.get(obj.pk)
        return str(found.label) if found else ""

    entries = []
    for obj in records:
        if resource == "consultation":
            entries.append(Entry(
                format_wareki(timezone.localdate(obj.received_at)), obj.organization.name,
                f"{obj.number} {obj.get_main_topic_display()}",
                reverse("consultations:detail", args=[obj.pk]), basis(obj),
            ))  # fmt: skip
        elif resource == "meeting":
            entries.append(Entry(
                format_wareki(obj.held_on), obj.organization.name, obj.title,
                reverse("meetings:detail", args=[obj.pk]), basis(obj),
            ))  # fmt: skip
        elif resource == "outreach_contact":
            entries.append(Entry(
                format_wareki(timezone.localdate(obj.occurred_at)), obj.organization.name,
                f"{obj.get_method_display()}・{obj.get_result_display()}",
                reverse("outreach:household", args=[obj.household_id]), basis(obj),
            ))  # fmt: skip
        elif resource == "participation":
            entries.append(Entry(
                format_wareki(obj.proposed_on), obj.organization.name,
                f"{obj.resource.name}（{obj.get_stage_display()}）",
                reverse("participation:detail", args=[obj.pk]), basis(obj),
            ))  # fmt: skip
        elif resource == "activity_record":
            entries.append(Entry(
                format_wareki(obj.occurred_on), obj.organization.name,
                f"{obj.label}・{obj.district.name}：{obj.intent}", "", basis(obj),
            ))  # fmt: skip
        else:
            entries.append(Entry(
                format_wareki_month(obj.month.year, obj.month.month), obj.organization.name,
                _("%(item)s %(count)s") % {"item": obj.item, "count": f"{obj.count:,}"}, "",
                str(policy.Basis.MUNICIPALITY_STAFF.label),
            ))  # fmt: skip
    return entries


_RELATED = {
    "consultation": ("organization",),
    "meeting": ("organization",),
    "outreach_contact": ("organization",),
    "participation": ("organization", "resource"),
    "activity_record": ("organization", "district"),
    "counted_entry": ("organization",),
}


@policy.route("aggregate", policy.Action.VIEW)
def business_drill_down(request: StaffRequest, pk: int, column: int) -> HttpResponse:
    row = ReportRow.objects.filter(pk=pk, archived_at=None).select_related("table").first()
    if row is None or column not in (1, 2):
        raise Http404
    period = _period_from(request, column)
    resource = metrics.RESOURCE.get(row.metric)
    if resource is None or not _may_drill(request, row.metric):
        # Aggregates only (a manager), or a figure typed in: no records to show.
        if resource is not None:
            policy.audit_denial(request.user, policy.Action.LIST, resource, f"report-row-{pk}")
        raise Http404
    found = metrics.drill_down(request.user, row, period)
    assert found is not None
    _resource, records = found
    figure = metrics.figure(row, period)
    ordered = records.select_related(*_RELATED[resource]).order_by("-pk")
    page = Paginator(ordered, 100).get_page(request.GET.get("page"))
    # Plan-based outreach counts households: compare like with like.
    visible_count = (
        records.values("household_id").distinct().count()
        if row.metric == Metric.PLAN_OUTREACH
        else page.paginator.count
    )
    shown = list(page.object_list)
    bases = policy.bases(request.user, resource, shown)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type=policy.RULES[resource].model()._meta.label_lower,  # type: ignore[union-attr]
        detail={"page": "business_drill_down", "row": row.pk, "shown": [o.pk for o in shown]},
    )
    return render(
        request,
        "reports/business_drill_down.html",
        {
            "row": row,
            "period": period,
            "heading": column_heading(period, row.table),
            "figure": figure,
            "visible_count": visible_count,
            "unit": _("世帯") if row.metric == Metric.PLAN_OUTREACH else _("件"),
            "description": metrics.describe(row),
            "page": page,
            "entries": _entries(resource, shown, bases),
            "back": request.GET.get("back", ""),
            "query": request.GET.copy(),
        },
    )


@policy.route("report_configuration", policy.Action.CHANGE)
def business_layout(request: StaffRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("install") == "seed_000":
        try:
            report_layout_install(actor=request.user)
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("事業報告の様式（標準）を設定しました。"))
        return redirect("reports:business_layout")
    tables = list(
        ReportTable.objects.filter(archived_at=None).prefetch_related(
            "rows__organization", "rows__district"
        )
    )
    for table in tables:
        table.active_rows = [  # type: ignore[attr-defined]
            (row, metrics.describe(row)) for row in table.rows.all() if row.archived_at is None
        ]
    return render(request, "reports/business_layout.html", {"tables": tables})


@policy.route("report_configuration", policy.Action.CHANGE)
def business_row_edit(request: StaffRequest, pk: int) -> HttpResponse:
    row = ReportRow.objects.filter(pk=pk, archived_at=None).select_related("table").first()
    if row is None:
        raise Http404
    form = ReportRowForm(request.POST or None, instance=row)
    if request.method == "POST":
        if request.POST.get("archive"):
            services_business.report_row_archive(
                actor=request.user, row=row, reason=_("様式の変更で削除")
            )
            messages.success(request, _("行「%(label)s」を報告から外しました。") % {"label": row})
            return redirect("reports:business_layout")
        if form.is_valid():
            services_business.report_row_update(actor=request.user, row=form.save(commit=False))
            messages.success(request, _("行を保存しました。"))
            return redirect("reports:business_layout")
    return render(
        request, "reports/business_row_form.html", {"form": form, "row": row, "table": row.table}
    )


@policy.route("report_configuration", policy.Action.CREATE)
def business_row_create(request: StaffRequest, table_pk: int) -> HttpResponse:
    table = ReportTable.objects.filter(pk=table_pk, archived_at=None).first()
    if table is None:
        raise Http404
    form = ReportRowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services_business.report_row_create(
            actor=request.user, table=table, row=form.save(commit=False)
        )
        messages.success(request, _("行を追加しました。"))
        return redirect("reports:business_layout")
    return render(request, "reports/business_row_form.html", {"form": form, "table": table})
