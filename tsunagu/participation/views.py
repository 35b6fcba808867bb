"""参加支援 pages: the staff member's open paths (follow-ups due first), a
person's profile and paths, ranked suggestions with their reasons, proposing
a resource, a path with its stages, follow-ups and host support, and counts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.outreach.views import report_period, working_organization
from tsunagu.participation import matching, selectors, services
from tsunagu.participation.forms import (
    NoteForm,
    ProfileForm,
    ProposeForm,
    SuggestionFilterForm,
    TransitionForm,
)
from tsunagu.participation.models import Participation, ParticipationProfile, Stage
from tsunagu.people.models import Person
from tsunagu.plans.models import Status as PlanStatus
from tsunagu.resources.models import WEEKDAY_LABELS


@policy.route("participation", policy.Action.LIST)
def worklist(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    paths = selectors.worklist(request.user, today)
    audit_record(
        AuditAction.LIST,
        actor=request.user,
        object_type="participation.participation",
        detail={"page": "worklist", "shown": [p.pk for p in paths]},
    )
    return render(
        request,
        "participation/worklist.html",
        {
            "paths": [(p, p.follow_up_overdue(today)) for p in paths],
            "overdue": sum(1 for p in paths if p.follow_up_overdue(today)),
        },
    )


def _own_profile(request: StaffRequest, person: Person) -> ParticipationProfile | None:
    """The acting organization's profile of ``person``, if it has one."""
    if not policy.casework_organization_ids(request.user):
        return None
    organization = working_organization(request)
    return (
        policy.visible(request.user, "participation_profile", policy.Action.VIEW)
        .filter(person=person, organization=organization)
        .first()
    )


@policy.route("participation", policy.Action.LIST)
def person(request: StaffRequest, person_pk: int) -> HttpResponse:
    person, decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_pk)
    profiles = list(
        policy.visible(request.user, "participation_profile", policy.Action.VIEW)
        .filter(person=person)
        .select_related("organization")
    )
    paths = list(
        selectors.visible_participations(request.user).filter(person=person).order_by("-pk")
    )
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=person,
        basis=decision.basis or "",
        detail={
            "page": "participation",
            "shown": {
                "participation_profile": [p.pk for p in profiles],
                "participation": [p.pk for p in paths],
            },
        },
    )
    own = _own_profile(request, person)
    return render(
        request,
        "participation/person.html",
        {
            "person": person,
            "basis": decision.basis,
            "profiles": profiles,
            "own_profile": own,
            "paths": paths,
            "may_edit": bool(policy.decide(request.user, policy.Action.CHANGE, "person", person))
            and bool(policy.casework_organization_ids(request.user)),
            "weekday_labels": WEEKDAY_LABELS,
        },
    )


@policy.route("participation_profile", policy.Action.CREATE)
def profile_edit(request: StaffRequest, person_pk: int) -> HttpResponse:
    person, _decision = policy.get_or_404(
        request.user, "person", policy.Action.CHANGE, pk=person_pk
    )
    organization = working_organization(request)
    profile = _own_profile(request, person)
    initial: dict[str, Any] = {"group_size": "any", "travel": "district"}
    if profile is not None:
        initial = {name: getattr(profile, name) for name in services.PROFILE_FIELDS}
        initial["version"] = profile.version
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.profile_save(
                actor=request.user,
                organization=organization,
                person=person,
                version=version,
                **data,
            )
        except services.ParticipationConflict as conflict:
            form.add_error(None, conflict.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("参加支援プロフィールを保存しました。"))
            return redirect("participation:person", person.pk)
    return render(
        request,
        "participation/profile_form.html",
        {"form": form, "person": person, "profile": profile, "organization": organization},
    )


def _plans_for(request: StaffRequest, person: Person) -> Any:
    """Active plans that name ``person`` and that the staff member may see."""
    return (
        policy.visible(request.user, "support_plan", policy.Action.VIEW)
        .filter(members__person=person, status=PlanStatus.ACTIVE)
        .select_related("case")
        .distinct()
    )


@policy.route("participation_profile", policy.Action.VIEW)
def suggestions(request: StaffRequest, person_pk: int) -> HttpResponse:
    person, decision = policy.get_or_404(request.user, "person", policy.Action.VIEW, pk=person_pk)
    profile = _own_profile(request, person)
    if profile is None:
        messages.info(
            request, _("先に参加支援プロフィール（関心・得意なこと・条件）を記録してください。")
        )
        return redirect("participation:profile", person.pk)
    districts = policy.visible(request.user, "district", policy.Action.LIST).filter(
        archived_at=None
    )
    filters = SuggestionFilterForm(request.GET or None, districts=districts)
    district_id, weekday = None, None
    if filters.is_valid():
        district = filters.cleaned_data["district"]
        district_id = district.pk if district else None
        weekday = filters.cleaned_data["weekday"] or None
    found = matching.suggest(
        profile,
        policy.visible(request.user, "resource", policy.Action.LIST),
        district_id=district_id,
        weekday=weekday,
    )
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=profile,
        basis=decision.basis or "",
        detail={"page": "suggestions", "resources": [s.resource.pk for s in found]},
    )
    may_propose = bool(
        policy.decide(request.user, policy.Action.CHANGE, "person", person)
    ) and bool(policy.decide(request.user, policy.Action.CREATE, "participation"))
    plans = list(_plans_for(request, person))
    return render(
        request,
        "participation/suggestions.html",
        {
            "person": person,
            "profile": profile,
            "filters": filters,
            "suggestions": [
                (
                    s,
                    ProposeForm(
                        initial={"resource": s.resource.pk, "reason": s.reason_text},
                        plans=_plans_for(request, person),
                        prefix=f"r{s.resource.pk}",
                    ),
                )
                for s in found
            ],
            "may_propose": may_propose,
            "has_plans": bool(plans),
        },
    )


@require_POST
@policy.route("participation", policy.Action.CREATE)
def propose(request: StaffRequest, person_pk: int) -> HttpResponse:
    person, _decision = policy.get_or_404(
        request.user, "person", policy.Action.CHANGE, pk=person_pk
    )
    prefix = request.POST.get("prefix", "")
    form = ProposeForm(request.POST, plans=_plans_for(request, person), prefix=prefix or None)
    if form.is_valid():
        resource = (
            policy.visible(request.user, "resource", policy.Action.VIEW)
            .filter(pk=form.cleaned_data["resource"])
            .first()
        )
        if resource is None:
            raise Http404
        try:
            path = services.participation_propose(
                actor=request.user,
                organization=working_organization(request),
                person=person,
                resource=resource,
                reason=form.cleaned_data["reason"],
                plan=form.cleaned_data["plan"],
                next_follow_up_on=form.cleaned_data["next_follow_up_on"],
                arrangement=form.cleaned_data["arrangement"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("「%(name)s」を提案として記録しました。") % {"name": resource.name}
            )
            return redirect("participation:detail", path.pk)
    else:
        for errors in form.errors.values():
            for problem in errors:
                messages.error(request, str(problem))
    return redirect("participation:suggestions", person.pk)


def _detail_context(
    request: StaffRequest,
    path: Participation,
    transition_form: TransitionForm | None = None,
    note_form: NoteForm | None = None,
) -> dict[str, Any]:
    today = timezone.localdate()
    may_change = bool(policy.decide(request.user, policy.Action.CHANGE, "participation", path))
    stages = path.allowed_stages()
    return {
        "path": path,
        "events": list(path.events.select_related("actor", "organization")),
        "stages": [s for s in Stage],
        "may_change": may_change,
        # Two forms on one page: prefixes keep their field ids (and labels) apart.
        "transition_form": transition_form
        or TransitionForm(
            initial={"happened_on": today, "version": path.version},
            stages=stages,
            prefix="transition",
        ),
        "note_form": note_form
        or NoteForm(initial={"happened_on": today, "version": path.version}, prefix="note"),
        "overdue": path.follow_up_overdue(today),
        "has_transitions": bool(stages),
    }


@policy.route("participation", policy.Action.VIEW)
def detail(request: StaffRequest, pk: int) -> HttpResponse:
    path, decision = policy.get_or_404(request.user, "participation", policy.Action.VIEW, pk=pk)
    audit_record(AuditAction.VIEW, actor=request.user, obj=path, basis=decision.basis or "")
    context = _detail_context(request, path)
    context["basis"] = decision.basis
    return render(request, "participation/detail.html", context)


@require_POST
@policy.route("participation", policy.Action.CHANGE)
def transition(request: StaffRequest, pk: int) -> HttpResponse:
    path, decision = policy.get_or_404(request.user, "participation", policy.Action.CHANGE, pk=pk)
    form = TransitionForm(request.POST, stages=path.allowed_stages(), prefix="transition")
    if form.is_valid():
        try:
            services.participation_transition(
                actor=request.user,
                participation=path,
                to_stage=form.cleaned_data["to_stage"],
                happened_on=form.cleaned_data["happened_on"],
                note=form.cleaned_data["note"],
                next_follow_up_on=form.cleaned_data["next_follow_up_on"],
                version=form.cleaned_data["version"],
            )
        except services.ParticipationConflict as conflict:
            form.add_error(None, conflict.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("段階を更新しました。"))
            return redirect("participation:detail", path.pk)
    context = _detail_context(request, path, transition_form=form)
    context["basis"] = decision.basis
    return render(request, "participation/detail.html", context, status=422)


@require_POST
@policy.route("participation", policy.Action.CHANGE)
def note(request: StaffRequest, pk: int) -> HttpResponse:
    path, decision = policy.get_or_404(request.user, "participation", policy.Action.CHANGE, pk=pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.participation_note(
                actor=request.user,
                participation=path,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                happened_on=form.cleaned_data["happened_on"],
                next_follow_up_on=form.cleaned_data["next_follow_up_on"],
                version=form.cleaned_data["version"],
            )
        except services.ParticipationConflict as conflict:
            form.add_error(None, conflict.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("記録しました。"))
            return redirect("participation:detail", path.pk)
    context = _detail_context(request, path, note_form=form)
    context["basis"] = decision.basis
    return render(request, "participation/detail.html", context, status=422)


@policy.route("aggregate", policy.Action.VIEW)
def counts(request: StaffRequest) -> HttpResponse:
    """Paths plan-based and before a plan, and host organizations, for a period."""
    form, start, end, label = report_period(request)
    # An aggregate over the whole municipality: no names, no basis needed.
    result = selectors.participation_counts(Participation.objects.all(), start, end)
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="participation.counts",
        detail={"start": start.isoformat(), "end": end.isoformat()},
    )
    return render(
        request,
        "participation/counts.html",
        {"form": form, "result": result, "period": label},
    )
