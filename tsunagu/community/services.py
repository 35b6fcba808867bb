"""Writes of 地域づくり: community places, the projects coordinators support
from the first idea to their hand-over, and the regional issues carried
toward a new resource or a policy. Each write records its audit event in the
same transaction; history rows (a project's support, an issue's path) are
written beside the change they describe.

Places, projects and issues carry a version: a change made on an outdated
page is refused with :class:`CommunityConflict` rather than silently
overwriting a colleague's. Nothing here is about a named resident; an issue
may name the case or meeting it was raised from, and only one the person
raising it may see.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import Case
from tsunagu.community.models import (
    PROJECT_TRANSITIONS,
    CommunityPlace,
    CommunityProject,
    IssueEvent,
    IssueSource,
    IssueStatus,
    PlaceFunction,
    ProjectEvent,
    ProjectStage,
    RegionalIssue,
    Succession,
)
from tsunagu.consultations.models import LifeIssue
from tsunagu.core.versioning import EditConflict
from tsunagu.directory.models import District, Organization
from tsunagu.meetings.models import Meeting
from tsunagu.resources.models import Resource

#: The first year a start can be given in (the 和暦 converter's range starts in 明治).
FIRST_YEAR = 1868
#: Issue sources that name a meeting (a 地域支援会議 may also be one held outside the system).
MEETING_SOURCES = frozenset({IssueSource.MEETING, IssueSource.COMMUNITY_MEETING})


class CommunityConflict(EditConflict):
    """A community record changed since the user loaded it (named when raised)."""


@dataclass(frozen=True)
class PlaceSpec:
    """A community place as entered (its resource is fixed when it is created)."""

    operator: str
    district: District
    opening_frequency: str
    functions: Sequence[str]
    year_started: int | None = None
    succession: str = Succession.STABLE
    succession_note: str = ""
    supporting_organization: Organization | None = None


@dataclass(frozen=True)
class ProjectSpec:
    """A community project's own fields (its stage changes only by transition)."""

    title: str
    district: District
    organization: Organization
    purpose: str
    members: str = ""
    place: CommunityPlace | None = None
    regional_issue: RegionalIssue | None = None
    next_action: str = ""
    next_action_on: datetime.date | None = None


@dataclass(frozen=True)
class IssueSpec:
    """A regional issue's own fields (its status changes only by advancing it)."""

    title: str
    description: str
    source: str
    raised_on: datetime.date
    organization: Organization
    district: District | None = None
    life_issues: Sequence[str] = ()
    source_case: Case | None = None
    source_meeting: Meeting | None = None
    outcome: str = ""


# --- Helpers ----------------------------------------------------------------------------


def _moment(day: datetime.date | None) -> datetime.datetime:
    """When a step happened: now for today, noon of an earlier day (only the day is shown)."""
    now = timezone.now()
    if day is None or day >= timezone.localdate():
        return now
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _acting_organization_id(actor: Staff, preferred_id: int | None) -> int:
    """The organization a history row is written for: the record's own when the
    actor works there, else the actor's first organization."""
    ids = actor.organization_ids()
    if preferred_id in ids:
        return preferred_id  # type: ignore[return-value]
    if not ids:
        raise ValidationError(_("所属する機関がないため記録できません。"))
    return (
        Organization.objects.filter(pk__in=ids)
        .order_by("sort_order", "pk")
        .values_list("pk", flat=True)[0]
    )


def _text(value: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    return value[:limit] if limit else value


def _codes(values: Sequence[str], allowed: list[str]) -> list[str]:
    """Known codes in the order of their choices, each once."""
    chosen = set(values or [])
    return [code for code in allowed if code in chosen]


def _check_year(errors: dict[str, list[str]], year: int | None) -> None:
    this_year = timezone.localdate().year
    if year is not None and not FIRST_YEAR <= year <= this_year:
        errors.setdefault("year_started", []).append(
            _("開始年は%(first)s年から%(year)s年までの西暦で入力してください。")
            % {"first": FIRST_YEAR, "year": this_year}
        )


def _check_day(errors: dict[str, list[str]], name: str, day: datetime.date | None) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(name, []).append(_("未来の日付は入力できません。"))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _changed(before: dict[str, object], after: dict[str, object]) -> list[str]:
    return sorted(name for name, value in after.items() if before.get(name) != value)


def _apply_versioned(
    *,
    actor: Staff,
    locked: Any,
    version: int | None,
    what: str,
    values: dict[str, object],
    snapshot: Callable[[Any], dict[str, object]],
) -> Any:
    """Write ``values`` to ``locked`` (a row taken with select_for_update) if
    ``version`` is still its version; the audit names the fields that changed."""
    if version is None or locked.version != version:
        raise CommunityConflict(what)
    before = snapshot(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=locked,
        detail={"fields": _changed(before, snapshot(locked))},
    )
    return locked


# --- Community places -------------------------------------------------------------------


def _place_values(spec: PlaceSpec) -> dict[str, object]:
    """The place's fields from ``spec``, cleaned; refused with every problem at once."""
    errors: dict[str, list[str]] = {}
    operator = _text(spec.operator, 120)
    frequency = _text(spec.opening_frequency, 60)
    functions = _codes(spec.functions, PlaceFunction.values)
    if not operator:
        errors["operator"] = [_("運営者（団体名）を入力してください。")]
    if not frequency:
        errors["opening_frequency"] = [_("開催頻度を入力してください（例: 週2回）。")]
    if not functions:
        errors["functions"] = [_("機能を一つ以上選んでください。")]
    if spec.succession not in Succession.values:
        errors["succession"] = [_("継承の状況を選んでください。")]
    _check_year(errors, spec.year_started)
    _raise(errors)
    return {
        "operator": operator,
        "district": spec.district,
        "opening_frequency": frequency,
        "functions": functions,
        "year_started": spec.year_started,
        "succession": spec.succession,
        "succession_note": _text(spec.succession_note),
        "supporting_organization": spec.supporting_organization,
    }


def _place_snapshot(place: CommunityPlace) -> dict[str, object]:
    return {f.name: getattr(place, f.name) for f in fields(PlaceSpec)}


@transaction.atomic
def community_place_create(*, actor: Staff, resource: Resource, spec: PlaceSpec) -> CommunityPlace:
    """Register ``resource`` as a community place (居場所・拠点). A resource is one
    place at most; one not yet marked as a community place in the directory is
    marked so, through the directory's own service (its own audit event)."""
    from tsunagu.resources.services import resource_save

    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    errors: dict[str, list[str]] = {}
    if locked.archived_at is not None:
        errors["resource"] = [_("アーカイブされた社会資源は居場所・拠点にできません。")]
    elif CommunityPlace.objects.filter(resource=locked).exists():
        errors["resource"] = [_("この社会資源はすでに居場所・拠点として登録されています。")]
    _raise(errors)
    values = _place_values(spec)
    if not locked.is_community_place:
        locked.is_community_place = True
        resource_save(
            actor=actor, resource=locked, version=locked.version, changed=["is_community_place"]
        )
    place = CommunityPlace(resource=locked, created_by=actor, updated_by=actor, **values)
    place.save()
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=place,
        detail={"resource": locked.pk, "succession": place.succession},
    )
    return place


@transaction.atomic
def community_place_update(
    *, actor: Staff, place: CommunityPlace, version: int | None, spec: PlaceSpec
) -> CommunityPlace:
    """Change a place's fields; refused with :class:`CommunityConflict` when
    ``version`` is not the saved one."""
    locked = CommunityPlace.objects.select_for_update().get(pk=place.pk)
    return _apply_versioned(
        actor=actor, locked=locked, version=version, what=_("居場所・拠点"),
        values=_place_values(spec), snapshot=_place_snapshot,
    )  # fmt: skip


# --- Community projects -----------------------------------------------------------------


def _project_values(spec: ProjectSpec) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    title = _text(spec.title, 120)
    purpose = _text(spec.purpose)
    if not title:
        errors["title"] = [_("プロジェクト名を入力してください。")]
    if not purpose:
        errors["purpose"] = [_("目的・きっかけを入力してください。")]
    if spec.organization.kind == Organization.Kind.EXTERNAL:
        errors["organization"] = [_("支援する機関には、区の支援関係機関を選んでください。")]
    _raise(errors)
    return {
        "title": title,
        "district": spec.district,
        "organization": spec.organization,
        "purpose": purpose,
        "members": _text(spec.members, 200),
        "place": spec.place,
        "regional_issue": spec.regional_issue,
        "next_action": _text(spec.next_action, 200),
        "next_action_on": spec.next_action_on,
    }


def _project_snapshot(project: CommunityProject) -> dict[str, object]:
    return {f.name: getattr(project, f.name) for f in fields(ProjectSpec)}


def _project_event(
    project: CommunityProject,
    actor: Staff,
    happened_on: datetime.date | None,
    *,
    support: str = "",
    reason: str = "",
    from_stage: str = "",
    to_stage: str = "",
) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        actor=actor,
        organization_id=_acting_organization_id(actor, project.organization_id),
        occurred_at=_moment(happened_on),
        from_stage=from_stage,
        to_stage=to_stage,
        support=support,
        reason=reason,
    )


@transaction.atomic
def community_project_create(
    *,
    actor: Staff,
    spec: ProjectSpec,
    started_on: datetime.date | None = None,
    support: str = "",
) -> CommunityProject:
    """Start following a project at 構想, from ``started_on`` (today by default),
    with what the coordinator did first (optional)."""
    values = _project_values(spec)
    errors: dict[str, list[str]] = {}
    _check_day(errors, "started_on", started_on)
    _raise(errors)
    started_on = started_on or timezone.localdate()
    project = CommunityProject(
        stage=ProjectStage.IDEA,
        stage_changed_on=started_on,
        created_by=actor,
        updated_by=actor,
        **values,
    )
    project.save()
    _project_event(project, actor, started_on, support=_text(support), to_stage=ProjectStage.IDEA)
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=project,
        detail={"stage": project.stage, "district": project.district_id},
    )
    return project


@transaction.atomic
def community_project_update(
    *, actor: Staff, project: CommunityProject, version: int | None, spec: ProjectSpec
) -> CommunityProject:
    """Change a project's own fields (not its stage); refused on an outdated version."""
    locked = CommunityProject.objects.select_for_update().get(pk=project.pk)
    return _apply_versioned(
        actor=actor, locked=locked, version=version, what=_("地域プロジェクト"),
        values=_project_values(spec), snapshot=_project_snapshot,
    )  # fmt: skip


def allowed_stages(stage: str) -> list[tuple[ProjectStage, bool]]:
    """The stages a project at ``stage`` may move to, each with whether a reason is needed."""
    return [
        (ProjectStage(to), needs_reason)
        for (start, to), needs_reason in PROJECT_TRANSITIONS.items()
        if start == stage
    ]


@transaction.atomic
def community_project_transition(
    *,
    actor: Staff,
    project: CommunityProject,
    to_stage: str,
    version: int | None,
    reason: str = "",
    support: str = "",
    happened_on: datetime.date | None = None,
) -> CommunityProject:
    """Move the project to ``to_stage`` as the transitions table allows; going
    back or ending needs a reason. The step is written to its history with the
    support given."""
    locked = CommunityProject.objects.select_for_update().get(pk=project.pk)
    if version is None or locked.version != version:
        raise CommunityConflict(_("地域プロジェクト"))
    key = (locked.stage, to_stage)
    if key not in PROJECT_TRANSITIONS:
        target = ProjectStage(to_stage).label if to_stage in ProjectStage.values else to_stage
        raise ValidationError(
            {
                "to_stage": _("「%(from)s」から「%(to)s」には進めません。")
                % {"from": ProjectStage(locked.stage).label, "to": target}
            }
        )
    errors: dict[str, list[str]] = {}
    reason = _text(reason, 200)
    if PROJECT_TRANSITIONS[key] and not reason:
        errors["reason"] = [
            _("「%(to)s」にするには理由が必要です。") % {"to": ProjectStage(to_stage).label}
        ]
    _check_day(errors, "happened_on", happened_on)
    if happened_on is not None and happened_on < locked.stage_changed_on:
        errors.setdefault("happened_on", []).append(
            _("今の段階になった日（%(day)s）より前の日付にはできません。")
            % {"day": locked.stage_changed_on.isoformat()}
        )
    _raise(errors)
    from_stage = locked.stage
    locked.stage = to_stage
    locked.stage_changed_on = happened_on or timezone.localdate()
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    _project_event(
        locked,
        actor,
        happened_on,
        support=_text(support),
        reason=reason,
        from_stage=from_stage,
        to_stage=to_stage,
    )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=locked,
        detail={"from": from_stage, "to": to_stage},
    )
    return locked


@transaction.atomic
def community_project_note(
    *,
    actor: Staff,
    project: CommunityProject,
    support: str,
    happened_on: datetime.date | None = None,
) -> ProjectEvent:
    """Record support given along the way (a meeting with the members, finding
    a room, a grant application …) without changing the stage."""
    errors: dict[str, list[str]] = {}
    support = _text(support)
    if not support:
        errors["support"] = [_("支援の内容を入力してください。")]
    _check_day(errors, "happened_on", happened_on)
    _raise(errors)
    event = _project_event(project, actor, happened_on, support=support)
    audit_record(
        AuditAction.CHANGE, actor=actor, obj=project, detail={"event": "support", "id": event.pk}
    )
    return event


# --- Regional issues --------------------------------------------------------------------


def _can_see(actor: Staff, resource: str, obj: object) -> bool:
    from tsunagu import policy

    return bool(policy.decide(actor, policy.Action.VIEW, resource, obj))


def _issue_values(
    actor: Staff, spec: IssueSpec, current: RegionalIssue | None
) -> dict[str, object]:
    """The issue's fields from ``spec``, cleaned. A case or meeting newly named
    as its source must be one ``actor`` may see; one already named stays."""
    errors: dict[str, list[str]] = {}
    title = _text(spec.title, 120)
    description = _text(spec.description)
    if not title:
        errors["title"] = [_("課題を入力してください。")]
    if not description:
        errors["description"] = [_("内容を入力してください。")]
    if spec.source not in IssueSource.values:
        errors["source"] = [_("提起の経路を選んでください。")]
    if spec.source == IssueSource.CASE and spec.source_case is None:
        errors["source_case"] = [_("提起したケースを選んでください。")]
    if spec.source != IssueSource.CASE and spec.source_case is not None:
        errors["source_case"] = [
            _("ケースを選べるのは、提起の経路が「個別ケースから」のときだけです。")
        ]
    if spec.source == IssueSource.MEETING and spec.source_meeting is None:
        errors["source_meeting"] = [_("提起した会議を選んでください。")]
    if spec.source not in MEETING_SOURCES and spec.source_meeting is not None:
        errors["source_meeting"] = [
            _("会議を選べるのは、提起の経路が「会議から」「地域支援会議から」のときだけです。")
        ]
    current_case = current.source_case_id if current is not None else None
    current_meeting = current.source_meeting_id if current is not None else None
    if (
        spec.source_case is not None
        and spec.source_case.pk != current_case
        and not _can_see(actor, "case", spec.source_case)
    ):
        errors["source_case"] = [_("閲覧できないケースは選べません。")]
    if (
        spec.source_meeting is not None
        and spec.source_meeting.pk != current_meeting
        and not _can_see(actor, "meeting", spec.source_meeting)
    ):
        errors["source_meeting"] = [_("閲覧できない会議は選べません。")]
    _check_day(errors, "raised_on", spec.raised_on)
    if spec.organization.kind == Organization.Kind.EXTERNAL:
        errors["organization"] = [_("担当機関には、区の支援関係機関を選んでください。")]
    _raise(errors)
    return {
        "title": title,
        "description": description,
        "source": spec.source,
        "raised_on": spec.raised_on,
        "organization": spec.organization,
        "district": spec.district,
        "life_issues": _codes(spec.life_issues, LifeIssue.values),
        "source_case": spec.source_case,
        "source_meeting": spec.source_meeting,
        "outcome": _text(spec.outcome),
    }


def _issue_snapshot(issue: RegionalIssue) -> dict[str, object]:
    return {f.name: getattr(issue, f.name) for f in fields(IssueSpec)}


def _issue_event(
    issue: RegionalIssue,
    actor: Staff,
    happened_on: datetime.date | None,
    *,
    note: str,
    from_status: str = "",
    to_status: str = "",
) -> IssueEvent:
    return IssueEvent.objects.create(
        issue=issue,
        actor=actor,
        organization_id=_acting_organization_id(actor, issue.organization_id),
        occurred_at=_moment(happened_on),
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


@transaction.atomic
def regional_issue_create(*, actor: Staff, spec: IssueSpec, note: str = "") -> RegionalIssue:
    """Raise an issue (提起) from a case, a meeting, a 地域支援会議 or the district."""
    values = _issue_values(actor, spec, None)
    issue = RegionalIssue(status=IssueStatus.RAISED, created_by=actor, updated_by=actor, **values)
    issue.save()
    _issue_event(issue, actor, issue.raised_on, note=_text(note), to_status=IssueStatus.RAISED)
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=issue,
        detail={
            "source": issue.source,
            "source_case": issue.source_case_id,
            "source_meeting": issue.source_meeting_id,
        },
    )
    return issue


@transaction.atomic
def regional_issue_update(
    *, actor: Staff, issue: RegionalIssue, version: int | None, spec: IssueSpec
) -> RegionalIssue:
    """Change an issue's own fields (not its status); refused on an outdated version."""
    locked = RegionalIssue.objects.select_for_update().get(pk=issue.pk)
    if version is None or locked.version != version:
        raise CommunityConflict(_("地域課題"))
    return _apply_versioned(
        actor=actor, locked=locked, version=version, what=_("地域課題"),
        values=_issue_values(actor, spec, locked), snapshot=_issue_snapshot,
    )  # fmt: skip


@transaction.atomic
def regional_issue_advance(
    *,
    actor: Staff,
    issue: RegionalIssue,
    to_status: str,
    note: str,
    version: int | None,
    outcome: str | None = None,
    happened_on: datetime.date | None = None,
) -> RegionalIssue:
    """Carry the issue to ``to_status`` (any status but its own), saying what
    was done; ``outcome`` (when given) replaces what it led to."""
    locked = RegionalIssue.objects.select_for_update().get(pk=issue.pk)
    if version is None or locked.version != version:
        raise CommunityConflict(_("地域課題"))
    errors: dict[str, list[str]] = {}
    if to_status not in IssueStatus.values:
        errors["to_status"] = [_("次の状況を選んでください。")]
    elif to_status == locked.status:
        errors["to_status"] = [
            _("いまの状況（%(status)s）とは別の状況を選んでください。")
            % {"status": IssueStatus(locked.status).label}
        ]
    note = _text(note)
    if not note:
        errors["note"] = [_("経過（何をして、どうなったか）を入力してください。")]
    _check_day(errors, "happened_on", happened_on)
    if happened_on is not None and happened_on < locked.raised_on:
        errors.setdefault("happened_on", []).append(_("提起日より前の日付にはできません。"))
    _raise(errors)
    from_status = locked.status
    locked.status = to_status
    if outcome is not None:
        locked.outcome = _text(outcome)
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    _issue_event(
        locked, actor, happened_on, note=note, from_status=from_status, to_status=to_status
    )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=locked,
        detail={"from": from_status, "to": to_status},
    )
    return locked
