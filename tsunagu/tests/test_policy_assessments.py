"""The permission matrix of インテーク・アセスメント × each basis of access.md ×
the neighbours that must be refused.

An assessment is one organization's record about one person: that
organization sees its versions (basis 1) and alone writes them. Made for a
多機関協働 case it is part of the case's record: the coordinating section
holding the case sees it (basis 5), and so do the organizations a consent in
force covers, where the consent names the person (basis 3; a consent may
leave a member out). A 支援会議 does not reach it. An emergency opening
shows it, read-only. For every cell ``policy.decide``, membership in
``policy.visible`` and ``policy.bases`` must agree with the expected basis.
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
from tsunagu.assessments.models import Assessment
from tsunagu.assessments.services import assessment_create
from tsunagu.cases.models import Case, Consent, ConsentMethod
from tsunagu.cases.services import consent_record, consent_withdraw
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import AgendaItem, Meeting
from tsunagu.meetings.services import guest_invite, pledge_record
from tsunagu.people.models import Household, Person, Relationship
from tsunagu.people.services import emergency_access_open
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.two_factor import force_login_verified

A = policy.Action
B = policy.Basis

RESOURCES = {
    "household": "household",
    "person": "person",
    "assessment": "assessment",
    "assessment_for_case": "assessment",
}
KINDS = tuple(RESOURCES)
RECORD_KINDS = ("assessment", "assessment_for_case")

pytestmark = pytest.mark.django_db


class World:
    """地域包括支援センター北 registers the 架空 household (a mother and her son);
    福祉政策課 (the coordinating section) holds a case about it with a consent
    naming only itself, on a 支援会議's agenda. 社会福祉協議会 assesses the son
    twice: once on its own (第1版), once for the case (第2版)."""

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
        self.assessment = self.assess(self.csw, self.council, based_on=0)
        self.assessment_for_case = self.assess(self.csw, self.council, based_on=1, case=self.case)

    @property
    def other_ward(self) -> Ward:
        return self._other_ward()

    def tenant(self) -> Any:
        return tenancy.tenant_context(self.ward.municipality)

    def assess(
        self, actor: Staff, organization: Organization, *, based_on: int, **fields: Any
    ) -> Assessment:
        with self.tenant():
            return assessment_create(
                actor=actor,
                organization=organization,
                household=self.household,
                person=self.son,
                based_on=based_on,
                ticked=["family.hikikomori", "income.none"],
                person_issues="10年ほど自室から出ていない",
                **fields,
            )

    def records(self) -> dict[str, Any]:
        with self.tenant():
            return {
                "household": Household.objects.get(pk=self.household.pk),
                "person": Person.objects.get(pk=self.son.pk),
                "assessment": Assessment.objects.get(pk=self.assessment.pk),
                "assessment_for_case": Assessment.objects.get(pk=self.assessment_for_case.pk),
            }

    def consent_for(self, *organizations: Organization, members: Any = None) -> Consent:
        if members is None:
            return cf.consent(self.coordinator, self.case, organizations=organizations)
        with self.tenant():
            return consent_record(
                actor=self.coordinator,
                case=Case.objects.get(pk=self.case.pk),
                consent=Consent(
                    grantor=self.head,
                    method=ConsentMethod.WRITTEN,
                    obtained_by_organization=self.ward.coordinating,
                ),
                members=members,
                organizations=list(organizations),
            )

    def withdraw(self, consent: Consent) -> None:
        with self.tenant():
            consent_withdraw(actor=self.coordinator, consent=consent, note="撤回の申し出")

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


def _fresh(staff: Staff) -> Staff:
    return Staff.all_tenants.get(pk=staff.pk)


Setup = Callable[[World], Staff]


def recorder(w: World) -> Staff:
    return w.csw


def recorder_org_manager(w: World) -> Staff:
    return rf.staff_at(w.ward, w.council, Role.ORG_MANAGER, "csw-manager")


def registrar(w: World) -> Staff:
    return w.registrar


def coordinator(w: World) -> Staff:
    return w.coordinator


def consent_names_org(w: World) -> Staff:
    w.consent_for(w.ward.other_center)
    return w.south


def consent_leaves_the_person_out(w: World) -> Staff:
    """A consent naming the organization, for the mother only."""
    w.consent_for(w.ward.other_center, members=[w.head])
    return w.south


def consent_withdrawn(w: World) -> Staff:
    w.withdraw(w.consent_for(w.ward.other_center))
    return w.south


def support_meeting_attendee(w: World) -> Staff:
    cf.attend(w.coordinator, w.meeting, w.south, w.ward.other_center, pledge=True)
    cf.hold(w.coordinator, w.meeting)
    return w.south


def emergency(w: World) -> Staff:
    with w.tenant():
        emergency_access_open(
            actor=w.south,
            organization_id=w.ward.other_center.pk,
            household=w.household,
            reason="安否確認の通報があり、至急世帯の状況を確認するため",
        )
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
    with w.tenant():
        Staff.objects.filter(pk=invited.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    return invited


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
    changes: dict[str, policy.Basis] = field(default_factory=dict)


SITUATIONS = [
    # 1. Own organization: both versions, and through them the household; it alone writes.
    Situation(
        "recorder",
        recorder,
        expect(**dict.fromkeys(KINDS, B.OWN_ORGANIZATION)),
        changes=dict.fromkeys(RECORD_KINDS, B.OWN_ORGANIZATION),
    ),
    Situation(
        "recorder-org-manager",
        recorder_org_manager,
        expect(**dict.fromkeys(KINDS, B.OWN_ORGANIZATION)),
        changes=dict.fromkeys(RECORD_KINDS, B.OWN_ORGANIZATION),
    ),
    # The organization that registered the household does not see another's assessment.
    Situation(
        "registrar", registrar, expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION)
    ),
    # 5. Coordinator: the version made for its case, not the one made on its own.
    Situation(
        "coordinator",
        coordinator,
        expect(household=B.COORDINATOR, person=B.COORDINATOR, assessment_for_case=B.COORDINATOR),
    ),
    # 3. Consent: the case's version, read-only ...
    Situation(
        "consent-names-org",
        consent_names_org,
        expect(household=B.CONSENT, person=B.CONSENT, assessment_for_case=B.CONSENT),
    ),
    # ... only where the consent names the person.
    Situation(
        "consent-leaves-the-person-out",
        consent_leaves_the_person_out,
        expect(household=B.CONSENT),
    ),
    Situation("consent-withdrawn", consent_withdrawn, NONE),
    # 4. 支援会議: the household, not the assessment.
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
    Situation("standing-guest", neighbour(Role.GUEST), NONE),
    Situation("manager", neighbour(Role.MANAGER), NONE),
    Situation("sysadmin", neighbour(Role.SYSADMIN), NONE),
    Situation("auditor", neighbour(Role.AUDITOR), NONE),
]


def _problems(viewer: Staff, situation: Situation, kind: str, obj: Any) -> list[str]:
    problems = []
    resource = RESOURCES[kind]
    expected = situation.expected[kind]
    for action in (A.VIEW, A.LIST, A.PRINT):
        decision = policy.decide(viewer, action, resource, obj)
        if (decision.allowed, decision.basis) != (expected is not None, expected):
            problems.append(f"decide {action}: {decision.allowed} {decision.basis}")
    in_visible = policy.visible(viewer, resource, A.VIEW).filter(pk=obj.pk).exists()
    if in_visible != (expected is not None):
        problems.append(f"visible: {'in' if in_visible else 'not in'}")
    basis = policy.bases(viewer, resource, [obj]).get(obj.pk)
    if basis != expected:
        problems.append(f"bases: {basis}")
    if kind in RECORD_KINDS:
        change = situation.changes.get(kind)
        for action in (A.CHANGE, A.ARCHIVE):
            decision = policy.decide(viewer, action, resource, obj)
            if (decision.allowed, decision.basis) != (change is not None, change):
                problems.append(f"decide {action}: {decision.allowed} {decision.basis}")
            in_visible = policy.visible(viewer, resource, action).filter(pk=obj.pk).exists()
            if in_visible != (change is not None):
                problems.append(f"visible {action}: {'in' if in_visible else 'not in'}")
    return problems


@pytest.fixture
def world(ward: Ward, request: pytest.FixtureRequest) -> World:
    return World(ward, lambda: request.getfixturevalue("other_ward"))


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.id for s in SITUATIONS])
def test_assessment_matrix(world: World, situation: Situation) -> None:
    viewer = _fresh(situation.setup(world))
    records = world.records()
    problems = {}
    for kind in KINDS:
        found = _problems(viewer, situation, kind, records[kind])
        if found:
            problems[kind] = found
    assert problems == {}


def test_a_withdrawn_consent_stops_access_at_once(world: World) -> None:
    consent = world.consent_for(world.ward.other_center)
    south = world.south
    record = world.records()["assessment_for_case"]
    assert policy.decide(south, A.VIEW, "assessment", record).basis == B.CONSENT
    world.withdraw(consent)
    assert not policy.decide(south, A.VIEW, "assessment", record)
    assert not policy.visible(south, "assessment").filter(pk=record.pk).exists()


@pytest.mark.parametrize(
    ("situation_id", "status"),
    [
        ("recorder", 200),
        ("coordinator", 200),
        ("emergency", 200),
        ("registrar", 404),
        ("unrelated-organization", 404),
        ("other-tenant", 404),
    ],
)
def test_the_page_and_the_print_answer_as_the_matrix(
    world: World, situation_id: str, status: int
) -> None:
    situation = next(s for s in SITUATIONS if s.id == situation_id)
    viewer = _fresh(situation.setup(world))
    client = force_login_verified(Client(), viewer)
    pk = world.assessment_for_case.pk
    assert client.get(f"/assessments/{pk}/").status_code == status
    printed = client.get(f"/assessments/{pk}/print/")
    assert printed.status_code == status
    if status == 200:
        assert printed["Content-Type"] == "application/pdf"
    assert client.get(f"/api/v1/assessments/{pk}").status_code in {status}
