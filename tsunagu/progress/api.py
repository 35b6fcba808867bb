"""API of 支援経過記録 (progress notes): the notes of a household, a case or a
person, writing one and correcting one.

Like the pages: the household, case or person is opened through the policy
first (404 when the viewer has no basis to it), every note answered carries
the basis it is shown under, and writes go through
:mod:`tsunagu.progress.services` for the organization the staff member acts
for. Only the writing organization corrects a note, on the version it read
(409 when a colleague saved meanwhile).
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.models import Membership, Staff
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import acting_casework_organization, basis_label, linkable_case
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case
from tsunagu.core.dates import Day, Moment
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization
from tsunagu.people.models import Person
from tsunagu.progress import services
from tsunagu.progress.models import Kind, ProgressNote

#: Model field names as the payloads name them.
RENAMED = {"person": "person_id", "case": "case_id"}
OBJECT_TYPE = "progress.progressnote"


# --- Schemas -------------------------------------------------------------------------


class ParticipantOut(Schema):
    staff_id: int
    staff: str = Field(..., alias="staff.full_name")
    organization_id: int
    organization: str = Field(..., alias="organization.name")


class ProgressNoteOut(Schema):
    id: int
    household_id: int
    #: The 本人: empty when none was named or the viewer may not see them.
    person_id: int | None = Field(..., alias="shown_person_id")
    person: str = Field(..., alias="shown_person_name")
    case_id: int | None
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    occurred_at: datetime
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    participants: list[ParticipantOut]
    other_participants: str
    content: str
    next_step: str
    next_on: date | None
    overdue: bool
    version: int
    basis: str
    basis_label: str

    @staticmethod
    def resolve_overdue(obj: ProgressNote) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_participants(obj: ProgressNote) -> list[Any]:
        return list(obj.participants.all())

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class ParticipantIn(Schema):
    staff_id: int
    #: The organization the staff member took part for (one they belong to).
    organization_id: int


class ProgressNoteIn(Schema):
    #: When it happened (by default now; on a correction, unchanged when left out).
    occurred_at: Moment | None = None
    kind: Kind
    #: Staff who took part, with the organization each took part for (the writer is included).
    participants: list[ParticipantIn] = []
    #: Others who took part (本人、母、学校の担任 …).
    other_participants: str = Field("", max_length=200)
    content: str = Field(..., min_length=1)
    next_step: str = Field("", max_length=200)
    next_on: Day | None = None
    #: The household member the note is about (none: the household as a whole).
    person_id: int | None = None
    #: The 多機関協働 case the work was done for: the note becomes part of the case's record.
    case_id: int | None = None


class ProgressNoteChangeIn(ProgressNoteIn):
    #: The version read (optimistic lock): 409 when a colleague saved meanwhile.
    version: int


# --- Helpers -------------------------------------------------------------------------


def _notes(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return (
        policy.visible(request.user, "progress_note", action)
        .select_related("organization", "person")
        .prefetch_related("participants__staff", "participants__organization")
    )


def _annotate(request: StaffRequest, notes: list[Any]) -> None:
    """Name the 本人 only where the viewer may see them, in one pass for the page."""
    persons = policy.bases(request.user, "person", [n.person for n in notes if n.person])
    for note in notes:
        shown = note.person if note.person_id in persons else None
        note.shown_person_id = shown.pk if shown else None
        note.shown_person_name = shown.full_name if shown else ""


def _fresh(request: StaffRequest, pk: int) -> ProgressNote:
    """The note as it is now, for the answer to a write (audited as the write)."""
    note = _notes(request, policy.Action.VIEW).get(pk=pk)
    note.basis = policy.decide(request.user, policy.Action.VIEW, "progress_note", note).basis  # type: ignore[attr-defined]
    _annotate(request, [note])
    return note


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _participants(
    payload: list[ParticipantIn], errors: dict[str, list[str]]
) -> list[tuple[Staff, Organization]]:
    wanted = {(p.staff_id, p.organization_id) for p in payload}
    found = {
        (m.staff_id, m.organization_id): (m.staff, m.organization)
        for m in Membership.objects.filter(
            staff_id__in={staff_id for staff_id, _org in wanted},
            active=True,
            staff__is_active=True,
            staff__is_guest=False,
            organization__archived_at=None,
        ).select_related("staff", "organization")
    }
    if wanted - set(found):
        errors["participants"] = [
            "対応した職員が見つからないか、指定した機関の職員ではありません。"
        ]
    return [found[key] for key in sorted(wanted) if key in found]


def _links(
    request: StaffRequest, payload: ProgressNoteIn
) -> tuple[Person | None, Case | None, list[tuple[Staff, Organization]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    person = None
    if payload.person_id is not None:
        person = (
            policy.visible(request.user, "person", policy.Action.VIEW)
            .filter(pk=payload.person_id)
            .first()
        )
        if person is None:
            errors["person_id"] = ["指定された本人が見つかりません。"]
    case = linkable_case(request, payload.case_id)
    if payload.case_id is not None and case is None:
        errors["case_id"] = ["指定されたケースが見つからないか、記録を結びつける権限がありません。"]
    participants = _participants(payload.participants, errors)
    return person, case, participants, errors


def _fields(payload: ProgressNoteIn) -> dict[str, Any]:
    fields = payload.dict(include=set(services.NOTE_FIELDS))
    fields["occurred_at"] = _aware(payload.occurred_at)
    if fields["occurred_at"] is None:
        del fields["occurred_at"]
    return fields


def _listed(basis: Any, **detail: Any) -> None:
    audit_record(
        AuditAction.LIST,
        object_type=OBJECT_TYPE,
        basis=basis or "",
        detail={"via": "api", **detail},
    )


# --- Operations ----------------------------------------------------------------------

router: Router = Router(tags=["支援経過記録"])
LIST_DESCRIPTION = (
    "閲覧できる記録（自機関・対応者の機関・ケースの記録・緊急時の閲覧）だけが、"
    "閲覧の根拠（basis）とともに新しい順に返ります。"
)


@router.get(
    "/households/{household_id}/progress-notes",
    response={200: list[ProgressNoteOut], **ERRORS},
    summary="世帯の支援経過記録",
    description=LIST_DESCRIPTION,
)
@paginate(BasisPagination, resource="progress_note", annotate=_annotate)
@policy.route("progress_note", policy.Action.LIST)
def progress_note_list(request: StaffRequest, household_id: int) -> Any:
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.VIEW, pk=household_id
    )
    _listed(decision.basis, household=household.pk)
    return (
        _notes(request, policy.Action.LIST)
        .filter(household=household)
        .order_by("-occurred_at", "-pk")
    )


@router.get(
    "/cases/{case_id}/progress-notes",
    response={200: list[ProgressNoteOut], **ERRORS},
    summary="ケースの支援経過記録",
    description=LIST_DESCRIPTION,
)
@paginate(BasisPagination, resource="progress_note", annotate=_annotate)
@policy.route("progress_note", policy.Action.LIST)
def progress_note_case_list(request: StaffRequest, case_id: int) -> Any:
    case, decision = policy.get_or_404(request.user, "case", policy.Action.VIEW, pk=case_id)
    _listed(decision.basis, case=case.pk)
    return _notes(request, policy.Action.LIST).filter(case=case).order_by("-occurred_at", "-pk")


@router.get(
    "/persons/{person_id}/progress-notes",
    response={200: list[ProgressNoteOut], **ERRORS},
    summary="本人の支援経過記録",
    description=LIST_DESCRIPTION,
)
@paginate(BasisPagination, resource="progress_note", annotate=_annotate)
@policy.route("progress_note", policy.Action.LIST)
def progress_note_person_list(request: StaffRequest, person_id: int) -> Any:
    person, decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_id)
    _listed(decision.basis, person=person.pk)
    return _notes(request, policy.Action.LIST).filter(person=person).order_by("-occurred_at", "-pk")


@router.post(
    "/households/{household_id}/progress-notes",
    response={201: ProgressNoteOut, 422: FormErrorsOut, **ERRORS},
    summary="支援経過記録の登録",
    description="操作している機関の記録になり、対応した職員の機関も自機関の記録として"
    "閲覧できます。世帯は、記録を扱える（緊急時の閲覧ではない根拠のある）世帯に限ります。",
)
@policy.route("progress_note", policy.Action.CREATE)
def progress_note_create(request: StaffRequest, household_id: int, payload: ProgressNoteIn) -> Any:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_id
    )
    organization = acting_casework_organization(request, "progress_note")
    person, case, participants, errors = _links(request, payload)
    if errors:
        return invalid(errors)
    try:
        note = services.progress_note_record(
            actor=request.user,
            organization=organization,
            household=household,
            person=person,
            case=case,
            participants=participants,
            **_fields(payload),
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(201, _fresh(request, note.pk))


@router.get(
    "/progress-notes/{note_id}",
    response={200: ProgressNoteOut, **ERRORS},
    summary="支援経過記録",
)
@policy.route("progress_note", policy.Action.VIEW)
def progress_note_detail(request: StaffRequest, note_id: int) -> Any:
    note, decision = policy.get_or_404(
        request.user, "progress_note", policy.Action.VIEW, pk=note_id
    )
    note.basis = decision.basis
    _annotate(request, [note])
    return note


@router.put(
    "/progress-notes/{note_id}",
    response={200: ProgressNoteOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="支援経過記録の訂正",
    description="記録した機関だけが訂正できます（対応者の機関は閲覧のみ）。"
    "本人・ケース・対応者は送った内容に置き換わります。"
    "表示した版（version）の後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("progress_note", policy.Action.CHANGE)
def progress_note_update(request: StaffRequest, note_id: int, payload: ProgressNoteChangeIn) -> Any:
    note, _decision = policy.get_or_404(
        request.user, "progress_note", policy.Action.CHANGE, pk=note_id
    )
    person, case, participants, errors = _links(request, payload)
    if errors:
        return invalid(errors)
    try:
        services.progress_note_update(
            actor=request.user,
            note=note,
            version=payload.version,
            person=person,
            case=case,
            participants=participants,
            **_fields(payload),
        )
    except services.ProgressNoteConflict:
        return Status(409, {"detail": str(services.ProgressNoteConflict.message)})
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return _fresh(request, note.pk)
