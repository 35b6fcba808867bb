"""Rules for 多機関協働 cases and the records that belong to them: the case,
its consents and its support plan (the permission matrix of
``tests/test_policy_cases.py``; its meetings are :mod:`.meetings`)."""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.cases.models import Case, Consent
from tsunagu.plans.models import SupportPlan
from tsunagu.policy.rules.bases import (
    case_bases,
    casework_organization_ids,
    consent_case_ids,
    coordinating_organization_ids,
    emergency_household_ids,
    strongest,
    support_meeting_case_ids,
    visible_case_condition,
)
from tsunagu.policy.rules.rule import ResidentRule
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision


class CaseRule(ResidentRule):
    """A 多機関協働 case is seen by the coordinating section holding it, by
    organizations a consent in force covers, by organizations that attended a
    支援会議 with it on the agenda (until it closes), and in an emergency
    opening. Only the coordinating section changes it."""

    resource = "case"

    def model(self) -> type[models.Model]:
        return Case

    def type_level(self, staff: Staff, action: Action) -> Decision:
        if action == Action.CREATE:
            return (
                Decision(True, Basis.COORDINATOR) if coordinating_organization_ids(staff) else DENY
            )
        return super().type_level(staff, action)

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        return strongest(case_bases(staff, objects))

    def decide_on_basis(self, action: Action, basis: Basis | None) -> Decision:
        decision = super().decide_on_basis(action, basis)
        if action in (Action.CHANGE, Action.ARCHIVE, Action.CREATE):
            return decision if decision.basis == Basis.COORDINATOR else DENY
        return decision

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if not self.type_level(staff, action):
            return Case.objects.none()
        if action in (Action.CHANGE, Action.ARCHIVE):
            # Only the coordinating section holding a case works on it.
            return Case.objects.filter(organization_id__in=casework_organization_ids(staff))
        return Case.objects.filter(visible_case_condition(staff))


class CaseRecordRule(ResidentRule):
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
        return strongest(found)

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
        orgs = casework_organization_ids(staff)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            condition |= models.Q(organization_id__in=orgs)
            if Basis.CONSENT in self.reaching:
                condition |= models.Q(pk__in=consent_case_ids(orgs))
            if Basis.SUPPORT_MEETING in self.reaching:
                condition |= models.Q(pk__in=support_meeting_case_ids(orgs))
        return model._default_manager.filter(
            case_id__in=Case.objects.filter(condition).values("pk")
        )


class ConsentRule(CaseRecordRule):
    """A consent is part of the case's record: whoever sees the case sees
    whether and to whom the person agreed."""

    resource = "consent"

    def model(self) -> type[models.Model]:
        return Consent


class SupportPlanRule(CaseRecordRule):
    """The plan is made under consent: the coordinating section and the
    organizations the consent covers see it; a 支援会議's attendees do not
    (they see what was put before their meeting)."""

    resource = "support_plan"
    reaching = frozenset({Basis.COORDINATOR, Basis.CONSENT, Basis.EMERGENCY})

    def model(self) -> type[models.Model]:
        return SupportPlan
