"""Writes of consultation events, appointment settings and appointments, each
with its audit event in the same transaction.

Booking checks the slot against the window's settings (a working day, on the
slot grid, within the days ahead) and its capacity while holding the
settings row, so that two bookings of the last place cannot both succeed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.models import Staff
from tsunagu.appointments import slots
from tsunagu.appointments.models import (
    HOLDING,
    TRANSITIONS,
    Appointment,
    AppointmentSettings,
    ConsultationEvent,
    EventStaff,
    Source,
    Status,
)
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.municipality import Municipality
from tsunagu.core.services import tracked_archive
from tsunagu.directory.models import Organization
from tsunagu.frontdoor.services import new_secret, token_digest
from tsunagu.people.models import Person

#: Fields an event is written with (the form's and the API's).
EVENT_FIELDS = ("kind", "held_on", "starts_at", "ends_at", "place", "venue", "district", "note")
#: Fields of a window's appointment settings.
SETTINGS_FIELDS = (
    "takes_appointments",
    "public_booking",
    "slot_minutes",
    "opens_at",
    "closes_at",
    "lunch_starts_at",
    "lunch_ends_at",
    "days_ahead",
    "capacity",
    "year_end_closure",
)
#: What a booking says about the person who comes.
BOOKING_FIELDS = ("name", "contact_mail", "contact_phone", "purpose", "language")


def _check_event(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = _("終了時刻は開始時刻より後にしてください。")
    if not fields.get("place") and not (fields.get("venue") or "").strip():
        errors["venue"] = _("会場を、居場所・拠点から選ぶか、会場名を入力してください。")
    if errors:
        raise ValidationError(errors)


def _attendees(event: ConsultationEvent, staff: Iterable[Staff]) -> None:
    EventStaff.objects.filter(event=event).delete()
    EventStaff.objects.bulk_create(
        EventStaff(event=event, staff=member, municipality_id=event.municipality_id)
        for member in {member.pk: member for member in staff}.values()
    )


@transaction.atomic
def event_create(
    *,
    actor: Staff,
    organization: Organization,
    staff: Iterable[Staff] = (),
    **fields: Any,
) -> ConsultationEvent:
    """Record a 出張相談会・巡回相談 held by ``organization``."""
    _check_event(fields)
    event = ConsultationEvent(
        organization=organization, created_by=actor, updated_by=actor, **fields
    )
    event.full_clean(exclude=["created_by", "updated_by", "municipality"])
    event.save()
    _attendees(event, staff)
    audit_record(AuditAction.CREATE, actor=actor, obj=event)
    return event


@transaction.atomic
def event_update(
    *, actor: Staff, event: ConsultationEvent, staff: Iterable[Staff] | None = None, **fields: Any
) -> ConsultationEvent:
    merged = {name: getattr(event, name) for name in EVENT_FIELDS} | fields
    _check_event(merged)
    for name, value in fields.items():
        setattr(event, name, value)
    event.updated_by = actor
    event.full_clean(exclude=["created_by", "updated_by", "municipality"])
    event.save()
    if staff is not None:
        _attendees(event, staff)
    audit_record(AuditAction.CHANGE, actor=actor, obj=event)
    return event


@transaction.atomic
def event_archive(*, actor: Staff, event: ConsultationEvent, reason: str) -> ConsultationEvent:
    """Withdraw an event recorded in error (entered twice, never held): it is
    kept, with who, when and why, but leaves the list, the intake's choices
    and the reports. An event with consultations taken at it is refused: they
    count for it, so each is first set to the right event."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("取り消す理由を入力してください。")})
    locked = ConsultationEvent.objects.select_for_update().get(pk=event.pk)
    if locked.archived_at is not None:
        raise ValidationError(_("この回はすでに取り消されています。"))
    taken = locked.consultations.filter(archived_at=None).count()
    if taken:
        raise ValidationError(
            _(
                "この回で受けた相談受付が%(n)d件あるため、取り消せません。"
                "各相談受付を修正して正しい回を選び直してから、取り消してください。"
            )
            % {"n": taken}
        )
    tracked_archive(actor=actor, instance=locked, reason=reason[:200])
    return locked


def settings_for(organization: Organization) -> AppointmentSettings:
    """The window's settings (unsaved defaults — no appointments — when none are kept)."""
    found = AppointmentSettings.objects.filter(organization=organization).first()
    return found or AppointmentSettings(
        organization=organization, municipality_id=organization.municipality_id
    )


@transaction.atomic
def settings_save(
    *, actor: Staff, organization: Organization, **fields: Any
) -> AppointmentSettings:
    config = settings_for(organization)
    for name, value in fields.items():
        setattr(config, name, value)
    errors: dict[str, str] = {}
    if config.closes_at <= config.opens_at:
        errors["closes_at"] = _("受付終了は受付開始より後にしてください。")
    if bool(config.lunch_starts_at) != bool(config.lunch_ends_at):
        errors["lunch_ends_at"] = _(
            "昼休みは開始と終了の両方を入力してください（ないときは両方空欄）。"
        )
    elif config.lunch_starts_at and config.lunch_ends_at <= config.lunch_starts_at:  # type: ignore[operator]
        errors["lunch_ends_at"] = _("昼休みの終了は開始より後にしてください。")
    if not 5 <= config.slot_minutes <= 240:
        errors["slot_minutes"] = _("1枠の長さは5分から240分の間にしてください。")
    if config.capacity < 1:
        errors["capacity"] = _("1枠の定員は1以上にしてください。")
    if errors:
        raise ValidationError(errors)
    config.save()
    audit_record(AuditAction.CHANGE, actor=actor, obj=config)
    return config


def _held(organization: Organization, starts_at: datetime.datetime) -> int:
    return Appointment.objects.filter(
        organization=organization, starts_at=starts_at, status__in=HOLDING, archived_at=None
    ).count()


def _locked_settings(organization: Organization) -> AppointmentSettings:
    """The settings row, locked for the rest of the transaction (PostgreSQL;
    SQLite's IMMEDIATE transactions already write one at a time)."""
    found = (
        AppointmentSettings.objects.select_for_update().filter(organization=organization).first()
    )
    if found is None or not found.takes_appointments:
        raise ValidationError({"starts_at": _("この窓口は予約を受け付けていません。")})
    return found


def _check_slot(
    config: AppointmentSettings,
    organization: Organization,
    starts_at: datetime.datetime,
    *,
    public: bool,
) -> slots.Slot:
    slot = slots.slot_at(config, starts_at)
    if slot is None:
        raise ValidationError(
            {"starts_at": _("その日時は予約枠ではありません（休日・時間外・昼休みなど）。")}
        )
    if slot.starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("過ぎた時間は予約できません。")})
    if public and slot.starts_at.date() > slots.bookable_until(config, timezone.localdate()):
        raise ValidationError(
            {"starts_at": _("予約できるのは%(n)d日先までです。") % {"n": config.days_ahead}}
        )
    if _held(organization, slot.starts_at) >= config.capacity:
        raise ValidationError(
            {"starts_at": _("この枠はすでに予約でいっぱいです。別の時間を選んでください。")}
        )
    return slot


@transaction.atomic
def appointment_book(
    *,
    actor: Staff,
    organization: Organization,
    starts_at: datetime.datetime,
    person: Person | None = None,
    **fields: Any,
) -> Appointment:
    """Book a slot at ``organization`` for someone who comes (staff booking)."""
    config = _locked_settings(organization)
    slot = _check_slot(config, organization, starts_at, public=False)
    if person is None and not (fields.get("name") or "").strip():
        raise ValidationError({"name": _("本人を選ぶか、お名前を入力してください。")})
    appointment = Appointment(
        organization=organization,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        source=Source.STAFF,
        person=person,
        created_by=actor,
        updated_by=actor,
        **fields,
    )
    appointment.save()
    audit_record(AuditAction.CREATE, actor=actor, obj=appointment)
    return appointment


@transaction.atomic
def appointment_book_public(
    *,
    municipality: Municipality,
    organization: Organization,
    starts_at: datetime.datetime,
    **fields: Any,
) -> tuple[Appointment, str]:
    """A resident books a slot through the public page; returns the booking and
    the secret of its cancel link (only its digest is kept)."""
    config = _locked_settings(organization)
    if not config.public_booking:
        raise ValidationError(
            {"starts_at": _("この窓口は公開ページからの予約を受け付けていません。")}
        )
    slot = _check_slot(config, organization, starts_at, public=True)
    if not (fields.get("name") or "").strip():
        raise ValidationError(
            {"name": _("お名前（ニックネームでもかまいません）を入力してください。")}
        )
    token = new_secret()
    appointment = Appointment(
        organization=organization,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        source=Source.PUBLIC,
        cancel_token_hash=token_digest(token),
        **fields,
    )
    appointment.full_clean(exclude=["municipality", "created_by", "updated_by", "thread"])
    appointment.save()
    audit_record(
        AuditAction.CREATE,
        obj=appointment,
        municipality=municipality,
        actor_label="住民（公開ページ）",
    )
    return appointment, token


@transaction.atomic
def appointment_set_status(
    *, actor: Staff | None, appointment: Appointment, status: str
) -> Appointment:
    """Move a booking along the one table of transitions, recording who and when."""
    current = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if status not in TRANSITIONS.get(current.status, frozenset()):
        raise ValidationError(
            {
                "status": _("「%(from)s」から「%(to)s」には変えられません。")
                % {"from": current.get_status_display(), "to": Status(status).label}
            }
        )
    if (
        status in (Status.ARRIVED, Status.NO_SHOW)
        and current.starts_at.date() > timezone.localdate()
    ):
        raise ValidationError(
            {"status": _("来所・無断キャンセルは、予約日以降に記録してください。")}
        )
    current.status = status
    current.status_changed_at = timezone.now()
    current.updated_by = actor
    current.save(update_fields=["status", "status_changed_at", "updated_by", "updated_at"])
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=current,
        municipality=current.municipality,
        actor_label="" if actor else "住民（公開ページ）",
        detail={"status": status},
    )
    appointment.status = current.status
    appointment.status_changed_at = current.status_changed_at
    return current


def appointment_by_cancel_token(token: str) -> Appointment | None:
    """The booking a public cancel link names (in the current municipality), or None."""
    if not token or len(token) > 100:
        return None
    return (
        Appointment.objects.filter(cancel_token_hash=token_digest(token), archived_at=None)
        .select_related("organization")
        .first()
    )
