"""保存期間: records past the municipality's retention period after closure are
anonymised (tsunagu/core/retention.py), after a dry run that changes nothing.

Each household here is closed on a day counted from today (the default
period is 5 years): one day before the kept range is anonymised, its first
day is not. What a reader of the records or an auditor relies on is checked:
names and texts gone, name search finds nobody, dates and categories kept so
that the business report gives the same figures, audit events written and the
chain intact, other tenants and open or recent work untouched, a second run a
no-op.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus

from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord
from tsunagu.assessments.models import Assessment
from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import audit_seal_all, audit_verify
from tsunagu.cases.models import Case, CaseEvent, ClosureReason, Stage
from tsunagu.consultations.models import Consultation, ConsultationGram
from tsunagu.core import retention, tenancy
from tsunagu.core.models import AnonymisedRecord, Municipality
from tsunagu.core.tasks import anonymise_expired_records
from tsunagu.core.wareki import fiscal_year_of
from tsunagu.meetings.models import AgendaItem, Meeting
from tsunagu.outreach.models import Intent, Method, OutreachContact, Result
from tsunagu.outreach.models import Stage as OutreachStage
from tsunagu.participation.models import Participation
from tsunagu.participation.models import Stage as ParticipationStage
from tsunagu.people.models import Household, HouseholdMembership, Person, PersonNameGram
from tsunagu.people.selectors import person_search
from tsunagu.people.services import household_member_end, persons_rekey
from tsunagu.plans.models import PlanGoal, SupportPlan
from tsunagu.referrals.models import Referral, ReferralEvent
from tsunagu.referrals.models import Status as ReferralStatus
from tsunagu.reports import rollups
from tsunagu.reports.business import business_report
from tsunagu.reports.layout import RowSpec, TableSpec, report_layout_install
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.resource_factories import resource

pytestmark = pytest.mark.django_db

MARKER = retention.MARKER


def _today() -> datetime.date:
    return timezone.localdate()


def _kept_from(years: int = 5) -> datetime.date:
    """The first closure day still kept today."""
    return retention.cutoff(_today(), years)


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _days(day: datetime.date, n: int) -> datetime.date:
    return day - datetime.timedelta(days=n)


@dataclass
class Family:
    """A household with a whole file, every record of it dated up to ``closed_on``."""

    household: Household
    head: Person
    spouse: Person
    consultation: Consultation
    referral: Referral
    case: Case
    plan: SupportPlan
    outreach: OutreachContact
    participation: Participation
    activity: ActivityRecord
    meeting: Meeting
    assessment: Assessment


def family(ward: Ward, closed_on: datetime.date, family_name: str = "山田") -> Family:
    """A household supported by a window, a referral and a 多機関協働 case with
    a consent, a confirmed plan using outreach, an outreach contact, a
    participation path, a 支援会議 and an activity record; the case closed on
    ``closed_on``, and nothing of the household happened after that day."""
    counselor = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    kana = {"山田": "やまだ", "川口": "かわぐち", "森": "もり", "石井": "いしい"}[family_name]
    head = rf.person(
        counselor, ward.center, family_name=family_name, given_name="太郎",
        family_name_kana=kana, given_name_kana="たろう", birth_date=datetime.date(1950, 6, 7),
        phone="03-0000-0001", address="テスト区北町1-2-3",
    )  # fmt: skip
    spouse = rf.person(
        counselor, ward.center, family_name=family_name, given_name="花子",
        family_name_kana=kana, given_name_kana="はなこ", birth_date=datetime.date(1952, 1, 2),
    )  # fmt: skip
    household = rf.household(
        counselor, ward.center, head=head, members=[(spouse, "spouse")],
        address="テスト区北町1-2-3", phone="03-0000-0001", note="長男がひきこもり。",
    )  # fmt: skip
    consultation = rf.consultation(
        counselor, ward.center, household=household, subjects=[head],
        consulter_note="長女", summary=f"{family_name}太郎さんの物忘れについて長女から相談。",
    )  # fmt: skip
    receiver = rf.staff_at(
        ward, ward.other_center, Role.COUNSELOR, f"receiver-{family_name}-{household.pk}"
    )
    referral = rf.referral(
        counselor, ward.center, ward.other_center, household=household,
        consultation=consultation, persons=[head],
    )  # fmt: skip
    rf.accepted(referral, receiver)
    referral = rf.transition(receiver, ward.other_center, referral, ReferralStatus.COMPLETED)
    case = cf.case(coordinator, ward.coordinating, household, title=f"{family_name}家・8050")
    cf.consent(coordinator, case, organizations=[ward.center])
    cf.to_stage(coordinator, case, Stage.ASSESSMENT)
    plan = cf.active_plan(coordinator, case)
    meeting = cf.meeting(coordinator, ward.coordinating)
    cf.attend(coordinator, meeting, coordinator, ward.coordinating)
    cf.on_agenda(coordinator, meeting, case)
    cf.hold(coordinator, meeting)
    place = resource(ward.municipality, f"{family_name}さんの居場所")
    with tenancy.tenant_context(ward.municipality):
        SupportPlan.objects.filter(pk=plan.pk).update(uses_outreach=True)
        AgendaItem.objects.filter(case=case).update(brief_household="長男がひきこもり")
        Meeting.objects.filter(pk=meeting.pk).update(minutes=f"{family_name}家について検討")
        outreach = OutreachContact.objects.create(
            household=household, person=head, case=case, organization=ward.center,
            occurred_at=_at(_days(closed_on, 200)), method=Method.VISIT, result=Result.MET,
            intent=Intent.RELATIONSHIP, stage_after=OutreachStage.CONVERSATION,
            content=f"{family_name}太郎さん宅を訪問。", next_step="次回も訪問",
        )  # fmt: skip
        participation = Participation.objects.create(
            person=head, household=household, resource=place, organization=ward.center,
            case=case, plan=plan, stage=ParticipationStage.ENDED,
            stage_changed_on=_days(closed_on, 100), proposed_on=_days(closed_on, 300),
            started_on=_days(closed_on, 290), ended_on=_days(closed_on, 100),
            reason="コーヒーが好き", end_reason="転居",
        )  # fmt: skip
        activity = ActivityRecord.objects.create(
            organization=ward.center, staff=counselor, occurred_on=_days(closed_on, 50),
            district=ward.districts[0], category="individual", kind="individual_support",
            mode="direct", intent="見守りの関係づくり", note=f"{family_name}さんと面談",
            household=household,
        )  # fmt: skip
        assessment = Assessment.objects.create(
            household=household, person=head, case=case, organization=ward.coordinating,
            assessed_on=_days(closed_on, 360), ticked=["family.caregiving"],
            notes={"family": f"{family_name}花子さんを介護"}, person_issues="介護の負担",
            wishes="家で暮らしたい",
        )  # fmt: skip
    cf.to_stage(
        coordinator, case, Stage.CLOSED,
        closure_reason=ClosureReason.STABLE, evaluation=f"{family_name}太郎さんは安定した。",
    )  # fmt: skip
    _date_household(ward, household, closed_on, plan=plan, meeting=meeting)
    return Family(
        household, head, spouse, consultation, referral, case, plan, outreach, participation,
        activity, meeting, assessment,
    )  # fmt: skip


def _date_household(
    ward: Ward,
    household: Household,
    closed_on: datetime.date,
    plan: SupportPlan | None = None,
    meeting: Meeting | None = None,
) -> None:
    """Move the household's records back in time: the case closed on ``closed_on``, the rest before."""
    with tenancy.tenant_context(ward.municipality):
        HouseholdMembership.objects.filter(household=household).update(
            started_on=_days(closed_on, 400)
        )
        Consultation.objects.filter(household=household).update(
            received_at=_at(_days(closed_on, 400))
        )
        long_ago = _at(_days(closed_on, 380))
        Referral.objects.filter(household=household).update(
            created_at=long_ago, sent_at=long_ago, first_answered_at=long_ago,
            closed_at=long_ago, report_back_at=long_ago,
        )  # fmt: skip
        Case.objects.filter(household=household).update(
            opened_on=_days(closed_on, 390), closed_on=closed_on, stage_changed_at=_at(closed_on)
        )
        if plan is not None:
            SupportPlan.objects.filter(pk=plan.pk).update(
                activated_at=_at(_days(closed_on, 340)), made_on=_days(closed_on, 340)
            )
        if meeting is not None:
            Meeting.objects.filter(pk=meeting.pk).update(held_on=_days(closed_on, 350))


def lone_consultation(ward: Ward, received_on: datetime.date) -> Consultation:
    """A consultation about someone not yet identified (no household)."""
    made = rf.consultation(
        ward.member(Role.COUNSELOR), ward.center, unknown_subject="北町の2階の高齢の方",
        summary="近所の方から、2階の高齢の方を最近見かけないとの相談。",
    )  # fmt: skip
    with tenancy.tenant_context(ward.municipality):
        Consultation.objects.filter(pk=made.pk).update(received_at=_at(received_on))
    return made


def _fresh(model: Any, pk: int, municipality: Municipality) -> Any:
    with tenancy.tenant_context(municipality):
        return model.objects.get(pk=pk)


def _found(ward: Ward, query: str) -> list[int]:
    return [p.pk for p in person_search(ward.member(Role.COUNSELOR), query)]


def _plan(ward: Ward) -> retention.Plan:
    return retention.plan(_fresh(Municipality, ward.municipality.pk, ward.municipality))


# --- The dry run ----------------------------------------------------------------


def test_the_dry_run_reports_the_expired_records_and_changes_nothing(ward: Ward) -> None:
    old = family(ward, _days(_kept_from(), 1))
    loose = lone_consultation(ward, _days(_kept_from(), 30))
    events = AuditEvent.objects.count()

    report = _plan(ward)

    ids = report.ids()
    assert ids[retention.HOUSEHOLD] == [old.household.pk]
    assert ids[retention.PERSON] == sorted([old.head.pk, old.spouse.pk])
    assert ids[retention.CASE] == [old.case.pk]
    assert ids[retention.CONSULTATION] == sorted([old.consultation.pk, loose.pk])
    assert ids[retention.REFERRAL] == [old.referral.pk]
    assert ids[retention.OUTREACH] == [old.outreach.pk]
    assert ids[retention.PARTICIPATION] == [old.participation.pk]
    assert ids[retention.ACTIVITY] == [old.activity.pk]
    assert ids[retention.ASSESSMENT] == [old.assessment.pk]
    assert report.counts()[retention.CONSULTATION] == 2
    assert report.oldest_closed_on == _days(_kept_from(), 30)
    assert AuditEvent.objects.count() == events
    assert not AnonymisedRecord.all_tenants.exists()
    head = _fresh(Person, old.head.pk, ward.municipality)
    assert (head.family_name, head.birth_date) == ("山田", datetime.date(1950, 6, 7))
    assert _found(ward, "山田 太郎") == [old.head.pk]
    text = "\n".join(report.lines())
    assert "試行" in text
    assert "世帯: 1件" in text
    assert "相談受付: 2件" in text


# --- Applying -------------------------------------------------------------------


def test_apply_anonymises_the_whole_file_of_an_expired_household(ward: Ward) -> None:
    old = family(ward, _days(_kept_from(), 1))
    m = ward.municipality

    result = retention.apply(_plan(ward))

    assert result.counts[retention.HOUSEHOLD] == 1
    assert result.counts[retention.PERSON] == 2
    head = _fresh(Person, old.head.pk, m)
    assert head.family_name == MARKER
    assert (head.given_name, head.family_name_kana, head.given_name_kana) == ("", "", "")
    assert (head.birth_date, head.address, head.phone) == (None, MARKER, MARKER)
    assert (head.name_key, head.kana_key) == ("", "")
    assert head.sex == old.head.sex  # a category: kept
    household = _fresh(Household, old.household.pk, m)
    assert (household.label, household.address, household.note) == (MARKER, MARKER, MARKER)
    consultation = _fresh(Consultation, old.consultation.pk, m)
    assert (consultation.summary, consultation.consulter_note) == (MARKER, MARKER)
    assert consultation.search_text == ""
    assert consultation.main_topic == old.consultation.main_topic
    assert consultation.received_at == _at(_days(_days(_kept_from(), 1), 400))
    case = _fresh(Case, old.case.pk, m)
    assert (case.title, case.evaluation, case.stage) == (MARKER, MARKER, Stage.CLOSED)
    assert case.closure_reason == ClosureReason.STABLE
    with tenancy.tenant_context(m):
        assert set(CaseEvent.objects.filter(case=case).exclude(note="").values_list("note", flat=True)) == {MARKER}  # fmt: skip
        assert set(PlanGoal.objects.filter(member__plan__case=case).values_list("text", flat=True)) == {MARKER}  # fmt: skip
        assert AgendaItem.objects.get(case=case).brief_household == MARKER
        assert Meeting.objects.get(pk=old.meeting.pk).minutes == MARKER
        assert set(ReferralEvent.objects.filter(referral=old.referral).exclude(note="").values_list("note", flat=True)) == {MARKER}  # fmt: skip
        referral = Referral.objects.get(pk=old.referral.pk)
        assert (referral.shared_summary, referral.report_back) == (MARKER, MARKER)
        assert referral.status == ReferralStatus.COMPLETED
        assert OutreachContact.objects.get(pk=old.outreach.pk).content == MARKER
        assert Participation.objects.get(pk=old.participation.pk).reason == MARKER
        activity = ActivityRecord.objects.get(pk=old.activity.pk)
        assert (activity.note, activity.kind) == (MARKER, "individual_support")
        assessment = Assessment.objects.get(pk=old.assessment.pk)
        assert (assessment.person_issues, assessment.wishes, assessment.notes) == (
            MARKER,
            MARKER,
            {},
        )
        assert assessment.ticked == ["family.caregiving"]  # a category: kept
        assert not PersonNameGram.objects.filter(person__in=[old.head, old.spouse]).exists()
        assert not ConsultationGram.objects.filter(consultation=consultation).exists()
        marked = set(AnonymisedRecord.objects.values_list("record_type", "record_id"))
    assert (retention.HOUSEHOLD, old.household.pk) in marked
    assert (retention.PERSON, old.spouse.pk) in marked
    # household, two persons, case, consultation, referral, outreach, participation,
    # activity, assessment
    assert len(marked) == 10


def test_the_period_ends_on_the_day_its_years_are_complete(ward: Ward) -> None:
    expired = family(ward, _days(_kept_from(), 1), family_name="山田")
    kept = family(ward, _kept_from(), family_name="川口")

    retention.apply(_plan(ward))

    assert _fresh(Household, expired.household.pk, ward.municipality).label == MARKER
    assert _fresh(Household, kept.household.pk, ward.municipality).label == "川口　太郎"
    assert _fresh(Case, kept.case.pk, ward.municipality).title == "川口家・8050"
    assert _found(ward, "川口") == [kept.head.pk, kept.spouse.pk]


def test_the_name_search_no_longer_finds_the_person(ward: Ward) -> None:
    old = family(ward, _days(_kept_from(), 1))
    assert _found(ward, "山田") == [old.head.pk, old.spouse.pk]

    retention.apply(_plan(ward))

    assert _found(ward, "山田") == []
    assert _found(ward, "やまだ たろう") == []
    assert _found(ward, "1950-06-07") == []
    assert _found(ward, "匿名化済み") == []
    # Adding a name variant recomputes every person's keys: not the anonymised ones'.
    with tenancy.tenant_context(ward.municipality):
        persons_rekey()
    assert _found(ward, "匿名化済み") == []


def test_open_cases_recent_work_and_their_old_records_stay(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    # An open case, opened long ago, with an old consultation.
    open_family = rf.household(counselor, ward.center, head=rf.person(counselor, ward.center, family_name="森", family_name_kana="もり"))  # fmt: skip
    old_consultation = rf.consultation(counselor, ward.center, household=open_family)
    open_case = cf.case(coordinator, ward.coordinating, open_family)
    _date_household(ward, open_family, _days(_kept_from(), 2000))
    # A household last consulted a month ago.
    recent = rf.household(counselor, ward.center, head=rf.person(counselor, ward.center, family_name="石井", family_name_kana="いしい"))  # fmt: skip
    rf.consultation(counselor, ward.center, household=recent, received_at=_at(_days(_today(), 30)))
    with tenancy.tenant_context(ward.municipality):
        HouseholdMembership.objects.filter(household=recent).update(
            started_on=_days(_kept_from(), 3000)
        )
    # A case in 経過観察 whose watch period ends next month, closed long ago.
    watched = family(ward, _days(_kept_from(), 500), family_name="川口")
    cf.to_stage(coordinator, watched.case, Stage.FOLLOW_UP, follow_up_until=_days(_today(), -30))

    report = _plan(ward)

    assert report.is_empty
    retention.apply(report)
    assert _fresh(Consultation, old_consultation.pk, ward.municipality).summary != MARKER
    assert _fresh(Case, open_case.pk, ward.municipality).title != MARKER
    assert _fresh(Case, watched.case.pk, ward.municipality).title == "川口家・8050"
    assert not AnonymisedRecord.all_tenants.exists()


def test_an_old_closed_case_of_a_household_still_supported_is_anonymised_alone(
    ward: Ward,
) -> None:
    old = family(ward, _days(_kept_from(), 10))
    counselor = ward.member(Role.COUNSELOR)
    today_consultation = rf.consultation(
        counselor, ward.center, household=old.household, received_at=_at(_days(_today(), 3))
    )

    report = _plan(ward)
    retention.apply(report)

    ids = report.ids()
    assert ids[retention.HOUSEHOLD] == [] and ids[retention.PERSON] == []
    assert ids[retention.CASE] == [old.case.pk]
    # The case file goes; the household, its persons and its consultations stay.
    assert _fresh(Case, old.case.pk, ward.municipality).title == MARKER
    assert _fresh(OutreachContact, old.outreach.pk, ward.municipality).content == MARKER
    assert _fresh(Household, old.household.pk, ward.municipality).label == "山田　太郎"
    assert _fresh(Consultation, today_consultation.pk, ward.municipality).summary != MARKER
    assert _found(ward, "山田 太郎") == [old.head.pk]
    # The old consultation led to the case, which has gone: it follows (no open case).
    assert _fresh(Consultation, old.consultation.pk, ward.municipality).summary == MARKER


def test_a_member_who_moved_to_a_household_still_supported_keeps_the_name(ward: Ward) -> None:
    old = family(ward, _days(_kept_from(), 1))
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        membership = HouseholdMembership.objects.get(household=old.household, person=old.spouse)
        household_member_end(
            actor=counselor, membership=membership, ended_on=_days(_kept_from(), 1), reason="転居"
        )
    rf.household(counselor, ward.center, head=old.spouse)

    retention.apply(_plan(ward))

    assert _fresh(Person, old.head.pk, ward.municipality).family_name == MARKER
    assert _fresh(Person, old.spouse.pk, ward.municipality).given_name == "花子"
    assert _found(ward, "山田 花子") == [old.spouse.pk]


def test_a_lone_consultation_expires_on_its_own(ward: Ward) -> None:
    expired = lone_consultation(ward, _days(_kept_from(), 1))
    kept = lone_consultation(ward, _kept_from())

    retention.apply(_plan(ward))

    gone = _fresh(Consultation, expired.pk, ward.municipality)
    assert (gone.summary, gone.unknown_subject) == (MARKER, MARKER)
    assert _fresh(Consultation, kept.pk, ward.municipality).summary != MARKER


def test_another_municipality_is_untouched(ward: Ward, other_ward: Ward) -> None:
    family(ward, _days(_kept_from(), 1))
    theirs = family(other_ward, _days(_kept_from(), 1))

    report = _plan(ward)
    retention.apply(report)

    assert theirs.household.pk not in report.ids()[retention.HOUSEHOLD]
    assert _fresh(Person, theirs.head.pk, other_ward.municipality).family_name == "山田"
    assert _fresh(Case, theirs.case.pk, other_ward.municipality).title == "山田家・8050"
    assert not AnonymisedRecord.all_tenants.filter(municipality=other_ward.municipality).exists()
    assert not AuditEvent.objects.filter(
        municipality=other_ward.municipality, detail__retention__isnull=False
    ).exists()
    assert _plan(other_ward).ids()[retention.HOUSEHOLD] == [theirs.household.pk]


def test_each_household_and_the_run_are_audited_and_the_chain_holds(ward: Ward) -> None:
    one = family(ward, _days(_kept_from(), 1), family_name="山田")
    two = family(ward, _days(_kept_from(), 700), family_name="川口")

    retention.apply(_plan(ward))

    audit_seal_all()  # as the commit of the run would (the test's transaction never commits)
    events = list(AuditEvent.objects.filter(detail__retention="anonymised").order_by("pk"))
    assert [(e.object_type, e.object_id) for e in events] == [
        ("people.household", str(one.household.pk)),
        ("people.household", str(two.household.pk)),
    ]
    assert events[0].actor is None and events[0].actor_label == retention.ACTOR_LABEL
    assert events[0].municipality_id == ward.municipality.pk
    assert events[0].detail["ids"]["people.person"] == sorted([one.head.pk, one.spouse.pk])
    assert events[0].detail["closed_on"] == _days(_kept_from(), 1).isoformat()
    summary = AuditEvent.objects.get(detail__retention="summary")
    assert summary.object_type == "core.municipality"
    assert summary.detail["counts"]["people.household"] == 2
    assert summary.detail["oldest_closed_on"] == _days(_kept_from(), 700).isoformat()
    assert audit_verify() == []
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "正常" in out.getvalue()


def test_the_business_report_counts_the_same_before_and_after(ward: Ward) -> None:
    closed_on = _days(_kept_from(), 1)
    old = family(ward, closed_on)
    lone_consultation(ward, _days(closed_on, 10))
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(
            actor=ward.member(Role.COORDINATOR),
            layout=(
                TableSpec(1, "相談", rows=(
                    RowSpec("北", Metric.CONSULTATIONS, "地域包括支援センター北"),
                    RowSpec("全体", Metric.CONSULTATIONS),
                )),
                TableSpec(2, "会議", rows=(RowSpec("支援会議", Metric.MEETINGS_HELD, option="support_meeting"),)),
                TableSpec(3, "アウトリーチ", rows=(RowSpec("プランのアウトリーチ", Metric.PLAN_OUTREACH),)),
                TableSpec(4, "参加支援", rows=(RowSpec("プランの参加支援", Metric.PLAN_PARTICIPATIONS),)),
                TableSpec(5, "活動", rows=(RowSpec("個別支援", Metric.ACTIVITIES, option="individual"),)),
            ),
        )  # fmt: skip
    first = fiscal_year_of(_days(closed_on, 400))
    periods = tuple(Period.fiscal_year(year) for year in range(first, fiscal_year_of(_today()) + 1))

    def figures() -> list[tuple[str, list[int | None]]]:
        with tenancy.tenant_context(ward.municipality):
            return [(r.row.label, r.values) for r in business_report(periods).rows()]

    # The records were moved back in time by direct writes, past the services
    # that keep the monthly counts: count them again, as a bulk load does.
    rollups.rebuild(ward.municipality.pk)
    before = figures()
    retention.apply(_plan(ward))
    after = figures()

    assert after == before
    counted = {label: sum(v or 0 for v in values) for label, values in before}
    assert counted["全体"] == 2 and counted["支援会議"] == 1
    assert counted["プランのアウトリーチ"] == 1 and counted["個別支援"] == 1
    assert counted["プランの参加支援"] >= 1  # counted in each year the path was under way
    assert _fresh(Consultation, old.consultation.pk, ward.municipality).summary == MARKER


def test_running_again_is_a_no_op(ward: Ward) -> None:
    family(ward, _days(_kept_from(), 1))
    lone_consultation(ward, _days(_kept_from(), 1))
    retention.apply(_plan(ward))
    events = AuditEvent.objects.count()
    marked = AnonymisedRecord.all_tenants.count()

    again = _plan(ward)
    result = retention.apply(again)

    assert again.is_empty
    assert again.counts() == dict.fromkeys(retention.KINDS, 0)
    assert result.units_applied == 0
    assert AuditEvent.objects.count() == events
    assert AnonymisedRecord.all_tenants.count() == marked


def test_what_came_back_to_life_after_the_dry_run_is_checked_again(ward: Ward) -> None:
    old = family(ward, _days(_kept_from(), 1))
    loose = lone_consultation(ward, _days(_kept_from(), 1))
    report = _plan(ward)
    assert report.ids()[retention.HOUSEHOLD] == [old.household.pk]
    # The household comes back (a new case) and the lone consultation is referred on.
    cf.case(ward.member(Role.COORDINATOR), ward.coordinating, old.household, title="再相談")
    rf.referral(ward.member(Role.COUNSELOR), ward.center, ward.other_center, consultation=loose)

    result = retention.apply(report)

    assert result.units_skipped == 1  # the lone consultation
    assert result.counts[retention.HOUSEHOLD] == result.counts[retention.PERSON] == 0
    assert _fresh(Person, old.head.pk, ward.municipality).family_name == "山田"
    assert _fresh(Household, old.household.pk, ward.municipality).label == "山田　太郎"
    assert _fresh(Consultation, old.consultation.pk, ward.municipality).summary != MARKER
    assert _fresh(Consultation, loose.pk, ward.municipality).summary != MARKER
    # The closed case's own period has run: its file goes all the same.
    assert _fresh(Case, old.case.pk, ward.municipality).title == MARKER


def test_a_longer_period_keeps_what_a_shorter_one_would_anonymise(ward: Ward) -> None:
    family(ward, _days(_kept_from(5), 1))
    Municipality.objects.filter(pk=ward.municipality.pk).update(retention_years=10)

    report = _plan(ward)

    assert report.is_empty
    assert report.retention_years == 10


# --- The task and the command -----------------------------------------------------


def test_the_task_runs_the_dry_run_or_applies(ward: Ward) -> None:
    old = family(ward, _days(_kept_from(), 1))

    dry = anonymise_expired_records.enqueue(municipality_code=ward.municipality.code, dry_run=True)
    assert dry.status == TaskResultStatus.SUCCESSFUL
    assert dry.return_value["counts"]["people.household"] == 1
    assert _fresh(Person, old.head.pk, ward.municipality).family_name == "山田"

    done = anonymise_expired_records.enqueue(
        municipality_code=ward.municipality.code, dry_run=False
    )
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value["counts"]["people.person"] == 2
    assert _fresh(Person, old.head.pk, ward.municipality).family_name == MARKER


def test_the_command_prints_the_dry_run_in_japanese_and_applies_only_when_told(
    ward: Ward, other_ward: Ward
) -> None:
    old = family(ward, _days(_kept_from(), 1))
    theirs = family(other_ward, _days(_kept_from(), 1))

    out = StringIO()
    call_command("anonymise_expired", municipality=ward.municipality.code, stdout=out)
    text = out.getvalue()
    assert "テスト区（131059）" in text and "よそ区" not in text
    assert f"世帯: 1件（ID: {old.household.pk}）" in text
    assert "本人: 2件" in text
    assert "何も変更していません" in text
    assert _fresh(Person, old.head.pk, ward.municipality).family_name == "山田"

    out = StringIO()
    call_command("anonymise_expired", municipality=ward.municipality.code, apply=True, stdout=out)
    assert "匿名化しました" in out.getvalue()
    assert _fresh(Person, old.head.pk, ward.municipality).family_name == MARKER
    assert _fresh(Person, theirs.head.pk, other_ward.municipality).family_name == "山田"

    with pytest.raises(CommandError, match="登録されていません"):
        call_command("anonymise_expired", municipality="999999")


# --- The setting ------------------------------------------------------------------


def _security_form(ward: Ward, **changes: Any) -> dict[str, Any]:
    return {"roles": [], "session_minutes": 30, **changes}


def test_the_system_administrator_sets_the_period_audited(ward: Ward) -> None:
    admin = ward.member(Role.SYSADMIN)
    client = Client()
    client.force_login(admin)
    page = client.get("/account/security/")
    assert "記録の保存期間（終結後の年数）" in page.content.decode()

    response = client.post("/account/security/", _security_form(ward, retention_years=7))

    assert response.status_code == 302
    assert Municipality.objects.get(pk=ward.municipality.pk).retention_years == 7
    event = AuditEvent.objects.get(actor=admin, detail__retention_years=7)
    assert event.detail == {"retention_years": 7, "before": 5}
    assert event.object_type == "core.municipality"


@pytest.mark.parametrize("years", [0, 31, "五"])
def test_a_period_outside_one_to_thirty_years_is_refused_in_japanese(
    ward: Ward, years: Any
) -> None:
    client = Client()
    client.force_login(ward.member(Role.SYSADMIN))

    response = client.post("/account/security/", _security_form(ward, retention_years=years))

    assert response.status_code == 200
    assert "保存期間は1〜30年の範囲" in response.content.decode()
    assert Municipality.objects.get(pk=ward.municipality.pk).retention_years == 5


# --- The dry-run page ---------------------------------------------------------------


def test_the_system_administrator_sees_the_dry_run_without_names(ward: Ward) -> None:
    old = family(ward, _days(_kept_from(), 1))
    admin = ward.member(Role.SYSADMIN)
    client = Client()
    client.force_login(admin)

    response = client.get("/account/security/retention/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "保存期間を過ぎた記録（試行）" in body
    assert f"<td>世帯</td><td>1</td><td>{old.household.pk}</td>" in body
    assert "山田" not in body and "8050" not in body
    assert _fresh(Person, old.head.pk, ward.municipality).family_name == "山田"
    event = AuditEvent.objects.filter(actor=admin, detail__retention="dry_run").get()
    assert event.detail["counts"]["people.household"] == 1
    assert client.post("/account/security/retention/").status_code == 405


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.COORDINATOR, Role.AUDITOR])
def test_other_roles_may_not_open_the_dry_run(ward: Ward, role: Role) -> None:
    client = Client()
    client.force_login(ward.member(role))

    assert client.get("/account/security/retention/").status_code == 403
