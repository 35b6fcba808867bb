"""多機関協働 cases: the coordinator's list, opening a case from a household or
an escalated referral, the case page (stage, team, consents, meetings, plans,
history) and its changes, and recording or withdrawing consent."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization
from tsunagu.accounts.models import Staff
from tsunagu.assessments import selectors as assessment_selectors
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases import selectors, services
from tsunagu.cases.forms import (
    CaseOpenForm,
    CaseUpdateForm,
    ConsentForm,
    ConsentWithdrawForm,
    TeamAddForm,
    TransitionForm,
)
from tsunagu.cases.models import TRANSITIONS, Case, ClosureReason, Consent, Guard, Stage
from tsunagu.core.forms_base import add_service_errors, keep_input_at_version
from tsunagu.core.http import StaffRequest
from tsunagu.core.pagination import screen_page
from tsunagu.directory.models import Organization
from tsunagu.people.models import Household
from tsunagu.plans.services import PLANNABLE
from tsunagu.progress import selectors as progress_selectors


@policy.route("case", policy.Action.LIST)
def case_list(request: StaffRequest) -> HttpResponse:
    """The coordinator's list: stage, how long it has waited, the next action;
    50 cases a page."""
    group = request.GET.get("group", "")
    mine = request.GET.get("scope") != "all"
    coordinating = policy.coordinating_organization_ids(request.user)
    paged = screen_page(
        request,
        selectors.case_list(request.user, group=group, mine=mine, coordinating=coordinating),
    )
    cases = paged.rows
    rows = selectors.case_rows(request.user, cases)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="cases.case",
        detail={"group": group, "page": paged.page.number, "shown": [case.pk for case in cases]},
    )
    return render(
        request,
        "cases/list.html",
        {
            "rows": rows,
            "paged": paged,
            "group": group,
            "groups": [(key, label) for key, (label, _stages) in selectors.GROUPS.items()],
            "mine": mine,
            "coordinating": bool(coordinating),
        },
    )


def _coordinating_organization(request: StaffRequest) -> Organization:
    return acting_organization(
        request, policy.coordinating_organization_ids(request.user), resource="case"
    )


@policy.route("case", policy.Action.CREATE)
def case_create(request: StaffRequest) -> HttpResponse:
    """Open a case for a household the coordinating section may see (usually
    one escalated to it by a つなぐシート)."""
    source = request.GET.get("referral") or request.POST.get("referral")
    referral = None
    if source:
        referral, _decision = policy.get_or_404(
            request.user, "referral", policy.Action.VIEW, pk=source
        )
        household_id = referral.household_id
    else:
        household_id = request.GET.get("household") or request.POST.get("household")
    household: Household
    # A working basis, not an emergency opening: opening a case gives the
    # coordinating section a lasting basis to the household.
    household, _decision = policy.get_or_404(
        request.user, "household", policy.Action.CHANGE, pk=household_id or 0
    )
    organization = _coordinating_organization(request)
    consultations = (
        policy.visible(request.user, "consultation", policy.Action.VIEW)
        .filter(household=household)
        .select_related("organization")
        .order_by("-received_at")
    )
    initial: dict[str, Any] = {"opened_on": timezone.localdate()}
    if referral is not None:
        initial["team"] = [referral.from_organization_id]
        if referral.consultation_id:
            initial["consultations"] = [referral.consultation_id]
    form = CaseOpenForm(request.POST or None, consultations=consultations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=request.user,
                organization=organization,
                household=household,
                title=data["title"],
                opened_on=data["opened_on"],
                referral=referral,
                consultations=data["consultations"],
                lead_organization=data["lead_organization"],
                team=data["team"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("多機関協働ケース %(n)s を受け付けました。") % {"n": case.number}
            )
            return redirect("cases:detail", pk=case.pk)
    existing = [
        case
        for case in policy.visible(request.user, "case", policy.Action.VIEW).filter(
            household=household
        )
        if case.is_open
    ]
    return render(
        request,
        "cases/create.html",
        {
            "form": form,
            "household": household,
            "referral": referral,
            "organization": organization,
            "existing": existing,
        },
    )


def _transition_actions(case: Case) -> list[dict[str, Any]]:
    actions = []
    for (source, target), guard in TRANSITIONS.items():
        if source != case.stage:
            continue
        actions.append(
            {
                "stage": Stage(target),
                "guard": guard,
                "needs_reason": guard == Guard.REASON,
                "needs_closure": guard == Guard.CLOSURE,
                "needs_follow_up": target == Stage.FOLLOW_UP,
            }
        )
    return actions


def _detail_context(request: StaffRequest, case: Case, basis: Any, **forms: Any) -> dict[str, Any]:
    may = policy.allowed(request.user, "case", case, [policy.Action.CHANGE])[policy.Action.CHANGE]
    actions = _transition_actions(case) if may else []
    transition_form = forms.get("transition_form")
    team = list(case.team.select_related("organization").order_by("left_on", "joined_on"))
    consents = list(
        policy.visible(request.user, "consent", policy.Action.VIEW)
        .filter(case=case)
        .select_related("grantor", "obtained_by_organization", "created_by")
        .prefetch_related("members", "organizations")
    )
    meetings = selectors.case_meetings(request.user, case)
    plans = selectors.case_plans(request.user, case)
    progress_notes = progress_selectors.recent_for_case(request.user, case)
    assessments = assessment_selectors.case_assessments(request.user, case)
    household_visible = (
        policy.visible(request.user, "household", policy.Action.VIEW)
        .filter(pk=case.household_id)
        .exists()
    )
    staff_queryset = Staff.objects.filter(
        memberships__organization_id__in=[m.organization_id for m in team if m.left_on is None],
        memberships__active=True,
        is_guest=False,
    ).distinct()
    context = {
        "case": case,
        "basis": basis,
        "may_change": bool(may),
        "stages": [{"stage": stage, "current": stage == case.stage} for stage in Stage],
        "actions": actions,
        "team": team,
        "consents": consents,
        "meetings": meetings,
        "plans": plans,
        "progress_notes": progress_notes,
        "assessments": assessments,
        # The members the viewer may see (a consent may leave some out), for the assessment links.
        "assessable": (
            policy.visible(request.user, "person", policy.Action.VIEW)
            .filter(memberships__household_id=case.household_id, memberships__ended_on=None)
            .distinct()
            .order_by("pk")
        ),
        "may_assess": bool(policy.casework_organization_ids(request.user)),
        "active_plan": next((p for p in plans if p.status == "active"), None),
        "draft_plan": next((p for p in plans if p.status == "draft"), None),
        "events": case.events.select_related("actor", "organization").order_by(
            "-occurred_at", "-pk"
        ),
        "household_visible": household_visible,
        "next_action": case.next_action or selectors.default_next_action(case),
        "update_form": forms.get("update_form")
        or CaseUpdateForm(
            instance=case, initial={"version": case.version}, staff_queryset=staff_queryset
        ),
        "team_form": forms.get("team_form") or TeamAddForm(case=case),
        "transition_form": transition_form,
        # What the user typed for a change the case no longer offers (someone
        # moved it meanwhile): shown with the refusal, so that it is not lost.
        "transition_kept": (
            transition_form is not None
            and transition_form.is_bound
            and may
            and transition_form.data.get("to_stage") not in {a["stage"].value for a in actions}
            and any(transition_form.data.get(name) for name in ("note", "evaluation"))
        ),
        "withdraw_form": forms.get("withdraw_form") or ConsentWithdrawForm(),
        "consent_in_force": services.consent_in_force(case),
        "closure_reasons": ClosureReason.choices,
        "plannable": case.stage in PLANNABLE,
    }
    return context


def _audit_shown(request: StaffRequest, case: Case, context: dict[str, Any]) -> None:
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="cases.case",
        object_id=str(case.pk),
        basis=str(context["basis"]),
        detail={
            "consents": [c.pk for c in context["consents"]],
            "agenda_items": [item.pk for item, _basis in context["meetings"]],
            "plans": [p.pk for p in context["plans"]],
            "progress_notes": [n.pk for n in context["progress_notes"]],
            "assessments": [a.pk for a in context["assessments"]],
        },
    )


@policy.route("case", policy.Action.VIEW)
def case_detail(request: StaffRequest, pk: int) -> HttpResponse:
    case, decision = policy.get_or_404(request.user, "case", policy.Action.VIEW, pk=pk)
    context = _detail_context(request, case, decision.basis)
    _audit_shown(request, case, context)
    return render(request, "cases/detail.html", context)


def _refused(
    request: StaffRequest, case: Case, basis: Any, status: int, **forms: Any
) -> HttpResponse:
    case.refresh_from_db()
    context = _detail_context(request, case, basis, **forms)
    response = render(request, "cases/detail.html", context)
    response.status_code = status
    return response


@require_POST
@policy.route("case", policy.Action.CHANGE)
def case_transition(request: StaffRequest, pk: int) -> HttpResponse:
    case, decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_transition(
                actor=request.user,
                case=case,
                to_stage=data["to_stage"],
                version=data["version"],
                note=data["note"],
                closure_reason=data["closure_reason"],
                evaluation=data["evaluation"],
                follow_up_until=data["follow_up_until"],
            )
        except services.CaseConflict as conflict:
            form.add_error(None, str(conflict))
            return _refused(request, case, decision.basis, 409, transition_form=form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("「%(stage)s」に進めました。") % {"stage": case.get_stage_display()}
            )
            return redirect("cases:detail", pk=case.pk)
    return _refused(request, case, decision.basis, 422, transition_form=form)


@require_POST
@policy.route("case", policy.Action.CHANGE)
def case_update(request: StaffRequest, pk: int) -> HttpResponse:
    case, decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=pk)
    staff_queryset = Staff.objects.filter(is_guest=False)
    form = CaseUpdateForm(
        request.POST, instance=Case.objects.get(pk=case.pk), staff_queryset=staff_queryset
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_update(
                actor=request.user,
                case=case,
                version=data["version"],
                lead_organization=data["lead_organization"],
                lead_staff=data["lead_staff"],
                next_action=data["next_action"],
                next_action_on=data["next_action_on"],
                title=data["title"],
            )
        except services.CaseConflict as conflict:
            form.add_error(None, str(conflict))
            case.refresh_from_db(fields=["version"])
            keep_input_at_version(form, case.version)
            return _refused(request, case, decision.basis, 409, update_form=form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("ケースを更新しました。"))
            return redirect("cases:detail", pk=case.pk)
    return _refused(request, case, decision.basis, 422, update_form=form)


@require_POST
@policy.route("case", policy.Action.CHANGE)
def team_add(request: StaffRequest, pk: int) -> HttpResponse:
    case, decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=pk)
    form = TeamAddForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.case_team_add(
                actor=request.user,
                case=case,
                organization=form.cleaned_data["organization"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("支援チームに機関を加えました。"))
            return redirect("cases:detail", pk=case.pk)
    return _refused(request, case, decision.basis, 422, team_form=form)


@require_POST
@policy.route("case", policy.Action.CHANGE)
def team_leave(request: StaffRequest, pk: int, member_pk: int) -> HttpResponse:
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=pk)
    member = case.team.filter(pk=member_pk).first()
    if member is None:
        messages.error(request, _("この機関は支援チームに入っていません。"))
        return redirect("cases:detail", pk=case.pk)
    try:
        services.case_team_leave(actor=request.user, case=case, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s が支援チームを離れました。") % {"name": member.organization.name},
        )
    return redirect("cases:detail", pk=case.pk)


@policy.route("consent", policy.Action.CREATE)
def consent_create(request: StaffRequest, pk: int) -> HttpResponse:
    """Record 本人同意 for the case: the policy's consent basis follows it at once."""
    case, _decision = policy.get_or_404(request.user, "case", policy.Action.CHANGE, pk=pk)
    members = services.household_members(case)
    team = Organization.objects.filter(
        pk__in=case.team.filter(left_on=None).values("organization_id")
    )
    initial = {
        "obtained_on": timezone.localdate(),
        "valid_from": timezone.localdate(),
        "members": [p.pk for p in members],
        "purposes": ["information_sharing", "plan_meeting", "plan_making"],
        "covers_case_team": True,
        "obtained_by_organization": case.lead_organization_id or case.organization_id,
        "method": "written",
        "grantor_kind": "person",
    }
    form = ConsentForm(request.POST or None, members=members, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                actor=request.user,
                case=case,
                consent=form.instance,
                members=form.cleaned_data["members"],
                organizations=form.cleaned_data["organizations"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("本人同意を記録しました。"))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/consent_form.html",
        {"form": form, "case": case, "team": team},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@policy.route("consent", policy.Action.CHANGE)
def consent_withdraw(request: StaffRequest, pk: int) -> HttpResponse:
    consent: Consent
    consent, _decision = policy.get_or_404(request.user, "consent", policy.Action.CHANGE, pk=pk)
    form = ConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user, consent=consent, note=form.cleaned_data["withdrawal_note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("本人同意の撤回を記録しました。この同意による共有は、この時点で止まりました。"),
            )
            return redirect("cases:detail", pk=consent.case_id)
    case = Case.objects.get(pk=consent.case_id)
    case_decision = policy.decide(request.user, policy.Action.VIEW, "case", case)
    return _refused(request, case, case_decision.basis, 422, withdraw_form=form)
