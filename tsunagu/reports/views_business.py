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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import range_error
from tsunagu.core.forms_base import add_service_errors
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


def _may_drill(request: StaffRequest, resources: tuple[str, ...]) -> bool:
    """Whether the viewer may list any of the kinds of record behind a figure."""
    return any(policy.decide(request.user, policy.Action.LIST, resource) for resource in resources)


@policy.route("aggregate", policy.Action.VIEW)
def business(request: StaffRequest) -> HttpResponse:
    form, periods = _columns(request)
    report = business_report(periods)
    may_list = {
        resource: bool(policy.decide(request.user, policy.Action.LIST, resource))
        for resource in {r for kinds in metrics.RESOURCES.values() for r in kinds}
    }
    drillable = {
        line.row.pk
        for line in report.rows()
        if any(may_list[resource] for resource in metrics.resources(line.row))
    }
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
            "drillable": drillable,
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
    kind: str = ""


def _period_from(request: StaffRequest, column: int) -> Period:
    try:
        start = datetime.date.fromisoformat(request.GET.get(f"start{column}", ""))
        end = datetime.date.fromisoformat(request.GET.get(f"end{column}", ""))
    except ValueError:
        raise Http404 from None
    if end < start or (end - start).days > 366 * 2 or range_error(start) or range_error(end):
        raise Http404
    return Period(start, end)


#: What each kind of record is called in the drill-down's 種類 column.
KIND_LABELS = {
    "consultation": _l("相談受付"),
    "referral": _l("つなぐシート"),
    "case": _l("多機関協働ケース"),
    "counted_entry": _l("件数入力"),
    "thread": _l("オンライン相談"),
}


def _entry(resource: str, obj: Any, basis: str) -> Entry:
    if resource == "consultation":
        return Entry(
            format_wareki(timezone.localdate(obj.received_at)), obj.organization.name,
            f"{obj.number} {obj.get_main_topic_display()}",
            reverse("consultations:detail", args=[obj.pk]), basis,
        )  # fmt: skip
    if resource == "referral":
        return Entry(
            format_wareki(timezone.localdate(obj.sent_at)), obj.to_organization.name,
            _("%(number)s %(sender)sから（%(status)s）")
            % {"number": obj.number, "sender": obj.from_organization.name, "status": obj.get_status_display()},
            reverse("referrals:detail", args=[obj.pk]), basis,
        )  # fmt: skip
    if resource == "case":
        return Entry(
            format_wareki(obj.opened_on), obj.organization.name,
            f"{obj.number} {obj.title}", reverse("cases:detail", args=[obj.pk]), basis,
        )  # fmt: skip
    if resource == "meeting":
        return Entry(
            format_wareki(obj.held_on), obj.organization.name, obj.title,
            reverse("meetings:detail", args=[obj.pk]), basis,
        )  # fmt: skip
    if resource == "outreach_contact":
        return Entry(
            format_wareki(timezone.localdate(obj.occurred_at)), obj.organization.name,
            f"{obj.get_method_display()}・{obj.get_result_display()}",
            reverse("outreach:household", args=[obj.household_id]), basis,
        )  # fmt: skip
    if resource == "participation":
        return Entry(
            format_wareki(obj.proposed_on), obj.organization.name,
            f"{obj.resource.name}（{obj.get_stage_display()}）",
            reverse("participation:detail", args=[obj.pk]), basis,
        )  # fmt: skip
    if resource == "consultation_event":
        return Entry(
            format_wareki(obj.held_on), obj.organization.name,
            f"{obj.get_kind_display()}・{obj.venue_label}",
            reverse("appointments:event_detail", args=[obj.pk]), basis,
        )  # fmt: skip
    if resource == "thread":
        return Entry(
            format_wareki(timezone.localdate(obj.opened_at)),
            obj.organization.name if obj.organization else _("未振り分け"),
            f"{obj.number} {obj.get_channel_display()}・{obj.get_language_display()}（{obj.get_status_display()}）",
            reverse("frontdoor:detail", args=[obj.pk]), basis,
        )  # fmt: skip
    if resource == "activity_record":
        return Entry(
            format_wareki(obj.occurred_on), obj.organization.name,
            f"{obj.label}・{obj.district.name}：{obj.intent}", "", basis,
        )  # fmt: skip
    return Entry(
        format_wareki_month(obj.month.year, obj.month.month), obj.organization.name,
        _("%(item)s %(count)s") % {"item": obj.item, "count": f"{obj.count:,}"}, "",
        str(policy.Basis.MUNICIPALITY_STAFF.label),
    )  # fmt: skip


def _entries(user: Any, shown: list[tuple[str, Any]], several: bool) -> list[Entry]:
    """The drill-down's lines, each with the basis it is shown under (one
    pass of the policy per kind of record)."""
    bases: dict[str, dict[int, policy.Basis]] = {}
    for resource in dict.fromkeys(resource for resource, _obj in shown):
        objects = [obj for kind, obj in shown if kind == resource]
        bases[resource] = policy.bases(user, resource, objects)
    entries = []
    for resource, obj in shown:
        found = bases[resource].get(obj.pk)
        entry = _entry(resource, obj, str(found.label) if found else "")
        if several:
            entry.kind = str(KIND_LABELS.get(resource, resource))
        entries.append(entry)
    return entries


class RecordChain(Sequence[tuple[str, Any]]):
    """The records behind a figure, kind after kind (each newest first), as
    one list a paginator can count and slice without loading it."""

    def __init__(self, parts: list[tuple[str, QuerySet[Any]]]) -> None:
        self.parts = [
            (resource, records.select_related(*metrics.RELATED[resource]).order_by("-pk"))
            for resource, records in parts
        ]
        self._counts: list[int] | None = None

    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [records.count() for _resource, records in self.parts]
        return self._counts

    def count(self, value: Any = None) -> int:  # type: ignore[override]
        """How many records in all (the paginator's question)."""
        return sum(self.counts())

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> tuple[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, Any] | list[tuple[str, Any]]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, len(self) if index.stop is None else index.stop
        window: list[tuple[str, Any]] = []
        offset = 0
        for (resource, records), count in zip(self.parts, self.counts(), strict=True):
            low, high = max(start - offset, 0), min(stop - offset, count)
            if low < high:
                window += [(resource, obj) for obj in records[low:high]]
            offset += count
        return window


@policy.route("aggregate", policy.Action.VIEW)
def business_drill_down(request: StaffRequest, pk: int, column: int) -> HttpResponse:
    row = (
        ReportRow.objects.filter(pk=pk, archived_at=None)
        .select_related("table", "organization", "district")
        .first()
    )
    if row is None or column not in (1, 2):
        raise Http404
    period = _period_from(request, column)
    resources = metrics.resources(row)
    if not resources or not _may_drill(request, resources):
        # Aggregates only (a manager), or a figure typed in: no records to show.
        for resource in resources:
            policy.audit_denial(request.user, policy.Action.LIST, resource, f"report-row-{pk}")
        raise Http404
    parts = metrics.drill_down(request.user, row, period)
    assert parts is not None
    several = len(resources) > 1
    counted = metrics.figure_parts(row, period) if several else []
    figure = sum(count for _resource, count in counted) if several else metrics.figure(row, period)
    chain = RecordChain(parts)
    page: Page[tuple[str, Any]] = Paginator(chain, 100).get_page(request.GET.get("page"))
    # What the listed records add up to, kind by kind: one each, or a counted
    # entry's count (a figure that adds the contractor's figure to records).
    listed = [
        metrics.amount(resource, records) if resource == "counted_entry" else count
        for (resource, records), count in zip(parts, chain.counts(), strict=True)
    ]
    # Plan-based outreach counts households: compare like with like.
    if row.metric == Metric.PLAN_OUTREACH:
        visible_count = parts[0][1].values("household_id").distinct().count()
    else:
        visible_count = sum(listed) if several else page.paginator.count
    shown: list[tuple[str, Any]] = list(page.object_list)
    for resource in resources:
        model = policy.RULES[resource].model()
        assert model is not None
        ids = [obj.pk for kind, obj in shown if kind == resource]
        audit_record(
            AuditAction.LIST,
            actor=request.user,
            object_type=model._meta.label_lower,
            detail={"page": "business_drill_down", "row": row.pk, "shown": ids},
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
            "rule": metrics.counting_rule(row),
            "page": page,
            "entries": _entries(request.user, shown, several),
            "several": several,
            # A figure adding kinds together: each kind's count and how many of them are listed.
            "breakdown": [
                (KIND_LABELS.get(resource, resource), count, shown_count)
                for (resource, count), shown_count in zip(counted, listed, strict=True)
            ]
            if several
            else [],
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
            try:
                services_business.report_row_update(actor=request.user, row=form.save(commit=False))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
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
        try:
            services_business.report_row_create(
                actor=request.user, table=table, row=form.save(commit=False)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("行を追加しました。"))
            return redirect("reports:business_layout")
    return render(request, "reports/business_row_form.html", {"form": form, "table": table})
