"""Pages of the strategy check sheet (戦略点検シート, seed 001): the sheet as
checked in one year, its Excel file, and the pages that set it up — header,
programmes and indicators, the grids of values and budgets, the narratives.

Everyone on the staff (not a guest) reads it; the coordinating section,
managers and the system administrator edit it (``report_configuration``).
It holds aggregates and text only, so the policy's role decision is the whole
check; the rows are the current municipality's through the tenant manager.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.reports import excel_strategy, services_strategy, strategy
from tsunagu.reports.excel import XLSX_CONTENT_TYPE
from tsunagu.reports.forms_strategy import (
    ArchiveForm,
    BudgetsForm,
    IndicatorForm,
    NarrativesForm,
    ProgrammeForm,
    StrategyChoiceForm,
    StrategySheetForm,
    ValuesForm,
)
from tsunagu.reports.models import Indicator, StrategyProgramme, StrategySheet

RESOURCE = "report_configuration"
OBJECT_TYPE = "reports.strategysheet"


def _found(request: StaffRequest, rows: QuerySet[Any], pk: int, action: policy.Action) -> Any:
    """One row of the sheet by its id (the current municipality's, in use), or
    404 with the refusal audited, as ``policy.get_or_404`` does."""
    row = rows.filter(pk=pk).first()
    if row is None:
        policy.audit_denial(request.user, action, RESOURCE, pk)
        raise Http404
    return row


def _sheet(request: StaffRequest, pk: int, action: policy.Action) -> StrategySheet:
    sheet: StrategySheet = _found(request, strategy.sheets(), pk, action)
    return sheet


def _programme(request: StaffRequest, pk: int, action: policy.Action) -> StrategyProgramme:
    rows = StrategyProgramme.objects.filter(
        archived_at=None, sheet__archived_at=None
    ).select_related("sheet")
    programme: StrategyProgramme = _found(request, rows, pk, action)
    return programme


def _indicator(request: StaffRequest, pk: int, action: policy.Action) -> Indicator:
    rows = Indicator.objects.filter(
        archived_at=None, programme__archived_at=None, programme__sheet__archived_at=None
    ).select_related("programme__sheet")
    indicator: Indicator = _found(request, rows, pk, action)
    return indicator


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _chosen(request: StaffRequest) -> tuple[StrategySheet | None, int, list[StrategySheet]]:
    """The sheet and 進行管理年度 asked for (?sheet=&year=), else the first sheet
    and the year now running."""
    all_sheets = list(strategy.sheets())
    wanted = _int(request.GET.get("sheet"))
    sheet = next((s for s in all_sheets if s.pk == wanted), all_sheets[0] if all_sheets else None)
    if sheet is None:
        return None, 0, []
    year = _int(request.GET.get("year"))
    if year not in sheet.fiscal_years():
        year = strategy.default_fiscal_year(sheet, timezone.localdate())
    return sheet, year, all_sheets


def _may_edit(request: StaffRequest) -> bool:
    return bool(policy.decide(request.user, policy.Action.CHANGE, RESOURCE))


@require_GET
@policy.route(RESOURCE, policy.Action.VIEW)
def sheet_page(request: StaffRequest) -> HttpResponse:
    sheet, year, all_sheets = _chosen(request)
    if sheet is None:
        return render(
            request,
            "reports/strategy.html",
            {"assembled": None, "may_edit": _may_edit(request)},
        )
    assembled = strategy.assemble(sheet, year, timezone.localdate())
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=sheet,
        detail={"page": "strategy", "fiscal_year": year},
    )
    form = StrategyChoiceForm(
        initial={"sheet": sheet.pk, "year": year}, sheets=all_sheets, sheet=sheet
    )
    return render(
        request,
        "reports/strategy.html",
        {
            "assembled": assembled,
            "form": form,
            "several_sheets": len(all_sheets) > 1,
            "may_edit": _may_edit(request),
            "excel_query": f"sheet={sheet.pk}&year={year}",
        },
    )


@require_GET
@policy.route(RESOURCE, policy.Action.EXPORT)
def sheet_excel(request: StaffRequest) -> HttpResponse:
    sheet, year, _sheets = _chosen(request)
    if sheet is None:
        raise Http404
    assembled = strategy.assemble(sheet, year, timezone.localdate())
    content = excel_strategy.workbook_bytes(assembled)
    name = excel_strategy.file_name(assembled)
    audit_record(
        AuditAction.EXPORT,
        actor=request.user,
        object_type=OBJECT_TYPE,
        object_id=str(sheet.pk),
        basis=policy.decide(request.user, policy.Action.EXPORT, RESOURCE).basis or "",
        detail={"format": "xlsx", "fiscal_year": year, "file": name},
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- Setting the sheet up ------------------------------------------------------------


def _back(sheet: StrategySheet) -> str:
    return reverse("reports:strategy_manage", args=[sheet.pk])


def _form_page(request: StaffRequest, form: Any, **context: Any) -> HttpResponse:
    return render(request, "reports/strategy_form.html", {"form": form, **context})


@policy.route(RESOURCE, policy.Action.CREATE)
def sheet_create(request: StaffRequest) -> HttpResponse:
    form = StrategySheetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services_strategy.strategy_sheet_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("戦略点検シートを作りました。"))
            return redirect(_back(sheet))
    return _form_page(
        request, form, title=_("戦略点検シートを作る"), cancel=reverse("reports:strategy")
    )


@policy.route(RESOURCE, policy.Action.CHANGE)
def sheet_update(request: StaffRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk, policy.Action.CHANGE)
    form = StrategySheetForm(request.POST or None, initial=StrategySheetForm.initial_of(sheet))
    if request.method == "POST" and form.is_valid():
        try:
            services_strategy.strategy_sheet_update(
                actor=request.user, sheet=sheet, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("シートの見出しを保存しました。"))
            return redirect(_back(sheet))
    return _form_page(request, form, title=_("シートの見出し"), sheet=sheet, cancel=_back(sheet))


@policy.route(RESOURCE, policy.Action.CHANGE)
def sheet_manage(request: StaffRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk, policy.Action.CHANGE)
    programmes = strategy.programmes_of(sheet)
    return render(
        request,
        "reports/strategy_manage.html",
        {
            "sheet": sheet,
            "programmes": programmes,
            "years": [(fy, strategy.management_label(fy)) for fy in sheet.fiscal_years()],
            "current_year": strategy.default_fiscal_year(sheet, timezone.localdate()),
        },
    )


@policy.route(RESOURCE, policy.Action.CREATE)
def programme_create(request: StaffRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk, policy.Action.CREATE)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_strategy.strategy_programme_create(
                actor=request.user, sheet=sheet, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("計画事業を加えました。"))
            return redirect(_back(sheet))
    return _form_page(request, form, title=_("計画事業を加える"), sheet=sheet, cancel=_back(sheet))


@policy.route(RESOURCE, policy.Action.CHANGE)
def programme_update(request: StaffRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, policy.Action.CHANGE)
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_of(programme))
    if request.method == "POST" and form.is_valid():
        try:
            services_strategy.strategy_programme_update(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("「%(name)s」を保存しました。") % {"name": programme.name})
            return redirect(_back(programme.sheet))
    return _form_page(
        request,
        form,
        title=programme.name,
        sheet=programme.sheet,
        cancel=_back(programme.sheet),
        archive_url=reverse("reports:strategy_programme_archive", args=[programme.pk]),
        archive_form=ArchiveForm(),
    )


@policy.route(RESOURCE, policy.Action.CREATE)
def indicator_create(request: StaffRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, policy.Action.CREATE)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_strategy.strategy_indicator_create(
                actor=request.user, programme=programme, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("指標を加えました。"))
            return redirect(_back(programme.sheet))
    return _form_page(
        request,
        form,
        title=_("「%(name)s」に指標を加える") % {"name": programme.name},
        sheet=programme.sheet,
        cancel=_back(programme.sheet),
        indicator_form=True,
    )


@policy.route(RESOURCE, policy.Action.CHANGE)
def indicator_update(request: StaffRequest, pk: int) -> HttpResponse:
    indicator = _indicator(request, pk, policy.Action.CHANGE)
    sheet = indicator.programme.sheet
    form = IndicatorForm(request.POST or None, initial=IndicatorForm.initial_of(indicator))
    if request.method == "POST" and form.is_valid():
        try:
            services_strategy.strategy_indicator_update(
                actor=request.user, indicator=indicator, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("「%(name)s」を保存しました。") % {"name": indicator.name})
            return redirect(_back(sheet))
    return _form_page(
        request,
        form,
        title=indicator.name,
        sheet=sheet,
        cancel=_back(sheet),
        indicator_form=True,
        archive_url=reverse("reports:strategy_indicator_archive", args=[indicator.pk]),
        archive_form=ArchiveForm(),
    )


def _offset(request: StaffRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


@require_POST
@policy.route(RESOURCE, policy.Action.CHANGE)
def programme_move(request: StaffRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, policy.Action.CHANGE)
    services_strategy.strategy_programme_move(
        actor=request.user, programme=programme, offset=_offset(request)
    )
    return redirect(_back(programme.sheet) + f"#programme-{programme.pk}")


@require_POST
@policy.route(RESOURCE, policy.Action.CHANGE)
def indicator_move(request: StaffRequest, pk: int) -> HttpResponse:
    indicator = _indicator(request, pk, policy.Action.CHANGE)
    services_strategy.strategy_indicator_move(
        actor=request.user, indicator=indicator, offset=_offset(request)
    )
    return redirect(_back(indicator.programme.sheet) + f"#indicator-{indicator.pk}")


def _archive(request: StaffRequest, row: Model, sheet: StrategySheet, archive: Any) -> HttpResponse:
    form = ArchiveForm(request.POST)
    if form.is_valid():
        archive(reason=form.cleaned_data["reason"])
        messages.success(request, _("「%(name)s」をアーカイブしました。") % {"name": row})
        return redirect(_back(sheet))
    messages.error(request, _("アーカイブの理由を入力してください。"))
    return redirect(_back(sheet))


@require_POST
@policy.route(RESOURCE, policy.Action.ARCHIVE)
def programme_archive(request: StaffRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, policy.Action.ARCHIVE)

    def archive(reason: str) -> None:
        services_strategy.strategy_programme_archive(
            actor=request.user, programme=programme, reason=reason
        )

    return _archive(request, programme, programme.sheet, archive)


@require_POST
@policy.route(RESOURCE, policy.Action.ARCHIVE)
def indicator_archive(request: StaffRequest, pk: int) -> HttpResponse:
    indicator = _indicator(request, pk, policy.Action.ARCHIVE)

    def archive(reason: str) -> None:
        services_strategy.strategy_indicator_archive(
            actor=request.user, indicator=indicator, reason=reason
        )

    return _archive(request, indicator, indicator.programme.sheet, archive)


def _years(sheet: StrategySheet) -> list[strategy.Year]:
    return strategy.years_of(sheet, strategy.default_fiscal_year(sheet, timezone.localdate()))


@policy.route(RESOURCE, policy.Action.CHANGE)
def values_grid(request: StaffRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk, policy.Action.CHANGE)
    form = ValuesForm(
        request.POST or None, programmes=strategy.programmes_of(sheet), years=_years(sheet)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services_strategy.strategy_values_set(
                actor=request.user, sheet=sheet, entries=form.entries()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("実績と目標を保存しました（%(n)s件）。") % {"n": changed})
            return redirect(_back(sheet))
    return render(
        request,
        "reports/strategy_grid.html",
        {
            "form": form,
            "sheet": sheet,
            "title": _("実績と目標の入力"),
            "first_label": _("実績"),
            "second_label": _("目標"),
            "row_heading": _("指標"),
            "explanation": _(
                "年度ごとに実績と目標を入力します。記録から集計する指標は、目標だけを入力します。"
            ),
        },
    )


@policy.route(RESOURCE, policy.Action.CHANGE)
def budgets_grid(request: StaffRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk, policy.Action.CHANGE)
    form = BudgetsForm(
        request.POST or None, programmes=strategy.programmes_of(sheet), years=_years(sheet)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services_strategy.strategy_budgets_set(
                actor=request.user, sheet=sheet, entries=form.entries()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("事業費を保存しました（%(n)s件）。") % {"n": changed})
            return redirect(_back(sheet))
    return render(
        request,
        "reports/strategy_grid.html",
        {
            "form": form,
            "sheet": sheet,
            "title": _("事業費の入力"),
            "first_label": _("実績"),
            "second_label": _("当初予算"),
            "row_heading": _("計画事業"),
            "explanation": _("年度ごとの事業費の実績と当初予算を、千円単位で入力します。"),
        },
    )


@policy.route(RESOURCE, policy.Action.CHANGE)
def narratives_edit(request: StaffRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk, policy.Action.CHANGE)
    year = _int(request.GET.get("year"))
    if year not in sheet.fiscal_years():
        year = strategy.default_fiscal_year(sheet, timezone.localdate())
    narratives = strategy.narratives_of(sheet, year)
    form = NarrativesForm(request.POST or None, narratives=narratives)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services_strategy.strategy_narratives_save(
                actor=request.user, sheet=sheet, fiscal_year=year, changes=form.changes()
            )
        except services_strategy.NarrativeConflict as conflict:
            form.add_error(None, str(conflict))
            form.show_conflict(strategy.narratives_of(sheet, year), conflict.sections)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(year)sの記述を保存しました。") % {"year": strategy.management_label(year)},
            )
            return redirect(f"{reverse('reports:strategy')}?sheet={sheet.pk}&year={year}")
    return render(
        request,
        "reports/strategy_narratives.html",
        {
            "form": form,
            "sheet": sheet,
            "year": year,
            "year_label": strategy.management_label(year),
            "years": [(fy, strategy.management_label(fy)) for fy in sheet.fiscal_years()],
        },
        status=status,
    )
