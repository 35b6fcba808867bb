"""The demo ward's 地域づくり: what a CSW opening it should find (places in
every district, a long-running many-sided place whose founders are ageing in
継承支援中, projects at every stage with histories of believable length,
regional issues from cases, meetings and a 地域支援会議 at different
statuses), dates relative to today and never before July 2025, no person's
name anywhere, the source case shown only to those who may see it, and that
loading twice changes nothing."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditEvent
from tsunagu.community.models import (
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
from tsunagu.community.selectors import needs_succession_support
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.demo.community import CHANOMA, FLOOR, load_demo_community
from tsunagu.demo.tests.conftest import staff
from tsunagu.meetings.models import Kind
from tsunagu.people.models import Person
from tsunagu.tests.two_factor import force_login_verified


@pytest.fixture
def community(demo: Municipality) -> Municipality:
    """The demo with its 地域づくり (loaded here until load_demo does it; then a no-op)."""
    load_demo_community(demo)
    return demo


def test_places_in_every_district_with_the_ageing_many_sided_place(
    community: Municipality,
) -> None:
    places = list(CommunityPlace.objects.select_related("resource", "district"))
    assert len(places) >= 8
    assert {place.district.name for place in places} == {"富坂", "大塚", "本富士", "駒込"}
    chanoma = next(place for place in places if place.resource.name == CHANOMA)
    assert chanoma.succession == Succession.SUPPORTING
    assert timezone.localdate().year - (chanoma.year_started or 9999) >= 10
    assert len(chanoma.functions) >= 5 and PlaceFunction.CONSULTATION in chanoma.functions
    assert "80代" in chanoma.succession_note
    assert {place.succession for place in places} >= {
        Succession.STABLE,
        Succession.WATCH,
        Succession.DISCUSSING,
        Succession.SUPPORTING,
        Succession.SUCCEEDED,
        Succession.CLOSING,
    }
    assert sum(needs_succession_support(place) for place in places) >= 5
    assert all(place.resource.is_community_place for place in places)
    # Some community places of the directory are left for the demo's 登録 flow.
    from tsunagu.resources.models import Resource

    assert Resource.objects.filter(is_community_place=True, community_place__isnull=True).exists()


def test_projects_at_every_stage_with_their_support_histories(community: Municipality) -> None:
    projects = list(CommunityProject.objects.all())
    assert 6 <= len(projects) <= 12
    assert {p.stage for p in projects} == set(ProjectStage.values)
    events = Counter(ProjectEvent.objects.values_list("project_id", flat=True))
    assert all(events[p.pk] >= 2 for p in projects)
    assert max(events.values()) >= 10
    # One was sent back from 立上げ to 構想, with its reason.
    back = ProjectEvent.objects.get(from_stage=ProjectStage.LAUNCH, to_stage=ProjectStage.IDEA)
    assert back.reason
    ended = ProjectEvent.objects.get(to_stage=ProjectStage.ENDED)
    assert ended.reason
    assert CommunityProject.objects.exclude(regional_issue=None).count() >= 3
    assert CommunityProject.objects.exclude(place=None).exists()
    today = timezone.localdate()
    overdue = [p for p in projects if p.next_action_on and p.next_action_on < today]
    assert overdue, "the board shows a project whose next step is overdue"


def test_issues_from_cases_meetings_and_a_community_meeting_at_different_statuses(
    community: Municipality,
) -> None:
    issues = list(RegionalIssue.objects.select_related("source_case", "source_meeting"))
    assert len(issues) >= 6
    assert len({issue.status for issue in issues}) >= 5
    assert {IssueStatus.RESOLVED, IssueStatus.SHELVED} <= {issue.status for issue in issues}
    sources = {issue.source for issue in issues}
    assert {IssueSource.CASE, IssueSource.MEETING, IssueSource.COMMUNITY_MEETING} <= sources
    from_model = [i for i in issues if i.source_case and i.source_case.title == MODEL_CASE_TITLE]
    assert len(from_model) == 2
    community_meetings = [
        i.source_meeting for i in issues if i.source == IssueSource.COMMUNITY_MEETING
    ]
    assert community_meetings and all(
        m is not None and m.kinds() == [Kind.COMMUNITY] and m.minutes for m in community_meetings
    )
    closed = [i for i in issues if not i.is_open]
    assert all(IssueEvent.objects.filter(issue=i).count() >= 2 for i in closed)


def test_dates_are_recent_never_before_july_2025_and_never_ahead(community: Municipality) -> None:
    today = timezone.localdate()
    days: list[datetime.date] = []
    days += CommunityProject.objects.values_list("stage_changed_on", flat=True)
    days += RegionalIssue.objects.values_list("raised_on", flat=True)
    days += [
        timezone.localdate(m) for m in ProjectEvent.objects.values_list("occurred_at", flat=True)
    ]
    days += [
        timezone.localdate(m) for m in IssueEvent.objects.values_list("occurred_at", flat=True)
    ]
    for model in (CommunityPlace, CommunityProject, RegionalIssue):
        days += [timezone.localdate(m) for m in model.objects.values_list("created_at", flat=True)]
    assert days and all(FLOOR <= day <= today for day in days)


def test_no_person_is_named(community: Municipality) -> None:
    names = {
        f"{family}{given}"
        for family, given in Person.objects.values_list("family_name", "given_name")
    } | {
        name.replace(" ", "").replace("\u3000", "")
        for name in Staff.objects.values_list("full_name", flat=True)
    }
    texts: list[str] = []
    for place in CommunityPlace.objects.all():
        texts += [place.operator, place.succession_note, place.opening_frequency]
    for project in CommunityProject.objects.all():
        texts += [project.title, project.purpose, project.members, project.next_action]
    for issue in RegionalIssue.objects.all():
        texts += [issue.title, issue.description, issue.outcome]
    texts += list(ProjectEvent.objects.values_list("support", flat=True))
    texts += list(IssueEvent.objects.values_list("note", flat=True))
    compact = [text.replace(" ", "").replace("\u3000", "") for text in texts]
    assert not [name for name in names if any(name in text for text in compact)]


def test_the_model_case_is_linked_only_for_those_who_may_see_it(community: Municipality) -> None:
    issue = RegionalIssue.objects.filter(source_case__title=MODEL_CASE_TITLE).first()
    assert issue is not None and issue.source_case is not None
    url = reverse("community:issue_detail", args=[issue.pk])
    coordinator = force_login_verified(Client(), staff("demo-jimukyoku"))
    assert issue.source_case.number in coordinator.get(url).content.decode()
    manager = Client()
    manager.force_login(staff("demo-kanrishoku"))
    page = manager.get(url).content.decode()
    assert "個別ケース（閲覧権限なし）" in page and issue.source_case.number not in page
    index = manager.get(reverse("community:index"))
    assert index.status_code == 200 and CHANOMA in index.content.decode()


def test_loading_twice_changes_nothing(community: Municipality) -> None:
    models = (CommunityPlace, CommunityProject, ProjectEvent, RegionalIssue, IssueEvent)
    counts = [model.objects.count() for model in (*models, AuditEvent)]
    assert load_demo_community(community) is None
    assert counts == [model.objects.count() for model in (*models, AuditEvent)]
