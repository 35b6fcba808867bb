"""The access policy: the one place that answers "may this user do this to
this object, and on what basis?" and produces the querysets a user may see.

Views, the API, search, exports and reports ask here; nothing else reads
personal data. The default is to deny: a resource with no rule, a role with
no grant, an object outside the visible queryset — all refused.

Bases follow ../shared/design/access.md. The six bases for personal data
(own organization, referral, consent, 支援会議, coordinator, emergency) are
declared here now; the rules for persons, households and records that use
them are added beside the existing rules as those records arrive. Master
data and staff are governed by role bases (システム管理者, 機関管理者, any
staff of the municipality).

Every route is declared to the policy with :func:`route` (or, for the few
pages a stranger must reach, :func:`public_route`); a test walks the URL
configuration and fails on any route that is neither.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff


class Action(models.TextChoices):
    LIST = "list", _("一覧")
    VIEW = "view", _("閲覧")
    CREATE = "create", _("登録")
    CHANGE = "change", _("変更")
    ARCHIVE = "archive", _("アーカイブ")
    EXPORT = "export", _("出力")
    PRINT = "print", _("印刷")


class Basis(models.TextChoices):
    # The legal routes to a resident's personal data (access.md).
    OWN_ORGANIZATION = "own_organization", _("自機関の記録")
    REFERRAL = "referral", _("つなぎ（紹介）による共有")
    CONSENT = "consent", _("本人同意")
    SUPPORT_MEETING = "support_meeting", _("支援会議（法106条の6）")
    COORDINATOR = "coordinator", _("多機関協働事務局")
    EMERGENCY = "emergency", _("緊急時の閲覧")
    # Bases for data that is not a resident's.
    MUNICIPALITY_STAFF = "municipality_staff", _("同じ自治体の職員")
    ORGANIZATION_MANAGER = "organization_manager", _("機関管理者")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("システム管理者")
    AUDITOR = "auditor", _("監査担当")
    SELF = "self", _("本人の情報")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: Basis | None = None

    def __bool__(self) -> bool:
        return self.allowed


DENY = Decision(False)


def _active_staff(user: Any) -> Staff | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not user.is_active or getattr(user, "municipality_id", None) is None:
        return None
    if getattr(user, "is_expired", False):
        return None
    return user


# ---------------------------------------------------------------------------
# Rules, one per resource. A rule answers at the type level (object None:
# "may this user ever do this?") and at the object level, and gives the
# queryset of objects the user may see.


class Rule:
    """Base rule: denies everything. Subclasses grant."""

    resource: str = ""
    #: Views of this resource's objects are personal data and are audited.
    personal: bool = False

    def model(self) -> type[models.Model] | None:
        return None

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        model = self.model()
        if model is None:
            raise LookupError(f"resource {self.resource} has no objects")
        return model._default_manager.none()


class _MasterDataRule(Rule):
    """Organizations, districts, businesses: every staff member of the
    municipality reads them (they address referrals and read reports by them);
    the system administrator maintains them."""

    model_label = ""

    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model_label)

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.is_guest:
            # A meeting's external guest sees that meeting's material and nothing else.
            return DENY
        if action in (Action.LIST, Action.VIEW, Action.EXPORT, Action.PRINT):
            return Decision(True, Basis.MUNICIPALITY_STAFF)
        if action in (Action.CREATE, Action.CHANGE, Action.ARCHIVE) and staff.has_role(
            Role.SYSADMIN
        ):
            return Decision(True, Basis.SYSTEM_ADMINISTRATOR)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if self.decide(staff, action, None):
            return self.model()._default_manager.all()
        return self.model()._default_manager.none()


class OrganizationRule(_MasterDataRule):
    resource = "organization"
    model_label = "directory.Organization"


class DistrictRule(_MasterDataRule):
    resource = "district"
    model_label = "directory.District"


class BusinessRule(_MasterDataRule):
    resource = "business"
    model_label = "directory.SubBusiness"


class StaffRule(Rule):
    """Staff records: the system administrator manages all of them; an
    organization's manager sees the staff of that organization."""

    resource = "staff"
    personal = True

    def model(self) -> type[models.Model]:
        from tsunagu.accounts.models import Staff

        return Staff

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.has_role(Role.SYSADMIN):
            return Decision(True, Basis.SYSTEM_ADMINISTRATOR)
        if action in (Action.LIST, Action.VIEW) and staff.has_role(Role.ORG_MANAGER):
            if obj is None:
                return Decision(True, Basis.ORGANIZATION_MANAGER)
            managed = staff.organization_ids(Role.ORG_MANAGER)
            if obj.memberships.filter(organization_id__in=managed, active=True).exists():
                return Decision(True, Basis.ORGANIZATION_MANAGER)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        from tsunagu.accounts.models import Staff as StaffModel

        decision = self.decide(staff, action, None)
        if decision.basis == Basis.SYSTEM_ADMINISTRATOR:
            return StaffModel.objects.all()
        if decision.basis == Basis.ORGANIZATION_MANAGER:
            managed = staff.organization_ids(Role.ORG_MANAGER)
            return StaffModel.objects.filter(
                pk__in=models.Subquery(
                    _membership_model()
                    .objects.filter(organization_id__in=managed, active=True)
                    .values("staff_id")
                )
            )
        return StaffModel.objects.none()


def _membership_model() -> Any:
    from tsunagu.accounts.models import Membership

    return Membership


class SecuritySettingsRule(Rule):
    """Per-role security settings (two-factor requirement): system administrator."""

    resource = "security_settings"

    def model(self) -> type[models.Model]:
        from tsunagu.accounts.models import RoleSecurity

        return RoleSecurity

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if action in (Action.LIST, Action.VIEW, Action.CHANGE) and staff.has_role(Role.SYSADMIN):
            return Decision(True, Basis.SYSTEM_ADMINISTRATOR)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        model = self.model()
        if self.decide(staff, action, None):
            return model._default_manager.all()
        return model._default_manager.none()


class AuditTrailRule(Rule):
    """The audit trail: the auditor (監査担当) reads and exports it; nobody edits it."""

    resource = "audit_event"

    def model(self) -> type[models.Model]:
        from tsunagu.audit.models import AuditEvent

        return AuditEvent

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if (
            action in (Action.LIST, Action.VIEW, Action.EXPORT)
            and staff.has_role(Role.AUDITOR)
            and (obj is None or obj.municipality_id == staff.municipality_id)
        ):
            return Decision(True, Basis.AUDITOR)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        from tsunagu.audit.models import AuditEvent

        # Audit events are not a TenantModel (failed logins belong to no
        # municipality), so the tenant filter is written here.
        if self.decide(staff, action, None):
            return AuditEvent.objects.filter(municipality_id=staff.municipality_id)
        return AuditEvent.objects.none()


class OwnAccountRule(Rule):
    """A staff member's own account: the home page, password, two-factor devices, tokens."""

    resource = "own_account"

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if obj is None or obj == staff or getattr(obj, "staff_id", None) == staff.pk:
            return Decision(True, Basis.SELF)
        return DENY


class AggregateRule(Rule):
    """Aggregate figures with no personal data (the home page's counts, later the reports)."""

    resource = "aggregate"

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.is_guest:
            return DENY
        if action in (Action.LIST, Action.VIEW, Action.EXPORT, Action.PRINT):
            return Decision(True, Basis.MUNICIPALITY_STAFF)
        return DENY


# ---------------------------------------------------------------------------
# Residents' personal data: households, persons, consultations, referrals.
#
# Access is decided household by household from the records themselves, so
# that it follows them at once (a referral rejected, an emergency opening
# expired): nothing is granted by a flag that could be forgotten.

#: Roles that do casework and so may hold bases to residents' records.
CASEWORK_ROLES = (Role.COUNSELOR, Role.ORG_MANAGER, Role.COORDINATOR)
#: The order bases are named in when several apply (the strongest first).
_BASIS_ORDER = (
    Basis.OWN_ORGANIZATION,
    Basis.COORDINATOR,
    Basis.CONSENT,
    Basis.SUPPORT_MEETING,
    Basis.REFERRAL,
    Basis.EMERGENCY,
)


def _strongest(found: dict[int, set[Basis]]) -> dict[int, Basis]:
    """Each object's strongest basis (the first of _BASIS_ORDER it has); none: absent."""
    return {
        pk: next(basis for basis in _BASIS_ORDER if basis in bases)
        for pk, bases in found.items()
        if bases
    }


def casework_organization_ids(staff: Staff) -> frozenset[int]:
    return staff.organization_ids(*CASEWORK_ROLES)


def _models() -> Any:
    """The resident models, imported late: the policy is loaded before the app registry is ready."""
    from types import SimpleNamespace

    from tsunagu.activities.models import ActivityRecord
    from tsunagu.cases.models import OPEN_STAGES, Case, active_consents
    from tsunagu.consultations.models import Consultation
    from tsunagu.meetings.models import ActionItem, AgendaItem, Attendee, Meeting
    from tsunagu.meetings.models import Kind as MeetingKind
    from tsunagu.meetings.models import Status as MeetingStatus
    from tsunagu.outreach.models import OutreachContact, OutreachVisitor
    from tsunagu.participation.models import Participation, ParticipationProfile
    from tsunagu.people.models import EmergencyAccess, Household, HouseholdMembership, Person
    from tsunagu.plans.models import SupportPlan
    from tsunagu.referrals.models import RECEIVER_HOLDS, RECEIVER_SEES, Referral

    return SimpleNamespace(
        ActionItem=ActionItem,
        ActivityRecord=ActivityRecord,
        AgendaItem=AgendaItem,
        Attendee=Attendee,
        Case=Case,
        Meeting=Meeting,
        MeetingKind=MeetingKind,
        MeetingStatus=MeetingStatus,
        OPEN_STAGES=OPEN_STAGES,
        OutreachContact=OutreachContact,
        OutreachVisitor=OutreachVisitor,
        Participation=Participation,
        ParticipationProfile=ParticipationProfile,
        SupportPlan=SupportPlan,
        active_consents=active_consents,
        Consultation=Consultation,
        EmergencyAccess=EmergencyAccess,
        Household=Household,
        HouseholdMembership=HouseholdMembership,
        Person=Person,
        Referral=Referral,
        RECEIVER_HOLDS=RECEIVER_HOLDS,
        RECEIVER_SEES=RECEIVER_SEES,
    )


def emergency_household_ids(staff: Staff) -> models.QuerySet[Any]:
    """Households this staff member opened in an emergency and may still see."""
    from django.utils import timezone

    m = _models()
    if not casework_organization_ids(staff):
        # An opening outlives no casework membership: a counselor who became a
        # manager or left the organization keeps no emergency basis.
        return m.EmergencyAccess.objects.none().values("household_id")
    return m.EmergencyAccess.objects.filter(staff=staff, expires_at__gt=timezone.now()).values(
        "household_id"
    )


def _held_referrals(staff: Staff, orgs: frozenset[int]) -> models.QuerySet[Any]:
    """Referrals addressed to the staff's organizations and accepted: the receiver
    holds the household's identity and the attached records."""
    m = _models()
    return m.Referral.objects.filter(to_organization_id__in=orgs, status__in=m.RECEIVER_HOLDS)


def consent_case_ids(orgs: frozenset[int], purpose: str = "information_sharing") -> Any:
    """Cases whose consent in force names one of ``orgs``, or the case team while
    one of them is in it (basis 3). Read at every request: a withdrawal, an
    expiry or an organization leaving the team stops access at once."""
    return _consents_covering(orgs, purpose).values("case_id")


def consent_member_ids(orgs: frozenset[int]) -> Any:
    """Persons a consent in force for sharing, covering one of ``orgs``, names
    as its members (a consent may leave household members out)."""
    return _consents_covering(orgs).values("members")


def _consents_covering(orgs: frozenset[int], purpose: str = "information_sharing") -> Any:
    from tsunagu.cases.models import PURPOSE_FIELDS

    m = _models()
    return (
        m.active_consents()
        .filter(**{PURPOSE_FIELDS[purpose]: True})
        .filter(
            models.Q(organizations__in=orgs)
            | models.Q(
                covers_case_team=True,
                case__team__organization_id__in=orgs,
                case__team__left_on=None,
            )
        )
    )


def support_meeting_case_ids(orgs: frozenset[int]) -> Any:
    """Open cases on the agenda of a 支援会議 that a pledged staff member of one of
    ``orgs`` attended (basis 4): the organization keeps access to what was put
    before the meeting until the case closes."""
    m = _models()
    return (
        m.AgendaItem.objects.filter(
            part__kind=m.MeetingKind.SUPPORT_MEETING,
            part__meeting__attendees__organization_id__in=orgs,
            part__meeting__attendees__pledged_at__isnull=False,
            part__meeting__attendees__is_guest=False,
            case__stage__in=m.OPEN_STAGES,
        )
        .exclude(part__meeting__status=m.MeetingStatus.CANCELLED)
        .values("case_id")
    )


def case_bases(staff: Staff, cases: list[Any]) -> dict[int, set[Basis]]:
    """Every basis this staff member has to each case (the case record itself)."""
    m = _models()
    orgs = casework_organization_ids(staff)
    ids = [case.pk for case in cases]
    found: dict[int, set[Basis]] = {pk: set() for pk in ids}
    if orgs and ids:
        for case in cases:
            if case.organization_id in orgs:
                found[case.pk].add(Basis.COORDINATOR)
        for pk in m.Case.objects.filter(pk__in=ids, id__in=consent_case_ids(orgs)).values_list(
            "pk", flat=True
        ):
            found[pk].add(Basis.CONSENT)
        for pk in m.Case.objects.filter(
            pk__in=ids, id__in=support_meeting_case_ids(orgs)
        ).values_list("pk", flat=True):
            found[pk].add(Basis.SUPPORT_MEETING)
    emergency = set(emergency_household_ids(staff).values_list("household_id", flat=True))
    for case in cases:
        if case.household_id in emergency:
            found[case.pk].add(Basis.EMERGENCY)
    return found


def visible_case_condition(staff: Staff) -> models.Q:
    """The cases this staff member sees, as a condition on Case."""
    orgs = casework_organization_ids(staff)
    condition = models.Q(household_id__in=emergency_household_ids(staff))
    if orgs:
        condition |= (
            models.Q(organization_id__in=orgs)
            | models.Q(pk__in=consent_case_ids(orgs))
            | models.Q(pk__in=support_meeting_case_ids(orgs))
        )
    return condition


def household_bases(
    staff: Staff, household_ids: list[int], include_consent: bool = True
) -> dict[int, Basis]:
    """For each household, the basis this staff member sees it under (absent: none)."""
    m = _models()
    orgs = casework_organization_ids(staff)
    found: dict[int, set[Basis]] = {pk: set() for pk in household_ids}
    if not household_ids:
        return {}
    if orgs:
        own: set[int] = set()
        for link in _own_links():
            own |= _own_households(link, orgs, household_ids)
        for pk in own:
            found[pk].add(Basis.OWN_ORGANIZATION)
        for pk, coordinating in (
            _held_referrals(staff, orgs)
            .filter(household_id__in=household_ids)
            .values_list("household_id", "to_organization__is_coordinating")
        ):
            found[pk].add(Basis.COORDINATOR if coordinating else Basis.REFERRAL)
        cases = m.Case.objects.filter(household_id__in=household_ids)
        for pk in cases.filter(organization_id__in=orgs).values_list("household_id", flat=True):
            found[pk].add(Basis.COORDINATOR)
        # The consents and meetings of these households' cases, then whether
        # they cover ``orgs`` — not every case any consent or meeting of
        # ``orgs`` covers, worked out whole (20 ms a household at 20,000 cases).
        if include_consent:
            for pk in (
                _consents_covering(orgs)
                .filter(case__household_id__in=household_ids)
                .values_list("case__household_id", flat=True)
            ):
                found[pk].add(Basis.CONSENT)
        for pk in (
            support_meeting_case_ids(orgs)
            .filter(case__household_id__in=household_ids)
            .values_list("case__household_id", flat=True)
        ):
            found[pk].add(Basis.SUPPORT_MEETING)
    for pk in (
        emergency_household_ids(staff)
        .filter(household_id__in=household_ids)
        .values_list("household_id", flat=True)
    ):
        found[pk].add(Basis.EMERGENCY)
    return _strongest(found)


def _own_links() -> tuple[Any, ...]:
    """The records that are an organization's own about a household (basis 1),
    as their apps declare them (``tsunagu.links``: the household's
    registration, consultations, referrals sent, outreach contacts and their
    visits, participation paths and profiles)."""
    from tsunagu.links import registry

    return tuple(link for link in registry.household_links if link.own)


def _own_households(link: Any, orgs: frozenset[int], household_ids: list[int]) -> set[int]:
    """Which of ``household_ids`` a record of ``link`` that is one of ``orgs``'s own ties to.

    By household only, the organization checked here: given both, SQLite
    walks the organization's index (every consultation it ever took, 70 ms at
    the ward scale) instead of these households' few records."""
    household = "pk" if link.is_self else link.household_path
    rows = (
        link.model_class._default_manager.filter(**{f"{household}__in": household_ids})
        .order_by()
        .values_list(household, *link.own)
        .distinct()
    )
    return {row[0] for row in rows if any(org in orgs for org in row[1:])}


def _own_household_condition(orgs: frozenset[int]) -> models.Q:
    """The households ``orgs`` have a record of their own about, as a condition on Household."""
    condition = models.Q()
    for link in _own_links():
        if link.is_self:
            for lookup in link.own:
                condition |= models.Q(**{f"{lookup}__in": orgs})
            continue
        records = models.Q()
        for lookup in link.own:
            records |= models.Q(**{f"{lookup}__in": orgs})
        condition |= models.Q(
            pk__in=link.model_class._default_manager.filter(
                records, **{f"{link.household_path}__isnull": False}
            ).values(link.household_path)
        )
    return condition


def visible_household_ids(staff: Staff, include_consent: bool = True) -> models.QuerySet[Any]:
    """A subquery of the households this staff member may see on any basis."""
    m = _models()
    orgs = casework_organization_ids(staff)
    condition = models.Q(pk__in=emergency_household_ids(staff))
    if orgs:
        condition |= _own_household_condition(orgs) | models.Q(
            pk__in=_held_referrals(staff, orgs).values("household_id")
        )
        cases = models.Q(organization_id__in=orgs) | models.Q(pk__in=support_meeting_case_ids(orgs))
        if include_consent:
            cases |= models.Q(pk__in=consent_case_ids(orgs))
        condition |= models.Q(pk__in=m.Case.objects.filter(cases).values("household_id"))
    return m.Household.objects.filter(condition).values("pk")


class _ResidentRule(Rule, ABC):
    personal = True

    def type_level(self, staff: Staff, action: Action) -> Decision:
        """May the staff member do ``action`` on this resource at all?

        Lists, searches and new records are casework; opening one record is
        left to the object-level answer, because bases other than casework
        reach single records (a 支援会議 guest's meeting material, an
        emergency opening of a casework colleague)."""
        if action == Action.VIEW or action == Action.PRINT:
            return Decision(True)
        if casework_organization_ids(staff):
            return Decision(True, Basis.OWN_ORGANIZATION)
        return DENY

    @abstractmethod
    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        """Each object's basis for ``staff`` (absent: none)."""

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if obj is None:
            return self.type_level(staff, action)
        return self.decide_on_object(staff, action, obj, self.bases(staff, [obj]).get(obj.pk))

    def decide_on_object(
        self, staff: Staff, action: Action, obj: Any, basis: Basis | None
    ) -> Decision:
        """What ``basis`` allows on ``obj`` (rules whose answer depends on the
        object beyond its basis refine this)."""
        return self.decide_on_basis(action, basis)

    def decide_on_basis(self, action: Action, basis: Basis | None) -> Decision:
        """What ``basis`` to one object allows: reading, and working on it unless
        the basis is an emergency opening; archiving only one's own records."""
        if basis is None:
            return DENY
        if action in (Action.VIEW, Action.LIST, Action.PRINT, Action.EXPORT):
            return Decision(True, basis)
        # An emergency opening is for reading, and so is a 支援会議's material
        # (§106-6 lets attendees share and discuss, not edit others' records);
        # changes need a working basis.
        if basis in (Basis.EMERGENCY, Basis.SUPPORT_MEETING):
            return DENY
        if action == Action.ARCHIVE and basis != Basis.OWN_ORGANIZATION:
            return DENY
        return Decision(True, basis)


class HouseholdRule(_ResidentRule):
    resource = "household"

    def model(self) -> type[models.Model]:
        return _models().Household

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        return household_bases(staff, [obj.pk for obj in objects])

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        m = _models()
        if not self.type_level(staff, action):
            return m.Household.objects.none()
        return m.Household.objects.filter(pk__in=visible_household_ids(staff))


class PersonRule(_ResidentRule):
    """A person is seen under the basis of a household they belong or belonged
    to, or because the staff member's organization registered them. Under a
    consent, only the household members the consent names."""

    resource = "person"

    def model(self) -> type[models.Model]:
        return _models().Person

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        m = _models()
        person_ids = [obj.pk for obj in objects]
        links = list(
            m.HouseholdMembership.objects.filter(person_id__in=person_ids).values_list(
                "person_id", "household_id"
            )
        )
        by_household = household_bases(staff, sorted({h for _p, h in links}))
        orgs = casework_organization_ids(staff)
        by_consent = [h for h, basis in by_household.items() if basis == Basis.CONSENT]
        without_consent: dict[int, Basis] = {}
        covered: set[int] = set()
        if by_consent:
            without_consent = household_bases(staff, by_consent, include_consent=False)
            covered = set(
                m.Person.objects.filter(
                    pk__in=person_ids, id__in=consent_member_ids(orgs)
                ).values_list("pk", flat=True)
            )
        found: dict[int, set[Basis]] = {pk: set() for pk in person_ids}
        for person_id, household_id in links:
            basis = by_household.get(household_id)
            if basis == Basis.CONSENT and person_id not in covered:
                basis = without_consent.get(household_id)
            if basis is not None:
                found[person_id].add(basis)
        for obj in objects:
            if obj.registered_by_id in orgs:
                found[obj.pk].add(Basis.OWN_ORGANIZATION)
        if orgs:
            # Persons named on an accepted referral, with or without a household.
            through = m.Referral.persons.through
            for person_id, coordinating in through.objects.filter(
                person_id__in=person_ids,
                referral_id__in=_held_referrals(staff, orgs).values("pk"),
            ).values_list("person_id", "referral__to_organization__is_coordinating"):
                found[person_id].add(Basis.COORDINATOR if coordinating else Basis.REFERRAL)
        return _strongest(found)

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        m = _models()
        if not self.type_level(staff, action):
            return m.Person.objects.none()
        condition = models.Q(
            pk__in=m.HouseholdMembership.objects.filter(
                household_id__in=visible_household_ids(staff, include_consent=False)
            ).values("person_id")
        )
        orgs = casework_organization_ids(staff)
        if orgs:
            condition |= models.Q(pk__in=consent_member_ids(orgs))
            condition |= models.Q(registered_by_id__in=orgs) | models.Q(
                pk__in=m.Referral.persons.through.objects.filter(
                    referral_id__in=_held_referrals(staff, orgs).values("pk")
                ).values("person_id")
            )
        return m.Person.objects.filter(condition)


class ConsultationRule(_ResidentRule):
    """A consultation is seen by its own organization, by the receiver of an
    accepted referral it is attached to, as part of a case's record (by the
    coordinating section holding the case and the organizations a consent
    covers), and in an emergency opening of its household. Only its own
    organization changes it."""

    resource = "consultation"

    def model(self) -> type[models.Model]:
        return _models().Consultation

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        m = _models()
        orgs = casework_organization_ids(staff)
        found: dict[int, set[Basis]] = {obj.pk: set() for obj in objects}
        for obj in objects:
            if obj.organization_id in orgs:
                found[obj.pk].add(Basis.OWN_ORGANIZATION)
        ids = [obj.pk for obj in objects]
        if orgs:
            for pk, coordinating in (
                _held_referrals(staff, orgs)
                .filter(consultation_id__in=ids)
                .values_list("consultation_id", "to_organization__is_coordinating")
            ):
                found[pk].add(Basis.COORDINATOR if coordinating else Basis.REFERRAL)
            # Consultations attached to a case are part of its record: the
            # coordinating section holding it and the organizations a consent
            # covers see them.
            through = m.Case.consultations.through
            links = list(
                through.objects.filter(consultation_id__in=ids).values_list(
                    "consultation_id", "case_id", "case__organization_id"
                )
            )
            for pk, _case, holder in links:
                if holder in orgs:
                    found[pk].add(Basis.COORDINATOR)
            # Consents asked for these consultations' cases only (not every case
            # a consent covering ``orgs`` names, worked out whole).
            cases = {case for _pk, case, _holder in links}
            consented = (
                set(
                    _consents_covering(orgs)
                    .filter(case_id__in=cases)
                    .values_list("case_id", flat=True)
                )
                if cases
                else set()
            )
            for pk, case, _holder in links:
                if case in consented:
                    found[pk].add(Basis.CONSENT)
        emergency = set(emergency_household_ids(staff).values_list("household_id", flat=True))
        for obj in objects:
            if obj.household_id is not None and obj.household_id in emergency:
                found[obj.pk].add(Basis.EMERGENCY)
        return _strongest(found)

    def decide_on_basis(self, action: Action, basis: Basis | None) -> Decision:
        decision = super().decide_on_basis(action, basis)
        if action in (Action.CHANGE, Action.ARCHIVE):
            return decision if decision.basis == Basis.OWN_ORGANIZATION else DENY
        return decision

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        m = _models()
        if not self.type_level(staff, action):
            return m.Consultation.objects.none()
        orgs = casework_organization_ids(staff)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            through = m.Case.consultations.through
            condition |= (
                models.Q(organization_id__in=orgs)
                | models.Q(pk__in=_held_referrals(staff, orgs).values("consultation_id"))
                | models.Q(
                    pk__in=through.objects.filter(
                        models.Q(case__organization_id__in=orgs)
                        | models.Q(case_id__in=consent_case_ids(orgs))
                    ).values("consultation_id")
                )
            )
        return m.Consultation.objects.filter(condition)


class ReferralRule(_ResidentRule):
    """A referral is seen by its sender, by its receiver once sent (the content
    shared in it), and in an emergency opening of its household."""

    resource = "referral"

    def model(self) -> type[models.Model]:
        return _models().Referral

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        m = _models()
        orgs = casework_organization_ids(staff)
        emergency = set(emergency_household_ids(staff).values_list("household_id", flat=True))
        result: dict[int, Basis] = {}
        for obj in objects:
            if obj.from_organization_id in orgs:
                result[obj.pk] = Basis.OWN_ORGANIZATION
            elif obj.to_organization_id in orgs and obj.status in m.RECEIVER_SEES:
                coordinating = obj.to_organization.is_coordinating
                result[obj.pk] = Basis.COORDINATOR if coordinating else Basis.REFERRAL
            elif obj.household_id is not None and obj.household_id in emergency:
                result[obj.pk] = Basis.EMERGENCY
        return result

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        m = _models()
        if not self.type_level(staff, action):
            return m.Referral.objects.none()
        orgs = casework_organization_ids(staff)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            condition |= models.Q(from_organization_id__in=orgs) | models.Q(
                to_organization_id__in=orgs, status__in=m.RECEIVER_SEES
            )
        return m.Referral.objects.filter(condition)


class CaseRule(_ResidentRule):
    """A 多機関協働 case is seen by the coordinating section holding it, by
    organizations a consent in force covers, by organizations that attended a
    支援会議 with it on the agenda (until it closes), and in an emergency
    opening. Only the coordinating section changes it."""

    resource = "case"

    def model(self) -> type[models.Model]:
        return _models().Case

    def type_level(self, staff: Staff, action: Action) -> Decision:
        if action == Action.CREATE:
            return (
                Decision(True, Basis.COORDINATOR) if coordinating_organization_ids(staff) else DENY
            )
        return super().type_level(staff, action)

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        return _strongest(case_bases(staff, objects))

    def decide_on_basis(self, action: Action, basis: Basis | None) -> Decision:
        decision = super().decide_on_basis(action, basis)
        if action in (Action.CHANGE, Action.ARCHIVE, Action.CREATE):
            return decision if decision.basis == Basis.COORDINATOR else DENY
        return decision

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        m = _models()
        if not self.type_level(staff, action):
            return m.Case.objects.none()
        if action in (Action.CHANGE, Action.ARCHIVE):
            # Only the coordinating section holding a case works on it.
            return m.Case.objects.filter(organization_id__in=casework_organization_ids(staff))
        return m.Case.objects.filter(visible_case_condition(staff))


def coordinating_organization_ids(staff: Staff) -> frozenset[int]:
    """The staff member's casework organizations that are a 多機関協働事務局."""
    from tsunagu.directory.models import Organization

    orgs = casework_organization_ids(staff)
    if not orgs:
        return frozenset()
    return frozenset(
        Organization.objects.filter(pk__in=orgs, is_coordinating=True).values_list("pk", flat=True)
    )


class _CaseRecordRule(_ResidentRule):
    """Records that belong to a case (its consents, plans) follow the case's
    bases; ``case_field`` names the path to it."""

    case_field = "case"
    #: Bases of the case that reach these records.
    reaching: frozenset[Basis] = frozenset(
        {Basis.COORDINATOR, Basis.CONSENT, Basis.SUPPORT_MEETING, Basis.EMERGENCY}
    )

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        cases = {obj.case_id: obj.case for obj in objects}
        by_case = case_bases(staff, list(cases.values()))
        found = {obj.pk: by_case.get(obj.case_id, set()) & self.reaching for obj in objects}
        return _strongest(found)

    def decide_on_basis(self, action: Action, basis: Basis | None) -> Decision:
        decision = super().decide_on_basis(action, basis)
        if action in (Action.CHANGE, Action.ARCHIVE, Action.CREATE):
            return decision if decision.basis == Basis.COORDINATOR else DENY
        return decision

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        model = self.model()
        assert model is not None
        if not self.type_level(staff, action):
            return model._default_manager.none()
        m = _models()
        orgs = casework_organization_ids(staff)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            condition |= models.Q(organization_id__in=orgs)
            if Basis.CONSENT in self.reaching:
                condition |= models.Q(pk__in=consent_case_ids(orgs))
            if Basis.SUPPORT_MEETING in self.reaching:
                condition |= models.Q(pk__in=support_meeting_case_ids(orgs))
        return model._default_manager.filter(
            case_id__in=m.Case.objects.filter(condition).values("pk")
        )


class ConsentRule(_CaseRecordRule):
    """A consent is part of the case's record: whoever sees the case sees
    whether and to whom the person agreed."""

    resource = "consent"

    def model(self) -> type[models.Model]:
        from tsunagu.cases.models import Consent

        return Consent


class SupportPlanRule(_CaseRecordRule):
    """The plan is made under consent: the coordinating section and the
    organizations the consent covers see it; a 支援会議's attendees do not
    (they see what was put before their meeting)."""

    resource = "support_plan"
    reaching = frozenset({Basis.COORDINATOR, Basis.CONSENT, Basis.EMERGENCY})

    def model(self) -> type[models.Model]:
        return _models().SupportPlan


class _OrganizationRecordRule(_ResidentRule):
    """Records an organization makes about a household (outreach contacts,
    participation profiles and paths): its own organization sees and keeps
    them; when they are part of a case (``case`` set), the coordinating
    section holding it and the organizations a consent covers see them; an
    emergency opening of the household shows them. Only the organization
    that made a record changes it."""

    #: The path from the record to its case, or "" when it has none of its own
    #: and follows the cases of its household.
    case_path = "case"

    def _own(self, staff: Staff, orgs: frozenset[int], objects: list[Any]) -> set[int]:
        return {obj.pk for obj in objects if obj.organization_id in orgs}

    def _own_condition(self, orgs: frozenset[int]) -> models.Q:
        return models.Q(organization_id__in=orgs)

    def _case_ids(self, objects: list[Any]) -> dict[int, set[int]]:
        m = _models()
        if self.case_path:
            return {obj.pk: {obj.case_id} for obj in objects if obj.case_id is not None}
        households = {obj.household_id for obj in objects if obj.household_id is not None}
        by_household: dict[int, set[int]] = {}
        for pk, household_id in m.Case.objects.filter(household_id__in=households).values_list(
            "pk", "household_id"
        ):
            by_household.setdefault(household_id, set()).add(pk)
        return {obj.pk: by_household.get(obj.household_id, set()) for obj in objects}

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        m = _models()
        orgs = casework_organization_ids(staff)
        found: dict[int, set[Basis]] = {obj.pk: set() for obj in objects}
        if orgs:
            for pk in self._own(staff, orgs, objects):
                found[pk].add(Basis.OWN_ORGANIZATION)
            case_ids = self._case_ids(objects)
            all_cases = set().union(*case_ids.values()) if case_ids else set()
            held = set(
                m.Case.objects.filter(pk__in=all_cases, organization_id__in=orgs).values_list(
                    "pk", flat=True
                )
            )
            consented = set(
                m.Case.objects.filter(pk__in=all_cases, id__in=consent_case_ids(orgs)).values_list(
                    "pk", flat=True
                )
            )
            for pk, cases in case_ids.items():
                if cases & held:
                    found[pk].add(Basis.COORDINATOR)
                if cases & consented:
                    found[pk].add(Basis.CONSENT)
        emergency = set(emergency_household_ids(staff).values_list("household_id", flat=True))
        for obj in objects:
            if obj.household_id is not None and obj.household_id in emergency:
                found[obj.pk].add(Basis.EMERGENCY)
        return _strongest(found)

    def decide_on_object(
        self, staff: Staff, action: Action, obj: Any, basis: Basis | None
    ) -> Decision:
        decision = self.decide_on_basis(action, basis)
        if action in (Action.CHANGE, Action.ARCHIVE):
            # Corrections are the maker's: another basis lets one read, not rewrite.
            if obj.organization_id not in casework_organization_ids(staff):
                return DENY
            return Decision(True, Basis.OWN_ORGANIZATION) if decision else DENY
        return decision

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        model = self.model()
        assert model is not None
        if not self.type_level(staff, action):
            return model._default_manager.none()
        m = _models()
        orgs = casework_organization_ids(staff)
        if action in (Action.CHANGE, Action.ARCHIVE):
            return model._default_manager.filter(organization_id__in=orgs)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            cases = m.Case.objects.filter(
                models.Q(organization_id__in=orgs) | models.Q(pk__in=consent_case_ids(orgs))
            )
            condition |= self._own_condition(orgs)
            if self.case_path:
                condition |= models.Q(case_id__in=cases.values("pk"))
            else:
                condition |= models.Q(household_id__in=cases.values("household_id"))
        return model._default_manager.filter(condition)


class OutreachContactRule(_OrganizationRecordRule):
    """An outreach contact is its recording organization's record; the
    organizations of a joint visit's staff see it as their own too."""

    resource = "outreach_contact"

    def model(self) -> type[models.Model]:
        return _models().OutreachContact

    def _own(self, staff: Staff, orgs: frozenset[int], objects: list[Any]) -> set[int]:
        m = _models()
        own = super()._own(staff, orgs, objects)
        own |= set(
            m.OutreachVisitor.objects.filter(
                contact_id__in=[obj.pk for obj in objects], organization_id__in=orgs
            ).values_list("contact_id", flat=True)
        )
        return own

    def _own_condition(self, orgs: frozenset[int]) -> models.Q:
        m = _models()
        return super()._own_condition(orgs) | models.Q(
            pk__in=m.OutreachVisitor.objects.filter(organization_id__in=orgs).values("contact_id")
        )


class ParticipationProfileRule(_OrganizationRecordRule):
    """A participation profile follows the cases of the person's household."""

    resource = "participation_profile"
    case_path = ""

    def model(self) -> type[models.Model]:
        return _models().ParticipationProfile


class ParticipationRule(_OrganizationRecordRule):
    resource = "participation"

    def model(self) -> type[models.Model]:
        return _models().Participation


class ResourceDirectoryRule(Rule):
    """The resource directory (社会資源) holds no resident's data: every staff
    member of the municipality reads it to find a place for someone; those
    who do casework (the CSW who know the places) and the system
    administrator keep it. External guests see none of it."""

    model_label = ""

    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model_label)

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.is_guest:
            return DENY
        if action in (Action.LIST, Action.VIEW, Action.EXPORT, Action.PRINT):
            return Decision(True, Basis.MUNICIPALITY_STAFF)
        if action in (Action.CREATE, Action.CHANGE, Action.ARCHIVE):
            if casework_organization_ids(staff):
                return Decision(True, Basis.OWN_ORGANIZATION)
            if staff.has_role(Role.SYSADMIN):
                return Decision(True, Basis.SYSTEM_ADMINISTRATOR)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if self.decide(staff, action, None):
            return self.model()._default_manager.all()
        return self.model()._default_manager.none()


class ResourceRule(ResourceDirectoryRule):
    resource = "resource"
    model_label = "resources.Resource"


class ProviderRule(ResourceDirectoryRule):
    resource = "provider"
    model_label = "resources.Provider"


class ActivityRecordRule(_OrganizationRecordRule):
    """A coordinator's activity record is its organization's own record
    (access.md, basis 1). One about a household follows that household's
    cases like the other records an organization makes about it."""

    resource = "activity_record"
    case_path = ""

    def model(self) -> type[models.Model]:
        return _models().ActivityRecord


class CountedEntryRule(Rule):
    """Counted entries (a plaza's visitors in a month) hold no personal data:
    every staff member reads them, as they read the report; an organization's
    casework staff keep their own organization's entries."""

    resource = "counted_entry"

    def model(self) -> type[models.Model]:
        from tsunagu.activities.models import CountedEntry

        return CountedEntry

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.is_guest:
            return DENY
        if action in (Action.LIST, Action.VIEW, Action.EXPORT, Action.PRINT):
            return Decision(True, Basis.MUNICIPALITY_STAFF)
        orgs = casework_organization_ids(staff)
        writing = action in (Action.CREATE, Action.CHANGE, Action.ARCHIVE)
        if writing and orgs and (obj is None or obj.organization_id in orgs):
            return Decision(True, Basis.OWN_ORGANIZATION)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        model = self.model()
        if not self.decide(staff, action, None):
            return model._default_manager.none()
        if action in (Action.CHANGE, Action.ARCHIVE):
            return model._default_manager.filter(
                organization_id__in=casework_organization_ids(staff)
            )
        return model._default_manager.all()


class CommunityPlaceRule(ResourceDirectoryRule):
    """Community places, projects and regional issues are written about
    districts, not residents: read like the resource directory, kept by those
    who do casework and community work."""

    resource = "community_place"
    model_label = "community.CommunityPlace"


class CommunityProjectRule(ResourceDirectoryRule):
    resource = "community_project"
    model_label = "community.CommunityProject"


class RegionalIssueRule(ResourceDirectoryRule):
    resource = "regional_issue"
    model_label = "community.RegionalIssue"


class ReportConfigurationRule(Rule):
    """The municipality's report rows, indicators, budgets and narratives:
    aggregates and text, no personal data. Every staff member (not a guest)
    reads them; the coordinating section, managers and the system
    administrator set them up."""

    resource = "report_configuration"

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.is_guest:
            return DENY
        if action in (Action.LIST, Action.VIEW, Action.EXPORT, Action.PRINT):
            return Decision(True, Basis.MUNICIPALITY_STAFF)
        if action in (Action.CREATE, Action.CHANGE, Action.ARCHIVE):
            if staff.has_role(Role.SYSADMIN):
                return Decision(True, Basis.SYSTEM_ADMINISTRATOR)
            if staff.has_role(Role.COORDINATOR) or staff.has_role(Role.MANAGER):
                return Decision(True, Basis.MUNICIPALITY_STAFF)
        return DENY


def _attendance(staff: Staff, meeting_ids: list[int]) -> dict[int, list[Any]]:
    """The attendee rows through which this staff member takes part in each meeting:
    their own (a guest's only way in) and those of their casework organizations.
    A row marked absent gives nothing."""
    m = _models()
    orgs = casework_organization_ids(staff)
    rows = m.Attendee.objects.filter(meeting_id__in=meeting_ids, attended=True).filter(
        models.Q(staff_id=staff.pk) | models.Q(organization_id__in=orgs, is_guest=False)
    )
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(row.meeting_id, []).append(row)
    return found


def _host_basis(meeting: Any) -> Basis:
    return Basis.COORDINATOR if meeting.organization.is_coordinating else Basis.OWN_ORGANIZATION


def _covered_by_consent(case_id: int, organization_ids: set[int]) -> bool:
    """Does a consent in force (for sharing or for the 重層的支援会議) cover one of
    ``organization_ids`` for this case?"""
    m = _models()
    consents = (
        m.active_consents()
        .filter(case_id=case_id)
        .filter(models.Q(for_information_sharing=True) | models.Q(for_plan_meeting=True))
    )
    return consents.filter(
        models.Q(organizations__in=organization_ids)
        | models.Q(
            covers_case_team=True,
            case__team__organization_id__in=organization_ids,
            case__team__left_on=None,
        )
    ).exists()


def agenda_item_bases(staff: Staff, items: list[Any]) -> dict[int, Basis]:
    """The basis each agenda item (a case's brief and decisions at one meeting)
    is shown under.

    - the case's own bases where they reach all of its record (the
      coordinating section, a consent, an emergency opening);
    - the meeting's host;
    - an attendee of a meeting that was not cancelled: for a 支援会議 item,
      once their pledge is recorded, and for an attending organization only
      while the case is open (a guest until the account expires); for a
      重層的支援会議 item, while a consent in force covers their organization.
    A 関係者会議 or other meeting gives attendees no basis of its own."""
    m = _models()
    by_case = case_bases(staff, list({item.case_id: item.case for item in items}.values()))
    orgs = casework_organization_ids(staff)
    rows = _attendance(staff, sorted({item.part.meeting_id for item in items}))
    found: dict[int, set[Basis]] = {}
    for item in items:
        meeting = item.part.meeting
        bases = by_case.get(item.case_id, set()) & {
            Basis.COORDINATOR,
            Basis.CONSENT,
            Basis.EMERGENCY,
        }
        if meeting.organization_id in orgs:
            bases.add(_host_basis(meeting))
        attending = rows.get(meeting.pk, [])
        if attending and meeting.status != m.MeetingStatus.CANCELLED:
            if item.part.kind == m.MeetingKind.SUPPORT_MEETING:
                if any(row.has_pledged for row in attending) and (
                    staff.is_guest or item.case.stage in m.OPEN_STAGES
                ):
                    bases.add(Basis.SUPPORT_MEETING)
            elif item.part.kind == m.MeetingKind.PLAN_MEETING and _covered_by_consent(
                item.case_id, {row.organization_id for row in attending}
            ):
                bases.add(Basis.CONSENT)
        found[item.pk] = bases
    return _strongest(found)


def meeting_material_basis(staff: Staff, meeting: Any) -> Basis | None:
    """May this staff member see the meeting's own material (its minutes), and
    on what basis? The host always; otherwise the strongest basis to one of its
    agenda items; for a meeting with no cases on it (a 研修, a 連絡会), an
    attendee of a meeting that was not cancelled."""
    m = _models()
    if meeting.organization_id in casework_organization_ids(staff):
        return _host_basis(meeting)
    items = list(
        m.AgendaItem.objects.filter(part__meeting=meeting).select_related(
            "case", "part__meeting__organization"
        )
    )
    if items:
        found = {basis for basis in agenda_item_bases(staff, items).values()}
        return next((basis for basis in _BASIS_ORDER if basis in found), None)
    if meeting.status == m.MeetingStatus.CANCELLED:
        return None
    rows = _attendance(staff, [meeting.pk]).get(meeting.pk, [])
    if meeting.has_support_part:
        return Basis.SUPPORT_MEETING if any(row.has_pledged for row in rows) else None
    return Basis.OWN_ORGANIZATION if rows else None


class MeetingRule(Rule):
    """A sitting (date, place, attendees): seen by its host and its attendees.
    What was discussed is decided separately (:func:`agenda_item_bases`,
    :func:`meeting_material_basis`)."""

    resource = "meeting"
    personal = True

    def model(self) -> type[models.Model]:
        return _models().Meeting

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        orgs = casework_organization_ids(staff)
        if obj is None:
            if action in (Action.VIEW, Action.PRINT):
                return Decision(True)
            if action == Action.LIST and staff.is_guest:
                return Decision(True)
            # Managers, system administrators and auditors hold no meetings.
            return Decision(True, Basis.OWN_ORGANIZATION) if orgs else DENY
        if obj.organization_id in orgs:
            return Decision(True, _host_basis(obj))
        if action in (Action.VIEW, Action.LIST, Action.PRINT) and _attendance(staff, [obj.pk]).get(
            obj.pk
        ):
            # The sitting itself (who, when, where); its material has its own check.
            return Decision(
                True,
                Basis.SUPPORT_MEETING
                if obj.has_support_part
                else (Basis.CONSENT if obj.has_plan_part else Basis.OWN_ORGANIZATION),
            )
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        m = _models()
        orgs = casework_organization_ids(staff)
        condition = models.Q(
            pk__in=m.Attendee.objects.filter(staff_id=staff.pk, attended=True).values("meeting_id")
        )
        if orgs:
            condition |= models.Q(organization_id__in=orgs)
            if action in (Action.VIEW, Action.LIST, Action.PRINT):
                condition |= models.Q(
                    pk__in=m.Attendee.objects.filter(
                        organization_id__in=orgs, is_guest=False, attended=True
                    ).values("meeting_id")
                )
        elif action not in (Action.VIEW, Action.LIST, Action.PRINT):
            return m.Meeting.objects.none()
        return m.Meeting.objects.filter(condition)


def _visible_agenda_condition(staff: Staff) -> models.Q:
    """The agenda items :func:`agenda_item_bases` gives a basis to, as a condition
    (kept to the same rules; the policy tests compare the two)."""
    m = _models()
    orgs = casework_organization_ids(staff)
    not_cancelled = ~models.Q(part__meeting__status=m.MeetingStatus.CANCELLED)
    own_rows = m.Attendee.objects.filter(staff_id=staff.pk, attended=True)
    org_rows = m.Attendee.objects.filter(organization_id__in=orgs, is_guest=False, attended=True)
    condition = models.Q(case__household_id__in=emergency_household_ids(staff))
    support = models.Q(part__kind=m.MeetingKind.SUPPORT_MEETING) & not_cancelled
    own_support = support & models.Q(
        part__meeting_id__in=own_rows.filter(pledged_at__isnull=False).values("meeting_id")
    )
    if not staff.is_guest:
        own_support &= models.Q(case__stage__in=m.OPEN_STAGES)
    condition |= own_support
    if orgs:
        condition |= (
            models.Q(case__organization_id__in=orgs)
            | models.Q(case_id__in=consent_case_ids(orgs))
            | models.Q(part__meeting__organization_id__in=orgs)
            | (
                support
                & models.Q(case__stage__in=m.OPEN_STAGES)
                & models.Q(
                    part__meeting_id__in=org_rows.filter(pledged_at__isnull=False).values(
                        "meeting_id"
                    )
                )
            )
        )
    plan_rows = own_rows if not orgs else (own_rows | org_rows)
    plan_cases = m.active_consents().filter(
        models.Q(for_information_sharing=True) | models.Q(for_plan_meeting=True)
    )
    attending_orgs = plan_rows.values("organization_id")
    condition |= (
        models.Q(part__kind=m.MeetingKind.PLAN_MEETING)
        & not_cancelled
        & models.Q(part__meeting_id__in=plan_rows.values("meeting_id"))
        & models.Q(
            case_id__in=plan_cases.filter(
                models.Q(organizations__in=attending_orgs)
                | models.Q(
                    covers_case_team=True,
                    case__team__organization_id__in=attending_orgs,
                    case__team__left_on=None,
                )
            ).values("case_id")
        )
    )
    return condition


class AgendaItemRule(Rule):
    """One case at one meeting: the brief before, the decisions after. The
    host prepares and records it; who reads it is :func:`agenda_item_bases`."""

    resource = "agenda_item"
    personal = True

    def model(self) -> type[models.Model]:
        return _models().AgendaItem

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        orgs = casework_organization_ids(staff)
        if obj is None:
            if action in (Action.VIEW, Action.PRINT, Action.LIST):
                return Decision(True)
            return Decision(True, Basis.OWN_ORGANIZATION) if orgs else DENY
        basis = agenda_item_bases(staff, [obj]).get(obj.pk)
        if basis is None:
            return DENY
        if action in (Action.VIEW, Action.LIST, Action.PRINT, Action.EXPORT):
            return Decision(True, basis)
        if obj.part.meeting.organization_id in orgs:
            return Decision(True, basis)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        m = _models()
        return m.AgendaItem.objects.filter(_visible_agenda_condition(staff))


class ActionItemRule(Rule):
    """A task decided at a meeting: seen by whoever sees the agenda item it was
    decided under, and by the organization that owns it (it is addressed to
    them, like a referral); the owner or the host marks it done."""

    resource = "action_item"
    personal = True

    def model(self) -> type[models.Model]:
        return _models().ActionItem

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        orgs = casework_organization_ids(staff)
        if obj is None:
            if action in (Action.VIEW, Action.PRINT):
                return Decision(True)
            return Decision(True, Basis.OWN_ORGANIZATION) if orgs else DENY
        item = obj.agenda_item
        basis = agenda_item_bases(staff, [item]).get(item.pk)
        if obj.owner_organization_id in orgs:
            owned = (
                Basis.SUPPORT_MEETING
                if item.part.kind == _models().MeetingKind.SUPPORT_MEETING
                else Basis.CONSENT
            )
            basis = basis if basis in (Basis.COORDINATOR, Basis.OWN_ORGANIZATION) else owned
            return Decision(True, basis)
        if basis is None:
            return DENY
        if action in (Action.VIEW, Action.LIST, Action.PRINT):
            return Decision(True, basis)
        if action == Action.CHANGE and item.part.meeting.organization_id in orgs:
            return Decision(True, basis)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        m = _models()
        orgs = casework_organization_ids(staff)
        condition = models.Q(
            agenda_item_id__in=m.AgendaItem.objects.filter(_visible_agenda_condition(staff)).values(
                "pk"
            )
        )
        if orgs:
            condition |= models.Q(owner_organization_id__in=orgs)
        return m.ActionItem.objects.filter(condition)


class EmergencyAccessRule(Rule):
    """Break-glass openings: staff doing casework (相談員・機関管理者・多機関協働事務局)
    may open one, stating a reason; the auditor lists and reviews them.

    Nobody else may open one or search for whom to open: an external guest,
    a manager, a system administrator or an auditor has no casework in which
    an emergency could arise, and the search behind the form reads every
    resident of the ward (access.md, basis 6)."""

    resource = "emergency_access"

    def model(self) -> type[models.Model]:
        return _models().EmergencyAccess

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if action == Action.CREATE:
            if casework_organization_ids(staff):
                return Decision(True, Basis.EMERGENCY)
            return DENY
        if action in (Action.LIST, Action.VIEW, Action.CHANGE, Action.EXPORT) and staff.has_role(
            Role.AUDITOR
        ):
            return Decision(True, Basis.AUDITOR)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        model = self.model()
        if self.decide(staff, action, None).basis == Basis.AUDITOR:
            return model._default_manager.all()
        return model._default_manager.none()


class NameVariantRule(_MasterDataRule):
    """The municipality's variant-kanji table: read by everyone who searches,
    maintained by the system administrator."""

    resource = "name_variant"
    model_label = "people.NameVariant"


class CaseFeatureRule(_MasterDataRule):
    resource = "case_feature"
    model_label = "consultations.CaseFeature"


class PersonMergeRule(Rule):
    """Merging two records of one person, and undoing it: staff who may change
    both records merge; an organization manager or the coordinating section undoes."""

    resource = "person_merge"

    def model(self) -> type[models.Model]:
        from tsunagu.people.models import PersonMerge

        return PersonMerge

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if action == Action.CREATE and casework_organization_ids(staff):
            return Decision(True, Basis.OWN_ORGANIZATION)
        undoer = staff.has_role(Role.ORG_MANAGER, Role.COORDINATOR)
        if (
            action in (Action.LIST, Action.VIEW, Action.CHANGE)
            and undoer
            and (obj is None or RULES["person"].decide(staff, Action.CHANGE, obj.survivor))
        ):
            return Decision(True, Basis.ORGANIZATION_MANAGER)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        from tsunagu.people.models import PersonMerge

        if not self.decide(staff, action, None) or action == Action.CREATE:
            return PersonMerge.objects.none()
        return PersonMerge.objects.filter(
            survivor_id__in=RULES["person"].visible(staff, Action.CHANGE).values("pk")
        )


RULES: dict[str, Rule] = {
    rule.resource: rule
    for rule in (
        OrganizationRule(),
        DistrictRule(),
        BusinessRule(),
        StaffRule(),
        SecuritySettingsRule(),
        AuditTrailRule(),
        OwnAccountRule(),
        AggregateRule(),
        HouseholdRule(),
        PersonRule(),
        ConsultationRule(),
        ReferralRule(),
        EmergencyAccessRule(),
        NameVariantRule(),
        CaseFeatureRule(),
        PersonMergeRule(),
        CaseRule(),
        ConsentRule(),
        SupportPlanRule(),
        MeetingRule(),
        ActionItemRule(),
        AgendaItemRule(),
        OutreachContactRule(),
        ParticipationProfileRule(),
        ParticipationRule(),
        ResourceRule(),
        ProviderRule(),
        ActivityRecordRule(),
        CountedEntryRule(),
        CommunityPlaceRule(),
        CommunityProjectRule(),
        RegionalIssueRule(),
        ReportConfigurationRule(),
    )
}


def _rule(resource: str) -> Rule:
    try:
        return RULES[resource]
    except KeyError:
        raise LookupError(f"no policy rule for resource {resource!r}") from None


# ---------------------------------------------------------------------------
# The questions the rest of the code asks.


def decide(user: Any, action: Action, resource: str, obj: Any | None = None) -> Decision:
    """May ``user`` do ``action`` to ``obj`` (or to the resource at all, when obj is None)?"""
    staff = _active_staff(user)
    if staff is None:
        return DENY
    if obj is not None and getattr(obj, "municipality_id", staff.municipality_id) != (
        staff.municipality_id
    ):
        return DENY
    # Answers are always about the staff member's own municipality, whatever
    # context the caller runs in (a request, a command, a test).
    with tenancy.tenant_context(staff.municipality):
        return _rule(resource).decide(staff, action, obj)


def visible(user: Any, resource: str, action: Action = Action.VIEW) -> models.QuerySet[Any]:
    """The objects of ``resource`` that ``user`` may ``action``."""
    rule = _rule(resource)
    staff = _active_staff(user)
    if staff is None:
        model = rule.model()
        assert model is not None
        return model._default_manager.none()
    with tenancy.tenant_context(staff.municipality):
        return rule.visible(staff, action)


def bases(user: Any, resource: str, objects: list[Any]) -> dict[int, Basis]:
    """The basis each of ``objects`` (already from :func:`visible`) is shown under,
    in one pass: the household page and lists label every record with it."""
    rule = _rule(resource)
    staff = _active_staff(user)
    if staff is None or not isinstance(rule, _ResidentRule) or not objects:
        return {}
    with tenancy.tenant_context(staff.municipality):
        return rule.bases(staff, objects)


def allowed(
    user: Any, resource: str, obj: Any, actions: list[Action], basis: Basis | None = None
) -> dict[Action, Decision]:
    """Several decisions about one object at once (what a page offers: change,
    archive …); for residents' records the basis is worked out once, or not at
    all when the page already has it (``basis``: from ``get_or_404`` in the
    same request — the household page's eleven access queries, not twice)."""
    rule = _rule(resource)
    staff = _active_staff(user)
    if staff is None or obj is None:
        return dict.fromkeys(actions, DENY)
    if not isinstance(rule, _ResidentRule) or obj.municipality_id != staff.municipality_id:
        return {action: decide(user, action, resource, obj) for action in actions}
    with tenancy.tenant_context(staff.municipality):
        if basis is None:
            basis = rule.bases(staff, [obj]).get(obj.pk)
        return {action: rule.decide_on_object(staff, action, obj, basis) for action in actions}


def audit_denial(user: Any, action: Action, resource: str, object_id: Any = "") -> None:
    staff = _active_staff(user)
    try:
        model = _rule(resource).model()
    except LookupError:
        model = None
    audit_record(
        AuditAction.DENY,
        actor=staff,
        # The model's label, as views record it, so that an auditor finds a
        # refusal under the same kind of object as the views of it.
        object_type=model._meta.label_lower if model is not None else resource,
        object_id=str(object_id),
        detail={"action": str(action)},
    )


def get_or_404(
    user: Any, resource: str, action: Action = Action.VIEW, **lookup: Any
) -> tuple[Any, Decision]:
    """Fetch *and* check in one call. Missing and forbidden look the same
    (404), so that ids reveal nothing; a refusal is audited; a view of
    personal data is audited with its basis."""
    rule = _rule(resource)
    staff = _active_staff(user)
    if isinstance(rule, _ResidentRule) and staff is not None:
        # One record of a resident: its bases are a few indexed lookups, much
        # cheaper than the visible set filtered down to it; the decision is the
        # same (the policy tests check that decide and visible agree).
        with tenancy.tenant_context(staff.municipality):
            obj = rule.model()._default_manager.filter(**lookup).first()  # type: ignore[union-attr]
    else:
        obj = visible(user, resource, action).filter(**lookup).first()
    decision = decide(user, action, resource, obj) if obj is not None else DENY
    if obj is None or not decision:
        audit_denial(user, action, resource, lookup.get("pk", ""))
        raise Http404
    if rule.personal and action in (Action.VIEW, Action.EXPORT, Action.PRINT):
        audit_record(
            {Action.VIEW: AuditAction.VIEW, Action.EXPORT: AuditAction.EXPORT}.get(
                action, AuditAction.PRINT
            ),
            actor=_active_staff(user),
            obj=obj,
            basis=decision.basis or "",
        )
    return obj, decision


# ---------------------------------------------------------------------------
# Declaring routes.


@dataclass(frozen=True)
class RouteDeclaration:
    resource: str
    action: Action


V = TypeVar("V", bound=Callable[..., Any])


def route(resource: str, action: Action) -> Callable[[V], V]:
    """Declare a view (page or API operation) to the policy.

    The view runs only for an active staff member whom the policy allows the
    action on the resource at all; object-level checks happen in the view
    through :func:`get_or_404` or :func:`visible`. A refusal is audited and
    answered 403.
    """
    _rule(resource)  # an unknown resource fails at import time, not at request time

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            decision = decide(request.user, action, resource)
            if not decision:
                if _active_staff(request.user) is not None:
                    audit_denial(request.user, action, resource)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.policy_route = RouteDeclaration(resource, action)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def public_route(reason: str) -> Callable[[V], V]:
    """Declare a view that strangers must reach (the login page), with why."""

    def decorate(view: V) -> V:
        view = login_not_required(view)
        view.policy_public = reason  # type: ignore[attr-defined]
        return view

    return decorate


def declaration_of(view: Any) -> RouteDeclaration | str | None:
    """The policy declaration of a view function, if any (for the route test)."""
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "__wrapped__", None)):
        if candidate is None:
            continue
        if isinstance(getattr(candidate, "policy_route", None), RouteDeclaration):
            return candidate.policy_route
        if isinstance(getattr(candidate, "policy_public", None), str):
            return candidate.policy_public
    return None
