"""API of residents' identities: persons (本人) and households (世帯).

Like the pages, every read starts from the policy's visible queryset and every
object answered carries the basis it is shown under; writes go through the
services, for the organization the staff member acts for.

The helpers at the top (pages labelled with bases, the acting organization,
Japanese field errors) are shared by the consultation and referral APIs.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.errors import ERRORS, INVALID, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import (
    acting_casework_organization,
    basis_label,
    changeable,
    district_or_error,
)
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization
from tsunagu.people import selectors, services
from tsunagu.people.models import Household, HouseholdMembership, Person, Relationship, Sex

# --- Schemas -------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    full_name: str
    full_name_kana: str
    sex: str
    sex_label: str = Field(..., alias="get_sex_display")
    birth_date: date | None
    address: str
    district_id: int | None
    phone: str
    language_note: str
    nationality_note: str
    registered_by_id: int
    merged_into_id: int | None
    archived: bool
    basis: str
    basis_label: str

    @staticmethod
    def resolve_archived(obj: Person) -> bool:
        return obj.archived_at is not None

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class PersonMembershipOut(Schema):
    household_id: int
    relationship: str
    relationship_label: str = Field(..., alias="get_relationship_display")
    started_on: date
    ended_on: date | None


class PersonDetailOut(PersonOut):
    #: Households the person belongs or belonged to, among those the viewer may see.
    households: list[PersonMembershipOut]

    @staticmethod
    def resolve_households(obj: Any) -> list[Any]:
        return getattr(obj, "visible_memberships", [])


class PersonIn(Schema):
    family_name: str
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    sex: Sex = Sex.UNKNOWN
    birth_date: Day | None = None
    address: str = ""
    district_id: int | None = None
    phone: str = ""
    language_note: str = ""
    nationality_note: str = ""


class HouseholdOut(Schema):
    id: int
    number: str
    label: str
    address: str
    district_id: int | None
    phone: str
    note: str
    registered_by_id: int
    registered_by: str = Field(..., alias="registered_by.name")
    archived: bool
    basis: str
    basis_label: str

    @staticmethod
    def resolve_archived(obj: Household) -> bool:
        return obj.archived_at is not None

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class MemberOut(Schema):
    #: The membership (to end it: POST /memberships/{membership_id}/end).
    membership_id: int = Field(..., alias="id")
    person_id: int
    full_name: str = Field(..., alias="person.full_name")
    full_name_kana: str = Field(..., alias="person.full_name_kana")
    birth_date: date | None = Field(..., alias="person.birth_date")
    relationship: str
    relationship_label: str = Field(..., alias="get_relationship_display")
    started_on: date
    ended_on: date | None
    end_reason: str


class TimelineEventOut(Schema):
    at: datetime
    kind: str
    title: str
    organization: str
    basis: str
    basis_label: str
    url: str
    detail: str
    badges: list[str]


class OpenReferralOut(Schema):
    id: int
    number: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    from_organization: str = Field(..., alias="from_organization.name")
    to_organization: str = Field(..., alias="to_organization.name")
    due_on: date


class InvolvedOrganizationOut(Schema):
    name: str
    roles: list[str]


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]
    former_members: list[MemberOut]
    timeline: list[TimelineEventOut]
    open_referrals: list[OpenReferralOut]
    organizations: list[InvolvedOrganizationOut]


class HouseholdIn(Schema):
    head_person_id: int
    relationship: Relationship = Relationship.HEAD
    address: str = ""
    district_id: int | None = None
    phone: str = ""
    note: str = ""


# --- Persons ---------------------------------------------------------------------------

router: Router = Router(tags=["本人・世帯"])


@router.get(
    "/persons",
    response={200: list[PersonOut], **ERRORS},
    summary="本人の一覧・氏名検索",
    description="q を指定すると、氏名（漢字・ふりがな、異体字を同一視）または生年月日で検索します"
    "（検索結果は最大50件）。閲覧できる本人だけが、閲覧の根拠（basis）とともに返ります。",
)
@paginate(BasisPagination, resource="person")
@policy.route("person", policy.Action.LIST)
def person_list(request: StaffRequest, q: str = "") -> Any:
    query = q.strip()[:100]
    if query:
        found = list(selectors.person_search(request.user, query))
        audit_record(
            AuditAction.SEARCH,
            object_type="people.person",
            detail={"via": "api", "query": query, "results": [p.pk for p in found][:100]},
        )
        return found
    audit_record(AuditAction.LIST, object_type="people.person", detail={"via": "api"})
    return (
        policy.visible(request.user, "person", policy.Action.LIST)
        .filter(archived_at=None)
        .order_by("kana_key", "pk")
    )


def _person_detail(request: StaffRequest, person: Person, basis: Any) -> Person:
    person.basis = basis  # type: ignore[attr-defined]
    person.visible_memberships = list(  # type: ignore[attr-defined]
        HouseholdMembership.objects.filter(
            person=person,
            household_id__in=policy.visible(request.user, "household", policy.Action.VIEW).values(
                "pk"
            ),
        ).order_by("started_on", "pk")
    )
    return person


@router.get("/persons/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="本人")
@policy.route("person", policy.Action.VIEW)
def person_detail(request: StaffRequest, person_id: int) -> Any:
    person, decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_id)
    return _person_detail(request, person, decision.basis)


@router.post(
    "/persons",
    response={201: PersonDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="本人の登録",
)
@policy.route("person", policy.Action.CREATE)
def person_create(request: StaffRequest, payload: PersonIn) -> Any:
    organization = acting_casework_organization(request, "person")
    data = payload.dict()
    errors: dict[str, list[str]] = {}
    district = district_or_error(request, data.pop("district_id"), errors)
    if errors:
        return invalid(errors)
    try:
        person = services.person_create(
            actor=request.user,
            organization=organization,
            person=Person(**data, district=district),
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, {"district": "district_id"}))
    decision = policy.decide(request.user, policy.Action.VIEW, "person", person)
    return Status(201, _person_detail(request, person, decision.basis))


# --- Households ------------------------------------------------------------------------


@router.get("/households", response={200: list[HouseholdOut], **ERRORS}, summary="世帯の一覧")
@paginate(BasisPagination, resource="household")
@policy.route("household", policy.Action.LIST)
def household_list(request: StaffRequest) -> Any:
    audit_record(AuditAction.LIST, object_type="people.household", detail={"via": "api"})
    return (
        policy.visible(request.user, "household", policy.Action.LIST)
        .filter(archived_at=None)
        .select_related("registered_by")
        .order_by("-pk")
    )


def _household_detail(request: StaffRequest, household: Household, basis: Any) -> Any:
    view = selectors.household_view(request.user, household, basis)
    # get_or_404 recorded the view of the household; this event lists the
    # records shown with it (as the household page does).
    audit_record(
        AuditAction.LIST,
        obj=household,
        basis=basis or "",
        detail={"shown": view.shown, "page": "household", "via": "api"},
    )
    household.basis = basis  # type: ignore[attr-defined]
    household.members = view.members  # type: ignore[attr-defined]
    household.former_members = view.former_members  # type: ignore[attr-defined]
    household.timeline = [  # type: ignore[attr-defined]
        {
            "at": event.at,
            "kind": event.kind,
            "title": event.title,
            "organization": event.organization,
            "basis": event.basis,
            "basis_label": event.basis_label,
            "url": event.url,
            "detail": event.detail,
            "badges": [str(badge) for badge in event.badges],
        }
        for event in view.timeline
    ]
    household.open_referrals = view.open_referrals  # type: ignore[attr-defined]
    household.organizations = [  # type: ignore[attr-defined]
        {"name": name, "roles": roles} for name, roles in view.organizations
    ]
    return household


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **ERRORS},
    summary="世帯（世帯員・家族年表）",
)
@policy.route("household", policy.Action.VIEW)
def household_detail(request: StaffRequest, household_id: int) -> Any:
    household, decision = policy.get_or_404(
        request.user, "household", policy.Action.VIEW, pk=household_id
    )
    return _household_detail(request, household, decision.basis)


@router.post(
    "/households",
    response={201: HouseholdDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="世帯の登録",
)
@policy.route("household", policy.Action.CREATE)
def household_create(request: StaffRequest, payload: HouseholdIn) -> Any:
    organization = acting_casework_organization(request, "household")
    data = payload.dict()
    errors: dict[str, list[str]] = {}
    district = district_or_error(request, data.pop("district_id"), errors)
    head = changeable(request, "person", data.pop("head_person_id"))
    if head is None:
        errors["head_person_id"] = [
            "指定された本人が見つからないか、世帯に加える権限がありません。"
        ]
    if errors or head is None:
        return invalid(errors)
    relationship = data.pop("relationship")
    household = Household(**data, district=district)
    try:
        household.full_clean(exclude=["registered_by", "label"])
        household = services.household_create(
            actor=request.user,
            organization=organization,
            household=household,
            head=head,
            relationship=relationship,
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, {"district": "district_id"}, field="head_person_id"))
    household = (
        policy.visible(request.user, "household", policy.Action.VIEW)
        .select_related("registered_by")
        .get(pk=household.pk)
    )
    decision = policy.decide(request.user, policy.Action.VIEW, "household", household)
    return Status(201, _household_detail(request, household, decision.basis))


# --- Household members -----------------------------------------------------------------


class HouseholdMemberIn(Schema):
    """A member to add: an existing person (``person_id``) or a new one (``person``)."""

    #: A person the staff member may change; if they belong to another
    #: household, that membership ends on ``started_on`` (a move).
    person_id: int | None = None
    #: A person to register (for the acting organization) and add.
    person: PersonIn | None = None
    relationship: Relationship
    #: 加入日 (by default today).
    started_on: Day | None = None


class HouseholdMembershipOut(Schema):
    id: int
    household_id: int
    person_id: int
    full_name: str = Field(..., alias="person.full_name")
    relationship: str
    relationship_label: str = Field(..., alias="get_relationship_display")
    started_on: date
    ended_on: date | None
    end_reason: str


class HouseholdMembershipEndIn(Schema):
    #: 離脱日.
    ended_on: Day
    #: 離脱の理由 (転出、施設入所、死亡 …).
    end_reason: str = Field(..., max_length=200)


#: The person's model field names as the nested payload names them.
MEMBER_PERSON_RENAMED = {
    name: f"person.{name}" for name in PersonIn.model_fields if name != "district_id"
} | {"district": "person.district_id"}


def _new_member_person(
    request: StaffRequest, organization: Organization, payload: PersonIn
) -> Person:
    """Register the new member as the page does (services.person_create, audited)."""
    data = payload.dict()
    errors: dict[str, list[str]] = {}
    district = district_or_error(request, data.pop("district_id"), errors)
    if errors:
        raise DjangoValidationError({"district": errors["district_id"]})
    return services.person_create(
        actor=request.user, organization=organization, person=Person(**data, district=district)
    )


@router.post(
    "/households/{household_id}/members",
    response={201: HouseholdMembershipOut, 422: FormErrorsOut, **ERRORS},
    summary="世帯員の追加（世帯間の移動を含む）",
    description="続柄を指定して、既存の本人（person_id）または新しく登録する本人（person）を"
    "世帯員に加えます。既存の本人が別の世帯に属している場合は、加入日にその世帯から離脱し、"
    "この世帯へ移動します（元の世帯員の記録は残ります）。"
    "既存の本人は、変更できる（緊急時の閲覧ではない根拠のある）本人に限ります。",
)
@policy.route("household", policy.Action.CHANGE)
def household_member_add(
    request: StaffRequest, household_id: int, payload: HouseholdMemberIn
) -> Any:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_id
    )
    # As the member page: a new person is registered for the acting casework organization.
    organization = acting_casework_organization(request, "household")
    if (payload.person_id is None) == (payload.person is None):
        return invalid(
            {
                "person_id": [
                    "既存の本人（person_id）か新しい本人（person）のどちらか一方を指定してください。"
                ]
            }
        )
    person: Any = None
    if payload.person_id is not None:
        try:
            person, _d = policy.get_or_404(
                request.user, "person", policy.Action.CHANGE, pk=payload.person_id
            )
        except Http404:
            return invalid(
                {"person_id": ["指定された本人が見つからないか、世帯に加える権限がありません。"]}
            )
    try:
        with transaction.atomic():
            if payload.person is not None:
                person = _new_member_person(request, organization, payload.person)
            membership = services.household_member_add(
                actor=request.user,
                household=household,
                person=person,
                relationship=payload.relationship,
                started_on=payload.started_on,
            )
    except DjangoValidationError as error:
        errors = field_errors(error, MEMBER_PERSON_RENAMED, field="person_id")
        return invalid(errors, detail=_first_message(errors))
    return Status(201, membership)


@router.post(
    "/memberships/{membership_id}/end",
    response={200: HouseholdMembershipOut, 422: FormErrorsOut, **ERRORS},
    summary="世帯員の離脱",
    description="転出・施設入所・死亡などで世帯員が世帯を離れたことを、離脱日と理由とともに記録します"
    "（世帯員の記録は残ります）。",
)
@policy.route("household", policy.Action.CHANGE)
def household_member_end(
    request: StaffRequest, membership_id: int, payload: HouseholdMembershipEndIn
) -> Any:
    membership = HouseholdMembership.objects.filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    # As the page: the change is one of the household the membership is in.
    policy.get_or_404(request.user, "household", policy.Action.CHANGE, pk=membership.household_id)
    try:
        membership = services.household_member_end(
            actor=request.user,
            membership=membership,
            ended_on=payload.ended_on,
            reason=payload.end_reason,
        )
    except DjangoValidationError as error:
        errors = field_errors(error)
        return invalid(errors, detail=_first_message(errors))
    return membership


def _first_message(errors: dict[str, list[str]]) -> str:
    return next((messages[0] for messages in errors.values() if messages), INVALID)


# --- Editing, archiving and merging (as the household and person pages) ----------------


class HouseholdUpdateIn(Schema):
    """The household's own fields, as the household's edit page has them."""

    address: str = Field("", max_length=200)
    district_id: int | None = None
    phone: str = Field("", max_length=30)
    note: str = ""


class HouseholdArchiveIn(Schema):
    #: アーカイブの理由 (the household's records stay).
    reason: str = Field(..., max_length=200)


class PersonArchiveIn(Schema):
    #: アーカイブの理由 (the person's records stay).
    reason: str = Field(..., max_length=200)


class PersonMergeIn(Schema):
    #: 統合の理由.
    reason: str = Field(..., max_length=200)


class PersonMergeUndoIn(Schema):
    #: 取り消しの理由.
    reason: str = Field(..., max_length=200)


class PersonMergeOut(Schema):
    id: int
    #: The record kept; every record that named the other now names it.
    survivor_id: int
    #: The record made part of the survivor (archived, pointing at it).
    absorbed_id: int
    reason: str
    merged_by_id: int
    merged_at: datetime
    undone_by_id: int | None
    undone_at: datetime | None
    undo_reason: str


#: The reason's model field names as the payloads name them.
REASON_RENAMED = {"archive_reason": "reason", "undo_reason": "reason"}


def _with_basis(request: StaffRequest, resource: str, record: Any) -> Any:
    """``record`` fresh from the visible queryset, with the basis it is now seen under."""
    decision = policy.decide(request.user, policy.Action.VIEW, resource, record)
    record.basis = decision.basis
    return record


@router.put(
    "/households/{household_id}",
    response={200: HouseholdOut, 422: FormErrorsOut, **ERRORS},
    summary="世帯の情報の更新",
    description="世帯の住所・日常生活圏域・電話番号・世帯の状況を更新します（世帯の編集画面と同じ）。"
    "すべての項目を送ってください（送らない項目は空になります）。"
    "変更した項目名（値は含みません）が監査記録に残ります。",
)
@policy.route("household", policy.Action.CHANGE)
def household_update(request: StaffRequest, household_id: int, payload: HouseholdUpdateIn) -> Any:
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_id
    )
    data = payload.dict()
    errors: dict[str, list[str]] = {}
    district = district_or_error(request, data.pop("district_id"), errors)
    if errors:
        return invalid(errors)
    changed = [name for name, value in data.items() if getattr(household, name) != value]
    if district != household.district:
        changed.append("district")
    for name, value in data.items():
        setattr(household, name, value)
    household.district = district
    try:
        services.household_update(actor=request.user, household=household, changed=changed)
    except DjangoValidationError as error:
        return invalid(field_errors(error, {"district": "district_id"}))
    return _with_basis(request, "household", household)


@router.post(
    "/households/{household_id}/archive",
    response={200: HouseholdOut, 422: FormErrorsOut, **ERRORS},
    summary="世帯のアーカイブ",
    description="世帯を一覧から外します。記録は削除されず、理由・日時・職員とともに残ります"
    "（世帯のアーカイブ画面と同じ）。",
)
@policy.route("household", policy.Action.ARCHIVE)
def household_archive(request: StaffRequest, household_id: int, payload: HouseholdArchiveIn) -> Any:
    from tsunagu.core.services import tracked_archive

    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.ARCHIVE, pk=household_id
    )
    try:
        tracked_archive(actor=request.user, instance=household, reason=payload.reason)
    except DjangoValidationError as error:
        return invalid(field_errors(error, REASON_RENAMED, field="reason"))
    return _with_basis(request, "household", household)


@router.post(
    "/persons/{person_id}/archive",
    response={200: PersonOut, 422: FormErrorsOut, **ERRORS},
    summary="本人のアーカイブ",
    description="本人の記録を一覧・検索から外します。記録は削除されず、理由・日時・職員とともに"
    "残ります（本人のアーカイブ画面と同じ）。",
)
@policy.route("person", policy.Action.CHANGE)
def person_archive(request: StaffRequest, person_id: int, payload: PersonArchiveIn) -> Any:
    person, _decision = policy.get_or_404(
        request.user, "person", policy.Action.ARCHIVE, pk=person_id
    )
    try:
        services.person_archive(actor=request.user, person=person, reason=payload.reason)
    except DjangoValidationError as error:
        return invalid(field_errors(error, REASON_RENAMED, field="reason"))
    return _with_basis(request, "person", person)


@router.post(
    "/persons/{person_id}/merge/{other_person_id}",
    response={201: PersonMergeOut, 422: FormErrorsOut, **ERRORS},
    summary="本人の記録の統合",
    description="同じ人の2つの記録を1つにします。other_person_id の記録（世帯歴・相談・つなぎ・"
    "同意・プランなど）は person_id の記録に移り、other_person_id の記録は統合先を示して"
    "アーカイブされます。移した記録は1件ずつ残るので、機関管理者・多機関協働事務局は"
    "統合を取り消せます。どちらの記録も変更できる（緊急時の閲覧ではない根拠のある）本人に限ります。",
)
@policy.route("person_merge", policy.Action.CREATE)
def person_merge(
    request: StaffRequest, person_id: int, other_person_id: int, payload: PersonMergeIn
) -> Any:
    survivor, _d1 = policy.get_or_404(request.user, "person", policy.Action.CHANGE, pk=person_id)
    absorbed, _d2 = policy.get_or_404(
        request.user, "person", policy.Action.CHANGE, pk=other_person_id
    )
    try:
        merge = services.person_merge(
            actor=request.user, survivor=survivor, absorbed=absorbed, reason=payload.reason
        )
    except DjangoValidationError as error:
        errors = field_errors(error, field="__all__")
        return invalid(errors, detail=_first_message(errors))
    return Status(201, merge)


@router.post(
    "/person-merges/{merge_id}/undo",
    response={200: PersonMergeOut, 422: FormErrorsOut, **ERRORS},
    summary="本人の記録の統合の取り消し",
    description="統合で移したすべての記録を元の本人の記録に戻し、その記録のアーカイブを解除します"
    "（統合の一覧画面の取り消しと同じ）。すでに取り消された統合は取り消せません（422）。",
)
@policy.route("person_merge", policy.Action.CHANGE)
def person_merge_undo(request: StaffRequest, merge_id: int, payload: PersonMergeUndoIn) -> Any:
    merge, _decision = policy.get_or_404(
        request.user, "person_merge", policy.Action.CHANGE, pk=merge_id
    )
    try:
        merge = services.person_merge_undo(actor=request.user, merge=merge, reason=payload.reason)
    except DjangoValidationError as error:
        errors = field_errors(error, REASON_RENAMED, field="__all__")
        return invalid(errors, detail=_first_message(errors))
    return merge
