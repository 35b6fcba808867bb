"""The demo ward's synthetic residents: enough households, consultations and
referrals in every state for a believable demo, written through the real
services, visible only as the access rules allow, and never in another tenant.

The demo is loaded once for the package (``conftest.loaded``, through the
``load_demo`` command) inside a transaction that is rolled back at the end;
each test runs in its own savepoint on top of it.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from io import StringIO
from itertools import pairwise

from django.core.management import call_command
from django.db.models import QuerySet
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Membership, Staff
from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import audit_verify
from tsunagu.consultations.models import (
    CaseFeature,
    Consultation,
    ConsultationGram,
    ConsultationSubject,
    ConsultationTopic,
    LifeIssue,
)
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.report_figures import RECEPTION_PREFIX
from tsunagu.demo.residents import (
    HISTORY_DAYS,
    NEAR_DUPLICATES,
    anshin_of,
    load_demo_residents,
    plan_residents,
    staff_by_organization,
)
from tsunagu.demo.tests.conftest import Loaded, staff
from tsunagu.demo.ward import ORGANIZATIONS
from tsunagu.people.matching import Typed, probable_matches
from tsunagu.people.models import Household, HouseholdMembership, Person, Relationship
from tsunagu.people.names import fold, text_grams
from tsunagu.people.services import name_variants
from tsunagu.policy import Action
from tsunagu.referrals.models import (
    NEEDS_REASON,
    NEEDS_REPORT_BACK,
    OPEN,
    TRANSITIONS,
    Referral,
    ReferralEvent,
    Side,
    Status,
)

CASEWORK = {"counselor", "org_manager", "coordinator"}


# --- The plan (no database) -------------------------------------------------------------


def test_the_plan_is_the_same_for_a_seed_and_differs_for_another() -> None:
    today = date(2025, 6, 2)
    first = plan_residents(seed=7, today=today)
    assert first == plan_residents(seed=7, today=today)
    other = plan_residents(seed=8, today=today)
    assert [h.address for h in first.households] != [h.address for h in other.households]


def test_the_plan_names_only_demo_organizations_and_their_members() -> None:
    today = date(2025, 6, 2)
    plan = plan_residents(today=today)
    names = {spec.name for spec in ORGANIZATIONS}
    members = staff_by_organization()
    for household in plan.households:
        assert household.organization in names
        assert household.staff in members[household.organization]
    for consultation in plan.consultations:
        assert consultation.staff in members[consultation.organization], consultation.key
        assert today - timedelta(days=HISTORY_DAYS + 3) <= consultation.received_at.date() < today
    for referral in plan.referrals:
        assert referral.sender in members[referral.from_organization]
        assert referral.receiver in members[referral.to_organization]
        assert referral.from_organization != referral.to_organization


# --- What was loaded ----------------------------------------------------------------------


def casework_consultations() -> QuerySet[Consultation]:
    """The residents' consultations, not the windows' counted ones that stand
    behind the business report (recorded by reception staff, naming no one)."""
    return Consultation.objects.exclude(received_by__username__startswith=RECEPTION_PREFIX)


def test_load_demo_creates_the_asked_amounts(loaded: Loaded, demo: Municipality) -> None:
    print(f"\nload_demo (ward, residents and cases): {loaded.seconds:.1f} s")
    assert "架空の住民データを作成しました" in loaded.output
    assert 280 <= Household.objects.count() <= 320
    assert 550 <= Person.objects.count() <= 800
    assert 560 <= casework_consultations().count() <= 680
    assert 110 <= Referral.objects.count() <= 130
    unknown = casework_consultations().filter(household__isnull=True)
    # The residents' part makes 8–20; the front door's and the events' parts add a
    # few more not yet linked (a thread turned into a consultation, one at an event).
    assert 8 <= unknown.count() <= 30
    assert all(c.unknown_subject for c in unknown)
    assert not ConsultationSubject.objects.filter(consultation__in=unknown).exists()


def test_households_live_in_the_four_districts_with_realistic_members(demo: Municipality) -> None:
    pattern = re.compile(
        r"^デモ区(富坂|大塚|本富士|駒込)\d(-\d{1,2}-\d{1,2}|丁目\d{1,2}番\d{1,2}号)"
    )
    households = list(Household.objects.select_related("district"))
    for household in households:
        found = pattern.match(household.address)
        assert found, household.address
        assert household.district.name == found.group(1)
    memberships = list(HouseholdMembership.objects.select_related("person"))
    ever = Counter(m.household_id for m in memberships)
    current = Counter(m.household_id for m in memberships if m.ended_on is None)
    assert all(1 <= ever[h.pk] <= 6 for h in households)  # five at most, and one who moved in
    assert max(current.values()) <= 5
    assert all(
        any(m.relationship == Relationship.HEAD for m in memberships if m.household_id == h.pk)
        for h in households
    )
    relationships = {m.relationship for m in memberships}
    assert {"head", "spouse", "child", "parent", "sibling"} <= relationships
    persons = list(Person.objects.all())
    today = timezone.localdate()
    ages = [p.age_on(today) for p in persons]
    assert any(age >= 85 for age in ages) and any(age < 6 for age in ages)
    with_reading = sum(1 for p in persons if p.family_name_kana)
    assert 0.7 * len(persons) <= with_reading < len(persons)
    assert all(p.registered_by_id for p in persons)


def test_consultations_are_recorded_by_members_of_the_receiving_organization(
    demo: Municipality,
) -> None:
    consultations = list(casework_consultations().select_related("organization"))
    memberships = set(
        Membership.objects.filter(active=True, role__in=CASEWORK).values_list(
            "staff_id", "organization_id"
        )
    )
    # Every consultation, the windows' counted ones too, by a member of the window.
    receivers = set(
        Consultation.objects.values_list("received_by_id", "organization_id").distinct()
    )
    assert receivers <= memberships
    organizations = {c.organization.name for c in consultations}
    assert len(organizations) >= 15
    assert {
        *(anshin_of(d) for d in ("富坂", "大塚", "本富士", "駒込")),
        "障害者基幹相談支援センター",
        "子ども家庭支援センター",
        "自立相談支援窓口",
        "社会福祉協議会",
    } <= organizations
    soudan = staff("demo-soudan")
    assert sum(1 for c in consultations if c.received_by_id == soudan.pk) >= 10


def test_consultations_vary_and_read_like_casework(demo: Municipality) -> None:
    consultations = list(casework_consultations())
    now = timezone.now()
    assert all(now - timedelta(days=HISTORY_DAYS + 3) <= c.received_at < now for c in consultations)
    months = {(c.received_at.year, c.received_at.month) for c in consultations}
    assert len(months) >= 17
    assert len({c.channel for c in consultations}) >= 7
    assert len({c.consulter for c in consultations}) >= 9
    assert len({c.main_topic for c in consultations}) >= 12
    assert len({c.outcome for c in consultations}) == 5
    assert len({c.urgency for c in consultations}) == 3
    assert len({c.consent_to_share for c in consultations}) == 2
    topics = Counter(
        ConsultationTopic.objects.filter(consultation__in=consultations).values_list(
            "consultation_id", flat=True
        )
    )
    assert sum(1 for count in topics.values() if count >= 2) >= len(consultations) // 2
    for consultation in consultations:
        assert consultation.main_topic in {t.topic for t in consultation.topics.all()}
        assert set(consultation.life_issues) <= set(LifeIssue.values)
    features = CaseFeature.objects.filter(pk__in=Consultation.case_features.through.objects.values(
        "casefeature_id"
    ))  # fmt: skip
    assert features.count() >= 12
    for word in ("訪問", "介護", "就労", "家賃", "ひきこもり"):
        assert sum(1 for c in consultations if word in c.summary) >= 3, word
        assert Consultation.objects.filter(search_text__contains=word).exists()
    # Every consultation has the pieces of its text in the search index: those
    # recorded through the service and those of the report's figures, loaded in bulk.
    indexed: dict[int, set[str]] = {}
    for consultation_id, gram in ConsultationGram.objects.values_list("consultation_id", "gram"):
        indexed.setdefault(consultation_id, set()).add(gram)
    texts = dict(Consultation.objects.values_list("pk", "search_text"))
    assert len(texts) > len(consultations)  # the report's figures among them
    assert {pk: text_grams(text) for pk, text in texts.items() if text} == indexed
    # A consultation is about members (past or present) of its household.
    members = set(HouseholdMembership.objects.values_list("household_id", "person_id"))
    for consultation_id, household_id, person_id in ConsultationSubject.objects.values_list(
        "consultation_id", "consultation__household_id", "person_id"
    ):
        assert (household_id, person_id) in members, consultation_id


def test_referrals_are_in_every_state_with_a_consistent_history(demo: Municipality) -> None:
    referrals = list(
        Referral.objects.select_related("to_organization", "from_organization", "consultation")
    )
    assert {r.status for r in referrals} == set(Status.values)
    events: dict[int, list[ReferralEvent]] = {}
    for event in ReferralEvent.objects.order_by("occurred_at", "id"):
        events.setdefault(event.referral_id, []).append(event)
    memberships = set(
        Membership.objects.filter(active=True, role__in=CASEWORK).values_list(
            "staff_id", "organization_id"
        )
    )
    for referral in referrals:
        assert referral.from_organization_id != referral.to_organization_id
        assert referral.consultation.organization_id == referral.from_organization_id
        assert referral.household_id == referral.consultation.household_id
        history = events[referral.pk]
        assert history[0].to_status == Status.DRAFT
        assert [e.id for e in history] == sorted(e.id for e in history)  # time order = write order
        for before, after in pairwise(history):
            who = TRANSITIONS[(before.to_status, after.to_status)]
            sender_side = after.organization_id == referral.from_organization_id
            assert who == (Side.SENDER if sender_side else Side.RECEIVER)
            assert after.reason or after.to_status not in NEEDS_REASON
        assert history[-1].to_status == referral.status
        for event in history:
            assert (event.actor_id, event.organization_id) in memberships
        if referral.status in NEEDS_REPORT_BACK:
            assert referral.report_back and referral.report_back_at
        if referral.status != Status.DRAFT:
            assert referral.created_at <= referral.sent_at <= timezone.now()
        if referral.status not in OPEN:
            assert referral.closed_at and referral.closed_at >= referral.sent_at
    by_status = Counter(r.status for r in referrals)
    assert by_status[Status.COMPLETED] >= 20 and by_status[Status.REJECTED] >= 5
    overdue = [r for r in referrals if r.is_overdue()]
    assert 3 <= len(overdue) <= 12
    assert {r.status for r in overdue} <= set(OPEN)
    escalations = [r for r in referrals if r.to_organization.is_coordinating]
    assert 12 <= len(escalations) <= 20
    assert {r.to_organization.name for r in escalations} == {"福祉政策課"}
    assert len({r.to_organization_id for r in referrals}) >= 8


def test_some_people_moved_between_households_and_the_history_stays(demo: Municipality) -> None:
    by_person: dict[int, list[HouseholdMembership]] = {}
    for membership in HouseholdMembership.objects.order_by("started_on", "id"):
        by_person.setdefault(membership.person_id, []).append(membership)
    moved = [
        rows
        for rows in by_person.values()
        if len({m.household_id for m in rows}) > 1 and rows[-1].ended_on is None
    ]
    assert len(moved) >= 3
    for old, new in (rows[-2:] for rows in moved):
        assert old.ended_on == new.started_on and old.end_reason
    left = [rows for rows in by_person.values() if len(rows) == 1 and rows[0].ended_on]
    assert left and all(rows[0].end_reason for rows in left)


def test_near_duplicates_are_registered_by_one_organization_and_warned_about(
    loaded: Loaded, demo: Municipality
) -> None:
    variants = name_variants()
    assert len(NEAR_DUPLICATES) >= 10
    for spec in NEAR_DUPLICATES:
        firsts, seconds = (
            Person.objects.filter(
                family_name=name[0],
                given_name=name[1],
                family_name_kana=name[2],
                given_name_kana=name[3],
                registered_by__name=spec.organization,
            )
            for name in (spec.first, spec.second)
        )
        pairs = [
            (a, b) for a in firsts for b in seconds if a.pk != b.pk and a.birth_date == b.birth_date
        ]
        assert len(pairs) == 1, spec
        first, second = pairs[0]
        assert (first.family_name, first.family_name_kana) != (
            second.family_name,
            second.family_name_kana,
        )
        assert fold(first.family_name, variants) == fold(second.family_name, variants)
        clerk = Staff.objects.filter(
            memberships__organization=first.registered_by,
            memberships__role__in=CASEWORK,
            memberships__active=True,
        ).first()
        assert clerk is not None, spec.organization
        candidates = policy.visible(clerk, "person", Action.LIST)
        for typed_person, existing in ((first, second), (second, first)):
            typed = Typed(
                family_name=typed_person.family_name,
                given_name=typed_person.given_name,
                family_name_kana=typed_person.family_name_kana,
                given_name_kana=typed_person.given_name_kana,
                birth_date=typed_person.birth_date,
            )
            found = {m.person.pk: m for m in probable_matches(candidates, typed, variants)}
            assert existing.pk in found, (spec.organization, typed_person.full_name)
            assert found[existing.pk].score >= 80
    # Staff of another municipality are warned about nobody here.
    outsider = loaded.other.member("counselor")
    typed = Typed(family_name="高橋", given_name="隆", birth_date=first.birth_date)
    assert probable_matches(policy.visible(outsider, "person", Action.LIST), typed, variants) == []


def test_demo_soudan_is_warned_about_takahashi_and_sees_only_some_households(
    demo: Municipality,
) -> None:
    soudan = staff("demo-soudan")
    centre = anshin_of("富坂")
    visible = policy.visible(soudan, "household", Action.LIST)
    assert 0 < visible.count() < Household.objects.count()
    assert not Person.objects.filter(family_name="髙橋", registered_by__name=centre).exists()
    typed = Typed(family_name="髙橋", given_name="幸子")
    matches = probable_matches(
        policy.visible(soudan, "person", Action.LIST), typed, name_variants()
    )
    takahashi = [m for m in matches if m.person.family_name == "高橋"]
    assert takahashi, [m.person.full_name for m in matches]
    person = takahashi[0].person
    assert any("髙→高" in reason for reason in takahashi[0].reasons)
    assert person.registered_by.name == centre
    household = HouseholdMembership.objects.get(person=person, ended_on__isnull=True).household
    assert visible.filter(pk=household.pk).exists()
    assert (
        Consultation.objects.filter(
            household=household, organization__name=centre, received_by=soudan
        ).count()
        >= 2
    )
    assert Referral.objects.filter(household=household).count() >= 2
    assert policy.decide(soudan, Action.VIEW, "household", household).basis == (
        policy.Basis.OWN_ORGANIZATION
    )


def test_nothing_is_written_into_another_municipality(loaded: Loaded, demo: Municipality) -> None:
    other = loaded.other.municipality
    for model in (
        Person,
        Household,
        HouseholdMembership,
        Consultation,
        ConsultationTopic,
        ConsultationSubject,
        Referral,
        ReferralEvent,
        CaseFeature,
    ):
        assert not model.all_tenants.filter(municipality=other).exists(), model
        assert model.all_tenants.exclude(municipality=loaded.demo).count() == 0, model
    assert not Staff.all_tenants.filter(municipality=other, username__startswith="demo-").exists()
    with tenancy.tenant_context(other):
        assert Person.objects.count() == 0
    outsider = loaded.other.member("counselor")
    assert policy.visible(outsider, "household", Action.LIST).count() == 0
    assert policy.visible(outsider, "consultation", Action.LIST).count() == 0
    assert policy.visible(outsider, "referral", Action.LIST).count() == 0


def test_loading_again_creates_nothing_more(loaded: Loaded, demo: Municipality) -> None:
    assert "デモ区（架空の自治体）を作成しました。" in loaded.output
    assert "demo-sysadmin" in loaded.output
    counts = (
        Person.objects.count(),
        Consultation.objects.count(),
        Referral.objects.count(),
        Staff.objects.count(),
        AuditEvent.objects.count(),
    )
    assert load_demo_residents(loaded.demo) is None
    output = StringIO()
    call_command("load_demo", stdout=output)
    assert "デモ区はすでに作成されています。" in output.getvalue()
    assert "作成しました" not in output.getvalue()
    assert counts == (
        Person.objects.count(),
        Consultation.objects.count(),
        Referral.objects.count(),
        Staff.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_audit_trail_of_the_load_is_intact(loaded: Loaded, demo: Municipality) -> None:
    assert audit_verify(municipality_id=loaded.demo.pk) == []
    created = AuditEvent.objects.filter(municipality=loaded.demo, object_type="people.person")
    assert created.count() == Person.objects.count()
