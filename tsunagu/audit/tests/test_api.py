"""The audit trail through the API: auditors only, their municipality only, the reading audited."""

from __future__ import annotations

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.audit.services import audit_record, audit_seal
from tsunagu.core import tenancy
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def _client(staff) -> Client:
    with tenancy.tenant_context(staff.municipality):
        _token, raw = api_token_create(actor=staff, name="監査")
    return Client(headers={"authorization": f"Bearer {raw}"})


def _event(ward: Ward, **fields) -> AuditEvent:
    with tenancy.tenant_context(ward.municipality):
        return audit_record(
            fields.pop("action", AuditAction.VIEW),
            actor=ward.member(Role.COUNSELOR),
            municipality=ward.municipality,
            **fields,
        )


def test_an_auditor_lists_filters_and_reads_one_event(ward: Ward, other_ward: Ward) -> None:
    viewed = _event(ward, object_type="people.household", object_id="7", basis="own_organization")
    _event(ward, action=AuditAction.SEARCH, object_type="people.person")
    elsewhere = _event(other_ward, object_type="people.household", object_id="7")
    client = _client(ward.member(Role.AUDITOR))

    response = client.get("/api/v1/audit/events", {"object_type": "people.household"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["id"] for item in body["items"]] == [viewed.pk]
    (item,) = body["items"]
    assert (item["action"], item["action_label"], item["basis"]) == (
        "view",
        "閲覧",
        "own_organization",
    )
    # Listed at once, before the sealer has chained it.
    assert (item["sealed"], item["sequence"], item["hash"]) == (False, None, None)
    audit_seal(municipality_id=ward.municipality.pk)
    viewed.refresh_from_db()
    (item,) = client.get("/api/v1/audit/events", {"object_type": "people.household"}).json()[
        "items"
    ]
    assert (item["sealed"], item["sequence"]) == (True, viewed.sequence)
    assert item["hash"] == viewed.hash and item["previous_hash"] == viewed.previous_hash

    response = client.get("/api/v1/audit/events", {"action": "search"})
    assert {i["object_type"] for i in response.json()["items"]} == {"people.person"}

    assert client.get(f"/api/v1/audit/events/{viewed.pk}").json()["id"] == viewed.pk
    # Another municipality's event is not found.
    assert client.get(f"/api/v1/audit/events/{elsewhere.pk}").status_code == 404

    # The readings are on the trail, with which filters were used, not their values.
    readings = AuditEvent.objects.filter(
        actor=ward.member(Role.AUDITOR), object_type="audit.auditevent"
    )
    assert readings.filter(action=AuditAction.LIST).count() == 3
    assert readings.filter(action=AuditAction.LIST, detail__object_type=True).exists()
    assert readings.filter(action=AuditAction.VIEW, object_id=str(viewed.pk)).exists()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.AUDITOR])
def test_nobody_but_the_auditor_reads_the_trail(ward: Ward, role: Role) -> None:
    event = _event(ward, object_type="people.household", object_id="7")
    client = _client(ward.member(role))
    assert client.get("/api/v1/audit/events").status_code == 403
    assert client.get(f"/api/v1/audit/events/{event.pk}").status_code == 403
    assert AuditEvent.objects.filter(
        actor=ward.member(role), action=AuditAction.DENY, object_type="audit.auditevent"
    ).exists()


def test_a_date_range_and_bad_filters(ward: Ward) -> None:
    _event(ward, object_type="people.household")
    client = _client(ward.member(Role.AUDITOR))
    assert client.get("/api/v1/audit/events", {"date_to": "2000-01-01"}).json()["count"] == 0
    response = client.get("/api/v1/audit/events", {"action": "peek"})
    assert response.status_code == 422
    assert "action" in response.json()["errors"]
