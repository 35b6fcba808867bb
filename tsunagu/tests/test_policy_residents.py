"""The permission matrix for residents' records: household, person, consultation
and referral × each basis (own organization, referral, coordinator, emergency)
× the neighbours that must be refused (another organization, another tenant,
roles without casework).

For every cell, the three questions the code asks must agree:
``policy.decide`` on the object, membership in ``policy.visible`` and
``policy.bases``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.grants import services as grants
from tsunagu.people.models import EmergencyAccess, Household, Person
from tsunagu.people.services import emergency_access_open
from tsunagu.referrals.models import Reason, Referral, Status
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

A = policy.Action
B = policy.Basis
RESOURCES = ("household", "person", "consultation", "referral")

pytestmark = pytest.mark.django_db


@dataclass
class Records:
    person: Person
    household: Household
    consultation: Consultation
    referral: Referral

    def of(self, resource: str) -> object:
        return getattr(self, resource)


class World:
    """地域包括支援センター北 (the sender) registers a household, takes a consultation
    about it and sends a つなぐシート about it to ``to``."""

    def __init__(self, ward: Ward, other_ward: Ward) -> None:
        self.ward = ward
        self.other_ward = other_ward
        self.sender = ward.member(Role.COUNSELOR)
        self.south = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        self.south_colleague = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-2")
        self.records: Records | None = None

    def make(self, to: Organization, send: bool = True) -> Records:
        person = make.person(self.sender, self.ward.center, family_name="架空", given_name="一子")
        household = make.household(self.sender, self.ward.center, head=person)
        consultation = make.consultation(
            self.sender, self.ward.center, household=household, subjects=[person]
        )
        referral = make.referral(
            self.sender,
            self.ward.center,
            to,
            household=household,
            consultation=consultation,
            persons=[person],
            send=send,
        )
        self.records = Records(person, household, consultation, referral)
        return self.records

    def change(self, actor: Staff, organization: Organization, *steps: str) -> None:
        assert self.records is not None
        for step in steps:
            make.transition(actor, organization, self.records.referral, step, reason=Reason.OTHER)

    def emergency(self, staff: Staff, organization: Organization | None) -> EmergencyAccess:
        assert self.records is not None
        with tenancy.tenant_context(staff.municipality):
            return emergency_access_open(
                actor=staff,
                organization_id=organization.pk if organization else None,
                household=self.records.household,
                reason="安否確認の通報があり、至急世帯の状況を確認するため",
            )


# ---------------------------------------------------------------------------
# The matrix. Each case sets the world up and names the viewer; the expected
# basis is given per resource (None: refused).

ALL_OWN = dict.fromkeys(RESOURCES, B.OWN_ORGANIZATION)
NONE: dict[str, policy.Basis | None] = dict.fromkeys(RESOURCES)
REFERRAL_ONLY = {**NONE, "referral": B.REFERRAL}
ALL_REFERRAL = dict.fromkeys(RESOURCES, B.REFERRAL)
ALL_EMERGENCY = dict.fromkeys(RESOURCES, B.EMERGENCY)


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[World], Staff]
    expected: dict[str, policy.Basis | None]


def _own(role: str) -> Callable[[World], Staff]:
    def setup(w: World) -> Staff:
        w.make(w.ward.other_center)
        return w.ward.member(role)

    return setup


def _receiver(*steps: str, send: bool = True) -> Callable[[World], Staff]:
    def setup(w: World) -> Staff:
        w.make(w.ward.other_center, send=send)
        for step in steps:
            if step == Status.CANCELLED:  # the sender withdraws it
                w.change(w.sender, w.ward.center, step)
            else:
                w.change(w.south, w.ward.other_center, step)
        return w.south

    return setup


def _coordinator(*steps: str, viewer: str = Role.COORDINATOR) -> Callable[[World], Staff]:
    def setup(w: World) -> Staff:
        w.make(w.ward.coordinating)
        w.change(w.ward.member(Role.COORDINATOR), w.ward.coordinating, *steps)
        return w.ward.member(viewer)

    return setup


def _emergency(
    opener: str, expired: bool = False, viewer: str = "", written: bool = False
) -> Callable[[World], Staff]:
    def setup(w: World) -> Staff:
        w.make(w.ward.coordinating)  # the opener has no other basis
        staff = w.south if opener == "south" else w.ward.member(opener)
        if written:
            assert w.records is not None
            with tenancy.tenant_context(w.ward.municipality):
                EmergencyAccess.objects.create(
                    staff=staff, household=w.records.household, reason="直接書き込まれた行"
                )
            return staff
        grant = w.emergency(staff, w.ward.other_center if opener == "south" else None)
        if expired:
            with tenancy.tenant_context(w.ward.municipality):
                # Its hours are over: the opening's row ends in the past, as
                # its grant does (written with the opening, ``grants.refresh_for``).
                EmergencyAccess.objects.filter(pk=grant.pk).update(
                    expires_at=timezone.now() - timedelta(minutes=1)
                )
                grants.refresh_for(EmergencyAccess.objects.get(pk=grant.pk))
        return {"south-2": w.south_colleague}.get(viewer, staff)

    return setup


def _neighbour(viewer: Callable[[World], Staff]) -> Callable[[World], Staff]:
    def setup(w: World) -> Staff:
        w.make(w.ward.coordinating)
        w.change(w.ward.member(Role.COORDINATOR), w.ward.coordinating, Status.ACCEPTED)
        return viewer(w)

    return setup


CASES = [
    # Own organization: the records the staff's organization created / registered.
    Case("own-counselor", _own(Role.COUNSELOR), ALL_OWN),
    Case("own-org-manager", _own(Role.ORG_MANAGER), ALL_OWN),
    # Referral: the content once sent, the household and attached records once accepted.
    Case("referral-draft", _receiver(send=False), NONE),
    Case("referral-requested", _receiver(), REFERRAL_ONLY),
    Case("referral-accepted", _receiver(Status.ACCEPTED), ALL_REFERRAL),
    Case("referral-in-progress", _receiver(Status.ACCEPTED, Status.IN_PROGRESS), ALL_REFERRAL),
    Case("referral-completed", _receiver(Status.ACCEPTED, Status.COMPLETED), ALL_REFERRAL),
    Case("referral-rejected", _receiver(Status.REJECTED), REFERRAL_ONLY),
    Case("referral-cancelled", _receiver(Status.CANCELLED), REFERRAL_ONLY),
    # Coordinator: a referral escalated to the coordinating section.
    Case("coordinator-requested", _coordinator(), {**NONE, "referral": B.COORDINATOR}),
    Case(
        "coordinator-accepted",
        _coordinator(Status.ACCEPTED),
        dict.fromkeys(RESOURCES, B.COORDINATOR),
    ),
    Case("coordinating-section-manager", _coordinator(Status.ACCEPTED, viewer=Role.MANAGER), NONE),
    # Emergency: staff doing casework, stating a reason, for a working day.
    Case("emergency-counselor", _emergency("south"), ALL_EMERGENCY),
    # An opening row of someone without casework (written before openings were
    # limited to casework) gives no basis: a guest, a manager, an auditor.
    Case("emergency-row-of-a-guest", _emergency(Role.GUEST, written=True), NONE),
    Case("emergency-row-of-a-manager", _emergency(Role.MANAGER, written=True), NONE),
    Case("emergency-row-of-an-auditor", _emergency(Role.AUDITOR, written=True), NONE),
    Case("emergency-expired", _emergency("south", expired=True), NONE),
    Case("emergency-of-a-colleague", _emergency("south", viewer="south-2"), NONE),
    # Neighbours.
    Case("neighbour-other-organization", _neighbour(lambda w: w.south), NONE),
    Case("neighbour-other-tenant", _neighbour(lambda w: w.other_ward.member(Role.COUNSELOR)), NONE),
    Case(
        "neighbour-other-tenant-coordinator",
        _neighbour(lambda w: w.other_ward.member(Role.COORDINATOR)),
        NONE,
    ),
    Case("neighbour-manager", _neighbour(lambda w: w.ward.member(Role.MANAGER)), NONE),
    Case("neighbour-sysadmin", _neighbour(lambda w: w.ward.member(Role.SYSADMIN)), NONE),
    Case("neighbour-auditor", _neighbour(lambda w: w.ward.member(Role.AUDITOR)), NONE),
]


@pytest.fixture
def world(ward: Ward, other_ward: Ward) -> World:
    return World(ward, other_ward)


def _fresh(staff: Staff) -> Staff:
    """The staff member as a new request would load them (no cached memberships)."""
    return Staff.all_tenants.get(pk=staff.pk)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_resident_matrix(world: World, case: Case) -> None:
    viewer = _fresh(case.setup(world))
    assert world.records is not None
    for resource in RESOURCES:
        obj = world.records.of(resource)
        expected = case.expected[resource]
        decision = policy.decide(viewer, A.VIEW, resource, obj)
        in_visible = policy.visible(viewer, resource, A.VIEW).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]
        basis = policy.bases(viewer, resource, [obj]).get(obj.pk)  # type: ignore[attr-defined]
        assert (decision.allowed, decision.basis) == (expected is not None, expected), resource
        assert in_visible == (expected is not None), resource
        assert basis == expected, resource
        if expected == B.EMERGENCY:
            # Break-glass is for reading.
            assert not policy.decide(viewer, A.CHANGE, resource, obj), resource
            assert not policy.decide(viewer, A.ARCHIVE, resource, obj), resource
        if expected == B.OWN_ORGANIZATION:
            assert policy.decide(viewer, A.CHANGE, resource, obj).basis == expected, resource
        if expected is None:
            for action in (A.CHANGE, A.PRINT, A.EXPORT):
                assert not policy.decide(viewer, action, resource, obj), (resource, action)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_lists_and_searches_agree_with_the_matrix_for_casework_staff(
    world: World, case: Case
) -> None:
    """Lists (Action.LIST) show the same records as views to anyone who does casework;
    roles without casework get no lists at all, whatever their emergency openings."""
    viewer = _fresh(case.setup(world))
    assert world.records is not None
    casework = bool(policy.casework_organization_ids(viewer))
    for resource in RESOURCES:
        obj = world.records.of(resource)
        listed = policy.visible(viewer, resource, A.LIST).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]
        assert listed == (casework and case.expected[resource] is not None), resource


# ---------------------------------------------------------------------------
# Cells the matrix cannot express in one line.


def test_a_consultation_of_another_organization_makes_the_household_its_own(world: World) -> None:
    records = world.make(world.ward.coordinating)
    south = world.south
    theirs = make.consultation(south, world.ward.other_center, household=records.household)
    south = _fresh(south)
    assert policy.decide(south, A.VIEW, "household", records.household).basis == B.OWN_ORGANIZATION
    assert policy.decide(south, A.VIEW, "person", records.person).basis == B.OWN_ORGANIZATION
    assert policy.decide(south, A.CHANGE, "consultation", theirs).basis == B.OWN_ORGANIZATION
    # …but not the sender's consultation about the same household.
    assert not policy.decide(south, A.VIEW, "consultation", records.consultation)
    assert not policy.visible(south, "consultation", A.VIEW).filter(pk=records.consultation.pk)


def test_a_person_registered_by_the_organization_is_its_own_without_a_household(
    world: World,
) -> None:
    alone = make.person(world.sender, world.ward.center, family_name="単身", given_name="者")
    sender = _fresh(world.sender)
    assert policy.decide(sender, A.VIEW, "person", alone).basis == B.OWN_ORGANIZATION
    assert policy.visible(sender, "person", A.LIST).filter(pk=alone.pk).exists()
    assert not policy.decide(_fresh(world.south), A.VIEW, "person", alone)


def test_an_accepted_referral_opens_only_the_consultation_attached_to_it(world: World) -> None:
    records = world.make(world.ward.other_center)
    world.change(world.south, world.ward.other_center, Status.ACCEPTED)
    unattached = make.consultation(world.sender, world.ward.center, household=records.household)
    south = _fresh(world.south)
    assert policy.decide(south, A.VIEW, "consultation", records.consultation).basis == B.REFERRAL
    assert not policy.decide(south, A.VIEW, "consultation", unattached)
    # Only its own organization changes a consultation.
    assert not policy.decide(south, A.CHANGE, "consultation", records.consultation)
    # An emergency opening shows the whole household's records.
    colleague = world.south_colleague
    world.emergency(colleague, world.ward.other_center)
    assert policy.decide(_fresh(colleague), A.VIEW, "consultation", unattached).basis == B.EMERGENCY


def test_the_strongest_basis_is_named_when_several_apply(world: World) -> None:
    records = world.make(world.ward.other_center)
    world.change(world.south, world.ward.other_center, Status.ACCEPTED)
    world.emergency(world.south, world.ward.other_center)
    south = _fresh(world.south)
    for resource in RESOURCES:
        assert policy.decide(south, A.VIEW, resource, records.of(resource)).basis == B.REFERRAL
    world.emergency(world.sender, world.ward.center)
    sender = _fresh(world.sender)
    for resource in RESOURCES:
        assert (
            policy.decide(sender, A.VIEW, resource, records.of(resource)).basis
            == B.OWN_ORGANIZATION
        )


@pytest.mark.parametrize("role", [Role.GUEST, Role.MANAGER, Role.SYSADMIN, Role.AUDITOR])
def test_the_service_refuses_an_emergency_opening_outside_casework(
    world: World, role: Role
) -> None:
    records = world.make(world.ward.coordinating)
    staff = world.ward.member(role)
    with tenancy.tenant_context(world.ward.municipality):
        with pytest.raises(PermissionDenied):
            emergency_access_open(
                actor=staff,
                organization_id=None,
                household=records.household,
                reason="安否確認の通報があり、至急世帯の状況を確認するため",
            )
        assert not EmergencyAccess.objects.exists()
    assert AuditEvent.objects.filter(
        actor=staff, action="deny", object_type="people.emergencyaccess"
    ).exists()


def test_an_emergency_opening_needs_a_reason_and_is_audited_when_used(world: World) -> None:
    records = world.make(world.ward.coordinating)
    manager = world.south  # a counselor of another centre, with no other basis
    with tenancy.tenant_context(world.ward.municipality):
        with pytest.raises(ValidationError, match="10文字以上"):
            emergency_access_open(
                actor=manager, organization_id=None, household=records.household, reason="至急"
            )
        with pytest.raises(Http404):
            policy.get_or_404(_fresh(manager), "household", A.VIEW, pk=records.household.pk)
    grant = world.emergency(manager, world.ward.other_center)
    assert AuditEvent.objects.filter(
        object_type="people.emergencyaccess", object_id=str(grant.pk), basis="emergency"
    ).exists()
    with tenancy.tenant_context(world.ward.municipality):
        household, decision = policy.get_or_404(
            _fresh(manager), "household", A.VIEW, pk=records.household.pk
        )
    assert (household, decision.basis) == (records.household, B.EMERGENCY)
    view = AuditEvent.objects.filter(
        actor=manager, action="view", object_type="people.household"
    ).get()
    assert (view.object_id, view.basis) == (str(records.household.pk), B.EMERGENCY)


def test_a_rejected_referral_closes_what_an_acceptance_would_have_opened(world: World) -> None:
    """Access follows the records at once: nothing lingers from a requested referral."""
    records = world.make(world.ward.other_center)
    south = world.south
    world.change(south, world.ward.other_center, Status.REJECTED)
    with tenancy.tenant_context(world.ward.municipality), pytest.raises(Http404):
        policy.get_or_404(_fresh(south), "household", A.VIEW, pk=records.household.pk)
    denial = AuditEvent.objects.filter(
        actor=south, action="deny", object_type="people.household"
    ).get()
    assert denial.object_id == str(records.household.pk)


def test_the_persons_of_an_accepted_referral_without_a_household_are_shared(
    world: World,
) -> None:
    person = make.person(world.sender, world.ward.center, family_name="単身", given_name="者")
    referral = make.referral(
        world.sender, world.ward.center, world.ward.other_center, persons=[person]
    )
    make.accepted(referral, world.south)
    assert policy.decide(_fresh(world.south), A.VIEW, "person", person).basis == B.REFERRAL
