"""The online inbox's API at /api/v1/: what the pages do, under the same
policy and audit — the list with each thread's basis, an audited read, reply
with the optimistic version (409), hand-over (the old window loses the
thread), conversion into a 相談受付, close and reopen, and the coordinating
section's settings and triage rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.frontdoor import services
from tsunagu.frontdoor.models import FrontDoorSettings, Status, Thread, TriageRule
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


def _thread(ward: Ward, body: str, **fields: Any) -> Thread:
    with tenancy.tenant_context(ward.municipality):
        thread = services.open_thread(channel="line", language="en", topic="income")
        for name, value in fields.items():
            setattr(thread, name, value)
        thread.save()
        services.receive(thread, body)
        return Thread.objects.get(pk=thread.pk)


def test_list_and_read_a_thread_with_its_basis(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        FrontDoorSettings.objects.create(emergency_guidance="警察110・救急119へ。")
    calm = _thread(ward, "I lost my job.", organization=ward.center)
    crisis = _thread(ward, "I want to die", organization=ward.center)
    client = as_staff(ward.member(Role.COUNSELOR))
    listed = client.get("/api/v1/threads").json()
    assert [item["id"] for item in listed["items"]] == [crisis.pk, calm.pk]
    assert listed["items"][0]["crisis"] is True
    assert listed["items"][0]["basis"] == "own_organization"
    assert "messages" not in listed["items"][0]
    detail = client.get(f"/api/v1/threads/{crisis.pk}").json()
    assert detail["messages"][0]["body"] == "I want to die"
    assert detail["emergency_guidance"] == "警察110・救急119へ。"
    assert detail["waiting_since"] is not None
    with tenancy.tenant_context(ward.municipality):
        viewed = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="frontdoor.thread")
        assert (viewed.object_id, viewed.basis) == (str(crisis.pk), "own_organization")
        assert AuditEvent.objects.filter(
            action=AuditAction.LIST, object_type="frontdoor.thread"
        ).exists()
    # Another window, a manager: nothing.
    assert as_staff(ward.member(Role.MANAGER)).get("/api/v1/threads").status_code == 403
    south = as_staff(_south(ward))
    assert south.get("/api/v1/threads").json()["items"] == []
    assert south.get(f"/api/v1/threads/{crisis.pk}").status_code == 404


def _south(ward: Ward) -> Staff:
    from tsunagu.tests import resident_factories as rf

    return rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")


def test_reply_then_a_stale_version_is_refused(ward: Ward) -> None:
    thread = _thread(ward, "Hello, I need help.")
    client = as_staff(ward.member(Role.COORDINATOR))
    answered = send(
        client,
        "post",
        f"/api/v1/threads/{thread.pk}/replies",
        {"version": thread.version, "body": "ご相談ありがとうございます。"},
    )
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["first_response_at"] is not None
    assert body["messages"][-1]["organization"] == ward.coordinating.name
    stale = send(
        client,
        "post",
        f"/api/v1/threads/{thread.pk}/replies",
        {"version": thread.version, "body": "もう一度"},
    )
    assert stale.status_code == 409
    assert "他の職員が更新しました" in stale.json()["detail"]


def test_hand_over_convert_close_and_reopen(ward: Ward) -> None:
    thread = _thread(ward, "I cannot pay my rent.", organization=ward.center)
    counselor = as_staff(ward.member(Role.COUNSELOR))
    handed = send(
        counselor,
        "post",
        f"/api/v1/threads/{thread.pk}/hand-over",
        {"version": thread.version, "organization_id": None},
    )
    assert handed.status_code == 204  # the old window no longer sees it
    assert counselor.get(f"/api/v1/threads/{thread.pk}").status_code == 404
    coordinator = as_staff(ward.member(Role.COORDINATOR))
    current = coordinator.get(f"/api/v1/threads/{thread.pk}").json()
    assert current["organization_id"] is None and current["basis"] == "coordinator"
    closed = send(
        coordinator,
        "post",
        f"/api/v1/threads/{thread.pk}/close",
        {"version": current["version"], "reason": "返信がないまま2週間"},
    )
    assert closed.status_code == 200 and closed.json()["status"] == Status.CLOSED
    refused = send(
        coordinator,
        "post",
        f"/api/v1/threads/{thread.pk}/consultation",
        {"version": closed.json()["version"]},
    )
    assert refused.status_code == 422  # a closed thread is reopened first
    reopened = send(
        coordinator,
        "post",
        f"/api/v1/threads/{thread.pk}/reopen",
        {"version": closed.json()["version"]},
    )
    assert reopened.json()["status"] == Status.OPEN
    converted = send(
        coordinator,
        "post",
        f"/api/v1/threads/{thread.pk}/consultation",
        {"version": reopened.json()["version"], "main_topic": "rent_loan"},
    )
    assert converted.status_code == 201, converted.content
    answer = converted.json()
    assert answer["thread"]["status"] == Status.CONVERTED
    assert answer["thread"]["consultation_id"] == answer["consultation_id"]
    with tenancy.tenant_context(ward.municipality):
        consultation = Consultation.objects.get(pk=answer["consultation_id"])
        assert consultation.channel == "messaging"
        assert "I cannot pay my rent." in consultation.summary


def test_the_coordinating_section_sets_the_door_and_the_rules(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COORDINATOR))
    saved = send(
        client,
        "put",
        "/api/v1/front-door/settings",
        {"accepting": False, "emergency_guidance": "警察110・救急119へ。"},
    )
    assert saved.status_code == 200 and saved.json()["accepting"] is False
    created = send(
        client,
        "post",
        "/api/v1/front-door/triage-rules",
        {"organization_id": ward.center.pk, "topic": "income"},
    )
    assert created.status_code == 201
    assert [r["id"] for r in client.get("/api/v1/front-door/triage-rules").json()] == [
        created.json()["id"]
    ]
    nothing = send(client, "post", "/api/v1/front-door/triage-rules", {"organization_id": 0})
    assert nothing.status_code == 422
    assert (
        client.delete(f"/api/v1/front-door/triage-rules/{created.json()['id']}").status_code == 204
    )
    with tenancy.tenant_context(ward.municipality):
        assert not TriageRule.objects.exists()
        assert FrontDoorSettings.objects.get().accepting is False
    counselor = as_staff(ward.member(Role.COUNSELOR))
    assert counselor.get("/api/v1/front-door/settings").status_code == 403
