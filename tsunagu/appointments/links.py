"""The appointments app's links: a booking's person (see ``tsunagu.core.links``).

Not an ``own`` link: a booking gives the window no way in to the person (the
staff who book already have one, checked when booking)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    # Its name and contact are anonymised with the person.
    Link("appointments.Appointment", "person", Kind.PERSON, key="appointments"),
)
