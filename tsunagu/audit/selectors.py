"""The auditor's reads of the trail: one set of filters for the page and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models

from tsunagu import policy
from tsunagu.accounts.models import Staff


@dataclass(frozen=True)
class EventFilters:
    """What an auditor narrows the trail by (each empty: not filtered)."""

    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def used(self) -> dict[str, bool]:
        """Which filters were used: recorded with the reading, never their values
        (a name typed into the actor filter may be a resident's)."""
        return {name: bool(value) for name, value in self.__dict__.items()}


def audit_event_list(staff: Staff, filters: EventFilters) -> models.QuerySet[Any]:
    """The events of the staff member's municipality they may read, newest first."""
    events = policy.visible(staff, "audit_event", policy.Action.LIST).select_related(
        "actor", "organization"
    )
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_label__icontains=filters.actor)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.date_from:
        events = events.filter(occurred_at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(occurred_at__date__lte=filters.date_to)
    return events.order_by("-occurred_at", "-id")
