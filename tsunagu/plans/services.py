"""Writes of support plans: a draft made under consent, its activation, the
next version (再プラン) with what changed, monitoring with progress per goal
and its decision, and the case's closure that follows from it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case, Consent, Stage, active_consents
from tsunagu.cases.services import (
    _require_holder,
    case_transition,
    consent_in_force,
    household_members,
)
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import Organization
from tsunagu.people.models import Person
from tsunagu.plans.models import (
    Decision,
    GoalProgress,
    Monitoring,
    PlanGoal,
    PlanMember,
    Progress,
    Status,
    SupportItem,
    SupportPlan,
)


class PlanConflict(EditConflict):
    what = gettext_lazy("支援プラン")


@dataclass
class MemberPart:
    person: Person
    wishes: str = ""
    issues: str = ""
    goals: list[str] = field(default_factory=list)


@dataclass
class ItemPart:
    organization: Organization
    content: str
    kind: str
    person: Person | None = None
    frequency: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


#: Stages in which a plan (or its next version) may be made.
PLANNABLE = frozenset({Stage.CONSENTED, Stage.PLANNING, Stage.SUPPORTING, Stage.MONITORING})


def plan_consent(case: Case) -> Consent:
    """The consent in force for プラン作成 that a plan of ``case`` rests on; refused without one."""
    consent = consent_in_force(case, "for_plan_making")
    if consent is None:
        raise ValidationError(
            _(
                "支援プランの作成には本人同意が必要です。"
                "プラン作成を目的に含む有効な本人同意を先に記録してください。"
            )
        )
    return consent


def period_problem(starts_on: datetime.date | None, ends_on: datetime.date | None) -> str:
    """Why a period (of a plan or a support item) is wrong; "" when it is not."""
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        return _("終了日は開始日より後の日付にしてください。")
    return ""


def _check_parts(plan: SupportPlan, members: list[MemberPart], items: list[ItemPart]) -> None:
    """The rules of a plan's parts, whoever sends them (the page's forms, the API)."""
    problem = period_problem(plan.starts_on, plan.ends_on)
    if problem:
        raise ValidationError({"ends_on": problem})
    for item in items:
        problem = period_problem(item.starts_on, item.ends_on)
        if problem:
            raise ValidationError(_("支援内容「%(item)s」: ") % {"item": item.content} + problem)
    persons = [part.person.pk for part in members]
    if len(persons) != len(set(persons)):
        raise ValidationError(_("同じ世帯員が二度指定されています。"))


def _write_parts(
    plan: SupportPlan, members: Iterable[MemberPart], items: Iterable[ItemPart], covered: set[int]
) -> None:
    household = {person.pk for person in household_members(plan.case)}
    for part in members:
        if part.person.pk not in household:
            raise ValidationError(_("この世帯の世帯員ではない人がプランに含まれています。"))
        if part.person.pk not in covered:
            raise ValidationError(
                _("%(name)s さんは本人同意の対象に含まれていないため、プランに入れられません。")
                % {"name": part.person.full_name}
            )
        member = PlanMember.objects.create(
            plan=plan, person=part.person, wishes=part.wishes.strip(), issues=part.issues.strip()
        )
        for order, text in enumerate((g.strip() for g in part.goals if g.strip()), start=1):
            PlanGoal.objects.create(member=member, text=text, order=order)
    for item in items:
        if not item.content.strip():
            continue
        if item.person is not None and item.person.pk not in household:
            raise ValidationError(
                _("支援内容の対象に、この世帯の世帯員ではない人が選ばれています。")
            )
        SupportItem.objects.create(
            plan=plan,
            person=item.person,
            organization=item.organization,
            content=item.content.strip(),
            kind=item.kind,
            frequency=item.frequency,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
        )


def plan_covered_members(case: Case) -> set[int]:
    """Household members a plan may include: those named by any consent in force
    for プラン作成 (members may consent one by one, as B and C do apart from A
    in seed 003)."""
    return set(
        active_consents().filter(case=case, for_plan_making=True).values_list("members", flat=True)
    )


@transaction.atomic
def plan_create(
    *,
    actor: Staff,
    case: Case,
    plan: SupportPlan,
    members: Iterable[MemberPart],
    items: Iterable[ItemPart] = (),
) -> SupportPlan:
    """Draft a plan (the first one, or the next version when the case is re-planned).

    Refused without a consent in force for プラン作成; each member in the plan
    must be covered by it."""
    _require_holder(actor, case)
    # Versions are numbered per case: serialise concurrent drafts of one case.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage not in PLANNABLE:
        raise ValidationError(
            _("支援プランを作れるのは「同意取得」から「モニタリング」までの段階のケースです。")
        )
    consent = plan_consent(case)
    members = list(members)
    if not members:
        raise ValidationError(_("プランに世帯員を一人以上入れてください。"))
    if not any(goal.strip() for part in members for goal in part.goals):
        raise ValidationError(_("目標を一つ以上入力してください。"))
    if case.plans.filter(status=Status.DRAFT).exists():
        raise ValidationError(
            _("作成中のプランがすでにあります。そちらを確定するか編集してください。")
        )
    items = list(items)
    _check_parts(plan, members, items)
    previous = case.plans.filter(status=Status.ACTIVE).first()
    if previous is not None and not plan.changes.strip():
        raise ValidationError(
            {"changes": _("再プランでは、前の版からの変更点を入力してください。")}
        )
    plan.case = case
    plan.consent = consent
    plan.previous = previous
    plan.version_number = (case.plans.count() or 0) + 1
    plan.status = Status.DRAFT
    plan.created_by = actor
    plan.updated_by = actor
    plan.save()
    covered = plan_covered_members(case)
    _write_parts(plan, members, items, covered)
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=plan,
        detail={"case": case.pk, "version": plan.version_number},
    )
    if case.stage == Stage.CONSENTED:
        case_transition(actor=actor, case=case, to_stage=Stage.PLANNING, version=case.version)
    return plan


@transaction.atomic
def plan_activate(*, actor: Staff, plan: SupportPlan, version: int) -> SupportPlan:
    """Confirm a draft (agreed at the 重層的支援会議): the previous version is
    superseded, and the case moves to 支援中."""
    case = plan.case
    _require_holder(actor, case)
    plan_consent(case)
    locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.version != version:
        raise PlanConflict()
    if locked.status != Status.DRAFT:
        raise ValidationError(_("作成中のプランだけを確定できます。"))
    if locked.next_monitoring_on is None:
        raise ValidationError(
            {"next_monitoring_on": _("次回モニタリング予定日を入力してください。")}
        )
    case.plans.filter(status=Status.ACTIVE).update(status=Status.SUPERSEDED)
    locked.status = Status.ACTIVE
    locked.activated_at = timezone.now()
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    case = Case.objects.get(pk=case.pk)
    if case.stage in (Stage.PLANNING, Stage.MONITORING, Stage.FOLLOW_UP):
        case_transition(actor=actor, case=case, to_stage=Stage.SUPPORTING, version=case.version)
    case = Case.objects.get(pk=case.pk)
    case.next_action = _("モニタリング")
    case.next_action_on = locked.next_monitoring_on
    case.save(update_fields=["next_action", "next_action_on", "updated_at"])
    audit_record(AuditAction.CHANGE, actor=actor, obj=locked, detail={"activated": True})
    return locked


@dataclass
class GoalPart:
    goal: PlanGoal
    progress: str
    note: str = ""


@transaction.atomic
def monitoring_record(
    *,
    actor: Staff,
    plan: SupportPlan,
    monitoring: Monitoring,
    progress: Iterable[GoalPart],
    version: int | None = None,
    closure_reason: str = "",
    evaluation: str = "",
) -> Monitoring:
    """Review the active plan: progress per goal and a decision.

    継続 keeps the plan with a new monitoring date; 再プラン sends the case back
    to プラン作成 for the next version; 終結 closes the case with its coded
    reason and evaluation."""
    case = plan.case
    _require_holder(actor, case)
    # Two reviews of one plan at once must not both apply (a 再プラン undone by a 継続).
    plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if version is not None and plan.version != version:
        raise PlanConflict()
    if plan.status != Status.ACTIVE:
        raise ValidationError(_("モニタリングできるのは実施中のプランです。"))
    if monitoring.decision not in Decision.values:
        raise ValidationError({"decision": _("判断（継続・再プラン・終結）を選んでください。")})
    progress = list(progress)
    if any(part.progress not in Progress.values for part in progress):
        raise ValidationError(_("進捗の値が正しくありません。"))
    goals = set(PlanGoal.objects.filter(member__plan=plan).values_list("pk", flat=True))
    if {part.goal.pk for part in progress} != goals:
        raise ValidationError(_("すべての目標について進捗を選んでください。"))
    if monitoring.decision == Decision.CONTINUE and monitoring.next_monitoring_on is None:
        raise ValidationError(
            {"next_monitoring_on": _("継続の場合は次回モニタリング予定日を入力してください。")}
        )
    plan.version += 1
    plan.updated_by = actor
    plan.save(update_fields=["version", "updated_by", "updated_at"])
    monitoring.plan = plan
    monitoring.recorded_by = actor
    monitoring.created_by = actor
    monitoring.updated_by = actor
    monitoring.save()
    for part in progress:
        GoalProgress.objects.create(
            monitoring=monitoring, goal=part.goal, progress=part.progress, note=part.note.strip()
        )
    case = Case.objects.get(pk=case.pk)
    if case.stage == Stage.SUPPORTING:
        case = case_transition(
            actor=actor, case=case, to_stage=Stage.MONITORING, version=case.version
        )
    if monitoring.decision == Decision.CONTINUE:
        plan.next_monitoring_on = monitoring.next_monitoring_on
        plan.save(update_fields=["next_monitoring_on", "updated_at"])
        case = case_transition(
            actor=actor, case=case, to_stage=Stage.SUPPORTING, version=case.version
        )
        case.next_action = _("モニタリング")
        case.next_action_on = monitoring.next_monitoring_on
        case.save(update_fields=["next_action", "next_action_on", "updated_at"])
    elif monitoring.decision == Decision.REPLAN:
        case = case_transition(
            actor=actor,
            case=case,
            to_stage=Stage.PLANNING,
            version=case.version,
            note=monitoring.summary,
        )
        case.next_action = _("再プランの作成")
        case.next_action_on = monitoring.next_monitoring_on
        case.save(update_fields=["next_action", "next_action_on", "updated_at"])
    elif monitoring.decision == Decision.CLOSE:
        case_transition(
            actor=actor,
            case=case,
            to_stage=Stage.CLOSED,
            version=case.version,
            closure_reason=closure_reason,
            evaluation=evaluation,
        )
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=monitoring,
        detail={"plan": plan.pk, "decision": monitoring.decision},
    )
    return monitoring


def plan_copy_parts(plan: SupportPlan) -> tuple[list[MemberPart], list[ItemPart]]:
    """The parts of ``plan`` as the starting point of its next version."""
    members = [
        MemberPart(
            person=member.person,
            wishes=member.wishes,
            issues=member.issues,
            goals=[goal.text for goal in member.goals.all()],
        )
        for member in plan.members.select_related("person").prefetch_related("goals")
    ]
    items = [
        ItemPart(
            organization=item.organization,
            content=item.content,
            kind=item.kind,
            person=item.person,
            frequency=item.frequency,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
        )
        for item in plan.items.select_related("organization", "person")
    ]
    return members, items
