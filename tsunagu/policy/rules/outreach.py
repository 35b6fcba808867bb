"""Rules for the records an organization makes about a household (the
permission matrix of ``tests/test_policy_outreach.py``): outreach contacts,
participation profiles and participation paths; activity records follow the
same rule (:mod:`.community`)."""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.cases.models import Case
from tsunagu.outreach.models import OutreachContact, OutreachVisitor
from tsunagu.participation.models import Participation, ParticipationProfile
from tsunagu.policy.rules.bases import (
    casework_organization_ids,
    consent_case_ids,
    emergency_household_ids,
    strongest,
)
from tsunagu.policy.rules.rule import ResidentRule
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision


class OrganizationRecordRule(ResidentRule):
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
        if self.case_path:
            return {obj.pk: {obj.case_id} for obj in objects if obj.case_id is not None}
        households = {obj.household_id for obj in objects if obj.household_id is not None}
        by_household: dict[int, set[int]] = {}
        for pk, household_id in Case.objects.filter(household_id__in=households).values_list(
            "pk", "household_id"
        ):
            by_household.setdefault(household_id, set()).add(pk)
        return {obj.pk: by_household.get(obj.household_id, set()) for obj in objects}

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        orgs = casework_organization_ids(staff)
        found: dict[int, set[Basis]] = {obj.pk: set() for obj in objects}
        if orgs:
            for pk in self._own(staff, orgs, objects):
                found[pk].add(Basis.OWN_ORGANIZATION)
            case_ids = self._case_ids(objects)
            all_cases = set().union(*case_ids.values()) if case_ids else set()
            held = set(
                Case.objects.filter(pk__in=all_cases, organization_id__in=orgs).values_list(
                    "pk", flat=True
                )
            )
            consented = set(
                Case.objects.filter(pk__in=all_cases, id__in=consent_case_ids(orgs)).values_list(
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
        return strongest(found)

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
        orgs = casework_organization_ids(staff)
        if action in (Action.CHANGE, Action.ARCHIVE):
            return model._default_manager.filter(organization_id__in=orgs)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            cases = Case.objects.filter(
                models.Q(organization_id__in=orgs) | models.Q(pk__in=consent_case_ids(orgs))
            )
            condition |= self._own_condition(orgs)
            if self.case_path:
                condition |= models.Q(case_id__in=cases.values("pk"))
            else:
                condition |= models.Q(household_id__in=cases.values("household_id"))
        return model._default_manager.filter(condition)


class OutreachContactRule(OrganizationRecordRule):
    """An outreach contact is its recording organization's record; the
    organizations of a joint visit's staff see it as their own too."""

    resource = "outreach_contact"
    own_field = "organization"

    def model(self) -> type[models.Model]:
        return OutreachContact

    def _own(self, staff: Staff, orgs: frozenset[int], objects: list[Any]) -> set[int]:
        own = super()._own(staff, orgs, objects)
        own |= set(
            OutreachVisitor.objects.filter(
                contact_id__in=[obj.pk for obj in objects], organization_id__in=orgs
            ).values_list("contact_id", flat=True)
        )
        return own

    def _own_condition(self, orgs: frozenset[int]) -> models.Q:
        return super()._own_condition(orgs) | models.Q(
            pk__in=OutreachVisitor.objects.filter(organization_id__in=orgs).values("contact_id")
        )


class ParticipationProfileRule(OrganizationRecordRule):
    """A participation profile follows the cases of the person's household."""

    resource = "participation_profile"
    case_path = ""

    def model(self) -> type[models.Model]:
        return ParticipationProfile


class ParticipationRule(OrganizationRecordRule):
    resource = "participation"
    own_field = "organization"

    def model(self) -> type[models.Model]:
        return Participation
