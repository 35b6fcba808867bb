"""Keeping the database's planner statistics current.

SQLite has no statistics until ANALYZE runs, and without them it may pick the
municipality index (every row of the tenant) over a selective one (one
household's consultations): at 300,000 consultations that is the difference
between 1 s and 10 ms. PostgreSQL's autovacuum analyses by itself; an explicit
ANALYZE after a bulk load is still worth it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from django.db import OperationalError, connection, models


def database_analyze() -> None:
    """Refresh the planner statistics (after a bulk load, or on a schedule)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sqlite_optimize(sender: Any = None, **kwargs: Any) -> None:
    """SQLite's own advice: ``PRAGMA optimize`` before a connection closes
    re-analyses the tables whose statistics have gone stale, cheaply."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        # Advice only: while another connection writes, the ANALYZE it may run
        # cannot take the lock ("database is locked", without waiting, when its
        # read snapshot is stale). The response is already sent; a later
        # request optimizes instead of this one failing.
        with contextlib.suppress(OperationalError), connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")


def insert_rows(
    model: type[models.Model], fields: list[str], rows: Iterable[Sequence[Any]], chunk: int = 5000
) -> int:
    """Insert many rows of ``model`` at once, without building model instances.

    For bulk loads (the demo ward's report figures, synthetic data sets): the
    ORM's ``bulk_create`` spends most of its time preparing each value of
    each instance; here each column's adapter is chosen once and the rows go
    to the driver's ``executemany`` in chunks. No ``save()`` runs, so the
    caller sets every value (the municipality, created_at …) itself. Returns
    the number of rows."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    # Only the columns whose values need converting are touched row by row.
    adapters = [
        (index, adapt)
        for index, adapt in enumerate(_adapter(field) for field in columns)
        if adapt is not None
    ]

    def adapted(row: Sequence[Any]) -> Sequence[Any]:
        if not adapters:
            return row
        values = list(row)
        for index, adapt in adapters:
            values[index] = adapt(values[index])
        return values

    quote = connection.ops.quote_name
    names = ", ".join(quote(str(field.column)) for field in columns)  # type: ignore[union-attr]
    total = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: several times faster than INSERT
            # for millions of rows (the synthetic large ward), same values.
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in iterator:
                    copy.write_row(adapted(row))
                    total += 1
            return total
        # Table and column names come from the model's metadata, quoted; values are parameters.
        sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        while batch := list(islice(iterator, chunk)):
            cursor.executemany(sql, [adapted(row) for row in batch])
            total += len(batch)
    return total


def next_id(model: type[models.Model]) -> int:
    """The first free primary key of ``model``'s table, for a bulk load that
    assigns its own ids (so that rows can refer to each other before insert)."""
    meta, quote = model._meta, connection.ops.quote_name
    pk = str(meta.pk.column)  # type: ignore[union-attr]
    # Names from the model's metadata, quoted.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(MAX({quote(pk)}), 0) + 1 FROM {quote(meta.db_table)}"  # noqa: S608
        )
        return int(cursor.fetchone()[0])


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    """After rows were inserted with their own ids: PostgreSQL's id sequences
    move past them (SQLite's AUTOINCREMENT follows by itself)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    """How a value of ``field`` goes to the driver (None: as it is)."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        if connection.vendor == "sqlite" and connection.timezone == UTC:
            return _sqlite_utc
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "TimeField":
        return ops.adapt_timefield_value
    if kind == "JSONField":
        return lambda value: ops.adapt_json_value(value, field.encoder)
    if kind == "UUIDField":  # a hex string on SQLite, a uuid on PostgreSQL
        return lambda value: field.get_db_prep_value(value, connection)
    return None


def _sqlite_utc(value: datetime | None) -> str | None:
    """An aware datetime as SQLite stores it (naive UTC text), as Django's
    ``adapt_datetimefield_value`` writes it, without its per-value lookups
    (a third of a bulk load's time at millions of rows)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("a naive datetime in a bulk load: give it a time zone")
    return str(value.astimezone(UTC).replace(tzinfo=None))
