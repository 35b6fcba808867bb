"""支援経過記録 pages: a household's record and a case's, the form to write
and correct an entry, the printed 支援経過記録シート, and the 延べ counts by
種別 and month for the reports (with their Excel file).

Thin views: the household or case is opened through the policy first (404
when the viewer has no basis to it), the notes are what the policy shows,
every page is audited with the notes it showed, and writes go through
:mod:`tsunagu.progress.services` for the acting organization."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import OPEN_STAGES
from tsunagu.core.forms_base import add_service_errors, keep_input_at_version
from tsunagu.core.http import StaffRequest
from tsunagu.directory.selectors import acting_casework_organization
from tsunagu.outreach.views import report_period
from tsunagu.people.models import Household
from tsunagu.progress import selectors, services
from tsunagu.progress.forms import ProgressNoteForm
from tsunagu.progress.models import ProgressNote

OBJECT_TYPE = "progress.progressnote"


def _choices(request: StaffRequest, household: Household) -> tuple[Any, Any]:
    persons = (
        policy.visible(request.user, "person", policy.Action.VIEW)
        .filter(memberships__household=household, memberships__ended_on=None)
        .distinct()
        .order_by("pk")
    )
    cases = (
        policy.visible(request.user, "case", policy.Action.VIEW)
        .filter(household=household, stage__in=OPEN_STAGES)
        .order_by("-opened_on")
    )
    return persons, cases


def _may_record(request: StaffRequest, household: Household) -> bool:
    return bool(policy.casework_organization_ids(request.user)) and bool(
        policy.decide(request.user, policy.Action.CHANGE, "household", household)
    )


def _audit_list(request: StaffRequest, obj: Any, basis: Any, notes: list[Any], page: str) -> None:
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=obj,
        basis=basis or "",
        detail={"page": page, "shown": {"progress_note": [note.pk for note in notes]}},
    )


@policy.route("progress_note", policy.Action.LIST)
def household_notes(request: StaffRequest, household_pk: int) -> HttpResponse:
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.VIEW, pk=household_pk
    )
    notes = selectors.annotated(
        request.user,
        selectors.notes(request.user, policy.Action.LIST)
        .filter(household=household)
        .order_by("-occurred_at", "-pk"),
    )
    _audit_list(request, household, decision.basis, notes, "progress_notes")
    return render(
        request,
        "progress/household.html",
        {
            "household": household,
            "basis": decision.basis,
            "notes": notes,
            "today": timezone.localdate(),
            "may_record": _may_record(request, household),
        },
    )


@policy.route("progress_note", policy.Action.LIST)
def case_notes(request: StaffRequest, case_pk: int) -> HttpResponse:
    case, decision = policy.get_or_404(request.user, "case", policy.Action.VIEW, pk=case_pk)
    notes = selectors.annotated(
        request.user,
        selectors.notes(request.user, policy.Action.LIST)
        .filter(case=case)
        .order_by("-occurred_at", "-pk"),
    )
    _audit_list(request, case, decision.basis, notes, "progress_notes")
    return render(
        request,
        "progress/case.html",
        {
            "case": case,
            "basis": decision.basis,
            "notes": notes,
            "today": timezone.localdate(),
            "may_record": _may_record(request, case.household),
        },
    )


@policy.route("progress_note", policy.Action.CREATE)
def note_create(request: StaffRequest, household_pk: int) -> HttpResponse:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_pk
    )
    persons, cases = _choices(request, household)
    now = timezone.localtime()
    initial: dict[str, Any] = {
        "occurred_on": now.date(),
        "occurred_time": now.time().replace(second=0, microsecond=0),
    }
    wanted_case = request.GET.get("case", "")
    if wanted_case.isdigit() and cases.filter(pk=int(wanted_case)).exists():
        initial["case"] = int(wanted_case)
    elif cases.count() == 1:
        initial["case"] = cases.first()
    form = ProgressNoteForm(
        request.POST or None,
        persons=persons,
        cases=cases,
        actor_id=request.user.pk,
        initial=initial,
    )
    organization = acting_casework_organization(request, "progress_note")
    if request.method == "POST" and form.is_valid():
        try:
            note = services.progress_note_record(
                actor=request.user,
                organization=organization,
                household=household,
                person=form.cleaned_data["person"],
                case=form.cleaned_data["case"],
                participants=form.participant_pairs(),
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error, rename={"occurred_at": "occurred_on"})
        else:
            messages.success(
                request,
                _("支援経過記録を登録しました（%(kind)s・%(organization)s）。")
                % {"kind": note.get_kind_display(), "organization": organization.name},
            )
            if note.case_id and request.GET.get("case"):
                return redirect("progress:case", note.case_id)
            return redirect("progress:household", household.pk)
    return render(
        request,
        "progress/form.html",
        {
            "form": form,
            "household": household,
            "organization": organization,
            "creating": True,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@policy.route("progress_note", policy.Action.CHANGE)
def note_update(request: StaffRequest, pk: int) -> HttpResponse:
    note: ProgressNote
    note, _decision = policy.get_or_404(request.user, "progress_note", policy.Action.CHANGE, pk=pk)
    household = note.household
    persons, cases = _choices(request, household)
    form = ProgressNoteForm(
        request.POST or None,
        persons=persons,
        cases=cases,
        actor_id=request.user.pk,
        initial=ProgressNoteForm.initial_of(note),
    )
    if request.method != "POST":
        recorded = set(note.participants.values_list("staff_id", "organization_id"))
        form.initial["participants"] = [
            m.pk
            for m in form.fields["participants"].queryset  # type: ignore[attr-defined]
            if (m.staff_id, m.organization_id) in recorded
        ]
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_note_update(
                actor=request.user,
                note=note,
                version=form.cleaned_data["version"],
                person=form.cleaned_data["person"],
                case=form.cleaned_data["case"],
                participants=form.participant_pairs(),
                **form.service_fields(),
            )
        except services.ProgressNoteConflict as conflict:
            form.add_error(None, str(conflict))
            note.refresh_from_db(fields=["version"])
            keep_input_at_version(form, note.version)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error, rename={"occurred_at": "occurred_on"})
        else:
            messages.success(request, _("支援経過記録を修正しました。"))
            return redirect("progress:household", household.pk)
    if form.is_bound and form.errors and status == 200:
        status = 422
    return render(
        request,
        "progress/form.html",
        {
            "form": form,
            "household": household,
            "note": note,
            "organization": note.organization,
            "creating": False,
        },
        status=status,
    )


@policy.route("progress_note", policy.Action.PRINT)
def print_sheet(request: StaffRequest, household_pk: int) -> HttpResponse:
    """The 支援経過記録シート of a household as a PDF; get_or_404 records the
    print of the household with its basis, and the notes printed are audited."""
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.PRINT, pk=household_pk
    )
    from tsunagu.progress.printing import progress_sheet_pdf  # loads WeasyPrint on first print

    notes = selectors.annotated(
        request.user,
        selectors.notes(request.user, policy.Action.VIEW)
        .filter(household=household)
        .order_by("occurred_at", "pk"),
    )
    person_id = request.GET.get("person", "")
    subject = None
    if person_id.isdigit():
        subject = (
            policy.visible(request.user, "person", policy.Action.VIEW)
            .filter(pk=int(person_id), memberships__household=household)
            .first()
        )
    audit_record(
        AuditAction.PRINT,
        actor=request.user,
        object_type=OBJECT_TYPE,
        basis=decision.basis or "",
        detail={
            "household": household.pk,
            "person": subject.pk if subject else None,
            "shown": [note.pk for note in notes],
        },
    )
    pdf = progress_sheet_pdf(
        household, notes, subject=subject, viewer=request.user, basis=decision.basis
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # No name in the file name: it ends up in download folders and logs.
    response["Content-Disposition"] = f'inline; filename="progress-{household.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _counts(request: StaffRequest) -> tuple[Any, Any, str, Any]:
    form, start, end, label = report_period(request)
    table = selectors.counts_by_kind_month(request.user.municipality_id, start, end)
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="progress.counts",
        detail={"start": start.isoformat(), "end": end.isoformat()},
    )
    return form, table, label, (start, end)


@policy.route("aggregate", policy.Action.VIEW)
def counts(request: StaffRequest) -> HttpResponse:
    """延べ contacts by 種別 and month (an aggregate: no names, no basis needed)."""
    form, table, label, _period = _counts(request)
    return render(
        request,
        "progress/counts.html",
        {"form": form, "table": table, "period": label, "query": request.GET.urlencode()},
    )


@policy.route("aggregate", policy.Action.EXPORT)
def counts_excel(request: StaffRequest) -> HttpResponse:
    from openpyxl import Workbook

    from tsunagu.reports.excel import XLSX_CONTENT_TYPE, cell_text, keep_as_text

    _form, table, label, (start, end) = _counts(request)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = cell_text(_("支援経過記録（延べ）"))
    sheet.append([cell_text(_("支援経過記録 種別・月別 延べ件数")), cell_text(label)])
    sheet.append([cell_text(_("月")), *(cell_text(name) for _v, name in table.kinds), _("計")])
    for row in table.rows:
        sheet.append([cell_text(row.label), *row.counts, row.total])
    sheet.append([cell_text(_("計")), *table.totals, table.total])
    keep_as_text(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="progress-counts-{start:%Y%m}-{end:%Y%m}.xlsx"'
    )
    return response
