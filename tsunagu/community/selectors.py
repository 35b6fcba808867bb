"""Reads of 地域づくり: the places by district with the ones that need
succession support standing out, the projects on a board by stage, the open
regional issues, and what a place's, project's or issue's page shows. All of
it starts from the policy's visible querysets; the case or meeting an issue
was raised from is shown only to those the policy lets see it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.cases.models import Case
from tsunagu.community.models import (
    OPEN_ISSUE_STATUSES,
    CommunityPlace,
    CommunityProject,
    IssueEvent,
    ProjectEvent,
    ProjectStage,
    RegionalIssue,
    Succession,
)
from tsunagu.consultations.models import LifeIssue
from tsunagu.directory.models import District
from tsunagu.meetings.models import Meeting

#: A residents' activity this old usually moves from running it to handing it
#: on (seed 002: 活動が軌道に乗り10年を超える頃には継承の支援へ).
SUCCESSION_YEARS = 10
#: Succession states in which the coordinator's support is needed now.
NEEDS_SUCCESSION_SUPPORT = frozenset(
    {Succession.WATCH, Succession.DISCUSSING, Succession.SUPPORTING}
)
#: States in which a long-running place needs nothing more (handed on, or closing).
SUCCESSION_SETTLED = frozenset({Succession.SUCCEEDED, Succession.CLOSING})
#: The lifecycle shown on the board and the stepper (終了 is off the board).
LIFECYCLE = (ProjectStage.IDEA, ProjectStage.LAUNCH, ProjectStage.RUNNING, ProjectStage.SUCCESSION)


@dataclass(frozen=True)
class CommunityFilters:
    """What the index and the lists can be narrowed by."""

    district_id: int | None = None

    def as_detail(self) -> dict[str, Any]:
        return {"district_id": self.district_id} if self.district_id is not None else {}


def years_running(year_started: int | None, today: datetime.date | None = None) -> int | None:
    if year_started is None:
        return None
    today = today or timezone.localdate()
    return max(today.year - year_started, 0)


def needs_succession_support(place: CommunityPlace, today: datetime.date | None = None) -> bool:
    """継承を協議中・継承支援中・担い手の高齢化, or running 10 years and more and not yet handed on."""
    if place.succession in NEEDS_SUCCESSION_SUPPORT:
        return True
    years = years_running(place.year_started, today)
    return (
        years is not None
        and years >= SUCCESSION_YEARS
        and (place.succession not in SUCCESSION_SETTLED)
    )


# --- Places ------------------------------------------------------------------------------


def visible_places(staff: Staff, action: policy.Action = policy.Action.LIST) -> QuerySet[Any]:
    return policy.visible(staff, "community_place", action)


def place_list(staff: Staff, filters: CommunityFilters) -> QuerySet[Any]:
    places = visible_places(staff).filter(archived_at=None)
    if filters.district_id is not None:
        places = places.filter(district_id=filters.district_id)
    return places.select_related("resource", "district", "supporting_organization").order_by(
        "district__sort_order", "district_id", "resource__name", "pk"
    )


@dataclass(frozen=True)
class PlaceRow:
    place: CommunityPlace
    years: int | None
    needs_support: bool

    @property
    def long_running(self) -> bool:
        return self.years is not None and self.years >= SUCCESSION_YEARS


@dataclass
class DistrictGroup:
    district: District
    rows: list[PlaceRow] = field(default_factory=list)

    @property
    def needing_support(self) -> int:
        return sum(1 for row in self.rows if row.needs_support)


def place_rows(places: list[CommunityPlace], today: datetime.date | None = None) -> list[PlaceRow]:
    today = today or timezone.localdate()
    return [
        PlaceRow(
            place=place,
            years=years_running(place.year_started, today),
            needs_support=needs_succession_support(place, today),
        )
        for place in places
    ]


def needing_support(rows: list[PlaceRow]) -> list[PlaceRow]:
    """The rows needing succession support: those whose carers say so first
    (継承支援中, 協議中, 高齢化), then the longest-running."""
    order = {Succession.SUPPORTING: 0, Succession.DISCUSSING: 1, Succession.WATCH: 2}
    return sorted(
        (row for row in rows if row.needs_support),
        key=lambda row: (order.get(Succession(row.place.succession), 3), -(row.years or 0)),
    )


def by_district(rows: list[PlaceRow]) -> list[DistrictGroup]:
    """Rows (already in district order) grouped under their district."""
    groups: list[DistrictGroup] = []
    for row in rows:
        if not groups or groups[-1].district.pk != row.place.district_id:
            groups.append(DistrictGroup(row.place.district))
        groups[-1].rows.append(row)
    return groups


def place_choices(staff: Staff, current: CommunityPlace | None = None) -> QuerySet[Any]:
    """Places a project may be held at: those in use, and its current one."""
    places = visible_places(staff, policy.Action.VIEW).select_related("resource")
    condition = Q(archived_at=None)
    if current is not None:
        condition |= Q(pk=current.pk)
    return places.filter(condition).order_by("district__sort_order", "resource__name", "pk")


def offerable_resources(
    staff: Staff, *, everything: bool = False, include: int | None = None
) -> QuerySet[Any]:
    """Resources a new place can be made of: in the directory, not archived, not
    yet a place; those marked 居場所・拠点 unless ``everything`` (and the one the
    user came from, ``include``)."""
    resources = policy.visible(staff, "resource", policy.Action.VIEW).filter(
        archived_at=None, community_place__isnull=True
    )
    if not everything:
        condition = Q(is_community_place=True)
        if include is not None:
            condition |= Q(pk=include)
        resources = resources.filter(condition)
    return resources.order_by("name", "pk")


def resource_district(resource: Any) -> District | None:
    """The district of a resource's main place (to prefill a new community place)."""
    from tsunagu.resources.selectors import resource_links

    for link in resource_links(resource):
        if link.location.district is not None:
            return link.location.district
    return None


def place_projects(place: CommunityPlace) -> list[CommunityProject]:
    return list(
        CommunityProject.objects.filter(place=place, archived_at=None)
        .select_related("district")
        .order_by("stage", "-stage_changed_on", "pk")
    )


# --- Projects ----------------------------------------------------------------------------


def visible_projects(staff: Staff, action: policy.Action = policy.Action.LIST) -> QuerySet[Any]:
    return policy.visible(staff, "community_project", action)


def project_list(staff: Staff, filters: CommunityFilters) -> QuerySet[Any]:
    projects = visible_projects(staff).filter(archived_at=None)
    if filters.district_id is not None:
        projects = projects.filter(district_id=filters.district_id)
    return projects.select_related("district", "organization", "place__resource").order_by(
        "district__sort_order", "district_id", "-stage_changed_on", "pk"
    )


@dataclass(frozen=True)
class BoardCard:
    project: CommunityProject
    days_in_stage: int
    overdue: bool


@dataclass
class BoardColumn:
    stage: ProjectStage
    cards: list[BoardCard] = field(default_factory=list)


@dataclass
class Board:
    columns: list[BoardColumn]
    ended: list[CommunityProject]

    @property
    def active(self) -> int:
        return sum(len(column.cards) for column in self.columns)


def board(projects: list[CommunityProject], today: datetime.date | None = None) -> Board:
    """Projects by stage, the longest-waiting first in each column; ended ones apart."""
    today = today or timezone.localdate()
    columns = {stage: BoardColumn(stage) for stage in LIFECYCLE}
    ended: list[CommunityProject] = []
    for project in projects:
        column = columns.get(ProjectStage(project.stage))
        if column is None:
            ended.append(project)
            continue
        column.cards.append(
            BoardCard(
                project=project,
                days_in_stage=max((today - project.stage_changed_on).days, 0),
                overdue=project.next_action_on is not None and project.next_action_on < today,
            )
        )
    for column in columns.values():
        column.cards.sort(key=lambda card: (card.project.stage_changed_on, card.project.pk))
    return Board(columns=list(columns.values()), ended=ended)


@dataclass(frozen=True)
class Step:
    stage: ProjectStage
    state: str  # "done", "current" or "todo"


def stepper(project: CommunityProject) -> list[Step]:
    """The lifecycle with where the project is on it: the stages before the
    current one done; for an ended project, the stages it reached."""
    if project.stage in LIFECYCLE:
        current = LIFECYCLE.index(ProjectStage(project.stage))
        return [
            Step(stage, "done" if index < current else "current" if index == current else "todo")
            for index, stage in enumerate(LIFECYCLE)
        ]
    reached = set(ProjectEvent.objects.filter(project=project).values_list("to_stage", flat=True))
    return [Step(stage, "done" if stage in reached else "todo") for stage in LIFECYCLE]


def project_events(project: CommunityProject) -> list[ProjectEvent]:
    """The support history, newest first."""
    return list(
        ProjectEvent.objects.filter(project=project)
        .select_related("actor", "organization")
        .order_by("-occurred_at", "-pk")
    )


def project_choices(staff: Staff) -> QuerySet[Any]:
    return visible_projects(staff, policy.Action.VIEW).filter(archived_at=None)


# --- Regional issues ---------------------------------------------------------------------


def visible_issues(staff: Staff, action: policy.Action = policy.Action.LIST) -> QuerySet[Any]:
    return policy.visible(staff, "regional_issue", action)


def issue_list(staff: Staff, filters: CommunityFilters, *, open_only: bool = True) -> QuerySet[Any]:
    """Issues of the district (and the ward-wide ones, which concern every district)."""
    issues = visible_issues(staff).filter(archived_at=None)
    if open_only:
        issues = issues.filter(status__in=OPEN_ISSUE_STATUSES)
    if filters.district_id is not None:
        issues = issues.filter(Q(district_id=filters.district_id) | Q(district=None))
    return issues.select_related("district", "organization").order_by("-raised_on", "-pk")


def issue_choices(staff: Staff, current: RegionalIssue | None = None) -> QuerySet[Any]:
    """Issues a project may take on: open ones, and its current one."""
    condition = Q(status__in=OPEN_ISSUE_STATUSES, archived_at=None)
    if current is not None:
        condition |= Q(pk=current.pk)
    return visible_issues(staff, policy.Action.VIEW).filter(condition).order_by("-raised_on", "-pk")


def life_issue_labels(issue: RegionalIssue) -> list[str]:
    return [str(LifeIssue(code).label) for code in issue.life_issues if code in LifeIssue.values]


def issue_events(issue: RegionalIssue) -> list[IssueEvent]:
    """The issue's path, newest first."""
    return list(
        IssueEvent.objects.filter(issue=issue)
        .select_related("actor", "organization")
        .order_by("-occurred_at", "-pk")
    )


def issue_projects(issue: RegionalIssue) -> list[CommunityProject]:
    return list(
        CommunityProject.objects.filter(regional_issue=issue, archived_at=None)
        .select_related("district")
        .order_by("pk")
    )


@dataclass(frozen=True)
class IssueOrigin:
    """Where an issue came from, as this viewer may see it."""

    case: Case | None = None
    case_hidden: bool = False
    meeting: Meeting | None = None
    meeting_hidden: bool = False


def issue_source(staff: Staff, issue: RegionalIssue) -> IssueOrigin:
    """The source case and meeting, each only when the policy lets ``staff`` see it."""
    case = meeting = None
    case_hidden = meeting_hidden = False
    if issue.source_case_id is not None:
        found = Case.objects.filter(pk=issue.source_case_id).first()
        if found is not None and policy.decide(staff, policy.Action.VIEW, "case", found):
            case = found
        else:
            case_hidden = True
    if issue.source_meeting_id is not None:
        held = Meeting.objects.filter(pk=issue.source_meeting_id).first()
        if held is not None and policy.decide(staff, policy.Action.VIEW, "meeting", held):
            meeting = held
        else:
            meeting_hidden = True
    return IssueOrigin(case, case_hidden, meeting, meeting_hidden)


def case_choices(staff: Staff) -> QuerySet[Any]:
    """Cases an issue may be raised from: those ``staff`` may see, newest first."""
    return (
        policy.visible(staff, "case", policy.Action.VIEW)
        .only("pk", "title", "opened_on", "municipality_id")
        .order_by("-opened_on", "-pk")
    )


def meeting_choices(staff: Staff) -> QuerySet[Any]:
    """Meetings an issue may be raised from: those ``staff`` may see, newest first."""
    return (
        policy.visible(staff, "meeting", policy.Action.VIEW)
        .only("pk", "title", "held_on", "municipality_id")
        .order_by("-held_on", "-pk")
    )
