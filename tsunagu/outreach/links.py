"""The outreach app's links: a contact's household, case and person (see
``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    # The organization that made the contact, and each visitor's.
    Link(
        "outreach.OutreachContact",
        "household",
        Kind.HOUSEHOLD,
        own=("organization", "visitors__organization"),
        record_kind="outreach_contact",
        activity=("occurred_at",),
    ),
    Link("outreach.OutreachContact", "case", Kind.CASE, activity=("occurred_at",)),
    Link(
        "outreach.OutreachContact",
        "person",
        Kind.PERSON,
        key="outreach_contacts",
        retained_with=("outreach.outreachcontact", "id"),
    ),
)
