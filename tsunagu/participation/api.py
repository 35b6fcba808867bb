"""API of 参加支援: a person's participation profile (the acting organization's),
resources suggested for them with the reasons, and each path into a resource
(提案 → 見学・体験 → 参加中 → 定着 → 終了 / 中断) with its follow-ups and the
support given to the host.

Like the pages: the person is opened through the policy first (404 when the
viewer has no basis to them), every record answered carries the basis it is
shown under, and writes go through :mod:`tsunagu.participation.services`
for the organization that supports the person. A change made on an outdated
version is answered 409.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.api.choices import api_choices
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import (
    LINKING_BASES,
    acting_casework_organization,
    basis_label,
    linkable_case,
)
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.participation import matching, services
from tsunagu.participation.models import (
    EventKind,
    GroupSize,
    Pace,
    Participation,
    ParticipationEvent,
    ParticipationProfile,
    Stage,
    TimeOfDay,
    Travel,
)
from tsunagu.participation.services import ParticipationConflict
from tsunagu.plans.models import SupportPlan
from tsunagu.resources.models import Ease

# The choices under the API's own names (tsunagu/api/choices.py); to the type
# checker they are the model's choices, whose values they are.
if TYPE_CHECKING:
    ParticipationStage = Stage
else:
    ParticipationStage = api_choices("ParticipationStage", Stage)

#: Model field names as the payloads name them.
RENAMED = {"resource": "resource_id", "case": "case_id", "plan": "plan_id"}
#: RFC 5545 weekday codes (resources.models.WEEKDAYS).
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
NO_PROFILE = "この機関の参加支援プロフィールはまだありません。先にプロフィールを登録してください。"


def _conflict() -> Status:
    return Status(409, {"detail": str(ParticipationConflict.message)})


# --- Schemas -------------------------------------------------------------------------


class ProfileOut(Schema):
    id: int
    person_id: int
    household_id: int | None
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    interests: list[str]
    strengths: list[str]
    days: list[str]
    times: list[str]
    group_size: str
    group_size_label: str = Field(..., alias="get_group_size_display")
    travel: str
    travel_label: str = Field(..., alias="get_travel_display")
    pace: str
    pace_label: str = Field(..., alias="get_pace_display")
    preferences: list[str]
    preference_labels: list[str]
    wishes: str
    constraints_note: str
    version: int
    updated_at: datetime
    basis: str
    basis_label: str

    @staticmethod
    def resolve_preference_labels(obj: ParticipationProfile) -> list[str]:
        return [str(Ease(code).label) for code in obj.preferences if code in Ease.values]

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class ProfileIn(Schema):
    interests: list[str] = []
    strengths: list[str] = []
    #: RFC 5545 weekday codes (MO … SU).
    days: list[Weekday] = []
    times: list[TimeOfDay] = []
    group_size: GroupSize = GroupSize.ANY
    travel: Travel = Travel.DISTRICT
    pace: Pace | Literal[""] = ""
    #: Conditions that make joining easier (参加のしやすさ codes).
    preferences: list[Ease] = []
    wishes: str = ""
    constraints_note: str = ""
    #: The version the change was made on; leave out only when creating the profile.
    version: int | None = None


class SuggestionOut(Schema):
    resource_id: int
    name: str
    provider: str
    category: str
    category_label: str
    score: float
    reasons: list[str]
    cautions: list[str]
    schedules: list[str]
    next_dates: list[date]


class ParticipationOut(Schema):
    id: int
    #: The person: empty where the viewer may not see them (a consent may leave members out).
    person_id: int | None = Field(..., alias="shown_person_id")
    person: str = Field(..., alias="shown_person_name")
    household_id: int | None
    resource_id: int
    resource: str = Field(..., alias="resource.name")
    provider: str = Field(..., alias="resource.provider.name")
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    case_id: int | None
    plan_id: int | None
    #: Part of a consented support plan (otherwise: support before a plan).
    plan_based: bool
    stage: str
    stage_label: str = Field(..., alias="get_stage_display")
    stage_changed_on: date
    proposed_on: date
    started_on: date | None
    ended_on: date | None
    reason: str
    arrangement: str
    next_follow_up_on: date | None
    follow_up_overdue: bool
    end_reason: str
    version: int
    basis: str
    basis_label: str

    @staticmethod
    def resolve_follow_up_overdue(obj: Participation) -> bool:
        return obj.follow_up_overdue(timezone.localdate())

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class ParticipationEventOut(Schema):
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    from_stage: str
    to_stage: str
    happened_on: date
    note: str
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    occurred_at: datetime


class ParticipationDetailOut(ParticipationOut):
    #: The stages the viewer may move the path to now (empty unless their organization supports it).
    allowed_stages: list[str] = Field(..., alias="stages_allowed")
    events: list[ParticipationEventOut] = Field(..., alias="history")


class ParticipationIn(Schema):
    resource_id: int
    #: Why this resource: which interests, strengths or conditions it fits.
    reason: str
    arrangement: str = Field("", max_length=200)
    proposed_on: Day | None = None
    case_id: int | None = None
    #: A confirmed support plan the path is part of (the person must be in it).
    plan_id: int | None = None
    next_follow_up_on: Day | None = None


class ParticipationTransitionIn(Schema):
    to_stage: ParticipationStage
    #: The version the change was made on (optimistic lock): 409 when outdated.
    version: int
    happened_on: Day | None = None
    #: Required when ending or pausing the path (the reason).
    note: str = ""
    next_follow_up_on: Day | None = None


class ParticipationNoteIn(Schema):
    kind: Literal["follow_up", "host_support"]
    note: str
    happened_on: Day | None = None
    next_follow_up_on: Day | None = None
    #: The version the note was written on: 409 when outdated (not checked when left out).
    version: int | None = None


# --- Helpers -------------------------------------------------------------------------


def _participations(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return policy.visible(request.user, "participation", action).select_related(
        "person", "resource__provider", "organization"
    )


def _annotate(request: StaffRequest, participations: list[Any]) -> None:
    """Name the person only where the viewer may see them, in one pass for the page."""
    persons = policy.bases(request.user, "person", [p.person for p in participations])
    for participation in participations:
        shown = participation.person_id in persons
        participation.shown_person_id = participation.person_id if shown else None
        participation.shown_person_name = participation.person.full_name if shown else ""


def _detail(request: StaffRequest, participation: Participation, basis: Any) -> Participation:
    participation.basis = basis  # type: ignore[attr-defined]
    _annotate(request, [participation])
    # decide, not allowed(): only the supporting organization changes a path,
    # which the rule answers for the object, not for the basis alone.
    may = policy.decide(request.user, policy.Action.CHANGE, "participation", participation)
    participation.stages_allowed = (  # type: ignore[attr-defined]
        [str(stage) for stage in participation.allowed_stages()] if may else []
    )
    participation.history = list(  # type: ignore[attr-defined]
        ParticipationEvent.objects.filter(participation=participation)
        .select_related("organization")
        .order_by("happened_on", "occurred_at", "pk")
    )
    return participation


def _fresh(request: StaffRequest, pk: int) -> Participation:
    """The path as it is now, for the answer to a change (already audited as the change)."""
    participation = _participations(request, policy.Action.VIEW).get(pk=pk)
    decision = policy.decide(request.user, policy.Action.VIEW, "participation", participation)
    return _detail(request, participation, decision.basis)


def _fresh_profile(request: StaffRequest, pk: int) -> ParticipationProfile:
    profile = (
        policy.visible(request.user, "participation_profile", policy.Action.VIEW)
        .select_related("organization")
        .get(pk=pk)
    )
    profile.basis = policy.decide(  # type: ignore[attr-defined]
        request.user, policy.Action.VIEW, "participation_profile", profile
    ).basis
    return profile


def _acting_profile(request: StaffRequest, person_id: int) -> ParticipationProfile | None:
    """The acting organization's profile of the person (opened and audited), or None."""
    found = (
        policy.visible(request.user, "participation_profile", policy.Action.VIEW)
        .filter(person_id=person_id, organization_id=acting_organization_id(request))
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        return None
    profile, decision = policy.get_or_404(
        request.user, "participation_profile", policy.Action.VIEW, pk=found
    )
    profile.basis = decision.basis
    return profile  # type: ignore[no-any-return]


def _plan(request: StaffRequest, pk: int | None) -> SupportPlan | None:
    if pk is None:
        return None
    plan = policy.visible(request.user, "support_plan", policy.Action.VIEW).filter(pk=pk).first()
    if plan is None:
        return None
    decision = policy.decide(request.user, policy.Action.VIEW, "support_plan", plan)
    return plan if decision.basis in LINKING_BASES else None


def _refused(error: DjangoValidationError, field: str) -> Status:
    """422 for a change the service refused, its first reason in the detail itself."""
    errors = field_errors(error, RENAMED, field=field)
    first = next((messages[0] for messages in errors.values() if messages), None)
    return invalid(errors, detail=first or "入力内容に誤りがあります。")


# --- Profiles ------------------------------------------------------------------------

router: Router = Router(tags=["参加支援"])


@router.get(
    "/persons/{person_id}/participation-profile",
    response={200: ProfileOut, **ERRORS},
    summary="参加支援プロフィール（操作している機関のもの）",
    description="本人の関心・得意なこと・参加できる曜日や条件・本人の言葉。"
    "操作している機関が記録したものを返します（まだなければ 404）。",
)
@policy.route("participation_profile", policy.Action.VIEW)
def profile_detail(request: StaffRequest, person_id: int) -> Any:
    person, _decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_id)
    profile = _acting_profile(request, person.pk)
    if profile is None:
        return Status(404, {"detail": NO_PROFILE})
    return profile


@router.put(
    "/persons/{person_id}/participation-profile",
    response={200: ProfileOut, 201: ProfileOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="参加支援プロフィールの登録・更新",
    description="操作している機関のプロフィールを登録（201）または更新（200）します。"
    "更新には表示した版（version）が必要で、その後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("participation_profile", policy.Action.CREATE)
def profile_save(request: StaffRequest, person_id: int, payload: ProfileIn) -> Any:
    # Recording about a person needs a working basis to them, not an emergency opening.
    person, _decision = policy.get_or_404(
        request.user, "person", policy.Action.CHANGE, pk=person_id
    )
    organization = acting_casework_organization(request, "participation_profile")
    fields = payload.dict(exclude={"version"})
    existing = (
        policy.visible(request.user, "participation_profile", policy.Action.CHANGE)
        .filter(person=person, organization=organization)
        .values_list("pk", flat=True)
        .first()
    )
    # A client that sends no version believes there is no profile yet: if one
    # exists, someone else made it meanwhile, and overwriting it would lose it.
    version = payload.version if payload.version is not None or existing is None else 0
    try:
        profile = services.profile_save(
            actor=request.user,
            organization=organization,
            person=person,
            version=version,
            **fields,
        )
    except ParticipationConflict:
        return _conflict()
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(200 if existing else 201, _fresh_profile(request, profile.pk))


@router.get(
    "/persons/{person_id}/resource-suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="本人に合いそうな社会資源（理由つき）",
    description="操作している機関の参加支援プロフィールに合う、受け入れ中の社会資源を、"
    "合う理由（reasons）と気をつけること（cautions）、次の開催日とともに合う順に返します。"
    "district（日常生活圏域のID）と weekday（MO〜SU）で絞り込めます。",
)
@policy.route("participation_profile", policy.Action.VIEW)
def resource_suggestions(
    request: StaffRequest,
    person_id: int,
    district: int | None = None,
    weekday: Weekday | None = None,
) -> Any:
    person, _decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_id)
    profile = _acting_profile(request, person.pk)
    if profile is None:
        return Status(404, {"detail": NO_PROFILE})
    profile.person = person
    suggestions = matching.suggest(
        profile,
        policy.visible(request.user, "resource", policy.Action.LIST),
        district_id=district,
        weekday=weekday,
    )
    return [
        {
            "resource_id": s.resource.pk,
            "name": s.resource.name,
            "provider": s.resource.provider.name,
            "category": s.resource.category,
            "category_label": s.resource.get_category_display(),
            "score": s.score,
            "reasons": s.reasons,
            "cautions": s.cautions,
            "schedules": s.schedules,
            "next_dates": s.next_dates,
        }
        for s in suggestions
    ]


# --- Paths ---------------------------------------------------------------------------


@router.get(
    "/persons/{person_id}/participations",
    response={200: list[ParticipationOut], **ERRORS},
    summary="本人の参加支援の一覧",
    description="閲覧できる参加支援（自機関・ケースの記録・緊急時の閲覧）だけが、"
    "閲覧の根拠（basis）とともに新しい順に返ります。",
)
@paginate(BasisPagination, resource="participation", annotate=_annotate)
@policy.route("participation", policy.Action.LIST)
def participation_list(request: StaffRequest, person_id: int) -> Any:
    person, decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_id)
    audit_record(
        AuditAction.LIST,
        object_type="participation.participation",
        basis=decision.basis or "",
        detail={"via": "api", "person": person.pk},
    )
    return (
        _participations(request, policy.Action.LIST)
        .filter(person=person)
        .order_by("-proposed_on", "-pk")
    )


@router.post(
    "/persons/{person_id}/participations",
    response={201: ParticipationDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="社会資源の提案（参加支援の開始）",
    description="操作している機関が、本人に社会資源を提案したことを理由とともに記録します。"
    "ケースや確定した支援プランに位置づける場合は case_id・plan_id を指定します。",
)
@policy.route("participation", policy.Action.CREATE)
def participation_create(request: StaffRequest, person_id: int, payload: ParticipationIn) -> Any:
    person, _decision = policy.get_or_404(
        request.user, "person", policy.Action.CHANGE, pk=person_id
    )
    organization = acting_casework_organization(request, "participation")
    errors: dict[str, list[str]] = {}
    resource = (
        policy.visible(request.user, "resource", policy.Action.VIEW)
        .filter(pk=payload.resource_id, archived_at=None)
        .first()
    )
    if resource is None:
        errors["resource_id"] = ["指定された社会資源が見つかりません。"]
    case = linkable_case(request, payload.case_id)
    if payload.case_id is not None and case is None:
        errors["case_id"] = ["指定されたケースが見つからないか、記録を結びつける権限がありません。"]
    plan = _plan(request, payload.plan_id)
    if payload.plan_id is not None and plan is None:
        errors["plan_id"] = [
            "指定された支援プランが見つからないか、記録を結びつける権限がありません。"
        ]
    if not payload.reason.strip():
        errors["reason"] = ["提案の理由を入力してください。"]
    if errors or resource is None:
        return invalid(errors)
    try:
        participation = services.participation_propose(
            actor=request.user,
            organization=organization,
            person=person,
            resource=resource,
            reason=payload.reason,
            proposed_on=payload.proposed_on,
            case=case,
            plan=plan,
            next_follow_up_on=payload.next_follow_up_on,
            arrangement=payload.arrangement,
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(201, _fresh(request, participation.pk))


@router.get(
    "/participations/{participation_id}",
    response={200: ParticipationDetailOut, **ERRORS},
    summary="参加支援（経過つき）",
)
@policy.route("participation", policy.Action.VIEW)
def participation_detail(request: StaffRequest, participation_id: int) -> Any:
    participation, decision = policy.get_or_404(
        request.user, "participation", policy.Action.VIEW, pk=participation_id
    )
    return _detail(request, participation, decision.basis)


@router.post(
    "/participations/{participation_id}/transition",
    response={200: ParticipationDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="参加支援の段階の変更（見学・体験、参加中、定着、終了・中断）",
    description="段階表で許された変更だけができます。終了・中断には理由（note）が必要です。"
    "表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("participation", policy.Action.CHANGE)
def participation_transition(
    request: StaffRequest, participation_id: int, payload: ParticipationTransitionIn
) -> Any:
    # CHANGE: the supporting organization only.
    participation, _decision = policy.get_or_404(
        request.user, "participation", policy.Action.CHANGE, pk=participation_id
    )
    try:
        services.participation_transition(
            actor=request.user,
            participation=participation,
            to_stage=payload.to_stage,
            happened_on=payload.happened_on,
            note=payload.note,
            next_follow_up_on=payload.next_follow_up_on,
            version=payload.version,
        )
    except ParticipationConflict:
        return _conflict()
    except DjangoValidationError as error:
        return _refused(error, field="to_stage")
    return _fresh(request, participation.pk)


@router.post(
    "/participations/{participation_id}/notes",
    response={201: ParticipationDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="参加支援の経過の記録（本人へのフォローアップ・受け入れ先支援）",
)
@policy.route("participation", policy.Action.CHANGE)
def participation_note(
    request: StaffRequest, participation_id: int, payload: ParticipationNoteIn
) -> Any:
    participation, _decision = policy.get_or_404(
        request.user, "participation", policy.Action.CHANGE, pk=participation_id
    )
    try:
        services.participation_note(
            actor=request.user,
            participation=participation,
            kind=EventKind(payload.kind),
            note=payload.note,
            happened_on=payload.happened_on,
            next_follow_up_on=payload.next_follow_up_on,
            version=payload.version,
        )
    except ParticipationConflict:
        return _conflict()
    except DjangoValidationError as error:
        return _refused(error, field="note")
    return Status(201, _fresh(request, participation.pk))
