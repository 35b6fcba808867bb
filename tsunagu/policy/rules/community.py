"""Rules for 地域づくり and reporting (the permission matrix of
``tests/test_policy_community.py``): activity records, counted entries, the
resource directory (社会資源), community places, projects and regional
issues, and the report's configuration."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, CountedEntry
from tsunagu.policy.rules.bases import casework_organization_ids
from tsunagu.policy.rules.outreach import OrganizationRecordRule
from tsunagu.policy.rules.rule import Rule
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision


class ResourceDirectoryRule(Rule):
    """The resource directory (社会資源) holds no resident's data: every staff
    member of the municipality reads it to find a place for someone; those
    who do casework (the CSW who know the places) and the system
    administrator keep it. External guests see none of it."""

    model_label = ""

    def model(self) -> type[models.Model]:
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


class ActivityRecordRule(OrganizationRecordRule):
    """A coordinator's activity record is its organization's own record
    (access.md, basis 1). One about a household follows that household's
    cases like the other records an organization makes about it."""

    resource = "activity_record"
    case_path = ""

    def model(self) -> type[models.Model]:
        return ActivityRecord


class CountedEntryRule(Rule):
    """Counted entries (a plaza's visitors in a month) hold no personal data:
    every staff member reads them, as they read the report; an organization's
    casework staff keep their own organization's entries."""

    resource = "counted_entry"

    def model(self) -> type[models.Model]:
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
