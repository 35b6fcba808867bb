"""The permission matrix for the records an organization makes about a
household (outreach contacts, participation profiles, participation paths)
× each basis of access.md × the neighbours that must be refused.

These records are their organization's own (basis 1); the organizations of
a joint visit's staff read an outreach contact as their own too. Tied to a
多機関協働 case (``case`` set) they become part of the case's record, seen by
the coordinating section holding it and by the organizations a consent in
force covers; a profile follows the cases of the person's household. A
支援会議 does not reach them (its attendees see what was put before the
meeting). An emergency opening shows them, read-only. Only the organization
that made a record changes it.

Every situation builds the same world and adds the one thing that gives (or
almost gives) the viewer a basis. For every cell ``policy.decide``, membership
in ``policy.visible`` and ``policy.bases`` must agree with the expected basis.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case, Consent
from tsunagu.cases.services import consent_withdraw
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import AgendaItem, Meeting
from tsunagu.meetings.services import guest_invite, pledge_record
from tsunagu.outreach.models import OutreachContact
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.participation.models import Participation, ParticipationProfile
from tsunagu.participation.services import participation_propose, profile_save
from tsunagu.people import selectors as people_selectors
from tsunagu.people.models import Household, Person, Relationship
from tsunagu.people.services import emergency_access_open
from tsunagu.resources.models import Category, Provider, ProviderKind, Resource
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

A = policy.Action
B = policy.Basis

#: The records of the matrix and the policy resource of each: a contact and a
#: path made outside any case, one of each made for the case, and the profile.
RESOURCES = {
    "household": "household",
    "person": "person",
    "contact": "outreach_contact",
    "contact_for_case": "outreach_contact",
    "profile": "participation_profile",
    "path": "participation",
    "path_for_case": "participation",
}
KINDS = tuple(RESOURCES)
#: The records whose CHANGE the matrix checks in every situation.
RECORD_KINDS = ("contact", "contact_for_case", "profile", "path", "path_for_case")

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# The world every situation starts from.


class World:
    """地域包括支援センター北 registers the 架空 household (a mother and her son who
    stays in his room); 福祉政策課 (the coordinating section) holds a case about
    it with a consent naming only itself, and a 支援会議 has the case on its
    agenda. 社会福祉協議会 (the CSW) reaches out to the son — once on a joint
    visit with 障害者相談支援センター, once for the case — keeps his
    participation profile and supports two paths into a resource, one of them
    for the case. Nobody else has any basis yet: each situation adds one."""

    def __init__(self, ward: Ward, other_ward: Callable[[], Ward]) -> None:
        self.ward = ward
        self._other_ward = other_ward
        self.registrar = ward.member(Role.COUNSELOR)  # 地域包括支援センター北
        self.coordinator = ward.member(Role.COORDINATOR)  # 福祉政策課
        self.south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        with self.tenant():
            self.council = Organization.objects.create(
                name="社会福祉協議会", kind=Organization.Kind.CONTRACTOR
            )
            self.disability = Organization.objects.create(
                name="障害者相談支援センター", kind=Organization.Kind.CENTER
            )
            provider = Provider.objects.create(name="テスト珈琲店", kind=ProviderKind.COMPANY)
            self.resource = Resource.objects.create(
                provider=provider,
                name="珈琲焙煎の手伝い",
                category=Category.SPOT_WORK,
                interests=["コーヒー"],
            )
        self.csw = rf.staff_at(ward, self.council, Role.COUNSELOR, "csw")
        self.visitor = rf.staff_at(ward, self.disability, Role.COUNSELOR, "disability")
        self.head = rf.person(self.registrar, ward.center, family_name="架空", given_name="一子")
        self.son = rf.person(
            self.registrar,
            ward.center,
            family_name="架空",
            given_name="二郎",
            given_name_kana="じろう",
            birth_date=datetime.date(1978, 6, 1),
        )
        self.household = rf.household(
            self.registrar, ward.center, head=self.head, members=[(self.son, Relationship.CHILD)]
        )
        self.case = cf.case(self.coordinator, ward.coordinating, self.household)
        cf.consent(self.coordinator, self.case, organizations=[ward.coordinating])
        self.meeting = cf.meeting(self.coordinator, ward.coordinating)
        cf.on_agenda(self.coordinator, self.meeting, self.case, review=AgendaItem.Review.MONITORING)
        with self.tenant():
            case = Case.objects.get(pk=self.case.pk)
            self.contact = self.record_contact(
                self.csw, self.council, visitors=[(self.visitor, self.disability)]
            )
            self.contact_for_case = self.record_contact(self.csw, self.council, case=case)
            self.profile = profile_save(
                actor=self.csw,
                organization=self.council,
                person=self.son,
                interests=["コーヒー"],
                wishes="人の少ない時間なら",
            )
            self.path = self.propose(self.csw, self.council)
            self.path_for_case = self.propose(self.csw, self.council, case=case)

    @property
    def other_ward(self) -> Ward:
        return self._other_ward()

    def tenant(self) -> Any:
        return tenancy.tenant_context(self.ward.municipality)

    def record_contact(
        self, actor: Staff, organization: Organization, **fields: Any
    ) -> OutreachContact:
        with self.tenant():
            return outreach_contact_record(
                actor=actor,
                organization=organization,
                household=self.household,
                person=self.son,
                occurred_at=timezone.now() - datetime.timedelta(days=1),
                method="visit",
                result="through_door",
                intent="relationship",
                stage_after="contact",
                content="ドア越しに挨拶ができた。",
                **fields,
            )

    def propose(self, actor: Staff, organization: Organization, **fields: Any) -> Participation:
        with self.tenant():
            return participation_propose(
                actor=actor,
                organization=organization,
                person=self.son,
                resource=self.resource,
                reason="コーヒーが好きで、静かな場所なら通えそう",
                **fields,
            )

    def records(self) -> dict[str, Any]:
        """Each record of the matrix as a new request would load it."""
        with self.tenant():
            return {
                "household": Household.objects.get(pk=self.household.pk),
                "person": Person.objects.get(pk=self.son.pk),
                "contact": OutreachContact.objects.get(pk=self.contact.pk),
                "contact_for_case": OutreachContact.objects.get(pk=self.contact_for_case.pk),
                "profile": ParticipationProfile.objects.get(pk=self.profile.pk),
                "path": Participation.objects.get(pk=self.path.pk),
                "path_for_case": Participation.objects.get(pk=self.path_for_case.pk),
            }

    # Steps the situations take.

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
        """An external guest (テスト警察署) invited to the 支援会議, pledged."""
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
    """The staff member as a new request would load them (no cached memberships)."""
    return Staff.all_tenants.get(pk=staff.pk)


# ---------------------------------------------------------------------------
# Situations.

Setup = Callable[[World], Staff]


def recorder(w: World) -> Staff:
    return w.csw


def recorder_org_manager(w: World) -> Staff:
    return rf.staff_at(w.ward, w.council, Role.ORG_MANAGER, "csw-manager")


def joint_visitor(w: World) -> Staff:
    """Another staff member of the organization a joint visitor went for."""
    return rf.staff_at(w.ward, w.disability, Role.COUNSELOR, "disability-colleague")


def registrar(w: World) -> Staff:
    return w.registrar


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


def unrelated(w: World) -> Staff:
    return w.south


def emergency(w: World) -> Staff:
    w.emergency(w.south, w.ward.other_center)
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


# ---------------------------------------------------------------------------
# The matrix: the basis each record is shown under (None: refused), and the
# records the viewer may change.

NONE: dict[str, policy.Basis | None] = dict.fromkeys(KINDS)


def expect(**bases: policy.Basis) -> dict[str, policy.Basis | None]:
    return {**NONE, **bases}


@dataclass(frozen=True)
class Situation:
    id: str
    setup: Setup
    expected: dict[str, policy.Basis | None]
    #: Records (of RECORD_KINDS) the viewer may change, with the basis.
    changes: dict[str, policy.Basis] = field(default_factory=dict)


OWN_ALL = expect(**dict.fromkeys(KINDS, B.OWN_ORGANIZATION))
CASE_RECORDS = ("contact_for_case", "profile", "path_for_case")

SITUATIONS = [
    # 1. Own organization: everything it recorded, and through it the household.
    Situation(
        "recorder", recorder, OWN_ALL, changes=dict.fromkeys(RECORD_KINDS, B.OWN_ORGANIZATION)
    ),
    Situation(
        "recorder-org-manager",
        recorder_org_manager,
        OWN_ALL,
        changes=dict.fromkeys(RECORD_KINDS, B.OWN_ORGANIZATION),
    ),
    # A joint visit is the visitor's organization's record too: to read, not to rewrite.
    Situation(
        "joint-visitor",
        joint_visitor,
        expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION, contact=B.OWN_ORGANIZATION),
    ),
    # The organization that registered the household does not see another's records.
    Situation(
        "registrar",
        registrar,
        expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION),
    ),
    # 5. Coordinator: the records made for its case; the profile follows the household's cases.
    Situation(
        "coordinator",
        coordinator,
        expect(
            household=B.COORDINATOR,
            person=B.COORDINATOR,
            **dict.fromkeys(CASE_RECORDS, B.COORDINATOR),
        ),
    ),
    # 3. Consent: the same records as the case's coordinator, read-only.
    Situation(
        "consent-names-org",
        consent_names_org,
        expect(household=B.CONSENT, person=B.CONSENT, **dict.fromkeys(CASE_RECORDS, B.CONSENT)),
    ),
    Situation("consent-withdrawn", consent_withdrawn, NONE),
    # 4. 支援会議: the household, not these records.
    Situation(
        "support-meeting-attendee",
        support_meeting_attendee,
        expect(household=B.SUPPORT_MEETING, person=B.SUPPORT_MEETING),
    ),
    # 6. Emergency: all of it, read-only, marked.
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


# ---------------------------------------------------------------------------
# The checks.


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


def _change_problems(viewer: Staff, situation: Situation, kind: str, obj: Any) -> list[str]:
    if kind not in RECORD_KINDS:
        return []
    expected = situation.changes.get(kind)
    problems = []
    for action in (A.CHANGE, A.ARCHIVE):
        decision = policy.decide(viewer, action, RESOURCES[kind], obj)
        if (decision.allowed, decision.basis) != (expected is not None, expected):
            problems.append(f"decide {action}: {decision.allowed} {decision.basis}")
        in_visible = policy.visible(viewer, RESOURCES[kind], action).filter(pk=obj.pk).exists()
        if in_visible != (expected is not None):
            problems.append(f"visible {action}: {'in' if in_visible else 'not in'}")
    return problems


@pytest.fixture
def world(ward: Ward, request: pytest.FixtureRequest) -> World:
    return World(ward, lambda: request.getfixturevalue("other_ward"))


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.id for s in SITUATIONS])
def test_outreach_and_participation_matrix(world: World, situation: Situation) -> None:
    viewer = _fresh(situation.setup(world))
    records = world.records()
    problems: dict[str, list[str]] = {}
    for kind in KINDS:
        found = _view_problems(viewer, kind, records[kind], situation.expected[kind])
        found += _change_problems(viewer, situation, kind, records[kind])
        if found:
            problems[kind] = found
    assert problems == {}


# ---------------------------------------------------------------------------
# Cells the matrix cannot express in one line.


def test_a_withdrawn_consent_stops_access_at_once(world: World) -> None:
    """The same staff object and record objects, asked again right after the withdrawal."""
    consent = world.consent_for(world.ward.other_center)
    south = world.south
    records = world.records()
    for kind in CASE_RECORDS:
        assert policy.decide(south, A.VIEW, RESOURCES[kind], records[kind]).basis == B.CONSENT
    world.withdraw(consent)
    for kind in (*CASE_RECORDS, "household", "person"):
        resource = RESOURCES[kind]
        assert not policy.decide(south, A.VIEW, resource, records[kind]), kind
        assert not policy.visible(south, resource).filter(pk=records[kind].pk).exists(), kind
        assert policy.bases(south, resource, [records[kind]]) == {}, kind


def _newcomer(world: World, what: str) -> Staff:
    """A counsellor of a new organization whose only tie to the household is one
    record of ``what`` kind."""
    with world.tenant():
        organization = Organization.objects.create(
            name=f"{what}だけの機関", kind=Organization.Kind.CENTER
        )
    staff = rf.staff_at(world.ward, organization, Role.COUNSELOR, f"only-{what}")
    if what == "contact":
        world.record_contact(staff, organization)
    elif what == "joint_visit":
        world.record_contact(world.csw, world.council, visitors=[(staff, organization)])
    elif what == "profile":
        with world.tenant():
            profile_save(actor=staff, organization=organization, person=world.son, wishes="散歩")
    else:
        world.propose(staff, organization)
    return _fresh(staff)


@pytest.mark.parametrize("what", ["contact", "joint_visit", "profile", "path"])
def test_an_organization_s_own_records_reach_the_household_itself(world: World, what: str) -> None:
    """A CSW who has only recorded outreach contacts (or kept a profile, or
    supported a path) opens the household: its own records are basis 1."""
    staff = _newcomer(world, what)
    records = world.records()
    household = records["household"]
    assert policy.visible(staff, "household").filter(pk=household.pk).exists()
    assert policy.decide(staff, A.VIEW, "household", household).basis == B.OWN_ORGANIZATION
    assert policy.decide(staff, A.VIEW, "person", records["person"]).basis == B.OWN_ORGANIZATION
    # Its own records, not the other organizations' ones about the same household.
    for kind in RECORD_KINDS:
        assert not policy.decide(staff, A.VIEW, RESOURCES[kind], records[kind]), kind


def test_the_household_page_opens_for_an_organization_that_only_made_outreach_contacts(
    world: World,
) -> None:
    staff = _newcomer(world, "contact")
    client = Client()
    client.force_login(staff)
    response = client.get(f"/api/v1/households/{world.household.pk}")
    assert response.status_code == 200
    assert response.json()["basis"] == "own_organization"


def test_an_unrelated_organization_does_not_find_the_household_in_people_search(
    world: World,
) -> None:
    found = {p.pk for p in people_selectors.person_search(world.south, "架空")}
    assert found == set()
    client = Client()
    client.force_login(world.south)
    body = client.post("/people/search/", {"q": "じろう"}).content.decode()
    assert "架空" not in body
    # The recording organization finds both members through its own records.
    found = {p.pk for p in people_selectors.person_search(world.csw, "架空")}
    assert found == {world.head.pk, world.son.pk}
    client.force_login(world.csw)
    assert "架空" in client.post("/people/search/", {"q": "じろう"}).content.decode()


def test_an_emergency_opening_is_marked_and_lets_nobody_change(world: World) -> None:
    emergency(world)
    south = _fresh(world.south)
    records = world.records()
    for kind in RECORD_KINDS:
        obj = records[kind]
        assert policy.decide(south, A.VIEW, RESOURCES[kind], obj).basis == B.EMERGENCY, kind
        assert not policy.decide(south, A.CHANGE, RESOURCES[kind], obj), kind
        with pytest.raises(Exception) as refused:
            policy.get_or_404(south, RESOURCES[kind], A.CHANGE, pk=obj.pk)
        assert refused.type.__name__ == "Http404"


@pytest.mark.parametrize("situation_id", ["joint-visitor", "coordinator", "consent-names-org"])
def test_allowed_agrees_with_decide_on_changing_another_organization_s_record(
    world: World, situation_id: str
) -> None:
    viewer = _fresh(BY_ID[situation_id].setup(world))
    records = world.records()
    disagreements = {}
    for kind in RECORD_KINDS:
        resource = RESOURCES[kind]
        decided = bool(policy.decide(viewer, A.CHANGE, resource, records[kind]))
        answered = bool(policy.allowed(viewer, resource, records[kind], [A.CHANGE])[A.CHANGE])
        if decided != answered:
            disagreements[kind] = (decided, answered)
    assert disagreements == {}
