"""Reads of events and appointments: counts per event, free slots, a week's grid."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from tsunagu.appointments import slots
from tsunagu.appointments.models import HOLDING, Appointment, AppointmentSettings
from tsunagu.consultations.models import ConsultationTopic, Topic
from tsunagu.directory.models import Organization


def events_with_counts(events: QuerySet[Any]) -> QuerySet[Any]:
    """``events`` each with ``consultation_count``: the consultations taken there."""
    return events.annotate(
        consultation_count=Count("consultations", filter=Q(consultations__archived_at=None))
    ).select_related("organization", "place__resource", "district")


def topic_counts(event_id: int) -> list[tuple[str, int]]:
    """How many of an event's consultations checked each 相談内容 (checklist order)."""
    counted = Counter(
        ConsultationTopic.objects.filter(
            consultation__event_id=event_id, consultation__archived_at=None
        ).values_list("topic", flat=True)
    )
    return [(str(topic.label), counted[topic.value]) for topic in Topic if counted[topic.value]]


@dataclass
class SlotState:
    slot: slots.Slot
    capacity: int
    bookings: list[Appointment] = field(default_factory=list)

    @property
    def free(self) -> int:
        return max(self.capacity - sum(1 for b in self.bookings if b.status in HOLDING), 0)


def slot_states(
    config: AppointmentSettings,
    organization: Organization,
    first: datetime.date,
    last: datetime.date,
    appointments: QuerySet[Any] | None = None,
) -> list[SlotState]:
    """Every slot from ``first`` to ``last`` with its bookings (from
    ``appointments``, the viewer's visible ones; none: only the counts matter)."""
    grid = slots.slots_between(config, first, last)
    held = Appointment.objects.filter(
        organization=organization,
        starts_at__date__range=(first, last),
        archived_at=None,
    )
    if appointments is not None:
        held = appointments.filter(pk__in=held.values("pk"))
    by_start: dict[datetime.datetime, list[Appointment]] = {}
    for appointment in held.select_related("person").order_by("starts_at", "pk"):
        by_start.setdefault(appointment.starts_at, []).append(appointment)
    return [SlotState(s, config.capacity, by_start.get(s.starts_at, [])) for s in grid]


def free_slots(
    config: AppointmentSettings,
    organization: Organization,
    first: datetime.date,
    last: datetime.date,
    after: datetime.datetime,
) -> list[slots.Slot]:
    """The slots with a place left, starting after ``after``."""
    return [
        state.slot
        for state in slot_states(config, organization, first, last)
        if state.free and state.slot.starts_at > after
    ]
