"""API of meetings (会議): the sittings the staff member hosts or attends, one
sitting with its parts, attendees and agenda, scheduling one, putting a case
on its agenda, holding it and recording a confidentiality pledge.

The same rules as the pages: the sitting (date, place, attendees) is seen by
its host and attendees; what was put before it about each case (the brief,
the decisions) only where :func:`policy.agenda_item_bases` gives a basis, so
a 支援会議's attendee sees no material before their pledge. A
重層的支援会議 is refused without the person's consent (by the services).
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.models import Membership
from tsunagu.accounts.roles import Role
from tsunagu.api.choices import api_choices
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import acting_casework_organization, basis_label
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case
from tsunagu.core.dates import Day, Moment
from tsunagu.core.http import StaffRequest
from tsunagu.core.pagination import LimitOffsetPagination
from tsunagu.directory.models import Organization
from tsunagu.meetings import services
from tsunagu.meetings.models import (
    AgendaItem,
    Attendee,
    Kind,
    Meeting,
    QuestionnaireAnswer,
)

# The choices under the API's own names (tsunagu/api/choices.py); to the type
# checker they are the model's choices, whose values they are.
if TYPE_CHECKING:
    MeetingKind = Kind
else:
    MeetingKind = api_choices("MeetingKind", Kind)

#: Model field names as the payloads name them.
RENAMED = {"case": "case_id", "organization": "organization_id"}


def _label(basis: Any) -> str | None:
    return basis_label(basis) if basis else None


# --- Schemas -------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    number: str
    title: str
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    held_on: date
    starts_at: time | None
    ends_at: time | None
    place: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    kinds: list[str]
    kind_labels: list[str]
    version: int
    basis: str
    basis_label: str

    @staticmethod
    def resolve_kinds(obj: Meeting) -> list[str]:
        return [part.kind for part in obj.parts.all()]

    @staticmethod
    def resolve_kind_labels(obj: Meeting) -> list[str]:
        return [part.get_kind_display() for part in obj.parts.all()]

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class ActionItemOut(Schema):
    id: int
    owner_organization_id: int
    owner_organization: str
    content: str
    due_on: date
    done_at: datetime | None
    overdue: bool


class AgendaItemOut(Schema):
    """One case on a part's agenda. Without a basis to it (a 支援会議 before
    the pledge, a case closed for an attending organization) only its place on
    the agenda is answered: ``shown`` is false and the rest is empty."""

    id: int
    kind: str
    review: str
    review_label: str
    order: int
    shown: bool
    case_id: int | None
    case_number: str | None
    case_title: str | None
    brief_household: str | None
    brief_current: str | None
    brief_organizations: str | None
    brief_requests: str | None
    policy: str | None
    roles: str | None
    lead_organization_id: int | None
    lead_organization: str | None
    decided_at: datetime | None
    action_items: list[ActionItemOut]
    basis: str | None
    basis_label: str | None


class MeetingPartOut(Schema):
    id: int
    kind: str
    kind_label: str
    order: int
    starts_at: time | None
    ends_at: time | None
    agenda: list[AgendaItemOut]


class AttendeeOut(Schema):
    id: int
    staff_id: int | None
    name: str
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    is_guest: bool
    is_observer: bool
    attended: bool
    has_pledged: bool
    pledged_at: datetime | None


class MeetingDetailOut(MeetingOut):
    #: The basis the meeting's material (briefs, decisions, minutes) is shown under, if any.
    material_basis: str | None
    material_basis_label: str | None
    #: The minutes: empty (null) without a basis to the material.
    minutes: str | None = Field(..., alias="shown_minutes")
    attendees: list[AttendeeOut] = Field(..., alias="attendee_rows")
    parts: list[MeetingPartOut] = Field(..., alias="part_rows")

    @staticmethod
    def resolve_material_basis_label(obj: Any) -> str | None:
        return _label(obj.material_basis)


class MeetingIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    held_on: Day
    starts_at: time | None = None
    ends_at: time | None = None
    place: str = Field("", max_length=120)
    #: The parts held in turn, in order (支援会議 and 重層的支援会議 only by a 多機関協働事務局).
    kinds: list[MeetingKind]
    #: The host: an organization the staff member does casework for (by default the acting one).
    organization_id: int | None = None


class AgendaItemIn(Schema):
    #: The part of the sitting the case is put before.
    kind: MeetingKind
    case_id: int
    review: AgendaItem.Review = AgendaItem.Review.NEW


# --- Helpers -------------------------------------------------------------------------


class MeetingPagination(LimitOffsetPagination):
    """Limit/offset pages whose meetings each carry the basis the viewer sees them under."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = []
        for meeting in page["items"]:
            decision = policy.decide(request.user, policy.Action.LIST, "meeting", meeting)
            if decision:  # the visible queryset and the rule agree; a disagreement hides it
                meeting.basis = decision.basis
                items.append(meeting)
        page["items"] = items
        return page


def _meetings(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return (
        policy.visible(request.user, "meeting", action)
        .select_related("organization")
        .prefetch_related("parts")
    )


def _agenda_row(item: AgendaItem, basis: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": item.pk,
        "kind": item.part.kind,
        "review": item.review,
        "review_label": item.get_review_display(),
        "order": item.order,
        "shown": basis is not None,
        "basis": basis or None,
        "basis_label": _label(basis),
        "action_items": [],
    }
    withheld = dict.fromkeys(
        (
            "case_id",
            "case_number",
            "case_title",
            "brief_household",
            "brief_current",
            "brief_organizations",
            "brief_requests",
            "policy",
            "roles",
            "lead_organization_id",
            "lead_organization",
            "decided_at",
        )
    )
    if basis is None:
        return {**row, **withheld}
    return {
        **row,
        "case_id": item.case_id,
        "case_number": item.case.number,
        "case_title": item.case.title,
        "brief_household": item.brief_household,
        "brief_current": item.brief_current,
        "brief_organizations": item.brief_organizations,
        "brief_requests": item.brief_requests,
        "policy": item.policy,
        "roles": item.roles,
        "lead_organization_id": item.lead_organization_id,
        "lead_organization": item.lead_organization.name if item.lead_organization else None,
        "decided_at": item.decided_at,
        "action_items": [
            {
                "id": action.pk,
                "owner_organization_id": action.owner_organization_id,
                "owner_organization": action.owner_organization.name,
                "content": action.content,
                "due_on": action.due_on,
                "done_at": action.done_at,
                "overdue": action.is_overdue(),
            }
            for action in item.action_items.all()
        ],
    }


def _meeting_detail(request: StaffRequest, meeting: Meeting, basis: Any) -> Meeting:
    """The sitting with its parts and attendees; each agenda item's material only
    under the basis :func:`policy.agenda_item_bases` gives it (audited as shown)."""
    user = request.user
    meeting.basis = basis  # type: ignore[attr-defined]
    material = policy.meeting_material_basis(user, meeting)  # type: ignore[arg-type]
    meeting.material_basis = material  # type: ignore[attr-defined]
    meeting.shown_minutes = meeting.minutes if material is not None else None  # type: ignore[attr-defined]
    meeting.attendee_rows = list(  # type: ignore[attr-defined]
        meeting.attendees.select_related("organization")
    )
    parts = list(meeting.parts.all())
    items = list(
        AgendaItem.objects.filter(part__meeting=meeting)
        .select_related("part__meeting__organization", "case", "lead_organization")
        .prefetch_related("action_items__owner_organization")
        .order_by("part__order", "order", "pk")
    )
    with_basis = policy.agenda_item_bases(user, items) if items else {}  # type: ignore[arg-type]
    meeting.part_rows = [  # type: ignore[attr-defined]
        {
            "id": part.pk,
            "kind": part.kind,
            "kind_label": part.get_kind_display(),
            "order": part.order,
            "starts_at": part.starts_at,
            "ends_at": part.ends_at,
            "agenda": [
                _agenda_row(item, with_basis.get(item.pk))
                for item in items
                if item.part_id == part.pk
            ],
        }
        for part in parts
    ]
    # get_or_404 recorded the view of the sitting; this event lists the cases'
    # material shown with it, under which basis.
    audit_record(
        AuditAction.LIST,
        obj=meeting,
        basis=basis or "",
        detail={
            "via": "api",
            "page": "meeting",
            "shown": {"agenda_item": sorted(with_basis)},
            "bases": {str(pk): str(b) for pk, b in sorted(with_basis.items())},
        },
    )
    return meeting


def _fresh_meeting(request: StaffRequest, pk: int) -> Meeting:
    meeting = _meetings(request, policy.Action.VIEW).get(pk=pk)
    decision = policy.decide(request.user, policy.Action.VIEW, "meeting", meeting)
    return _meeting_detail(request, meeting, decision.basis)


def _refused(error: DjangoValidationError, field: str = "__all__") -> Status:
    """422 for a write the service refused, its first reason in the detail itself
    (「重層的支援会議は、本人の同意がなければ開催できません。」…)."""
    errors = field_errors(error, RENAMED, field=field)
    first = next((messages[0] for messages in errors.values() if messages), None)
    return invalid(errors, detail=first or "入力内容に誤りがあります。")


# --- Operations ----------------------------------------------------------------------

router: Router = Router(tags=["会議"])


# --- The owner organization's tasks ----------------------------------------------------
# Registered before /meetings/{meeting_id}, which would otherwise read "tasks" as an id.


class MeetingTaskOut(ActionItemOut):
    """A task as its owner's task list shows it: the meeting by date and title
    (``meeting_visible`` says whether the viewer may open it) and the case number."""

    agenda_item_id: int
    meeting_id: int
    meeting_title: str = Field(..., alias="agenda_item.part.meeting.title")
    meeting_held_on: date = Field(..., alias="agenda_item.part.meeting.held_on")
    meeting_visible: bool
    case_number: str = Field(..., alias="agenda_item.case.number")
    result: str

    @staticmethod
    def resolve_owner_organization(obj: Any) -> str:
        return str(obj.owner_organization.name)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue())

    @staticmethod
    def resolve_meeting_id(obj: Any) -> int:
        return int(obj.agenda_item.part.meeting_id)


def _tasks(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return policy.visible(request.user, "action_item", action).select_related(
        "owner_organization", "agenda_item__part__meeting", "agenda_item__case"
    )


def _with_meeting_visibility(request: StaffRequest, tasks: list[Any]) -> list[Any]:
    meeting_ids = {task.agenda_item.part.meeting_id for task in tasks}
    visible = set(
        policy.visible(request.user, "meeting", policy.Action.VIEW)
        .filter(pk__in=meeting_ids)
        .values_list("pk", flat=True)
    )
    for task in tasks:
        task.meeting_visible = task.agenda_item.part.meeting_id in visible
    return tasks


class MeetingTaskPagination(LimitOffsetPagination):
    """Limit/offset pages of tasks, each saying whether its meeting may be opened;
    the tasks shown are recorded as listed."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = _with_meeting_visibility(request, list(page["items"]))  # type: ignore[arg-type]
        audit_record(
            AuditAction.LIST,
            object_type="meetings.actionitem",
            detail={"via": "api", "shown": [task.pk for task in page["items"]]},
        )
        return page


@router.get(
    "/meetings/tasks",
    response={200: list[MeetingTaskOut], **ERRORS},
    summary="自機関のタスクの一覧",
    description="会議で決まった役割分担のうち、職員が活動している機関（X-Tsunagu-Organization、"
    "なければ最初の所属機関）が担当するタスクです。done=false（既定）は未完了のものを期限の近い順に、"
    "done=true は完了したものを新しい順に返します。",
)
@paginate(MeetingTaskPagination)
@policy.route("action_item", policy.Action.LIST)
def meeting_task_list(request: StaffRequest, done: bool = False) -> Any:
    organization = acting_casework_organization(request, "action_item")
    tasks = _tasks(request, policy.Action.LIST).filter(owner_organization=organization)
    if done:
        return tasks.exclude(done_at=None).order_by("-done_at", "-pk")
    return tasks.filter(done_at=None).order_by("due_on", "pk")


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **ERRORS},
    summary="会議の一覧",
    description="自機関が主催する会議と、自機関（またはゲスト本人）が出席する会議を、"
    "開催日の新しい順に返します。検討したケースの内容は含みません。",
)
@paginate(MeetingPagination)
@policy.route("meeting", policy.Action.LIST)
def meeting_list(request: StaffRequest) -> Any:
    audit_record(AuditAction.LIST, object_type="meetings.meeting", detail={"via": "api"})
    return (
        _meetings(request, policy.Action.LIST)
        .filter(archived_at=None)
        .order_by("-held_on", "-starts_at", "-pk")
    )


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingDetailOut, **ERRORS},
    summary="会議（部・出席者・検討ケース）",
    description="検討ケースの準備シートと決定事項は、閲覧の根拠があるものだけを返します"
    "（支援会議では守秘義務の誓約の後）。根拠のない議題は shown=false で、内容は空です。",
)
@policy.route("meeting", policy.Action.VIEW)
def meeting_detail(request: StaffRequest, meeting_id: int) -> Any:
    meeting, decision = policy.get_or_404(
        request.user, "meeting", policy.Action.VIEW, pk=meeting_id
    )
    return _meeting_detail(request, meeting, decision.basis)


@router.post(
    "/meetings",
    response={201: MeetingDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="会議の登録",
    description="一回の会議に、種類の異なる部（支援会議・重層的支援会議など）を順に設けられます。"
    "支援会議（法第106条の6）を開けるのは市区町村の多機関協働事務局（直営）、"
    "重層的支援会議を開けるのは多機関協働事務局と、市区町村が多機関協働事業者として指定した機関です。",
)
@policy.route("meeting", policy.Action.CREATE)
def meeting_create(request: StaffRequest, payload: MeetingIn) -> Any:
    errors: dict[str, list[str]] = {}
    for name in ("starts_at", "ends_at"):
        given = getattr(payload, name)
        if given is not None and given.tzinfo is not None:
            # A time of day is kept as the municipality's local time, without an offset.
            errors[name] = ["時刻は 09:30 の形で、タイムゾーンを付けずに指定してください。"]
    organization: Organization | None
    if payload.organization_id is None:
        organization = acting_casework_organization(request, "meeting")
    else:
        found = (
            policy.visible(request.user, "organization", policy.Action.VIEW)
            .filter(
                pk=payload.organization_id,
                pk__in=policy.casework_organization_ids(request.user),
                archived_at=None,
            )
            .first()
        )
        if found is None:
            errors["organization_id"] = ["主催機関には、所属している機関を指定してください。"]
        organization = found
    meeting = Meeting(
        title=payload.title,
        held_on=payload.held_on,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
    )
    try:
        meeting.full_clean(exclude=["organization"])
    except DjangoValidationError as error:
        errors.update(field_errors(error, RENAMED))
    if errors or organization is None:
        return invalid(errors)
    try:
        meeting = services.meeting_create(
            actor=request.user,
            organization=organization,
            meeting=meeting,
            kinds=[str(kind) for kind in payload.kinds],
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED, field="kinds"))
    return Status(201, _fresh_meeting(request, meeting.pk))


def _hosted(request: StaffRequest, meeting_id: int) -> Meeting:
    """The meeting the staff member's organization hosts (404 otherwise, audited)."""
    meeting, _decision = policy.get_or_404(
        request.user, "meeting", policy.Action.CHANGE, pk=meeting_id
    )
    return meeting  # type: ignore[no-any-return]


@router.post(
    "/meetings/{meeting_id}/agenda",
    response={201: AgendaItemOut, 422: FormErrorsOut, **ERRORS},
    summary="検討ケースの追加（準備シートは自動で下書き）",
    description="主催機関が、ケースを会議の部の議題にします。重層的支援会議の議題にできるのは、"
    "重層的支援会議への有効な本人同意のあるケースだけです（ない場合は 422）。",
)
@policy.route("agenda_item", policy.Action.CREATE)
def agenda_item_create(request: StaffRequest, meeting_id: int, payload: AgendaItemIn) -> Any:
    meeting = _hosted(request, meeting_id)
    # Putting a case before a meeting shares it with the attendees: only the
    # coordinating section holding the case may (the case's CHANGE).
    case: Case | None = (
        policy.visible(request.user, "case", policy.Action.CHANGE)
        .filter(pk=payload.case_id)
        .first()
    )
    if case is None or not policy.decide(request.user, policy.Action.CHANGE, "case", case):
        return invalid(
            {"case_id": ["指定されたケースが見つからないか、議題にする権限がありません。"]}
        )
    try:
        item = services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            kind=payload.kind,
            case=case,
            review=payload.review,
        )
    except DjangoValidationError as error:
        return _refused(error)
    item = (
        AgendaItem.objects.select_related(
            "part__meeting__organization", "case", "lead_organization"
        )
        .prefetch_related("action_items__owner_organization")
        .get(pk=item.pk)
    )
    basis = policy.agenda_item_bases(request.user, [item]).get(item.pk)  # type: ignore[arg-type]
    return Status(201, _agenda_row(item, basis))


@router.post(
    "/meetings/{meeting_id}/hold",
    response={200: MeetingDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="会議の開催の記録",
    description="重層的支援会議の部は、議題のケースに有効な本人同意（出席機関を含むもの）が"
    "なければ開催できません。支援会議の部は、出席者全員の守秘義務の誓約が必要です（ない場合は 422）。",
)
@policy.route("meeting", policy.Action.CHANGE)
def meeting_hold(request: StaffRequest, meeting_id: int) -> Any:
    meeting = _hosted(request, meeting_id)
    try:
        services.meeting_hold(actor=request.user, meeting=meeting)
    except DjangoValidationError as error:
        return _refused(error)
    return _fresh_meeting(request, meeting.pk)


@router.post(
    "/meetings/{meeting_id}/attendees/{attendee_id}/pledge",
    response={200: AttendeeOut, 422: FormErrorsOut, **ERRORS},
    summary="守秘義務の誓約の記録",
    description="出席者本人（外部ゲストを含む）が誓約するか、主催機関の職員が書面の誓約を記録します。",
)
# Declared as a view of the meeting: an external guest, who may change nothing
# else, records their own pledge. Who may record it is checked below.
@policy.route("meeting", policy.Action.VIEW)
def attendee_pledge(request: StaffRequest, meeting_id: int, attendee_id: int) -> Any:
    meeting, _decision = policy.get_or_404(
        request.user, "meeting", policy.Action.VIEW, pk=meeting_id
    )
    attendee: Attendee | None = (
        meeting.attendees.select_related("organization", "meeting").filter(pk=attendee_id).first()
    )
    if attendee is None:
        raise Http404
    if attendee.staff_id != request.user.pk and not policy.decide(
        request.user, policy.Action.CHANGE, "meeting", meeting
    ):
        policy.audit_denial(request.user, policy.Action.CHANGE, "meeting", meeting.pk)
        raise PermissionDenied
    try:
        attendee = services.pledge_record(actor=request.user, attendee=attendee)
    except DjangoValidationError as error:
        return _refused(error)
    return attendee


# --- The host's writes on the sitting page (the same services as the page) -------------


class MeetingAttendeeIn(Schema):
    """A staff member with an account (``staff_id`` with the organization they
    attend for), or a named person of an organization without one (``name``)."""

    organization_id: int
    staff_id: int | None = None
    name: str = Field("", max_length=60)
    is_observer: bool = False


class MeetingGuestIn(Schema):
    #: A 外部の関係機関 (警察・学校・消防・町会 …).
    organization_id: int
    name: str = Field(..., max_length=60)
    #: When the guest account ends (by default at the end of the meeting day; at most 31 days).
    expires_at: Moment | None = None
    is_observer: bool = False


class MeetingGuestInvitationOut(Schema):
    """The guest's login, answered once: only the password's hash is kept."""

    attendee: AttendeeOut
    username: str
    password: str
    expires_at: datetime
    notice: str


class MeetingBriefIn(Schema):
    """The 準備シート's four prompts, all of them (what is sent replaces what was there)."""

    brief_household: str
    brief_current: str
    brief_organizations: str
    brief_requests: str


class MeetingActionItemIn(Schema):
    owner_organization_id: int
    content: str = Field(..., max_length=300)
    due_on: Day


class MeetingDecisionsIn(Schema):
    #: 支援方針
    policy: str
    #: 役割分担
    roles: str = ""
    #: 主担当機関 (not an external organization); the case's lead becomes this one.
    lead_organization_id: int | None = None
    #: Tasks for the owners' task lists (added to those recorded before).
    actions: list[MeetingActionItemIn] = Field(default_factory=list, max_length=50)


class MeetingCancelIn(Schema):
    reason: str = Field(..., max_length=200)


class MeetingMinutesIn(Schema):
    minutes: str
    #: The meeting's version the minutes were written on (optimistic lock): 409 when outdated.
    version: int


class MeetingTaskDoneIn(Schema):
    result: str = ""


class MeetingQuestionnaireIn(Schema):
    usefulness: QuestionnaireAnswer.Rating
    roles_clear: bool = False
    comment: str = ""


class MeetingQuestionnaireOut(Schema):
    id: int
    attendee_id: int
    usefulness: int
    usefulness_label: str = Field(..., alias="get_usefulness_display")
    roles_clear: bool
    comment: str
    answered_at: datetime


def _organization(request: StaffRequest, pk: int) -> Organization | None:
    found: Organization | None = (
        policy.visible(request.user, "organization", policy.Action.VIEW)
        .filter(pk=pk, archived_at=None)
        .first()
    )
    return found


def _attendee_answer(attendee: Attendee) -> Attendee:
    return Attendee.objects.select_related("organization").get(pk=attendee.pk)


def _agenda_item_answer(request: StaffRequest, pk: int) -> dict[str, Any]:
    """One agenda item as it is now, its material only under the basis the policy gives."""
    item = (
        AgendaItem.objects.select_related(
            "part__meeting__organization", "case", "lead_organization"
        )
        .prefetch_related("action_items__owner_organization")
        .get(pk=pk)
    )
    basis = policy.agenda_item_bases(request.user, [item]).get(item.pk)  # type: ignore[arg-type]
    return _agenda_row(item, basis)


def _changeable_item(request: StaffRequest, agenda_item_id: int) -> AgendaItem:
    """The agenda item of a sitting the staff member's organization hosts (404 otherwise, audited)."""
    item, _decision = policy.get_or_404(
        request.user, "agenda_item", policy.Action.CHANGE, pk=agenda_item_id
    )
    return item  # type: ignore[no-any-return]


@router.post(
    "/meetings/{meeting_id}/attendees",
    response={201: AttendeeOut, 422: FormErrorsOut, **ERRORS},
    summary="出席者の追加",
    description="主催機関が、アカウントのある職員（staff_id と所属機関）か、"
    "アカウントのない方（所属機関と氏名）を出席者に加えます。外部ゲストにアカウントを発行するときは "
    "/meetings/{meeting_id}/guests を使います。",
)
@policy.route("meeting", policy.Action.CHANGE)
def meeting_attendee_add(request: StaffRequest, meeting_id: int, payload: MeetingAttendeeIn) -> Any:
    meeting = _hosted(request, meeting_id)
    errors: dict[str, list[str]] = {}
    organization = _organization(request, payload.organization_id)
    if organization is None:
        errors["organization_id"] = ["指定された所属機関が見つかりません。"]
    staff = None
    if payload.staff_id is not None:
        # The staff the page offers: active members doing casework or management,
        # not guests (invited with their own account), administrators or auditors.
        membership = (
            Membership.objects.filter(
                staff_id=payload.staff_id,
                organization_id=payload.organization_id,
                active=True,
                staff__is_active=True,
                staff__is_guest=False,
                organization__archived_at=None,
            )
            .exclude(role__in=[Role.GUEST, Role.SYSADMIN, Role.AUDITOR])
            .select_related("staff")
            .first()
        )
        if membership is None:
            errors["staff_id"] = ["指定された職員が見つからないか、選んだ機関に所属していません。"]
        else:
            staff = membership.staff
    elif not payload.name.strip():
        errors["name"] = ["職員を選ぶか、アカウントのない方の氏名を入力してください。"]
    if errors or organization is None:
        return invalid(errors)
    try:
        attendee = services.attendee_add(
            actor=request.user,
            meeting=meeting,
            organization=organization,
            staff=staff,
            name=payload.name,
            is_observer=payload.is_observer,
        )
    except DjangoValidationError as error:
        return _refused(error, field="staff_id")
    return Status(201, _attendee_answer(attendee))


#: What the page says beside the login it shows once.
GUEST_NOTICE = (
    "ログインIDとパスワードは再表示できません。ゲストに直接お渡しください。"
    "パスワードはこの応答にだけ含まれ、システムには元に戻せない形（ハッシュ）でしか残りません。"
    "ゲストはこの会議の資料だけを、守秘義務の誓約の後、有効期限まで閲覧できます。"
)


@router.post(
    "/meetings/{meeting_id}/guests",
    response={201: MeetingGuestInvitationOut, 422: FormErrorsOut, **ERRORS},
    summary="外部ゲストの招待（期限つきアカウントの発行）",
    description="外部の関係機関（警察・学校・消防・町会など）の方に、この会議の資料だけを"
    "守秘義務の誓約の後に有効期限まで閲覧できるアカウントを発行します。"
    "ログインIDとパスワードはこの応答にだけ含まれ、二度と返しません"
    "（保存されるのはパスワードのハッシュだけです）。ゲストに直接お渡しください。",
)
@policy.route("meeting", policy.Action.CHANGE)
def meeting_guest_invite(
    request: StaffRequest, response: HttpResponse, meeting_id: int, payload: MeetingGuestIn
) -> Any:
    meeting = _hosted(request, meeting_id)
    errors: dict[str, list[str]] = {}
    organization = _organization(request, payload.organization_id)
    if organization is None:
        errors["organization_id"] = ["指定された所属機関が見つかりません。"]
    if not payload.name.strip():
        errors["name"] = ["ゲストの氏名を入力してください。"]
    expires_at = payload.expires_at or services.guest_default_expiry(meeting)
    if timezone.is_naive(expires_at):
        # Like the page's date and time: the municipality's local time.
        expires_at = timezone.make_aware(expires_at)
    if errors or organization is None:
        return invalid(errors)
    try:
        invitation = services.guest_invite(
            actor=request.user,
            meeting=meeting,
            organization=organization,
            name=payload.name,
            expires_at=expires_at,
            is_observer=payload.is_observer,
        )
    except DjangoValidationError as error:
        return _refused(error)
    # The password is in this answer only: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return Status(
        201,
        {
            "attendee": _attendee_answer(invitation.attendee),
            "username": invitation.username,
            "password": invitation.password,
            "expires_at": expires_at,
            "notice": GUEST_NOTICE,
        },
    )


@router.put(
    "/meetings/agenda/{agenda_item_id}/brief",
    response={200: AgendaItemOut, 422: FormErrorsOut, **ERRORS},
    summary="準備シートの保存",
    description="主催機関が、検討ケースの準備シート（把握している世帯像・現在の取り組み状況・"
    "関わってほしい支援機関・他部署へお願いしたいこと）を書き換えます。",
)
@policy.route("agenda_item", policy.Action.CHANGE)
def meeting_brief_save(request: StaffRequest, agenda_item_id: int, payload: MeetingBriefIn) -> Any:
    item = _changeable_item(request, agenda_item_id)
    try:
        services.brief_save(actor=request.user, item=item, fields=payload.dict())
    except DjangoValidationError as error:
        return _refused(error)
    return _agenda_item_answer(request, item.pk)


@router.post(
    "/meetings/agenda/{agenda_item_id}/decisions",
    response={200: AgendaItemOut, 422: FormErrorsOut, **ERRORS},
    summary="決定事項とタスクの記録",
    description="主催機関が、検討ケースについて会議で決めたこと（支援方針・役割分担・主担当機関）と、"
    "担当機関・期限つきのタスクを記録します。タスクは担当機関のタスク一覧に入り、"
    "主担当機関と担当機関はケースの支援チームに加わります。重層的支援会議の決定は、"
    "本人同意の条件を満たさなければ記録できません（422）。",
)
@policy.route("agenda_item", policy.Action.CHANGE)
def meeting_decisions_record(
    request: StaffRequest, agenda_item_id: int, payload: MeetingDecisionsIn
) -> Any:
    item = _changeable_item(request, agenda_item_id)
    errors: dict[str, list[str]] = {}
    lead = None
    if payload.lead_organization_id is not None:
        lead = _organization(request, payload.lead_organization_id)
        if lead is None or lead.kind == Organization.Kind.EXTERNAL:
            errors["lead_organization_id"] = ["指定された主担当機関が見つかりません。"]
    actions = []
    for row, given in enumerate(payload.actions):
        owner = _organization(request, given.owner_organization_id)
        if owner is None:
            errors[f"actions.{row}.owner_organization_id"] = [
                "指定されたタスクの担当機関が見つかりません。"
            ]
        if not given.content.strip():
            errors[f"actions.{row}.content"] = ["タスクの内容を入力してください。"]
        if owner is not None:
            actions.append(
                services.NewAction(
                    owner_organization=owner, content=given.content, due_on=given.due_on
                )
            )
    if errors:
        return invalid(errors)
    try:
        services.decisions_record(
            actor=request.user,
            item=item,
            policy_text=payload.policy,
            roles=payload.roles,
            lead_organization=lead,
            actions=actions,
        )
    except DjangoValidationError as error:
        return _refused(error)
    return _agenda_item_answer(request, item.pk)


@router.post(
    "/meetings/tasks/{action_item_id}/done",
    response={200: MeetingTaskOut, 422: FormErrorsOut, **ERRORS},
    summary="タスクの完了",
    description="タスクの担当機関（または会議の主催機関）が、完了とその結果を記録します。",
)
@policy.route("action_item", policy.Action.CHANGE)
def meeting_task_done(
    request: StaffRequest, action_item_id: int, payload: MeetingTaskDoneIn
) -> Any:
    action, _decision = policy.get_or_404(
        request.user, "action_item", policy.Action.CHANGE, pk=action_item_id
    )
    try:
        services.action_item_done(actor=request.user, action=action, result=payload.result)
    except DjangoValidationError as error:
        return _refused(error)
    return _with_meeting_visibility(
        request, [_tasks(request, policy.Action.VIEW).get(pk=action.pk)]
    )[0]


@router.post(
    "/meetings/{meeting_id}/cancel",
    response={200: MeetingDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="会議の中止",
    description="主催機関が、予定の会議を中止にします。中止の理由は議事録に残ります。",
)
@policy.route("meeting", policy.Action.CHANGE)
def meeting_cancel(request: StaffRequest, meeting_id: int, payload: MeetingCancelIn) -> Any:
    meeting = _hosted(request, meeting_id)
    try:
        services.meeting_cancel(actor=request.user, meeting=meeting, reason=payload.reason.strip())
    except DjangoValidationError as error:
        return _refused(error)
    return _fresh_meeting(request, meeting.pk)


@router.put(
    "/meetings/{meeting_id}/minutes",
    response={200: MeetingDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="議事録の保存",
    description="主催機関が議事録を保存します。表示した後に他の職員が議事録を更新していた"
    "（または会議が中止された）場合は 409 を返し、何も変えません。",
)
@policy.route("meeting", policy.Action.CHANGE)
def meeting_minutes_save(request: StaffRequest, meeting_id: int, payload: MeetingMinutesIn) -> Any:
    meeting = _hosted(request, meeting_id)
    try:
        services.minutes_save(
            actor=request.user, meeting=meeting, minutes=payload.minutes, version=payload.version
        )
    except services.MeetingConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except DjangoValidationError as error:
        return _refused(error)
    return _fresh_meeting(request, meeting.pk)


@router.post(
    "/meetings/{meeting_id}/questionnaire",
    response={201: MeetingQuestionnaireOut, 422: FormErrorsOut, **ERRORS},
    summary="会議後アンケートへの回答",
    description="開催済みの会議の出席者本人（外部ゲストを含む）が、一度だけ回答します（記名式）。",
)
# A view of the meeting, like the pledge: the attendee answers for themself.
@policy.route("meeting", policy.Action.VIEW)
def meeting_questionnaire_answer(
    request: StaffRequest, meeting_id: int, payload: MeetingQuestionnaireIn
) -> Any:
    meeting, _decision = policy.get_or_404(
        request.user, "meeting", policy.Action.VIEW, pk=meeting_id
    )
    attendee = meeting.attendees.filter(staff=request.user).first()
    if attendee is None:
        raise Http404
    try:
        answer = services.questionnaire_answer(
            actor=request.user,
            attendee=attendee,
            usefulness=payload.usefulness,
            roles_clear=payload.roles_clear,
            comment=payload.comment,
        )
    except DjangoValidationError as error:
        return _refused(error)
    return Status(201, answer)
