"""Writes of outreach contacts, each with its audit event in the same transaction.

A contact is recorded for the organization the staff member works for; the
joint visitors are staff of any organization of the municipality. Only the
recording organization corrects a contact afterwards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.acting import require_casework
from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.outreach.models import OutreachContact
from tsunagu.people.contacts import check_contact, set_contact_staff
from tsunagu.people.models import Household, Person

#: Fields a contact is written with (the form's and the API's).
CONTACT_FIELDS = (
    "occurred_at",
    "method",
    "result",
    "direction",
    "intent",
    "intent_note",
    "stage_after",
    "content",
    "next_step",
    "next_on",
)


@transaction.atomic
def outreach_contact_record(
    *,
    actor: Staff,
    organization: Organization,
    household: Household,
    person: Person | None = None,
    case: Case | None = None,
    visitors: Iterable[tuple[Staff, Organization]] = (),
    **fields: Any,
) -> OutreachContact:
    """Record one attempt to reach ``household`` for ``organization``."""
    require_casework(actor, organization)
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    fields.setdefault("occurred_at", timezone.now())
    check_contact(
        household=household,
        person=person,
        case=case,
        occurred_at=fields["occurred_at"],
        next_on=fields.get("next_on"),
    )
    contact = OutreachContact(
        household=household,
        person=person,
        case=case,
        organization=organization,
        created_by=actor,
        updated_by=actor,
        **fields,
    )
    contact.full_clean(exclude=["municipality"])
    contact.save()
    set_contact_staff(
        record=contact, rows=contact.visitors, actor=actor, staff=visitors, field="visitors"
    )
    grants.refresh_for(contact)
    audit_record(AuditAction.CREATE, actor=actor, obj=contact, organization_id=organization.pk)
    return contact


@transaction.atomic
def outreach_contact_update(
    *,
    actor: Staff,
    contact: OutreachContact,
    person: Person | None = None,
    case: Case | None = None,
    visitors: Iterable[tuple[Staff, Organization]] | None = None,
    **fields: Any,
) -> OutreachContact:
    """Correct a contact (its recording organization only)."""
    require_casework(actor, contact.organization)
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    merged = {name: fields.get(name, getattr(contact, name)) for name in CONTACT_FIELDS}
    check_contact(
        household=contact.household,
        person=person,
        case=case,
        occurred_at=merged["occurred_at"],
        next_on=merged["next_on"],
    )
    changed = [name for name in CONTACT_FIELDS if getattr(contact, name) != merged[name]]
    for name, value in merged.items():
        setattr(contact, name, value)
    contact.person = person
    contact.case = case
    contact.updated_by = actor
    contact.full_clean(exclude=["municipality"])
    contact.save()
    if visitors is not None:
        set_contact_staff(
            record=contact, rows=contact.visitors, actor=actor, staff=visitors, field="visitors"
        )
    grants.refresh_for(contact)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=contact,
        organization_id=contact.organization_id,
        detail={"fields": changed},
    )
    return contact
