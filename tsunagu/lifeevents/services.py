"""Writes of 家族の出来事, each with its audit event in the same transaction.

An event is recorded for the organization the staff member does casework
for, with the basis under which they saw the household at the time (kept on
the event: a chronology says who knew what, and why they could). Only the
recording organization corrects or archives it afterwards (the policy's
``life_event`` rule)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.acting import require_casework
from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.lifeevents.models import LifeEvent, Precision, truncate
from tsunagu.people.models import Household, HouseholdMembership, Person

#: Fields an event is written with (the form's and the API's).
EVENT_FIELDS = ("kind", "occurred_on", "precision", "description", "source", "source_note")


def _check(*, household: Household, person: Person | None, fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if (
        person is not None
        and not HouseholdMembership.objects.filter(household=household, person=person).exists()
    ):
        errors["person"] = _("この世帯の世帯員（元の世帯員を含む）を選んでください。")
    occurred_on: datetime.date | None = fields.get("occurred_on")
    if occurred_on is not None and occurred_on > timezone.localdate():
        errors["occurred_on"] = _(
            "これから起きることは記録できません。時期は今日以前にしてください。"
        )
    if errors:
        raise ValidationError(errors)


def _normalise(fields: dict[str, Any]) -> None:
    """A month or year known only: stored as its first day."""
    precision = fields.get("precision") or Precision.DAY
    fields["precision"] = precision
    if fields.get("occurred_on") is not None:
        fields["occurred_on"] = truncate(fields["occurred_on"], precision)


@transaction.atomic
def life_event_record(
    *,
    actor: Staff,
    organization: Organization,
    household: Household,
    person: Person | None = None,
    **fields: Any,
) -> LifeEvent:
    """Record one event of ``household``'s history for ``organization``."""
    from tsunagu import policy

    require_casework(actor, organization)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    decision = policy.decide(actor, policy.Action.CHANGE, "household", household)
    if not decision or decision.basis is None:
        raise ValidationError(_("この世帯の記録を登録する根拠がありません。"))
    _normalise(fields)
    _check(household=household, person=person, fields=fields)
    event = LifeEvent(
        household=household,
        person=person,
        organization=organization,
        recorded_basis=decision.basis,
        created_by=actor,
        updated_by=actor,
        **fields,
    )
    event.full_clean(exclude=["municipality"])
    event.save()
    grants.refresh_for(event)
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=event,
        basis=decision.basis,
        organization_id=organization.pk,
    )
    return event


@transaction.atomic
def life_event_update(
    *, actor: Staff, event: LifeEvent, person: Person | None = None, **fields: Any
) -> LifeEvent:
    """Correct an event (its recording organization only)."""
    require_casework(actor, event.organization)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if event.archived_at is not None:
        raise ValidationError(_("取り消した出来事は修正できません。"))
    merged = {name: fields.get(name, getattr(event, name)) for name in EVENT_FIELDS}
    _normalise(merged)
    _check(household=event.household, person=person, fields=merged)
    changed = [name for name in EVENT_FIELDS if getattr(event, name) != merged[name]]
    if person != event.person:
        changed.append("person")
    for name, value in merged.items():
        setattr(event, name, value)
    event.person = person
    event.updated_by = actor
    event.full_clean(exclude=["municipality"])
    event.save()
    grants.refresh_for(event)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=event,
        organization_id=event.organization_id,
        detail={"fields": changed},
    )
    return event


@transaction.atomic
def life_event_archive(*, actor: Staff, event: LifeEvent, reason: str) -> LifeEvent:
    """Withdraw an event recorded in error (kept, marked, out of the 家族年表)."""
    require_casework(actor, event.organization)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("取り消す理由を入力してください。")})
    if event.archived_at is not None:
        raise ValidationError(_("この出来事はすでに取り消されています。"))
    event.archived_at = timezone.now()
    event.archive_reason = reason[:200]
    event.updated_by = actor
    event.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    grants.refresh_for(event)
    audit_record(
        AuditAction.ARCHIVE,
        actor=actor,
        obj=event,
        organization_id=event.organization_id,
        detail={"reason": reason[:200]},
    )
    return event
