"""The rules of オンライン相談 (``thread``; the permission matrix of
``tests/test_policy_threads.py``) and of the door's triage settings
(``triage_settings``).

What a resident writes is personal data from the moment it arrives
(access.md), so a thread has exactly two ways in:

- the coordinating section (a casework membership of an organization that is
  ``is_coordinating``) sees and triages every thread of its municipality
  (basis 5, 多機関協働事務局);
- the window the thread is assigned to (``Thread.organization``) sees it as
  its own (basis 1), through its counselors and organization managers.

Nothing else: handing a thread to another window ends the previous window's
access at once, even where it replied (its replies stay in the thread, which
the new window and the coordinating section read; a window that needs the
history keeps it by turning the thread into its own 相談受付 first). Managers,
system administrators, auditors and external guests see no thread; managers
read the aggregate figures of the reports.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.directory.models import Organization
from tsunagu.frontdoor.models import FrontDoorSettings, Thread
from tsunagu.policy.rules.bases import casework_organization_ids, coordinating_organization_ids
from tsunagu.policy.rules.rule import ResidentRule, Rule
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision


class ThreadRule(ResidentRule):
    """A thread: its assigned window's own, and the coordinating section's."""

    resource = "thread"
    own_field = "organization"

    def model(self) -> type[models.Model]:
        return Thread

    def type_level(self, staff: Staff, action: Action) -> Decision:
        # Opening one thread is decided on the object; everything else is casework.
        if action in (Action.VIEW, Action.PRINT):
            return Decision(True)
        if casework_organization_ids(staff):
            return Decision(True, Basis.OWN_ORGANIZATION)
        return DENY

    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        orgs = casework_organization_ids(staff)
        if not orgs:
            return {}
        coordinating = bool(coordinating_organization_ids(staff))
        found: dict[int, Basis] = {}
        for thread in objects:
            if thread.municipality_id != staff.municipality_id:
                continue
            if thread.organization_id in orgs:
                found[thread.pk] = Basis.OWN_ORGANIZATION
            elif coordinating:
                found[thread.pk] = Basis.COORDINATOR
        return found

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        orgs = casework_organization_ids(staff)
        if not orgs:
            return Thread.objects.none()
        own = models.Q(organization_id__in=orgs)
        # Archiving is only ever one's own (decide_on_basis); nothing archives a thread yet.
        if action == Action.ARCHIVE:
            return Thread.objects.filter(own)
        # The coordinating section sees all: asked inside the statement (the
        # menu's count reads this on every page, without a statement of its own).
        coordinating = models.Exists(Organization.objects.filter(pk__in=orgs, is_coordinating=True))
        return Thread.objects.filter(own | coordinating)


class TriageSettingsRule(Rule):
    """The door's settings and triage rules: the coordinating section keeps them."""

    resource = "triage_settings"

    def model(self) -> type[models.Model]:
        return FrontDoorSettings

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if staff.is_guest or not coordinating_organization_ids(staff):
            return DENY
        return Decision(True, Basis.COORDINATOR)

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        if self.decide(staff, action, None):
            return FrontDoorSettings.objects.all()
        return FrontDoorSettings.objects.none()
