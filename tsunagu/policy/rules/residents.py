"""Rules for residents' records (the permission matrix of
``tests/test_policy_residents.py``): households, persons, consultations and
referrals; with the emergency openings that reach them and the merging of
two records of one person."""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case
from tsunagu.consultations.models import Consultation
from tsunagu.people.models import (
    EmergencyAccess,
    Household,
    Person,
    PersonMerge,
)
from tsunagu.policy.rules.bases import (
    casework_organization_ids,
    consent_case_ids,
    emergency_household_ids,
    held_referrals,
    household_bases,
    person_bases,
    person_condition,
    strongest,
    visible_household_ids,
)
from tsunagu.policy.rules.rule import ResidentRule, Rule
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision
from tsunagu.referrals.models import RECEIVER_SEES, Referral


class HouseholdRule(ResidentRule):
    resource = "household"

    def model(self) -> type[models.Model]:
        return Household

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        return household_bases(staff, [obj.pk for obj in objects])

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if not self.type_level(staff, action):
            return Household.objects.none()
        return Household.objects.filter(pk__in=visible_household_ids(staff))


class PersonRule(ResidentRule):
    """A person is seen under the basis of a household they belong or belonged
    to, or because the staff member's organization registered them, or a
    つなぐシート it holds names them. Under a consent, only the household
    members the consent names (``bases.person_bases``)."""

    resource = "person"

    def model(self) -> type[models.Model]:
        return Person

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        return person_bases(staff, [obj.pk for obj in objects])

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if not self.type_level(staff, action):
            return Person.objects.none()
        return Person.objects.filter(person_condition(staff))


class ConsultationRule(ResidentRule):
    """A consultation is seen by its own organization, by the receiver of an
    accepted referral it is attached to, as part of a case's record (by the
    coordinating section holding the case and the organizations a consent
    covers), and in an emergency opening of its household. Only its own
    organization changes it."""

    resource = "consultation"

    def model(self) -> type[models.Model]:
        return Consultation

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        orgs = casework_organization_ids(staff)
        found: dict[int, set[Basis]] = {obj.pk: set() for obj in objects}
        for obj in objects:
            if obj.organization_id in orgs:
                found[obj.pk].add(Basis.OWN_ORGANIZATION)
        ids = [obj.pk for obj in objects]
        if orgs:
            for pk, coordinating in (
                held_referrals(staff, orgs)
                .filter(consultation_id__in=ids)
                .values_list("consultation_id", "to_organization__is_coordinating")
            ):
                found[pk].add(Basis.COORDINATOR if coordinating else Basis.REFERRAL)
            # Consultations attached to a case are part of its record: the
            # coordinating section holding it and the organizations a consent
            # covers see them.
            through = Case.consultations.through
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
                    consent_case_ids(orgs)
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
        return strongest(found)

    def decide_on_basis(self, action: Action, basis: Basis | None) -> Decision:
        decision = super().decide_on_basis(action, basis)
        if action in (Action.CHANGE, Action.ARCHIVE):
            return decision if decision.basis == Basis.OWN_ORGANIZATION else DENY
        return decision

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if not self.type_level(staff, action):
            return Consultation.objects.none()
        orgs = casework_organization_ids(staff)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            through = Case.consultations.through
            condition |= (
                models.Q(organization_id__in=orgs)
                | models.Q(pk__in=held_referrals(staff, orgs).values("consultation_id"))
                | models.Q(
                    pk__in=through.objects.filter(
                        models.Q(case__organization_id__in=orgs)
                        | models.Q(case_id__in=consent_case_ids(orgs))
                    ).values("consultation_id")
                )
            )
        return Consultation.objects.filter(condition)


class ReferralRule(ResidentRule):
    """A referral is seen by its sender, by its receiver once sent (the content
    shared in it), and in an emergency opening of its household."""

    resource = "referral"

    def model(self) -> type[models.Model]:
        return Referral

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        orgs = casework_organization_ids(staff)
        emergency = set(emergency_household_ids(staff).values_list("household_id", flat=True))
        result: dict[int, Basis] = {}
        for obj in objects:
            if obj.from_organization_id in orgs:
                result[obj.pk] = Basis.OWN_ORGANIZATION
            elif obj.to_organization_id in orgs and obj.status in RECEIVER_SEES:
                coordinating = obj.to_organization.is_coordinating
                result[obj.pk] = Basis.COORDINATOR if coordinating else Basis.REFERRAL
            elif obj.household_id is not None and obj.household_id in emergency:
                result[obj.pk] = Basis.EMERGENCY
        return result

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if not self.type_level(staff, action):
            return Referral.objects.none()
        orgs = casework_organization_ids(staff)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            condition |= models.Q(from_organization_id__in=orgs) | models.Q(
                to_organization_id__in=orgs, status__in=RECEIVER_SEES
            )
        return Referral.objects.filter(condition)


class EmergencyAccessRule(Rule):
    """Break-glass openings: staff doing casework (相談員・機関管理者・多機関協働事務局)
    may open one, stating a reason; the auditor lists and reviews them.

    Nobody else may open one or search for whom to open: an external guest,
    a manager, a system administrator or an auditor has no casework in which
    an emergency could arise, and the search behind the form reads every
    resident of the ward (access.md, basis 6)."""

    resource = "emergency_access"

    def model(self) -> type[models.Model]:
        return EmergencyAccess

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


class PersonMergeRule(Rule):
    """Merging two records of one person, and undoing it: staff who may change
    both records merge; an organization manager or the coordinating section undoes."""

    resource = "person_merge"
    #: Undoing a merge needs the right to change the surviving person.
    person = PersonRule()

    def model(self) -> type[models.Model]:
        return PersonMerge

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if action == Action.CREATE and casework_organization_ids(staff):
            return Decision(True, Basis.OWN_ORGANIZATION)
        undoer = staff.has_role(Role.ORG_MANAGER, Role.COORDINATOR)
        if (
            action in (Action.LIST, Action.VIEW, Action.CHANGE)
            and undoer
            and (obj is None or self.person.decide(staff, Action.CHANGE, obj.survivor))
        ):
            return Decision(True, Basis.ORGANIZATION_MANAGER)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if not self.decide(staff, action, None) or action == Action.CREATE:
            return PersonMerge.objects.none()
        return PersonMerge.objects.filter(
            survivor_id__in=self.person.visible(staff, Action.CHANGE).values("pk")
        )
