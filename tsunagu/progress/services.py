"""Writes of 支援経過記録, each with its audit event and its derived rows (the
grants, the reports' monthly counts) in the same transaction.

A note is written for the organization the staff member acts for, about a
household that staff member already works with (the caller opened it through
the policy); the participants are staff of any organization of the
municipality, each with the organization they took part for. Only the
writing organization corrects a note afterwards, on the version it loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tsunagu.accounts.acting import require_casework
from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.people.contacts import check_contact, set_contact_staff
from tsunagu.people.models import Household, Person
from tsunagu.progress.models import ProgressNote
from tsunagu.reports import rollups
from tsunagu.reports.models import RecordKind

#: Fields a note is written with (the form's and the API's).
NOTE_FIELDS = (
    "occurred_at",
    "kind",
    "other_participants",
    "content",
    "next_step",
    "next_on",
)


class ProgressNoteConflict(EditConflict):
    what = gettext_lazy("支援経過記録")


@transaction.atomic
def progress_note_record(
    *,
    actor: Staff,
    organization: Organization,
    household: Household,
    person: Person | None = None,
    case: Case | None = None,
    participants: Iterable[tuple[Staff, Organization]] = (),
    **fields: Any,
) -> ProgressNote:
    """Write one entry of ``household``'s 支援経過記録 for ``organization``."""
    require_casework(actor, organization)
    unknown = set(fields) - set(NOTE_FIELDS)
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
    note = ProgressNote(
        household=household,
        person=person,
        case=case,
        organization=organization,
        created_by=actor,
        updated_by=actor,
        **fields,
    )
    note.full_clean(exclude=["municipality"])
    note.save()
    set_contact_staff(
        record=note, rows=note.participants, actor=actor, staff=participants, field="participants"
    )
    grants.refresh_for(note)
    rollups.refresh(
        municipality_id=note.municipality_id,
        record_kind=RecordKind.PROGRESS_NOTE,
        days=[note.occurred_at],
    )
    audit_record(AuditAction.CREATE, actor=actor, obj=note, organization_id=organization.pk)
    return note


@transaction.atomic
def progress_note_update(
    *,
    actor: Staff,
    note: ProgressNote,
    version: int | None,
    person: Person | None = None,
    case: Case | None = None,
    participants: Iterable[tuple[Staff, Organization]] | None = None,
    **fields: Any,
) -> ProgressNote:
    """Correct a note (its writing organization only), on the version the user loaded."""
    require_casework(actor, note.organization)
    unknown = set(fields) - set(NOTE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    current = ProgressNote.objects.select_for_update().get(pk=note.pk)
    if version is not None and version != current.version:
        raise ProgressNoteConflict
    before = current.occurred_at
    merged = {name: fields.get(name, getattr(current, name)) for name in NOTE_FIELDS}
    check_contact(
        household=current.household,
        person=person,
        case=case,
        occurred_at=merged["occurred_at"],
        next_on=merged["next_on"],
    )
    changed = [name for name in NOTE_FIELDS if getattr(current, name) != merged[name]]
    if current.person_id != (person.pk if person else None):
        changed.append("person")
    if current.case_id != (case.pk if case else None):
        changed.append("case")
    for name, value in merged.items():
        setattr(current, name, value)
    current.person = person
    current.case = case
    current.updated_by = actor
    current.version += 1
    current.full_clean(exclude=["municipality"])
    current.save()
    if participants is not None:
        set_contact_staff(
            record=current,
            rows=current.participants,
            actor=actor,
            staff=participants,
            field="participants",
        )
    grants.refresh_for(current)
    rollups.refresh(
        municipality_id=current.municipality_id,
        record_kind=RecordKind.PROGRESS_NOTE,
        days=[before, current.occurred_at],
    )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=current,
        organization_id=current.organization_id,
        detail={"fields": changed},
    )
    return current
