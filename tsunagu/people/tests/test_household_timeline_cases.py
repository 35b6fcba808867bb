"""The household page with a 多機関協働 case: the 家族年表 and the ecomap show
cases, consents, meetings and plans only to those with a basis for each, and
each under that basis."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.cases.models import Case, Stage
from tsunagu.cases.services import case_team_add, consent_withdraw
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.people.ecomap import RelationKind
from tsunagu.people.models import Household, Person, Sex
from tsunagu.people.selectors import HouseholdView, household_view
from tsunagu.plans.models import Decision, Monitoring, PlanGoal, SupportKind, SupportPlan
from tsunagu.plans.services import (
    GoalPart,
    ItemPart,
    MemberPart,
    monitoring_record,
    plan_activate,
    plan_create,
)
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


@dataclass
class Story:
    ward: object
    household: Household
    head: Person
    son: Person
    case: Case
    plan: SupportPlan
    coordinator: Staff
    counselor: Staff  # 地域包括支援センター北: the consent names it
    attendee: Staff  # 地域包括支援センター南: at the 支援会議, the lead organization
    outsider: Staff  # 障害者相談支援センター東: its own consultation only
    outsider_org: Organization
    work_org: Organization  # ハローワークテスト: in the plan only


@pytest.fixture
def story(ward) -> Story:
    coordinator = ward.member(Role.COORDINATOR)
    counselor = ward.member(Role.COUNSELOR)
    attendee = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    with tenancy.tenant_context(ward.municipality):
        outsider_org = Organization.objects.create(
            name="障害者相談支援センター東", kind=Organization.Kind.CENTER
        )
        work_org = Organization.objects.create(
            name="ハローワークテスト", kind=Organization.Kind.EXTERNAL
        )
    outsider = rf.staff_at(ward, outsider_org, Role.COUNSELOR, "east")

    head = rf.person(counselor, ward.center, sex=Sex.FEMALE)
    son = rf.person(
        counselor,
        ward.center,
        given_name="一郎",
        given_name_kana="いちろう",
        sex=Sex.MALE,
        birth_date=datetime.date(1975, 6, 1),
    )
    household = rf.household(counselor, ward.center, head=head, members=[(son, "child")])
    first = rf.consultation(counselor, ward.center, household=household, subjects=[head])
    rf.consultation(
        outsider,
        outsider_org,
        household=household,
        subjects=[son],
        summary="東センターが受けた、長男の就労についての相談。",
    )
    escalation = rf.referral(
        counselor,
        ward.center,
        ward.coordinating,
        household=household,
        consultation=first,
        persons=[head, son],
    )
    rf.accepted(escalation, coordinator)
    case = cf.case(
        coordinator,
        ward.coordinating,
        household,
        referral=escalation,
        consultations=[first],
        lead_organization=ward.other_center,
    )
    with tenancy.tenant_context(ward.municipality):
        case_team_add(actor=coordinator, case=case, organization=ward.center, role="母の介護")

    meeting = cf.meeting(coordinator, ward.coordinating, title="第1回 支援会議")
    cf.on_agenda(coordinator, meeting, case)
    cf.attend(coordinator, meeting, attendee, ward.other_center)
    cf.hold(coordinator, meeting)

    cf.consent(coordinator, case, organizations=[ward.center])
    case = cf.to_stage(coordinator, case, Stage.CONSENTED)
    with tenancy.tenant_context(ward.municipality):
        plan = plan_create(
            actor=coordinator,
            case=case,
            plan=SupportPlan(
                overall_goal="親子それぞれが安心して暮らす",
                next_monitoring_on=timezone.localdate() + datetime.timedelta(days=90),
            ),
            members=[
                MemberPart(person=head, goals=["介護サービスを使い始める"]),
                MemberPart(person=son, goals=["就労の相談を始める"]),
            ],
            items=[
                ItemPart(
                    organization=work_org,
                    content="就労相談",
                    kind=SupportKind.SERVICE,
                    person=son,
                ),
                ItemPart(
                    organization=ward.center,
                    content="世帯への見守り訪問",
                    kind=SupportKind.OUTREACH,
                ),
            ],
        )
        plan = plan_activate(actor=coordinator, plan=plan, version=plan.version)
    return Story(
        ward=ward,
        household=household,
        head=head,
        son=son,
        case=Case.all_tenants.get(pk=case.pk),
        plan=plan,
        coordinator=coordinator,
        counselor=counselor,
        attendee=attendee,
        outsider=outsider,
        outsider_org=outsider_org,
        work_org=work_org,
    )


def view_for(staff: Staff, household: Household) -> HouseholdView:
    with tenancy.tenant_context(staff.municipality):
        basis = policy.decide(staff, policy.Action.VIEW, "household", household).basis
        assert basis is not None
        return household_view(staff, household, basis)


def kinds(view: HouseholdView) -> set[str]:
    return {event.kind for event in view.timeline}


def organizations_in_ecomap(view: HouseholdView) -> set[str]:
    return {relation.organization for relation in view.relations}


def svg_of(page: str) -> str:
    found = re.search(r"<svg .*?</svg>", page, re.DOTALL)
    assert found, "the household page draws an ecomap"
    return found.group(0)


def test_an_organization_without_a_case_basis_sees_no_case_records(client, story) -> None:
    view = view_for(story.outsider, story.household)
    assert kinds(view) == {"membership", "consultation"}
    assert not {"case", "agenda_item", "support_plan", "consent"} & set(view.shown)
    # Its own consultation's organization, and nothing of the case team or the plan.
    assert organizations_in_ecomap(view) == {"障害者相談支援センター東"}
    assert [name for name, _roles in view.organizations] == ["障害者相談支援センター東"]

    client.force_login(story.outsider)
    page = client.get(reverse("people:household_detail", args=[story.household.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    svg = svg_of(text)
    assert "障害者相談支援センター東" in svg
    for hidden in (
        "福祉政策課",
        "地域包括支援センター南",
        "ハローワークテスト",
        "地域包括支援センター北",
    ):
        assert hidden not in svg
        assert hidden not in text
    assert story.case.number not in text
    assert "支援会議で検討" not in text
    assert "本人同意" not in text


def test_the_coordinator_sees_the_case_its_meetings_consents_and_plans(client, story) -> None:
    view = view_for(story.coordinator, story.household)
    assert {"case", "meeting", "consent", "plan"} <= kinds(view)
    by_kind = {}
    for event in view.timeline:
        by_kind.setdefault(event.kind, []).append(event)
    titles = [event.title for event in view.timeline]
    assert "多機関協働ケースを受付（8050・介護拒否・子のひきこもり）" in titles
    assert "ケースの段階：支援会議で検討 → 同意取得" in titles
    assert "支援会議で検討（新規）" in titles
    assert "本人同意を取得（書面）" in titles
    assert "支援プラン 第1版を確定" in titles
    for kind in ("case", "meeting", "consent", "plan"):
        for event in by_kind[kind]:
            assert event.basis == policy.Basis.COORDINATOR
    case_url = reverse("cases:detail", args=[story.case.pk])
    assert {event.url for event in by_kind["case"] + by_kind["consent"]} == {case_url}
    meeting_event = next(e for e in by_kind["meeting"])
    assert meeting_event.url.startswith("/meetings/")
    assert {event.url for event in by_kind["plan"]} == {
        reverse("plans:detail", args=[story.plan.pk])
    }
    # The timeline is in order of time.
    assert [event.at for event in view.timeline] == sorted(event.at for event in view.timeline)

    relations = set(view.relations)
    assert ("地域包括支援センター南", RelationKind.LEAD, ()) in {
        (r.organization, r.kind, r.member_ids) for r in relations
    }
    triples = {(r.organization, r.kind, r.member_ids) for r in relations}
    assert ("福祉政策課", RelationKind.TEAM, ()) in triples
    assert ("地域包括支援センター北", RelationKind.TEAM, ()) in triples
    assert ("ハローワークテスト", RelationKind.PLAN, (story.son.pk,)) in triples
    assert ("地域包括支援センター北", RelationKind.PLAN, ()) in triples
    assert ("地域包括支援センター北", RelationKind.REFERRAL, (story.head.pk, story.son.pk)) in {
        (r.organization, r.kind, tuple(sorted(r.member_ids))) for r in relations
    }
    # The case-linked consultation is part of the case record; the other
    # centre's own consultation is not the coordinator's to see.
    assert "障害者相談支援センター東" not in organizations_in_ecomap(view)
    roles = dict(view.organizations)
    assert "主担当" in roles["地域包括支援センター南"]
    assert "支援プラン" in roles["ハローワークテスト"]

    client.force_login(story.coordinator)
    page = client.get(reverse("people:household_detail", args=[story.household.pk]))
    text = page.content.decode()
    svg = svg_of(text)
    assert 'role="img"' in svg and "ecomap-lead" in svg
    assert "ハローワークテスト" in svg
    assert case_url in text
    assert reverse("plans:detail", args=[story.plan.pk]) in text
    # The auditor sees which of the case's records were on screen.
    shown = AuditEvent.objects.filter(
        actor=story.coordinator, action=AuditAction.LIST, object_type="people.household"
    ).latest("id")
    assert shown.detail["shown"]["case"] == [story.case.pk]
    assert shown.detail["shown"]["support_plan"] == [story.plan.pk]
    assert len(shown.detail["shown"]["agenda_item"]) == 1
    # The text alternative lists the same relations as the picture.
    assert "つながりの一覧（表）" in text
    assert '<th scope="row">ハローワークテスト</th><td>支援プラン</td>' in text


def test_a_support_meeting_attendee_sees_the_meeting_but_not_the_plan(story) -> None:
    view = view_for(story.attendee, story.household)
    meetings = [event for event in view.timeline if event.kind == "meeting"]
    assert [event.title for event in meetings] == ["支援会議で検討（新規）"]
    assert meetings[0].basis == policy.Basis.SUPPORT_MEETING
    assert meetings[0].url  # an attendee opens the meeting's page
    assert "plan" not in kinds(view)
    assert "support_plan" not in view.shown
    assert view.shown["agenda_item"] and view.shown["case"] == [story.case.pk]
    case_events = [event for event in view.timeline if event.kind == "case"]
    assert case_events and {e.basis for e in case_events} == {policy.Basis.SUPPORT_MEETING}
    assert "ハローワークテスト" not in organizations_in_ecomap(view)
    assert RelationKind.PLAN not in {relation.kind for relation in view.relations}


def test_the_consent_basis_follows_the_consent(story) -> None:
    view = view_for(story.counselor, story.household)
    plan_events = [event for event in view.timeline if event.kind == "plan"]
    assert plan_events and {e.basis for e in plan_events} == {policy.Basis.CONSENT}
    assert "ハローワークテスト" in organizations_in_ecomap(view)

    with tenancy.tenant_context(story.ward.municipality):
        consent_withdraw(
            actor=story.coordinator,
            consent=story.case.consents.get(),
            note="本人から電話で撤回の申し出",
        )
    view = view_for(story.counselor, story.household)
    assert not {"case", "consent", "meeting", "plan"} & kinds(view)
    assert "ハローワークテスト" not in organizations_in_ecomap(view)
    # The coordinator sees the withdrawal in the timeline.
    coordinator_view = view_for(story.coordinator, story.household)
    assert "本人同意の撤回" in [event.title for event in coordinator_view.timeline]


def test_monitorings_appear_under_the_plan(story) -> None:
    with tenancy.tenant_context(story.ward.municipality):
        goals = list(PlanGoal.objects.filter(member__plan=story.plan))
        monitoring_record(
            actor=story.coordinator,
            plan=story.plan,
            monitoring=Monitoring(
                summary="母の介護サービスが始まった",
                decision=Decision.CONTINUE,
                next_monitoring_on=timezone.localdate() + datetime.timedelta(days=60),
            ),
            progress=[GoalPart(goal=goal, progress="improving") for goal in goals],
        )
    view = view_for(story.coordinator, story.household)
    monitoring = [e for e in view.timeline if e.title == "モニタリング（判断: 継続）"]
    assert len(monitoring) == 1
    assert monitoring[0].detail == "母の介護サービスが始まった"
    assert "モニタリング（判断: 継続）" not in [
        e.title for e in view_for(story.attendee, story.household).timeline
    ]


def _page_queries(client, household: Household) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("people:household_detail", args=[household.pk]))
    assert page.status_code == 200
    return len(queries)


def test_the_page_needs_a_bounded_number_of_queries(client, story, django_assert_max_num_queries):
    client.force_login(story.coordinator)
    _page_queries(client, story.household)  # the session's first request records its activity
    before = _page_queries(client, story.household)
    # More records of every kind the page shows (no more meetings: the policy
    # answers each meeting's material on its own).
    for _ in range(3):
        rf.consultation(story.coordinator, story.ward.coordinating, household=story.household)
    with tenancy.tenant_context(story.ward.municipality):
        case_team_add(
            actor=story.coordinator, case=story.case, organization=story.work_org, role="就労"
        )
        goals = list(PlanGoal.objects.filter(member__plan=story.plan))
        for _ in range(2):
            monitoring_record(
                actor=story.coordinator,
                plan=story.plan,
                monitoring=Monitoring(
                    summary="変わりない",
                    decision=Decision.CONTINUE,
                    next_monitoring_on=timezone.localdate() + datetime.timedelta(days=30),
                ),
                progress=[GoalPart(goal=goal, progress="unchanged") for goal in goals],
            )
    assert _page_queries(client, story.household) == before
    with django_assert_max_num_queries(80):
        client.get(reverse("people:household_detail", args=[story.household.pk]))
