"""The assessments app's links: an assessment's household, case and person
(see ``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    # The organization that made the assessment: its own record about the household.
    Link(
        "assessments.Assessment",
        "household",
        Kind.HOUSEHOLD,
        own=("organization",),
        record_kind="assessment",
        activity=("assessed_on",),
    ),
    Link("assessments.Assessment", "case", Kind.CASE, activity=("assessed_on",)),
    Link(
        "assessments.Assessment",
        "person",
        Kind.PERSON,
        key="assessments",
        retained_with=("assessments.assessment", "id"),
    ),
)
