"""API of outreach contacts (アウトリーチ記録): a household's contacts and its
month-by-month view, recording and correcting one contact, and the staff
member's work list.

Like the pages: the household is opened through the policy first (404 when
the viewer has no basis to it), every contact answered carries the basis it
is shown under, and writes go through :mod:`tsunagu.outreach.services` for
the organization the staff member acts for. Only the recording organization
corrects a contact; a joint visitor's organization reads it as its own.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.models import Membership, Staff
from tsunagu.api.choices import api_choices
from tsunagu.api.errors import ERRORS, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import (
    acting_casework_organization,
    basis_label,
    linkable_case,
)
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case
from tsunagu.core.dates import Day, Moment
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization
from tsunagu.outreach import selectors, services
from tsunagu.outreach.models import Direction, Intent, Method, OutreachContact, Result, Stage
from tsunagu.people.models import Person

# The choices under the API's own names (tsunagu/api/choices.py); to the type
# checker they are the model's choices, whose values they are.
if TYPE_CHECKING:
    OutreachStage = Stage
    OutreachDirection = Direction
else:
    OutreachStage = api_choices("OutreachStage", Stage)
    OutreachDirection = api_choices("OutreachDirection", Direction)

#: Model field names as the payloads name them.
RENAMED = {"person": "person_id", "case": "case_id"}
#: Bases to a case under which a record may be tied to it (the case's own
#: working bases: not an emergency opening, not a 支援会議's material).
OBJECT_TYPE = "outreach.outreachcontact"


# --- Schemas -------------------------------------------------------------------------


class VisitorOut(Schema):
    staff_id: int
    staff: str = Field(..., alias="staff.full_name")
    organization_id: int
    organization: str = Field(..., alias="organization.name")


class OutreachContactOut(Schema):
    id: int
    household_id: int
    #: The member reached out to: empty when none was named or the viewer may not see them.
    person_id: int | None = Field(..., alias="shown_person_id")
    person: str = Field(..., alias="shown_person_name")
    case_id: int | None
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    occurred_at: datetime
    method: str
    method_label: str = Field(..., alias="get_method_display")
    result: str
    result_label: str = Field(..., alias="get_result_display")
    #: Whether the person was reached (face to face or through the door).
    reached: bool
    direction: str
    direction_label: str = Field(..., alias="get_direction_display")
    intent: str
    intent_label: str = Field(..., alias="get_intent_display")
    intent_note: str
    stage_after: str
    stage_after_label: str = Field(..., alias="get_stage_after_display")
    content: str
    next_step: str
    next_on: date | None
    overdue: bool
    visitors: list[VisitorOut]
    basis: str
    basis_label: str

    @staticmethod
    def resolve_overdue(obj: OutreachContact) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_visitors(obj: OutreachContact) -> list[Any]:
        return list(obj.visitors.all())

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class VisitorIn(Schema):
    staff_id: int
    #: The organization the staff member went for (one they belong to).
    organization_id: int


class OutreachContactIn(Schema):
    #: When it happened (by default now; on a correction, unchanged when left out).
    occurred_at: Moment | None = None
    method: Method
    result: Result
    direction: OutreachDirection = OutreachDirection.OUTGOING
    intent: Intent
    intent_note: str = Field("", max_length=200)
    stage_after: OutreachStage
    content: str = ""
    next_step: str = Field("", max_length=200)
    next_on: Day | None = None
    #: The household member reached out to (none: the household as a whole, or unknown).
    person_id: int | None = None
    #: The 多機関協働 case the contact was made for: it becomes part of the case's record.
    case_id: int | None = None
    #: Staff who went along, with the organization each went for (the recorder is included).
    visitors: list[VisitorIn] = []


class MonthOut(Schema):
    year: int
    month: int
    label: str
    count: int
    reached: int
    met: int
    #: The relationship stage at the end of the month (carried over months with no contact).
    stage: str
    stage_label: str
    stage_changed: bool
    stage_moved_forward: bool
    contact_ids: list[int]

    @staticmethod
    def resolve_contact_ids(obj: selectors.Month) -> list[int]:
        return [contact.pk for contact in obj.contacts]


class WorkItemOut(Schema):
    household_id: int
    household_label: str
    count: int
    this_month: int
    #: The planned next contact's date has passed.
    overdue: bool
    next_on: date | None
    next_step: str
    last_contact_id: int
    last_occurred_at: datetime
    last_method_label: str
    last_result_label: str
    stage: str
    stage_label: str
    basis: str
    basis_label: str


# --- Helpers -------------------------------------------------------------------------


def _contacts(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return (
        policy.visible(request.user, "outreach_contact", action)
        .select_related("organization", "person")
        .prefetch_related("visitors__staff", "visitors__organization")
    )


def _annotate(request: StaffRequest, contacts: list[Any]) -> None:
    """Name the person reached out to only where the viewer may see them (a
    consent may leave household members out), in one pass for the page."""
    persons = policy.bases(request.user, "person", [c.person for c in contacts if c.person])
    for contact in contacts:
        shown = contact.person if contact.person_id in persons else None
        contact.shown_person_id = shown.pk if shown else None
        contact.shown_person_name = shown.full_name if shown else ""


def _with_basis(request: StaffRequest, contact: OutreachContact, basis: Any) -> OutreachContact:
    contact.basis = basis  # type: ignore[attr-defined]
    _annotate(request, [contact])
    return contact


def _fresh(request: StaffRequest, pk: int) -> OutreachContact:
    """The contact as it is now, for the answer to a change (already audited as the change)."""
    contact = _contacts(request, policy.Action.VIEW).get(pk=pk)
    decision = policy.decide(request.user, policy.Action.VIEW, "outreach_contact", contact)
    return _with_basis(request, contact, decision.basis)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _member(request: StaffRequest, pk: int | None) -> Person | None:
    if pk is None:
        return None
    return policy.visible(request.user, "person", policy.Action.VIEW).filter(pk=pk).first()


def _visitors(
    payload: list[VisitorIn], errors: dict[str, list[str]]
) -> list[tuple[Staff, Organization]]:
    """Staff of the municipality with the organization each went for."""
    wanted = {(visitor.staff_id, visitor.organization_id) for visitor in payload}
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
        errors["visitors"] = ["同行した職員が見つからないか、指定した機関の職員ではありません。"]
    return [found[key] for key in sorted(wanted) if key in found]


def _links(
    request: StaffRequest, payload: OutreachContactIn
) -> tuple[Person | None, Case | None, list[tuple[Staff, Organization]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    person = _member(request, payload.person_id)
    if payload.person_id is not None and person is None:
        errors["person_id"] = ["指定された本人が見つかりません。"]
    case = linkable_case(request, payload.case_id)
    if payload.case_id is not None and case is None:
        errors["case_id"] = ["指定されたケースが見つからないか、記録を結びつける権限がありません。"]
    visitors = _visitors(payload.visitors, errors)
    return person, case, visitors, errors


def _fields(payload: OutreachContactIn) -> dict[str, Any]:
    fields = payload.dict(include=set(services.CONTACT_FIELDS))
    fields["occurred_at"] = _aware(payload.occurred_at)
    if fields["occurred_at"] is None:
        del fields["occurred_at"]
    return fields


# --- Operations ----------------------------------------------------------------------

router: Router = Router(tags=["アウトリーチ"])


@router.get(
    "/outreach-contacts/worklist",
    response={200: list[WorkItemOut], **ERRORS},
    summary="アウトリーチの対象世帯（自機関の一覧）",
    description="自機関が働きかけている世帯ごとに、最新の記録、回数、今月の回数を返します。"
    "次回予定日を過ぎた世帯（overdue）が先頭です。",
)
@paginate
@policy.route("outreach_contact", policy.Action.LIST)
def outreach_worklist(request: StaffRequest) -> Any:
    items = selectors.worklist(request.user)
    bases = policy.bases(request.user, "outreach_contact", [item.last for item in items])
    audit_record(
        AuditAction.LIST,
        object_type=OBJECT_TYPE,
        detail={
            "via": "api",
            "page": "worklist",
            "shown": {str(item.last.pk): str(bases.get(item.last.pk, "")) for item in items},
        },
    )
    return [
        {
            "household_id": item.household.pk,
            "household_label": item.household.label,
            "count": item.count,
            "this_month": item.this_month,
            "overdue": item.overdue,
            "next_on": item.last.next_on,
            "next_step": item.last.next_step,
            "last_contact_id": item.last.pk,
            "last_occurred_at": item.last.occurred_at,
            "last_method_label": item.last.get_method_display(),
            "last_result_label": item.last.get_result_display(),
            "stage": item.last.stage_after,
            "stage_label": item.last.get_stage_after_display(),
            "basis": str(bases[item.last.pk]),
            "basis_label": basis_label(bases[item.last.pk]),
        }
        for item in items
        if item.last.pk in bases
    ]


@router.get(
    "/households/{household_id}/outreach-contacts",
    response={200: list[OutreachContactOut], **ERRORS},
    summary="世帯のアウトリーチ記録",
    description="閲覧できる記録（自機関・同行した機関・ケースの記録・緊急時の閲覧）だけが、"
    "閲覧の根拠（basis）とともに新しい順に返ります。",
)
@paginate(BasisPagination, resource="outreach_contact", annotate=_annotate)
@policy.route("outreach_contact", policy.Action.LIST)
def outreach_contact_list(request: StaffRequest, household_id: int) -> Any:
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.VIEW, pk=household_id
    )
    audit_record(
        AuditAction.LIST,
        object_type=OBJECT_TYPE,
        basis=decision.basis or "",
        detail={"via": "api", "household": household.pk},
    )
    return (
        _contacts(request, policy.Action.LIST)
        .filter(household=household)
        .order_by("-occurred_at", "-pk")
    )


@router.get(
    "/households/{household_id}/outreach-months",
    response={200: list[MonthOut], **ERRORS},
    summary="世帯のアウトリーチの月ごとの経過",
    description="最初の記録の月から今月まで、月ごとの回数・会えた回数と、月末時点の関係の段階を"
    "古い順に返します（記録のない月は段階を引き継ぎます）。閲覧できる記録だけを数えます。",
)
@policy.route("outreach_contact", policy.Action.LIST)
def outreach_months(request: StaffRequest, household_id: int) -> Any:
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.VIEW, pk=household_id
    )
    contacts = selectors.household_contacts(request.user, household.pk)
    audit_record(
        AuditAction.LIST,
        object_type=OBJECT_TYPE,
        basis=decision.basis or "",
        detail={
            "via": "api",
            "page": "months",
            "household": household.pk,
            "shown": [contact.pk for contact in contacts],
        },
    )
    return selectors.monthly_view(contacts)


@router.post(
    "/households/{household_id}/outreach-contacts",
    response={201: OutreachContactOut, 422: FormErrorsOut, **ERRORS},
    summary="アウトリーチ記録の登録",
    description="会えなかった訪問も記録します。操作している機関の記録になり、"
    "同行した職員の機関も自機関の記録として閲覧できます。"
    "世帯は、記録を扱える（緊急時の閲覧ではない根拠のある）世帯に限ります。",
)
@policy.route("outreach_contact", policy.Action.CREATE)
def outreach_contact_create(
    request: StaffRequest, household_id: int, payload: OutreachContactIn
) -> Any:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_id
    )
    organization = acting_casework_organization(request, "outreach_contact")
    person, case, visitors, errors = _links(request, payload)
    if errors:
        return invalid(errors)
    try:
        contact = services.outreach_contact_record(
            actor=request.user,
            organization=organization,
            household=household,
            person=person,
            case=case,
            visitors=visitors,
            **_fields(payload),
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(201, _fresh(request, contact.pk))


@router.get(
    "/outreach-contacts/{contact_id}",
    response={200: OutreachContactOut, **ERRORS},
    summary="アウトリーチ記録",
)
@policy.route("outreach_contact", policy.Action.VIEW)
def outreach_contact_detail(request: StaffRequest, contact_id: int) -> Any:
    contact, decision = policy.get_or_404(
        request.user, "outreach_contact", policy.Action.VIEW, pk=contact_id
    )
    return _with_basis(request, contact, decision.basis)


@router.put(
    "/outreach-contacts/{contact_id}",
    response={200: OutreachContactOut, 422: FormErrorsOut, **ERRORS},
    summary="アウトリーチ記録の訂正",
    description="記録した機関だけが訂正できます（同行した機関は閲覧のみ）。"
    "本人・ケース・同行者は送った内容に置き換わります。",
)
@policy.route("outreach_contact", policy.Action.CHANGE)
def outreach_contact_update(
    request: StaffRequest, contact_id: int, payload: OutreachContactIn
) -> Any:
    contact, _decision = policy.get_or_404(
        request.user, "outreach_contact", policy.Action.CHANGE, pk=contact_id
    )
    person, case, visitors, errors = _links(request, payload)
    if errors:
        return invalid(errors)
    try:
        services.outreach_contact_update(
            actor=request.user,
            contact=contact,
            person=person,
            case=case,
            visitors=visitors,
            **_fields(payload),
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return _fresh(request, contact.pk)
