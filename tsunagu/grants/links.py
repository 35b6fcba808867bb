"""The grants' relations to persons, households and cases (``tsunagu.links``):
none of them is a record about the person, so each is set aside."""

from __future__ import annotations

from tsunagu.core.links import Link, Unlinked

LINKS: tuple[Link, ...] = ()

#: The policy's rows, worked out from the records (``policy.ways``): a merge
#: and a retention run rewrite them from the records they changed.
UNLINKED = tuple(
    Unlinked("grants.Grant", field, "the policy's ways in, worked out from the records")
    for field in ("household", "case", "person")
)
