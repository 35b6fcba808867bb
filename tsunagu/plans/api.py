"""API of 支援プラン (support plans): a case's plan versions, and one plan with
its members' wishes and goals, its support items and its monitorings.

A plan is made under the person's consent: the coordinating section and the
organizations a consent in force covers see it (the policy's
``support_plan`` rule); an organization that sees the case only through a
支援会議 does not, and is answered 404 as for anything it may not see.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import basis_label
from tsunagu.api.pagination import BasisPagination
from tsunagu.assessments.selectors import plan_proposals
from tsunagu.assessments.services import with_proposal
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case, ClosureReason
from tsunagu.cases.services import CaseConflict, household_members
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.plans import services
from tsunagu.plans.forms import GOAL_MAX_LENGTH
from tsunagu.plans.models import (
    Decision,
    GoalProgress,
    Monitoring,
    PlanGoal,
    PlanMember,
    Progress,
    SupportItem,
    SupportKind,
    SupportPlan,
)
from tsunagu.plans.models import Status as PlanStatus

# --- Schemas -------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    case_id: int
    case_number: str = Field(..., alias="case.number")
    version_number: int
    previous_id: int | None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    #: The consent the plan was made under.
    consent_id: int
    #: The agenda item (重層的支援会議) it was discussed at, if recorded.
    agenda_item_id: int | None
    overall_goal: str
    changes: str
    made_on: date
    starts_on: date
    ends_on: date | None
    next_monitoring_on: date | None
    uses_participation: bool
    uses_outreach: bool
    activated_at: datetime | None
    version: int
    basis: str
    basis_label: str

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class PlanGoalOut(Schema):
    id: int
    text: str
    order: int


class PlanMemberOut(Schema):
    person_id: int
    full_name: str = Field(..., alias="person.full_name")
    wishes: str
    issues: str
    goals: list[PlanGoalOut]

    @staticmethod
    def resolve_goals(obj: PlanMember) -> list[PlanGoal]:
        return list(obj.goals.all())


class SupportItemOut(Schema):
    id: int
    #: The household member it is for (null: the whole household).
    person_id: int | None
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    content: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    frequency: str
    starts_on: date | None
    ends_on: date | None


class GoalProgressOut(Schema):
    goal_id: int
    goal: str = Field(..., alias="goal.text")
    progress: str
    progress_label: str = Field(..., alias="get_progress_display")
    note: str


class MonitoringOut(Schema):
    id: int
    held_on: date
    agenda_item_id: int | None
    summary: str
    decision: str
    decision_label: str = Field(..., alias="get_decision_display")
    next_monitoring_on: date | None
    progress: list[GoalProgressOut]

    @staticmethod
    def resolve_progress(obj: Monitoring) -> list[GoalProgress]:
        return list(obj.progress.all())


class PlanDetailOut(PlanOut):
    members: list[PlanMemberOut]
    items: list[SupportItemOut]
    monitorings: list[MonitoringOut]

    @staticmethod
    def resolve_members(obj: SupportPlan) -> list[PlanMember]:
        return list(obj.members.all())

    @staticmethod
    def resolve_items(obj: SupportPlan) -> list[SupportItem]:
        return list(obj.items.all())

    @staticmethod
    def resolve_monitorings(obj: SupportPlan) -> list[Monitoring]:
        return list(obj.monitorings.all())


class PlanMemberIn(Schema):
    """One household member's part: 本人の思い, 課題 and goals (one text each)."""

    person_id: int
    wishes: str = ""
    issues: str = ""
    #: Take in the 課題 the member's latest assessment proposes (see
    #: GET /cases/{case_id}/assessment-proposals), headed by the version it comes from.
    take_assessment_issues: bool = False
    goals: list[str] = []


class SupportItemIn(Schema):
    """Who does what for whom, how often and when."""

    organization_id: int
    content: str = Field(..., max_length=300)
    kind: SupportKind
    #: The household member it is for (null: the whole household).
    person_id: int | None = None
    frequency: str = Field("", max_length=60)
    starts_on: Day | None = None
    ends_on: Day | None = None


class SupportPlanIn(Schema):
    """A plan version (プランシート): the first one, or the next after 再プラン."""

    case_id: int
    #: 作成日 and the start of the plan period (by default today).
    made_on: Day | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    next_monitoring_on: Day
    overall_goal: str = ""
    uses_participation: bool = False
    uses_outreach: bool = False
    #: What changed from the version in force, and why (required on a 再プラン).
    changes: str = ""
    members: list[PlanMemberIn]
    items: list[SupportItemIn] = []


class SupportPlanActivateIn(Schema):
    #: The plan's version when it was read (optimistic lock): 409 when outdated.
    version: int


class GoalProgressIn(Schema):
    goal_id: int
    progress: Progress
    note: str = ""


class PlanMonitoringIn(Schema):
    #: The plan's version when it was read (optimistic lock): 409 when outdated.
    version: int
    held_on: Day
    summary: str
    decision: Decision
    #: Required for 継続.
    next_monitoring_on: Day | None = None
    #: Required for 終結, with the evaluation.
    closure_reason: ClosureReason | Literal[""] = ""
    evaluation: str = ""
    #: The progress of every goal of the plan.
    progress: list[GoalProgressIn]


class PlanMonitoringOut(MonitoringOut):
    plan_id: int
    #: The plan's version after the monitoring (for the next change).
    plan_version: int = Field(..., alias="plan.version")
    case_id: int = Field(..., alias="plan.case_id")
    #: Where the case is now: 支援中 (継続), プラン作成 (再プラン) or 終結.
    case_stage: str = Field(..., alias="plan.case.stage")
    case_stage_label: str = Field(..., alias="plan.case.get_stage_display")


# --- Operations ----------------------------------------------------------------------


def _plans(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return policy.visible(request.user, "support_plan", action).select_related("case")


router: Router = Router(tags=["支援プラン"])


@router.get(
    "/cases/{case_id}/plans",
    response={200: list[PlanOut], **ERRORS},
    summary="ケースの支援プラン（版の一覧）",
    description="新しい版から返します。支援プランは本人同意に基づくため、"
    "事務局と同意の共有先の機関だけが閲覧できます（支援会議の出席機関には返りません）。",
)
@paginate(BasisPagination, resource="support_plan")
@policy.route("support_plan", policy.Action.LIST)
def plan_list(request: StaffRequest, case_id: int) -> Any:
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.VIEW, pk=case_id)
    audit_record(
        AuditAction.LIST, object_type="plans.supportplan", detail={"via": "api", "case": case.pk}
    )
    return (
        _plans(request, policy.Action.LIST)
        .filter(case=case, archived_at=None)
        .order_by("-version_number", "-pk")
    )


@router.get(
    "/plans/{plan_id}",
    response={200: PlanDetailOut, **ERRORS},
    summary="支援プラン（世帯員の思い・目標、支援内容、モニタリング）",
)
@policy.route("support_plan", policy.Action.VIEW)
def plan_detail(request: StaffRequest, plan_id: int) -> Any:
    plan, decision = policy.get_or_404(request.user, "support_plan", policy.Action.VIEW, pk=plan_id)
    return _plan_detail(plan.pk, decision.basis)


def _plan_detail(pk: int, basis: Any) -> SupportPlan:
    """The plan with its members, goals, items and monitorings, shown under ``basis``."""
    plan = (
        SupportPlan.objects.select_related("case")
        .prefetch_related(
            Prefetch("members", queryset=PlanMember.objects.select_related("person")),
            "members__goals",
            Prefetch("items", queryset=SupportItem.objects.select_related("organization")),
            Prefetch(
                "monitorings",
                queryset=Monitoring.objects.prefetch_related(
                    Prefetch("progress", queryset=GoalProgress.objects.select_related("goal"))
                ),
            ),
        )
        .get(pk=pk)
    )
    plan.basis = basis  # type: ignore[attr-defined]
    return plan


# --- Writes: the same services, policy and audit as the plan pages -------------------


def _conflict(conflict: Exception) -> Status:
    return Status(409, {"detail": str(conflict)})


def _refused(error: DjangoValidationError) -> Status:
    """422 for what the service refused, its first reason in the detail itself."""
    errors = field_errors(error)
    first = next((messages[0] for messages in errors.values() if messages), None)
    return invalid(errors, detail=first or "入力内容に誤りがあります。")


def _check_period(
    errors: dict[str, list[str]], prefix: str, starts_on: date | None, ends_on: date | None
) -> None:
    # The service's rule, shown at the field it is about (the service refuses it too).
    problem = services.period_problem(starts_on, ends_on)
    if problem:
        errors[f"{prefix}ends_on"] = [problem]


def _plan_parts(
    request: StaffRequest, case: Case, payload: SupportPlanIn, errors: dict[str, list[str]]
) -> tuple[list[services.MemberPart], list[services.ItemPart]]:
    """The payload's members and items as the services' parts, with what the
    plan page's choices would not let through refused field by field."""
    household = {person.pk: person for person in household_members(case)}
    covered = services.plan_covered_members(case)
    members: list[services.MemberPart] = []
    seen: set[int] = set()
    proposals = plan_proposals(
        request.user,
        case,
        [part.person_id for part in payload.members if part.take_assessment_issues],
    )
    for index, part in enumerate(payload.members):
        at = f"members.{index}."
        person = household.get(part.person_id)
        if person is None:
            errors[f"{at}person_id"] = ["この世帯の世帯員を指定してください。"]
            continue
        if person.pk in seen:
            errors[f"{at}person_id"] = ["同じ世帯員が二度指定されています。"]
            continue
        seen.add(person.pk)
        goals = [goal.strip() for goal in part.goals if goal.strip()]
        if any(len(goal) > GOAL_MAX_LENGTH for goal in goals):
            errors[f"{at}goals"] = [f"目標は1つにつき{GOAL_MAX_LENGTH}文字以内で入力してください。"]
        issues = part.issues
        if part.take_assessment_issues and person.pk in proposals:
            issues = with_proposal(issues, proposals[person.pk].text)
        members.append(
            services.MemberPart(person=person, wishes=part.wishes, issues=issues, goals=goals)
        )
    organizations = {
        organization.pk: organization
        for organization in policy.visible(request.user, "organization", policy.Action.VIEW).filter(
            pk__in={item.organization_id for item in payload.items}, archived_at=None
        )
    }
    items: list[services.ItemPart] = []
    for index, item in enumerate(payload.items):
        at = f"items.{index}."
        if not item.content.strip():
            errors[f"{at}content"] = ["支援内容を入力してください。"]
        organization = organizations.get(item.organization_id)
        if organization is None:
            errors[f"{at}organization_id"] = ["指定された担当機関が見つかりません。"]
        target = None
        if item.person_id is not None:
            # As the page offers: a member the consent in force covers, or the whole household.
            target = household.get(item.person_id) if item.person_id in covered else None
            if target is None:
                errors[f"{at}person_id"] = [
                    "対象の世帯員には、本人同意の対象になっている世帯員を指定してください。"
                ]
        _check_period(errors, at, item.starts_on, item.ends_on)
        if organization is not None:
            items.append(
                services.ItemPart(
                    organization=organization,
                    content=item.content,
                    kind=item.kind,
                    person=target,
                    frequency=item.frequency.strip(),
                    starts_on=item.starts_on,
                    ends_on=item.ends_on,
                )
            )
    return members, items


@router.post(
    "/plans",
    response={201: PlanDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="支援プランの作成（再プランを含む）",
    description="ケースを持つ多機関協働事務局の職員が、プラン作成を目的に含む有効な本人同意のもとで、"
    "支援プランの版を作成します（作成中）。世帯員ごとの本人の思い・課題・目標と、"
    "機関ごとの支援内容を指定します。世帯員は本人同意の対象の人に限ります。"
    "実施中のプランがあるときは次の版（再プラン）になり、前の版からの変更点（changes）が必要です。"
    "作成中のプランがすでにある場合は 409 を返します（そのプランを確定してから次の版を作成します）。",
)
@policy.route("support_plan", policy.Action.CREATE)
def plan_create(request: StaffRequest, payload: SupportPlanIn) -> Any:
    # As the plan page: a change of the case, by the coordinating section holding it.
    case, _decision = policy.get_or_404(
        request.user, "case", policy.Action.CHANGE, pk=payload.case_id
    )
    draft = case.plans.filter(status=PlanStatus.DRAFT).first()
    if draft is not None:
        # The page answers a plan posted while a draft exists as a conflict (409).
        return Status(
            409,
            {
                "detail": f"このケースには作成中の支援プラン（第{draft.version_number}版）があります。"
                "そのプランを確定してから次の版を作成してください。"
            },
        )
    errors: dict[str, list[str]] = {}
    _check_period(errors, "", payload.starts_on or timezone.localdate(), payload.ends_on)
    members, items = _plan_parts(request, case, payload, errors)
    if errors:
        return invalid(errors)
    plan = SupportPlan(
        overall_goal=payload.overall_goal,
        changes=payload.changes,
        ends_on=payload.ends_on,
        next_monitoring_on=payload.next_monitoring_on,
        uses_participation=payload.uses_participation,
        uses_outreach=payload.uses_outreach,
    )
    if payload.made_on is not None:
        plan.made_on = payload.made_on
    if payload.starts_on is not None:
        plan.starts_on = payload.starts_on
    try:
        plan = services.plan_create(
            actor=request.user, case=case, plan=plan, members=members, items=items
        )
    except (services.PlanConflict, CaseConflict) as conflict:
        return _conflict(conflict)
    except DjangoValidationError as error:
        return _refused(error)
    decision = policy.decide(request.user, policy.Action.VIEW, "support_plan", plan)
    return Status(201, _plan_detail(plan.pk, decision.basis))


@router.post(
    "/plans/{plan_id}/activate",
    response={200: PlanDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="支援プランの確定",
    description="重層的支援会議で合意した作成中のプランを確定します。前の版は「再プラン済み」になり、"
    "ケースは「支援中」に進みます。表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("support_plan", policy.Action.CHANGE)
def plan_activate(request: StaffRequest, plan_id: int, payload: SupportPlanActivateIn) -> Any:
    plan, decision = policy.get_or_404(
        request.user, "support_plan", policy.Action.CHANGE, pk=plan_id
    )
    try:
        services.plan_activate(actor=request.user, plan=plan, version=payload.version)
    except (services.PlanConflict, CaseConflict) as conflict:
        return _conflict(conflict)
    except DjangoValidationError as error:
        return _refused(error)
    return _plan_detail(plan.pk, decision.basis)


@router.post(
    "/plans/{plan_id}/monitorings",
    response={201: PlanMonitoringOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="モニタリングの記録（継続・再プラン・終結）",
    description="実施中のプランについて、目標ごとの進捗と判断を記録します。"
    "継続は次回モニタリング予定日が必要です。再プランではケースが「プラン作成」に戻り、"
    "次の版を作成できます。終結では終結理由と評価が必要で、ケースが終結します"
    "（その後の経過観察はケースの段階の変更で記録します）。"
    "表示した後に他の職員が更新していた場合は 409 を返し、何も記録しません。",
)
@policy.route("support_plan", policy.Action.CHANGE)
def plan_monitoring_create(request: StaffRequest, plan_id: int, payload: PlanMonitoringIn) -> Any:
    plan, _decision = policy.get_or_404(
        request.user, "support_plan", policy.Action.CHANGE, pk=plan_id
    )
    errors: dict[str, list[str]] = {}
    if not payload.summary.strip():
        errors["summary"] = ["全体の状況を入力してください。"]
    goals = {goal.pk: goal for goal in PlanGoal.objects.filter(member__plan=plan)}
    progress: list[services.GoalPart] = []
    for index, part in enumerate(payload.progress):
        goal = goals.pop(part.goal_id, None)
        if goal is None:
            # Not a goal of this plan, or one given twice (the form offers each goal once).
            errors[f"progress.{index}.goal_id"] = [
                "このプランの目標を、1つにつき一度だけ指定してください。"
            ]
        else:
            progress.append(services.GoalPart(goal=goal, progress=part.progress, note=part.note))
    if errors:
        return invalid(errors)
    monitoring = Monitoring(
        held_on=payload.held_on,
        summary=payload.summary,
        decision=payload.decision,
        next_monitoring_on=payload.next_monitoring_on,
    )
    try:
        services.monitoring_record(
            actor=request.user,
            plan=plan,
            monitoring=monitoring,
            progress=progress,
            version=payload.version,
            closure_reason=payload.closure_reason,
            evaluation=payload.evaluation,
        )
    except (services.PlanConflict, CaseConflict) as conflict:
        return _conflict(conflict)
    except DjangoValidationError as error:
        return _refused(error)
    return Status(
        201,
        Monitoring.objects.select_related("plan__case")
        .prefetch_related(
            Prefetch("progress", queryset=GoalProgress.objects.select_related("goal"))
        )
        .get(pk=monitoring.pk),
    )
