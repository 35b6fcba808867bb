"""Events are written unsealed, without the chain's lock, and sealed after commit.

A request inserts its event and goes on; the commit of its transaction seals
the municipality's pending events in a short transaction of the sealer's
own, and ``seal_audit --loop`` seals whatever is left within the bound. The
database refuses every change of an event but that sealing.
"""

from __future__ import annotations

import datetime
import io
import threading
import time
import types
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tsunagu.accounts.roles import Role
from tsunagu.audit import services
from tsunagu.audit.models import AuditAction, AuditChain, AuditEvent
from tsunagu.audit.services import audit_record, audit_seal, audit_seal_all, audit_verify


def postgresql_only(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason=f"PostgreSQL only: {reason}"
    )


CONCURRENT = "SQLite lets one transaction write at a time and has no row locks to skip"


def chain_events(municipality_id: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(chain__key=AuditChain.key_for(municipality_id)).order_by(
            "sequence"
        )
    )


def verify_report() -> str:
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", stdout=stdout, stderr=stderr)
    return f"{stderr.getvalue()}\n{raised.value}"


# --- Writing takes no lock; the commit seals -------------------------------------------


@pytest.mark.django_db
def test_recording_is_one_insert_without_the_chain(ward) -> None:
    with CaptureQueriesContext(connection) as queries:
        event = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    (insert,) = [query["sql"] for query in queries.captured_queries]
    assert insert.startswith("INSERT INTO")
    assert "audit_auditchain" not in insert and "FOR UPDATE" not in insert
    event.refresh_from_db()
    assert (event.chain_id, event.sequence, event.previous_hash, event.hash) == (None,) * 4
    assert not event.sealed
    assert event.municipality_id == ward.municipality.pk


@pytest.mark.django_db
def test_the_commit_seals_the_event(ward, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
        assert AuditEvent.objects.get(pk=event.pk).hash is None
    assert len(callbacks) == 1
    event.refresh_from_db()
    assert event.sealed
    chain = AuditChain.objects.get(key=AuditChain.key_for(ward.municipality.pk))
    # The ward's earlier events (made with its staff) were pending too: sealed
    # in the same batch, in the order they were written.
    events = chain_events(ward.municipality.pk)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    assert events[-1] == event
    assert (chain.last_sequence, chain.last_hash) == (event.sequence, event.hash)
    assert not AuditEvent.objects.filter(municipality=ward.municipality, hash__isnull=True)
    assert audit_verify() == []


@pytest.mark.django_db(transaction=True)
def test_a_page_s_events_are_sealed_once_after_its_answer(
    ward, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request's committed events wait until the response has been sent (the
    server closes it), then its chain is sealed once, however many events
    the page recorded."""
    from tsunagu.tests import resident_factories as rf

    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(counselor, ward.center)
    audit_seal_all()
    seals: list[int | None] = []
    real = services.audit_seal

    def counting(*, municipality_id: int | None, wait: bool = False) -> int:
        seals.append(municipality_id)
        return real(municipality_id=municipality_id, wait=wait)

    monkeypatch.setattr(services, "audit_seal", counting)
    client = Client()
    client.force_login(counselor)
    client.get("/")  # the session's first request
    audit_seal_all()
    seals.clear()
    # Each event commits as it is recorded (no transaction around the page);
    # the seal waits for the response to be closed, as the server does.
    response = client.get(f"/people/households/{household.pk}/")
    assert response.status_code == 200
    # The view and what was shown: two events, sealed by one seal of the ward's chain.
    shown = AuditEvent.objects.filter(municipality=ward.municipality).order_by("-pk")[:2]
    assert [event.sealed for event in shown] == [True, True]
    assert seals == [ward.municipality.pk]
    assert audit_verify() == []


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_event_and_nothing_to_seal(
    ward, django_capture_on_commit_callbacks: Any
) -> None:
    audit_seal_all()
    before = AuditEvent.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        audit_record(AuditAction.CHANGE, actor=ward.member(Role.COUNSELOR))
        raise RuntimeError("the write fails after its audit event")
    assert callbacks == []
    assert AuditEvent.objects.count() == before
    assert audit_verify() == []


@pytest.mark.django_db
def test_two_writers_are_sealed_in_order(ward) -> None:
    """Two writers committed while another sealer held the chain (their own
    seals left at once): the next seal takes both, in the order written.
    With real concurrent transactions: test_concurrent_writers_… below."""
    audit_seal_all()
    first = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    second = audit_record(AuditAction.VIEW, actor=ward.member(Role.MANAGER))
    assert audit_seal(municipality_id=ward.municipality.pk) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.sequence == first.sequence + 1
    assert second.previous_hash == first.hash
    assert audit_verify() == []


@pytest.mark.django_db
def test_one_seal_per_transaction_and_municipality(
    ward, other_ward, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        events = [
            audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR)),
            audit_record(AuditAction.VIEW, actor=ward.member(Role.MANAGER)),
            audit_record(AuditAction.VIEW, actor=other_ward.member(Role.COUNSELOR)),
        ]
    assert len(callbacks) == 2
    for event in events:
        event.refresh_from_db()
        assert event.sealed
    assert events[1].sequence == events[0].sequence + 1


@pytest.mark.django_db
def test_sealing_is_reproducible(ward) -> None:
    """The same pending events sealed in another database give the same hashes:
    a chain depends only on what was recorded and in which order."""
    events = [
        audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR), detail={"n": n})
        for n in range(3)
    ]
    audit_seal(municipality_id=ward.municipality.pk)
    for event in events:
        sealed = AuditEvent.objects.get(pk=event.pk)
        event.chain_id, event.sequence = sealed.chain_id, sealed.sequence
        event.previous_hash = sealed.previous_hash
        assert event.compute_hash() == sealed.hash
    assert audit_seal(municipality_id=ward.municipality.pk) == 0


@pytest.mark.django_db
def test_the_installation_chain_is_sealed_apart(ward) -> None:
    nobody = audit_record(AuditAction.LOGIN_FAILED, actor_label="nobody-here")
    mine = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    audit_seal(municipality_id=None)
    nobody.refresh_from_db()
    mine.refresh_from_db()
    assert nobody.chain is not None and nobody.chain.key == "installation"
    assert mine.hash is None
    assert audit_seal_all() >= 1
    mine.refresh_from_db()
    assert mine.chain is not None and mine.chain.key == AuditChain.key_for(ward.municipality.pk)


@pytest.mark.django_db
def test_sealing_inline_is_the_old_way(ward, settings: Any) -> None:
    """TSUNAGU_AUDIT_SEAL_INLINE (for bench/audit_workers.py only) seals inside the
    caller's transaction, holding the chain's head to its end, as before."""
    settings.TSUNAGU_AUDIT_SEAL_INLINE = True
    with CaptureQueriesContext(connection) as queries:
        event = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    event.refresh_from_db()
    assert event.sealed and event.chain_id is not None
    if connection.vendor == "postgresql":
        assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
    assert audit_verify() == []


# --- The bound ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_fails_on_an_event_unsealed_past_the_bound(
    ward, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_seal_all()
    late = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    # Within the bound: pending, not a problem.
    stdout = io.StringIO()
    call_command("verify_audit", stdout=stdout, stderr=io.StringIO())
    assert "封緘待ち 1 件" in stdout.getvalue()

    later = late.occurred_at + services.SEAL_BOUND + datetime.timedelta(seconds=1)
    monkeypatch.setattr(services, "timezone", types.SimpleNamespace(now=lambda: later))
    report = verify_report()
    assert f"自治体ID {ward.municipality.pk}" in report
    assert f"イベントID {late.pk}" in report
    assert "5 秒を過ぎても封緘されていません" in report

    # The sealer catches up, and the trail is whole again.
    call_command("seal_audit", stdout=io.StringIO())
    assert audit_verify() == []


@pytest.mark.django_db
def test_verify_fails_on_a_tampered_hash(ward) -> None:
    from tsunagu.audit import append_only

    event = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    audit_seal_all()
    with append_only.suspended():
        AuditEvent.objects.filter(pk=event.pk).update(hash="f" * 64)
    report = verify_report()
    assert f"イベントID {event.pk}" in report
    assert "ハッシュと一致しません" in report


@pytest.mark.django_db
def test_seal_audit_once_and_in_a_loop(ward, monkeypatch: pytest.MonkeyPatch) -> None:
    audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    stdout = io.StringIO()
    call_command("seal_audit", stdout=stdout)
    assert "件の監査イベントを封緘しました" in stdout.getvalue()
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()

    audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    rounds = []

    def stop_after_one_round(seconds: float) -> None:
        rounds.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", stop_after_one_round)
    call_command("seal_audit", "--loop", stdout=io.StringIO())
    assert rounds == [1.0]
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()


# --- The auditor sees an event at once ---------------------------------------------------


@pytest.mark.django_db
def test_the_auditor_sees_an_unsealed_event_marked(ward) -> None:
    audit_seal_all()
    audit_record(
        AuditAction.LOGIN_FAILED, actor_label="pending-marker", municipality=ward.municipality
    )
    client = Client()
    client.force_login(ward.member(Role.AUDITOR))
    body = client.get("/audit/", {"actor": "pending-marker"}).content.decode()
    assert "pending-marker" in body
    assert "封緘待ち" in body
    audit_seal_all()
    body = client.get("/audit/", {"actor": "pending-marker"}).content.decode()
    assert "pending-marker" in body
    assert "封緘待ち" not in body


# --- Only the sealer may change an event -------------------------------------------------


def _refused(statement: str, params: list[Any]) -> None:
    with (
        pytest.raises(DatabaseError, match="追記のみ"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_an_event(ward) -> None:
    """Through the application's own connection: raw SQL, as an attacker with
    the application's database role would send it (PostgreSQL and SQLite)."""
    event = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    table = AuditEvent._meta.db_table
    # Unsealed: no column but the seal columns may change, and it may not go.
    _refused(f"UPDATE {table} SET action = %s WHERE id = %s", ["export", event.pk])  # noqa: S608
    _refused(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608

    audit_seal_all()  # the one change allowed
    event.refresh_from_db()
    assert event.sealed

    _refused(f"UPDATE {table} SET action = %s WHERE id = %s", ["export", event.pk])  # noqa: S608
    _refused(f"UPDATE {table} SET hash = %s WHERE id = %s", ["0" * 64, event.pk])  # noqa: S608
    _refused(f"UPDATE {table} SET hash = NULL WHERE id = %s", [event.pk])  # noqa: S608
    _refused(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash
    assert audit_verify() == []


@postgresql_only("roles, privileges and SQLSTATE codes (SQLite's trigger is proved above)")
@pytest.mark.django_db
def test_postgresql_refuses_with_insufficient_privilege(ward) -> None:
    event = audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))
    audit_seal_all()
    for statement in (
        "UPDATE {} SET detail = '{{}}' WHERE id = %s",
        "DELETE FROM {} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError) as raised,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement.format(AuditEvent._meta.db_table), [event.pk])
        assert raised.value.__cause__.sqlstate == "42501"  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege('public', %s, 'TRUNCATE')", [AuditEvent._meta.db_table]
        )
        assert cursor.fetchone() == (False,)


# --- Real concurrent transactions (PostgreSQL) -------------------------------------------


def _in_thread(work: Any) -> threading.Thread:
    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@postgresql_only(CONCURRENT)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_are_both_sealed_in_commit_order(ward) -> None:
    """A writes first and commits last; B writes second and commits first. Neither
    waits for the other; both end in the chain, B before A."""
    counselor, manager = ward.member(Role.COUNSELOR), ward.member(Role.MANAGER)
    a_wrote, b_committed = threading.Event(), threading.Event()
    written: dict[str, int] = {}

    def writer_a() -> None:
        with transaction.atomic():
            written["a"] = audit_record(AuditAction.VIEW, actor=counselor).pk
            a_wrote.set()
            assert b_committed.wait(10)

    def writer_b() -> None:
        assert a_wrote.wait(10)
        with transaction.atomic():
            written["b"] = audit_record(AuditAction.VIEW, actor=manager).pk
        b_committed.set()

    threads = [_in_thread(writer_a), _in_thread(writer_b)]
    for thread in threads:
        thread.join(20)
    a, b = (AuditEvent.objects.get(pk=written[key]) for key in ("a", "b"))
    assert a.pk < b.pk
    assert a.sealed and b.sealed
    assert a.sequence > b.sequence
    assert audit_verify() == []


@postgresql_only(CONCURRENT)
@pytest.mark.django_db(transaction=True)
def test_a_sealer_never_waits_for_another(ward) -> None:
    audit_record(AuditAction.VIEW, actor=ward.member(Role.COUNSELOR))  # sealed at its commit
    key = AuditChain.key_for(ward.municipality.pk)
    locked, release = threading.Event(), threading.Event()

    def other_sealer() -> None:
        with transaction.atomic():
            AuditChain.objects.select_for_update().get(key=key)
            locked.set()
            assert release.wait(10)

    thread = _in_thread(other_sealer)
    assert locked.wait(10)
    started = time.monotonic()
    with transaction.atomic():  # its seal, at this commit, skips the held chain
        pending = audit_record(AuditAction.VIEW, actor=ward.member(Role.MANAGER))
    assert audit_seal(municipality_id=ward.municipality.pk) == 0
    assert time.monotonic() - started < 1
    assert AuditEvent.objects.get(pk=pending.pk).hash is None
    release.set()
    thread.join(10)
    assert audit_seal(municipality_id=ward.municipality.pk) == 1
    assert audit_verify() == []
