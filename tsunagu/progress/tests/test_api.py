"""The 支援経過記録 API at /api/v1/: the notes of a household, a case and a
person; writing, reading and correcting one — under the same policy and
audit as the pages, with the optimistic version (409) and Japanese
messages for what is refused."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.progress.models import ProgressNote
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf

pytestmark = pytest.mark.django_db


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


@pytest.fixture
def world(ward: Any) -> Any:
    counselor = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    head = rf.person(counselor, ward.center, family_name="架空", given_name="花子")
    son = rf.person(counselor, ward.center, family_name="架空", given_name="一郎")
    household = rf.household(counselor, ward.center, head=head, members=[(son, "child")])
    case = cf.case(coordinator, ward.coordinating, household)
    cf.consent(coordinator, case, organizations=[ward.coordinating, ward.center])
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    return counselor, coordinator, south, household, case, son


def test_write_list_read_and_correct_a_note(ward: Any, world: Any) -> None:
    counselor, coordinator, south, household, case, son = world
    client = as_staff(counselor)
    occurred = timezone.now() - datetime.timedelta(hours=3)
    created = send(
        client,
        "post",
        f"/api/v1/households/{household.pk}/progress-notes",
        {
            "occurred_at": occurred.isoformat(),
            "kind": "interview",
            "person_id": son.pk,
            "case_id": case.pk,
            "participants": [{"staff_id": south.pk, "organization_id": ward.other_center.pk}],
            "other_participants": "本人・母",
            "content": "面談。生活リズムについて話した。",
            "next_step": "来週電話",
            "next_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind_label"] == "面談"
    assert body["person"] == "架空　一郎"
    assert body["organization_id"] == ward.center.pk
    assert body["version"] == 1
    assert {p["staff_id"] for p in body["participants"]} == {counselor.pk, south.pk}
    note_id = body["id"]

    for url in (
        f"/api/v1/households/{household.pk}/progress-notes",
        f"/api/v1/cases/{case.pk}/progress-notes",
        f"/api/v1/persons/{son.pk}/progress-notes",
    ):
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert [item["id"] for item in listed.json()["items"]] == [note_id], url
        assert listed.json()["items"][0]["basis"] == "own_organization"

    # The participant's organization reads it as its own; the coordinator as the case's.
    assert as_staff(south).get(f"/api/v1/progress-notes/{note_id}").json()["basis"] == (
        "own_organization"
    )
    assert as_staff(coordinator).get(f"/api/v1/progress-notes/{note_id}").json()["basis"] == (
        "coordinator"
    )

    changed = send(
        client,
        "put",
        f"/api/v1/progress-notes/{note_id}",
        {"version": 1, "kind": "phone", "content": "電話に訂正。", "case_id": case.pk},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["kind"] == "phone"
    assert changed.json()["version"] == 2
    stale = send(
        client,
        "put",
        f"/api/v1/progress-notes/{note_id}",
        {"version": 1, "kind": "visit", "content": "古い版からの訂正"},
    )
    assert stale.status_code == 409
    assert "他の職員が更新しました" in stale.json()["detail"]
    with tenancy.tenant_context(ward.municipality):
        note = ProgressNote.objects.get(pk=note_id)
        assert (note.kind, note.content) == ("phone", "電話に訂正。")
        actions = list(
            AuditEvent.objects.filter(
                object_type="progress.progressnote", object_id=str(note_id)
            ).values_list("action", flat=True)
        )
    assert "create" in actions and "change" in actions and "view" in actions


def test_only_the_writing_organization_corrects(ward: Any, world: Any) -> None:
    counselor, coordinator, south, household, case, _son = world
    created = send(
        as_staff(counselor),
        "post",
        f"/api/v1/households/{household.pk}/progress-notes",
        {"kind": "phone", "content": "電話", "case_id": case.pk},
    ).json()
    refused = send(
        as_staff(coordinator),
        "put",
        f"/api/v1/progress-notes/{created['id']}",
        {"version": 1, "kind": "visit", "content": "書き換え"},
    )
    assert refused.status_code == 404
    # An organization with no basis sees nothing of it.
    assert as_staff(south).get(f"/api/v1/progress-notes/{created['id']}").status_code == 404
    assert as_staff(south).get(f"/api/v1/cases/{case.pk}/progress-notes").status_code == 404


def test_refusals_are_in_japanese_and_tied_to_fields(ward: Any, world: Any) -> None:
    counselor, _coordinator, _south, household, _case, _son = world
    future = timezone.now() + datetime.timedelta(days=2)
    refused = send(
        as_staff(counselor),
        "post",
        f"/api/v1/households/{household.pk}/progress-notes",
        {"kind": "visit", "content": "訪問", "occurred_at": future.isoformat()},
    )
    assert refused.status_code == 422
    assert "未来の日時" in refused.json()["errors"]["occurred_at"][0]
    unknown = send(
        as_staff(counselor),
        "post",
        f"/api/v1/households/{household.pk}/progress-notes",
        {"kind": "visit", "content": "訪問", "person_id": 999999},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"]["person_id"] == ["指定された本人が見つかりません。"]
