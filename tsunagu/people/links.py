"""The people app's links: household memberships, the household's own
registration and break-glass openings (see ``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link, Unlinked

LINKS = (
    Link(
        "people.HouseholdMembership",
        "person",
        Kind.PERSON,
        key="memberships",
        retained_with=("people.household", "household"),
    ),
    Link(
        "people.HouseholdMembership",
        "household",
        Kind.HOUSEHOLD,
        activity=("started_on", "ended_on"),
    ),
    # The household itself: the organization that registered it.
    Link(
        "people.Household",
        "pk",
        Kind.HOUSEHOLD,
        own=("registered_by",),
        record_kind="household",
    ),
    # The staff member who opened it has a way of their own for its hours (grants).
    Link("people.EmergencyAccess", "household", Kind.HOUSEHOLD, record_kind="emergency_access"),
)

UNLINKED = (
    Unlinked(
        "people.Person",
        "merged_into",
        "the merge's pointer from an archived record to the person it became",
    ),
    Unlinked(
        "people.PersonNameGram",
        "person",
        "the search index of the person's own name, rewritten with it",
    ),
    Unlinked("people.PersonMerge", "survivor", "the merge's own record of who was merged"),
    Unlinked("people.PersonMerge", "absorbed", "the merge's own record of who was merged"),
)
