"""``manage.py backup`` and ``restore``: one municipality round-trips through a
file with every row, key and audit hash intact, other municipalities untouched;
a changed file, a different schema, an existing municipality or a failure
half-way restores nothing.

Tenant A is built through the services (the demo ward takes tens of seconds
to load): districts, organizations and staff in every role with a two-factor
device, a household of two with a consultation, a つなぐシート sent and
accepted, a case with consent, a held 支援会議 and a confirmed plan, an
outreach contact with a visitor from another organization, and a resource.
Tenant B has a household and a consultation of its own."""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditChain, AuditEvent
from tsunagu.audit.services import audit_seal, audit_seal_all
from tsunagu.cases.models import Case, Consent
from tsunagu.consultations.models import Consultation, ConsultationSubject, Topic
from tsunagu.core import backup, tenancy
from tsunagu.core.models import Municipality
from tsunagu.directory.models import District, Organization
from tsunagu.meetings.models import Attendee, Meeting
from tsunagu.outreach.models import OutreachContact, OutreachVisitor
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.people.models import Household, Person, Relationship
from tsunagu.plans.models import PlanGoal, SupportPlan
from tsunagu.referrals.models import Referral, ReferralEvent
from tsunagu.resources.models import Resource, Schedule
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import PASSWORD, Ward
from tsunagu.tests.resource_factories import resource


@dataclass
class World:
    a: Ward
    b: Ward
    head: Person
    consultation: Consultation
    referral: Referral


def build(ward: Ward, other_ward: Ward) -> World:
    counselor = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    receiver = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "receiver")
    head = rf.person(counselor, ward.center, family_name="架空", given_name="一子")
    son = rf.person(
        counselor,
        ward.center,
        family_name="架空",
        given_name="二郎",
        given_name_kana="じろう",
        birth_date=datetime.date(1978, 6, 1),
    )
    home = rf.household(counselor, ward.center, head=head, members=[(son, Relationship.CHILD)])
    consultation = rf.consultation(
        counselor, ward.center, household=home, subjects=[head], topics=[Topic.HEALTH]
    )
    referral = rf.referral(
        counselor,
        ward.center,
        ward.other_center,
        household=home,
        consultation=consultation,
        persons=[head],
    )
    rf.accepted(referral, receiver)
    case = cf.case(coordinator, ward.coordinating, home)
    meeting = cf.meeting(coordinator, ward.coordinating)
    cf.on_agenda(coordinator, meeting, case)
    cf.attend(coordinator, meeting, counselor, ward.center)
    cf.hold(coordinator, meeting)
    cf.consent(coordinator, case, organizations=[ward.center])
    cf.active_plan(coordinator, case)
    with tenancy.tenant_context(ward.municipality):
        outreach_contact_record(
            actor=counselor,
            organization=ward.center,
            household=home,
            visitors=[(receiver, ward.other_center)],
            method="visit",
            result="absent",
            intent="relationship",
            stage_after="none",
            content="手紙を投函した。",
        )
    resource(
        ward.municipality,
        "コーヒーを淹れる会",
        district=ward.districts[0],
        byday="MO",
        opens_at=datetime.time(10, 0),
    )
    TOTPDevice.objects.create(user=counselor, name="認証アプリ", confirmed=True)

    stranger = other_ward.member(Role.COUNSELOR)
    their_home = rf.household(stranger, other_ward.center)
    rf.consultation(stranger, other_ward.center, household=their_home)
    return World(ward, other_ward, head, consultation, referral)


@pytest.fixture
def world(ward: Ward, other_ward: Ward) -> World:
    return build(ward, other_ward)


# --- Helpers ------------------------------------------------------------------------------


def snapshot(municipality_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of one municipality, table by table, in key order."""
    tables = backup.tenant_tables()
    return {
        model._meta.label_lower: list(
            backup.tenant_rows(model, tables, municipality_id)
            .order_by("pk")
            .values_list(*(f.attname for f in model._meta.concrete_fields))
        )
        for model in tables.ordered
    }


def installation_events() -> list[tuple[Any, ...]]:
    return list(AuditEvent.objects.filter(municipality=None).values_list("pk", "hash"))


def take_backup(world: World, path: Path) -> str:
    out = io.StringIO()
    call_command(
        "backup", "--municipality", world.a.municipality.code, "--output", str(path), stdout=out
    )
    return out.getvalue()


def run_restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def manifest_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(backup.MANIFEST))


def rewrite(path: Path, target: Path, change: Any, *, rehash: bool) -> None:
    """Copy the backup at ``path`` to ``target``, passing each part's rows (and
    the manifest) through ``change(name, rows_or_manifest)``; with ``rehash``
    the manifest's SHA-256 follow the changed parts, as a forger would do."""
    with zipfile.ZipFile(path) as source:
        manifest = json.loads(source.read(backup.MANIFEST))
        parts = {}
        for part in manifest["parts"]:
            data = source.read(part["file"])
            rows = [json.loads(line) for line in data.splitlines()]
            changed = change(part["model"], copy.deepcopy(rows))
            if changed != rows:
                data = b"".join(
                    (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                    for row in changed
                )
            parts[part["file"]] = data
            if rehash:
                part["sha256"] = hashlib.sha256(data).hexdigest()
                part["rows"] = len(changed)
        manifest = change("manifest", manifest)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
        out.writestr(backup.MANIFEST, json.dumps(manifest, ensure_ascii=False))


def column(model_label: str, name: str) -> int:
    model = next(m for m in backup.tenant_tables().ordered if m._meta.label_lower == model_label)
    return [f.attname for f in model._meta.concrete_fields].index(name)


def change_live_data(world: World) -> None:
    """What happens after the backup: a new consultation, an edited name, a removed device."""
    counselor = world.a.member(Role.COUNSELOR)
    rf.consultation(counselor, world.a.center, summary="バックアップの後の相談")
    Person.all_tenants.filter(pk=world.head.pk).update(family_name="変更後")
    TOTPDevice.objects.filter(user=counselor).delete()


def assert_restored(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> None:
    """Every row as it was in the backup; the audit trail as it was plus the restore's event."""
    events, chains = AuditEvent._meta.label_lower, AuditChain._meta.label_lower
    for label, rows in before.items():
        if label not in (events, chains):
            assert after[label] == rows, label
    assert after[events][: len(before[events])] == before[events]
    (restore_event,) = after[events][len(before[events]) :]
    event = AuditEvent.objects.get(pk=restore_event[0])
    # Sealed after the restore's commit (here, where the test's transaction
    # may never commit, by hand): it comes next in the restored chain.
    audit_seal(municipality_id=event.municipality_id)
    event.refresh_from_db()
    assert event.action == AuditAction.CREATE
    assert event.detail["operation"] == "restore"
    (chain,) = AuditChain.objects.filter(municipality_id=event.municipality_id)
    assert chain.last_sequence == event.sequence == len(before[events]) + 1


# --- The round trip -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_with_replace_gives_back_every_row(
    world: World, tmp_path: Path
) -> None:
    a, b = world.a.municipality, world.b.municipality
    path = tmp_path / "a.tsunagu-backup"
    printed = take_backup(world, path)
    assert f"{a.name}（{a.code}）をバックアップしました" in printed
    assert "SHA-256" in printed
    assert path.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    # The backup is audited, and holds its own event.
    event = AuditEvent.objects.filter(municipality=a).latest("pk")
    assert (event.action, event.detail["operation"]) == (AuditAction.EXPORT, "backup")
    manifest = manifest_of(path)
    assert manifest["backup_event"]["id"] == event.pk

    before, before_b, before_installation = snapshot(a.pk), snapshot(b.pk), installation_events()
    # The manifest's counts are the tenant's rows, counted here without the backup's code.
    counts = {part["model"]: part["rows"] for part in manifest["parts"]}
    assert counts == {label: len(rows) for label, rows in before.items()}
    independent = {
        Municipality: Municipality.objects.filter(pk=a.pk),
        Staff: Staff.all_tenants.filter(municipality=a),
        Membership: Membership.all_tenants.filter(municipality=a),
        Organization: Organization.all_tenants.filter(municipality=a),
        District: District.all_tenants.filter(municipality=a),
        Person: Person.all_tenants.filter(municipality=a),
        Household: Household.all_tenants.filter(municipality=a),
        Consultation: Consultation.all_tenants.filter(municipality=a),
        ConsultationSubject: ConsultationSubject.all_tenants.filter(municipality=a),
        Referral: Referral.all_tenants.filter(municipality=a),
        ReferralEvent: ReferralEvent.all_tenants.filter(municipality=a),
        Case: Case.all_tenants.filter(municipality=a),
        Consent: Consent.all_tenants.filter(municipality=a),
        Meeting: Meeting.all_tenants.filter(municipality=a),
        Attendee: Attendee.all_tenants.filter(municipality=a),
        SupportPlan: SupportPlan.all_tenants.filter(municipality=a),
        PlanGoal: PlanGoal.all_tenants.filter(municipality=a),
        OutreachContact: OutreachContact.all_tenants.filter(municipality=a),
        OutreachVisitor: OutreachVisitor.all_tenants.filter(municipality=a),
        Resource: Resource.all_tenants.filter(municipality=a),
        Schedule: Schedule.all_tenants.filter(municipality=a),
        TOTPDevice: TOTPDevice.objects.filter(user__municipality=a),
        Organization.districts.through: Organization.districts.through.objects.filter(
            organization__municipality=a
        ),
        AuditEvent: AuditEvent.objects.filter(municipality=a),
    }
    for model, rows in independent.items():
        assert counts[model._meta.label_lower] == rows.count() > 0, model

    change_live_data(world)
    live_events = AuditEvent.objects.filter(municipality=a).count()
    printed = run_restore(path, "--replace")
    assert f"{a.name}（{a.code}）を復元しました" in printed
    assert f"  相談受付: {counts['consultations.consultation']}件" in printed
    assert "  二要素認証の端末（TOTP）: 1件" in printed

    assert_restored(before, snapshot(a.pk))
    # A sample, field by field, through the models.
    head = Person.all_tenants.get(pk=world.head.pk)
    assert (head.family_name, head.given_name, head.birth_date) == (
        "架空",
        "一子",
        world.head.birth_date,
    )
    consultation = Consultation.all_tenants.get(pk=world.consultation.pk)
    assert consultation.summary == world.consultation.summary
    assert consultation.received_at == world.consultation.received_at  # microseconds and all
    referral = Referral.all_tenants.get(pk=world.referral.pk)
    assert referral.status == "accepted"
    assert referral.shared_items == world.referral.shared_items
    counselor = Staff.all_tenants.get(pk=world.a.member(Role.COUNSELOR).pk)
    assert counselor.check_password(PASSWORD)
    assert TOTPDevice.objects.get(user=counselor).confirmed
    assert not Consultation.all_tenants.filter(summary="バックアップの後の相談").exists()

    # The other municipality and the installation's chain are as they were.
    assert snapshot(b.pk) == before_b
    assert installation_events() == before_installation
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "監査証跡は正常です" in out.getvalue()
    restore_event = AuditEvent.objects.filter(municipality=a).latest("pk")
    assert restore_event.detail["replaced"] is True
    assert restore_event.detail["replaced_events"] == live_events
    assert restore_event.detail["backup_event"]["id"] == event.pk


def test_restore_into_a_database_without_the_municipality(world: World, tmp_path: Path) -> None:
    a, b = world.a.municipality, world.b.municipality
    path = tmp_path / "a.zip"
    take_backup(world, path)
    before, before_b = snapshot(a.pk), snapshot(b.pk)

    with transaction.atomic():
        backup.tenant_delete(a.pk)
    assert not Municipality.objects.filter(pk=a.pk).exists()
    assert all(not rows for rows in snapshot(a.pk).values())
    assert Staff.all_tenants.filter(municipality_id=a.pk).count() == 0
    assert snapshot(b.pk) == before_b
    if connection.vendor == "postgresql":
        # A database whose id sequence is behind the backup's keys (a fresh one).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), 1, false)",
                [Consultation._meta.db_table],
            )

    printed = run_restore(path)
    assert "を復元しました" in printed
    assert_restored(before, snapshot(a.pk))
    assert snapshot(b.pk) == before_b
    # The other ward's events were never committed (the test's transaction):
    # seal them as their commits would have, so that verify_audit checks them.
    audit_seal_all()
    call_command("verify_audit", stdout=io.StringIO())
    # New rows get new keys: the id sequences were moved past the restored rows.
    later = rf.consultation(world.a.member(Role.COUNSELOR), world.a.center)
    assert later.pk > max(
        Consultation.all_tenants.exclude(pk=later.pk).values_list("pk", flat=True)
    )


# --- Refusals -----------------------------------------------------------------------------


def test_an_existing_municipality_is_not_overwritten_without_replace(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "a.zip"
    take_backup(world, path)
    change_live_data(world)
    live = snapshot(world.a.municipality.pk)
    with pytest.raises(CommandError, match="すでにあります。置き換える場合は --replace"):
        run_restore(path)
    assert snapshot(world.a.municipality.pk) == live


def test_a_changed_file_is_refused(world: World, tmp_path: Path) -> None:
    path, forged = tmp_path / "a.zip", tmp_path / "forged.zip"
    take_backup(world, path)
    change_live_data(world)
    live = snapshot(world.a.municipality.pk)
    family_name = column("people.person", "family_name")

    def rename(name: str, rows: Any) -> Any:
        if name == "people.person":
            rows[0][family_name] = "改ざん"
        return rows

    rewrite(path, forged, rename, rehash=False)
    with pytest.raises(CommandError, match="「本人」のデータが目録の SHA-256 と一致しません"):
        run_restore(forged, "--replace")
    assert snapshot(world.a.municipality.pk) == live


def test_an_edited_audit_event_is_refused_even_with_the_hashes_recomputed(
    world: World, tmp_path: Path
) -> None:
    path, forged = tmp_path / "a.zip", tmp_path / "forged.zip"
    take_backup(world, path)
    change_live_data(world)
    live = snapshot(world.a.municipality.pk)
    object_id = column("audit.auditevent", "object_id")

    def hide(name: str, rows: Any) -> Any:
        if name == "audit.auditevent":
            rows[2][object_id] = "999999"
        return rows

    rewrite(path, forged, hide, rehash=True)
    with pytest.raises(CommandError, match="監査証跡のハッシュチェーンが壊れている"):
        run_restore(forged, "--replace")
    assert snapshot(world.a.municipality.pk) == live


@pytest.mark.parametrize("model", ["consultations.consultation", "otp_totp.totpdevice"])
def test_rows_tied_to_another_municipality_are_refused(
    world: World, tmp_path: Path, model: str
) -> None:
    """A file made to slip rows into another municipality (its hashes recomputed)."""
    path, forged = tmp_path / "a.zip", tmp_path / "forged.zip"
    take_backup(world, path)
    b = world.b.municipality
    live_b = snapshot(b.pk)

    def move(name: str, rows: Any) -> Any:
        if name == model == "consultations.consultation":
            rows[0][column(name, "municipality_id")] = b.pk
        if name == model == "otp_totp.totpdevice":
            rows[0][column(name, "user_id")] = world.b.member(Role.COUNSELOR).pk
        return rows

    rewrite(path, forged, move, rehash=True)
    with pytest.raises(CommandError, match="別の自治体の行"):
        run_restore(forged, "--replace")
    assert snapshot(b.pk) == live_b


def test_a_backup_of_another_schema_is_refused(world: World, tmp_path: Path) -> None:
    path, older = tmp_path / "a.zip", tmp_path / "older.zip"
    take_backup(world, path)

    def older_schema(name: str, value: Any) -> Any:
        if name == "manifest":
            value["migrations"]["people"] = value["migrations"]["people"][:-1]
        return value

    rewrite(path, older, older_schema, rehash=False)
    with pytest.raises(CommandError, match=r"マイグレーションがバックアップ作成時と異なる.*people"):
        run_restore(older, "--replace")


def test_not_a_backup_and_an_existing_output_are_refused(world: World, tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="バックアップファイルとして読み取れません"):
        run_restore(junk)
    with pytest.raises(CommandError, match="すでにあります"):
        take_backup(world, junk)
    with pytest.raises(CommandError, match="自治体 000000 が見つかりません"):
        call_command("backup", "--municipality", "000000", "--output", str(tmp_path / "x.zip"))


# --- Failures and dry runs ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("replace", [True, False])
def test_a_failure_half_way_restores_nothing(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replace: bool
) -> None:
    a, b = world.a.municipality, world.b.municipality
    path = tmp_path / "a.zip"
    take_backup(world, path)
    if replace:
        change_live_data(world)
    else:
        with transaction.atomic():
            backup.tenant_delete(a.pk)
    live, live_b = snapshot(a.pk), snapshot(b.pk)

    calls = []
    real_insert = backup.insert_rows

    def insert_then_fail(model: Any, *args: Any, **kwargs: Any) -> int:
        calls.append(model)
        if len(calls) > 3:
            raise IntegrityError("simulated failure")
        return real_insert(model, *args, **kwargs)

    monkeypatch.setattr(backup, "insert_rows", insert_then_fail)
    arguments = ["--replace"] if replace else []
    with pytest.raises(CommandError, match="の書き込みに失敗したため、復元をすべて取り消しました"):
        run_restore(path, *arguments)
    assert len(calls) == 4  # three tables were written before the failure
    assert snapshot(a.pk) == live
    assert Municipality.objects.filter(pk=a.pk).exists() is replace
    assert snapshot(b.pk) == live_b
    call_command("verify_audit", stdout=io.StringIO())


def test_a_dry_run_checks_everything_and_changes_nothing(world: World, tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    take_backup(world, path)
    change_live_data(world)
    live = snapshot(world.a.municipality.pk)
    printed = run_restore(path, "--replace", "--dry-run")
    assert "試行" in printed and "データベースは変更していません" in printed
    assert "  本人: 2件" in printed
    assert snapshot(world.a.municipality.pk) == live


def test_every_table_is_either_backed_up_or_named_shared() -> None:
    """A new table must be decided on: a tenant's (a municipality column or a
    required key to a tenant table) or shared (SHARED_APPS, with a reason)."""
    assert backup.unclassified_models() == []
    tables = backup.tenant_tables()
    labels = [model._meta.label_lower for model in tables.ordered]
    assert labels[0] == "core.municipality"
    assert {"otp_totp.totpdevice", "directory.organization_districts"} <= {
        model._meta.label_lower for model in tables.attached
    }
    assert {"audit.auditchain", "audit.auditevent", "accounts.staff"} <= set(labels)
    # Each table after the tables it points at.
    for index, model in enumerate(tables.ordered):
        for model_field in model._meta.concrete_fields:
            target = model_field.related_model
            if model_field.is_relation and target in tables.ordered and target is not model:
                assert tables.ordered.index(target) < index, (model, target)
