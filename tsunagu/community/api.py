"""API of 地域づくり: community places, projects (with their stage changes and
support notes) and regional issues (with the steps that carry them).

Like the pages: every staff member but an external guest reads them; those
who do casework and the system administrator keep them. Reads start from the
policy's visible querysets and are audited; writes go through
:mod:`tsunagu.community.services` with the same forms as the pages, so the
same Japanese messages come back (422). A change names the version it was
made on and is refused with 409 when a colleague changed the record since.
The case or meeting an issue was raised from is answered only to those the
policy lets see it.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.community import selectors, services
from tsunagu.community.forms import IssueForm, PlaceForm, ProjectForm
from tsunagu.community.models import (
    CommunityPlace,
    CommunityProject,
    IssueStatus,
    ProjectStage,
    RegionalIssue,
)
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.directory.models import Organization

#: Form field names as the payloads name them.
RENAMED = {
    "resource": "resource_id",
    "district": "district_id",
    "supporting_organization": "supporting_organization_id",
    "organization": "organization_id",
    "place": "place_id",
    "regional_issue": "regional_issue_id",
    "source_case": "source_case_id",
    "source_meeting": "source_meeting_id",
}

# --- Schemas -------------------------------------------------------------------------


class PlaceOut(Schema):
    id: int
    resource_id: int
    name: str = Field(..., alias="resource.name")
    operator: str
    district_id: int
    district: str = Field(..., alias="district.name")
    opening_frequency: str
    functions: list[str]
    function_labels: list[str]
    year_started: int | None
    years_running: int | None
    succession: str
    succession_label: str = Field(..., alias="get_succession_display")
    #: 継承を協議中・継承支援中・担い手の高齢化, or 10 years and more and not handed on.
    needs_succession_support: bool
    succession_note: str
    supporting_organization_id: int | None
    supporting_organization: str | None
    version: int

    @staticmethod
    def resolve_function_labels(obj: CommunityPlace) -> list[str]:
        return obj.function_labels()

    @staticmethod
    def resolve_years_running(obj: CommunityPlace) -> int | None:
        return selectors.years_running(obj.year_started)

    @staticmethod
    def resolve_needs_succession_support(obj: CommunityPlace) -> bool:
        return selectors.needs_succession_support(obj)

    @staticmethod
    def resolve_supporting_organization(obj: CommunityPlace) -> str | None:
        organization = obj.supporting_organization
        return organization.name if organization is not None else None


class PlaceFieldsIn(Schema):
    operator: str
    district_id: int
    opening_frequency: str
    #: PlaceFunction codes: ibasho, consultation, exchange, learning, active_role, food …
    functions: list[str] = []
    year_started: int | None = None
    #: Succession codes: stable, watch, discussing, supporting, succeeded, closing.
    succession: str = "stable"
    succession_note: str = ""
    supporting_organization_id: int | None = None


class PlaceIn(PlaceFieldsIn):
    #: A resource of the directory that is not yet a place.
    resource_id: int


class PlaceUpdateIn(PlaceFieldsIn):
    #: The version the change was made on (optimistic lock): 409 when outdated.
    version: int


class NextStageOut(Schema):
    stage: str
    label: str
    reason_required: bool


class ProjectOut(Schema):
    id: int
    title: str
    district_id: int
    district: str = Field(..., alias="district.name")
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    stage: str
    stage_label: str = Field(..., alias="get_stage_display")
    stage_changed_on: date
    purpose: str
    members: str
    place_id: int | None
    regional_issue_id: int | None
    next_action: str
    next_action_on: date | None
    #: The stages the project may move to now (the transitions table).
    next_stages: list[NextStageOut]
    version: int

    @staticmethod
    def resolve_next_stages(obj: CommunityProject) -> list[dict[str, Any]]:
        return [
            {"stage": stage.value, "label": str(stage.label), "reason_required": needs}
            for stage, needs in services.allowed_stages(obj.stage)
        ]


class ProjectEventOut(Schema):
    id: int
    occurred_at: datetime
    from_stage: str
    to_stage: str
    support: str
    reason: str
    organization: str = Field(..., alias="organization.name")
    actor: str = Field(..., alias="actor.full_name")


class ProjectDetailOut(ProjectOut):
    place: str | None
    regional_issue: str | None
    #: The support history, newest first.
    events: list[ProjectEventOut]

    @staticmethod
    def resolve_place(obj: CommunityProject) -> str | None:
        return obj.place.resource.name if obj.place is not None else None

    @staticmethod
    def resolve_regional_issue(obj: CommunityProject) -> str | None:
        return obj.regional_issue.title if obj.regional_issue is not None else None

    @staticmethod
    def resolve_events(obj: CommunityProject) -> list[Any]:
        return selectors.project_events(obj)


class ProjectFieldsIn(Schema):
    title: str
    district_id: int
    organization_id: int
    purpose: str
    members: str = ""
    place_id: int | None = None
    regional_issue_id: int | None = None
    next_action: str = ""
    next_action_on: Day | None = None


class ProjectIn(ProjectFieldsIn):
    #: The day the idea was taken up (today when omitted).
    started_on: Day | None = None
    support: str = ""


class ProjectUpdateIn(ProjectFieldsIn):
    version: int


class CommunityProjectTransitionIn(Schema):
    to_stage: str
    version: int
    #: Needed where the transitions table says so (going back, ending).
    reason: str = ""
    support: str = ""
    happened_on: Day | None = None


class CommunityProjectNoteIn(Schema):
    support: str
    happened_on: Day | None = None


class IssueOut(Schema):
    id: int
    title: str
    description: str
    district_id: int | None
    district: str | None
    life_issues: list[str]
    life_issue_labels: list[str]
    source: str
    source_label: str = Field(..., alias="get_source_display")
    raised_on: date
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    is_open: bool
    outcome: str
    version: int

    @staticmethod
    def resolve_district(obj: RegionalIssue) -> str | None:
        return obj.district.name if obj.district is not None else None

    @staticmethod
    def resolve_life_issue_labels(obj: RegionalIssue) -> list[str]:
        return selectors.life_issue_labels(obj)


class CaseRefOut(Schema):
    id: int
    number: str


class MeetingRefOut(Schema):
    id: int
    title: str
    held_on: date


class IssueEventOut(Schema):
    id: int
    occurred_at: datetime
    from_status: str
    to_status: str
    note: str
    organization: str = Field(..., alias="organization.name")
    actor: str = Field(..., alias="actor.full_name")


class ProjectRefOut(Schema):
    id: int
    title: str
    stage: str


class IssueDetailOut(IssueOut):
    #: Only when the policy lets the caller see the case; otherwise null and
    #: ``source_case_hidden`` true.
    source_case: CaseRefOut | None
    source_case_hidden: bool
    source_meeting: MeetingRefOut | None
    source_meeting_hidden: bool
    #: The issue's path, newest first.
    events: list[IssueEventOut]
    projects: list[ProjectRefOut]

    @staticmethod
    def resolve_source_case(obj: Any) -> Any:
        return obj.origin.case

    @staticmethod
    def resolve_source_case_hidden(obj: Any) -> bool:
        return bool(obj.origin.case_hidden)

    @staticmethod
    def resolve_source_meeting(obj: Any) -> Any:
        return obj.origin.meeting

    @staticmethod
    def resolve_source_meeting_hidden(obj: Any) -> bool:
        return bool(obj.origin.meeting_hidden)

    @staticmethod
    def resolve_events(obj: RegionalIssue) -> list[Any]:
        return selectors.issue_events(obj)

    @staticmethod
    def resolve_projects(obj: RegionalIssue) -> list[Any]:
        return selectors.issue_projects(obj)


class IssueFieldsIn(Schema):
    title: str
    description: str
    #: IssueSource codes: case, meeting, community_meeting, activity, other.
    source: str
    raised_on: Day
    organization_id: int
    #: Empty for an issue of the whole ward.
    district_id: int | None = None
    #: LifeIssue codes (地域生活課題).
    life_issues: list[str] = []
    #: With source "case": a case the caller may see.
    source_case_id: int | None = None
    #: With source "meeting" (or "community_meeting"): a meeting the caller may see.
    source_meeting_id: int | None = None
    outcome: str = ""


class IssueIn(IssueFieldsIn):
    #: What was seen when it was raised (the first step of its path).
    note: str = ""


class IssueUpdateIn(IssueFieldsIn):
    version: int


class AdvanceIn(Schema):
    #: IssueStatus codes: raised, analysing, resource_development, policy, resolved, shelved.
    to_status: str
    note: str
    version: int
    #: Replaces what the issue led to (omitted: kept).
    outcome: str | None = None
    happened_on: Day | None = None


# --- Helpers -------------------------------------------------------------------------


def _form_errors(form: Any) -> Status:
    return invalid(
        {
            RENAMED.get(name, name): [str(message) for message in messages]
            for name, messages in form.errors.items()
        }
    )


def _refused(error: DjangoValidationError) -> Status:
    """422 for what the service refused, its first reason in the detail itself."""
    errors = field_errors(error, RENAMED)
    first = next((messages[0] for messages in errors.values() if messages), None)
    return invalid(errors, detail=first or "入力内容に誤りがあります。")


def _conflict(conflict: services.CommunityConflict) -> Status:
    return Status(409, {"detail": conflict.message})


def _districts(request: StaffRequest) -> Any:
    return policy.visible(request.user, "district", policy.Action.LIST).filter(archived_at=None)


def _organizations(request: StaffRequest) -> Any:
    return (
        policy.visible(request.user, "organization", policy.Action.LIST)
        .filter(archived_at=None)
        .exclude(kind=Organization.Kind.EXTERNAL)
    )


def _place(request: StaffRequest, pk: int) -> CommunityPlace:
    place: CommunityPlace = (
        selectors.visible_places(request.user, policy.Action.VIEW)
        .select_related("resource", "district", "supporting_organization")
        .get(pk=pk)
    )
    return place


def _project(request: StaffRequest, pk: int) -> CommunityProject:
    project: CommunityProject = (
        selectors.visible_projects(request.user, policy.Action.VIEW)
        .select_related("district", "organization", "place__resource", "regional_issue")
        .get(pk=pk)
    )
    return project


def _issue(request: StaffRequest, pk: int) -> RegionalIssue:
    issue: RegionalIssue = (
        selectors.visible_issues(request.user, policy.Action.VIEW)
        .select_related("district", "organization")
        .get(pk=pk)
    )
    issue.origin = selectors.issue_source(request.user, issue)  # type: ignore[attr-defined]
    return issue


# --- Places --------------------------------------------------------------------------

router: Router = Router(tags=["地域づくり"])


@router.get(
    "/community/places",
    response={200: list[PlaceOut], **ERRORS},
    summary="居場所・拠点の一覧",
    description="地区の順に返します。district_id で地区を、needs_support で継承の支援が必要なもの"
    "（継承を協議中・継承支援中・担い手の高齢化、または開始から10年以上で継承前のもの）に絞り込みます。",
)
@paginate
@policy.route("community_place", policy.Action.LIST)
def place_list(
    request: StaffRequest, district_id: int | None = None, needs_support: bool = False
) -> Any:
    filters = selectors.CommunityFilters(district_id=district_id)
    places: Any = selectors.place_list(request.user, filters)
    if needs_support:
        today = timezone.localdate()
        places = [p for p in places if selectors.needs_succession_support(p, today)]
    audit_record(
        AuditAction.LIST,
        object_type="community.communityplace",
        detail={"via": "api", **filters.as_detail(), "needs_support": needs_support},
    )
    return places


@router.get(
    "/community/places/{place_id}",
    response={200: PlaceOut, **ERRORS},
    summary="居場所・拠点",
)
@policy.route("community_place", policy.Action.VIEW)
def place_detail(request: StaffRequest, place_id: int) -> Any:
    place, decision = policy.get_or_404(
        request.user, "community_place", policy.Action.VIEW, pk=place_id
    )
    audit_record(
        AuditAction.VIEW, obj=place, basis=str(decision.basis or ""), detail={"via": "api"}
    )
    return _place(request, place.pk)


def _place_data(payload: PlaceFieldsIn) -> dict[str, Any]:
    return {
        "operator": payload.operator,
        "district": payload.district_id,
        "opening_frequency": payload.opening_frequency,
        "functions": payload.functions,
        "year_started": payload.year_started,
        "succession": payload.succession,
        "succession_note": payload.succession_note,
        "supporting_organization": payload.supporting_organization_id,
    }


@router.post(
    "/community/places",
    response={201: PlaceOut, 422: FormErrorsOut, **ERRORS},
    summary="居場所・拠点の登録",
    description="社会資源（まだ居場所・拠点でないもの）を居場所・拠点として登録します。"
    "社会資源に「居場所・拠点」の印がなければ付けます。",
)
@policy.route("community_place", policy.Action.CREATE)
def place_create(request: StaffRequest, payload: PlaceIn) -> Any:
    form = PlaceForm(
        data={**_place_data(payload), "resource": payload.resource_id},
        resources=selectors.offerable_resources(request.user, everything=True),
        districts=_districts(request),
        organizations=_organizations(request),
    )
    if not form.is_valid():
        return _form_errors(form)
    try:
        place = services.community_place_create(
            actor=request.user, resource=form.cleaned_data["resource"], spec=form.spec()
        )
    except DjangoValidationError as error:
        return _refused(error)
    return Status(201, _place(request, place.pk))


@router.put(
    "/community/places/{place_id}",
    response={200: PlaceOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="居場所・拠点の更新",
    description="表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("community_place", policy.Action.CHANGE)
def place_update(request: StaffRequest, place_id: int, payload: PlaceUpdateIn) -> Any:
    place, _decision = policy.get_or_404(
        request.user, "community_place", policy.Action.CHANGE, pk=place_id
    )
    form = PlaceForm(
        data={**_place_data(payload), "version": payload.version},
        resources=None,
        districts=_districts(request),
        organizations=_organizations(request),
    )
    if not form.is_valid():
        return _form_errors(form)
    try:
        services.community_place_update(
            actor=request.user, place=place, version=payload.version, spec=form.spec()
        )
    except services.CommunityConflict as conflict:
        return _conflict(conflict)
    except DjangoValidationError as error:
        return _refused(error)
    return _place(request, place.pk)


# --- Projects ------------------------------------------------------------------------


@router.get(
    "/community/projects",
    response={200: list[ProjectOut], **ERRORS},
    summary="地域プロジェクトの一覧",
    description="stage（idea 構想・launch 立上げ・running 運営・succession 継承・ended 終了）"
    "と district_id で絞り込みます。",
)
@paginate
@policy.route("community_project", policy.Action.LIST)
def project_list(request: StaffRequest, district_id: int | None = None, stage: str = "") -> Any:
    filters = selectors.CommunityFilters(district_id=district_id)
    projects = selectors.project_list(request.user, filters)
    if stage:
        projects = projects.filter(stage=stage)
    audit_record(
        AuditAction.LIST,
        object_type="community.communityproject",
        detail={"via": "api", **filters.as_detail(), **({"stage": stage} if stage else {})},
    )
    return projects


@router.get(
    "/community/projects/{project_id}",
    response={200: ProjectDetailOut, **ERRORS},
    summary="地域プロジェクト（支援の経過つき）",
)
@policy.route("community_project", policy.Action.VIEW)
def project_detail(request: StaffRequest, project_id: int) -> Any:
    project, decision = policy.get_or_404(
        request.user, "community_project", policy.Action.VIEW, pk=project_id
    )
    audit_record(
        AuditAction.VIEW, obj=project, basis=str(decision.basis or ""), detail={"via": "api"}
    )
    return _project(request, project.pk)


def _project_form(
    request: StaffRequest, payload: ProjectFieldsIn, project: CommunityProject | None
) -> ProjectForm:
    data: dict[str, Any] = {
        "title": payload.title,
        "district": payload.district_id,
        "organization": payload.organization_id,
        "purpose": payload.purpose,
        "members": payload.members,
        "place": payload.place_id,
        "regional_issue": payload.regional_issue_id,
        "next_action": payload.next_action,
        "next_action_on": payload.next_action_on,
    }
    if isinstance(payload, ProjectIn):
        data.update(started_on=payload.started_on, support=payload.support)
    if isinstance(payload, ProjectUpdateIn):
        data["version"] = payload.version
    return ProjectForm(
        data=data,
        editing=project is not None,
        districts=_districts(request),
        organizations=_organizations(request),
        places=selectors.place_choices(request.user, project.place if project else None),
        issues=selectors.issue_choices(request.user, project.regional_issue if project else None),
    )


@router.post(
    "/community/projects",
    response={201: ProjectDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="地域プロジェクトの登録",
    description="「構想」の段階から記録します。",
)
@policy.route("community_project", policy.Action.CREATE)
def project_create(request: StaffRequest, payload: ProjectIn) -> Any:
    form = _project_form(request, payload, None)
    if not form.is_valid():
        return _form_errors(form)
    try:
        project = services.community_project_create(
            actor=request.user,
            spec=form.spec(),
            started_on=payload.started_on,
            support=payload.support,
        )
    except DjangoValidationError as error:
        return _refused(error)
    return Status(201, _project(request, project.pk))


@router.put(
    "/community/projects/{project_id}",
    response={200: ProjectDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="地域プロジェクトの更新",
    description="段階は変わりません（transition で変えます）。"
    "表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("community_project", policy.Action.CHANGE)
def project_update(request: StaffRequest, project_id: int, payload: ProjectUpdateIn) -> Any:
    project, _decision = policy.get_or_404(
        request.user, "community_project", policy.Action.CHANGE, pk=project_id
    )
    form = _project_form(request, payload, project)
    if not form.is_valid():
        return _form_errors(form)
    try:
        services.community_project_update(
            actor=request.user, project=project, version=payload.version, spec=form.spec()
        )
    except services.CommunityConflict as conflict:
        return _conflict(conflict)
    except DjangoValidationError as error:
        return _refused(error)
    return _project(request, project.pk)


@router.post(
    "/community/projects/{project_id}/transition",
    response={200: ProjectDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="地域プロジェクトの段階の変更",
    description="段階表で許された変更だけができます（構想→立上げ→運営→継承、継承→運営、"
    "立上げ→構想、各段階→終了）。構想に戻す・終了するときは理由（reason）が必要です。"
    "表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("community_project", policy.Action.CHANGE)
def project_transition(
    request: StaffRequest, project_id: int, payload: CommunityProjectTransitionIn
) -> Any:
    project, _decision = policy.get_or_404(
        request.user, "community_project", policy.Action.CHANGE, pk=project_id
    )
    if payload.to_stage not in ProjectStage.values:
        return invalid({"to_stage": ["次の段階を選んでください。"]})
    try:
        services.community_project_transition(
            actor=request.user,
            project=project,
            to_stage=payload.to_stage,
            version=payload.version,
            reason=payload.reason,
            support=payload.support,
            happened_on=payload.happened_on,
        )
    except services.CommunityConflict as conflict:
        return _conflict(conflict)
    except DjangoValidationError as error:
        return _refused(error)
    return _project(request, project.pk)


@router.post(
    "/community/projects/{project_id}/notes",
    response={201: ProjectDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="地域プロジェクトの支援の経過の記録",
    description="段階を変えずに、支援の内容を経過に記録します。",
)
@policy.route("community_project", policy.Action.CHANGE)
def project_note(request: StaffRequest, project_id: int, payload: CommunityProjectNoteIn) -> Any:
    project, _decision = policy.get_or_404(
        request.user, "community_project", policy.Action.CHANGE, pk=project_id
    )
    try:
        services.community_project_note(
            actor=request.user,
            project=project,
            support=payload.support,
            happened_on=payload.happened_on,
        )
    except DjangoValidationError as error:
        return _refused(error)
    return Status(201, _project(request, project.pk))


# --- Regional issues -----------------------------------------------------------------


@router.get(
    "/community/issues",
    response={200: list[IssueOut], **ERRORS},
    summary="地域課題の一覧",
    description="新しい順に返します。district_id を指定すると、その地区と区全体の課題を返します。"
    "open_only で対応中（提起・分析・検討中・社会資源の開発へ・施策化の提案へ）のものに、"
    "status で状況に絞り込みます。",
)
@paginate
@policy.route("regional_issue", policy.Action.LIST)
def issue_list(
    request: StaffRequest,
    district_id: int | None = None,
    status: str = "",
    open_only: bool = False,
) -> Any:
    filters = selectors.CommunityFilters(district_id=district_id)
    issues = selectors.issue_list(request.user, filters, open_only=open_only)
    if status:
        issues = issues.filter(status=status)
    audit_record(
        AuditAction.LIST,
        object_type="community.regionalissue",
        detail={
            "via": "api",
            **filters.as_detail(),
            **({"status": status} if status else {}),
            "open_only": open_only,
        },
    )
    return issues


@router.get(
    "/community/issues/{issue_id}",
    response={200: IssueDetailOut, **ERRORS},
    summary="地域課題（経過つき）",
    description="提起したケース・会議は、閲覧の根拠がある場合だけ返します"
    "（ないときは null で、source_case_hidden・source_meeting_hidden が true）。",
)
@policy.route("regional_issue", policy.Action.VIEW)
def issue_detail(request: StaffRequest, issue_id: int) -> Any:
    found, decision = policy.get_or_404(
        request.user, "regional_issue", policy.Action.VIEW, pk=issue_id
    )
    issue = _issue(request, found.pk)
    origin = issue.origin  # type: ignore[attr-defined]
    audit_record(
        AuditAction.VIEW,
        obj=issue,
        basis=str(decision.basis or ""),
        detail={
            "via": "api",
            "shown": {
                "case": origin.case.pk if origin.case else None,
                "meeting": origin.meeting.pk if origin.meeting else None,
            },
        },
    )
    return issue


def _issue_form(
    request: StaffRequest, payload: IssueFieldsIn, issue: RegionalIssue | None
) -> IssueForm:
    data: dict[str, Any] = {
        "title": payload.title,
        "description": payload.description,
        "source": payload.source,
        "raised_on": payload.raised_on,
        "organization": payload.organization_id,
        "district": payload.district_id,
        "life_issues": payload.life_issues,
        "source_case": payload.source_case_id,
        "source_meeting": payload.source_meeting_id,
        "outcome": payload.outcome,
    }
    if isinstance(payload, IssueUpdateIn):
        data["version"] = payload.version
    return IssueForm(
        data=data,
        issue=issue,
        districts=_districts(request),
        organizations=_organizations(request),
        cases=selectors.case_choices(request.user),
        meetings=selectors.meeting_choices(request.user),
    )


@router.post(
    "/community/issues",
    response={201: IssueDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="地域課題の登録（提起）",
    description="提起したケース・会議は、呼び出した職員が閲覧できるものだけを指定できます。",
)
@policy.route("regional_issue", policy.Action.CREATE)
def issue_create(request: StaffRequest, payload: IssueIn) -> Any:
    form = _issue_form(request, payload, None)
    if not form.is_valid():
        return _form_errors(form)
    try:
        issue = services.regional_issue_create(
            actor=request.user, spec=form.spec(), note=payload.note
        )
    except DjangoValidationError as error:
        return _refused(error)
    return Status(201, _issue(request, issue.pk))


@router.put(
    "/community/issues/{issue_id}",
    response={200: IssueDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="地域課題の更新",
    description="状況は変わりません（advance で変えます）。閲覧できないケース・会議から提起された"
    "課題では、その指定はそのまま残ります。表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("regional_issue", policy.Action.CHANGE)
def issue_update(request: StaffRequest, issue_id: int, payload: IssueUpdateIn) -> Any:
    issue, _decision = policy.get_or_404(
        request.user, "regional_issue", policy.Action.CHANGE, pk=issue_id
    )
    form = _issue_form(request, payload, issue)
    if not form.is_valid():
        return _form_errors(form)
    try:
        services.regional_issue_update(
            actor=request.user, issue=issue, version=payload.version, spec=form.spec()
        )
    except services.CommunityConflict as conflict:
        return _conflict(conflict)
    except DjangoValidationError as error:
        return _refused(error)
    return _issue(request, issue.pk)


@router.post(
    "/community/issues/{issue_id}/advance",
    response={200: IssueDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="地域課題の状況の変更",
    description="どの状況へも進められますが、経過（note）が必要です。"
    "表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("regional_issue", policy.Action.CHANGE)
def issue_advance(request: StaffRequest, issue_id: int, payload: AdvanceIn) -> Any:
    issue, _decision = policy.get_or_404(
        request.user, "regional_issue", policy.Action.CHANGE, pk=issue_id
    )
    if payload.to_status not in IssueStatus.values:
        return invalid({"to_status": ["次の状況を選んでください。"]})
    try:
        services.regional_issue_advance(
            actor=request.user,
            issue=issue,
            to_status=payload.to_status,
            note=payload.note,
            version=payload.version,
            outcome=payload.outcome,
            happened_on=payload.happened_on,
        )
    except services.CommunityConflict as conflict:
        return _conflict(conflict)
    except DjangoValidationError as error:
        return _refused(error)
    return _issue(request, issue.pk)
