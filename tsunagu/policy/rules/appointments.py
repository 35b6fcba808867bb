"""Rules for 出張相談会・巡回相談 and 予約 (the permission matrix of
``tests/test_policy_appointments.py``).

- A consultation event is an organizational record (a date, a venue, who
  went; no resident's data): the holding organization's casework staff see
  and keep it; the 多機関協働 coordinating section reads every event of the
  municipality, as it plans and reports the outreach of all windows. The
  consultations attached to it keep their own rule: the event page shows
  counts only.
- An appointment is personal data (who comes, how to reach them, what
  about): the window's own casework staff only (basis 1). The coordinating
  section does not see other windows' bookings — access.md gives it the
  cases escalated to it, and a booking is not one. Views are audited.
- A window's appointment settings hold no personal data: its casework staff
  read them, its 機関管理者 sets them.

External guests, managers, system administrators and auditors see none of
these records (managers see the counts in the business report)."""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.appointments.models import Appointment, AppointmentSettings, ConsultationEvent
from tsunagu.policy.rules.bases import casework_organization_ids, coordinating_organization_ids
from tsunagu.policy.rules.rule import Rule
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision

READING = (Action.LIST, Action.VIEW, Action.EXPORT, Action.PRINT)
WRITING = (Action.CREATE, Action.CHANGE, Action.ARCHIVE)


class ConsultationEventRule(Rule):
    resource = "consultation_event"
    own_field = "organization"

    def model(self) -> type[models.Model]:
        return ConsultationEvent

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.is_guest:
            return DENY
        orgs = casework_organization_ids(staff)
        if not orgs:
            return DENY
        # Without an object (a list, a new event, the menu): its own window's.
        # Decided before the coordinator's look-up, which costs a query per page.
        if obj is None or obj.organization_id in orgs:
            return Decision(True, Basis.OWN_ORGANIZATION)
        if action in READING and coordinating_organization_ids(staff):
            return Decision(True, Basis.COORDINATOR)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        objects = ConsultationEvent.objects.all()
        if staff.is_guest or not casework_organization_ids(staff):
            return objects.none()
        if action in READING and coordinating_organization_ids(staff):
            return objects
        return objects.filter(organization_id__in=casework_organization_ids(staff))


class AppointmentRule(Rule):
    resource = "appointment"
    personal = True
    own_field = "organization"

    def model(self) -> type[models.Model]:
        return Appointment

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.is_guest:
            return DENY
        orgs = casework_organization_ids(staff)
        if orgs and (obj is None or obj.organization_id in orgs):
            return Decision(True, Basis.OWN_ORGANIZATION)
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if staff.is_guest:
            return Appointment.objects.none()
        return Appointment.objects.filter(organization_id__in=casework_organization_ids(staff))


class AppointmentSettingsRule(Rule):
    resource = "appointment_settings"
    own_field = "organization"

    def model(self) -> type[models.Model]:
        return AppointmentSettings

    def _organizations(self, staff: Staff, action: Action) -> frozenset[int]:
        if staff.is_guest:
            return frozenset()
        if action in WRITING:
            return staff.organization_ids(Role.ORG_MANAGER)
        return casework_organization_ids(staff)

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        orgs = self._organizations(staff, action)
        if not orgs or (obj is not None and obj.organization_id not in orgs):
            return DENY
        if action in WRITING:
            return Decision(True, Basis.ORGANIZATION_MANAGER)
        return Decision(True, Basis.OWN_ORGANIZATION)

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        return AppointmentSettings.objects.filter(
            organization_id__in=self._organizations(staff, action)
        )
