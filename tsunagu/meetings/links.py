"""The meetings app's links: the cases on a meeting's agenda (see
``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    # Each attending organization × each case on the meeting's agenda
    # (支援会議 and the other kinds alike): the policy decides on pledges,
    # guests and the case's stage.
    Link(
        "meetings.AgendaItem",
        "case",
        Kind.CASE,
        record_kind="agenda_item",
        activity=("part__meeting__held_on",),
    ),
)
