"""The permission matrix of オンライン相談 (``thread``) × each way in × the
neighbours that must be refused.

What a resident writes is personal data from the moment it arrives
(access.md). A thread has two ways in: the window it is assigned to sees it
as its own (basis 1), and the coordinating section sees and triages every
thread of its municipality (basis 5). A hand-over moves the thread: the new
window sees it, the previous one no longer does, even though it replied.
Managers, system administrators, auditors, external guests (expired or
not), other organizations and other municipalities see nothing.

The world: four threads of the ward — one assigned to 地域包括支援センター北,
one not yet assigned (the coordinating section triages it), one that
地域包括支援センター南 answered and then handed to 北, one assigned to
社会福祉協議会 — and one thread of another municipality.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.frontdoor import inbox, services
from tsunagu.frontdoor.models import Thread
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

A = policy.Action
B = policy.Basis

THREADS = ("assigned", "unassigned", "handed_over", "elsewhere", "other_tenant")

pytestmark = pytest.mark.django_db


class World:
    def __init__(self, ward: Ward, other_ward: Ward) -> None:
        self.ward = ward
        self.other_ward = other_ward
        self.coordinator = ward.member(Role.COORDINATOR)
        self.south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        with tenancy.tenant_context(ward.municipality):
            self.council = Organization.objects.create(
                name="社会福祉協議会", kind=Organization.Kind.CONTRACTOR
            )
        self.csw = rf.staff_at(ward, self.council, Role.COUNSELOR, "csw")
        with tenancy.tenant_context(ward.municipality):
            self.assigned = self.thread(ward.center)
            self.unassigned = self.thread(None)
            self.handed_over = self.thread(ward.other_center)
            services.reply(
                self.handed_over,
                "南センターです。",
                staff=self.south,
                organization=ward.other_center,
            )
            self.handed_over.refresh_from_db()
            inbox.thread_hand_over(
                actor=self.coordinator,
                organization=ward.coordinating,
                thread=self.handed_over,
                version=self.handed_over.version,
                to=ward.center,
            )
            self.elsewhere = self.thread(self.council)
        with tenancy.tenant_context(other_ward.municipality):
            self.other_tenant = self.thread(other_ward.center)

    @staticmethod
    def thread(organization: Organization | None) -> Thread:
        thread = services.open_thread(channel="web", language="vi", topic="income")
        thread.organization = organization
        thread.save(update_fields=["organization"])
        services.receive(thread, "Tôi đang gặp khó khăn về tiền bạc.")
        return thread

    def records(self) -> dict[str, Thread]:
        return {name: Thread.all_tenants.get(pk=getattr(self, name).pk) for name in THREADS}


def _fresh(staff: Staff) -> Staff:
    return Staff.all_tenants.get(pk=staff.pk)


def _expired_guest(w: World) -> Staff:
    guest = w.ward.member(Role.GUEST)
    Staff.all_tenants.filter(pk=guest.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    return guest


def _member(role: str) -> Callable[[World], Staff]:
    return lambda w: w.ward.member(role)


@dataclass(frozen=True)
class Situation:
    id: str
    setup: Callable[[World], Staff]
    expected: dict[str, policy.Basis]


NONE: dict[str, policy.Basis] = {}
COORDINATING = dict.fromkeys(("assigned", "unassigned", "handed_over", "elsewhere"), B.COORDINATOR)

SITUATIONS = [
    # 1. The assigned window: its threads, the one handed to it included.
    Situation(
        "window-counselor",
        _member(Role.COUNSELOR),
        {"assigned": B.OWN_ORGANIZATION, "handed_over": B.OWN_ORGANIZATION},
    ),
    Situation(
        "window-org-manager",
        _member(Role.ORG_MANAGER),
        {"assigned": B.OWN_ORGANIZATION, "handed_over": B.OWN_ORGANIZATION},
    ),
    Situation("other-window", lambda w: w.csw, {"elsewhere": B.OWN_ORGANIZATION}),
    # The previous window replied, handed it over, and sees it no more.
    Situation("previous-window", lambda w: w.south, NONE),
    # 5. The coordinating section: every thread of its municipality.
    Situation("coordinator", _member(Role.COORDINATOR), COORDINATING),
    Situation(
        "coordinating-counselor",
        lambda w: rf.staff_at(w.ward, w.ward.coordinating, Role.COUNSELOR, "coord-counselor"),
        COORDINATING,
    ),
    # Neighbours.
    Situation(
        "another-organization",
        lambda w: rf.staff_at(w.ward, w.ward.department, Role.COUNSELOR, "soumu"),
        NONE,
    ),
    # Another municipality's staff: their own thread only, never the ward's.
    Situation(
        "other-tenant",
        lambda w: w.other_ward.member(Role.COUNSELOR),
        {"other_tenant": B.OWN_ORGANIZATION},
    ),
    Situation(
        "other-tenant-coordinator",
        lambda w: w.other_ward.member(Role.COORDINATOR),
        {"other_tenant": B.COORDINATOR},
    ),
    Situation("manager", _member(Role.MANAGER), NONE),
    Situation("sysadmin", _member(Role.SYSADMIN), NONE),
    Situation("auditor", _member(Role.AUDITOR), NONE),
    Situation("guest", _member(Role.GUEST), NONE),
    Situation("guest-expired", _expired_guest, NONE),
]


@pytest.fixture
def world(ward: Ward, other_ward: Ward) -> World:
    return World(ward, other_ward)


def _problems(viewer: Staff, name: str, thread: Thread, expected: policy.Basis | None) -> list[str]:
    problems = []
    for action in (A.VIEW, A.LIST, A.CHANGE):
        decision = policy.decide(viewer, action, "thread", thread)
        if (decision.allowed, decision.basis) != (expected is not None, expected):
            problems.append(f"{name} decide {action}: {decision.allowed} {decision.basis}")
        shown = policy.visible(viewer, "thread", action).filter(pk=thread.pk).exists()
        if shown != (expected is not None):
            problems.append(f"{name} visible {action}: {shown}")
    if policy.bases(viewer, "thread", [thread]).get(thread.pk) != expected:
        problems.append(f"{name} bases")
    # Nothing archives a thread; the policy refuses it to everyone but its own window.
    archive = policy.decide(viewer, A.ARCHIVE, "thread", thread)
    if archive.allowed != (expected == B.OWN_ORGANIZATION):
        problems.append(f"{name} decide archive: {archive.allowed}")
    return problems


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.id for s in SITUATIONS])
def test_thread_matrix(world: World, situation: Situation) -> None:
    viewer = _fresh(situation.setup(world))
    problems = []
    for name, thread in world.records().items():
        problems += _problems(viewer, name, thread, situation.expected.get(name))
    assert problems == []


def test_the_other_municipality_sees_its_own_thread_only(world: World) -> None:
    """The neighbour refused above is refused for the tenant, not for lack of any access."""
    coordinator = _fresh(world.other_ward.member(Role.COORDINATOR))
    shown = set(policy.visible(coordinator, "thread", A.LIST).values_list("pk", flat=True))
    assert shown == {world.other_tenant.pk}


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.SYSADMIN, Role.AUDITOR, Role.GUEST, Role.COUNSELOR]
)
def test_only_the_coordinating_section_keeps_the_triage_settings(ward: Ward, role: Role) -> None:
    staff = _fresh(ward.member(role))
    for action in (A.VIEW, A.CHANGE, A.CREATE):
        assert not policy.decide(staff, action, "triage_settings")
    decision = policy.decide(_fresh(ward.member(Role.COORDINATOR)), A.CHANGE, "triage_settings")
    assert (decision.allowed, decision.basis) == (True, B.COORDINATOR)
