"""API of 多機関協働 cases and their 本人同意 (consents).

Like the pages: reads start from the policy's visible querysets and every
object answered carries the basis it is shown under; one record is opened
through ``get_or_404`` (which audits the view); writes go through
:mod:`tsunagu.cases.services`, made by the coordinating section (事務局)
holding the case. A consent is answered in the shape of a FHIR Consent, in
our names: status, grantor, members, organizations, purposes, method,
period, who recorded it and its withdrawal.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.accounts.models import Staff
from tsunagu.api.choices import api_choices
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import basis_label, changeable
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases import services
from tsunagu.cases.models import (
    PURPOSE_FIELDS,
    Case,
    CaseEvent,
    ClosureReason,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Grantor,
    Stage,
)
from tsunagu.cases.services import CaseConflict
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization
from tsunagu.referrals.models import Referral

# The choices under the API's own names (tsunagu/api/choices.py); to the type
# checker they are the model's choices, whose values they are.
if TYPE_CHECKING:
    CaseStage = Stage
else:
    CaseStage = api_choices("CaseStage", Stage)

#: Model field names as the payloads name them.
CASE_RENAMED = {
    "household": "household_id",
    "referral": "referral_id",
    "organization": "organization_id",
    "lead_organization": "lead_organization_id",
}
CONSENT_RENAMED = {
    "grantor": "grantor_id",
    "members": "member_ids",
    "organizations": "organization_ids",
    "obtained_by_organization": "obtained_by_organization_id",
    # The service reports "no purpose chosen" under the first purpose's flag.
    "for_information_sharing": "purposes",
    "withdrawal_note": "note",
}


# --- Schemas -------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str
    title: str
    stage: str
    stage_label: str = Field(..., alias="get_stage_display")
    household_id: int
    household_label: str = Field(..., alias="household.label")
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    lead_organization_id: int | None
    lead_organization: str | None
    opened_on: date
    stage_changed_at: datetime
    days_in_stage: int
    next_action: str
    next_action_on: date | None
    version: int
    basis: str
    basis_label: str

    @staticmethod
    def resolve_lead_organization(obj: Case) -> str | None:
        return obj.lead_organization.name if obj.lead_organization else None

    @staticmethod
    def resolve_days_in_stage(obj: Case) -> int:
        return obj.days_in_stage()

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class CaseTeamMemberOut(Schema):
    #: The membership (for leaving the team).
    id: int
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    role: str
    joined_on: date
    left_on: date | None


class CaseEventOut(Schema):
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    from_stage: str
    from_stage_label: str = Field(..., alias="get_from_stage_display")
    to_stage: str
    to_stage_label: str = Field(..., alias="get_to_stage_display")
    note: str
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    occurred_at: datetime


class CaseDetailOut(CaseOut):
    closure_reason: str
    closure_reason_label: str = Field(..., alias="get_closure_reason_display")
    evaluation: str
    closed_on: date | None
    follow_up_until: date | None
    #: Whether a consent in force (情報共有) covers the case now.
    consent_in_force: bool
    #: The stages the viewer may move the case to now (empty unless they hold it).
    allowed_stages: list[str]
    team: list[CaseTeamMemberOut] = Field(..., alias="current_team")
    events: list[CaseEventOut] = Field(..., alias="history")


class CaseIn(Schema):
    #: The household (not needed with ``referral_id``: the sheet's household).
    household_id: int | None = None
    title: str = Field(..., max_length=120)
    #: The coordinating section opening the case: one the staff member belongs
    #: to (by default the acting one, else their first).
    organization_id: int | None = None
    lead_organization_id: int | None = None
    opened_on: Day | None = None
    #: The つなぐシート that escalated the household to the coordinating section
    #: (addressed to it and accepted): it moves to 対応中, so its sender sees the case taken up.
    referral_id: int | None = None
    #: Organizations joining the support team (by default, with a sheet, its sender).
    team_organization_ids: list[int] | None = None
    #: The household's consultations that brought the case (by default, with a sheet, its own).
    consultation_ids: list[int] | None = None


class CaseTransitionIn(Schema):
    to_stage: CaseStage
    #: The version the change was made on (optimistic lock): 409 when outdated.
    version: int
    note: str = ""
    closure_reason: ClosureReason | Literal[""] = ""
    evaluation: str = ""
    follow_up_until: Day | None = None


class ConsentPersonOut(Schema):
    id: int
    full_name: str


class ConsentOrganizationOut(Schema):
    id: int
    name: str


class ConsentPeriodOut(Schema):
    start: date
    end: date | None


class ConsentOut(Schema):
    """本人同意, read like a FHIR Consent."""

    id: int
    case_id: int
    #: active (in force), inactive (not yet started or expired) or withdrawn.
    status: Literal["active", "inactive", "withdrawn"]
    status_label: str
    is_active: bool
    grantor_kind: str
    grantor_kind_label: str = Field(..., alias="get_grantor_kind_display")
    grantor: ConsentPersonOut
    representative_name: str
    representative_relationship: str
    members: list[ConsentPersonOut]
    organizations: list[ConsentOrganizationOut]
    covers_case_team: bool
    purposes: list[str]
    purpose_labels: list[str]
    method: str
    method_label: str = Field(..., alias="get_method_display")
    obtained_on: date
    obtained_by_organization: ConsentOrganizationOut
    period: ConsentPeriodOut
    note: str
    recorded_by: str
    recorded_at: datetime = Field(..., alias="created_at")
    withdrawn_at: datetime | None
    withdrawal_note: str
    basis: str
    basis_label: str

    @staticmethod
    def resolve_status(obj: Consent) -> str:
        if obj.withdrawn_at is not None:
            return "withdrawn"
        return "active" if obj.is_active() else "inactive"

    @staticmethod
    def resolve_is_active(obj: Consent) -> bool:
        return obj.is_active()

    @staticmethod
    def resolve_members(obj: Consent) -> list[Any]:
        return list(obj.members.all())

    @staticmethod
    def resolve_organizations(obj: Consent) -> list[Any]:
        return list(obj.organizations.all())

    @staticmethod
    def resolve_purpose_labels(obj: Consent) -> list[str]:
        return obj.purpose_labels()

    @staticmethod
    def resolve_period(obj: Consent) -> dict[str, Any]:
        return {"start": obj.valid_from, "end": obj.valid_until}

    @staticmethod
    def resolve_recorded_by(obj: Consent) -> str:
        return obj.created_by.full_name if obj.created_by else ""

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class ConsentIn(Schema):
    grantor_kind: Grantor = Grantor.PERSON
    #: The household member who agreed (for a representative: the person represented).
    grantor_id: int
    representative_name: str = Field("", max_length=60)
    representative_relationship: str = Field("", max_length=40)
    #: The household members the consent covers.
    member_ids: list[int]
    #: Organizations named in the consent.
    organization_ids: list[int] = []
    #: Every organization of the case team, including those that join later.
    covers_case_team: bool = False
    purposes: list[ConsentPurpose]
    method: ConsentMethod
    obtained_on: Day | None = None
    #: The organization that obtained it (by default the case's coordinating section).
    obtained_by_organization_id: int | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None
    note: str = ""


class ConsentWithdrawIn(Schema):
    #: When, to whom and how the person withdrew it.
    note: str


# --- Helpers -------------------------------------------------------------------------


def _cases(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return policy.visible(request.user, "case", action).select_related(
        "household", "organization", "lead_organization"
    )


def _case_detail(request: StaffRequest, case: Case, basis: Any) -> Case:
    case.basis = basis  # type: ignore[attr-defined]
    case.consent_in_force = services.consent_in_force(case) is not None  # type: ignore[attr-defined]
    may_change = policy.allowed(request.user, "case", case, [policy.Action.CHANGE])
    case.allowed_stages = (  # type: ignore[attr-defined]
        [str(stage) for stage in services.allowed_stages(case)]
        if may_change[policy.Action.CHANGE]
        else []
    )
    case.current_team = list(  # type: ignore[attr-defined]
        case.team.select_related("organization").order_by("joined_on", "pk")
    )
    case.history = list(  # type: ignore[attr-defined]
        CaseEvent.objects.filter(case=case)
        .select_related("organization")
        .order_by("occurred_at", "pk")
    )
    return case


def _fresh_case(request: StaffRequest, pk: int) -> Case:
    """The case as it is now, for the answer to a change (already audited as the change)."""
    case = _cases(request, policy.Action.VIEW).get(pk=pk)
    decision = policy.decide(request.user, policy.Action.VIEW, "case", case)
    return _case_detail(request, case, decision.basis)


def _consents(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return (
        policy.visible(request.user, "consent", action)
        .select_related("case", "grantor", "obtained_by_organization", "created_by")
        .prefetch_related("members", "organizations")
    )


def _fresh_consent(request: StaffRequest, pk: int) -> Consent:
    consent = _consents(request, policy.Action.VIEW).get(pk=pk)
    consent.basis = policy.decide(  # type: ignore[attr-defined]
        request.user, policy.Action.VIEW, "consent", consent
    ).basis
    return consent


def _refused(error: DjangoValidationError, renamed: dict[str, str], field: str) -> Status:
    """422 for a change the service refused, its first reason in the detail itself."""
    errors = field_errors(error, renamed, field=field)
    first = next((messages[0] for messages in errors.values() if messages), None)
    return invalid(errors, detail=first or "入力内容に誤りがあります。")


def _organization(request: StaffRequest, pk: int | None) -> Organization | None:
    if pk is None:
        return None
    return (
        policy.visible(request.user, "organization", policy.Action.VIEW)
        .filter(pk=pk, archived_at=None)
        .first()
    )


def _escalated_referral(
    request: StaffRequest,
    payload: CaseIn,
    organization: Organization | None,
    errors: dict[str, list[str]],
) -> Referral | None:
    """The つなぐシート a case is opened from, as the page offers it: addressed to
    the coordinating section opening the case, held by it (受理 or later) and
    naming a household. ``None`` (with the reason in ``errors``) otherwise."""
    if payload.referral_id is None:
        if payload.household_id is None:
            errors["household_id"] = ["世帯か、つなぐシートを指定してください。"]
        return None
    referral: Referral | None = (
        policy.visible(request.user, "referral", policy.Action.VIEW)
        .filter(pk=payload.referral_id)
        .first()
    )
    if referral is None or not policy.decide(
        request.user, policy.Action.VIEW, "referral", referral
    ):
        errors["referral_id"] = ["指定されたつなぐシートが見つかりません。"]
        return None
    # Which sheets may escalate a case is the service's rule (cases.services.case_open).
    if referral.household_id is None:
        errors["referral_id"] = ["このつなぐシートには世帯が記録されていません。"]
    return None if "referral_id" in errors else referral


# --- Cases ---------------------------------------------------------------------------

router: Router = Router(tags=["多機関協働ケース"])


@router.get(
    "/cases",
    response={200: list[CaseOut], **ERRORS},
    summary="多機関協働ケースの一覧",
    description="閲覧できるケース（事務局・本人同意・支援会議・緊急時の閲覧）だけが、"
    "閲覧の根拠（basis）とともに返ります。stage で段階を絞り込めます。",
)
@paginate(BasisPagination, resource="case")
@policy.route("case", policy.Action.LIST)
def case_list(request: StaffRequest, stage: CaseStage | None = None) -> Any:
    audit_record(
        AuditAction.LIST,
        object_type="cases.case",
        detail={"via": "api", **({"stage": str(stage)} if stage else {})},
    )
    cases = _cases(request, policy.Action.LIST).filter(archived_at=None)
    if stage is not None:
        cases = cases.filter(stage=stage)
    return cases.order_by("-opened_on", "-pk")


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, **ERRORS},
    summary="多機関協働ケース（支援チーム・履歴つき）",
)
@policy.route("case", policy.Action.VIEW)
def case_detail(request: StaffRequest, case_id: int) -> Any:
    case, decision = policy.get_or_404(request.user, "case", policy.Action.VIEW, pk=case_id)
    return _case_detail(request, case, decision.basis)


@router.post(
    "/cases",
    response={201: CaseDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="多機関協働ケースの受付",
    description="多機関協働事務局の職員が、世帯のケースを受け付けます。"
    "世帯は、事務局が記録を扱える（緊急時の閲覧ではない根拠のある）世帯に限ります。"
    "referral_id に、事務局あてに受理したつなぐシートを指定すると、その世帯のケースとして受け付け、"
    "シートは「対応中」になります（つなぐ元にも表示されます）。",
)
@policy.route("case", policy.Action.CREATE)
def case_create(request: StaffRequest, payload: CaseIn) -> Any:
    coordinating = policy.coordinating_organization_ids(request.user)
    errors: dict[str, list[str]] = {}
    organization_id = payload.organization_id
    if organization_id is None:
        organization_id = acting_organization_id(request, coordinating, resource="case")
    organization = (
        _organization(request, organization_id) if organization_id in coordinating else None
    )
    if organization is None:
        errors["organization_id"] = [
            "ケースを受け付ける機関には、所属している多機関協働事務局を指定してください。"
        ]
    referral = _escalated_referral(request, payload, organization, errors)
    if referral is not None and payload.household_id is None:
        # The sheet's household: case_open refuses a sheet the section does not
        # hold, and holding one is the basis to its household.
        household = referral.household
    else:
        household = changeable(request, "household", payload.household_id)
    if household is None and "referral_id" not in errors:
        errors.setdefault(
            "household_id", ["指定された世帯が見つからないか、ケースにする権限がありません。"]
        )
    lead = _organization(request, payload.lead_organization_id)
    if payload.lead_organization_id is not None and lead is None:
        errors["lead_organization_id"] = ["指定された主担当機関が見つかりません。"]
    # What the page's form suggests for a sheet: its sender in the team, its consultation.
    team_ids = payload.team_organization_ids
    if team_ids is None:
        team_ids = [referral.from_organization_id] if referral is not None else []
    team = list(
        policy.visible(request.user, "organization", policy.Action.VIEW)
        .filter(pk__in=set(team_ids), archived_at=None)
        .exclude(kind=Organization.Kind.EXTERNAL)
    )
    if len(team) != len(set(team_ids)):
        errors["team_organization_ids"] = ["指定された支援チームの機関が見つかりません。"]
    consultation_ids = payload.consultation_ids
    if consultation_ids is None:
        consultation_ids = (
            [referral.consultation_id] if referral is not None and referral.consultation_id else []
        )
    consultations = list(
        policy.visible(request.user, "consultation", policy.Action.VIEW).filter(
            pk__in=set(consultation_ids), household=household
        )
    )
    if household is not None and len(consultations) != len(set(consultation_ids)):
        if payload.consultation_ids is None:
            consultations = []  # the sheet's consultation is not the coordinator's to see
        else:
            errors["consultation_ids"] = ["指定された相談受付がこの世帯に見つかりません。"]
    if errors or organization is None or household is None:
        return invalid(errors)
    try:
        case = services.case_open(
            actor=request.user,
            organization=organization,
            household=household,
            title=payload.title,
            opened_on=payload.opened_on,
            referral=referral,
            consultations=consultations,
            lead_organization=lead,
            team=team,
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, CASE_RENAMED))
    return Status(201, _fresh_case(request, case.pk))


@router.post(
    "/cases/{case_id}/transition",
    response={200: CaseDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="多機関協働ケースの段階の変更（同意取得・終結など）",
    description="段階表で許された変更だけができます（同意・確定したプラン・終結理由などの条件つき）。"
    "表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("case", policy.Action.CHANGE)
def case_transition(request: StaffRequest, case_id: int, payload: CaseTransitionIn) -> Any:
    # CHANGE needs the coordinator basis: the section holding the case.
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=case_id)
    try:
        services.case_transition(
            actor=request.user,
            case=case,
            to_stage=payload.to_stage,
            version=payload.version,
            note=payload.note,
            closure_reason=payload.closure_reason,
            evaluation=payload.evaluation,
            follow_up_until=payload.follow_up_until,
        )
    except CaseConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except DjangoValidationError as error:
        return _refused(error, {}, field="to_stage")
    return _fresh_case(request, case.pk)


# --- Consents ------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/consents",
    response={200: list[ConsentOut], **ERRORS},
    summary="ケースの本人同意",
    description="撤回・期間満了のものを含め、新しい順に返します（status で有効かどうか）。",
)
@paginate(BasisPagination, resource="consent")
@policy.route("consent", policy.Action.LIST)
def consent_list(request: StaffRequest, case_id: int) -> Any:
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.VIEW, pk=case_id)
    audit_record(
        AuditAction.LIST, object_type="cases.consent", detail={"via": "api", "case": case.pk}
    )
    return (
        _consents(request, policy.Action.LIST)
        .filter(case=case, archived_at=None)
        .order_by("-obtained_on", "-pk")
    )


@router.post(
    "/cases/{case_id}/consents",
    response={201: ConsentOut, 422: FormErrorsOut, **ERRORS},
    summary="本人同意の記録",
    description="同意した本人（または代理人）、対象の世帯員、共有先の機関（または支援チームの全機関）、"
    "目的、方法、有効期間を記録します。記録した時点から、共有先の機関が閲覧できるようになります。",
)
@policy.route("consent", policy.Action.CREATE)
def consent_create(request: StaffRequest, case_id: int, payload: ConsentIn) -> Any:
    # Recording a consent is a change of the case: the coordinating section holding it.
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=case_id)
    errors: dict[str, list[str]] = {}
    persons = policy.visible(request.user, "person", policy.Action.VIEW)
    grantor = persons.filter(pk=payload.grantor_id).first()
    if grantor is None:
        errors["grantor_id"] = ["指定された本人が見つかりません。"]
    wanted_members = set(payload.member_ids)
    members = list(persons.filter(pk__in=wanted_members))
    if len(members) != len(wanted_members):
        errors["member_ids"] = ["指定された世帯員が見つかりません。"]
    wanted_organizations = set(payload.organization_ids)
    organizations = list(
        policy.visible(request.user, "organization", policy.Action.VIEW).filter(
            pk__in=wanted_organizations, archived_at=None
        )
    )
    if len(organizations) != len(wanted_organizations):
        errors["organization_ids"] = ["指定された共有先の機関が見つかりません。"]
    obtained_by = (
        case.organization
        if payload.obtained_by_organization_id is None
        else _organization(request, payload.obtained_by_organization_id)
    )
    if obtained_by is None:
        errors["obtained_by_organization_id"] = ["指定された同意を得た機関が見つかりません。"]
    purposes = set(payload.purposes)
    values: dict[str, Any] = {
        "grantor_kind": payload.grantor_kind,
        "representative_name": payload.representative_name.strip(),
        "representative_relationship": payload.representative_relationship.strip(),
        "covers_case_team": payload.covers_case_team,
        "method": payload.method,
        "note": payload.note,
        **{field: purpose in purposes for purpose, field in PURPOSE_FIELDS.items()},
    }
    for name in ("obtained_on", "valid_from", "valid_until"):
        if getattr(payload, name) is not None:
            values[name] = getattr(payload, name)
    if errors or grantor is None or obtained_by is None:
        return invalid(errors)
    consent = Consent(grantor=grantor, obtained_by_organization=obtained_by, **values)
    try:
        consent.full_clean(exclude=["case"])
        consent = services.consent_record(
            actor=request.user,
            case=case,
            consent=consent,
            members=members,
            organizations=organizations,
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, CONSENT_RENAMED))
    return Status(201, _fresh_consent(request, consent.pk))


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, 422: FormErrorsOut, **ERRORS},
    summary="本人同意の撤回",
    description="撤回した時点から、この同意に基づく閲覧はできなくなります。"
    "ほかに有効な同意がなければ、ケースは「支援会議で検討」に戻ります。",
)
@policy.route("consent", policy.Action.CHANGE)
def consent_withdraw(request: StaffRequest, consent_id: int, payload: ConsentWithdrawIn) -> Any:
    consent, _decision = policy.get_or_404(
        request.user, "consent", policy.Action.CHANGE, pk=consent_id
    )
    try:
        services.consent_withdraw(actor=request.user, consent=consent, note=payload.note)
    except DjangoValidationError as error:
        return _refused(error, CONSENT_RENAMED, field="__all__")
    return _fresh_consent(request, consent.pk)


# --- Changes of the case page: the lead and next action, the support team ------------


class CaseUpdateIn(Schema):
    #: The version the change was made on (optimistic lock): 409 when outdated.
    version: int
    title: str = Field(..., max_length=120)
    #: 主担当機関 (joins the support team); null for none.
    lead_organization_id: int | None = None
    #: 主担当者: a staff member of the municipality (not a guest); null for none.
    lead_staff_id: int | None = None
    next_action: str = Field("", max_length=200)
    next_action_on: Day | None = None


class CaseTeamMemberIn(Schema):
    organization_id: int
    role: str = Field("", max_length=200)


@router.put(
    "/cases/{case_id}",
    response={200: CaseDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="多機関協働ケースの更新（主担当・次の対応・概要）",
    description="ケースを担当する多機関協働事務局が、主担当機関・主担当者・次の対応と期日・概要を"
    "変更します。主担当機関は支援チームに加わります。表示した後に他の職員が更新していた場合は "
    "409 を返し、何も変えません。",
)
@policy.route("case", policy.Action.CHANGE)
def case_update(request: StaffRequest, case_id: int, payload: CaseUpdateIn) -> Any:
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=case_id)
    errors: dict[str, list[str]] = {}
    if not payload.title.strip():
        errors["title"] = ["ケースの概要を入力してください。"]
    lead = _organization(request, payload.lead_organization_id)
    if payload.lead_organization_id is not None and lead is None:
        errors["lead_organization_id"] = ["指定された主担当機関が見つかりません。"]
    lead_staff = None
    if payload.lead_staff_id is not None:
        # The staff the page offers: the municipality's own, not external guests.
        lead_staff = Staff.objects.filter(
            pk=payload.lead_staff_id, is_guest=False, is_active=True
        ).first()
        if lead_staff is None:
            errors["lead_staff_id"] = ["指定された主担当者が見つかりません。"]
    if errors:
        return invalid(errors)
    try:
        services.case_update(
            actor=request.user,
            case=case,
            version=payload.version,
            lead_organization=lead,
            lead_staff=lead_staff,
            next_action=payload.next_action,
            next_action_on=payload.next_action_on,
            title=payload.title,
        )
    except CaseConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except DjangoValidationError as error:
        return _refused(error, CASE_RENAMED, field="__all__")
    return _fresh_case(request, case.pk)


@router.post(
    "/cases/{case_id}/team",
    response={201: CaseDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="支援チームへの機関の参加",
    description="ケースを担当する多機関協働事務局が、機関を支援チームに加えます（役割を添えて）。"
    "「支援チームの全機関」と共有する本人同意は、加わった機関も対象になります。",
)
@policy.route("case", policy.Action.CHANGE)
def case_team_add(request: StaffRequest, case_id: int, payload: CaseTeamMemberIn) -> Any:
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=case_id)
    organization = _organization(request, payload.organization_id)
    if organization is None:
        return invalid({"organization_id": ["指定された機関が見つかりません。"]})
    try:
        services.case_team_add(
            actor=request.user, case=case, organization=organization, role=payload.role.strip()
        )
    except DjangoValidationError as error:
        return _refused(error, CASE_RENAMED, field="organization_id")
    return Status(201, _fresh_case(request, case.pk))


@router.post(
    "/cases/{case_id}/team/{member_id}/leave",
    response={200: CaseDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="支援チームからの機関の離脱",
    description="ケースを担当する多機関協働事務局が、機関を支援チームから外します（member_id は "
    "team の id）。「支援チームの全機関」と共有する本人同意は、この時点からその機関を対象にしません。"
    "事務局自身は外せません。",
)
@policy.route("case", policy.Action.CHANGE)
def case_team_leave(request: StaffRequest, case_id: int, member_id: int) -> Any:
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=case_id)
    member = case.team.filter(pk=member_id).select_related("organization").first()
    if member is None:
        return invalid(
            {"__all__": ["この機関は支援チームに入っていません。"]},
            detail="この機関は支援チームに入っていません。",
        )
    try:
        services.case_team_leave(actor=request.user, case=case, member=member)
    except DjangoValidationError as error:
        return _refused(error, CASE_RENAMED, field="__all__")
    return _fresh_case(request, case.pk)
