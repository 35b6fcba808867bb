"""Rules for master data and staff (the permission matrix of
``tests/test_policy.py``): organizations, districts, businesses, name
variants and case features; staff records, security settings, the audit
trail, one's own account and aggregate figures. Governed by role bases, not
by a resident's."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from tsunagu.accounts.models import Membership, RoleSecurity, Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.policy.rules.rule import Rule
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision


class MasterDataRule(Rule):
    """Organizations, districts, businesses: every staff member of the
    municipality reads them (they address referrals and read reports by them);
    the system administrator maintains them."""

    model_label = ""

    def model(self) -> type[models.Model]:
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


class OrganizationRule(MasterDataRule):
    resource = "organization"
    model_label = "directory.Organization"


class DistrictRule(MasterDataRule):
    resource = "district"
    model_label = "directory.District"


class BusinessRule(MasterDataRule):
    resource = "business"
    model_label = "directory.SubBusiness"


class StaffRule(Rule):
    """Staff records: the system administrator manages all of them; an
    organization's manager sees the staff of that organization."""

    resource = "staff"
    personal = True

    def model(self) -> type[models.Model]:
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
        decision = self.decide(staff, action, None)
        if decision.basis == Basis.SYSTEM_ADMINISTRATOR:
            return Staff.objects.all()
        if decision.basis == Basis.ORGANIZATION_MANAGER:
            managed = staff.organization_ids(Role.ORG_MANAGER)
            return Staff.objects.filter(
                pk__in=models.Subquery(
                    Membership.objects.filter(organization_id__in=managed, active=True).values(
                        "staff_id"
                    )
                )
            )
        return Staff.objects.none()


class SecuritySettingsRule(Rule):
    """Per-role security settings (two-factor requirement): system administrator."""

    resource = "security_settings"

    def model(self) -> type[models.Model]:
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


class NameVariantRule(MasterDataRule):
    """The municipality's variant-kanji table: read by everyone who searches,
    maintained by the system administrator."""

    resource = "name_variant"
    model_label = "people.NameVariant"


class CaseFeatureRule(MasterDataRule):
    resource = "case_feature"
    model_label = "consultations.CaseFeature"


class DraftRule(Rule):
    """A draft of a form (core.models.Draft): what a staff member typed and has
    not sent. Only they read, keep or discard it; no one else, not their
    manager nor an administrator (it may hold a resident's words before any
    basis to record them is settled). External guests keep theirs too."""

    resource = "draft"

    def model(self) -> type[models.Model] | None:
        from tsunagu.core.models import Draft

        return Draft

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if action not in (Action.VIEW, Action.LIST, Action.CREATE, Action.CHANGE):
            return DENY
        if obj is None or getattr(obj, "staff_id", None) == staff.pk:
            return Decision(True, Basis.SELF)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        from tsunagu.core.models import Draft

        if self.decide(staff, action, None).allowed:
            return Draft.objects.filter(staff=staff)
        return Draft.objects.none()
