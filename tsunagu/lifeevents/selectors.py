"""Reads of 家族の出来事, through the policy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tsunagu import policy
from tsunagu.accounts.models import Staff


def household_events(staff: Staff, household_id: int) -> list[Any]:
    """The household's events the staff member may see, oldest first (withdrawn ones left out)."""
    events: QuerySet[Any] = (
        policy.visible(staff, "life_event", policy.Action.VIEW)
        .filter(household_id=household_id, archived_at=None)
        .select_related("organization", "person")
        .order_by("occurred_on", "pk")
    )
    return list(events)
