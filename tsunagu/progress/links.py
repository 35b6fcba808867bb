"""The progress app's links: a note's household, case and person (see
``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Kind, Link

LINKS = (
    # The organization that wrote the note, and each participant's.
    Link(
        "progress.ProgressNote",
        "household",
        Kind.HOUSEHOLD,
        own=("organization", "participants__organization"),
        record_kind="progress_note",
        activity=("occurred_at",),
    ),
    Link("progress.ProgressNote", "case", Kind.CASE, activity=("occurred_at",)),
    Link(
        "progress.ProgressNote",
        "person",
        Kind.PERSON,
        key="progress_notes",
        retained_with=("progress.progressnote", "id"),
    ),
)
