"""The permission matrix for 多機関協働 records: household, person, consultation
(one the case was opened from, one it was not), case, consent, support plan,
meeting, agenda item and action item × each
basis of access.md (own organization, referral, consent, 支援会議, coordinator,
emergency) × the neighbours that must be refused (another organization,
another tenant, an organization that left the team, a withdrawn, expired or
not-yet-valid consent, a closed case, a cancelled meeting, an expired guest,
roles without casework).

Every situation builds the same household and case, then adds the one thing
that gives (or almost gives) the viewer a basis. For every cell the questions
the code asks must agree: ``policy.decide`` on the object, membership in
``policy.visible`` and, for residents' records, ``policy.bases``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case, ClosureReason, Consent, Stage
from tsunagu.cases.services import case_team_add, case_team_leave, consent_withdraw
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import ActionItem, AgendaItem, Kind, Meeting
from tsunagu.meetings.services import (
    NewAction,
    decisions_record,
    guest_invite,
    meeting_cancel,
    pledge_record,
)
from tsunagu.people.models import Household, Person, Relationship
from tsunagu.people.services import emergency_access_open
from tsunagu.plans.models import SupportPlan
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

A = policy.Action
B = policy.Basis

#: The record kinds of the matrix, in the order a household's page shows them, and
#: the policy resource of each: a consultation attached to the case (part of its
#: record) and one that is not.
RESOURCES = {
    "household": "household",
    "person": "person",
    "consultation": "consultation",
    "consultation_unlinked": "consultation",
    "case": "case",
    "consent": "consent",
    "support_plan": "support_plan",
    "meeting": "meeting",
    "agenda_item": "agenda_item",
    "action_item": "action_item",
}
KINDS = tuple(RESOURCES)
#: Kinds whose rule answers ``policy.bases`` (residents' records).
RESIDENT_KINDS = (
    "household",
    "person",
    "consultation",
    "consultation_unlinked",
    "case",
    "consent",
    "support_plan",
)
#: Kinds whose CHANGE the matrix checks in every situation.
CHANGE_KINDS = ("case", "consent", "support_plan", "agenda_item", "action_item")

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# The world every situation starts from.


class World:
    """地域包括支援センター北 registers the 架空 household (a mother and her son)
    and takes two consultations about it, the first of which the case is opened
    from; 福祉政策課 (the coordinating section) holds the case, with a consent
    naming only itself and a confirmed plan;
    a 支援会議 hosted by 福祉政策課 has the case on its agenda and gave 総務課
    an action item. Nobody else has any basis yet: each situation adds one."""

    def __init__(self, ward: Ward, other_ward: Callable[[], Ward]) -> None:
        self.ward = ward
        #: The second municipality, made only for the situations that need it.
        self._other_ward = other_ward
        self.municipality = ward.municipality
        self.registrar = ward.member(Role.COUNSELOR)  # 地域包括支援センター北
        self.coordinator = ward.member(Role.COORDINATOR)  # 福祉政策課
        self.south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
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
        self.consultation = rf.consultation(
            self.registrar, ward.center, household=self.household, subjects=[self.head]
        )
        self.consultation_unlinked = rf.consultation(
            self.registrar,
            ward.center,
            household=self.household,
            subjects=[self.son],
            summary="長男から、家賃の支払いが遅れているとの相談。",
        )
        self.case = cf.case(
            self.coordinator,
            ward.coordinating,
            self.household,
            consultations=[self.consultation],
        )
        self.consent = cf.consent(self.coordinator, self.case, organizations=[ward.coordinating])
        self.plan = cf.active_plan(self.coordinator, self.case)
        self.meeting = cf.meeting(self.coordinator, ward.coordinating)
        self.agenda_item = cf.on_agenda(
            self.coordinator, self.meeting, self.case, review=AgendaItem.Review.MONITORING
        )
        with self.tenant():
            decisions_record(
                actor=self.coordinator,
                item=self.agenda_item,
                policy_text="長男の就労相談と母の介護サービス調整を並行して進める。",
                roles="総務課: 滞納の分納相談",
                lead_organization=None,
                actions=[
                    NewAction(
                        owner_organization=ward.department,
                        content="分納の相談日を決めて本人に連絡する",
                        due_on=timezone.localdate() + datetime.timedelta(days=14),
                    )
                ],
            )
            self.action_item = ActionItem.objects.get(agenda_item=self.agenda_item)

    @property
    def other_ward(self) -> Ward:
        return self._other_ward()

    def tenant(self) -> Any:
        return tenancy.tenant_context(self.municipality)

    def records(self) -> dict[str, Any]:
        """Each record of the matrix as a new request would load it."""
        with self.tenant():
            return {
                "household": Household.objects.get(pk=self.household.pk),
                "person": Person.objects.get(pk=self.son.pk),
                "consultation": Consultation.objects.get(pk=self.consultation.pk),
                "consultation_unlinked": Consultation.objects.get(pk=self.consultation_unlinked.pk),
                "case": Case.objects.get(pk=self.case.pk),
                "consent": Consent.objects.get(pk=self.consent.pk),
                "support_plan": SupportPlan.objects.get(pk=self.plan.pk),
                "meeting": Meeting.objects.get(pk=self.meeting.pk),
                "agenda_item": AgendaItem.objects.get(pk=self.agenda_item.pk),
                "action_item": ActionItem.objects.get(pk=self.action_item.pk),
            }

    # Steps the situations take.

    def consent_for(self, *organizations: Organization, **fields: Any) -> Consent:
        return cf.consent(self.coordinator, self.case, organizations=organizations, **fields)

    def withdraw(self, consent: Consent) -> None:
        with self.tenant():
            consent_withdraw(
                actor=self.coordinator, consent=consent, note="本人から電話で撤回の申し出があった"
            )

    def team_add(self, organization: Organization) -> None:
        with self.tenant():
            case_team_add(
                actor=self.coordinator,
                case=Case.objects.get(pk=self.case.pk),
                organization=organization,
            )

    def team_leave(self, organization: Organization) -> None:
        with self.tenant():
            case = Case.objects.get(pk=self.case.pk)
            member = case.team.get(organization=organization, left_on=None)
            case_team_leave(actor=self.coordinator, case=case, member=member)

    def close_case(self) -> None:
        cf.to_stage(
            self.coordinator,
            self.case,
            Stage.CLOSED,
            closure_reason=ClosureReason.GOALS_MET,
            evaluation="就労が決まり、介護サービスも安定した。",
        )

    def emergency(self, staff: Staff, organization: Organization | None) -> None:
        with self.tenant():
            emergency_access_open(
                actor=staff,
                organization_id=organization.pk if organization else None,
                household=self.household,
                reason="安否確認の通報があり、至急世帯の状況を確認するため",
            )

    def guest(self, meeting: Meeting | None = None, pledge: bool = True) -> tuple[Staff, str]:
        """An external guest (テスト警察署) invited to ``meeting``: the account and its password."""
        assert self.ward.external is not None
        with self.tenant():
            invitation = guest_invite(
                actor=self.coordinator,
                meeting=meeting or self.meeting,
                organization=self.ward.external,
                name="山田 太郎",
                expires_at=timezone.now() + datetime.timedelta(hours=3),
            )
            guest = invitation.attendee.staff
            assert guest is not None
            if pledge:
                pledge_record(actor=guest, attendee=invitation.attendee)
        return guest, invitation.password

    def expire(self, staff: Staff) -> None:
        with self.tenant():
            Staff.objects.filter(pk=staff.pk).update(
                expires_at=timezone.now() - datetime.timedelta(seconds=1)
            )


def _fresh(staff: Staff) -> Staff:
    """The staff member as a new request would load them (no cached memberships)."""
    return Staff.all_tenants.get(pk=staff.pk)


# ---------------------------------------------------------------------------
# Situations: each builds on the world and names the viewer.


Setup = Callable[[World], Staff]


def own_registrar(w: World) -> Staff:
    return w.registrar


def own_org_manager(w: World) -> Staff:
    return w.ward.member(Role.ORG_MANAGER)


def own_consultation(w: World) -> Staff:
    """地域包括支援センター南 takes a consultation of its own about the household."""
    rf.consultation(w.south, w.ward.other_center, household=w.household, subjects=[w.son])
    return w.south


def referral_accepted(w: World) -> Staff:
    referral = rf.referral(
        w.registrar,
        w.ward.center,
        w.ward.other_center,
        household=w.household,
        consultation=w.consultation,
        persons=[w.head],
    )
    rf.accepted(referral, w.south)
    return w.south


def consent_names_org(w: World) -> Staff:
    w.consent_for(w.ward.other_center)
    return w.south


def consent_case_team(w: World) -> Staff:
    w.team_add(w.ward.other_center)
    w.consent_for(covers_case_team=True)
    return w.south


def consent_case_team_left(w: World) -> Staff:
    consent_case_team(w)
    w.team_leave(w.ward.other_center)
    return w.south


def consent_withdrawn(w: World) -> Staff:
    w.withdraw(w.consent_for(w.ward.other_center))
    return w.south


def consent_expired(w: World) -> Staff:
    today = timezone.localdate()
    w.consent_for(
        w.ward.other_center,
        obtained_on=today - datetime.timedelta(days=60),
        valid_from=today - datetime.timedelta(days=60),
        valid_until=today - datetime.timedelta(days=1),
    )
    return w.south


def consent_not_yet_valid(w: World) -> Staff:
    w.consent_for(w.ward.other_center, valid_from=timezone.localdate() + datetime.timedelta(days=1))
    return w.south


def consent_without_information_sharing(w: World) -> Staff:
    """The person agreed to the plan meeting and the plan, not to sharing records."""
    w.consent_for(w.ward.other_center, for_information_sharing=False)
    return w.south


def consent_other_household(w: World) -> Staff:
    """A consent naming the centre, for another household's case."""
    neighbour = rf.household(
        w.registrar,
        w.ward.center,
        head=rf.person(w.registrar, w.ward.center, family_name="別所", given_name="三郎"),
    )
    other_case = cf.case(w.coordinator, w.ward.coordinating, neighbour, title="別世帯のケース")
    cf.consent(w.coordinator, other_case, organizations=[w.ward.other_center])
    return w.south


def support_meeting_pledged(w: World) -> Staff:
    cf.attend(w.coordinator, w.meeting, w.south, w.ward.other_center, pledge=True)
    cf.hold(w.coordinator, w.meeting)
    return w.south


def support_meeting_unpledged(w: World) -> Staff:
    cf.attend(w.coordinator, w.meeting, w.south, w.ward.other_center, pledge=False)
    return w.south


def support_meeting_case_closed(w: World) -> Staff:
    support_meeting_pledged(w)
    w.close_case()
    return w.south


def support_meeting_cancelled(w: World) -> Staff:
    cf.attend(w.coordinator, w.meeting, w.south, w.ward.other_center, pledge=True)
    with w.tenant():
        meeting_cancel(
            actor=w.coordinator, meeting=Meeting.objects.get(pk=w.meeting.pk), reason="台風のため"
        )
    return w.south


def guest_pledged(w: World) -> Staff:
    return w.guest()[0]


def guest_unpledged(w: World) -> Staff:
    return w.guest(pledge=False)[0]


def guest_expired(w: World) -> Staff:
    guest, _password = w.guest()
    w.expire(guest)
    return guest


def guest_of_another_meeting(w: World) -> Staff:
    """A guest pledged at another 支援会議 about the same case."""
    other = cf.meeting(w.coordinator, w.ward.coordinating, title="臨時の支援会議")
    cf.on_agenda(w.coordinator, other, w.case, review=AgendaItem.Review.MONITORING)
    return w.guest(meeting=other)[0]


def coordinator(w: World) -> Staff:
    return w.coordinator


def coordinator_other_tenant(w: World) -> Staff:
    return w.other_ward.member(Role.COORDINATOR)


def coordinator_second_section(w: World) -> Staff:
    """A second coordinating section of the same municipality, not holding the case."""
    with w.tenant():
        section = Organization.objects.create(
            name="福祉総合相談課", kind=Organization.Kind.DEPARTMENT, is_coordinating=True
        )
    return rf.staff_at(w.ward, section, Role.COORDINATOR, "second-section")


def coordinating_section_manager(w: World) -> Staff:
    return w.ward.member(Role.MANAGER)


def emergency(w: World) -> Staff:
    w.emergency(w.south, w.ward.other_center)
    return w.south


def action_item_owner(w: World) -> Staff:
    """A counsellor of 総務課, the organization the meeting gave the task to."""
    return rf.staff_at(w.ward, w.ward.department, Role.COUNSELOR, "department")


def neighbour_other_organization(w: World) -> Staff:
    return w.south


def neighbour_other_tenant(w: World) -> Staff:
    return w.other_ward.member(Role.COUNSELOR)


def neighbour(role: str) -> Setup:
    def setup(w: World) -> Staff:
        return w.ward.member(role)

    return setup


# ---------------------------------------------------------------------------
# The matrix: the basis each record is shown under (None: refused), and the
# kinds of CHANGE_KINDS the viewer may change.

NONE: dict[str, policy.Basis | None] = dict.fromkeys(KINDS)


def expect(**bases: policy.Basis) -> dict[str, policy.Basis | None]:
    return {**NONE, **bases}


OWN = expect(
    household=B.OWN_ORGANIZATION,
    person=B.OWN_ORGANIZATION,
    consultation=B.OWN_ORGANIZATION,
    consultation_unlinked=B.OWN_ORGANIZATION,
)
CONSENT = expect(
    household=B.CONSENT,
    person=B.CONSENT,
    consultation=B.CONSENT,  # attached to the case: part of its record
    case=B.CONSENT,
    consent=B.CONSENT,
    support_plan=B.CONSENT,
    # What was put before a meeting about the case, and decided there, is the
    # case's record: the consent reaches it, not the sitting itself.
    agenda_item=B.CONSENT,
    action_item=B.CONSENT,
)
#: An attendee sees the sitting (date, place, who comes) whatever else holds.
SITTING_ONLY = expect(meeting=B.SUPPORT_MEETING)


@dataclass(frozen=True)
class Situation:
    id: str
    setup: Setup
    expected: dict[str, policy.Basis | None]
    #: Kinds (of CHANGE_KINDS) the viewer may change, with the basis.
    changes: dict[str, policy.Basis] = field(default_factory=dict)


SITUATIONS = [
    # 1. Own organization: the household it registered and the consultation it took.
    Situation("own-registrar", own_registrar, OWN),
    Situation("own-org-manager", own_org_manager, OWN),
    Situation(
        "own-consultation-only",
        own_consultation,
        expect(household=B.OWN_ORGANIZATION, person=B.OWN_ORGANIZATION),
    ),
    # 2. Referral: the household and the attached consultation once accepted.
    Situation(
        "referral-accepted",
        referral_accepted,
        expect(household=B.REFERRAL, person=B.REFERRAL, consultation=B.REFERRAL),
    ),
    # 3. Consent: named, or the case team while the organization is in it.
    Situation("consent-names-org", consent_names_org, CONSENT),
    Situation("consent-case-team", consent_case_team, CONSENT),
    Situation("consent-case-team-left", consent_case_team_left, NONE),
    Situation("consent-withdrawn", consent_withdrawn, NONE),
    Situation("consent-expired", consent_expired, NONE),
    Situation("consent-not-yet-valid", consent_not_yet_valid, NONE),
    Situation("consent-without-information-sharing", consent_without_information_sharing, NONE),
    Situation("consent-other-household", consent_other_household, NONE),
    # 4. 支援会議: a pledged attending organization, while the case is open.
    Situation(
        "support-meeting-pledged",
        support_meeting_pledged,
        expect(
            household=B.SUPPORT_MEETING,
            person=B.SUPPORT_MEETING,
            case=B.SUPPORT_MEETING,
            consent=B.SUPPORT_MEETING,
            meeting=B.SUPPORT_MEETING,
            agenda_item=B.SUPPORT_MEETING,
            action_item=B.SUPPORT_MEETING,
        ),
    ),
    Situation("support-meeting-unpledged", support_meeting_unpledged, SITTING_ONLY),
    Situation("support-meeting-case-closed", support_meeting_case_closed, SITTING_ONLY),
    Situation("support-meeting-cancelled", support_meeting_cancelled, SITTING_ONLY),
    Situation(
        "guest-pledged",
        guest_pledged,
        # The meeting's material: the briefs and the decisions with their tasks.
        expect(
            meeting=B.SUPPORT_MEETING,
            agenda_item=B.SUPPORT_MEETING,
            action_item=B.SUPPORT_MEETING,
        ),
    ),
    Situation("guest-unpledged", guest_unpledged, SITTING_ONLY),
    Situation("guest-expired", guest_expired, NONE),
    Situation("guest-of-another-meeting", guest_of_another_meeting, NONE),
    # 5. Coordinator: the coordinating section holding the case.
    Situation(
        "coordinator",
        coordinator,
        expect(
            household=B.COORDINATOR,
            person=B.COORDINATOR,
            consultation=B.COORDINATOR,
            case=B.COORDINATOR,
            consent=B.COORDINATOR,
            support_plan=B.COORDINATOR,
            meeting=B.COORDINATOR,  # it hosts the sitting as the coordinating section
            agenda_item=B.COORDINATOR,
            action_item=B.COORDINATOR,
        ),
        changes=dict.fromkeys(CHANGE_KINDS, B.COORDINATOR),
    ),
    Situation("coordinator-other-tenant", coordinator_other_tenant, NONE),
    Situation("coordinator-second-section", coordinator_second_section, NONE),
    Situation("coordinating-section-manager", coordinating_section_manager, NONE),
    # 6. Emergency: the whole household, read-only.
    Situation(
        "emergency",
        emergency,
        expect(**{kind: B.EMERGENCY for kind in KINDS if kind != "meeting"}),
    ),
    # The organization a meeting gave a task to: the task, to do and to mark done.
    Situation(
        "action-item-owner",
        action_item_owner,
        expect(action_item=B.SUPPORT_MEETING),
        changes={"action_item": B.SUPPORT_MEETING},
    ),
    # 7. Neighbours.
    Situation("neighbour-other-organization", neighbour_other_organization, NONE),
    Situation("neighbour-other-tenant", neighbour_other_tenant, NONE),
    Situation("neighbour-sysadmin", neighbour(Role.SYSADMIN), NONE),
    Situation("neighbour-manager", neighbour(Role.MANAGER), NONE),
    Situation("neighbour-auditor", neighbour(Role.AUDITOR), NONE),
]
BY_ID = {situation.id: situation for situation in SITUATIONS}
assert len(BY_ID) == len(SITUATIONS)


# ---------------------------------------------------------------------------
# The checks.


def _view_problems(viewer: Staff, kind: str, obj: Any, expected: policy.Basis | None) -> list[str]:
    """How decide, visible and bases disagree with the expected basis for one cell."""
    problems = []
    resource = RESOURCES[kind]
    decision = policy.decide(viewer, A.VIEW, resource, obj)
    if (decision.allowed, decision.basis) != (expected is not None, expected):
        problems.append(f"decide: {decision.allowed} {decision.basis}, expected {expected}")
    in_visible = policy.visible(viewer, resource, A.VIEW).filter(pk=obj.pk).exists()
    if in_visible != (expected is not None):
        problems.append(f"visible: {'in' if in_visible else 'not in'} the queryset")
    if kind in RESIDENT_KINDS:
        basis = policy.bases(viewer, resource, [obj]).get(obj.pk)
        if basis != expected:
            problems.append(f"bases: {basis}")
    return problems


def _change_problems(viewer: Staff, situation: Situation, kind: str, obj: Any) -> list[str]:
    """CHANGE of the case's records and the meeting's: only where the situation
    says so; and nothing at all under an emergency opening (it is for reading)."""
    if kind not in CHANGE_KINDS and situation.expected[kind] != B.EMERGENCY:
        return []
    expected = situation.changes.get(kind)
    if situation.expected[kind] == B.EMERGENCY:
        expected = None
    decision = policy.decide(viewer, A.CHANGE, RESOURCES[kind], obj)
    if (decision.allowed, decision.basis) != (expected is not None, expected):
        return [f"change: {decision.allowed} {decision.basis}, expected {expected}"]
    return []


def _cell_problems(viewer: Staff, situation: Situation, kind: str, obj: Any) -> list[str]:
    return _view_problems(viewer, kind, obj, situation.expected[kind]) + _change_problems(
        viewer, situation, kind, obj
    )


@pytest.fixture
def world(ward: Ward, request: pytest.FixtureRequest) -> World:
    return World(ward, lambda: request.getfixturevalue("other_ward"))


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.id for s in SITUATIONS])
def test_case_matrix(world: World, situation: Situation) -> None:
    viewer = _fresh(situation.setup(world))
    records = world.records()
    problems: dict[str, list[str]] = {}
    for kind in KINDS:
        found = _cell_problems(viewer, situation, kind, records[kind])
        if found:
            problems[kind] = found
    assert problems == {}


# ---------------------------------------------------------------------------
# Cells the matrix cannot express in one line.


@pytest.mark.parametrize("ending", ["consent-withdrawn", "left-the-case-team"])
def test_an_organization_relying_on_a_consent_loses_access_at_once(
    world: World, ending: str
) -> None:
    """The same staff object and the same record objects, asked again right
    after the withdrawal (or the team leaving): no reload, no cache to clear."""
    if ending == "consent-withdrawn":
        consent = world.consent_for(world.ward.other_center)
    else:
        world.team_add(world.ward.other_center)
        consent = world.consent_for(covers_case_team=True)
    south = world.south
    records = world.records()
    kinds = ("household", "person", "consultation", "case", "consent", "support_plan")
    for kind in kinds:
        resource = RESOURCES[kind]
        assert policy.decide(south, A.VIEW, resource, records[kind]).basis == B.CONSENT, kind
        assert policy.visible(south, resource).filter(pk=records[kind].pk).exists(), kind

    if ending == "consent-withdrawn":
        world.withdraw(consent)
    else:
        world.team_leave(world.ward.other_center)

    for kind in kinds:
        resource = RESOURCES[kind]
        assert not policy.decide(south, A.VIEW, resource, records[kind]), kind
        assert not policy.visible(south, resource).filter(pk=records[kind].pk).exists(), kind
        assert policy.bases(south, resource, [records[kind]]) == {}, kind
    # The holder's own consent still stands: the coordinating section works on.
    assert policy.decide(world.coordinator, A.CHANGE, "support_plan", records["support_plan"])


def _plan_meeting_attended_by_the_south_centre(world: World) -> tuple[Consent, AgendaItem]:
    """A 重層的支援会議 about the case, attended by 地域包括支援センター南 under a
    consent naming it (for every purpose, the plan meeting included)."""
    consent = world.consent_for(world.ward.other_center)
    meeting = cf.meeting(
        world.coordinator,
        world.ward.coordinating,
        kinds=[Kind.PLAN_MEETING],
        title="重層的支援会議",
    )
    item = cf.on_agenda(
        world.coordinator,
        meeting,
        world.case,
        kind=Kind.PLAN_MEETING,
        review=AgendaItem.Review.MONITORING,
    )
    cf.attend(world.coordinator, meeting, world.south, world.ward.other_center, pledge=False)
    cf.hold(world.coordinator, meeting)
    with world.tenant():
        return consent, AgendaItem.objects.get(pk=item.pk)


def test_a_plan_meeting_attendee_named_by_the_consent_sees_the_material(world: World) -> None:
    _consent, item = _plan_meeting_attended_by_the_south_centre(world)
    assert policy.decide(world.south, A.VIEW, "agenda_item", item).basis == B.CONSENT


def test_a_plan_meeting_attendee_loses_the_material_when_the_consent_is_withdrawn(
    world: World,
) -> None:
    consent, item = _plan_meeting_attended_by_the_south_centre(world)
    world.withdraw(consent)
    assert not policy.decide(world.south, A.VIEW, "agenda_item", item)


def test_an_expired_guest_can_neither_sign_in_nor_keep_a_session(world: World) -> None:
    guest, password = world.guest()
    credentials = {"username": guest.username, "password": password}
    session = Client()
    response = session.post("/login/", credentials)
    assert response.status_code == 302, "a guest within their time signs in"
    assert "_auth_user_id" in session.session

    world.expire(guest)
    # The open session no longer carries them: the login page is asked for again.
    response = session.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    # A new sign-in with the right password is refused.
    fresh = Client()
    response = fresh.post("/login/", credentials)
    assert response.status_code == 200
    assert "_auth_user_id" not in fresh.session
    # And the policy answers nothing to the account as a request loads it.
    expired = _fresh(guest)
    records = world.records()
    for kind in KINDS:
        assert not policy.decide(expired, A.VIEW, RESOURCES[kind], records[kind]), kind
        assert not policy.visible(expired, RESOURCES[kind]).exists(), kind


def test_a_guest_sees_only_their_own_meeting_of_the_case(world: World) -> None:
    other = cf.meeting(world.coordinator, world.ward.coordinating, title="臨時の支援会議")
    theirs = cf.on_agenda(world.coordinator, other, world.case, review=AgendaItem.Review.MONITORING)
    guest = _fresh(world.guest(meeting=other)[0])
    records = world.records()
    assert policy.decide(guest, A.VIEW, "agenda_item", theirs).basis == B.SUPPORT_MEETING
    assert list(policy.visible(guest, "agenda_item").values_list("pk", flat=True)) == [theirs.pk]
    assert not policy.decide(guest, A.VIEW, "agenda_item", records["agenda_item"])
    assert not policy.decide(guest, A.VIEW, "meeting", records["meeting"])
    # Nothing outside the meeting's material, not even master data.
    for resource in ("organization", "aggregate"):
        assert not policy.decide(guest, A.VIEW, resource)


def test_an_attending_organization_does_not_change_the_case_or_the_tasks_of_others(
    world: World,
) -> None:
    viewer = _fresh(support_meeting_pledged(world))
    records = world.records()
    for kind in CHANGE_KINDS:
        assert not policy.decide(viewer, A.CHANGE, kind, records[kind]), kind
    for kind in ("case", "consent", "support_plan"):
        assert not policy.decide(viewer, A.ARCHIVE, kind, records[kind]), kind
        assert not policy.decide(viewer, A.CREATE, kind, records[kind]), kind


def test_a_support_meeting_basis_reads_the_household_but_does_not_change_it(
    world: World,
) -> None:
    viewer = _fresh(support_meeting_pledged(world))
    records = world.records()
    for kind in ("household", "person"):
        assert policy.decide(viewer, A.VIEW, kind, records[kind]).basis == B.SUPPORT_MEETING
        assert not policy.decide(viewer, A.CHANGE, kind, records[kind]), kind


def test_a_stakeholder_meeting_host_cannot_put_a_case_it_does_not_see_on_the_agenda(
    world: World,
) -> None:
    """A 関係者会議 is no legal basis: a centre hosting one may not pull another
    household's case (and its pre-filled brief) onto its agenda."""
    host = world.south
    meeting = cf.meeting(
        host, world.ward.other_center, kinds=[Kind.STAKEHOLDER], title="関係者会議"
    )
    assert not policy.decide(host, A.VIEW, "case", world.records()["case"])
    try:
        item = cf.on_agenda(host, meeting, world.case, kind=Kind.STAKEHOLDER)
    except ValidationError:
        return
    leaked = policy.decide(host, A.VIEW, "agenda_item", item)
    pytest.fail(
        f"the case went on the agenda; the host reads its brief ({leaked.basis}): "
        f"{item.brief_household!r}"
    )
