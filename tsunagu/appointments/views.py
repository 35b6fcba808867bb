"""Staff pages: 出張相談会・巡回相談 (a period's list with counts, its Excel,
one event with its counts by topic, recording and correcting one) and 予約
(the acting window's week of slots with bookings, booking, status, settings)."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.appointments import selectors, services, slots
from tsunagu.appointments.forms import (
    BookingForm,
    EventArchiveForm,
    EventForm,
    PeriodForm,
    SettingsForm,
    StatusForm,
)
from tsunagu.appointments.models import ConsultationEvent
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization
from tsunagu.directory.selectors import acting_casework_organization


def _period(request: StaffRequest) -> tuple[PeriodForm, datetime.date, datetime.date]:
    today = timezone.localdate()
    default = (today.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    form = PeriodForm(request.GET or None, initial={"start": default, "end": today})
    start, end = default, today + datetime.timedelta(days=31)
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


def _events_in(request: StaffRequest, start: datetime.date, end: datetime.date) -> list[Any]:
    events = policy.visible(request.user, "consultation_event", policy.Action.LIST).filter(
        archived_at=None, held_on__range=(start, end)
    )
    return list(selectors.events_with_counts(events).order_by("held_on", "starts_at", "pk"))


@policy.route("consultation_event", policy.Action.LIST)
def event_list(request: StaffRequest) -> HttpResponse:
    form, start, end = _period(request)
    events = _events_in(request, start, end)
    return render(
        request,
        "appointments/event_list.html",
        {
            "form": form,
            "events": events,
            "start": start,
            "end": end,
            "total": sum(e.consultation_count for e in events),
            "may_create": bool(
                policy.casework_organization_ids(request.user) and not request.user.is_guest
            ),
            "query": request.GET.urlencode(),
        },
    )


@policy.route("consultation_event", policy.Action.EXPORT)
def event_excel(request: StaffRequest) -> HttpResponse:
    from openpyxl import Workbook

    from tsunagu.reports.excel import XLSX_CONTENT_TYPE, cell_text, keep_as_text

    _form, start, end = _period(request)
    events = _events_in(request, start, end)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = cell_text(_("出張相談会・巡回相談"))
    sheet.append([cell_text(_("出張相談会・巡回相談の開催回数と相談件数")), f"{start}〜{end}"])
    sheet.append(
        [
            cell_text(h)
            for h in (_("実施日"), _("種類"), _("実施機関"), _("会場"), _("地区"), _("相談件数"))
        ]
    )
    for event in events:
        sheet.append(
            [
                event.held_on,
                cell_text(event.get_kind_display()),
                cell_text(event.organization.name),
                cell_text(event.venue_label),
                cell_text(event.district.name if event.district else ""),
                event.consultation_count,
            ]
        )
    sheet.append(
        [
            cell_text(_("計")),
            cell_text(_("%(n)d回") % {"n": len(events)}),
            "",
            "",
            "",
            sum(e.consultation_count for e in events),
        ]
    )
    keep_as_text(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-events-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    )
    return response


def _colleagues(organization: Organization) -> Any:
    return (
        Staff.objects.filter(
            memberships__organization=organization,
            memberships__active=True,
            is_active=True,
            is_guest=False,
        )
        .distinct()
        .order_by("full_name_kana", "pk")
    )


@policy.route("consultation_event", policy.Action.CREATE)
def event_create(request: StaffRequest) -> HttpResponse:
    organization = acting_casework_organization(request, "consultation_event")
    form = EventForm(
        request.POST or None,
        staff=_colleagues(organization),
        initial={"staff": [request.user.pk], "held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.EVENT_FIELDS}
        try:
            event = services.event_create(
                actor=request.user,
                organization=organization,
                staff=form.cleaned_data["staff"],
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("出張相談会・巡回相談を登録しました。"))
            return redirect("appointments:event_detail", pk=event.pk)
    return render(
        request,
        "appointments/event_form.html",
        {"form": form, "organization": organization, "creating": True},
    )


@policy.route("consultation_event", policy.Action.VIEW)
def event_detail(request: StaffRequest, pk: int) -> HttpResponse:
    event, decision = policy.get_or_404(
        request.user, "consultation_event", policy.Action.VIEW, pk=pk
    )
    counted = selectors.events_with_counts(ConsultationEvent.objects.filter(pk=event.pk)).get()
    return render(
        request,
        "appointments/event_detail.html",
        {
            "event": counted,
            "basis": decision.basis,
            "topics": selectors.topic_counts(event.pk),
            "attendees": Staff.objects.filter(pk__in=event.attendance.values("staff_id")).order_by(
                "full_name_kana"
            ),
            "may_change": event.archived_at is None
            and bool(
                policy.decide(request.user, policy.Action.CHANGE, "consultation_event", event)
            ),
            "may_archive": event.archived_at is None
            and bool(
                policy.decide(request.user, policy.Action.ARCHIVE, "consultation_event", event)
            ),
        },
    )


@policy.route("consultation_event", policy.Action.ARCHIVE)
def event_archive(request: StaffRequest, pk: int) -> HttpResponse:
    """Withdraw an event recorded in error, with the reason (it stays on record)."""
    event: ConsultationEvent
    event, _decision = policy.get_or_404(
        request.user, "consultation_event", policy.Action.ARCHIVE, pk=pk, archived_at=None
    )
    form = EventArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_archive(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("出張相談会・巡回相談の記録を取り消しました。件数には数えません。")
            )
            return redirect("appointments:event_list")
    return render(request, "appointments/event_archive.html", {"form": form, "event": event})


@policy.route("consultation_event", policy.Action.CHANGE)
def event_update(request: StaffRequest, pk: int) -> HttpResponse:
    event, _decision = policy.get_or_404(
        request.user, "consultation_event", policy.Action.CHANGE, pk=pk, archived_at=None
    )
    form = EventForm(
        request.POST or None,
        instance=event,
        staff=_colleagues(event.organization),
        initial={
            "staff": list(event.attendance.values_list("staff_id", flat=True)),
            "held_on": event.held_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.EVENT_FIELDS}
        try:
            services.event_update(
                actor=request.user, event=event, staff=form.cleaned_data["staff"], **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("出張相談会・巡回相談を更新しました。"))
            return redirect("appointments:event_detail", pk=event.pk)
    return render(
        request,
        "appointments/event_form.html",
        {"form": form, "organization": event.organization, "event": event, "creating": False},
    )


# --- 予約 -------------------------------------------------------------------


def _week_start(request: StaffRequest) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


@policy.route("appointment", policy.Action.LIST)
def week(request: StaffRequest) -> HttpResponse:
    organization = acting_casework_organization(request, "appointment")
    config = services.settings_for(organization)
    monday = _week_start(request)
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    visible = policy.visible(request.user, "appointment", policy.Action.LIST)
    states = selectors.slot_states(config, organization, days[0], days[-1], visible)
    shown = [b.pk for state in states for b in state.bookings]
    if shown:
        audit_record(
            AuditAction.LIST,
            actor=request.user,
            object_type="appointments.appointment",
            basis=policy.Basis.OWN_ORGANIZATION,
            detail={"page": "appointments_week", "shown": {"appointment": shown}},
        )
    columns: list[dict[str, Any]] = [
        {
            "day": day,
            "closed": slots.closed_reason(day, year_end_closure=config.year_end_closure),
            "states": [s for s in states if timezone.localtime(s.slot.starts_at).date() == day],
        }
        for day in days
    ]
    return render(
        request,
        "appointments/week.html",
        {
            "organization": organization,
            "config": config,
            "columns": [c for c in columns if c["day"].weekday() < 5 or c["states"]],
            "monday": monday,
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
            "now": timezone.now(),
            "may_set": bool(
                policy.decide(request.user, policy.Action.CHANGE, "appointment_settings")
            ),
        },
    )


@policy.route("appointment", policy.Action.CREATE)
def book(request: StaffRequest) -> HttpResponse:
    organization = acting_casework_organization(request, "appointment")
    initial = {"starts_at": request.GET.get("start", ""), "person_id": request.GET.get("person")}
    form = BookingForm(request.POST or None, initial=initial)
    person = None
    person_id = (request.POST or request.GET).get("person_id") or request.GET.get("person")
    if person_id and str(person_id).isdigit():
        person, _decision = policy.get_or_404(
            request.user, "person", policy.Action.CHANGE, pk=int(person_id)
        )
    if request.method == "POST" and form.is_valid():
        fields = {
            name: form.cleaned_data[name]
            for name in ("name", "contact_phone", "contact_mail", "purpose")
        }
        try:
            appointment = services.appointment_book(
                actor=request.user,
                organization=organization,
                starts_at=timezone.make_aware(form.cleaned_data["starts_at"])
                if timezone.is_naive(form.cleaned_data["starts_at"])
                else form.cleaned_data["starts_at"],
                person=person,
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("予約を登録しました。"))
            local = timezone.localtime(appointment.starts_at).date()
            return redirect(reverse("appointments:week") + f"?week={local.isoformat()}")
    return render(
        request,
        "appointments/book.html",
        {"form": form, "organization": organization, "person": person},
    )


@policy.route("appointment", policy.Action.VIEW)
def appointment_detail(request: StaffRequest, pk: int) -> HttpResponse:
    appointment, decision = policy.get_or_404(
        request.user, "appointment", policy.Action.VIEW, pk=pk
    )
    person = None
    if appointment.person_id is not None:
        person = (
            policy.visible(request.user, "person", policy.Action.VIEW)
            .filter(pk=appointment.person_id)
            .first()
        )
    return render(
        request,
        "appointments/detail.html",
        {
            "appointment": appointment,
            "person": person,
            "basis": decision.basis,
            "status_form": StatusForm() if appointment.status == "booked" else None,
        },
    )


@require_POST
@policy.route("appointment", policy.Action.CHANGE)
def appointment_status(request: StaffRequest, pk: int) -> HttpResponse:
    appointment, _decision = policy.get_or_404(
        request.user, "appointment", policy.Action.CHANGE, pk=pk
    )
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_set_status(
                actor=request.user, appointment=appointment, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("予約を「%(status)s」にしました。")
                % {"status": appointment.get_status_display()},
            )
    return redirect("appointments:detail", pk=appointment.pk)


@policy.route("appointment_settings", policy.Action.CHANGE)
def settings_page(request: StaffRequest) -> HttpResponse:
    organization = Organization.objects.get(pk=_settings_organization(request))
    config = services.settings_for(organization)
    form = SettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
        try:
            services.settings_save(actor=request.user, organization=organization, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("予約の設定を保存しました。"))
            return redirect("appointments:week")
    return render(
        request, "appointments/settings.html", {"form": form, "organization": organization}
    )


def _settings_organization(request: StaffRequest) -> int:
    from tsunagu.accounts.acting import acting_organization_id
    from tsunagu.accounts.roles import Role

    chosen = acting_organization_id(
        request,
        request.user.organization_ids(Role.ORG_MANAGER),
        resource="appointment_settings",
    )
    assert chosen is not None
    return chosen
