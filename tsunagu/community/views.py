"""地域づくり pages: the index (places by district with the ones needing
succession support standing out, the projects on a board by stage, the open
regional issues), and a page, a form and the steps of each.

Every staff member but an external guest reads them; those who do casework
and the system administrator keep them (policy: ResourceDirectoryRule).
Views stay thin: reads in :mod:`selectors`, writes in :mod:`services`, and
every page is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.community import selectors, services
from tsunagu.community.forms import (
    AdvanceForm,
    DistrictFilterForm,
    IssueForm,
    NoteForm,
    PlaceForm,
    ProjectForm,
    TransitionForm,
    differences,
    issue_initial,
    place_initial,
    project_initial,
)
from tsunagu.community.models import (
    CommunityPlace,
    CommunityProject,
    IssueSource,
    RegionalIssue,
    Succession,
)
from tsunagu.core.forms_base import add_service_errors
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization


def _districts(request: StaffRequest) -> QuerySet[Any]:
    return policy.visible(request.user, "district", policy.Action.LIST).filter(archived_at=None)


def _organizations(request: StaffRequest) -> QuerySet[Any]:
    """The ward's own organizations (an external one neither supports a project nor holds an issue)."""
    return (
        policy.visible(request.user, "organization", policy.Action.LIST)
        .filter(archived_at=None)
        .exclude(kind=Organization.Kind.EXTERNAL)
        .order_by("sort_order", "pk")
    )


def _acting_organization(request: StaffRequest) -> Organization | None:
    acting = acting_organization_id(request)
    return _organizations(request).filter(pk=acting).first() if acting is not None else None


def _respond(request: StaffRequest, template: str, context: dict[str, Any], status: int) -> Any:
    response = render(request, template, context)
    response.status_code = status
    return response


F = TypeVar("F", bound=Form)


def _rebased(make: Callable[[QueryDict], F], data: QueryDict, version: int) -> F:
    """The user's input kept, now naming the latest version: saving again is a
    deliberate choice made after seeing what a colleague changed."""
    rebased = data.copy()
    rebased["version"] = str(version)
    form = make(rebased)
    form.is_valid()
    return form


def _versioned_update(
    request: StaffRequest,
    *,
    obj: Any,
    key: str,
    template: str,
    make_form: Callable[[QueryDict | None, Any], Any],
    initial_of: Callable[[Any], dict[str, Any]],
    reload: Callable[[], Any],
    save: Callable[[Any], Any],
    detail: str,
) -> HttpResponse:
    """The edit page of a place, project or issue: saved through its service
    with a version lock. A colleague's save in between answers 409 with the
    user's input kept, rebased on the latest version, and what differs shown."""
    form = make_form(request.POST if request.method == "POST" else None, obj)
    context: dict[str, Any] = {key: obj, "form": form}
    if request.method != "POST":
        return render(request, template, context)
    status = 422
    if form.is_valid():
        try:
            saved = save(form)
        except services.CommunityConflict as conflict:
            latest = reload()
            form = _rebased(lambda data: make_form(data, latest), request.POST, latest.version)
            form.add_error(None, conflict.message)
            context.update(form=form, differences=differences(form, initial_of(latest)))
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("「%(name)s」を保存しました。") % {"name": saved})
            return redirect(detail, pk=saved.pk)
    return _respond(request, template, context, status)


# --- Index --------------------------------------------------------------------------------


@policy.route("community_place", policy.Action.LIST)
def index(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DistrictFilterForm(request.GET or None, districts=_districts(request))
    filters = selectors.CommunityFilters(district_id=form.district_id())
    rows = selectors.place_rows(list(selectors.place_list(request.user, filters)), today)
    board = selectors.board(list(selectors.project_list(request.user, filters)), today)
    issues = list(selectors.issue_list(request.user, filters))
    for object_type, shown in (
        ("community.communityplace", [row.place.pk for row in rows]),
        (
            "community.communityproject",
            [c.project.pk for col in board.columns for c in col.cards]
            + [project.pk for project in board.ended],
        ),
        ("community.regionalissue", [issue.pk for issue in issues]),
    ):
        audit_record(
            AuditAction.LIST,
            actor=request.user,
            object_type=object_type,
            detail={"page": "community", **filters.as_detail(), "shown": shown},
        )
    return render(
        request,
        "community/index.html",
        {
            "form": form,
            "filtered": filters.district_id is not None,
            "groups": selectors.by_district(rows),
            "place_count": len(rows),
            "needing_support": selectors.needing_support(rows),
            "board": board,
            "issues": issues,
            "succession_years": selectors.SUCCESSION_YEARS,
            "may_create_place": policy.decide(
                request.user, policy.Action.CREATE, "community_place"
            ),
            "may_create_project": policy.decide(
                request.user, policy.Action.CREATE, "community_project"
            ),
            "may_create_issue": policy.decide(request.user, policy.Action.CREATE, "regional_issue"),
        },
    )


# --- Places -------------------------------------------------------------------------------


@policy.route("community_place", policy.Action.VIEW)
def place_detail(request: StaffRequest, pk: int) -> HttpResponse:
    from tsunagu.resources.selectors import resource_schedules

    place, decision = policy.get_or_404(request.user, "community_place", policy.Action.VIEW, pk=pk)
    years = selectors.years_running(place.year_started)
    audit_record(AuditAction.VIEW, actor=request.user, obj=place, basis=str(decision.basis or ""))
    return render(
        request,
        "community/place_detail.html",
        {
            "place": place,
            "years": years,
            "needs_support": selectors.needs_succession_support(place),
            "long_running": years is not None and years >= selectors.SUCCESSION_YEARS,
            "succession_years": selectors.SUCCESSION_YEARS,
            "schedules": [s.label() for s in resource_schedules(place.resource)],
            "projects": selectors.place_projects(place),
            "may_change": policy.decide(
                request.user, policy.Action.CHANGE, "community_place", place
            ),
        },
    )


def _place_form(
    request: StaffRequest,
    data: QueryDict | None,
    resources: QuerySet[Any] | None,
    initial: dict[str, Any],
) -> PlaceForm:
    return PlaceForm(
        data,
        resources=resources,
        districts=_districts(request),
        organizations=_organizations(request),
        initial=initial,
    )


@policy.route("community_place", policy.Action.CREATE)
def place_create(request: StaffRequest) -> HttpResponse:
    """Step 1: choose a resource (those marked 居場所・拠点 without a place, or all
    of them); step 2: the form, prefilled from the resource."""
    source = request.POST if request.method == "POST" else request.GET
    everything = source.get("all") == "1"
    wanted = source.get("resource", "")
    chosen_id = int(wanted) if wanted.isdigit() else None
    resources = selectors.offerable_resources(
        request.user, everything=everything, include=chosen_id
    )
    chosen = resources.filter(pk=chosen_id).first() if chosen_id is not None else None
    context: dict[str, Any] = {"everything": everything, "chosen": chosen}
    if request.method != "POST":
        if chosen is None:
            if chosen_id is not None:
                messages.error(
                    request,
                    _(
                        "この社会資源は選べません（すでに居場所・拠点として登録されているか、"
                        "アーカイブされています）。"
                    ),
                )
            context["candidates"] = list(resources.select_related("provider"))
            return render(request, "community/place_form.html", context)
        initial = {
            "resource": chosen,
            "operator": chosen.provider.name,
            "district": selectors.resource_district(chosen),
            "year_started": chosen.year_started,
            "succession": Succession.STABLE,
            "supporting_organization": _acting_organization(request),
        }
        context["form"] = _place_form(request, None, resources, initial)
        return render(request, "community/place_form.html", context)
    form = _place_form(request, request.POST, resources, {})
    context["form"] = form
    if form.is_valid():
        try:
            place = services.community_place_create(
                actor=request.user, resource=form.cleaned_data["resource"], spec=form.spec()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("「%(name)s」を居場所・拠点に登録しました。") % {"name": place}
            )
            return redirect("community:place_detail", pk=place.pk)
    return _respond(request, "community/place_form.html", context, 422)


@policy.route("community_place", policy.Action.CHANGE)
def place_update(request: StaffRequest, pk: int) -> HttpResponse:
    place, _decision = policy.get_or_404(
        request.user, "community_place", policy.Action.CHANGE, pk=pk
    )
    return _versioned_update(
        request,
        obj=place,
        key="place",
        template="community/place_form.html",
        make_form=lambda data, p: _place_form(request, data, None, place_initial(p)),
        initial_of=place_initial,
        reload=lambda: CommunityPlace.objects.select_related("resource").get(pk=place.pk),
        save=lambda form: services.community_place_update(
            actor=request.user,
            place=place,
            version=form.cleaned_data.get("version"),
            spec=form.spec(),
        ),
        detail="community:place_detail",
    )


# --- Projects -----------------------------------------------------------------------------


def _project_form(
    request: StaffRequest,
    data: QueryDict | None,
    project: CommunityProject | None,
    initial: dict[str, Any],
) -> ProjectForm:
    return ProjectForm(
        data,
        editing=project is not None,
        districts=_districts(request),
        organizations=_organizations(request),
        places=selectors.place_choices(request.user, project.place if project else None),
        issues=selectors.issue_choices(request.user, project.regional_issue if project else None),
        initial=initial,
    )


def _project_context(
    request: StaffRequest,
    project: CommunityProject,
    transition_form: TransitionForm | None = None,
    note_form: NoteForm | None = None,
) -> dict[str, Any]:
    today = timezone.localdate()
    stages = services.allowed_stages(project.stage)
    return {
        "project": project,
        "steps": selectors.stepper(project),
        "events": selectors.project_events(project),
        "overdue": project.next_action_on is not None and project.next_action_on < today,
        "days_in_stage": max((today - project.stage_changed_on).days, 0),
        "may_change": policy.decide(
            request.user, policy.Action.CHANGE, "community_project", project
        ),
        "has_transitions": bool(stages),
        # Two forms on one page: prefixes keep their field ids (and labels) apart.
        "transition_form": transition_form
        or TransitionForm(initial={"version": project.version}, stages=stages, prefix="transition"),
        "note_form": note_form or NoteForm(prefix="note"),
    }


@policy.route("community_project", policy.Action.VIEW)
def project_detail(request: StaffRequest, pk: int) -> HttpResponse:
    project, decision = policy.get_or_404(
        request.user, "community_project", policy.Action.VIEW, pk=pk
    )
    audit_record(AuditAction.VIEW, actor=request.user, obj=project, basis=str(decision.basis or ""))
    return render(request, "community/project_detail.html", _project_context(request, project))


@policy.route("community_project", policy.Action.CREATE)
def project_create(request: StaffRequest) -> HttpResponse:
    initial: dict[str, Any] = {"organization": _acting_organization(request)}
    wanted = request.GET.get("issue", "")
    if wanted.isdigit():
        issue = selectors.issue_choices(request.user).filter(pk=int(wanted)).first()
        if issue is not None:
            initial.update(regional_issue=issue, district=issue.district)
    wanted = request.GET.get("place", "")
    if wanted.isdigit():
        place = selectors.place_choices(request.user).filter(pk=int(wanted)).first()
        if place is not None:
            initial.update(place=place, district=place.district)
    form = _project_form(request, request.POST if request.method == "POST" else None, None, initial)
    if request.method != "POST":
        return render(request, "community/project_form.html", {"form": form})
    if form.is_valid():
        try:
            project = services.community_project_create(
                actor=request.user,
                spec=form.spec(),
                started_on=form.cleaned_data.get("started_on"),
                support=form.cleaned_data.get("support") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("地域プロジェクト「%(title)s」を登録しました。") % {"title": project}
            )
            return redirect("community:project_detail", pk=project.pk)
    return _respond(request, "community/project_form.html", {"form": form}, 422)


@policy.route("community_project", policy.Action.CHANGE)
def project_update(request: StaffRequest, pk: int) -> HttpResponse:
    project, _decision = policy.get_or_404(
        request.user, "community_project", policy.Action.CHANGE, pk=pk
    )
    return _versioned_update(
        request,
        obj=project,
        key="project",
        template="community/project_form.html",
        make_form=lambda data, p: _project_form(request, data, p, project_initial(p)),
        initial_of=project_initial,
        reload=lambda: CommunityProject.objects.get(pk=project.pk),
        save=lambda form: services.community_project_update(
            actor=request.user,
            project=project,
            version=form.cleaned_data.get("version"),
            spec=form.spec(),
        ),
        detail="community:project_detail",
    )


@require_POST
@policy.route("community_project", policy.Action.CHANGE)
def project_transition(request: StaffRequest, pk: int) -> HttpResponse:
    project, _decision = policy.get_or_404(
        request.user, "community_project", policy.Action.CHANGE, pk=pk
    )
    form = TransitionForm(
        request.POST, stages=services.allowed_stages(project.stage), prefix="transition"
    )
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.community_project_transition(
                actor=request.user,
                project=project,
                to_stage=data["to_stage"],
                version=data["version"],
                reason=data.get("reason") or "",
                support=data.get("support") or "",
                happened_on=data.get("happened_on"),
            )
        except services.CommunityConflict as conflict:
            project = CommunityProject.objects.get(pk=project.pk)
            rebased = request.POST.copy()
            rebased["transition-version"] = str(project.version)
            form = TransitionForm(
                rebased, stages=services.allowed_stages(project.stage), prefix="transition"
            )
            form.is_valid()
            form.add_error(None, conflict.message)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("段階を更新しました。"))
            return redirect("community:project_detail", pk=project.pk)
    return _respond(
        request,
        "community/project_detail.html",
        _project_context(request, project, transition_form=form),
        status,
    )


@require_POST
@policy.route("community_project", policy.Action.CHANGE)
def project_note(request: StaffRequest, pk: int) -> HttpResponse:
    project, _decision = policy.get_or_404(
        request.user, "community_project", policy.Action.CHANGE, pk=pk
    )
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.community_project_note(
                actor=request.user,
                project=project,
                support=form.cleaned_data["support"],
                happened_on=form.cleaned_data.get("happened_on"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("支援の経過を記録しました。"))
            return redirect("community:project_detail", pk=project.pk)
    return _respond(
        request,
        "community/project_detail.html",
        _project_context(request, project, note_form=form),
        422,
    )


# --- Regional issues ----------------------------------------------------------------------


def _issue_form(
    request: StaffRequest,
    data: QueryDict | None,
    issue: RegionalIssue | None,
    initial: dict[str, Any],
) -> IssueForm:
    return IssueForm(
        data,
        issue=issue,
        districts=_districts(request),
        organizations=_organizations(request),
        cases=selectors.case_choices(request.user),
        meetings=selectors.meeting_choices(request.user),
        initial=initial,
    )


def _issue_context(
    request: StaffRequest, issue: RegionalIssue, advance_form: AdvanceForm | None = None
) -> dict[str, Any]:
    return {
        "issue": issue,
        "life_issue_labels": selectors.life_issue_labels(issue),
        "origin": selectors.issue_source(request.user, issue),
        "events": selectors.issue_events(issue),
        "projects": selectors.issue_projects(issue),
        "may_change": policy.decide(request.user, policy.Action.CHANGE, "regional_issue", issue),
        "may_create_project": policy.decide(
            request.user, policy.Action.CREATE, "community_project"
        ),
        "advance_form": advance_form
        or AdvanceForm(initial={"version": issue.version}, current=issue.status, prefix="advance"),
    }


@policy.route("regional_issue", policy.Action.VIEW)
def issue_detail(request: StaffRequest, pk: int) -> HttpResponse:
    issue, decision = policy.get_or_404(request.user, "regional_issue", policy.Action.VIEW, pk=pk)
    context = _issue_context(request, issue)
    origin = context["origin"]
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=issue,
        basis=str(decision.basis or ""),
        detail={
            "shown": {
                "case": origin.case.pk if origin.case else None,
                "meeting": origin.meeting.pk if origin.meeting else None,
            }
        },
    )
    return render(request, "community/issue_detail.html", context)


@policy.route("regional_issue", policy.Action.CREATE)
def issue_create(request: StaffRequest) -> HttpResponse:
    initial: dict[str, Any] = {
        "organization": _acting_organization(request),
        "raised_on": timezone.localdate(),
    }
    wanted = request.GET.get("case", "")
    if wanted.isdigit():
        case = selectors.case_choices(request.user).filter(pk=int(wanted)).first()
        if case is not None:
            initial.update(source=IssueSource.CASE, source_case=case)
    form = _issue_form(request, request.POST if request.method == "POST" else None, None, initial)
    if request.method != "POST":
        return render(request, "community/issue_form.html", {"form": form})
    if form.is_valid():
        try:
            issue = services.regional_issue_create(actor=request.user, spec=form.spec())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("地域課題「%(title)s」を登録しました。") % {"title": issue})
            return redirect("community:issue_detail", pk=issue.pk)
    return _respond(request, "community/issue_form.html", {"form": form}, 422)


@policy.route("regional_issue", policy.Action.CHANGE)
def issue_update(request: StaffRequest, pk: int) -> HttpResponse:
    issue, _decision = policy.get_or_404(
        request.user, "regional_issue", policy.Action.CHANGE, pk=pk
    )
    return _versioned_update(
        request,
        obj=issue,
        key="issue",
        template="community/issue_form.html",
        make_form=lambda data, i: _issue_form(request, data, i, issue_initial(i)),
        initial_of=issue_initial,
        reload=lambda: RegionalIssue.objects.get(pk=issue.pk),
        save=lambda form: services.regional_issue_update(
            actor=request.user,
            issue=issue,
            version=form.cleaned_data.get("version"),
            spec=form.spec(),
        ),
        detail="community:issue_detail",
    )


@require_POST
@policy.route("regional_issue", policy.Action.CHANGE)
def issue_advance(request: StaffRequest, pk: int) -> HttpResponse:
    issue, _decision = policy.get_or_404(
        request.user, "regional_issue", policy.Action.CHANGE, pk=pk
    )
    form = AdvanceForm(request.POST, current=issue.status, prefix="advance")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.regional_issue_advance(
                actor=request.user,
                issue=issue,
                to_status=data["to_status"],
                note=data["note"],
                version=data["version"],
                outcome=data.get("outcome") or None,
                happened_on=data.get("happened_on"),
            )
        except services.CommunityConflict as conflict:
            issue = RegionalIssue.objects.get(pk=issue.pk)
            rebased = request.POST.copy()
            rebased["advance-version"] = str(issue.version)
            form = AdvanceForm(rebased, current=issue.status, prefix="advance")
            form.is_valid()
            form.add_error(None, conflict.message)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("地域課題の状況を更新しました。"))
            return redirect("community:issue_detail", pk=issue.pk)
    return _respond(
        request, "community/issue_detail.html", _issue_context(request, issue, form), status
    )
