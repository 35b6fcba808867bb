"""The rule for インテーク・アセスメント (the permission matrix of
``tests/test_policy_assessments.py``).

An assessment is personal data about one person, written by one
organization: that organization sees its own versions and alone writes the
next; when it was made for a 多機関協働 case, the coordinating section
holding the case sees it, and so do the organizations a consent in force
covers where the consent names the person (a consent may leave members
out); an emergency opening of the household shows it, to read.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.assessments.models import Assessment
from tsunagu.cases.models import Case
from tsunagu.policy.rules.bases import (
    casework_organization_ids,
    consent_case_ids,
    consent_member_ids,
    emergency_household_ids,
    strongest,
)
from tsunagu.policy.rules.rule import ResidentRule
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision


class AssessmentRule(ResidentRule):
    resource = "assessment"
    own_field = "organization"

    def model(self) -> type[models.Model]:
        return Assessment

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        orgs = casework_organization_ids(staff)
        found: dict[int, set[Basis]] = {obj.pk: set() for obj in objects}
        if orgs:
            case_ids = {obj.case_id for obj in objects if obj.case_id is not None}
            held: set[int] = set()
            consented: set[int] = set()
            covered: set[int] = set()
            if case_ids:
                held = set(
                    Case.objects.filter(pk__in=case_ids, organization_id__in=orgs).values_list(
                        "pk", flat=True
                    )
                )
                consented = set(
                    Case.objects.filter(pk__in=case_ids, id__in=consent_case_ids(orgs)).values_list(
                        "pk", flat=True
                    )
                )
                if consented:
                    covered = set(
                        consent_member_ids(orgs)
                        .filter(person_id__in={obj.person_id for obj in objects})
                        .values_list("person_id", flat=True)
                    )
            for obj in objects:
                if obj.organization_id in orgs:
                    found[obj.pk].add(Basis.OWN_ORGANIZATION)
                if obj.case_id in held:
                    found[obj.pk].add(Basis.COORDINATOR)
                if obj.case_id in consented and obj.person_id in covered:
                    found[obj.pk].add(Basis.CONSENT)
        households = {obj.household_id for obj in objects}
        emergency = set(
            emergency_household_ids(staff)
            .filter(household_id__in=households)
            .values_list("household_id", flat=True)
        )
        for obj in objects:
            if obj.household_id in emergency:
                found[obj.pk].add(Basis.EMERGENCY)
        return strongest(found)

    def decide_on_object(
        self, staff: Staff, action: Action, obj: Any, basis: Basis | None
    ) -> Decision:
        decision = self.decide_on_basis(action, basis)
        if action in (Action.CHANGE, Action.ARCHIVE):
            # A version is the writer's: others read it and may write their own.
            if obj.organization_id not in casework_organization_ids(staff):
                return DENY
            return Decision(True, Basis.OWN_ORGANIZATION) if decision else DENY
        return decision

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if not self.type_level(staff, action):
            return Assessment.objects.none()
        orgs = casework_organization_ids(staff)
        if action in (Action.CHANGE, Action.ARCHIVE):
            return Assessment.objects.filter(organization_id__in=orgs)
        condition = models.Q(household_id__in=emergency_household_ids(staff))
        if orgs:
            condition |= models.Q(organization_id__in=orgs)
            condition |= models.Q(
                case_id__in=Case.objects.filter(organization_id__in=orgs).values("pk")
            )
            condition |= models.Q(
                case_id__in=consent_case_ids(orgs), person_id__in=consent_member_ids(orgs)
            )
        return Assessment.objects.filter(condition)
