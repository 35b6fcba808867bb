"""The permission matrix for 家族の出来事 (life_event) × each basis of access.md
× the neighbours that must be refused.

A life event is personal data an organization recorded about a household:
its own organization sees it (basis 1); the coordinating section holding a
case of the household and the organizations a consent in force covers read
it; an emergency opening shows it, read-only. A つなぐシート's receiver and a
支援会議's attendee see the household, not these records (the attendees get
the chronology printed for the meeting: ``meetings/tests/test_chronology_print.py``).
Only the recording organization changes or withdraws an event.

Every situation builds the same world and adds the one thing that gives (or
almost gives) the viewer a basis. For every cell ``policy.decide``, membership
in ``policy.visible`` and ``policy.bases`` must agree with the expected basis.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Consent
from tsunagu.cases.services import consent_withdraw
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.lifeevents.models import LifeEvent
from tsunagu.lifeevents.services import life_event_record
from tsunagu.meetings.models import AgendaItem, Meeting
from tsunagu.meetings.services import guest_invite, pledge_record
from tsunagu.people.models import Household, Person, Relationship
from tsunagu.people.services import emergency_access_open
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

A = policy.Action
B = policy.Basis

RESOURCES = {"household": "household", "person": "person", "event": "life_event"}
KINDS = tuple(RESOURCES)

pytestmark = pytest.mark.django_db


class World:
    """地域包括支援センター北 registers the 架空 household (a mother and her son);
    福祉政策課 (the coordinating section) holds a case about it with a consent
    naming only itself, and a 支援会議 has the case on its agenda. 社会福祉協議会
    (the CSW) records that the son left his job in 2019 (the year alone known).
    Nobody else has any basis yet: each situation adds one."""

    def __init__(self, ward: Ward, other_ward: Callable[[], Ward]) -> None:
        self.ward = ward
        self._other_ward = other_ward
        self.registrar = ward.member(Role.COUNSELOR)
        self.coordinator = ward.member(Role.COORDINATOR)
        self.south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        with self.tenant():
            self.council = Organization.objects.create(
                name="社会福祉協議会", kind=Organization.Kind.CONTRACTOR
            )
        self.csw = rf.staff_at(ward, self.council, Role.COUNSELOR, "csw")
        self.head = rf.person(self.registrar, ward.center, family_name="架空", given_name="一子")
        self.son = rf.person(self.registrar, ward.center, family_name="架空", given_name="二郎")
        self.household = rf.household(
            self.registrar, ward.center, head=self.head, members=[(self.son, Relationship.CHILD)]
        )
        self.case = cf.case(self.coordinator, ward.coordinating, self.household)
        cf.consent(self.coordinator, self.case, organizations=[ward.coordinating])
        self.meeting = cf.meeting(self.coordinator, ward.coordinating)
        cf.on_agenda(self.coordinator, self.meeting, self.case, review=AgendaItem.Review.MONITORING)
        # The CSW reaches the household through an emergency-free way: its own
        # record (a life event needs a working basis to the household first).
        self.emergency_free_way()
        with self.tenant():
            self.event = life_event_record(
                actor=self.csw,
                organization=self.council,
                household=Household.objects.get(pk=self.household.pk),
                person=self.son,
                kind="job_loss",
                occurred_on=datetime.date(2019, 7, 1),
                precision="year",
                description="勤めていた工場が閉鎖になり、以後は働いていない。",
                source="family",
                source_note="母から",
            )

    def emergency_free_way(self) -> None:
        """A つなぐシート from the registrar to the 社協, accepted: the CSW works with the household."""
        referral = rf.referral(
            self.registrar, self.ward.center, self.council, household=self.household
        )
        rf.accepted(referral, self.csw)

    @property
    def other_ward(self) -> Ward:
        return self._other_ward()

    def tenant(self) -> Any:
        return tenancy.tenant_context(self.ward.municipality)

    def records(self) -> dict[str, Any]:
        with self.tenant():
            return {
                "household": Household.objects.get(pk=self.household.pk),
                "person": Person.objects.get(pk=self.son.pk),
                "event": LifeEvent.objects.get(pk=self.event.pk),
            }

    def consent_for(self, *organizations: Organization) -> Consent:
        return cf.consent(self.coordinator, self.case, organizations=organizations)

    def withdraw(self, consent: Consent) -> None:
        with self.tenant():
            consent_withdraw(
                actor=self.coordinator, consent=consent, note="本人から電話で撤回の申し出があった"
            )

    def emergency(self, staff: Staff, organization: Organization) -> None:
        with self.tenant():
            emergency_access_open(
                actor=staff,
                organization_id=organization.pk,
                household=self.household,
                reason="安否確認の通報があり、至急世帯の状況を確認するため",
            )

    def guest(self) -> Staff:
        assert self.ward.external is not None
        with self.tenant():
            invitation = guest_invite(
                actor=self.coordinator,
                meeting=Meeting.objects.get(pk=self.meeting.pk),
                organization=self.ward.external,
                name="山田 太郎",
                expires_at=timezone.now() + datetime.timedelta(hours=3),
            )
            guest = invitation.attendee.staff
            assert guest is not None
            pledge_record(actor=guest, attendee=invitation.attendee)
        return guest

    def expire(self, staff: Staff) -> None:
        with self.tenant():
            Staff.objects.filter(pk=staff.pk).update(
                expires_at=timezone.now() - datetime.timedelta(seconds=1)
            )


def _fresh(staff: Staff) -> Staff:
    return Staff.all_tenants.get(pk=staff.pk)


Setup = Callable[[World], Staff]


def recorder(w: World) -> Staff:
    return w.csw


def recorder_org_manager(w: World) -> Staff:
    return rf.staff_at(w.ward, w.council, Role.ORG_MANAGER, "csw-manager")


def registrar(w: World) -> Staff:
    return w.registrar


def referral_receiver(w: World) -> Staff:
    """Another organization to which the registrar sent a つなぐシート, accepted."""
    referral = rf.referral(w.registrar, w.ward.center, w.ward.other_center, household=w.household)
    rf.accepted(referral, w.south)
    return w.south


def coordinator(w: World) -> Staff:
    return w.coordinator


def consent_names_org(w: World) -> Staff:
    w.consent_for(w.ward.other_center)
    return w.south


def consent_withdrawn(w: World) -> Staff:
    w.withdraw(w.consent_for(w.ward.other_center))
    return w.south


def support_meeting_attendee(w: World) -> Staff:
    cf.attend(w.coordinator, w.meeting, w.south, w.ward.other_center, pledge=True)
    cf.hold(w.coordinator, w.meeting)
    return w.south


def emergency(w: World) -> Staff:
    w.emergency(w.south, w.ward.other_center)
    return w.south


def unrelated(w: World) -> Staff:
    return w.south


def other_tenant(w: World) -> Staff:
    return w.other_ward.member(Role.COUNSELOR)


def other_tenant_coordinator(w: World) -> Staff:
    return w.other_ward.member(Role.COORDINATOR)


def guest(w: World) -> Staff:
    return w.guest()


def guest_expired(w: World) -> Staff:
    invited = w.guest()
    w.expire(invited)
    return invited


def standing_guest(w: World) -> Staff:
    return w.ward.member(Role.GUEST)


def neighbour(role: str) -> Setup:
    def setup(w: World) -> Staff:
        return w.ward.member(role)

    return setup


NONE: dict[str, policy.Basis | None] = dict.fromkeys(KINDS)


def expect(**bases: policy.Basis) -> dict[str, policy.Basis | None]:
    return {**NONE, **bases}


@dataclass(frozen=True)
class Situation:
    id: str
    setup: Setup
    expected: dict[str, policy.Basis | None]
    #: The basis under which the viewer may change and withdraw the event (None: refused).
    changes: policy.Basis | None = None


SITUATIONS = [
    # 1. Own organization (the CSW reached the household through an accepted つなぐシート
    # and its own record; its own record is the stronger way).
    Situation(
        "recorder",
        recorder,
        expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION, event=B.OWN_ORGANIZATION),
        changes=B.OWN_ORGANIZATION,
    ),
    Situation(
        "recorder-org-manager",
        recorder_org_manager,
        expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION, event=B.OWN_ORGANIZATION),
        changes=B.OWN_ORGANIZATION,
    ),
    # The organization that registered the household does not see another's record.
    Situation(
        "registrar", registrar, expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION)
    ),
    # 2. A つなぐシート's receiver: the household, not the organizations' records.
    Situation(
        "referral-receiver", referral_receiver, expect(household=B.REFERRAL, person=B.REFERRAL)
    ),
    # 5. Coordinator: the household's case is its own, and so the family's history.
    Situation("coordinator", coordinator, expect(**dict.fromkeys(KINDS, B.COORDINATOR))),
    # 3. Consent: read-only.
    Situation("consent-names-org", consent_names_org, expect(**dict.fromkeys(KINDS, B.CONSENT))),
    Situation("consent-withdrawn", consent_withdrawn, NONE),
    # 4. 支援会議: the household, not the event on its page (the print is for the meeting).
    Situation(
        "support-meeting-attendee",
        support_meeting_attendee,
        expect(household=B.SUPPORT_MEETING, person=B.SUPPORT_MEETING),
    ),
    # 6. Emergency: all of it, read-only.
    Situation("emergency", emergency, expect(**dict.fromkeys(KINDS, B.EMERGENCY))),
    # Neighbours.
    Situation("unrelated-organization", unrelated, NONE),
    Situation("other-tenant", other_tenant, NONE),
    Situation("other-tenant-coordinator", other_tenant_coordinator, NONE),
    Situation("guest", guest, NONE),
    Situation("guest-expired", guest_expired, NONE),
    Situation("standing-guest", standing_guest, NONE),
    Situation("manager", neighbour(Role.MANAGER), NONE),
    Situation("sysadmin", neighbour(Role.SYSADMIN), NONE),
    Situation("auditor", neighbour(Role.AUDITOR), NONE),
]
BY_ID = {situation.id: situation for situation in SITUATIONS}
assert len(BY_ID) == len(SITUATIONS)


def _view_problems(viewer: Staff, kind: str, obj: Any, expected: policy.Basis | None) -> list[str]:
    problems = []
    resource = RESOURCES[kind]
    for action in (A.VIEW, A.LIST):
        decision = policy.decide(viewer, action, resource, obj)
        if (decision.allowed, decision.basis) != (expected is not None, expected):
            problems.append(f"decide {action}: {decision.allowed} {decision.basis}")
        in_visible = policy.visible(viewer, resource, action).filter(pk=obj.pk).exists()
        if in_visible != (expected is not None):
            problems.append(f"visible {action}: {'in' if in_visible else 'not in'}")
    basis = policy.bases(viewer, resource, [obj]).get(obj.pk)
    if basis != expected:
        problems.append(f"bases: {basis}")
    return problems


def _change_problems(viewer: Staff, situation: Situation, obj: Any) -> list[str]:
    expected = situation.changes
    problems = []
    for action in (A.CHANGE, A.ARCHIVE):
        decision = policy.decide(viewer, action, "life_event", obj)
        if (decision.allowed, decision.basis) != (expected is not None, expected):
            problems.append(f"decide {action}: {decision.allowed} {decision.basis}")
        in_visible = policy.visible(viewer, "life_event", action).filter(pk=obj.pk).exists()
        if in_visible != (expected is not None):
            problems.append(f"visible {action}: {'in' if in_visible else 'not in'}")
        answered = bool(policy.allowed(viewer, "life_event", obj, [action])[action])
        if answered != (expected is not None):
            problems.append(f"allowed {action}: {answered}")
    return problems


@pytest.fixture
def world(ward: Ward, request: pytest.FixtureRequest) -> World:
    return World(ward, lambda: request.getfixturevalue("other_ward"))


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.id for s in SITUATIONS])
def test_life_event_matrix(world: World, situation: Situation) -> None:
    viewer = _fresh(situation.setup(world))
    records = world.records()
    problems: dict[str, list[str]] = {}
    for kind in KINDS:
        found = _view_problems(viewer, kind, records[kind], situation.expected[kind])
        if kind == "event":
            found += _change_problems(viewer, situation, records[kind])
        if found:
            problems[kind] = found
    assert problems == {}


def test_a_withdrawn_consent_stops_access_at_once(world: World) -> None:
    consent = world.consent_for(world.ward.other_center)
    south = world.south
    event = world.records()["event"]
    assert policy.decide(south, A.VIEW, "life_event", event).basis == B.CONSENT
    world.withdraw(consent)
    assert not policy.decide(south, A.VIEW, "life_event", event)
    assert not policy.visible(south, "life_event").filter(pk=event.pk).exists()
    assert policy.bases(south, "life_event", [event]) == {}


def test_an_organization_s_own_event_reaches_the_household_itself(world: World) -> None:
    """Like the other records of an organization: recording an event is basis 1
    to the household, even after the つなぐシート that led there is closed."""
    with world.tenant():
        organization = Organization.objects.create(name="出来事だけの機関", kind="center")
    staff = rf.staff_at(world.ward, organization, Role.COUNSELOR, "only-event")
    with world.tenant():
        LifeEvent.objects.create(
            household=world.household,
            organization=organization,
            kind="move",
            occurred_on=datetime.date(2020, 4, 1),
            precision="month",
            source="record",
            recorded_basis=B.OWN_ORGANIZATION,
            created_by=staff,
        )
        from tsunagu.grants import services as grants

        grants.refresh_for(world.household)
    staff = _fresh(staff)
    household = world.records()["household"]
    assert policy.decide(staff, A.VIEW, "household", household).basis == B.OWN_ORGANIZATION
    # Its own event, not the 社協's about the same household.
    assert not policy.decide(staff, A.VIEW, "life_event", world.records()["event"])
