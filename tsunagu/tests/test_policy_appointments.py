"""The permission matrix of 出張相談会・巡回相談 (``consultation_event``), 予約
(``appointment``) and a window's appointment settings × every role × the
neighbours that must be refused (another organization, another tenant, the
external guest).

An event is the holding organization's record; the coordinating section
reads every event (not changes it). An appointment is personal data of the
window's own casework staff only. Settings: read by the window's casework
staff, set by its 機関管理者."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.appointments import services
from tsunagu.appointments.models import Appointment, EventKind
from tsunagu.core import tenancy
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward

A = policy.Action
B = policy.Basis
READ = (A.VIEW, A.LIST, A.EXPORT)
WRITE = (A.CHANGE,)

pytestmark = pytest.mark.django_db

# viewer -> {kind: (read basis, write basis)}
NONE: dict[str, tuple[Any, Any]] = {
    "event": (None, None),
    "appointment": (None, None),
    "settings": (None, None),
}
EXPECTED: dict[str, dict[str, tuple[Any, Any]]] = {
    "counselor": {
        "event": (B.OWN_ORGANIZATION, B.OWN_ORGANIZATION),
        "appointment": (B.OWN_ORGANIZATION, B.OWN_ORGANIZATION),
        "settings": (B.OWN_ORGANIZATION, None),
    },
    "org_manager": {
        "event": (B.OWN_ORGANIZATION, B.OWN_ORGANIZATION),
        "appointment": (B.OWN_ORGANIZATION, B.OWN_ORGANIZATION),
        "settings": (B.OWN_ORGANIZATION, B.ORGANIZATION_MANAGER),
    },
    "coordinator": {**NONE, "event": (B.COORDINATOR, None)},
    "manager": NONE,
    "sysadmin": NONE,
    "auditor": NONE,
    "guest": NONE,
    "other-organization": NONE,
    "other-organization-manager": NONE,
    "other-tenant": NONE,
    "other-tenant-coordinator": NONE,
}
RESOURCES = {
    "event": "consultation_event",
    "appointment": "appointment",
    "settings": "appointment_settings",
}


def _viewer(name: str, ward: Ward, other_ward: Ward) -> Staff:
    if name == "other-organization":
        return rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor")
    if name == "other-organization-manager":
        return rf.staff_at(ward, ward.other_center, Role.ORG_MANAGER, "south-manager")
    if name == "other-tenant":
        return other_ward.member(Role.COUNSELOR)
    if name == "other-tenant-coordinator":
        return other_ward.member(Role.COORDINATOR)
    return ward.member(name)


@pytest.mark.parametrize("viewer_name", list(EXPECTED))
def test_appointments_matrix(ward: Ward, other_ward: Ward, viewer_name: str) -> None:
    manager = ward.member(Role.ORG_MANAGER)
    with tenancy.tenant_context(ward.municipality):
        config = services.settings_save(
            actor=manager, organization=ward.center, takes_appointments=True
        )
        event = services.event_create(
            actor=manager,
            organization=ward.center,
            kind=EventKind.SESSION,
            held_on=timezone.localdate(),
            starts_at=datetime.time(10),
            ends_at=datetime.time(12),
            venue="北地区公民館",
        )
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        appointment = Appointment.objects.create(
            organization=ward.center,
            starts_at=timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10))),
            ends_at=timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(11))),
            source="staff",
            name="鈴木 花子",
        )
    records = {"event": event, "appointment": appointment, "settings": config}
    viewer = _viewer(viewer_name, ward, other_ward)
    problems = []
    for kind, obj in records.items():
        resource = RESOURCES[kind]
        read, write = EXPECTED[viewer_name][kind]
        # An event recorded in error is withdrawn by whoever may change it.
        writes = (*WRITE, A.ARCHIVE) if kind == "event" else WRITE
        for actions, expected in ((READ, read), (writes, write)):
            for action in actions:
                decision = policy.decide(viewer, action, resource, obj)
                if (decision.allowed, decision.basis) != (expected is not None, expected):
                    problems.append(f"{kind} decide {action}: {decision}")
                shown = policy.visible(viewer, resource, action).filter(pk=obj.pk).exists()
                if shown != (expected is not None):
                    problems.append(f"{kind} visible {action}: {shown}")
    assert problems == []
