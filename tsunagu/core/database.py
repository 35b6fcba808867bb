"""Keeping the database's planner statistics current.

SQLite has no statistics until ANALYZE runs, and without them it may pick the
municipality index (every row of the tenant) over a selective one (one
household's consultations): at 300,000 consultations that is the difference
between 1 s and 10 ms. PostgreSQL's autovacuum analyses by itself; an explicit
ANALYZE after a bulk load is still worth it.
"""

from __future__ import annotations

from typing import Any

from django.db import connection


def database_analyze() -> None:
    """Refresh the planner statistics (after a bulk load, or on a schedule)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sqlite_optimize(sender: Any = None, **kwargs: Any) -> None:
    """SQLite's own advice: ``PRAGMA optimize`` before a connection closes
    re-analyses the tables whose statistics have gone stale, cheaply."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
