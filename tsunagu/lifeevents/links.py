"""The life events app's links: an event's household and person (see
``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    Link(
        "lifeevents.LifeEvent",
        "household",
        Kind.HOUSEHOLD,
        own=("organization",),
        record_kind="life_event",
    ),
    # Its text is anonymised with the person.
    Link(
        "lifeevents.LifeEvent",
        "person",
        Kind.PERSON,
        key="life_events",
    ),
)
