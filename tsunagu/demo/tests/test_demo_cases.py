"""The demo ward's 多機関協働 work: cases in every stage, the model household of
seed 003's flow, monthly 推進部会 sittings with a 支援会議 and a 重層的支援会議
part, guests whose accounts have expired, histories that read in time order,
and the access rules holding on all of it.

Loading takes a while, so the module loads the demo once (through the
``load_demo`` command) inside a transaction that is rolled back at the end;
each test runs in its own savepoint on top of it.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO
from itertools import pairwise

from django.core.management import call_command
from django.utils import timezone

from tsunagu import policy
from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import audit_verify
from tsunagu.cases.models import (
    ENDED_STAGES,
    TRANSITIONS,
    Case,
    CaseEvent,
    Consent,
    Stage,
)
from tsunagu.cases.services import consent_covers, household_members
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE, load_demo_cases
from tsunagu.demo.tests.conftest import Loaded, staff
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import ActionItem, AgendaItem, Attendee, Kind, Meeting, Status
from tsunagu.plans.models import Decision, Monitoring, PlanGoal, SupportPlan
from tsunagu.plans.models import Status as PlanStatus
from tsunagu.policy import Action, Basis


def model_case() -> Case:
    return Case.objects.get(title=MODEL_CASE_TITLE)


def test_load_demo_prints_the_model_case(loaded: Loaded, demo: Municipality) -> None:
    print(f"\nload_demo (ward, residents and cases): {loaded.seconds:.1f} s")
    assert "多機関協働のデモデータを作成しました" in loaded.output
    assert f"ケース {model_case().number}" in loaded.output
    assert "demo-guest" in loaded.output


def test_every_stage_has_cases_and_many_wait_for_consent(demo: Municipality) -> None:
    cases = list(Case.objects.all())
    by_stage = Counter(c.stage for c in cases)
    assert set(by_stage) == set(Stage.values), by_stage
    assert 26 <= len(cases) <= 41
    # Work before consent is the usual state of things (seed 002).
    assert by_stage[Stage.MEETING_REVIEW] >= 6
    waiting = [c for c in cases if c.stage == Stage.MEETING_REVIEW and c.days_in_stage() >= 60]
    assert len(waiting) >= 3
    assert len({c.household_id for c in cases}) == len(cases)
    # A follow-up whose deadline has passed, for the reminder.
    assert any(c.follow_up_due() for c in cases)
    assert any(c.stage == Stage.FOLLOW_UP and not c.follow_up_due() for c in cases)


def test_case_histories_follow_the_transitions_in_time_order(demo: Municipality) -> None:
    now = timezone.now()
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("occurred_at", "id"):
        events.setdefault(event.case_id, []).append(event)
    for case in Case.objects.all():
        history = events[case.pk]
        assert [e.id for e in history] == sorted(e.id for e in history), case.number
        stages = [e for e in history if e.kind == CaseEvent.Kind.STAGE]
        assert stages[0].to_stage == Stage.INTAKE and stages[0].from_stage == ""
        for before, after in pairwise(stages):
            assert after.from_stage == before.to_stage
            assert (before.to_stage, after.to_stage) in TRANSITIONS, case.number
        assert stages[-1].to_stage == case.stage
        assert stages[-1].occurred_at == case.stage_changed_at
        assert timezone.localdate(history[0].occurred_at) == case.opened_on
        assert all(e.occurred_at < now for e in history)
        # Spread over the past two fiscal years, not all written "today".
        assert (now - history[0].occurred_at).days <= 540
        if case.stage in ENDED_STAGES:
            assert case.closed_on and case.closure_reason and case.evaluation
            assert case.closed_on < timezone.localdate()
    opened = [c.opened_on for c in Case.objects.all()]
    assert (max(opened) - min(opened)).days >= 300


def test_the_model_household_of_seed_003(demo: Municipality) -> None:
    case = model_case()
    assert case.stage == Stage.SUPPORTING
    members = household_members(case)
    assert len(members) == 3
    relationships = {m.relationship for p in members for m in p.memberships.filter(ended_on=None)}
    assert relationships == {"head", "child", "parent"}
    # It began with the 民生委員's worry told to the CSW, who handed it on.
    first = case.household.consultations.order_by("received_at").first()
    assert first.consulter == "minsei_iin" and first.organization.name == "社会福祉協議会"
    assert case.referral and case.referral.from_organization.name == "社会福祉協議会"
    assert case.referral.status == "completed" and case.referral.report_back
    # A 支援会議 first: the organizations involved, the 民生委員 and a guest, all pledged.
    items = list(
        AgendaItem.objects.filter(case=case)
        .select_related("part__meeting")
        .order_by("part__meeting__held_on", "id")
    )
    opening = items[0]
    assert opening.part.kind == Kind.SUPPORT_MEETING and opening.review == AgendaItem.Review.NEW
    meeting = opening.part.meeting
    assert meeting.status == Status.HELD
    attendees = list(meeting.attendees.select_related("organization", "staff"))
    assert all(a.pledged_at for a in attendees)
    names = {a.organization.name for a in attendees}
    assert {"社会福祉協議会", "高齢者あんしん相談センター大塚", "生活福祉課"} <= names
    guests = [a for a in attendees if a.is_guest and a.staff is not None]
    assert guests and all(a.staff.is_expired for a in guests)
    assert any(a.is_guest and a.staff is None for a in attendees)  # the 民生委員
    owners = {a.owner_organization.name for a in ActionItem.objects.filter(agenda_item=opening)}
    assert {"社会福祉協議会", "高齢者あんしん相談センター大塚"} <= owners
    # Then the 推進部会 decides, and later the 重層的支援会議 makes the plan.
    kinds = [item.part.kind for item in items]
    assert kinds.index(Kind.PLAN_MEETING) > kinds.index(Kind.SUPPORT_MEETING)
    # Each member said yes in their own words; the consent the plan rests on covers all three.
    consents = list(Consent.objects.filter(case=case))
    assert {c.grantor_id for c in consents} == {p.pk for p in members}
    plans = list(SupportPlan.objects.filter(case=case).order_by("version_number"))
    assert [p.version_number for p in plans] == [1, 2]
    assert [p.status for p in plans] == [PlanStatus.SUPERSEDED, PlanStatus.ACTIVE]
    assert set(plans[1].consent.members.all()) == set(members)
    for plan in plans:
        goals = PlanGoal.objects.filter(member__plan=plan)
        assert {g.member.person_id for g in goals} == {p.pk for p in members}
        assert plan.agenda_item.part.kind == Kind.PLAN_MEETING
    assert plans[1].changes and plans[1].previous == plans[0]
    decisions = list(
        Monitoring.objects.filter(plan__case=case)
        .order_by("held_on")
        .values_list("decision", flat=True)
    )
    assert decisions == [Decision.CONTINUE, Decision.REPLAN]
    assert plans[1].next_monitoring_on > timezone.localdate()


def test_who_sees_the_model_case(loaded: Loaded, demo: Municipality) -> None:
    case = model_case()
    coordinator = staff("demo-jimukyoku")
    assert policy.decide(coordinator, Action.VIEW, "case", case).basis == Basis.COORDINATOR
    assert policy.visible(coordinator, "case", Action.LIST).filter(pk=case.pk).exists()
    csw = staff("demo-csw")
    assert policy.decide(csw, Action.VIEW, "support_plan", case.plans.first())
    # 子育て支援課 never sat in a meeting about the household, nor does any consent name it.
    unrelated = staff("demo-kosodate")
    kosodate = Organization.objects.get(name="子育て支援課")
    assert not Attendee.objects.filter(organization=kosodate).exists()
    assert not policy.decide(unrelated, Action.VIEW, "case", case)
    assert not policy.decide(unrelated, Action.VIEW, "household", case.household)
    assert not policy.visible(unrelated, "case", Action.LIST).filter(pk=case.pk).exists()
    outsider = loaded.other.member("coordinator")
    assert policy.visible(outsider, "case", Action.LIST).count() == 0


def test_support_meetings_with_guests_whose_accounts_have_expired(demo: Municipality) -> None:
    held = Meeting.objects.filter(status=Status.HELD, parts__kind=Kind.SUPPORT_MEETING)
    guests = Attendee.objects.filter(meeting__in=held, is_guest=True, staff__isnull=False)
    assert guests.count() >= 2
    assert {g.organization.kind for g in guests} == {Organization.Kind.EXTERNAL}
    for guest in guests.select_related("staff", "meeting"):
        assert guest.staff.is_expired and guest.pledged_at
        assert timezone.localdate(guest.staff.expires_at) == guest.meeting.held_on
        # Expired: the account sees nothing any more, not even its meeting.
        assert not policy.decide(guest.staff, Action.VIEW, "meeting", guest.meeting)
        assert not policy.visible(guest.staff, "meeting", Action.LIST).exists()
    # The demo guest is invited to the next 支援会議 and has not pledged yet.
    demo_guest = staff("demo-guest")
    assert demo_guest.is_guest and not demo_guest.is_expired
    invited = Attendee.objects.get(staff=demo_guest)
    assert invited.meeting.status == Status.SCHEDULED and invited.pledged_at is None
    assert invited.meeting.held_on > timezone.localdate()
    assert invited.meeting.held_on <= timezone.localdate(demo_guest.expires_at)
    assert policy.decide(demo_guest, Action.VIEW, "meeting", invited.meeting)
    assert policy.meeting_material_basis(demo_guest, invited.meeting) is None


def test_monthly_sittings_combine_the_two_meetings_under_the_rules(demo: Municipality) -> None:
    meetings = list(Meeting.objects.prefetch_related("parts", "attendees"))
    held = [m for m in meetings if m.status == Status.HELD]
    assert len(held) >= 12
    combined = [m for m in held if set(m.kinds()) == {Kind.SUPPORT_MEETING, Kind.PLAN_MEETING}]
    assert len(combined) >= 3
    assert any(m.kinds() == [Kind.SUPPORT_MEETING] for m in held)
    assert any(m.status == Status.SCHEDULED for m in meetings)
    assert any(a.is_observer for m in held for a in m.attendees.all())
    for meeting in held:
        attendees = list(meeting.attendees.all())
        if meeting.has_support_part:
            assert all(a.pledged_at for a in attendees), meeting.title
        if meeting.has_plan_part:
            # Every attending organization is covered by each case's consent.
            orgs = {a.organization_id for a in attendees} - {meeting.organization_id}
            for item in AgendaItem.objects.filter(
                part__meeting=meeting, part__kind=Kind.PLAN_MEETING
            ):
                assert consent_covers(item.case, orgs, "for_plan_meeting") == orgs
    items = AgendaItem.objects.filter(part__meeting__status=Status.HELD)
    assert items.filter(review=AgendaItem.Review.NEW).exists()
    assert items.filter(review=AgendaItem.Review.MONITORING).count() >= 20
    assert all(item.decided_at and item.policy for item in items)
    assert Meeting.objects.exclude(minutes="").filter(status=Status.HELD).count() == len(held)
    answers = Attendee.objects.filter(questionnaire__isnull=False)
    assert answers.count() >= 10


def test_action_items_some_done_some_open_some_overdue(demo: Municipality) -> None:
    actions = list(ActionItem.objects.all())
    done = [a for a in actions if a.done_at]
    overdue = [a for a in actions if a.is_overdue()]
    assert len(done) >= len(actions) // 2
    assert len(overdue) >= 2
    assert any(a.done_at is None and not a.is_overdue() for a in actions)
    for action in done:
        assert action.done_by_id and action.result
        assert action.done_at > action.agenda_item.decided_at


def test_a_withdrawn_consent_sends_the_case_back_to_the_support_meeting(demo: Municipality) -> None:
    withdrawn = Consent.objects.filter(withdrawn_at__isnull=False).select_related("case")
    assert withdrawn.exists()
    for consent in withdrawn:
        case = consent.case
        assert case.stage == Stage.MEETING_REVIEW
        note = case.events.filter(to_stage=Stage.MEETING_REVIEW).last()
        assert note.from_stage == Stage.CONSENTED and note.occurred_at >= consent.withdrawn_at
        assert consent.withdrawn_at.date() < timezone.localdate()


def test_plans_are_made_under_consent_and_reviewed(demo: Municipality) -> None:
    plans = list(SupportPlan.objects.select_related("case", "consent"))
    assert len(plans) >= 10
    for plan in plans:
        assert plan.consent.case_id == plan.case_id
        members = set(plan.members.values_list("person_id", flat=True))
        assert members <= set(plan.consent.members.values_list("pk", flat=True))
        assert PlanGoal.objects.filter(member__plan=plan).exists()
        if plan.status != PlanStatus.DRAFT:
            assert plan.activated_at and plan.activated_at.date() < timezone.localdate()
    assert {p.status for p in plans} >= {
        PlanStatus.DRAFT,
        PlanStatus.ACTIVE,
        PlanStatus.SUPERSEDED,
        PlanStatus.ENDED,
    }
    assert set(Monitoring.objects.values_list("decision", flat=True)) == set(Decision.values)


def test_loading_again_creates_nothing_and_the_audit_trail_holds(
    loaded: Loaded, demo: Municipality
) -> None:
    counts = (Case.objects.count(), Meeting.objects.count(), AuditEvent.objects.count())
    assert load_demo_cases(loaded.demo) is None
    output = StringIO()
    call_command("load_demo", stdout=output)
    assert "作成しました" not in output.getvalue()
    assert counts == (Case.objects.count(), Meeting.objects.count(), AuditEvent.objects.count())
    assert audit_verify(municipality_id=loaded.demo.pk) == []
    created = AuditEvent.objects.filter(municipality=loaded.demo, object_type="cases.case")
    assert created.filter(action="create").count() == Case.objects.count()
    for model in (Case, Meeting, SupportPlan):
        assert model.all_tenants.exclude(municipality=loaded.demo).count() == 0
