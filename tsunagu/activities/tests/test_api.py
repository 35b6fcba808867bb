"""The activities API at /api/v1/: activity records listed with their basis,
read, entered, corrected and archived under the same policy, rules and audit
as the pages (Japanese messages, 422 when a rule refuses), and counted
entries listed and saved (created or replaced)."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, Category, CountedEntry, Kind
from tsunagu.activities.services import activity_record_create, counted_entry_save
from tsunagu.api.root import operations
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.people.services import emergency_access_open
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.routes import undeclared_api_operations

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
RECORDS = "/api/v1/activity-records"
ENTRIES = "/api/v1/counted-entries"


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def post_json(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json")


def put_json(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(payload), content_type="application/json")


def make(ward: Ward, **fields: Any) -> ActivityRecord:
    values: dict[str, Any] = {
        "organization": ward.center,
        "occurred_on": timezone.localdate(),
        "district": ward.districts[0],
        "category": Category.LIFE_SUPPORT,
        "kind": Kind.INFORMATION,
        "intent": "買い物支援の担い手を探す",
    }
    values.update(fields)
    with tenancy.tenant_context(ward.municipality):
        return activity_record_create(actor=ward.member(Role.COUNSELOR), **values)


def payload(ward: Ward, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "district_id": ward.districts[1].pk,
        "category": "individual",
        "kind": "liaison",
        "mode": "indirect",
        "direction": "outgoing",
        "intent": "主治医と退院後の生活を相談する",
    }
    data.update(fields)
    return data


OPERATIONS = {
    "activity_record_list",
    "activity_record_detail",
    "activity_record_create",
    "activity_record_update",
    "activity_record_archive",
    "counted_entry_list",
    "counted_entry_save",
    "counted_entry_archive",
}


def test_every_operation_is_declared_to_the_policy_and_authenticated() -> None:
    found = [op for op in operations() if op.view_func.__name__ in OPERATIONS]
    assert {op.view_func.__name__ for op in found} == OPERATIONS
    assert undeclared_api_operations(found) == []


def test_the_openapi_document_describes_the_operations_in_japanese(ward: Ward) -> None:
    paths = as_staff(ward.member(Role.COUNSELOR)).get("/api/v1/openapi.json").json()["paths"]
    expected = {
        RECORDS: {"get", "post"},
        RECORDS + "/{record_id}": {"get", "put"},
        RECORDS + "/{record_id}/archive": {"post"},
        ENTRIES: {"get", "post"},
        ENTRIES + "/{entry_id}/archive": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for method in methods:
            assert JAPANESE.search(paths[path][method]["summary"]), (path, method)


def test_a_record_is_entered_and_read_back_with_its_basis(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    response = post_json(client, RECORDS, payload(ward))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["label"] == "連絡調整（間接支援）"
    assert body["activity"] == "individual:liaison:indirect"
    assert body["occurred_on"] == timezone.localdate().isoformat()
    assert body["organization_id"] == ward.center.pk
    assert (body["basis"], body["basis_label"]) == ("own_organization", "自機関の記録")
    detail = client.get(f"{RECORDS}/{body['id']}")
    assert detail.status_code == 200 and detail.json()["intent"] == "主治医と退院後の生活を相談する"
    assert AuditEvent.objects.filter(
        action="view", object_type="activities.activityrecord", object_id=str(body["id"])
    ).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "launch"}, "kind", "「立上支援」は「個人支援（地域福祉コーディネーター）」"),
        ({"mode": None}, "mode", "個人支援は直接支援か間接支援かを選んでください。"),
        ({"category": "community", "kind": "launch"}, "mode", "個人支援のときだけ"),
        ({"intent": " "}, "intent", "働きかけの意図を入力してください。"),
        ({"district_id": 999999}, "district_id", "日常生活圏域が見つかりません"),
        ({"household_id": 999999}, "household_id", "記録する権限がありません"),
        ({"community_place_id": 999999}, "community_place_id", "居場所・拠点が見つかりません"),
    ],
)
def test_a_rule_refusal_is_422_in_japanese(
    ward: Ward, fields: dict[str, Any], field: str, message: str
) -> None:
    response = post_json(as_staff(ward.member(Role.COUNSELOR)), RECORDS, payload(ward, **fields))
    assert response.status_code == 422
    body = response.json()
    assert JAPANESE.search(body["detail"])
    assert message in body["errors"][field][0]
    with tenancy.tenant_context(ward.municipality):
        assert not ActivityRecord.objects.exists()


def test_the_list_filters_and_labels_each_record(ward: Ward) -> None:
    make(ward)
    make(ward, district=ward.districts[1], category=Category.NEW_CONSULTATION,
         kind=Kind.NEW_COMMUNITY)  # fmt: skip
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    make(ward, occurred_on=last_month)
    client = as_staff(ward.member(Role.COUNSELOR))
    body = client.get(RECORDS).json()
    assert body["count"] == 3
    assert all(item["basis"] == "own_organization" for item in body["items"])
    assert [item["occurred_on"] for item in body["items"]] == sorted(
        (item["occurred_on"] for item in body["items"]), reverse=True
    )
    month = timezone.localdate().strftime("%Y-%m")
    assert client.get(RECORDS, {"month": month}).json()["count"] == 2
    assert client.get(RECORDS, {"category": "new_consultation"}).json()["count"] == 1
    assert client.get(RECORDS, {"district_id": ward.districts[1].pk}).json()["count"] == 1
    refused = client.get(RECORDS, {"month": "7月"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"month": ["月は 2025-07 の形で指定してください。"]}
    assert AuditEvent.objects.filter(
        action="list", object_type="activities.activityrecord"
    ).exists()


def test_a_record_about_a_household_follows_the_household_s_case(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(counselor, ward.center)
    client = as_staff(counselor)
    created = post_json(client, RECORDS, payload(ward, household_id=household.pk)).json()
    assert created["household_id"] == household.pk
    coordinator = as_staff(ward.member(Role.COORDINATOR))
    assert coordinator.get(f"{RECORDS}/{created['id']}").status_code == 404
    cf.case(ward.member(Role.COORDINATOR), ward.coordinating, household)
    shown = coordinator.get(f"{RECORDS}/{created['id']}")
    assert shown.status_code == 200 and shown.json()["basis"] == "coordinator"
    assert coordinator.get(RECORDS).json()["count"] == 1
    # Reading is not correcting: only the recording organization does that.
    changed = put_json(coordinator, f"{RECORDS}/{created['id']}", payload(ward, intent="x"))
    assert changed.status_code == 404
    # An emergency opening shows it, read-only, to another organization.
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    with tenancy.tenant_context(ward.municipality):
        emergency_access_open(
            actor=south,
            organization_id=ward.other_center.pk,
            household=household,
            reason="安否確認の通報があり、至急世帯の状況を確認するため",
        )
    body = as_staff(south).get(f"{RECORDS}/{created['id']}").json()
    assert body["basis"] == "emergency"


def test_the_household_is_named_only_to_whoever_may_see_it(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(counselor, ward.center)
    record = make(ward, household=household)
    colleague = rf.staff_at(ward, ward.center, Role.COUNSELOR, "colleague")
    assert as_staff(colleague).get(f"{RECORDS}/{record.pk}").json()["household_id"] == household.pk
    # The record is the organization's; the household is another organization's
    # now (it moved its registration): the record stays readable, the
    # household unnamed.
    from tsunagu.grants import services as grants
    from tsunagu.people.models import Household

    Household.all_tenants.filter(pk=household.pk).update(registered_by=ward.other_center)
    grants.refresh_for(Household.all_tenants.get(pk=household.pk))
    body = as_staff(colleague).get(f"{RECORDS}/{record.pk}").json()
    assert body["basis"] == "own_organization" and body["household_id"] is None


def test_corrections_and_archiving_are_the_recording_organization_s(ward: Ward) -> None:
    record = make(ward)
    south = as_staff(rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south"))
    url = f"{RECORDS}/{record.pk}"
    assert put_json(south, url, payload(ward)).status_code == 404
    assert post_json(south, f"{url}/archive", {"reason": "消す"}).status_code == 404
    client = as_staff(ward.member(Role.COUNSELOR))
    changed = put_json(client, url, payload(ward, category="life_support", kind="planning",
                                              mode=None))  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["label"] == "企画立案"
    # The day stays when a correction leaves it out.
    assert changed.json()["occurred_on"] == record.occurred_on.isoformat()
    missing = post_json(client, f"{url}/archive", {"reason": " "})
    assert missing.status_code == 422
    assert missing.json()["errors"]["reason"] == ["アーカイブの理由を入力してください。"]
    archived = post_json(client, f"{url}/archive", {"reason": "二重に入力した"})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert client.get(RECORDS).json()["count"] == 0
    assert client.get(RECORDS, {"include_archived": True}).json()["count"] == 1
    assert put_json(client, url, payload(ward)).status_code == 404


@pytest.mark.parametrize("role", [Role.MANAGER, Role.GUEST, Role.SYSADMIN, Role.AUDITOR])
def test_roles_without_casework_get_no_records(ward: Ward, role: str) -> None:
    record = make(ward)
    client = as_staff(ward.member(role))
    assert client.get(RECORDS).status_code == 403
    assert post_json(client, RECORDS, payload(ward)).status_code == 403
    assert client.get(f"{RECORDS}/{record.pk}").status_code == 404


def test_another_municipality_s_records_are_not_found(ward: Ward, other_ward: Ward) -> None:
    theirs = make(other_ward)
    client = as_staff(ward.member(Role.COUNSELOR))
    assert client.get(f"{RECORDS}/{theirs.pk}").status_code == 404
    assert put_json(client, f"{RECORDS}/{theirs.pk}", payload(ward)).status_code == 404
    assert client.get(RECORDS).json()["count"] == 0
    refused = post_json(client, RECORDS, payload(ward, district_id=other_ward.districts[0].pk))
    assert refused.status_code == 422 and "district_id" in refused.json()["errors"]


def test_the_list_queries_do_not_grow_with_the_rows(
    ward: Ward, django_assert_max_num_queries: Any
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(counselor, ward.center)
    for _ in range(3):
        make(ward, household=household)
    client = as_staff(counselor)
    client.get(RECORDS)
    with django_assert_max_num_queries(40) as few:
        assert client.get(RECORDS).json()["count"] == 3
    for n in range(17):
        make(ward, household=household if n % 2 else None)
    with django_assert_max_num_queries(len(few)):
        body = client.get(RECORDS).json()
    assert body["count"] == 20
    assert sum(1 for item in body["items"] if item["household_id"] == household.pk) == 11


# --- Counted entries ------------------------------------------------------------------


def _last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_a_count_is_created_then_replaced(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    month = _last_month()
    data = {"item": "親子ひろば利用者数", "month": month.replace(day=15).isoformat(), "count": 1288}
    created = post_json(client, ENTRIES, data)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["month"] == month.isoformat() and body["count"] == 1288
    assert body["entered_by"] == ward.member(Role.COUNSELOR).full_name
    assert body["month_label"].endswith(f"{month.month}月")
    replaced = post_json(client, ENTRIES, {**data, "count": 1301})
    assert replaced.status_code == 200 and replaced.json()["id"] == body["id"]
    event = AuditEvent.objects.filter(object_type="activities.countedentry").last()
    assert event is not None and (event.detail["old"], event.detail["new"]) == (1288, 1301)
    listed = client.get(ENTRIES, {"item": "親子ひろば利用者数"}).json()
    assert listed["count"] == 1 and listed["items"][0]["count"] == 1301
    # Every staff member reads counts (no personal data); a guest does not.
    assert as_staff(ward.member(Role.MANAGER)).get(ENTRIES).json()["count"] == 1
    assert as_staff(ward.member(Role.GUEST)).get(ENTRIES).status_code == 403


def test_counts_are_entered_only_for_one_s_own_organization(ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    data = {"item": "親子ひろば利用者数", "month": _last_month().isoformat(), "count": 5}
    other = post_json(client, ENTRIES, {**data, "organization_id": ward.other_center.pk})
    assert other.status_code == 403
    assert post_json(as_staff(ward.member(Role.MANAGER)), ENTRIES, data).status_code == 403
    future = (timezone.localdate().replace(day=1) + datetime.timedelta(days=40)).isoformat()
    refused = post_json(client, ENTRIES, {**data, "month": future})
    assert refused.status_code == 422
    assert refused.json()["errors"]["month"] == ["来月以降の件数は入力できません。"]
    with tenancy.tenant_context(ward.municipality):
        assert not CountedEntry.objects.exists()


def test_a_count_is_archived_by_its_organization(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        entry = counted_entry_save(
            actor=ward.member(Role.COUNSELOR),
            organization=ward.center,
            item="自立支援計画作成数",
            month=_last_month(),
            count=4,
        )
    south = as_staff(rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south"))
    assert post_json(south, f"{ENTRIES}/{entry.pk}/archive", {"reason": "x"}).status_code == 404
    client = as_staff(ward.member(Role.COUNSELOR))
    done = post_json(client, f"{ENTRIES}/{entry.pk}/archive", {"reason": "別の月だった"})
    assert done.status_code == 200 and done.json()["archived"] is True
    assert client.get(ENTRIES).json()["count"] == 0
