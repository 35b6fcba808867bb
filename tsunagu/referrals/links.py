"""The referrals app's links: a つなぐシート's household and the persons it
names (see ``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    # Sender and receiver, whatever the state: the policy decides on the state.
    Link(
        "referrals.Referral",
        "household",
        Kind.HOUSEHOLD,
        own=("from_organization",),
        record_kind="referral",
        activity=("created_at", "sent_at", "closed_at", "report_back_at"),
    ),
    Link(
        "referrals.Referral",
        "persons",
        Kind.PERSON,
        key="referral_persons",
        on_conflict="drop",
        retained_with=("referrals.referral", "referral"),
    ),
)
