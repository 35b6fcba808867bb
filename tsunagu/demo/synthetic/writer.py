"""Writing millions of synthetic rows quickly.

A :class:`Writer` buffers rows of one model as plain tuples and hands them to
``core.database.insert_rows`` in chunks (``executemany`` on SQLite, ``COPY``
on PostgreSQL). The generator names the columns it decides; every other column
takes the model field's default (or empty / NULL), filled in once here, so a
new column with a default never breaks the generator. Ids are assigned by the
generator from :class:`Ids`, so that rows can refer to each other before they
are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models

from tsunagu.core.database import insert_rows, next_id

CHUNK = 50_000


class Ids:
    """The next free primary key of each table, handed out in order."""

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int = 1) -> int:
        """The first of ``count`` new ids of ``model``."""
        if model not in self._next:
            self._next[model] = next_id(model)
        first = self._next[model]
        self._next[model] = first + count
        return first

    def models(self) -> list[type[models.Model]]:
        """The tables that were given ids (their sequences need resetting)."""
        return list(self._next)


def _filler(field: models.Field) -> Any:
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(
        f"{field.model.__name__}.{field.name} has no default: the generator must set it"
    )


class Writer:
    """Rows of one model: ``add`` the named columns, the rest are filled in."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        named = set(fields)
        rest = [
            field
            for field in model._meta.concrete_fields
            if field.name not in named and not field.primary_key
        ]
        self.fields = [*fields, *(field.name for field in rest)]
        self.tail = tuple(_filler(field) for field in rest)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.tail)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.written += insert_rows(self.model, self.fields, self.rows, chunk=CHUNK)
            self.rows = []
