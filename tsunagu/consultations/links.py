"""The consultations app's links: a consultation's household and the persons
it is about (see ``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    Link(
        "consultations.Consultation",
        "household",
        Kind.HOUSEHOLD,
        own=("organization",),
        record_kind="consultation",
        activity=("received_at",),
    ),
    Link(
        "consultations.ConsultationSubject",
        "person",
        Kind.PERSON,
        key="consultation_subjects",
        on_conflict="drop",
        retained_with=("consultations.consultation", "consultation"),
    ),
)
