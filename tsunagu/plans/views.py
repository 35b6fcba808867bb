"""支援プラン (プランシート): making a version under the person's consent (the
first one, or the next after a monitoring decided 再プラン), the sheet on
screen with its confirmation, the monitoring of the active plan, and the
printed sheet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.assessments.selectors import plan_proposals
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import BEFORE_CONSENT, Case, Stage
from tsunagu.cases.services import CaseConflict, household_members
from tsunagu.core.forms_base import add_service_errors, keep_input_at_version
from tsunagu.core.http import StaffRequest
from tsunagu.people.models import HouseholdMembership
from tsunagu.plans import services
from tsunagu.plans.forms import (
    GoalProgressForm,
    ItemFormSet,
    MemberForm,
    MonitoringForm,
    PlanForm,
)
from tsunagu.plans.models import Decision, PlanGoal, Status, SupportPlan

#: The stages in which a plan version is made and then confirmed into 支援中:
#: the first after consent, the next after a monitoring decided 再プラン (the
#: case is then back in プラン作成) or while the plan in force is being worked.
PLANNING_STAGES = frozenset({Stage.CONSENTED, Stage.PLANNING, Stage.SUPPORTING, Stage.MONITORING})


def _relationships(case: Case) -> dict[int, str]:
    return {
        membership.person_id: membership.get_relationship_display()
        for membership in HouseholdMembership.objects.filter(
            household_id=case.household_id, ended_on=None
        )
    }


def _refusal(case: Case) -> tuple[str, SupportPlan | None]:
    """Why no plan version can be made for ``case`` now (empty when one can),
    and the draft waiting for confirmation, if that is the reason."""
    try:
        services.plan_consent(case)
    except ValidationError as refused:
        return " ".join(refused.messages), None
    draft = case.plans.filter(status=Status.DRAFT).first()
    if draft is not None:
        return (
            _(
                "作成中のプラン（第%(n)d版）があります。そのプランを確定してから次の版を作成してください。"
            )
            % {"n": draft.version_number},
            draft,
        )
    if case.stage in BEFORE_CONSENT:
        return (
            _(
                "本人同意は記録されていますが、ケースが「%(stage)s」の段階です。"
                "ケースを「同意取得」に進めてから支援プランを作成してください。"
            )
            % {"stage": Stage(case.stage).label},
            None,
        )
    if case.stage not in PLANNING_STAGES:
        return (
            _("「%(stage)s」のケースには支援プランを作成できません。")
            % {"stage": Stage(case.stage).label},
            None,
        )
    return "", None


def _plan_forms(
    request: StaffRequest, case: Case, active: SupportPlan | None
) -> tuple[PlanForm, list[MemberForm], Any]:
    """The plan's forms, bound to the POST or pre-filled (from the active plan on a re-plan)."""
    members = household_members(case)
    covered = services.plan_covered_members(case)
    relationships = _relationships(case)
    data = request.POST if request.method == "POST" else None
    plan_initial: dict[str, Any] = {
        "made_on": timezone.localdate(),
        "starts_on": timezone.localdate(),
    }
    member_initial: dict[int, dict[str, Any]] = {
        person.pk: {"include": person.pk in covered} for person in members
    }
    item_initial: list[dict[str, Any]] = []
    if active is not None:
        plan_initial.update(
            overall_goal=active.overall_goal,
            uses_participation=active.uses_participation,
            uses_outreach=active.uses_outreach,
            ends_on=active.ends_on,
        )
        member_parts, item_parts = services.plan_copy_parts(active)
        member_initial = {person.pk: {"include": False} for person in members}
        for part in member_parts:
            member_initial[part.person.pk] = {
                "include": part.person.pk in covered,
                "wishes": part.wishes,
                "issues": part.issues,
                "goals": "\n".join(part.goals),
            }
        item_initial = [
            {
                "organization": item.organization.pk,
                "person": str(item.person.pk) if item.person is not None else "",
                "content": item.content,
                "kind": item.kind,
                "frequency": item.frequency,
                "starts_on": item.starts_on,
                "ends_on": item.ends_on,
            }
            for item in item_parts
        ]
    plan_form = PlanForm(data, replan=active is not None, initial=plan_initial)
    # Each member's latest assessment proposes its 課題: taken in with one tick.
    proposals = plan_proposals(request.user, case, [person.pk for person in members])
    if proposals:
        audit_record(
            AuditAction.VIEW,
            actor=request.user,
            object_type="assessments.assessment",
            detail={
                "page": "plan_create",
                "case": case.pk,
                "shown": sorted(p.assessment.pk for p in proposals.values()),
            },
        )
    member_forms = [
        MemberForm(
            data,
            person=person,
            relationship=relationships.get(person.pk, ""),
            covered=person.pk in covered,
            proposal=proposals.get(person.pk),
            initial=member_initial.get(person.pk, {}),
        )
        for person in members
    ]
    eligible = [person for person in members if person.pk in covered]
    items = ItemFormSet(
        data, prefix="item", initial=item_initial or None, form_kwargs={"members": eligible}
    )
    return plan_form, member_forms, items


@policy.route("support_plan", policy.Action.CREATE)
def create(request: StaffRequest, case_pk: int) -> HttpResponse:
    """Make a plan version for a case: the first one, or the next (再プラン),
    pre-filled from the plan in force. Only the coordinating section holding
    the case makes plans, and only under a consent in force for プラン作成."""
    case, decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=case_pk)
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=case,
        basis=decision.basis or "",
        detail={"page": "plan_create"},
    )
    refusal, draft = _refusal(case)
    # A draft made after this form was shown: another staff member worked on
    # the same version meanwhile. Their plan stays as it is; this one is not
    # saved, and what was typed here is shown again with the conflict.
    conflict = draft if request.method == "POST" else None
    if refusal and conflict is None:
        return render(
            request,
            "plans/create.html",
            {"case": case, "refusal": refusal, "draft": draft},
        )
    active = case.plans.filter(status=Status.ACTIVE).first()
    plan_form, member_forms, items = _plan_forms(request, case, active)
    status_code = 200
    if conflict is not None:
        plan_form.add_error(
            None,
            _(
                "この画面を開いた後に、このケースの支援プラン（第%(n)d版）が作成されました。"
                "作成中のプランを開いて、内容を確認してください。"
                "この画面の内容は保存されていません（入力した内容は下に残っています）。"
            )
            % {"n": conflict.version_number},
        )
        status_code = 409
    elif request.method == "POST":
        valid = [plan_form.is_valid(), items.is_valid()]
        valid += [form.is_valid() for form in member_forms]
        if all(valid):
            members = [
                services.MemberPart(
                    person=form.person,
                    wishes=form.cleaned_data["wishes"],
                    issues=form.issues_to_save,
                    goals=form.cleaned_data["goals"],
                )
                for form in member_forms
                if form.included
            ]
            parts = [
                services.ItemPart(
                    organization=row.cleaned_data["organization"],
                    content=row.cleaned_data["content"],
                    kind=row.cleaned_data["kind"],
                    person=row.target,
                    frequency=row.cleaned_data["frequency"].strip(),
                    starts_on=row.cleaned_data["starts_on"],
                    ends_on=row.cleaned_data["ends_on"],
                )
                for row in items.forms
                if row.filled
            ]
            try:
                plan = services.plan_create(
                    actor=request.user,
                    case=case,
                    plan=plan_form.save(commit=False),
                    members=members,
                    items=parts,
                )
            except CaseConflict as conflict:
                plan_form.add_error(None, str(conflict))
                status_code = 409
            except ValidationError as error:
                add_service_errors(plan_form, error)
            else:
                messages.success(
                    request,
                    _(
                        "支援プラン（第%(n)d版）を作成しました。重層的支援会議で合意したら「確定する」を押してください。"
                    )
                    % {"n": plan.version_number},
                )
                return redirect("plans:detail", pk=plan.pk)
    return render(
        request,
        "plans/create.html",
        {
            "case": case,
            "active": active,
            "draft": draft,
            "plan_form": plan_form,
            "member_forms": member_forms,
            "items": items,
            "invalid": request.method == "POST",
        },
        status=status_code,
    )


def _detail_context(
    request: StaffRequest, plan: SupportPlan, basis: Any, error: str = ""
) -> dict[str, Any]:
    case = plan.case
    may_change = bool(
        policy.allowed(request.user, "support_plan", plan, [policy.Action.CHANGE])[
            policy.Action.CHANGE
        ]
    )
    versions = list(case.plans.order_by("version_number"))
    monitorings = list(
        plan.monitorings.select_related("recorded_by").prefetch_related(
            "progress__goal__member__person"
        )
    )
    relationships = _relationships(case)
    later_draft = any(v.status == Status.DRAFT for v in versions)
    replan_decided = bool(monitorings) and monitorings[-1].decision == Decision.REPLAN
    return {
        "plan": plan,
        "case": case,
        "basis": basis,
        "error": error,
        "members": [
            (member, relationships.get(member.person_id, ""))
            for member in plan.members.select_related("person").prefetch_related("goals")
        ],
        "items": plan.items.select_related("organization", "person"),
        "versions": versions,
        "monitorings": monitorings,
        "may_change": may_change,
        "can_activate": may_change and plan.status == Status.DRAFT,
        "can_monitor": may_change and plan.status == Status.ACTIVE,
        "can_replan": (
            may_change
            and plan.status == Status.ACTIVE
            and case.stage == Stage.PLANNING
            and replan_decided
            and not later_draft
        ),
    }


@policy.route("support_plan", policy.Action.VIEW)
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    """The plan sheet on screen, with the basis it is shown under."""
    plan, decision = policy.get_or_404(request.user, "support_plan", policy.Action.VIEW, pk=pk)
    return render(request, "plans/detail.html", _detail_context(request, plan, decision.basis))


@require_POST
@policy.route("support_plan", policy.Action.CHANGE)
def activate(request: StaffRequest, pk: int) -> HttpResponse:
    """Confirm a draft as agreed at the 重層的支援会議; a stale page is refused (409)."""
    plan, decision = policy.get_or_404(request.user, "support_plan", policy.Action.CHANGE, pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest()
    try:
        plan = services.plan_activate(actor=request.user, plan=plan, version=version)
    except (services.PlanConflict, CaseConflict) as conflict:
        error, status_code = str(conflict), 409
    except ValidationError as refused:
        error, status_code = " ".join(refused.messages), 200
    else:
        messages.success(
            request,
            _("支援プラン（第%(n)d版）を確定しました。ケースは「支援中」になりました。")
            % {"n": plan.version_number},
        )
        return redirect("plans:detail", pk=plan.pk)
    plan.refresh_from_db()
    context = _detail_context(request, plan, decision.basis, error=error)
    return render(request, "plans/detail.html", context, status=status_code)


@policy.route("support_plan", policy.Action.CHANGE)
def monitor(request: StaffRequest, pk: int) -> HttpResponse:
    """Record a monitoring of the active plan: progress per goal and the decision
    (継続, 再プラン or 終結, which closes the case)."""
    plan, decision = policy.get_or_404(request.user, "support_plan", policy.Action.CHANGE, pk=pk)
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=plan,
        basis=decision.basis or "",
        detail={"page": "monitoring"},
    )
    if plan.status != Status.ACTIVE and request.method != "POST":
        # (A review sent meanwhile is answered on its form below, with what was typed.)
        messages.error(request, _("モニタリングできるのは実施中のプランです。"))
        return redirect("plans:detail", pk=plan.pk)
    goals = list(
        PlanGoal.objects.filter(member__plan=plan)
        .select_related("member__person")
        .order_by("member_id", "order", "id")
    )
    data = request.POST if request.method == "POST" else None
    form = MonitoringForm(data, initial={"held_on": timezone.localdate(), "version": plan.version})
    goal_forms = [GoalProgressForm(data, goal=goal) for goal in goals]
    status_code = 200
    if request.method == "POST":
        valid = [form.is_valid()] + [goal_form.is_valid() for goal_form in goal_forms]
        if all(valid):
            monitoring = form.save(commit=False)
            try:
                services.monitoring_record(
                    actor=request.user,
                    plan=plan,
                    monitoring=monitoring,
                    progress=[
                        services.GoalPart(
                            goal=goal_form.goal,
                            progress=goal_form.cleaned_data["progress"],
                            note=goal_form.cleaned_data["note"],
                        )
                        for goal_form in goal_forms
                    ],
                    version=form.cleaned_data["version"],
                    closure_reason=form.cleaned_data["closure_reason"],
                    evaluation=form.cleaned_data["evaluation"],
                )
            except (services.PlanConflict, CaseConflict) as conflict:
                form.add_error(None, str(conflict))
                plan.refresh_from_db()
                keep_input_at_version(form, plan.version)
                status_code = 409
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _after_monitoring(request, plan, monitoring.decision)
    return render(
        request,
        "plans/monitor.html",
        {
            "plan": plan,
            "case": plan.case,
            "form": form,
            "goal_forms": goal_forms,
            "invalid": request.method == "POST",
        },
        status=status_code,
    )


def _after_monitoring(request: StaffRequest, plan: SupportPlan, decision: str) -> HttpResponse:
    if decision == Decision.CLOSE:
        messages.success(request, _("モニタリングを記録しました。ケースを終結しました。"))
        return redirect("cases:detail", pk=plan.case_id)
    if decision == Decision.REPLAN:
        messages.success(
            request,
            _(
                "モニタリングを記録しました。ケースは「プラン作成」に戻りました。"
                "前の版を元に次の版（再プラン）を作成してください。"
            ),
        )
        return redirect("plans:create", case_pk=plan.case_id)
    messages.success(request, _("モニタリングを記録しました。プランを継続します。"))
    return redirect("plans:detail", pk=plan.pk)


@policy.route("support_plan", policy.Action.PRINT)
def print_sheet(request: StaffRequest, pk: int) -> HttpResponse:
    """The プランシート (プラン兼利用申込書) as a PDF; get_or_404 records the print with its basis."""
    plan, decision = policy.get_or_404(request.user, "support_plan", policy.Action.PRINT, pk=pk)
    from tsunagu.plans.printing import plan_sheet_pdf  # loads WeasyPrint on first print

    pdf = plan_sheet_pdf(plan, viewer=request.user, basis=decision.basis)
    response = HttpResponse(pdf, content_type="application/pdf")
    # No name in the file name: it ends up in download folders and logs.
    response["Content-Disposition"] = (
        f'inline; filename="plan-sheet-{plan.case.number}-v{plan.version_number}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response
