"""The database refuses to change or remove an audit event, except to seal it.

Triggers on ``audit_auditevent`` (installed by migration
``0004_append_only_triggers``) raise on every DELETE and on every UPDATE but
the sealer's: filling in ``SEAL_FIELDS`` of an event that has no hash yet,
all its other columns unchanged. On PostgreSQL the check compares the whole
row but the seal columns, so a column added later is covered too; SQLite's
trigger names the columns (and SQLite drops triggers when Django rebuilds the
table: ``test_the_database_refuses_to_change_or_delete_an_event`` in
``audit/tests/test_sealing.py`` fails if a later migration loses them).

The trigger binds every role, the table's owner included; but an owner may
disable it (PostgreSQL lets an owner do so), and only an owner is let
through by ``suspended()``: run the application as a role that does not own
the tables (docs/operations.md).
``suspended()`` is for the one operation that must remove events, a restore
that replaces a municipality (``core.backup``), and for tests that tamper
with the trail on purpose to prove ``verify_audit`` finds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

TABLE = "audit_auditevent"
MESSAGE = "監査イベントは追記のみです（封緘以外の変更・削除はできません）"
#: PostgreSQL: the setting ``suspended()`` turns on for its transaction.
SUSPENDED = "tsunagu.audit_suspended"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        seal_columns text[] := ARRAY['chain_id', 'sequence', 'previous_hash', 'hash'];
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.hash IS NULL
           AND (to_jsonb(NEW) - seal_columns) = (to_jsonb(OLD) - seal_columns) THEN
            RETURN NEW;
        END IF;
        -- suspended(): only for a role that owns the table (and so could
        -- disable this trigger anyway), and only in its transaction.
        IF current_setting('{SUSPENDED}', true) = 'on' AND pg_has_role(
            (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER'
        ) THEN
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        RAISE EXCEPTION '{MESSAGE}: % (id %)', TG_OP, OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,  # noqa: S608 - built from this module's constants, no input
    f"""
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
    # Nobody is given TRUNCATE by default; say so for roles granted "ALL".
    f"REVOKE TRUNCATE ON {TABLE} FROM PUBLIC",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]

#: The columns an UPDATE must leave alone (all but the seal columns).
_KEPT = (
    "id",
    "occurred_at",
    "municipality_id",
    "actor_id",
    "actor_label",
    "organization_id",
    "action",
    "object_type",
    "object_id",
    "basis",
    "detail",
    "ip_address",
    "user_agent",
)
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_event_seal_only BEFORE UPDATE ON {TABLE}
    WHEN OLD.hash IS NOT NULL OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _KEPT)}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_event_seal_only",
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_INSTALL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_REMOVE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REMOVE)


def _suspend_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"SET LOCAL {SUSPENDED} = 'on'"]
    return SQLITE_REMOVE if vendor == "sqlite" else []


def _resume_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"SET LOCAL {SUSPENDED} = 'off'"]
    return SQLITE_INSTALL if vendor == "sqlite" else []


@contextmanager
def suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the triggers for the block, inside the caller's transaction.

    The block runs in a savepoint: if it fails, rolling the savepoint back
    brings the triggers back with the rest. On PostgreSQL it sets a setting
    local to the transaction that the trigger honours only for a role that
    owns the table; on SQLite it drops the triggers and makes them again (a
    schema change: other connections wait for the transaction)."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in _suspend_sql(connection.vendor):
            cursor.execute(statement)
        yield
        for statement in _resume_sql(connection.vendor):
            cursor.execute(statement)
