"""The audit trail: hash chains per municipality, tamper detection, and the
events that sign-in, refusals and views of staff records leave behind.

Events are sealed into their chain after the commit of the transaction that
wrote them; the test's transaction never commits, so these tests seal
explicitly (``sealed``); test_sealing.py proves the sealing after commit.
Tampering goes around the database's triggers (``append_only.suspended``),
as someone who owns the tables could."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client

from tsunagu.accounts.models import ApiToken
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.audit import append_only
from tsunagu.audit.models import GENESIS_HASH, AuditAction, AuditChain, AuditEvent
from tsunagu.audit.services import audit_record, audit_seal_all
from tsunagu.tests.factories import PASSWORD

USER_AGENT = "Mozilla/5.0 (tsunagu-test)"


def sign_in(client: Client, staff, password: str = PASSWORD):
    response = client.post(
        "/login/",
        {"username": staff.username, "password": password},
        HTTP_USER_AGENT=USER_AGENT,
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def chain_of(municipality) -> AuditChain:
    return AuditChain.objects.get(key=AuditChain.key_for(municipality.pk))


def events_of(chain: AuditChain) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain=chain).order_by("sequence"))


def sealed(events: list[AuditEvent]) -> list[AuditEvent]:
    """The events as they are once every pending event is sealed."""
    audit_seal_all()
    for event in events:
        event.refresh_from_db()
    return events


def record_three(ward) -> list[AuditEvent]:
    actor = ward.member(Role.SYSADMIN)
    return sealed(
        [
            audit_record(AuditAction.VIEW, actor=actor, obj=ward.member(Role.COUNSELOR)),
            audit_record(AuditAction.CHANGE, actor=actor, detail={"fields": ["full_name"]}),
            audit_record(AuditAction.EXPORT, actor=actor, object_type="accounts.staff"),
        ]
    )


def verify_fails() -> str:
    """Run verify_audit, expect it to fail, and return what it reported."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", stdout=stdout, stderr=stderr)
    return f"{stderr.getvalue()}\n{raised.value}"


# --- The chain ---------------------------------------------------------------


@pytest.mark.django_db
def test_events_are_chained_per_municipality(ward, other_ward) -> None:
    mine = record_three(ward)
    theirs = sealed(
        [
            audit_record(AuditAction.LIST, actor=other_ward.member(Role.SYSADMIN)),
            audit_record(AuditAction.VIEW, actor=other_ward.member(Role.SYSADMIN)),
        ]
    )

    own_chain, other_chain = chain_of(ward.municipality), chain_of(other_ward.municipality)
    assert own_chain.pk != other_chain.pk
    assert {e.chain_id for e in mine} == {own_chain.pk}
    assert {e.chain_id for e in theirs} == {other_chain.pk}
    assert {e.municipality_id for e in theirs} == {other_ward.municipality.pk}

    for chain in (own_chain, other_chain):
        events = events_of(chain)
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert events[0].previous_hash == GENESIS_HASH
        for before, after in itertools.pairwise(events):
            assert after.previous_hash == before.hash
        for event in events:
            assert event.hash == event.compute_hash()
        assert chain.last_sequence == events[-1].sequence
        assert chain.last_hash == events[-1].hash

    assert [e.sequence for e in theirs] == [1, 2]
    assert mine[1].previous_hash == mine[0].hash
    assert mine[2].previous_hash == mine[1].hash


@pytest.mark.django_db
def test_verify_audit_passes_on_an_intact_trail(ward, other_ward) -> None:
    record_three(ward)
    audit_record(AuditAction.LIST, actor=other_ward.member(Role.AUDITOR))
    stdout = io.StringIO()
    call_command("verify_audit", stdout=stdout, stderr=io.StringIO())
    output = stdout.getvalue()
    assert "正常" in output
    # The last event is not sealed yet, and younger than the bound: not a problem.
    assert f"{AuditEvent.objects.count() - 1} 件のイベントを検証" in output
    assert "封緘待ち 1 件" in output


@pytest.mark.django_db
def test_verify_audit_finds_an_edited_action(ward) -> None:
    events = record_three(ward)
    with append_only.suspended():
        AuditEvent.objects.filter(pk=events[1].pk).update(action=AuditAction.VIEW)
    report = verify_fails()
    assert f"チェーン {events[1].chain_id}" in report
    assert "連番 2" in report
    assert f"イベントID {events[1].pk}" in report


@pytest.mark.django_db
def test_verify_audit_finds_an_edited_detail(ward) -> None:
    events = record_three(ward)
    with append_only.suspended():
        AuditEvent.objects.filter(pk=events[0].pk).update(detail={"innocent": True})
    report = verify_fails()
    assert f"チェーン {events[0].chain_id}" in report
    assert "連番 1" in report


@pytest.mark.django_db
def test_verify_audit_finds_an_edited_actor_label(ward) -> None:
    events = record_three(ward)
    with append_only.suspended():
        AuditEvent.objects.filter(pk=events[2].pk).update(actor_label="someone-else")
    report = verify_fails()
    assert "連番 3" in report


@pytest.mark.django_db
def test_verify_audit_finds_a_deleted_middle_row(ward) -> None:
    events = record_three(ward)
    with append_only.suspended():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    report = verify_fails()
    assert f"チェーン {events[1].chain_id}" in report
    assert "連番 2" in report


@pytest.mark.django_db
def test_verify_audit_finds_a_forged_row_with_a_wrong_previous_hash(ward) -> None:
    events = record_three(ward)
    chain = chain_of(ward.municipality)
    forged = AuditEvent(
        chain=chain,
        sequence=4,
        occurred_at=events[2].occurred_at,
        municipality=ward.municipality,
        actor=ward.member(Role.SYSADMIN),
        actor_label=ward.member(Role.SYSADMIN).username,
        action=AuditAction.VIEW,
        previous_hash="f" * 64,
    )
    forged.hash = forged.compute_hash()
    forged.save(force_insert=True)
    # Even with the head moved along, the link to the row before is broken.
    AuditChain.objects.filter(pk=chain.pk).update(last_sequence=4, last_hash=forged.hash)
    report = verify_fails()
    assert f"チェーン {chain.pk}" in report
    assert "連番 4" in report
    assert f"イベントID {forged.pk}" in report


@pytest.mark.django_db
def test_verify_audit_finds_a_replaced_middle_row(ward) -> None:
    events = record_three(ward)
    original = events[1]
    with append_only.suspended():
        AuditEvent.objects.filter(pk=original.pk).delete()
    forged = AuditEvent(
        chain_id=original.chain_id,
        sequence=2,
        occurred_at=original.occurred_at,
        municipality=ward.municipality,
        actor=ward.member(Role.SYSADMIN),
        actor_label="forger",
        action=AuditAction.LIST,
        previous_hash=events[0].hash,
    )
    forged.hash = forged.compute_hash()
    forged.save(force_insert=True)
    report = verify_fails()
    # Row 2 now links correctly to row 1, but row 3 no longer links to row 2.
    assert f"チェーン {original.chain_id}" in report
    assert "連番 3" in report


@pytest.mark.django_db
def test_verify_audit_finds_a_row_appended_without_the_head(ward) -> None:
    events = record_three(ward)
    forged = AuditEvent(
        chain_id=events[2].chain_id,
        sequence=4,
        occurred_at=events[2].occurred_at,
        municipality=ward.municipality,
        actor_label="forger",
        action=AuditAction.LOGIN,
        previous_hash=events[2].hash,
    )
    forged.hash = forged.compute_hash()
    forged.save(force_insert=True)
    report = verify_fails()
    assert f"チェーン {events[2].chain_id}" in report
    assert "末尾" in report


@pytest.mark.django_db
def test_verify_audit_finds_a_truncated_tail(ward) -> None:
    events = record_three(ward)
    with append_only.suspended():
        AuditEvent.objects.filter(pk=events[2].pk).delete()
    report = verify_fails()
    assert f"チェーン {events[2].chain_id}" in report
    assert "連番 3" in report
    assert "末尾" in report


@pytest.mark.django_db
def test_verify_audit_reports_only_the_broken_chain(ward, other_ward) -> None:
    record_three(ward)
    (theirs,) = sealed([audit_record(AuditAction.LIST, actor=other_ward.member(Role.SYSADMIN))])
    with append_only.suspended():
        AuditEvent.objects.filter(pk=theirs.pk).update(object_id="999")
    report = verify_fails()
    assert f"チェーン {theirs.chain_id}" in report
    assert f"チェーン {chain_of(ward.municipality).pk}（" not in report


# --- A write and its event are one transaction ---------------------------------


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_audit_event(ward) -> None:
    actor = ward.member(Role.COUNSELOR)
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _token, _raw = api_token_create(actor=actor, name="集計用")
        assert AuditEvent.objects.filter(object_type="accounts.apitoken").exists()
        raise RuntimeError("the caller fails after the service")
    assert not ApiToken.all_tenants.exists()
    assert not AuditEvent.objects.filter(object_type="accounts.apitoken").exists()
    assert AuditEvent.objects.count() == before
    # The chain head went back too: the trail still verifies.
    call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_a_committed_write_has_its_audit_event(ward) -> None:
    actor = ward.member(Role.COUNSELOR)
    token, _raw = api_token_create(actor=actor, name="集計用")
    event = AuditEvent.objects.get(object_type="accounts.apitoken", object_id=str(token.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor == actor
    assert event.municipality == ward.municipality


# --- Sign-in ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_login_is_audited_with_address_and_user_agent(client: Client, ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    sign_in(client, staff)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == staff
    assert event.actor_label == staff.username
    assert event.municipality == ward.municipality
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == USER_AGENT


@pytest.mark.django_db
def test_a_failed_login_is_audited_with_the_typed_name(client: Client, ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    response = client.post(
        "/login/",
        {"username": staff.username, "password": "wrong-password-123"},
        HTTP_USER_AGENT=USER_AGENT,
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_label == staff.username
    assert event.municipality == ward.municipality
    assert event.object_id == str(staff.pk)
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == USER_AGENT
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    # The password typed is never recorded.
    assert "wrong-password-123" not in str(event.detail)


@pytest.mark.django_db
def test_a_failed_login_with_an_unknown_name_goes_to_the_installation_chain(
    client: Client, ward
) -> None:
    client.post("/login/", {"username": "nobody-here", "password": "whatever-123456"})
    (event,) = sealed([AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)])
    assert event.actor_label == "nobody-here"
    assert event.municipality is None
    assert event.chain.key == "installation"


@pytest.mark.django_db
def test_a_logout_is_audited(client: Client, ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    sign_in(client, staff)
    response = client.post("/logout/", HTTP_USER_AGENT=USER_AGENT)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.actor == staff
    assert event.municipality == ward.municipality
    assert event.ip_address == "127.0.0.1"


# --- Refusals and views ------------------------------------------------------------


@pytest.mark.django_db
def test_a_permission_denial_is_audited(client: Client, ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    sign_in(client, counselor)
    response = client.get("/account/staff/")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.DENY)
    assert event.actor == counselor
    assert event.object_type == "accounts.staff"
    assert event.municipality == ward.municipality


@pytest.mark.django_db
def test_viewing_a_staff_record_is_audited_with_its_basis(client: Client, ward) -> None:
    admin, counselor = ward.member(Role.SYSADMIN), ward.member(Role.COUNSELOR)
    sign_in(client, admin)
    response = client.get(f"/account/staff/{counselor.pk}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.actor == admin
    assert event.basis == "system_administrator"
    assert event.object_type == "accounts.staff"
    assert event.object_id == str(counselor.pk)
    assert event.organization_id == ward.department.pk


@pytest.mark.django_db
def test_a_staff_record_of_another_municipality_is_refused_and_audited(
    client: Client, ward, other_ward
) -> None:
    admin, stranger = ward.member(Role.SYSADMIN), other_ward.member(Role.COUNSELOR)
    sign_in(client, admin)
    response = client.get(f"/account/staff/{stranger.pk}/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()
    event = AuditEvent.objects.get(action=AuditAction.DENY)
    assert event.object_id == str(stranger.pk)


# --- The auditor's screens ---------------------------------------------------------


@pytest.mark.django_db
def test_the_auditor_sees_events_of_their_own_municipality_only(
    client: Client, ward, other_ward
) -> None:
    audit_record(AuditAction.LOGIN_FAILED, actor_label="own-marker", municipality=ward.municipality)
    audit_record(
        AuditAction.LOGIN_FAILED, actor_label="foreign-marker", municipality=other_ward.municipality
    )
    audit_record(AuditAction.LOGIN_FAILED, actor_label="installation-marker")
    sign_in(client, ward.member(Role.AUDITOR))

    response = client.get("/audit/")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count > 0
    assert {e.municipality_id for e in page.object_list} == {ward.municipality.pk}
    content = response.content.decode()
    assert "own-marker" in content
    assert "foreign-marker" not in content
    assert "installation-marker" not in content

    # Filtering by the other municipality's name finds nothing either.
    response = client.get("/audit/", {"actor": "foreign-marker"})
    assert response.context["page"].paginator.count == 0


@pytest.mark.django_db
def test_other_roles_cannot_read_the_trail(client: Client, ward) -> None:
    sign_in(client, ward.member(Role.SYSADMIN))
    assert client.get("/audit/").status_code == 403
    assert client.post("/audit/verify/").status_code == 403


@pytest.mark.django_db
def test_the_auditor_verifies_the_chain_on_screen(client: Client, ward) -> None:
    events = record_three(ward)
    sign_in(client, ward.member(Role.AUDITOR))

    response = client.post("/audit/verify/")
    assert response.status_code == 200
    assert "正常" in response.content.decode()
    assert "改ざん" not in response.content.decode()

    with append_only.suspended():
        AuditEvent.objects.filter(pk=events[1].pk).update(detail={"rewritten": True})
    response = client.post("/audit/verify/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "改ざん" in content
    assert "連番 2" in content
    # The check itself is audited.
    assert AuditEvent.objects.filter(action=AuditAction.VERIFY).count() == 2


@pytest.mark.django_db
def test_an_auditor_verifies_their_own_municipality_only(client: Client, ward, other_ward) -> None:
    """Tampering elsewhere is the installation's concern (verify_audit), not shown to
    another municipality's auditor, who must learn nothing about other tenants."""
    record_three(other_ward)
    other_chain = chain_of(other_ward.municipality)
    with append_only.suspended():
        AuditEvent.objects.filter(chain=other_chain, sequence=2).update(action="export")
    client.force_login(ward.member(Role.AUDITOR))
    body = client.post("/audit/verify/").content.decode()
    assert "正常" in body
    assert "改ざん" not in body
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_reading_the_audit_trail_is_itself_audited(client: Client, ward) -> None:
    auditor = ward.member(Role.AUDITOR)
    client.force_login(auditor)
    assert client.get("/audit/?action=login").status_code == 200
    event = AuditEvent.objects.filter(actor=auditor, action=AuditAction.LIST).latest("id")
    assert event.object_type == "audit.auditevent"
    assert event.basis == "auditor"
    assert event.detail["action"] is True
