"""Which municipality (tenant) the current code runs for.

Every row of tenant data carries its municipality, and every default queryset
of tenant data is filtered to the *current* municipality, held in a context
variable. The request middleware sets it from the signed-in staff member;
commands and tasks set it with :func:`tenant_context`. Where no municipality
is current, tenant querysets are empty: forgetting to set it shows nothing,
it never shows everything.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsunagu.core.municipality import Municipality

_current: contextvars.ContextVar[Municipality | None] = contextvars.ContextVar(
    "tsunagu_current_municipality", default=None
)


class TenantMismatch(Exception):
    """Raised when code tries to write a row of one municipality while working for another."""


def current_municipality() -> Municipality | None:
    return _current.get()


def current_municipality_id() -> int | None:
    municipality = _current.get()
    return municipality.pk if municipality is not None else None


@contextmanager
def tenant_context(municipality: Municipality | None) -> Iterator[None]:
    """Run the block for ``municipality`` (``None``: for no municipality at all)."""
    token = _current.set(municipality)
    try:
        yield
    finally:
        _current.reset(token)


def activate(municipality: Municipality | None) -> contextvars.Token[Municipality | None]:
    return _current.set(municipality)


def deactivate(token: contextvars.Token[Municipality | None]) -> None:
    _current.reset(token)
