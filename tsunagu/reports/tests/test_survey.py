"""The survey answers (seed 004) counted from records built with known counts:
every answer is what was built, and a record of another fiscal year, another
municipality, an unheld or archived sitting, or an archived record is not.

The helpers at the top make the records through the services (so they are
what the product would hold); the other report tests import them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case
from tsunagu.cases.services import household_members
from tsunagu.core import tenancy
from tsunagu.core.wareki import fiscal_year_of, format_wareki_month
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import AgendaItem, Kind, Meeting
from tsunagu.outreach.models import OutreachContact, Stage
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.participation.models import Participation
from tsunagu.participation.models import Stage as PathStage
from tsunagu.participation.services import participation_propose
from tsunagu.people.models import Household, Person
from tsunagu.plans.models import Decision, Monitoring, PlanGoal, Progress, SupportPlan
from tsunagu.plans.services import (
    GoalPart,
    monitoring_record,
    plan_activate,
    plan_copy_parts,
    plan_create,
)
from tsunagu.reports import rollups
from tsunagu.reports.survey import Frequency, frequency, period_months, survey_answers
from tsunagu.resources.models import Resource
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.resource_factories import resource

pytestmark = pytest.mark.django_db

NEW = AgendaItem.Review.NEW
MONITORING = AgendaItem.Review.MONITORING
SUPPORT = Kind.SUPPORT_MEETING
PLAN = Kind.PLAN_MEETING

# --- Records ---------------------------------------------------------------------------


def last_full_year() -> int:
    """The fiscal year the survey answers by default: all of it is in the past."""
    return fiscal_year_of(timezone.localdate()) - 1


def day(fiscal_year: int, month: int, day_of_month: int) -> datetime.date:
    """A day of ``fiscal_year`` (April to March)."""
    return datetime.date(fiscal_year if month >= 4 else fiscal_year + 1, month, day_of_month)


def at(when: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(when, datetime.time(hour)))


def household(actor: Staff, organization: Organization, family_name: str) -> Household:
    head = rf.person(actor, organization, family_name=family_name, given_name="和子")
    return rf.household(actor, organization, head=head)


def new_case(
    coordinator: Staff, organization: Organization, family_name: str, opened_on: datetime.date
) -> Case:
    return cf.case(
        coordinator,
        organization,
        household(coordinator, organization, family_name),
        opened_on=opened_on,
    )


def sitting(
    coordinator: Staff,
    organization: Organization,
    held_on: datetime.date,
    agenda: Iterable[tuple[Case, str, str]] = (),
    kinds: Iterable[str] = (SUPPORT,),
    hold: bool = True,
) -> Meeting:
    """A sitting with ``(case, kind, review)`` on its agenda, held unless told not."""
    meeting = cf.meeting(coordinator, organization, kinds=list(kinds), held_on=held_on)
    for item_case, kind, review in agenda:
        cf.on_agenda(coordinator, meeting, item_case, kind=kind, review=review)
    if hold:
        cf.hold(coordinator, meeting)
    return meeting


def confirmed_plan(
    coordinator: Staff, case: Case, activated_at: datetime.datetime, consent: bool = True
) -> SupportPlan:
    """The case's first plan, confirmed at ``activated_at``."""
    if consent:
        cf.consent(coordinator, case, covers_case_team=True)
    plan = cf.active_plan(coordinator, case)
    SupportPlan.all_tenants.filter(pk=plan.pk).update(activated_at=activated_at)
    return SupportPlan.all_tenants.get(pk=plan.pk)


def replan(coordinator: Staff, plan: SupportPlan, activated_at: datetime.datetime) -> SupportPlan:
    """The plan's next version (a monitoring decided 再プラン), confirmed at ``activated_at``."""
    with tenancy.tenant_context(coordinator.municipality):
        plan = SupportPlan.objects.get(pk=plan.pk)
        monitoring_record(
            actor=coordinator,
            plan=plan,
            monitoring=Monitoring(summary="目標を見直す", decision=Decision.REPLAN),
            progress=[
                GoalPart(goal=goal, progress=Progress.UNCHANGED)
                for goal in PlanGoal.objects.filter(member__plan=plan)
            ],
        )
        members, items = plan_copy_parts(plan)
        draft = plan_create(
            actor=coordinator,
            case=Case.objects.get(pk=plan.case_id),
            plan=SupportPlan(
                changes="本人の希望に合わせて目標を変えた",
                next_monitoring_on=timezone.localdate() + datetime.timedelta(days=90),
            ),
            members=members,
            items=items,
        )
        active = plan_activate(actor=coordinator, plan=draft, version=draft.version)
    SupportPlan.all_tenants.filter(pk=active.pk).update(activated_at=activated_at)
    return SupportPlan.all_tenants.get(pk=active.pk)


def contacts(
    actor: Staff,
    organization: Organization,
    household: Household,
    when: Iterable[datetime.datetime],
    stage: str = Stage.NONE,
    case: Case | None = None,
) -> list[OutreachContact]:
    made = []
    with tenancy.tenant_context(actor.municipality):
        for moment in when:
            made.append(
                outreach_contact_record(
                    actor=actor,
                    organization=organization,
                    household=household,
                    case=case,
                    occurred_at=moment,
                    method="visit",
                    result="absent",
                    intent="relationship",
                    stage_after=stage,
                )
            )
    return made


def member(case: Case) -> Person:
    with tenancy.tenant_context(case.municipality):
        return household_members(case)[0]


def path(
    actor: Staff,
    organization: Organization,
    person: Person,
    place: Resource,
    proposed_on: datetime.date,
    plan: SupportPlan | None = None,
) -> Participation:
    with tenancy.tenant_context(actor.municipality):
        return participation_propose(
            actor=actor,
            organization=organization,
            person=person,
            resource=place,
            reason="関心に合う",
            proposed_on=proposed_on,
            plan=plan,
        )


def archive(model: type, *objects: object) -> None:
    model.all_tenants.filter(pk__in=[o.pk for o in objects]).update(  # type: ignore[attr-defined]
        archived_at=timezone.now()
    )
    # Archived here directly, not through a service: the monthly counts again.
    for municipality_id in {o.municipality_id for o in objects}:  # type: ignore[attr-defined]
        rollups.rebuild(municipality_id)


# --- One municipality's year with known counts -------------------------------------------

#: Family names of the residents built below: no page may show them.
NAMES = ("青木", "井上", "上田", "江口", "小林", "中村", "余所")


@dataclass
class World:
    fiscal_year: int
    cases: list[Case]


def build_year(ward: Ward, other_ward: Ward) -> World:
    """A year of 支援会議, 重層的支援会議, plans, participation and outreach,
    with records around it that must not be counted."""
    fy = last_full_year()
    coordinator, office = ward.member(Role.COORDINATOR), ward.coordinating
    c1, c2, c3, c4 = (new_case(coordinator, office, name, day(fy - 1, 3, 1)) for name in NAMES[:4])
    # Sittings. Counted: May, June (both kinds), July. Not counted: the year
    # before, the year after, a sitting never held, an archived one.
    sitting(coordinator, office, day(fy - 1, 3, 20), [(c1, SUPPORT, NEW)])
    sitting(coordinator, office, day(fy, 5, 10), [(c1, SUPPORT, NEW), (c2, SUPPORT, NEW)])
    cf.consent(coordinator, c2, covers_case_team=True)  # a 重層的支援会議 needs it
    sitting(
        coordinator,
        office,
        day(fy, 6, 12),
        [(c1, SUPPORT, MONITORING), (c3, SUPPORT, NEW), (c2, PLAN, NEW)],
        kinds=(SUPPORT, PLAN),
    )
    sitting(coordinator, office, day(fy, 7, 1), [(c4, SUPPORT, NEW)])
    sitting(coordinator, office, day(fy, 8, 1), [(c4, SUPPORT, MONITORING)], hold=False)
    archived = sitting(coordinator, office, day(fy, 9, 1), [(c3, SUPPORT, MONITORING)])
    archive(Meeting, archived)
    sitting(coordinator, office, day(fy + 1, 4, 5), [(c2, SUPPORT, MONITORING)])
    # Plans: c2's first (counted), c3's first the year before and its 再プラン
    # (counted), c1's first the year after.
    plan2 = confirmed_plan(coordinator, c2, at(day(fy, 7, 15)), consent=False)
    plan3 = confirmed_plan(coordinator, c3, at(day(fy - 1, 3, 1)))
    replan(coordinator, plan3, at(day(fy, 10, 1)))
    confirmed_plan(coordinator, c1, at(day(fy + 1, 4, 10)))
    # Participation: one before a plan, one in c2's plan; one ended the year
    # before and one archived are not counted.
    cafe = resource(ward.municipality, "コーヒーを淹れる会")
    path(coordinator, office, member(c4), cafe, day(fy, 5, 1))
    path(coordinator, office, member(c2), cafe, day(fy, 8, 1), plan=plan2)
    ended = path(coordinator, office, member(c1), cafe, day(fy - 1, 4, 1))
    Participation.all_tenants.filter(pk=ended.pk).update(
        stage=PathStage.ENDED, stage_changed_on=day(fy - 1, 2, 1), ended_on=day(fy - 1, 2, 1)
    )
    archive(Participation, path(coordinator, office, member(c3), cafe, day(fy, 6, 1)))
    # Outreach: household A 5 in June and 1 in July (and one archived in
    # June); household B 2 in June and 5 in November (and 7 the year before).
    home_a = household(coordinator, office, NAMES[4])
    home_b = household(coordinator, office, NAMES[5])
    contacts(coordinator, office, home_a, [at(day(fy, 6, d)) for d in range(1, 6)])
    contacts(coordinator, office, home_a, [at(day(fy, 7, 3))])
    archive(OutreachContact, *contacts(coordinator, office, home_a, [at(day(fy, 6, 20))]))
    contacts(coordinator, office, home_b, [at(day(fy, 6, 10)), at(day(fy, 6, 11))])
    contacts(coordinator, office, home_b, [at(day(fy, 11, d)) for d in range(1, 6)])
    contacts(coordinator, office, home_b, [at(day(fy - 1, 3, d)) for d in range(1, 8)])
    # Another municipality's year: none of it is ours.
    stranger, their_office = other_ward.member(Role.COORDINATOR), other_ward.coordinating
    theirs = new_case(stranger, their_office, NAMES[6], day(fy, 4, 2))
    sitting(stranger, their_office, day(fy, 5, 10), [(theirs, SUPPORT, NEW)])
    confirmed_plan(stranger, theirs, at(day(fy, 6, 1)))
    their_home = household(stranger, their_office, NAMES[6])
    contacts(stranger, their_office, their_home, [at(day(fy, 6, d)) for d in range(1, 9)])
    return World(fiscal_year=fy, cases=[c1, c2, c3, c4])


@pytest.fixture
def world(ward: Ward, other_ward: Ward) -> World:
    return build_year(ward, other_ward)


def answers_for(ward: Ward, fiscal_year: int):  # type: ignore[no-untyped-def]
    with tenancy.tenant_context(ward.municipality):
        return survey_answers(fiscal_year, today=day(fiscal_year + 1, 6, 15))


def test_support_meetings_held_and_cases_considered(ward: Ward, world: World) -> None:
    answer = answers_for(ward, world.fiscal_year).support_meeting
    assert answer.held == 3  # May, June, July
    assert answer.cases == 4  # c1 twice, c2, c3, c4
    assert (answer.new_cases, answer.monitoring_cases) == (4, 1)
    assert answer.agenda_items == 5
    assert answer.months_held == 3
    assert (answer.frequency, answer.frequency_label) == (Frequency.OCCASIONAL, "随時（年3回）")


def test_plan_meetings_held_cases_considered_and_plans_made(ward: Ward, world: World) -> None:
    answers = answers_for(ward, world.fiscal_year)
    answer = answers.plan_meeting
    assert (answer.held, answer.cases, answer.new_cases, answer.monitoring_cases) == (1, 1, 1, 0)
    assert answer.frequency_label == "随時（年1回）"
    assert (answers.plans_made, answers.first_plans, answers.replans) == (2, 1, 1)


def test_participation_before_a_plan_and_plan_based(ward: Ward, world: World) -> None:
    answers = answers_for(ward, world.fiscal_year)
    assert (answers.participation_plan_based, answers.participation_before_plan) == (1, 1)


def test_the_most_outreach_contacts_to_one_household_in_a_month(ward: Ward, world: World) -> None:
    fy = world.fiscal_year
    outreach = answers_for(ward, fy).outreach
    assert outreach.counted is True
    assert (outreach.contacts, outreach.households, outreach.maximum) == (13, 2, 5)
    assert outreach.maximum_months == [format_wareki_month(fy, 6), format_wareki_month(fy, 11)]
    assert dict(outreach.distribution) == {
        "1回": 1,
        "2〜3回": 1,
        "4〜6回": 2,
        "7〜11回": 0,
        "12回以上": 0,
    }


def test_another_year_holds_other_answers(ward: Ward, world: World) -> None:
    before = answers_for(ward, world.fiscal_year - 1)
    assert (before.support_meeting.held, before.support_meeting.cases) == (1, 1)
    assert (before.plans_made, before.first_plans) == (1, 1)
    assert before.outreach.maximum == 7 and before.outreach.households == 1
    # Participation under way in the year before: the path that ended in February.
    assert before.participation_before_plan == 1


def test_another_municipality_counts_only_its_own(
    ward: Ward, other_ward: Ward, world: World
) -> None:
    theirs = answers_for(other_ward, world.fiscal_year)
    assert (theirs.support_meeting.held, theirs.support_meeting.cases) == (1, 1)
    assert theirs.plans_made == 1
    assert (theirs.outreach.contacts, theirs.outreach.maximum) == (8, 8)


def test_a_municipality_with_no_records_answers_zero_and_does_not_count_outreach(
    ward: Ward,
) -> None:
    answers = answers_for(ward, last_full_year())
    assert not answers.has_records
    assert answers.outreach.counted is False and answers.outreach.maximum_months == []
    assert answers.support_meeting.frequency == Frequency.NONE
    assert answers.support_meeting.frequency_label == "開催なし"


@pytest.mark.parametrize(
    ("months_held", "sittings", "expected"),
    [
        (12, 12, "毎月"),
        (11, 14, "毎月"),  # one month off in twelve
        (10, 10, "隔月程度"),
        (6, 6, "隔月程度"),
        (5, 9, "随時（年9回）"),
        (1, 1, "随時（年1回）"),
        (0, 0, "開催なし"),
    ],
)
def test_frequency_over_a_whole_year(months_held: int, sittings: int, expected: str) -> None:
    held = {
        (2024 if m >= 4 else 2025, m) for m in [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3][:months_held]
    }
    assert frequency(held, sittings, 12)[1] == expected


def test_frequency_in_the_current_year_is_judged_on_the_months_so_far() -> None:
    today = datetime.date(2025, 6, 15)
    # April and May have ended; June has not and counts once it has a sitting.
    assert period_months(2025, today) == [(2025, 4), (2025, 5)]
    assert period_months(2025, today, [(2025, 6)]) == [(2025, 4), (2025, 5), (2025, 6)]
    assert frequency({(2025, 4), (2025, 5)}, 2, 2)[0] == Frequency.MONTHLY
    assert frequency({(2025, 4)}, 1, 2)[0] == Frequency.BIMONTHLY
    # A past year is judged on its twelve months.
    assert len(period_months(2023, today)) == 12
