"""The permission matrix of 地域づくり and reporting: activity records,
counted entries, community places, community projects, regional issues and
the report's configuration × every role of the ward and a neighbour's staff.

- An activity record is its organization's own record (access.md, basis 1):
  only that organization lists, reads and corrects it; those without casework
  (managers, the system administrator, the auditor, guests) have no list.
  One about a household follows that household's cases like the other
  records an organization makes about it (the coordinating section holding a
  case, an organization a consent covers, an emergency opening — to read).
- Counted entries, places, projects and issues hold no resident's data:
  every staff member of the municipality reads them (not a guest); counted
  entries are kept by their own organization, the others by anyone doing
  casework and the system administrator.
- The report's configuration is read by every staff member and set up by the
  coordinating section, managers and the system administrator.

For each cell: ``policy.decide`` at the type level (no object) for
LIST/VIEW/CREATE/CHANGE, and on the object for LIST/VIEW/CHANGE, with the
basis; and whether the object is in ``policy.visible`` for LIST/VIEW/CHANGE.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, Category, CountedEntry, Kind, Mode
from tsunagu.activities.services import activity_record_create, counted_entry_save
from tsunagu.cases.services import consent_withdraw
from tsunagu.community.models import CommunityPlace, CommunityProject, IssueSource, RegionalIssue
from tsunagu.core import tenancy
from tsunagu.people.services import emergency_access_open
from tsunagu.reports.models import ReportTable
from tsunagu.resources.models import Category as ResourceCategory
from tsunagu.resources.models import Provider, Resource
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

A = policy.Action
B = policy.Basis

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# The world: 地域包括支援センター北 (the recording organization) keeps an
# activity record and a month's count; a place, a project and an issue of the
# north district; one table of the business report.


class World:
    def __init__(self, ward: Ward, other_ward: Callable[[], Ward]) -> None:
        self.ward = ward
        self._other_ward = other_ward
        self.recorder = ward.member(Role.COUNSELOR)  # 地域包括支援センター北
        self.south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
        north = ward.districts[0]
        with self.tenant():
            self.record = activity_record_create(
                actor=self.recorder,
                organization=ward.center,
                occurred_on=timezone.localdate(),
                district=north,
                category=Category.COMMUNITY,
                kind=Kind.LAUNCH,
                intent="子ども食堂の立ち上げに向けて町会と話す",
            )
            self.entry = counted_entry_save(
                actor=self.recorder,
                organization=ward.center,
                item="親子ひろば利用者数",
                month=timezone.localdate().replace(day=1),
                count=1300,
            )
            provider = Provider.objects.create(name="北町会")
            resource = Resource.objects.create(
                provider=provider,
                name="北ふれあいサロン",
                category=ResourceCategory.SALON,
                is_community_place=True,
            )
            self.place = CommunityPlace.objects.create(
                resource=resource, operator="町会有志", district=north, opening_frequency="週1回"
            )
            self.project = CommunityProject.objects.create(
                title="北こども食堂",
                district=north,
                organization=ward.center,
                stage_changed_on=timezone.localdate(),
                purpose="夕食をひとりで食べる子どもが多い",
            )
            self.issue = RegionalIssue.objects.create(
                title="移動手段のない高齢者の買い物",
                description="坂の多い地区で複数の相談に共通している",
                district=north,
                source=IssueSource.ACTIVITY,
                raised_on=timezone.localdate(),
                organization=ward.center,
            )
            self.table = ReportTable.objects.create(business_number=5, title="地域支援")

    @property
    def other_ward(self) -> Ward:
        return self._other_ward()

    def tenant(self) -> Any:
        return tenancy.tenant_context(self.ward.municipality)

    def objects(self) -> dict[str, Any]:
        """Each resource's object as a new request would load it."""
        with self.tenant():
            return {
                "activity_record": ActivityRecord.objects.get(pk=self.record.pk),
                "counted_entry": CountedEntry.objects.get(pk=self.entry.pk),
                "community_place": CommunityPlace.objects.get(pk=self.place.pk),
                "community_project": CommunityProject.objects.get(pk=self.project.pk),
                "regional_issue": RegionalIssue.objects.get(pk=self.issue.pk),
                "report_configuration": ReportTable.objects.get(pk=self.table.pk),
            }


def _fresh(staff: Staff) -> Staff:
    """The staff member as a new request would load them (no cached memberships)."""
    return Staff.all_tenants.get(pk=staff.pk)


VIEWERS: dict[str, Callable[[World], Staff]] = {
    "recording-counselor": lambda w: w.recorder,
    "other-org-counselor": lambda w: w.south,
    "org-manager": lambda w: w.ward.member(Role.ORG_MANAGER),  # of the recording organization
    "coordinator": lambda w: w.ward.member(Role.COORDINATOR),
    "manager": lambda w: w.ward.member(Role.MANAGER),
    "sysadmin": lambda w: w.ward.member(Role.SYSADMIN),
    "auditor": lambda w: w.ward.member(Role.AUDITOR),
    "guest": lambda w: w.ward.member(Role.GUEST),
    "other-municipality": lambda w: w.other_ward.member(Role.COUNSELOR),
}

# ---------------------------------------------------------------------------
# The matrix. Each cell: type-level decisions for LIST VIEW CREATE CHANGE,
# object decisions for LIST VIEW CHANGE, membership of visible for LIST VIEW
# CHANGE. O 自機関 · C 多機関協働事務局 · M 同じ自治体の職員 · S システム管理者 ·
# + allowed with no basis yet (the object decides) · - refused; y/n in visible.

TYPE_ACTIONS = (A.LIST, A.VIEW, A.CREATE, A.CHANGE)
OBJECT_ACTIONS = (A.LIST, A.VIEW, A.CHANGE)
BASES = {
    "O": B.OWN_ORGANIZATION,
    "C": B.COORDINATOR,
    "M": B.MUNICIPALITY_STAFF,
    "S": B.SYSTEM_ADMINISTRATOR,
    "E": B.EMERGENCY,
    "K": B.CONSENT,
}

# Activity records: casework roles may list and enter (their own organization's);
# opening one is open at the type level (an emergency opening gives anyone a
# basis), the object decides.
ACTIVITY_RECORD = {
    "recording-counselor": ("O + O O", "O O O", "y y y"),
    "other-org-counselor": ("O + O O", "- - -", "n n n"),
    "org-manager": ("O + O O", "O O O", "y y y"),
    "coordinator": ("O + O O", "- - -", "n n n"),
    "manager": ("- + - -", "- - -", "n n n"),
    "sysadmin": ("- + - -", "- - -", "n n n"),
    "auditor": ("- + - -", "- - -", "n n n"),
    "guest": ("- + - -", "- - -", "n n n"),
    "other-municipality": ("O + O O", "- - -", "n n n"),
}
COUNTED_ENTRY = {
    "recording-counselor": ("M M O O", "M M O", "y y y"),
    "other-org-counselor": ("M M O O", "M M -", "y y n"),
    "org-manager": ("M M O O", "M M O", "y y y"),
    "coordinator": ("M M O O", "M M -", "y y n"),
    "manager": ("M M - -", "M M -", "y y n"),
    "sysadmin": ("M M - -", "M M -", "y y n"),
    "auditor": ("M M - -", "M M -", "y y n"),
    "guest": ("- - - -", "- - -", "n n n"),
    "other-municipality": ("M M O O", "- - -", "n n n"),
}
# Places, projects and issues: kept by anyone doing casework and community work.
COMMUNITY = {
    "recording-counselor": ("M M O O", "M M O", "y y y"),
    "other-org-counselor": ("M M O O", "M M O", "y y y"),
    "org-manager": ("M M O O", "M M O", "y y y"),
    "coordinator": ("M M O O", "M M O", "y y y"),
    "manager": ("M M - -", "M M -", "y y n"),
    "sysadmin": ("M M S S", "M M S", "y y y"),
    "auditor": ("M M - -", "M M -", "y y n"),
    "guest": ("- - - -", "- - -", "n n n"),
    "other-municipality": ("M M O O", "- - -", "n n n"),
}
# The report's configuration has no visible set of its own (no personal data, no list rule).
REPORT_CONFIGURATION = {
    "recording-counselor": ("M M - -", "M M -", None),
    "other-org-counselor": ("M M - -", "M M -", None),
    "org-manager": ("M M - -", "M M -", None),
    "coordinator": ("M M M M", "M M M", None),
    "manager": ("M M M M", "M M M", None),
    "sysadmin": ("M M S S", "M M S", None),
    "auditor": ("M M - -", "M M -", None),
    "guest": ("- - - -", "- - -", None),
    "other-municipality": ("M M - -", "- - -", None),
}
MATRIX: dict[str, dict[str, tuple[str, str, str | None]]] = {
    "activity_record": ACTIVITY_RECORD,
    "counted_entry": COUNTED_ENTRY,
    "community_place": COMMUNITY,
    "community_project": COMMUNITY,
    "regional_issue": COMMUNITY,
    "report_configuration": REPORT_CONFIGURATION,
}


def _expected(cell: str) -> tuple[bool, policy.Basis | None]:
    if cell == "-":
        return False, None
    if cell == "+":
        return True, None
    return True, BASES[cell]


def _problems(
    viewer: Staff, resource: str, obj: Any, row: tuple[str, str, str | None]
) -> list[str]:
    type_cells, object_cells, visible_cells = row
    problems = []
    for action, cell in zip(TYPE_ACTIONS, type_cells.split(), strict=True):
        decision = policy.decide(viewer, action, resource)
        if (decision.allowed, decision.basis) != _expected(cell):
            problems.append(f"type {action}: {decision.allowed} {decision.basis}")
    for action, cell in zip(OBJECT_ACTIONS, object_cells.split(), strict=True):
        decision = policy.decide(viewer, action, resource, obj)
        if (decision.allowed, decision.basis) != _expected(cell):
            problems.append(f"object {action}: {decision.allowed} {decision.basis}")
    if visible_cells is not None:
        for action, cell in zip(OBJECT_ACTIONS, visible_cells.split(), strict=True):
            found = policy.visible(viewer, resource, action).filter(pk=obj.pk).exists()
            if found != (cell == "y"):
                problems.append(f"visible {action}: {'in' if found else 'not in'}")
    return problems


@pytest.fixture
def world(ward: Ward, request: pytest.FixtureRequest) -> World:
    return World(ward, lambda: request.getfixturevalue("other_ward"))


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_community_and_reporting_matrix(world: World, viewer: str) -> None:
    staff = _fresh(VIEWERS[viewer](world))
    objects = world.objects()
    problems = {
        resource: found
        for resource, rows in MATRIX.items()
        if (found := _problems(staff, resource, objects[resource], rows[viewer]))
    }
    assert problems == {}


def test_the_matrix_covers_every_new_rule() -> None:
    assert set(MATRIX) <= set(policy.RULES)
    for rows in MATRIX.values():
        assert set(rows) == set(VIEWERS)


def test_the_report_configuration_has_no_list_of_its_own(world: World) -> None:
    """Its tables and rows are read through the report pages, not a visible set."""
    with pytest.raises(LookupError):
        policy.visible(world.ward.member(Role.COORDINATOR), "report_configuration")


# ---------------------------------------------------------------------------
# An activity record about a household follows that household's cases.


def _household_record(world: World) -> ActivityRecord:
    household = rf.household(world.recorder, world.ward.center)
    with world.tenant():
        return activity_record_create(
            actor=world.recorder,
            organization=world.ward.center,
            occurred_on=timezone.localdate() - datetime.timedelta(days=1),
            district=world.ward.districts[0],
            category=Category.INDIVIDUAL,
            kind=Kind.INDIVIDUAL_SUPPORT,
            mode=Mode.INDIRECT,
            intent="家族と今後の通院について話す",
            household=household,
        )


def _seen(viewer: Staff, record: ActivityRecord) -> tuple[bool, policy.Basis | None, bool]:
    """(decision on VIEW, its basis, membership of visible LIST) — they must agree."""
    decision = policy.decide(viewer, A.VIEW, "activity_record", record)
    listed = policy.visible(viewer, "activity_record", A.LIST).filter(pk=record.pk).exists()
    assert decision.allowed == listed
    assert policy.bases(viewer, "activity_record", [record]).get(record.pk) == decision.basis
    return decision.allowed, decision.basis, listed


def _refused_change(viewer: Staff, record: ActivityRecord) -> bool:
    return not policy.decide(viewer, A.CHANGE, "activity_record", record) and not (
        policy.visible(viewer, "activity_record", A.CHANGE).filter(pk=record.pk).exists()
    )


def test_the_coordinating_section_holding_a_case_sees_the_record(world: World) -> None:
    record = _household_record(world)
    coordinator = world.ward.member(Role.COORDINATOR)
    assert _seen(coordinator, record) == (False, None, False)
    cf.case(coordinator, world.ward.coordinating, record.household)
    coordinator = _fresh(coordinator)
    assert _seen(coordinator, record) == (True, B.COORDINATOR, True)
    assert _refused_change(coordinator, record)
    # The case reaches the records about its household, not the organization's other work.
    assert not policy.decide(
        coordinator, A.VIEW, "activity_record", world.objects()["activity_record"]
    )


def test_a_consent_naming_an_organization_shows_it_until_withdrawn(world: World) -> None:
    record = _household_record(world)
    coordinator = world.ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, world.ward.coordinating, record.household)
    consent = cf.consent(coordinator, case, organizations=[world.ward.other_center])
    assert _seen(_fresh(world.south), record) == (True, B.CONSENT, True)
    assert _refused_change(_fresh(world.south), record)
    with world.tenant():
        consent_withdraw(actor=coordinator, consent=consent, note="本人から撤回の申し出")
    assert _seen(_fresh(world.south), record) == (False, None, False)


def test_an_emergency_opening_shows_it_to_read_only(world: World) -> None:
    record = _household_record(world)
    south = world.south
    assert _seen(south, record) == (False, None, False)
    with world.tenant():
        emergency_access_open(
            actor=south,
            organization_id=world.ward.other_center.pk,
            household=record.household,
            reason="安否確認の通報があり、至急世帯の状況を確認するため",
        )
    south = _fresh(south)
    assert _seen(south, record) == (True, B.EMERGENCY, True)
    assert _refused_change(south, record)
    # The opening is of that household: the organization's other records stay closed.
    assert not policy.decide(south, A.VIEW, "activity_record", world.objects()["activity_record"])


def test_the_recording_organization_keeps_its_record_whoever_holds_the_case(world: World) -> None:
    record = _household_record(world)
    cf.case(world.ward.member(Role.COORDINATOR), world.ward.coordinating, record.household)
    recorder = _fresh(world.recorder)
    assert _seen(recorder, record) == (True, B.OWN_ORGANIZATION, True)
    assert policy.decide(recorder, A.CHANGE, "activity_record", record).basis == B.OWN_ORGANIZATION
