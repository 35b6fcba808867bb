"""The permission matrix of 支援経過記録 (``progress_note``) × each basis of
access.md × the neighbours that must be refused.

A note is its writing organization's record (basis 1); the organizations
its participating staff took part for read it as their own too. Written for
a 多機関協働 case (``case`` set), it is part of the case's record: the
coordinating section holding the case and the organizations a consent in
force covers read it. A 支援会議 does not reach it (its attendees see what
was put before the meeting). An emergency opening shows it, read-only. Only
the writing organization changes it; external guests, managers, system
administrators and auditors never see it.

The world is the outreach matrix's (``test_policy_outreach.World``): the
same household, case, consent, 支援会議 and organizations, with two notes of
社会福祉協議会 added — one with a participant of 障害者相談支援センター, one
written for the case.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case
from tsunagu.directory.models import Organization
from tsunagu.people.models import Household, Person
from tsunagu.progress.models import Kind, ProgressNote
from tsunagu.progress.services import progress_note_record
from tsunagu.tests import resident_factories as rf
from tsunagu.tests import test_policy_outreach as outreach
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_policy_outreach import World, _fresh
from tsunagu.tests.two_factor import force_login_verified

A = policy.Action
B = policy.Basis

RESOURCES = {
    "household": "household",
    "person": "person",
    "note": "progress_note",
    "note_for_case": "progress_note",
}
KINDS = tuple(RESOURCES)
RECORD_KINDS = ("note", "note_for_case")

pytestmark = pytest.mark.django_db


class NotesWorld(World):
    def __init__(self, ward: Ward, other_ward: Any) -> None:
        super().__init__(ward, other_ward)
        with self.tenant():
            case = Case.objects.get(pk=self.case.pk)
        self.note = self.write(
            self.csw, self.council, participants=[(self.visitor, self.disability)]
        )
        self.note_for_case = self.write(self.csw, self.council, case=case)

    def write(self, actor: Staff, organization: Organization, **fields: Any) -> ProgressNote:
        with self.tenant():
            return progress_note_record(
                actor=actor,
                organization=organization,
                household=self.household,
                person=self.son,
                occurred_at=timezone.now() - datetime.timedelta(hours=2),
                kind=Kind.INTERVIEW,
                other_participants="本人・母",
                content="面談。昼夜逆転が続いている。",
                next_step="来週もう一度面談",
                **fields,
            )

    def records(self) -> dict[str, Any]:
        with self.tenant():
            return {
                "household": Household.objects.get(pk=self.household.pk),
                "person": Person.objects.get(pk=self.son.pk),
                "note": ProgressNote.objects.get(pk=self.note.pk),
                "note_for_case": ProgressNote.objects.get(pk=self.note_for_case.pk),
            }


NONE: dict[str, policy.Basis | None] = dict.fromkeys(KINDS)


def expect(**bases: policy.Basis) -> dict[str, policy.Basis | None]:
    return {**NONE, **bases}


@dataclass(frozen=True)
class Situation:
    id: str
    setup: Any
    expected: dict[str, policy.Basis | None]
    changes: dict[str, policy.Basis] = field(default_factory=dict)


OWN_ALL = expect(**dict.fromkeys(KINDS, B.OWN_ORGANIZATION))

SITUATIONS = [
    # 1. Own organization: its notes, and through them the household.
    Situation(
        "writer", outreach.recorder, OWN_ALL, dict.fromkeys(RECORD_KINDS, B.OWN_ORGANIZATION)
    ),
    Situation(
        "writer-org-manager",
        outreach.recorder_org_manager,
        OWN_ALL,
        dict.fromkeys(RECORD_KINDS, B.OWN_ORGANIZATION),
    ),
    # A participant's organization reads the note as its own, and does not rewrite it.
    Situation(
        "participant-organization",
        outreach.joint_visitor,
        expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION, note=B.OWN_ORGANIZATION),
    ),
    # The organization that registered the household does not see another's notes.
    Situation(
        "registrar",
        outreach.registrar,
        expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION),
    ),
    # 5. Coordinator: the notes written for its case.
    Situation(
        "coordinator",
        outreach.coordinator,
        expect(household=B.COORDINATOR, person=B.COORDINATOR, note_for_case=B.COORDINATOR),
    ),
    # 3. Consent: the same, read-only.
    Situation(
        "consent-names-org",
        outreach.consent_names_org,
        expect(household=B.CONSENT, person=B.CONSENT, note_for_case=B.CONSENT),
    ),
    Situation("consent-withdrawn", outreach.consent_withdrawn, NONE),
    # 4. 支援会議: the household, not the notes.
    Situation(
        "support-meeting-attendee",
        outreach.support_meeting_attendee,
        expect(household=B.SUPPORT_MEETING, person=B.SUPPORT_MEETING),
    ),
    # 6. Emergency: all of it, read-only.
    Situation("emergency", outreach.emergency, expect(**dict.fromkeys(KINDS, B.EMERGENCY))),
    # Neighbours.
    Situation("another-organization", outreach.unrelated, NONE),
    Situation("other-tenant", outreach.other_tenant, NONE),
    Situation("other-tenant-coordinator", outreach.other_tenant_coordinator, NONE),
    Situation("guest", outreach.guest, NONE),
    Situation("guest-expired", outreach.guest_expired, NONE),
    Situation("standing-guest", outreach.standing_guest, NONE),
    Situation("manager", outreach.neighbour(Role.MANAGER), NONE),
    Situation("sysadmin", outreach.neighbour(Role.SYSADMIN), NONE),
    Situation("auditor", outreach.neighbour(Role.AUDITOR), NONE),
]


def _problems(viewer: Staff, situation: Situation, kind: str, obj: Any) -> list[str]:
    resource = RESOURCES[kind]
    expected = situation.expected[kind]
    problems = []
    for action in (A.VIEW, A.LIST):
        decision = policy.decide(viewer, action, resource, obj)
        if (decision.allowed, decision.basis) != (expected is not None, expected):
            problems.append(f"decide {action}: {decision.allowed} {decision.basis}")
        shown = policy.visible(viewer, resource, action).filter(pk=obj.pk).exists()
        if shown != (expected is not None):
            problems.append(f"visible {action}: {shown}")
    if policy.bases(viewer, resource, [obj]).get(obj.pk) != expected:
        problems.append("bases")
    if kind in RECORD_KINDS:
        change = situation.changes.get(kind)
        for action in (A.CHANGE, A.ARCHIVE):
            decision = policy.decide(viewer, action, resource, obj)
            if (decision.allowed, decision.basis) != (change is not None, change):
                problems.append(f"decide {action}: {decision.allowed} {decision.basis}")
            shown = policy.visible(viewer, resource, action).filter(pk=obj.pk).exists()
            if shown != (change is not None):
                problems.append(f"visible {action}: {shown}")
    return problems


@pytest.fixture
def world(ward: Ward, request: pytest.FixtureRequest) -> NotesWorld:
    return NotesWorld(ward, lambda: request.getfixturevalue("other_ward"))


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.id for s in SITUATIONS])
def test_progress_note_matrix(world: NotesWorld, situation: Situation) -> None:
    viewer = _fresh(situation.setup(world))
    records = world.records()
    problems = {
        kind: found
        for kind in KINDS
        if (found := _problems(viewer, situation, kind, records[kind]))
    }
    assert problems == {}


# ---------------------------------------------------------------------------
# The pages and the API give the same answers.


def _client(staff: Staff) -> Client:
    return force_login_verified(Client(), staff)


def test_a_withdrawn_consent_stops_the_case_notes_at_once(world: NotesWorld) -> None:
    consent = world.consent_for(world.ward.other_center)
    records = world.records()
    assert policy.decide(world.south, A.VIEW, "progress_note", records["note_for_case"])
    world.withdraw(consent)
    assert not policy.decide(world.south, A.VIEW, "progress_note", records["note_for_case"])
    response = _client(world.south).get(f"/api/v1/progress-notes/{world.note_for_case.pk}")
    assert response.status_code == 404


def test_writing_needs_a_working_basis_to_the_household(world: NotesWorld) -> None:
    """An unrelated organization, an emergency opening, a 支援会議 attendee: no
    note can be written (404 as for a household they do not see, or no
    working basis); the writer's own organization can."""
    payload = {"kind": "phone", "content": "電話で様子を聞いた。"}
    url = f"/api/v1/households/{world.household.pk}/progress-notes"
    refused = _client(world.south).post(url, payload, content_type="application/json")
    assert refused.status_code == 404
    outreach.emergency(world)
    refused = _client(_fresh(world.south)).post(url, payload, content_type="application/json")
    assert refused.status_code == 404
    written = _client(world.csw).post(url, payload, content_type="application/json")
    assert written.status_code == 201, written.content
    body = written.json()
    assert body["organization"] == "社会福祉協議会"
    assert body["basis"] == "own_organization"
    assert [p["staff_id"] for p in body["participants"]] == [world.csw.pk]


def test_a_first_note_gives_the_writing_organization_the_household(world: NotesWorld) -> None:
    """Writing needs a working basis; once written, the note is the
    organization's own record and keeps the household open to it (the grants)."""
    with world.tenant():
        newcomer_org = Organization.objects.create(
            name="子ども家庭支援センター", kind=Organization.Kind.CENTER
        )
    teacher = rf.staff_at(world.ward, newcomer_org, Role.COUNSELOR, "teacher")
    households = policy.visible(_fresh(teacher), "household")
    assert not households.filter(pk=world.household.pk).exists()
    world.write(teacher, newcomer_org)
    fresh = _fresh(teacher)
    assert policy.decide(fresh, A.VIEW, "household", world.records()["household"]).basis == (
        B.OWN_ORGANIZATION
    )
    assert not policy.decide(fresh, A.VIEW, "progress_note", world.records()["note"])
