"""The cases app's links: a 多機関協働 case's household, the records of the
case, and the persons its consents name (see ``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link, Unlinked

LINKS = (
    # The coordinating section that holds the case.
    Link(
        "cases.Case",
        "household",
        Kind.HOUSEHOLD,
        record_kind="case",
    ),
    Link("cases.CaseEvent", "case", Kind.CASE),
    Link("cases.CaseTeamMember", "case", Kind.CASE),
    # Each organization a consent names (in force or not: the policy decides).
    Link("cases.Consent", "case", Kind.CASE, record_kind="consent"),
    Link(
        "cases.Consent",
        "grantor",
        Kind.PERSON,
        key="consent_grantors",
        retained_with=("cases.case", "case"),
    ),
    Link(
        "cases.Consent",
        "members",
        Kind.PERSON,
        key="consent_members",
        on_conflict="drop",
        retained_with=("cases.case", "consent__case"),
    ),
)

UNLINKED = (
    Unlinked(
        "cases.Case",
        "consultations",
        "the consultations a case was opened from: each is tied to its household by its own link",
    ),
)
