"""The community app's links: none, one relation set aside (see
``tsunagu.core.links``)."""

from __future__ import annotations

from tsunagu.core.links import Link, Unlinked

LINKS: tuple[Link, ...] = ()

UNLINKED = (
    Unlinked(
        "community.RegionalIssue",
        "source_case",
        "a 地域課題 is written without names: the case it was raised from is its source,"
        " not its subject",
    ),
)
