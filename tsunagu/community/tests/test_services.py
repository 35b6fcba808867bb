"""The rules of 地域づくり as the services keep them: a resource is one place
at most (and becomes a community place in the directory through its own
service), a project moves only as the transitions table allows and says why
when it goes back or ends, an issue is carried to any status with a note, a
case or meeting is named only by someone who may see it, an outdated edit is
refused, and every write is on the audit trail."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.community import services
from tsunagu.community.models import (
    PROJECT_TRANSITIONS,
    CommunityPlace,
    CommunityProject,
    IssueSource,
    IssueStatus,
    PlaceFunction,
    ProjectEvent,
    ProjectStage,
    RegionalIssue,
    Succession,
)
from tsunagu.community.tests import builders as b
from tsunagu.core import tenancy
from tsunagu.resources.models import Resource
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def audited(action: str, obj: object) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),  # type: ignore[attr-defined]
        )
    )


def spec(ward: Ward, **overrides: object) -> services.PlaceSpec:
    values: dict[str, object] = {
        "operator": "北町会有志",
        "district": ward.districts[0],
        "opening_frequency": "毎月第2火曜日",
        "functions": [PlaceFunction.IBASHO, PlaceFunction.CONSULTATION],
        "year_started": 2010,
    }
    values.update(overrides)
    return services.PlaceSpec(**values)  # type: ignore[arg-type]


# --- Places -------------------------------------------------------------------------------


def test_a_resource_becomes_a_place_and_is_marked_in_the_directory_on_the_record(
    ward: Ward,
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    unmarked = b.resource(ward, "北町の縁側", community=False)
    with tenancy.tenant_context(ward.municipality):
        place = services.community_place_create(
            actor=counselor,
            resource=unmarked,
            spec=spec(ward, functions=[PlaceFunction.CONSULTATION, PlaceFunction.IBASHO]),
        )
        marked = Resource.objects.get(pk=unmarked.pk)
        assert marked.is_community_place and marked.version == unmarked.version + 1
        change = audited(AuditAction.CHANGE, marked)
        assert [event.detail["fields"] for event in change] == [["is_community_place"]]
        assert change[0].actor_id == counselor.pk
        assert place.functions == [PlaceFunction.IBASHO, PlaceFunction.CONSULTATION]
        assert audited(AuditAction.CREATE, place)[0].detail["resource"] == unmarked.pk


def test_a_resource_is_one_place_at_most_and_an_archived_one_none(ward: Ward) -> None:
    taken = b.place(ward, "北町サロン")
    archived = b.resource(ward, "終わった会")
    with tenancy.tenant_context(ward.municipality):
        Resource.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
        for resource, message in (
            (taken.resource, "すでに居場所・拠点として登録されています"),
            (Resource.objects.get(pk=archived.pk), "アーカイブされた社会資源"),
        ):
            with pytest.raises(ValidationError) as refused:
                services.community_place_create(
                    actor=ward.member(Role.COUNSELOR), resource=resource, spec=spec(ward)
                )
            assert message in refused.value.message_dict["resource"][0]
        assert CommunityPlace.objects.count() == 1


def test_a_place_needs_an_operator_a_frequency_a_function_and_a_believable_year(
    ward: Ward,
) -> None:
    fresh = b.resource(ward, "南町の茶の間")
    with tenancy.tenant_context(ward.municipality), pytest.raises(ValidationError) as refused:
        services.community_place_create(
            actor=ward.member(Role.COUNSELOR),
            resource=fresh,
            spec=spec(
                ward, operator=" ", opening_frequency="", functions=["unknown"], year_started=2999
            ),
        )
    errors = refused.value.message_dict
    assert set(errors) == {"operator", "opening_frequency", "functions", "year_started"}
    assert errors["functions"] == ["機能を一つ以上選んでください。"]


def test_an_outdated_edit_of_a_place_is_refused_and_changes_nothing(ward: Ward) -> None:
    place = b.place(ward, "北町サロン", succession=Succession.STABLE)
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        saved = services.community_place_update(
            actor=counselor,
            place=place,
            version=place.version,
            spec=spec(ward, succession=Succession.SUPPORTING, year_started=2001),
        )
        assert saved.version == place.version + 1
        assert audited(AuditAction.CHANGE, saved)[0].detail["fields"] == [
            "functions",
            "opening_frequency",
            "operator",
            "succession",
            "year_started",
        ]
        with pytest.raises(services.CommunityConflict) as conflict:
            services.community_place_update(
                actor=counselor,
                place=place,
                version=place.version,
                spec=spec(ward, operator="上書き"),
            )
        assert "この居場所・拠点は、表示した後に他の職員が更新しました" in conflict.value.message
        assert CommunityPlace.objects.get(pk=place.pk).operator == "北町会有志"


# --- Projects -----------------------------------------------------------------------------


def test_a_project_starts_as_an_idea_and_moves_along_the_lifecycle(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    started = timezone.localdate() - timedelta(days=30)
    project = b.project(ward, "北町の多世代食堂", started_on=started)
    assert project.stage == ProjectStage.IDEA and project.stage_changed_on == started
    launched_on = timezone.localdate() - timedelta(days=10)
    with tenancy.tenant_context(ward.municipality):
        launched = services.community_project_transition(
            actor=counselor,
            project=project,
            to_stage=ProjectStage.LAUNCH,
            version=project.version,
            support="会場の確保を手伝った",
            happened_on=launched_on,
        )
        assert launched.stage == ProjectStage.LAUNCH
        assert launched.stage_changed_on == launched_on
        event = ProjectEvent.objects.filter(project=project).latest("occurred_at")
        assert (event.from_stage, event.to_stage, event.support) == (
            ProjectStage.IDEA,
            ProjectStage.LAUNCH,
            "会場の確保を手伝った",
        )
        assert event.actor_id == counselor.pk and event.organization_id == ward.center.pk
        assert timezone.localdate(event.occurred_at) == launched_on
        assert audited(AuditAction.CHANGE, launched)[0].detail == {
            "from": ProjectStage.IDEA,
            "to": ProjectStage.LAUNCH,
        }
    ran = b.advance(ward, launched, ProjectStage.RUNNING, ProjectStage.SUCCESSION)
    assert ran.stage == ProjectStage.SUCCESSION


@pytest.mark.parametrize(
    ("start", "path"),
    [
        (ProjectStage.IDEA, ()),
        (ProjectStage.LAUNCH, (ProjectStage.LAUNCH,)),
        (ProjectStage.RUNNING, (ProjectStage.LAUNCH, ProjectStage.RUNNING)),
        (
            ProjectStage.SUCCESSION,
            (ProjectStage.LAUNCH, ProjectStage.RUNNING, ProjectStage.SUCCESSION),
        ),
    ],
)
def test_only_the_moves_of_the_table_are_allowed(
    ward: Ward, start: str, path: tuple[str, ...]
) -> None:
    project = b.advance(ward, b.project(ward, "見守りの輪"), *path)
    assert project.stage == start
    allowed = {to for (frm, to) in PROJECT_TRANSITIONS if frm == start}
    for to_stage in set(ProjectStage.values) - allowed - {start}:
        with tenancy.tenant_context(ward.municipality), pytest.raises(ValidationError) as refused:
            services.community_project_transition(
                actor=ward.member(Role.COUNSELOR),
                project=project,
                to_stage=to_stage,
                version=project.version,
                reason="理由",
            )
        assert "には進めません" in refused.value.message_dict["to_stage"][0]
    assert {stage for stage, _needs in services.allowed_stages(start)} == allowed


def test_going_back_or_ending_needs_a_reason(ward: Ward) -> None:
    project = b.advance(ward, b.project(ward, "坂の上の買い物支援"), ProjectStage.LAUNCH)
    with tenancy.tenant_context(ward.municipality):
        for to_stage in (ProjectStage.IDEA, ProjectStage.ENDED):
            with pytest.raises(ValidationError) as refused:
                services.community_project_transition(
                    actor=ward.member(Role.COUNSELOR),
                    project=project,
                    to_stage=to_stage,
                    version=project.version,
                    reason="  ",
                )
            assert refused.value.message_dict["reason"] == [
                f"「{ProjectStage(to_stage).label}」にするには理由が必要です。"
            ]
        back = services.community_project_transition(
            actor=ward.member(Role.COUNSELOR),
            project=project,
            to_stage=ProjectStage.IDEA,
            version=project.version,
            reason="会場が確保できず、構想から考え直す",
        )
        assert back.stage == ProjectStage.IDEA
        assert ProjectEvent.objects.filter(project=project).latest("occurred_at").reason == (
            "会場が確保できず、構想から考え直す"
        )


def test_a_step_cannot_be_dated_in_the_future_nor_before_the_current_stage(ward: Ward) -> None:
    today = timezone.localdate()
    project = b.project(ward, "北町の見守り", started_on=today - timedelta(days=5))
    for day, message in (
        (today + timedelta(days=1), "未来の日付は入力できません。"),
        (today - timedelta(days=6), "より前の日付にはできません"),
    ):
        with tenancy.tenant_context(ward.municipality), pytest.raises(ValidationError) as refused:
            services.community_project_transition(
                actor=ward.member(Role.COUNSELOR),
                project=project,
                to_stage=ProjectStage.LAUNCH,
                version=project.version,
                happened_on=day,
            )
        assert message in refused.value.message_dict["happened_on"][0]


def test_a_transition_on_an_outdated_page_is_refused(ward: Ward) -> None:
    project = b.project(ward, "北町の多世代食堂")
    b.advance(ward, project, ProjectStage.LAUNCH)
    with tenancy.tenant_context(ward.municipality):
        with pytest.raises(services.CommunityConflict):
            services.community_project_transition(
                actor=ward.member(Role.COUNSELOR),
                project=project,
                to_stage=ProjectStage.ENDED,
                version=project.version,
                reason="終了",
            )
        assert CommunityProject.objects.get(pk=project.pk).stage == ProjectStage.LAUNCH


def test_a_support_note_is_history_without_a_stage_change(ward: Ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    project = b.project(ward, "北町の多世代食堂")
    with tenancy.tenant_context(ward.municipality):
        event = services.community_project_note(
            actor=coordinator, project=project, support="担い手の会議に出て、会計の分担を話し合った"
        )
        assert (event.from_stage, event.to_stage) == ("", "")
        # The coordinator does not work at the centre that supports the project:
        # the note is written for the coordinator's own organization.
        assert event.organization_id == ward.coordinating.pk
        assert CommunityProject.objects.get(pk=project.pk).version == project.version
        with pytest.raises(ValidationError) as refused:
            services.community_project_note(actor=coordinator, project=project, support=" ")
        assert refused.value.message_dict["support"] == ["支援の内容を入力してください。"]
        assert audited(AuditAction.CHANGE, project)[0].detail["event"] == "support"


def test_an_outdated_edit_of_a_project_is_refused(ward: Ward) -> None:
    project = b.project(ward, "北町の多世代食堂")
    values = {
        "district": ward.districts[1],
        "organization": ward.center,
        "purpose": "目的",
    }
    with tenancy.tenant_context(ward.municipality):
        services.community_project_update(
            actor=ward.member(Role.COUNSELOR),
            project=project,
            version=project.version,
            spec=services.ProjectSpec(title="南町の多世代食堂", **values),  # type: ignore[arg-type]
        )
        with pytest.raises(services.CommunityConflict):
            services.community_project_update(
                actor=ward.member(Role.COUNSELOR),
                project=project,
                version=project.version,
                spec=services.ProjectSpec(title="上書き", **values),  # type: ignore[arg-type]
            )
        assert CommunityProject.objects.get(pk=project.pk).title == "南町の多世代食堂"


# --- Regional issues ----------------------------------------------------------------------


def test_an_issue_from_a_case_names_a_case_its_author_may_see(ward: Ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    counselor = ward.member(Role.COUNSELOR)
    case = cf.case(coordinator, ward.coordinating, rf.household(coordinator, ward.coordinating))
    with pytest.raises(ValidationError) as refused:
        b.issue(ward, "介護離職", actor=counselor, source=IssueSource.CASE)
    assert refused.value.message_dict["source_case"] == ["提起したケースを選んでください。"]
    with pytest.raises(ValidationError) as refused:
        # The centre has no basis to the coordinating section's case.
        b.issue(ward, "介護離職", actor=counselor, source=IssueSource.CASE, source_case=case)
    assert refused.value.message_dict["source_case"] == ["閲覧できないケースは選べません。"]
    with pytest.raises(ValidationError) as refused:
        b.issue(ward, "介護離職", actor=coordinator, source=IssueSource.OTHER, source_case=case)
    assert "個別ケースから" in refused.value.message_dict["source_case"][0]
    raised = b.issue(ward, "介護離職", actor=coordinator, source=IssueSource.CASE, source_case=case)
    assert raised.status == IssueStatus.RAISED and raised.source_case_id == case.pk
    with tenancy.tenant_context(ward.municipality):
        first = raised.events.get()
        assert (first.from_status, first.to_status) == ("", IssueStatus.RAISED)
        assert audited(AuditAction.CREATE, raised)[0].detail["source_case"] == case.pk


def test_an_issue_from_a_meeting_names_one_its_author_may_see(ward: Ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    meeting = cf.meeting(coordinator, ward.coordinating)
    with pytest.raises(ValidationError) as refused:
        b.issue(ward, "買い物", source=IssueSource.MEETING, source_meeting=meeting)
    assert refused.value.message_dict["source_meeting"] == ["閲覧できない会議は選べません。"]
    raised = b.issue(
        ward, "買い物", actor=coordinator, source=IssueSource.MEETING, source_meeting=meeting
    )
    # A 地域支援会議 held outside the system is named without a meeting.
    community = b.issue(ward, "買い物", source=IssueSource.COMMUNITY_MEETING)
    assert raised.source_meeting_id == meeting.pk and community.source_meeting_id is None


def test_an_editor_who_cannot_see_the_source_case_keeps_it(ward: Ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, ward.coordinating, rf.household(coordinator, ward.coordinating))
    raised = b.issue(ward, "介護離職", actor=coordinator, source=IssueSource.CASE, source_case=case)
    with tenancy.tenant_context(ward.municipality):
        saved = services.regional_issue_update(
            actor=ward.member(Role.COUNSELOR),
            issue=raised,
            version=raised.version,
            spec=services.IssueSpec(
                title="家族介護者の離職",
                description=raised.description,
                source=IssueSource.CASE,
                raised_on=raised.raised_on,
                organization=raised.organization,
                source_case=case,
            ),
        )
    assert saved.title == "家族介護者の離職" and saved.source_case_id == case.pk


def test_an_issue_moves_to_any_status_with_a_note(ward: Ward) -> None:
    issue = b.issue(ward, "坂の上の買い物", raised_on=timezone.localdate() - timedelta(days=20))
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        for bad, field, message in (
            ({"to_status": IssueStatus.RAISED, "note": "x"}, "to_status", "別の状況を選んで"),
            ({"to_status": IssueStatus.POLICY, "note": " "}, "note", "経過"),
            ({"to_status": "nowhere", "note": "x"}, "to_status", "次の状況を選んで"),
        ):
            with pytest.raises(ValidationError) as refused:
                services.regional_issue_advance(
                    actor=counselor, issue=issue, version=issue.version, **bad
                )
            assert message in refused.value.message_dict[field][0]
        current = issue
        # Any status to any other: resolved and back to raised again.
        for status in (IssueStatus.RESOLVED, IssueStatus.RAISED, IssueStatus.POLICY):
            current = services.regional_issue_advance(
                actor=counselor,
                issue=current,
                to_status=status,
                note=f"{status}にした",
                version=current.version,
                outcome="区に移動販売の支援を提案" if status == IssueStatus.POLICY else None,
            )
        assert current.status == IssueStatus.POLICY
        assert current.outcome == "区に移動販売の支援を提案"
        path = list(current.events.order_by("occurred_at", "pk"))
        assert [(e.from_status, e.to_status) for e in path] == [
            ("", IssueStatus.RAISED),
            (IssueStatus.RAISED, IssueStatus.RESOLVED),
            (IssueStatus.RESOLVED, IssueStatus.RAISED),
            (IssueStatus.RAISED, IssueStatus.POLICY),
        ]
        assert len(audited(AuditAction.CHANGE, current)) == 3
        with pytest.raises(services.CommunityConflict):
            services.regional_issue_advance(
                actor=counselor,
                issue=issue,
                to_status=IssueStatus.SHELVED,
                note="見送り",
                version=issue.version,
            )
        assert RegionalIssue.objects.get(pk=issue.pk).status == IssueStatus.POLICY


def test_a_step_of_an_issue_cannot_come_before_it_was_raised(ward: Ward) -> None:
    raised_on = timezone.localdate() - timedelta(days=3)
    issue = b.issue(ward, "坂の上の買い物", raised_on=raised_on)
    with tenancy.tenant_context(ward.municipality), pytest.raises(ValidationError) as refused:
        services.regional_issue_advance(
            actor=ward.member(Role.COUNSELOR),
            issue=issue,
            to_status=IssueStatus.ANALYSING,
            note="検討を始めた",
            version=issue.version,
            happened_on=raised_on - datetime.timedelta(days=1),
        )
    assert refused.value.message_dict["happened_on"] == ["提起日より前の日付にはできません。"]
