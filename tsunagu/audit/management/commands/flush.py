"""python manage.py flush, with the audit trail's triggers lifted for it.

Emptying the whole database removes the audit trail by design (tests that
commit are cleaned up this way). On SQLite flush deletes row by row, which
the append-only trigger refuses; PostgreSQL's TRUNCATE passes row triggers
(and is the owner's alone). Django's own command does the work.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from tsunagu.audit import append_only


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        if connections[database].vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=database), append_only.suspended(using=database):
            super().handle(**options)
