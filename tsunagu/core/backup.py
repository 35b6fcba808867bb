"""Backing up one municipality (tenant) to a file, and restoring it.

``manage.py backup --municipality <code> --output FILE`` writes every row of
one municipality to one file; ``manage.py restore FILE [--replace] [--dry-run]``
puts them back, with their primary keys, in one transaction.

What a backup holds
-------------------
- The ``core.Municipality`` row itself.
- Every row of every *tenant table*: a model with a ``municipality`` foreign
  key to the municipality. These are all the ``TenantModel`` tables (staff,
  memberships, API tokens, organizations, districts, persons, households,
  consultations, referrals, cases, meetings, plans, outreach, resources,
  participation, community work, activities, reports, and every history
  table) and the municipality's audit trail: its chain head
  (``audit.AuditChain``) and its events (``audit.AuditEvent``), restored with
  their stored ids, sequence numbers and hashes so that ``verify_audit`` holds.
- Every row of every *attached table*: a model with no municipality column
  but a required foreign key to a tenant table, its rows chosen by that key.
  These are the many-to-many link tables (an organization's districts, a
  consultation's 世帯の特徴, a consent's members …) and the staff's two-factor
  devices (``otp_totp.TOTPDevice``): without them staff whose role requires
  two-factor authentication would have to enrol again after a restore.

What it leaves out, and why (``SHARED_APPS``)
----------------------------------------------
- ``contenttypes``, ``auth`` (permissions, groups): installation-wide, made by
  ``migrate`` and alike on every installation at the same migration state; no
  tenant row refers to them (staff have neither groups nor permissions).
- ``sessions``: short-lived and installation-wide; staff sign in again.
- ``axes``: failed-login records keyed by login name and address, not by
  municipality, and kept for 30 minutes; a restore must not lift or impose a
  lockout.
- ``django_tasks`` and its database backends: installation-wide work queues
  (scheduled jobs are re-enqueued by their schedule), not a tenant's records.
- Audit events of no municipality (the "installation" chain: failed logins
  with unknown names): they are no tenant's; they stay as they are.

A model that is none of these fails ``unclassified_models()`` (and its test),
so that a new table is never silently left out of backups.

The file
--------
A zip archive holding ``data/NNN-<app>.<model>.jsonl`` (one JSON array per
row, in the order of the part's columns, values as Django's fields write them
as text: datetimes in ISO 8601 with microseconds) and ``manifest.json``: the
format and its version, when it was made, the municipality (id, code, name),
the applied migrations of every app, and for each part its model, columns, row
count and SHA-256. The file holds the municipality's personal data and its
staff's password hashes: it is written readable by its owner only (0600) and
must be kept like the database itself.

Restoring
---------
``restore`` checks the manifest and every part's SHA-256, refuses when this
database's migrations of the backed-up apps differ from the backup's, when the
municipality exists (unless ``--replace``), or when any primary key of the
backup is used by another municipality's row. In one transaction it deletes
the municipality's rows (``--replace``; the audit trail's append-only trigger
is lifted for it, which on PostgreSQL only the tables' owner may do), inserts the backup's rows in the order
of their foreign keys, moves PostgreSQL's id sequences past them, checks every
foreign key and that no restored row points at another municipality's row,
appends a restore event to the municipality's audit chain and verifies that
chain; any failure rolls everything back. Other municipalities' rows are only
ever read (to refuse a colliding key). ``--dry-run`` does all of this and then
rolls it back. A restore replaces the municipality's audit chain with the
backup's: the event it appends records the replaced chain's last sequence and
hash and how many events it held. Restore while the municipality's staff are
signed out: on PostgreSQL their writes wait for the restore and then fail.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import getpass
import hashlib
import json
import os
import re
import tempfile
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from tsunagu.audit import append_only
from tsunagu.audit.models import AuditAction, AuditChain, AuditEvent
from tsunagu.audit.services import audit_record, audit_seal, audit_verify
from tsunagu.core.database import insert_rows, reset_sequences
from tsunagu.core.models import Municipality

FORMAT = "tsunagu-tenant-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 2000

#: Apps whose tables are installation-wide, not a tenant's (see the module docstring).
SHARED_APPS = frozenset(
    {"contenttypes", "auth", "sessions", "axes", "django_tasks", "django_tasks_database"}
)

#: Japanese names of the parts whose models are named in English by their library.
LABELS = {"otp_totp.totpdevice": "二要素認証の端末（TOTP）"}


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator, in Japanese."""


# --- Which tables belong to a municipality ------------------------------------------------


def _concrete_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _tenant_key(model: type[models.Model]) -> models.ForeignKey[Any, Any] | None:
    """The ``municipality`` foreign key that makes ``model`` a tenant table."""
    for model_field in model._meta.concrete_fields:
        if (
            model_field.name == "municipality"
            and isinstance(model_field, models.ForeignKey)
            and model_field.related_model is Municipality
        ):
            return model_field
    return None


def _owner_key(
    model: type[models.Model], tenant: set[type[models.Model]]
) -> models.ForeignKey[Any, Any] | None:
    """The first required foreign key of ``model`` to a tenant table (or to the
    municipality): how an attached table's rows are chosen."""
    for model_field in model._meta.concrete_fields:
        if (
            isinstance(model_field, models.ForeignKey)
            and not model_field.null
            and (model_field.related_model in tenant or model_field.related_model is Municipality)
        ):
            return model_field
    return None


@dataclass(frozen=True)
class Tables:
    """The tables of one municipality, in the order their rows are restored."""

    ordered: list[type[models.Model]]
    tenant: frozenset[type[models.Model]]
    attached: dict[type[models.Model], models.ForeignKey[Any, Any]]


def tenant_tables() -> Tables:
    concrete = _concrete_models()
    tenant = {model for model in concrete if _tenant_key(model) is not None}
    attached: dict[type[models.Model], models.ForeignKey[Any, Any]] = {}
    for model in concrete:
        if model in tenant or model is Municipality or model._meta.app_label in SHARED_APPS:
            continue
        key = _owner_key(model, tenant)
        if key is not None:
            attached[model] = key
    ordered = _dependency_order([Municipality, *tenant, *attached])
    return Tables(ordered, frozenset(tenant), attached)


def unclassified_models() -> list[str]:
    """Models that are neither backed up nor named shared: each must be decided on."""
    tables = tenant_tables()
    included = set(tables.ordered)
    return sorted(
        model._meta.label_lower
        for model in _concrete_models()
        if model not in included and model._meta.app_label not in SHARED_APPS
    )


def _dependency_order(chosen: Sequence[type[models.Model]]) -> list[type[models.Model]]:
    """``chosen`` with every model after the models its foreign keys point at
    (ties in label order; a cycle, if one appears, in label order: the foreign
    keys are checked at the end of the transaction, not row by row)."""
    pending = set(chosen)
    needs = {
        model: {
            model_field.related_model
            for model_field in model._meta.concrete_fields
            if model_field.is_relation
            and model_field.related_model in pending
            and model_field.related_model is not model
        }
        for model in chosen
    }
    ordered: list[type[models.Model]] = []
    while pending:
        ready = sorted(
            (model for model in pending if not (needs[model] & pending)),
            key=lambda model: model._meta.label_lower,
        )
        if not ready:  # a cycle: take the first in label order
            ready = [min(pending, key=lambda model: model._meta.label_lower)]
        for model in ready:
            ordered.append(model)
            pending.discard(model)
    return ordered


def tenant_rows(
    model: type[models.Model], tables: Tables, municipality_id: int
) -> models.QuerySet[Any]:
    """One municipality's rows of ``model``, on purpose across the tenant manager."""
    manager = model._base_manager
    if model is Municipality:
        return manager.filter(pk=municipality_id)
    if model in tables.tenant:
        return manager.filter(municipality_id=municipality_id)
    key = tables.attached[model]
    if key.related_model is Municipality:
        return manager.filter(**{key.attname: municipality_id})
    return manager.filter(**{f"{key.name}__municipality_id": municipality_id})


def label_of(model: type[models.Model]) -> str:
    """The Japanese name of a part, for the counts the commands print."""
    label = model._meta.label_lower
    if label in LABELS:
        return LABELS[label]
    source = model._meta.auto_created
    if isinstance(source, type):  # a many-to-many link table
        for m2m in source._meta.many_to_many:
            if m2m.remote_field.through is model:  # type: ignore[attr-defined]
                return f"{source._meta.verbose_name}の{m2m.verbose_name}"
    return str(model._meta.verbose_name)


def _columns(model: type[models.Model]) -> list[str]:
    return [model_field.attname for model_field in model._meta.concrete_fields]


# --- Values to and from JSON --------------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot back up a value of type {type(value).__name__}")


def _encoders(model: type[models.Model]) -> list[Callable[[Any], Any] | None]:
    """Per column: how a value becomes JSON (None: a JSON field's value is JSON already)."""
    return [
        None if isinstance(model_field, models.JSONField) else _encode
        for model_field in model._meta.concrete_fields
    ]


def _decoders(model: type[models.Model]) -> list[Callable[[Any], Any] | None]:
    """Per column: how JSON becomes the field's value again (``to_python`` parses
    ISO dates, decimals, UUIDs and base64 bytes as Django's serializers do)."""
    return [
        None if isinstance(model_field, models.JSONField) else model_field.to_python
        for model_field in model._meta.concrete_fields
    ]


# --- Backup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    model: type[models.Model]
    rows: int


@dataclass(frozen=True)
class BackupResult:
    path: Path
    sha256: str
    parts: list[Part]


def applied_migrations() -> dict[str, list[str]]:
    """Per app, the names of the migrations applied to this database."""
    applied: dict[str, list[str]] = defaultdict(list)
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied[app_label].append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return ""


def backup_create(*, municipality: Municipality, output: Path) -> BackupResult:
    """Write every row of ``municipality`` to ``output`` (which must not exist).

    The audit event of the backup is written first, committed on its own and
    sealed, so that the backup holds it in its chain; the rows are then read in one transaction: a snapshot
    on PostgreSQL that blocks nobody; on SQLite the transaction holds the
    write lock, so staff's saves wait while a backup runs."""
    if output.exists():
        raise BackupError(
            f"出力先のファイル {output} はすでにあります。別の名前を指定してください。"
        )
    if not output.parent.is_dir():
        raise BackupError(f"出力先のフォルダ {output.parent} がありません。")
    event = audit_record(
        AuditAction.EXPORT,
        obj=municipality,
        municipality=municipality,
        actor_label="manage.py backup",
        detail={"operation": "backup", "file": output.name, "os_user": _os_user()},
    )
    # Sealed before the rows are read, so that the backup holds it in its chain
    # (already done after its commit, unless a caller's transaction is open).
    audit_seal(municipality_id=municipality.pk, wait=True)
    event.refresh_from_db()
    descriptor, temporary = tempfile.mkstemp(prefix=".backup-", dir=output.parent)
    os.close(descriptor)  # mkstemp made it 0600; the zip is written over it
    try:
        parts = _write_archive(Path(temporary), municipality, event)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        # The failure is recorded where the database still takes it; the
        # original error is what the operator needs to see either way.
        with contextlib.suppress(DatabaseError):
            audit_record(
                AuditAction.EXPORT,
                obj=municipality,
                municipality=municipality,
                actor_label="manage.py backup",
                detail={"operation": "backup", "file": output.name, "failed": True},
            )
        raise
    return BackupResult(output, _file_sha256(output), parts)


def _write_archive(path: Path, municipality: Municipality, event: AuditEvent) -> list[Part]:
    tables = tenant_tables()
    outermost = not connection.in_atomic_block
    manifest_parts: list[dict[str, Any]] = []
    parts: list[Part] = []
    started = timezone.now()
    with (
        transaction.atomic(),
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every table, without blocking anyone's writes.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for index, model in enumerate(tables.ordered, start=1):
            name = f"data/{index:03d}-{model._meta.label_lower}.jsonl"
            columns = _columns(model)
            encoders = _encoders(model)
            digest = hashlib.sha256()
            count = 0
            rows = (
                tenant_rows(model, tables, municipality.pk)
                .order_by("pk")
                .values_list(*columns)
                .iterator(chunk_size=CHUNK)
            )
            with archive.open(name, "w", force_zip64=True) as member:
                for row in rows:
                    values = [
                        value if encode is None else encode(value)
                        for encode, value in zip(encoders, row, strict=True)
                    ]
                    line = (
                        json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"
                    ).encode()
                    member.write(line)
                    digest.update(line)
                    count += 1
            manifest_parts.append(
                {
                    "model": model._meta.label_lower,
                    "file": name,
                    "columns": columns,
                    "rows": count,
                    "sha256": digest.hexdigest(),
                }
            )
            parts.append(Part(model, count))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": started.isoformat(),
            "municipality": {
                "id": municipality.pk,
                "code": municipality.code,
                "name": municipality.name,
            },
            "database": connection.vendor,
            "migrations": applied_migrations(),
            "backup_event": {"id": event.pk, "sequence": event.sequence},
            "parts": manifest_parts,
        }
        archive.writestr(
            MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
        )
    return parts


def _stream_sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while block := stream.read(1 << 20):
        digest.update(block)
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return _stream_sha256(stream)


# --- Restore ------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    municipality: Municipality
    parts: list[Part]
    replaced: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


@dataclass(frozen=True)
class _Plan:
    """What the manifest says, checked against this installation's code."""

    manifest: dict[str, Any]
    models: list[type[models.Model]]
    parts: list[dict[str, Any]]
    municipality_id: int
    code: str


_PART_NAME = re.compile(r"data/\d{3}-[a-z0-9_]+\.[a-z0-9_]+\.jsonl")


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"ファイル {path} が見つかりません。") from None
    except (zipfile.BadZipFile, OSError):
        raise BackupError(
            f"{path} はつなぐのバックアップファイルとして読み取れません（壊れているか、別の形式です）。"
        ) from None


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError("バックアップファイルに目録（manifest.json）がありません。") from None
    except (ValueError, zipfile.BadZipFile):
        raise BackupError("バックアップファイルの目録（manifest.json）が読み取れません。") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("つなぐの自治体バックアップファイルではありません。")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"バックアップファイルの形式の版（{manifest.get('format_version')}）に対応していません"
            f"（対応する版: {FORMAT_VERSION}）。"
        )
    return manifest


def _plan(archive: zipfile.ZipFile) -> _Plan:
    manifest = _read_manifest(archive)
    try:
        parts: list[dict[str, Any]] = list(manifest["parts"])
        municipality_id = int(manifest["municipality"]["id"])
        code = str(manifest["municipality"]["code"])
        names = [str(part["file"]) for part in parts]
        labels = [str(part["model"]) for part in parts]
        for part in parts:
            int(part["rows"]), str(part["sha256"]), list(part["columns"])
    except (KeyError, TypeError, ValueError):
        raise BackupError("バックアップファイルの目録の項目が欠けているか、不正です。") from None
    if sorted(archive.namelist()) != sorted([*names, MANIFEST]) or not all(
        _PART_NAME.fullmatch(name) for name in names
    ):
        raise BackupError("バックアップファイルの中身が目録と一致しません（ファイルの過不足）。")
    tables = tenant_tables()
    expected = {model._meta.label_lower: model for model in tables.ordered}
    if sorted(labels) != sorted(expected):
        missing = sorted(set(expected) - set(labels))
        extra = sorted(set(labels) - set(expected))
        raise BackupError(
            "バックアップの表の構成がこの版のつなぐと異なります"
            f"（バックアップにない表: {', '.join(missing) or 'なし'}／"
            f"この版にない表: {', '.join(extra) or 'なし'}）。"
        )
    models_in_order = [expected[label] for label in labels]
    for model, part in zip(models_in_order, parts, strict=True):
        if list(part["columns"]) != _columns(model):
            raise BackupError(
                f"「{label_of(model)}」の列がこの版のつなぐと異なります。"
                "同じ版のつなぐで復元してください。"
            )
    return _Plan(manifest, models_in_order, parts, municipality_id, code)


def _verify_hashes(archive: zipfile.ZipFile, plan: _Plan) -> None:
    for model, part in zip(plan.models, plan.parts, strict=True):
        with archive.open(part["file"]) as member:
            digest = _stream_sha256(member)
        if digest != part["sha256"]:
            raise BackupError(
                f"「{label_of(model)}」のデータが目録の SHA-256 と一致しません。"
                "バックアップファイルが改変されたか壊れているため、復元しません。"
            )


def _check_migrations(plan: _Plan) -> None:
    backup: dict[str, list[str]] = plan.manifest.get("migrations") or {}
    here = applied_migrations()
    differing = []
    for app_label in sorted({model._meta.app_label for model in plan.models}):
        theirs, ours = set(backup.get(app_label, [])), set(here.get(app_label, []))
        if theirs != ours:
            only_backup = ", ".join(sorted(theirs - ours)) or "なし"
            only_here = ", ".join(sorted(ours - theirs)) or "なし"
            differing.append(
                f"{app_label}（バックアップのみ: {only_backup}／このデータベースのみ: {only_here}）"
            )
    if differing:
        raise BackupError(
            "このデータベースのマイグレーションがバックアップ作成時と異なるため、復元しません: "
            + "; ".join(differing)
            + "。同じ版のつなぐでマイグレーションを揃えてから復元してください。"
        )


def _rows(
    archive: zipfile.ZipFile, model: type[models.Model], part: dict[str, Any]
) -> Iterator[list[Any]]:
    """The part's rows as field values, checking its hash once more as they are read
    (what is inserted is what was verified)."""
    decoders = _decoders(model)
    digest = hashlib.sha256()
    count = 0
    with archive.open(part["file"]) as member:
        for line in member:
            digest.update(line)
            try:
                values = json.loads(line)
            except ValueError:
                raise BackupError(f"「{label_of(model)}」のデータが読み取れません。") from None
            if not isinstance(values, list) or len(values) != len(decoders):
                raise BackupError(f"「{label_of(model)}」の行の列数が目録と一致しません。")
            yield [
                value if decode is None or value is None else decode(value)
                for decode, value in zip(decoders, values, strict=True)
            ]
            count += 1
    if digest.hexdigest() != part["sha256"] or count != int(part["rows"]):
        raise BackupError(
            f"「{label_of(model)}」のデータが目録と一致しません（読み込み中に変わりました）。"
        )


def tenant_delete(municipality_id: int, tables: Tables | None = None) -> dict[str, int]:
    """Delete every row of one municipality (the Municipality row last), without
    model ``delete()`` (histories and audit events refuse it on purpose: only a
    restore that puts a backup in their place removes them). Returns the counts."""
    tables = tables or tenant_tables()
    counts: dict[str, int] = {}
    # The database refuses to delete audit events (audit.append_only) but here.
    with append_only.suspended():
        for model in reversed(tables.ordered):
            deleted = tenant_rows(model, tables, municipality_id)._raw_delete(connection.alias)
            counts[model._meta.label_lower] = deleted
    return counts


def restore(path: Path, *, replace: bool = False, dry_run: bool = False) -> RestoreResult:
    """Restore the municipality of the backup at ``path`` (see the module docstring)."""
    with _open(path) as archive:
        plan = _plan(archive)
        _verify_hashes(archive, plan)
        _check_migrations(plan)
        file_sha256 = _file_sha256(path)
        try:
            with transaction.atomic():
                result = _restore_rows(archive, plan, file_sha256, replace, dry_run)
                if dry_run:
                    transaction.set_rollback(True)
        except DatabaseError as error:  # at commit: a deferred constraint
            raise BackupError(
                "データベースの確定に失敗したため、復元をすべて取り消しました"
                f"（{type(error).__name__}）。"
            ) from error
        return result


def _restore_rows(
    archive: zipfile.ZipFile,
    plan: _Plan,
    file_sha256: str,
    replace: bool,
    dry_run: bool,
) -> RestoreResult:
    tables = tenant_tables()
    # Holding the municipality's row keeps its staff's writes waiting (a new
    # row's foreign key needs it) until the restore is over.
    existing = Municipality.objects.select_for_update().filter(code=plan.code).first()
    if existing is not None and not replace:
        raise BackupError(
            f"自治体 {existing.name}（{existing.code}）はこのデータベースにすでにあります。"
            "置き換える場合は --replace を指定してください（その自治体のデータをすべて削除してから復元します）。"
        )
    holder = Municipality.objects.filter(pk=plan.municipality_id).exclude(code=plan.code).first()
    if holder is not None:
        raise BackupError(
            f"バックアップの自治体ID {plan.municipality_id} は、このデータベースでは別の自治体"
            f"（{holder.code}）が使っているため、復元できません。"
        )
    replaced: dict[str, int] = {}
    replaced_chain: dict[str, Any] = {}
    if existing is not None:
        chain = AuditChain.objects.filter(municipality=existing).first()
        if chain is not None:
            replaced_chain = {
                "replaced_last_sequence": chain.last_sequence,
                "replaced_last_hash": chain.last_hash,
            }
        replaced = tenant_delete(existing.pk, tables)
    parts: list[Part] = []
    for model, part in zip(plan.models, plan.parts, strict=True):
        try:
            count = _insert_part(archive, model, part, plan, tables)
        except DatabaseError as error:
            raise BackupError(
                f"「{label_of(model)}」の書き込みに失敗したため、復元をすべて取り消しました"
                f"（{type(error).__name__}）。"
            ) from error
        parts.append(Part(model, count))
    reset_sequences(plan.models)
    try:
        connection.check_constraints(table_names=[model._meta.db_table for model in plan.models])
    except DatabaseError as error:
        raise BackupError(
            "バックアップの行が存在しない行を指しているため、復元をすべて取り消しました"
            f"（{type(error).__name__}）。"
        ) from error
    _check_no_foreign_rows(plan.municipality_id, tables, parts)
    municipality = Municipality.objects.get(pk=plan.municipality_id)
    audit_record(
        AuditAction.CREATE,
        obj=municipality,
        municipality=municipality,
        actor_label="manage.py restore",
        detail={
            "operation": "restore",
            "file_sha256": file_sha256,
            "backup_created_at": plan.manifest.get("created_at", ""),
            "backup_event": plan.manifest.get("backup_event"),
            "rows": sum(part.rows for part in parts),
            "replaced": existing is not None,
            "replaced_rows": sum(replaced.values()),
            "replaced_events": replaced.get(AuditEvent._meta.label_lower, 0),
            **replaced_chain,
            "os_user": _os_user(),
        },
    )
    problems = audit_verify(municipality_id=municipality.pk)
    if problems:
        raise BackupError(
            "復元した監査証跡のハッシュチェーンが壊れているため、復元をすべて取り消しました: "
            + "; ".join(str(problem) for problem in problems)
        )
    return RestoreResult(municipality, parts, replaced, dry_run)


def _insert_part(
    archive: zipfile.ZipFile,
    model: type[models.Model],
    part: dict[str, Any],
    plan: _Plan,
    tables: Tables,
) -> int:
    columns = list(part["columns"])
    pk_index = columns.index(model._meta.pk.attname)  # type: ignore[union-attr]
    owner_index = columns.index("municipality_id") if model in tables.tenant else None
    code_index = columns.index("code") if model is Municipality else None
    manager = model._base_manager
    total = 0
    chunk: list[list[Any]] = []

    def flush() -> None:
        keys = [row[pk_index] for row in chunk]
        if manager.filter(pk__in=keys).exists():
            raise BackupError(
                f"「{label_of(model)}」の主キーが、このデータベースの他の自治体の行と重なっているため、"
                "復元できません（別のデータベースへは、その自治体のない同じ版のデータベースに復元してください）。"
            )
        insert_rows(model, columns, chunk, chunk=CHUNK)

    for row in _rows(archive, model, part):
        if code_index is not None and (
            row[pk_index] != plan.municipality_id or row[code_index] != plan.code
        ):
            raise BackupError("バックアップの自治体の行が目録と一致しません。")
        if owner_index is not None and row[owner_index] != plan.municipality_id:
            raise BackupError(
                f"「{label_of(model)}」に別の自治体の行が含まれているため、復元しません。"
            )
        chunk.append(row)
        total += 1
        if len(chunk) >= CHUNK:
            flush()
            chunk = []
    if chunk:
        flush()
    if model is Municipality and total != 1:
        raise BackupError("バックアップに自治体の行がありません。")
    return total


def _check_no_foreign_rows(municipality_id: int, tables: Tables, parts: list[Part]) -> None:
    """Every restored row is the municipality's and points at the municipality's
    rows only (the file's hashes prove it unchanged since it was made, not who
    made it): the tenant's rows of each table are exactly those restored, and
    none of them refers to another municipality's row."""
    for part in parts:
        model = part.model
        rows = tenant_rows(model, tables, municipality_id)
        if rows.count() != part.rows:
            raise BackupError(
                f"「{label_of(model)}」に別の自治体の行に結び付いた行が含まれているため、復元しません。"
            )
        for model_field in model._meta.concrete_fields:
            target = model_field.related_model
            if not model_field.is_relation or target not in tables.tenant:
                continue
            foreign = rows.filter(**{f"{model_field.name}__isnull": False}).exclude(
                **{f"{model_field.name}__municipality_id": municipality_id}
            )
            if foreign.exists():
                raise BackupError(
                    f"「{label_of(model)}」の行が別の自治体の行を指しているため、復元しません。"
                )
