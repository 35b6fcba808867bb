"""The activities app's links: an activity record about a household (see
``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    # An organization's own record of its work; it opens no way to the
    # household (the policy shows it to its organization, and to those who
    # see the household otherwise).
    Link(
        "activities.ActivityRecord",
        "household",
        Kind.HOUSEHOLD,
        record_kind="activity_record",
        activity=("occurred_on",),
    ),
)
