"""A merge moves every person link the registry declares (``tsunagu.links``),
and the policy answers the same for the surviving record as it did for the
absorbed one; undoing the merge puts every row back.

One world names the absorbed record by every declared link (a new link fails
here until the world has one), and gives three organizations a basis to the
person that only a link gives: the coordinating section through the
household membership (its case), 地域包括支援センター南 through the consent's
members, 地域包括支援センター東 through the persons of an accepted つなぐシート."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.appointments.models import Appointment
from tsunagu.assessments.services import assessment_create
from tsunagu.cases.models import Case, Stage
from tsunagu.cases.services import case_transition
from tsunagu.core import tenancy
from tsunagu.core.links import Link
from tsunagu.directory.models import Organization
from tsunagu.lifeevents.services import life_event_record
from tsunagu.links import registry
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.participation.services import participation_propose, profile_save
from tsunagu.people.models import Person
from tsunagu.people.services import person_merge, person_merge_undo
from tsunagu.plans.models import SupportKind, SupportPlan
from tsunagu.plans.services import ItemPart, MemberPart, plan_activate, plan_create
from tsunagu.progress.services import progress_note_record
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.resource_factories import resource

pytestmark = pytest.mark.django_db

B = policy.Basis


class World:
    """髙橋 正 was registered twice by 地域包括支援センター北: the survivor lives
    alone; the absorbed record heads the household of the case, and every
    record of the case and of the windows names it."""

    def __init__(self, ward: Ward) -> None:
        self.municipality = ward.municipality
        registrar = ward.member(Role.COUNSELOR)
        coordinator = ward.member(Role.COORDINATOR)
        self.registrar, self.coordinator = registrar, coordinator
        self.south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        with self.tenant():
            east = Organization.objects.create(
                name="地域包括支援センター東", kind=Organization.Kind.CENTER
            )
        self.east = rf.staff_at(ward, east, Role.COUNSELOR, "east")
        self.survivor = rf.person(registrar, ward.center, family_name="高橋", given_name="正")
        self.absorbed = rf.person(registrar, ward.center, family_name="髙橋", given_name="正")
        rf.household(registrar, ward.center, head=self.survivor)
        self.household = rf.household(registrar, ward.center, head=self.absorbed)
        consultation = rf.consultation(
            registrar, ward.center, household=self.household, subjects=[self.absorbed]
        )
        referral = rf.accepted(
            rf.referral(registrar, ward.center, east, persons=[self.absorbed]), self.east
        )
        case = cf.case(coordinator, ward.coordinating, self.household, consultations=[consultation])
        consent = cf.consent(coordinator, case, organizations=[ward.other_center])
        cafe = resource(self.municipality, "コーヒーを淹れる会")
        with self.tenant():
            fresh = Case.objects.get(pk=case.pk)
            for stage in (Stage.ASSESSMENT, Stage.CONSENTED):
                fresh = case_transition(
                    actor=coordinator, case=fresh, to_stage=stage, version=fresh.version
                )
            plan = plan_create(
                actor=coordinator,
                case=fresh,
                plan=SupportPlan(next_monitoring_on=timezone.localdate()),
                members=[MemberPart(person=self.absorbed, goals=["通院を続ける"])],
                items=[
                    ItemPart(
                        organization=ward.other_center,
                        content="月に一度の訪問",
                        kind=SupportKind.OUTREACH,
                        person=self.absorbed,
                    )
                ],
            )
            plan = plan_activate(actor=coordinator, plan=plan, version=plan.version)
            contact = outreach_contact_record(
                actor=registrar,
                organization=ward.center,
                household=self.household,
                person=self.absorbed,
                occurred_at=timezone.now() - datetime.timedelta(hours=1),
                method="visit",
                result="absent",
                intent="safety",
                stage_after="none",
            )
            path = participation_propose(
                actor=registrar,
                organization=ward.center,
                person=self.absorbed,
                resource=cafe,
                reason="関心",
            )
            profile = profile_save(
                actor=registrar, organization=ward.center, person=self.absorbed, interests=["読書"]
            )
            note = progress_note_record(
                actor=registrar,
                organization=ward.center,
                household=self.household,
                person=self.absorbed,
                case=case,
                occurred_at=timezone.now() - datetime.timedelta(hours=2),
                kind="phone",
                content="本人から電話。",
            )
            assessment = assessment_create(
                actor=registrar,
                organization=ward.center,
                household=self.household,
                person=self.absorbed,
                based_on=0,
                case=case,
                ticked=["health.mental"],
            )
            event = life_event_record(
                actor=registrar,
                organization=ward.center,
                household=self.household,
                person=self.absorbed,
                kind="retirement",
                occurred_on=datetime.date(2022, 3, 1),
                precision="month",
                source="person",
            )
            # A booking names its person (a plain link: no basis from it).
            starts = timezone.now() + datetime.timedelta(days=2)
            Appointment.objects.create(
                organization=ward.center,
                person=self.absorbed,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=30),
                source="staff",
                created_by=registrar,
            )
        #: The records the links belong to, by the policy's record kind.
        self.records: dict[str, Any] = {
            "household": self.household,
            "consultation": consultation,
            "referral": referral,
            "case": case,
            "consent": consent,
            "support_plan": plan,
            "outreach_contact": contact,
            "participation": path,
            "participation_profile": profile,
            "progress_note": note,
            "assessment": assessment,
            "life_event": event,
        }

    def tenant(self) -> Any:
        return tenancy.tenant_context(self.municipality)

    @property
    def staff(self) -> list[Staff]:
        return [self.registrar, self.coordinator, self.south, self.east]

    def bases(self, person: Person) -> dict[str, Any]:
        """Each staff member's basis to ``person`` and to each record."""
        found: dict[str, Any] = {}
        for staff in self.staff:
            found[f"{staff.username}:person"] = policy.bases(staff, "person", [person]).get(
                person.pk
            )
            for kind, record in self.records.items():
                # As a page would read it now (a merge moved its person).
                fresh = type(record)._default_manager.get(pk=record.pk)
                found[f"{staff.username}:{kind}"] = policy.bases(staff, kind, [fresh]).get(
                    record.pk
                )
        return found


def _rows(link: Link, person: Person) -> set[int]:
    table, field = link.rows()
    return set(table._default_manager.filter(**{field: person.pk}).values_list("pk", flat=True))


@pytest.fixture
def world(ward: Ward) -> World:
    return World(ward)


@pytest.mark.parametrize("link", registry.person_links, ids=str)
def test_a_merge_moves_the_link_and_the_policy_answers_the_same(world: World, link: Link) -> None:
    survivor, absorbed = world.survivor, world.absorbed
    with world.tenant():
        named = _rows(link, absorbed)
        assert named, f"the world names the absorbed record by no {link}: add one"
        own = _rows(link, survivor)  # its own household's membership
        before = world.bases(absorbed)
        merge = person_merge(
            actor=world.registrar, survivor=survivor, absorbed=absorbed, reason="二重登録"
        )
        assert _rows(link, survivor) == own | named
        assert not _rows(link, absorbed)
        assert world.bases(Person.objects.get(pk=survivor.pk)) == before
        person_merge_undo(actor=world.registrar, merge=merge, reason="別人と判明")
        assert _rows(link, absorbed) == named
        assert _rows(link, survivor) == own


def test_the_world_gives_a_basis_only_a_link_gives(world: World) -> None:
    """The coordinating section sees the person through the household (the
    membership), 南 through the consent's members, 東 through the つなぐシート's
    persons; none of them sees the survivor before the merge."""
    with world.tenant():
        before = world.bases(world.absorbed)
        survivor = world.bases(world.survivor)
    assert (
        before["coordinator:person"],
        before["south:person"],
        before["east:person"],
    ) == (B.COORDINATOR, B.CONSENT, B.REFERRAL)
    assert (
        survivor["coordinator:person"],
        survivor["south:person"],
        survivor["east:person"],
    ) == (None, None, None)


def test_after_a_merge_the_consent_covers_the_survivor(world: World) -> None:
    """Issue 17: the consent's grantor and members named the archived record."""
    with world.tenant():
        person_merge(
            actor=world.registrar,
            survivor=world.survivor,
            absorbed=world.absorbed,
            reason="二重登録",
        )
        consent = world.records["consent"]
        consent.refresh_from_db()
        assert consent.grantor_id == world.survivor.pk
        assert list(consent.members.values_list("pk", flat=True)) == [world.survivor.pk]
        covered = Person.objects.filter(
            pk__in=policy.consent_member_ids(policy.casework_organization_ids(world.south))
        ).values_list("pk", flat=True)
        assert list(covered) == [world.survivor.pk]
        survivor = Person.objects.get(pk=world.survivor.pk)
        assert policy.bases(world.south, "person", [survivor]) == {survivor.pk: B.CONSENT}
