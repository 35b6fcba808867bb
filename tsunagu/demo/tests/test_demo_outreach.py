"""The demo ward's resource directory, outreach histories and participation
paths: what a CSW opening the demo should find (a directory covering the four
districts, a year and a half of unanswered joint visits, relationships that
grow, a month of daily work, overdue plans on the list, paths at every stage
and a showcase for matching), and that loading twice changes nothing."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO
from itertools import pairwise

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.core.models import Municipality
from tsunagu.demo.outreach import (
    load_demo_outreach,
    load_demo_participation,
    showcase_profile,
)
from tsunagu.demo.resources import COFFEE, load_demo_resources
from tsunagu.demo.tests.conftest import Loaded, staff
from tsunagu.directory.models import District
from tsunagu.outreach.models import (
    STAGE_ORDER,
    OutreachContact,
    OutreachVisitor,
    Result,
)
from tsunagu.outreach.models import Stage as Relationship
from tsunagu.outreach.selectors import contacts_per_household_month, worklist
from tsunagu.participation.matching import suggest
from tsunagu.participation.models import (
    OPEN,
    TRANSITIONS,
    EventKind,
    Participation,
    ParticipationEvent,
    ParticipationProfile,
    Stage,
)
from tsunagu.participation.selectors import participation_counts
from tsunagu.plans.models import Status as PlanStatus
from tsunagu.resources.models import (
    Ease,
    Frequency,
    Need,
    Provider,
    Resource,
    ResourceLocation,
    Schedule,
    Status,
)

SHAKYO, KIKAN = "社会福祉協議会", "障害者基幹相談支援センター"


def _month(moment: datetime.datetime) -> tuple[int, int]:
    local = timezone.localtime(moment)
    return local.year, local.month


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Provider,
            Resource,
            ResourceLocation,
            Schedule,
            OutreachContact,
            OutreachVisitor,
            ParticipationProfile,
            Participation,
            ParticipationEvent,
        )
    }


def test_load_demo_reports_the_new_parts(loaded: Loaded, demo: Municipality) -> None:
    print(f"\nload_demo (all parts): {loaded.seconds:.1f} s")
    for line in ("社会資源のデモデータを作成しました", "アウトリーチ記録のデモデータを作成しました",
                 "参加支援のデモデータを作成しました", f"「{COFFEE}」"):  # fmt: skip
        assert line in loaded.output
    for line in loaded.output.splitlines():
        if "社会資源の" in line or "アウトリーチ記録の" in line or "参加支援の" in line:
            print(line)


def test_the_directory_covers_the_four_districts_with_schedules(demo: Municipality) -> None:
    resources = list(Resource.objects.prefetch_related("schedules", "resource_locations__location"))
    assert len(resources) >= 90
    by_district = Counter(
        link.location.district.name
        for resource in resources
        for link in resource.resource_locations.all()
        if link.location.district is not None
    )
    assert set(by_district) == {d.name for d in District.objects.all()}
    assert all(count >= 15 for count in by_district.values()), by_district
    for resource in resources:
        schedules = list(resource.schedules.all())
        assert schedules, resource.name
        assert all(s.freq in Frequency.values and s.weekdays() for s in schedules), resource.name
        assert all(s.opens_at and s.closes_at and s.opens_at < s.closes_at for s in schedules)
        assert set(resource.needs) <= set(Need.values), resource.name
        assert set(resource.ease) <= set(Ease.values), resource.name
        assert resource.contact_name and resource.description and resource.audience
    labels = {s.label() for r in resources for s in r.schedules.all()}
    assert "毎月第2火曜日 10時〜12時" in labels  # the family group
    assert "毎月第1火曜日 15時〜17時" in labels  # the peer group
    statuses = Counter(r.status for r in resources)
    assert statuses[Status.ACTIVE] >= 0.9 * len(resources)
    assert statuses[Status.TEMPORARILY_CLOSED] and statuses[Status.DEFUNCT]
    this_year = timezone.localdate().year
    assert sum(1 for r in resources if r.year_started and r.year_started <= this_year - 20) >= 10
    assert any(r.year_started and r.year_started >= this_year - 3 for r in resources)
    assert len({r.category for r in resources}) >= 12
    assert len({p.kind for p in Provider.objects.all()}) >= 8
    # Written through the directory's services: each on the audit trail.
    audited = set(
        AuditEvent.objects.filter(object_type="resources.resource").values_list(
            "object_id", flat=True
        )
    )
    assert {str(r.pk) for r in resources} <= audited


def test_a_year_and_a_half_of_joint_visits_without_once_meeting(demo: Municipality) -> None:
    joint = (
        OutreachVisitor.objects.filter(organization__name=KIKAN)
        .values_list("contact__household_id", flat=True)
        .distinct()
    )
    found = []
    for household_id in joint:
        contacts = list(OutreachContact.objects.filter(household_id=household_id))
        months = {_month(c.occurred_at) for c in contacts}
        if len(months) >= 18:
            found.append((household_id, contacts, months))
    assert found, "no household visited jointly for eighteen months"
    household_id, contacts, months = found[0]
    assert len(contacts) >= 18
    assert not any(c.result == Result.MET for c in contacts)
    assert {c.result for c in contacts} <= {Result.ABSENT, Result.NO_RESPONSE, Result.THROUGH_DOOR}
    assert {c.stage_after for c in contacts} <= {Relationship.NONE, Relationship.CONTACT}
    # Every month without a gap, the 社協 CSW and the 基幹's worker together.
    ordered = sorted(months)
    year, month = ordered[0]
    for expected in ordered:
        assert expected == (year, month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    visits = [c for c in contacts if c.method == "visit"]
    for visit in visits:
        organizations = {v.organization.name for v in visit.visitors.select_related("organization")}
        assert organizations == {SHAKYO, KIKAN}
        assert visit.organization.name == SHAKYO


def test_relationships_grow_to_consultation_over_months(demo: Municipality) -> None:
    grown = 0
    for household_id in OutreachContact.objects.values_list("household_id", flat=True).distinct():
        contacts = list(
            OutreachContact.objects.filter(household_id=household_id).order_by("occurred_at")
        )
        stages = [c.stage_after for c in contacts]
        orders = [STAGE_ORDER[s] for s in stages]
        if stages[0] == Relationship.NONE and stages[-1] == Relationship.CONSULTATION:
            assert orders == sorted(orders)
            assert set(stages) == set(Relationship.values)
            assert (contacts[-1].occurred_at - contacts[0].occurred_at).days >= 60
            grown += 1
    assert grown >= 2


def test_contacts_are_in_the_past_with_their_next_step_after_them(demo: Municipality) -> None:
    now = timezone.now()
    contacts = list(OutreachContact.objects.all())
    assert len({c.household_id for c in contacts}) in range(15, 26)
    for contact in contacts:
        assert contact.occurred_at <= now
        if contact.next_on is not None:
            assert contact.next_on >= timezone.localtime(contact.occurred_at).date()
        assert contact.content
    assert {c.method for c in contacts} >= {
        "visit",
        "phone",
        "letter",
        "message",
        "accompany",
        "at_place",
    }
    assert len({c.intent for c in contacts}) >= 7
    assert {c.direction for c in contacts} == {"outgoing", "incoming"}
    # Each contact was written through the service, with its audit event.
    audited = set(
        AuditEvent.objects.filter(object_type="outreach.outreachcontact").values_list(
            "object_id", flat=True
        )
    )
    assert {str(c.pk) for c in contacts} <= audited


def test_a_month_with_a_dozen_contacts_for_one_household(demo: Municipality) -> None:
    today = timezone.localdate()
    counts = contacts_per_household_month(
        OutreachContact.objects.all(), today - datetime.timedelta(days=365), today
    )
    assert counts.maximum >= 12
    assert dict(counts.distribution)["12回以上"] >= 1


def test_the_csw_list_starts_with_overdue_contacts(demo: Municipality) -> None:
    items = worklist(staff("demo-csw"))
    overdue = [item for item in items if item.overdue]
    assert len(overdue) >= 3
    assert items[: len(overdue)] == overdue


def test_the_showcase_finds_the_coffee_group_first(demo: Municipality) -> None:
    profile = showcase_profile()
    assert profile is not None
    assert profile.interests[:2] == ["コーヒー", "静かな場所"]
    assert set(profile.days) == {"TU", "TH"} and profile.times == ["afternoon"]
    age = (timezone.localdate() - profile.person.birth_date).days // 365
    assert 20 <= age <= 29
    suggestions = suggest(profile, Resource.objects.all())
    assert suggestions[0].resource.name == COFFEE
    assert "コーヒー" in suggestions[0].reason_text
    assert not suggestions[0].cautions
    # The showcase has not been proposed yet: it is for the demo to do.
    assert not Participation.objects.filter(person=profile.person, resource__name=COFFEE).exists()


def test_paths_at_every_stage_mostly_before_a_plan(demo: Municipality) -> None:
    today = timezone.localdate()
    paths = Participation.objects.all()
    counts = participation_counts(paths, today - datetime.timedelta(days=365), today)
    assert counts.plan_based >= 1
    assert counts.before_plan > counts.plan_based
    assert all(n >= 1 for _label, n in counts.by_stage), counts.by_stage
    assert ParticipationProfile.objects.count() >= 12
    for path in paths.filter(plan__isnull=False).select_related("plan"):
        assert path.plan.status == PlanStatus.ACTIVE
        assert path.plan.members.filter(person=path.person).exists()
        assert path.case_id == path.plan.case_id
        assert path.proposed_on >= path.plan.starts_on
    # Follow-ups due, and support given to the hosts.
    assert any(p.follow_up_overdue(today) for p in paths)
    assert any(p.stage in OPEN and not p.follow_up_overdue(today) for p in paths)
    kinds = Counter(ParticipationEvent.objects.values_list("kind", flat=True))
    assert kinds[EventKind.HOST_SUPPORT] >= 3 and kinds[EventKind.FOLLOW_UP] >= 3


def test_path_histories_follow_the_transitions_in_time_order(demo: Municipality) -> None:
    today = timezone.localdate()
    for path in Participation.objects.annotate(n=Count("events")):
        events = list(path.events.order_by("happened_on", "occurred_at", "id"))
        assert events[0].kind == EventKind.PROPOSED and events[0].happened_on == path.proposed_on
        stages = [e for e in events if e.kind == EventKind.STAGE]
        current = Stage.PROPOSED
        for event in stages:
            assert event.from_stage == current
            assert (event.from_stage, event.to_stage) in TRANSITIONS
            current = event.to_stage
        assert current == path.stage
        days = [e.happened_on for e in events]
        assert days == sorted(days) and days[-1] <= today
        assert timezone.localtime(path.created_at).date() == path.proposed_on
        for before, after in pairwise(events):
            assert before.occurred_at <= after.occurred_at


def test_loading_twice_changes_nothing(demo: Municipality) -> None:
    before = _counts()
    assert load_demo_resources(demo) is None
    assert load_demo_outreach(demo) is None
    assert load_demo_participation(demo) is None
    call_command("load_demo", stdout=StringIO())
    assert _counts() == before
