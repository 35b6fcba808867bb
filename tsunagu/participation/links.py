"""The participation app's links: paths and profiles of a person, with their
household and case (see ``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    Link(
        "participation.Participation",
        "household",
        Kind.HOUSEHOLD,
        own=("organization",),
        record_kind="participation",
        activity=("proposed_on", "stage_changed_on", "ended_on"),
    ),
    Link(
        "participation.Participation",
        "case",
        Kind.CASE,
        activity=("proposed_on", "stage_changed_on", "ended_on"),
    ),
    Link(
        "participation.Participation",
        "person",
        Kind.PERSON,
        key="participations",
        retained_with=("participation.participation", "id"),
    ),
    Link(
        "participation.ParticipationProfile",
        "household",
        Kind.HOUSEHOLD,
        own=("organization",),
        record_kind="participation_profile",
    ),
    # One profile per person and organization: where the survivor already
    # has the organization's, the absorbed record's stays with it. Its text
    # is anonymised with the person.
    Link(
        "participation.ParticipationProfile",
        "person",
        Kind.PERSON,
        key="participation_profiles",
    ),
)
