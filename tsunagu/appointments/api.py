"""API of 出張相談会・巡回相談 (consultation_event) and 予約 (appointment): the
same answers as the pages — events with their consultation counts, the acting
window's free slots and bookings — and writes through
:mod:`tsunagu.appointments.services` for the organization the client acts for."""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.api.choices import api_choices
from tsunagu.api.errors import ERRORS, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import acting_casework_organization
from tsunagu.appointments import selectors, services
from tsunagu.appointments.models import ConsultationEvent, EventKind
from tsunagu.appointments.models import Status as AppointmentStatus
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.community.models import CommunityPlace
from tsunagu.core.dates import Day, Moment
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import District

if TYPE_CHECKING:
    ConsultationEventKind = EventKind
    AppointmentStatusChoice = AppointmentStatus
else:
    ConsultationEventKind = api_choices("ConsultationEventKind", EventKind)
    AppointmentStatusChoice = api_choices("AppointmentStatus", AppointmentStatus)


class EventOut(Schema):
    id: int
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    held_on: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    place_id: int | None
    venue: str = Field(..., alias="venue_label")
    district_id: int | None
    note: str
    staff_ids: list[int]
    #: The consultations taken at the event.
    consultation_count: int
    #: When and why the event was withdrawn (recorded in error); None: it stands.
    archived_at: datetime.datetime | None
    archive_reason: str

    @staticmethod
    def resolve_staff_ids(obj: Any) -> list[int]:
        return sorted(obj.attendance.values_list("staff_id", flat=True))


class EventArchiveIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class EventIn(Schema):
    kind: ConsultationEventKind
    held_on: Day
    starts_at: datetime.time
    ends_at: datetime.time
    place_id: int | None = None
    venue: str = Field("", max_length=200)
    district_id: int | None = None
    note: str = ""
    staff_ids: list[int] = []


class SlotOut(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    free: int


class AppointmentOut(Schema):
    id: int
    organization_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    status_label: str = Field(..., alias="get_status_display")
    source: str
    person_id: int | None
    name: str
    contact_mail: str
    contact_phone: str
    purpose: str
    language: str
    reminder_sent_at: datetime.datetime | None
    basis: str = "own_organization"


class AppointmentIn(Schema):
    starts_at: Moment
    person_id: int | None = None
    name: str = Field("", max_length=100)
    contact_mail: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=30)
    purpose: str = ""


class AppointmentSettingsIn(Schema):
    takes_appointments: bool
    public_booking: bool = False
    slot_minutes: int = 30
    opens_at: datetime.time = datetime.time(9, 0)
    closes_at: datetime.time = datetime.time(17, 0)
    lunch_starts_at: datetime.time | None = datetime.time(12, 0)
    lunch_ends_at: datetime.time | None = datetime.time(13, 0)
    days_ahead: int = Field(30, ge=0, le=365)
    capacity: int = Field(1, ge=1, le=100)
    year_end_closure: bool = True


class AppointmentSettingsOut(AppointmentSettingsIn):
    organization_id: int


class AppointmentStatusIn(Schema):
    status: AppointmentStatusChoice


router: Router = Router(tags=["出張相談会・予約"])


def _event_fields(
    request: StaffRequest, payload: EventIn
) -> tuple[dict[str, Any], list[Staff], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    place = None
    if payload.place_id is not None:
        place = CommunityPlace.objects.filter(pk=payload.place_id, archived_at=None).first()
        if place is None:
            errors["place_id"] = ["指定された居場所・拠点が見つかりません。"]
    district = None
    if payload.district_id is not None:
        district = District.objects.filter(pk=payload.district_id).first()
        if district is None:
            errors["district_id"] = ["指定された地区が見つかりません。"]
    staff = list(Staff.objects.filter(pk__in=payload.staff_ids, is_guest=False))
    if len(staff) != len(set(payload.staff_ids)):
        errors["staff_ids"] = ["指定された職員が見つかりません。"]
    fields = {
        "kind": payload.kind,
        "held_on": payload.held_on,
        "starts_at": payload.starts_at,
        "ends_at": payload.ends_at,
        "place": place,
        "venue": payload.venue,
        "district": district,
        "note": payload.note,
    }
    return fields, staff, errors


RENAMED = {"place": "place_id", "district": "district_id"}


def _event(pk: int) -> ConsultationEvent:
    return selectors.events_with_counts(ConsultationEvent.objects.filter(pk=pk)).get()


@router.get(
    "/consultation-events",
    response={200: list[EventOut], **ERRORS},
    summary="出張相談会・巡回相談の一覧",
    description="閲覧できる回（自機関の回、多機関協働事務局はすべて）を、受けた相談の件数とともに返します。"
    "from・to で実施日の期間を絞れます。",
)
@paginate
@policy.route("consultation_event", policy.Action.LIST)
def consultation_event_list(
    request: StaffRequest, date_from: Day | None = None, date_to: Day | None = None
) -> Any:
    events = policy.visible(request.user, "consultation_event", policy.Action.LIST).filter(
        archived_at=None
    )
    if date_from:
        events = events.filter(held_on__gte=date_from)
    if date_to:
        events = events.filter(held_on__lte=date_to)
    return selectors.events_with_counts(events).order_by("held_on", "starts_at", "pk")


@router.post(
    "/consultation-events",
    response={201: EventOut, 422: FormErrorsOut, **ERRORS},
    summary="出張相談会・巡回相談の登録",
    description="操作している機関が実施した回として登録します。",
)
@policy.route("consultation_event", policy.Action.CREATE)
def consultation_event_create(request: StaffRequest, payload: EventIn) -> Any:
    organization = acting_casework_organization(request, "consultation_event")
    fields, staff, errors = _event_fields(request, payload)
    if errors:
        return invalid(errors)
    try:
        event = services.event_create(
            actor=request.user, organization=organization, staff=staff, **fields
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(201, _event(event.pk))


@router.get(
    "/consultation-events/{event_id}",
    response={200: EventOut, **ERRORS},
    summary="出張相談会・巡回相談",
)
@policy.route("consultation_event", policy.Action.VIEW)
def consultation_event_detail(request: StaffRequest, event_id: int) -> Any:
    event, _decision = policy.get_or_404(
        request.user, "consultation_event", policy.Action.VIEW, pk=event_id
    )
    return _event(event.pk)


@router.put(
    "/consultation-events/{event_id}",
    response={200: EventOut, 422: FormErrorsOut, **ERRORS},
    summary="出張相談会・巡回相談の修正",
    description="実施した機関だけが修正できます。",
)
@policy.route("consultation_event", policy.Action.CHANGE)
def consultation_event_update(request: StaffRequest, event_id: int, payload: EventIn) -> Any:
    event, _decision = policy.get_or_404(
        request.user, "consultation_event", policy.Action.CHANGE, pk=event_id, archived_at=None
    )
    fields, staff, errors = _event_fields(request, payload)
    if errors:
        return invalid(errors)
    try:
        services.event_update(actor=request.user, event=event, staff=staff, **fields)
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return _event(event.pk)


@router.post(
    "/consultation-events/{event_id}/archive",
    response={200: EventOut, 422: FormErrorsOut, **ERRORS},
    summary="出張相談会・巡回相談の取り消し",
    description="二重に登録した回や中止した回を、理由とともに取り消します（実施した機関だけ）。"
    "取り消した回は一覧・報告の件数から外れます。その回で受けた相談受付がある回は取り消せません（422）。",
)
@policy.route("consultation_event", policy.Action.ARCHIVE)
def consultation_event_archive(
    request: StaffRequest, event_id: int, payload: EventArchiveIn
) -> Any:
    event, _decision = policy.get_or_404(
        request.user, "consultation_event", policy.Action.ARCHIVE, pk=event_id, archived_at=None
    )
    try:
        services.event_archive(actor=request.user, event=event, reason=payload.reason)
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return _event(event.pk)


@router.get(
    "/appointments/slots",
    response={200: list[SlotOut], **ERRORS},
    summary="予約の空き枠",
    description="操作している機関（X-Tsunagu-Organization）の、date_from から date_to"
    "（既定: 今日から14日）までの空き枠です。土日・祝日・振替休日・年末年始（設定による）は含みません。",
)
@policy.route("appointment", policy.Action.LIST)
def appointment_slots(
    request: StaffRequest, date_from: Day | None = None, date_to: Day | None = None
) -> Any:
    organization = acting_casework_organization(request, "appointment")
    config = services.settings_for(organization)
    if not config.takes_appointments:
        return []
    first = date_from or timezone.localdate()
    last = date_to or first + datetime.timedelta(days=14)
    last = min(last, first + datetime.timedelta(days=92))
    states = selectors.slot_states(config, organization, first, last)
    now = timezone.now()
    return [
        {"starts_at": s.slot.starts_at, "ends_at": s.slot.ends_at, "free": s.free}
        for s in states
        if s.free and s.slot.starts_at > now
    ]


def _appointments(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return policy.visible(request.user, "appointment", action).filter(archived_at=None)


@router.get(
    "/appointments",
    response={200: list[AppointmentOut], **ERRORS},
    summary="予約の一覧",
    description="自機関の予約（個人情報）を開始日時の順に返します。閲覧は監査証跡に残ります。",
)
@paginate
@policy.route("appointment", policy.Action.LIST)
def appointment_list(
    request: StaffRequest, date_from: Day | None = None, date_to: Day | None = None
) -> Any:
    found = _appointments(request, policy.Action.LIST)
    if date_from:
        found = found.filter(starts_at__date__gte=date_from)
    if date_to:
        found = found.filter(starts_at__date__lte=date_to)
    audit_record(
        AuditAction.LIST,
        object_type="appointments.appointment",
        basis=policy.Basis.OWN_ORGANIZATION,
        detail={"via": "api"},
    )
    return found.order_by("starts_at", "pk")


@router.post(
    "/appointments",
    response={201: AppointmentOut, 422: FormErrorsOut, **ERRORS},
    summary="予約の登録",
    description="操作している機関の予約枠（/appointments/slots の starts_at）を予約します。"
    "定員に達した枠・休日・時間外は 422 です。",
)
@policy.route("appointment", policy.Action.CREATE)
def appointment_create(request: StaffRequest, payload: AppointmentIn) -> Any:
    organization = acting_casework_organization(request, "appointment")
    person = None
    if payload.person_id is not None:
        person = (
            policy.visible(request.user, "person", policy.Action.CHANGE)
            .filter(pk=payload.person_id)
            .first()
        )
        if person is None:
            return invalid({"person_id": ["指定された本人が見つかりません。"]})
    try:
        appointment = services.appointment_book(
            actor=request.user,
            organization=organization,
            starts_at=payload.starts_at,
            person=person,
            **payload.dict(include={"name", "contact_mail", "contact_phone", "purpose"}),
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, {"person": "person_id"}))
    return Status(201, appointment)


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERRORS},
    summary="予約",
)
@policy.route("appointment", policy.Action.VIEW)
def appointment_detail(request: StaffRequest, appointment_id: int) -> Any:
    appointment, _decision = policy.get_or_404(
        request.user, "appointment", policy.Action.VIEW, pk=appointment_id
    )
    return appointment


@router.put(
    "/appointments/{appointment_id}/status",
    response={200: AppointmentOut, 422: FormErrorsOut, **ERRORS},
    summary="予約の状態の記録",
    description="予約済みから、来所済み・キャンセル・無断キャンセルのいずれかにします。",
)
@policy.route("appointment", policy.Action.CHANGE)
def appointment_status_set(
    request: StaffRequest, appointment_id: int, payload: AppointmentStatusIn
) -> Any:
    appointment, _decision = policy.get_or_404(
        request.user, "appointment", policy.Action.CHANGE, pk=appointment_id
    )
    try:
        updated = services.appointment_set_status(
            actor=request.user, appointment=appointment, status=payload.status
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, {}))
    return updated


@router.put(
    "/appointments/settings",
    response={200: AppointmentSettingsOut, 422: FormErrorsOut, **ERRORS},
    summary="予約の設定",
    description="操作している機関（機関管理者であるもの）の予約の受付時間・枠の長さ・定員などを設定します。",
)
@policy.route("appointment_settings", policy.Action.CHANGE)
def appointment_settings_update(request: StaffRequest, payload: AppointmentSettingsIn) -> Any:
    from tsunagu.accounts.acting import acting_organization
    from tsunagu.accounts.roles import Role

    organization = acting_organization(
        request, request.user.organization_ids(Role.ORG_MANAGER), resource="appointment_settings"
    )
    try:
        return services.settings_save(
            actor=request.user, organization=organization, **payload.dict()
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, {}))
