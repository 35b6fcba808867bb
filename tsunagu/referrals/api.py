"""API of つなぐシート (referrals): the received and sent boxes, one referral
with its history, creating and sending one, and changing its state.

The receiver reads the shared content as soon as a referral is sent, but the
household's and persons' identity and the attached consultation only once it
has a basis to them (acceptance): until then those fields are answered empty.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import acting_casework_organization, basis_label, changeable
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization
from tsunagu.people.models import Person
from tsunagu.referrals import services
from tsunagu.referrals.models import (
    Reason,
    Referral,
    ReferralEvent,
    SharedItem,
    SharingBasis,
)
from tsunagu.referrals.models import Status as ReferralStatus
from tsunagu.referrals.services import ReferralConflict

#: Model field names as the payload names them.
RENAMED = {
    "to_organization": "to_organization_id",
    "household": "household_id",
    "consultation": "consultation_id",
}


class ReferralOut(Schema):
    id: int
    number: str
    from_organization_id: int
    from_organization: str = Field(..., alias="from_organization.name")
    to_organization_id: int
    to_organization: str = Field(..., alias="to_organization.name")
    #: Identity and attached records: empty while the viewer has no basis to them.
    household_id: int | None = Field(..., alias="shown_household_id")
    person_ids: list[int] = Field(..., alias="shown_person_ids")
    consultation_id: int | None = Field(..., alias="shown_consultation_id")
    identity_withheld: bool
    status: str
    status_label: str = Field(..., alias="get_status_display")
    request: str
    shared_summary: str
    shared_items: list[str]
    shared_item_labels: list[str]
    sharing_basis: str
    sharing_basis_label: str = Field(..., alias="get_sharing_basis_display")
    due_on: date
    overdue: bool
    sent_at: datetime | None
    first_answered_at: datetime | None
    closed_at: datetime | None
    report_back: str
    report_back_at: datetime | None
    version: int
    #: The states the viewer's organization may move the referral to now.
    allowed_transitions: list[str]
    basis: str
    basis_label: str

    @staticmethod
    def resolve_shared_item_labels(obj: Referral) -> list[str]:
        return obj.shared_item_labels()

    @staticmethod
    def resolve_overdue(obj: Referral) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class ReferralEventOut(Schema):
    from_status: str
    to_status: str
    to_status_label: str = Field(..., alias="get_to_status_display")
    reason: str
    reason_label: str = Field(..., alias="get_reason_display")
    note: str
    is_report_back: bool
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    occurred_at: datetime


class ReferralDetailOut(ReferralOut):
    events: list[ReferralEventOut] = Field(..., alias="history")


class ReferralIn(Schema):
    to_organization_id: int
    household_id: int | None = None
    person_ids: list[int] = []
    consultation_id: int | None = None
    request: str
    shared_summary: str
    shared_items: list[SharedItem] = []
    sharing_basis: SharingBasis
    due_on: Day
    #: Send at once (送付), or keep as a draft (下書き).
    send: bool = True


class ReferralTransitionIn(Schema):
    to_status: ReferralStatus
    #: The version the change was made on (optimistic lock): 409 when outdated.
    version: int
    reason: Reason | Literal[""] = ""
    note: str = ""


def _referrals(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return (
        policy.visible(request.user, "referral", action)
        .select_related("from_organization", "to_organization", "household", "consultation")
        .prefetch_related("persons")
    )


def _annotate(request: StaffRequest, referrals: list[Any]) -> None:
    """Give each referral (already carrying its basis) the identities the viewer
    may see, and the changes their organization may make, in one pass."""
    user = request.user
    households = policy.bases(user, "household", [r.household for r in referrals if r.household])
    consultations = policy.bases(
        user, "consultation", [r.consultation for r in referrals if r.consultation]
    )
    persons = policy.bases(user, "person", [p for r in referrals for p in r.persons.all()])
    organizations = policy.casework_organization_ids(user)
    for referral in referrals:
        everyone = sorted(person.pk for person in referral.persons.all())
        referral.shown_household_id = (
            referral.household_id if referral.household_id in households else None
        )
        referral.shown_person_ids = [pk for pk in everyone if pk in persons]
        referral.shown_consultation_id = (
            referral.consultation_id if referral.consultation_id in consultations else None
        )
        referral.identity_withheld = (
            referral.shown_household_id != referral.household_id
            or referral.shown_person_ids != everyone
            or referral.shown_consultation_id != referral.consultation_id
        )
        referral.allowed_transitions = [
            str(status)
            for status in services.allowed_transitions(
                referral, services.side_of(referral, organizations)
            )
        ]


def _detail(request: StaffRequest, referral: Referral, basis: Any) -> Referral:
    referral.basis = basis  # type: ignore[attr-defined]
    _annotate(request, [referral])
    referral.history = list(  # type: ignore[attr-defined]
        ReferralEvent.objects.filter(referral=referral)
        .select_related("organization")
        .order_by("occurred_at", "pk")
    )
    return referral


def _fresh(request: StaffRequest, pk: int) -> Referral:
    """The referral as it is now, for the answer to a change (already audited as the change)."""
    referral = _referrals(request, policy.Action.VIEW).get(pk=pk)
    decision = policy.decide(request.user, policy.Action.VIEW, "referral", referral)
    return _detail(request, referral, decision.basis)


router: Router = Router(tags=["つなぐシート"])


@router.get(
    "/referrals",
    response={200: list[ReferralOut], **ERRORS},
    summary="つなぐシートの受信箱・送信箱",
    description="box=received は自機関宛て、box=sent は自機関から送ったつなぐシート（回答期限順）。"
    "受理前の受け手には、世帯・本人・相談受付の番号を返しません（identity_withheld）。",
)
@paginate(BasisPagination, resource="referral", annotate=_annotate)
@policy.route("referral", policy.Action.LIST)
def referral_list(request: StaffRequest, box: Literal["received", "sent"] = "received") -> Any:
    organizations = policy.casework_organization_ids(request.user)
    audit_record(
        AuditAction.LIST, object_type="referrals.referral", detail={"via": "api", "box": box}
    )
    referrals = _referrals(request, policy.Action.LIST)
    if box == "sent":
        referrals = referrals.filter(from_organization_id__in=organizations)
    else:
        referrals = referrals.filter(to_organization_id__in=organizations)
    return referrals.order_by("due_on", "pk")


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralDetailOut, **ERRORS},
    summary="つなぐシート（履歴つき）",
)
@policy.route("referral", policy.Action.VIEW)
def referral_detail(request: StaffRequest, referral_id: int) -> Any:
    referral, decision = policy.get_or_404(
        request.user, "referral", policy.Action.VIEW, pk=referral_id
    )
    return _detail(request, referral, decision.basis)


@router.post(
    "/referrals",
    response={201: ReferralDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="つなぐシートの作成・送付",
)
@policy.route("referral", policy.Action.CREATE)
def referral_create(request: StaffRequest, payload: ReferralIn) -> Any:
    organization = acting_casework_organization(request, "referral")
    errors: dict[str, list[str]] = {}
    to_organization = (
        policy.visible(request.user, "organization", policy.Action.VIEW)
        .filter(pk=payload.to_organization_id, archived_at=None)
        .first()
    )
    if to_organization is None:
        errors["to_organization_id"] = ["指定されたつなぎ先の機関が見つかりません。"]
    consultation = changeable(request, "consultation", payload.consultation_id)
    if payload.consultation_id is not None and consultation is None:
        errors["consultation_id"] = [
            "指定された相談受付が見つからないか、共有する権限がありません。"
        ]
    household_id = payload.household_id
    if household_id is None and consultation is not None:
        # A referral about a consultation is about its household: the receiver
        # that accepts it holds both, never the consultation alone.
        household_id = consultation.household_id
    household = changeable(request, "household", household_id)
    if household_id is not None and household is None:
        errors["household_id"] = ["指定された世帯が見つからないか、共有する権限がありません。"]
    elif (
        household is not None
        and consultation is not None
        and consultation.household_id not in (None, household.pk)
    ):
        errors["consultation_id"] = ["相談受付の世帯と、つなぐ世帯が一致しません。"]
    found = [changeable(request, "person", pk) for pk in dict.fromkeys(payload.person_ids)]
    persons: list[Person] = [person for person in found if person is not None]
    if len(persons) != len(found):
        errors["person_ids"] = ["指定された本人が見つからないか、共有する権限がありません。"]
    referral = Referral(
        from_organization=organization,
        to_organization=to_organization,
        household=household,
        consultation=consultation,
        request=payload.request,
        shared_summary=payload.shared_summary,
        shared_items=list(dict.fromkeys(payload.shared_items)),
        sharing_basis=payload.sharing_basis,
        due_on=payload.due_on,
    )
    try:
        referral.full_clean(exclude=["to_organization"] if to_organization is None else None)
    except DjangoValidationError as error:
        errors.update(field_errors(error, RENAMED))
    if errors:
        return invalid(errors)
    try:
        created = services.referral_create(
            actor=request.user,
            organization=organization,
            referral=referral,
            persons=persons,
            send=payload.send,
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(201, _fresh(request, created.pk))


def _acting_party(request: StaffRequest, referral: Referral) -> Organization:
    """The organization the change is made for: the acting one where it is a
    party to the referral, else the staff's organization that is."""
    organizations = policy.casework_organization_ids(request.user)
    parties = [
        pk
        for pk in (referral.from_organization_id, referral.to_organization_id)
        if pk in organizations
    ]
    if not parties:  # get_or_404 for CHANGE grants only the sender and the addressee
        raise Http404
    chosen = acting_organization_id(request, frozenset(parties), resource="referral")
    if chosen == referral.from_organization_id:
        return referral.from_organization
    return referral.to_organization


@router.post(
    "/referrals/{referral_id}/transition",
    response={200: ReferralDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="つなぐシートの状態変更（受理・差戻し・完了など）",
)
@policy.route("referral", policy.Action.CHANGE)
def referral_transition(
    request: StaffRequest, referral_id: int, payload: ReferralTransitionIn
) -> Any:
    # CHANGE needs a working basis (sender or addressee), never an emergency opening.
    referral, _decision = policy.get_or_404(
        request.user, "referral", policy.Action.CHANGE, pk=referral_id
    )
    try:
        services.referral_transition(
            actor=request.user,
            organization=_acting_party(request, referral),
            referral=referral,
            to_status=payload.to_status,
            version=payload.version,
            reason=payload.reason,
            note=payload.note,
        )
    except ReferralConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except DjangoValidationError as error:
        errors = field_errors(error, field="to_status")
        # A refused change of state says why in the detail itself.
        detail = errors["to_status"][0] if "to_status" in errors else "入力内容に誤りがあります。"
        return invalid(errors, detail=detail)
    return _fresh(request, referral.pk)
