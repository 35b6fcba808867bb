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
from typing import Any

from django.db.models import Prefetch, QuerySet
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api import ERRORS
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.http import StaffRequest
from tsunagu.people.api import BasisPagination, basis_label
from tsunagu.plans.models import (
    GoalProgress,
    Monitoring,
    PlanGoal,
    PlanMember,
    SupportItem,
    SupportPlan,
)

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
        .get(pk=plan.pk)
    )
    plan.basis = decision.basis
    return plan
