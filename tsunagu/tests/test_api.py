"""The JSON API at /api/v1/: its OpenAPI document, tenant isolation,
pagination, writes with their audit events, Japanese errors, bearer tokens,
and a query count that does not grow with the number of rows."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.directory.models import Business, District, Organization, SubBusiness
from tsunagu.tests.factories import MunicipalityFactory, StaffFactory, Ward, add_member

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ORGANIZATION_TYPE = "directory.organization"


def as_staff(staff: Staff, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(staff)
    return client


def post_json(client: Client, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


def put_json(client: Client, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.put(url, json.dumps(payload), content_type="application/json", **extra)


def organization_payload(ward: Ward, **overrides: Any) -> dict[str, Any]:
    with tenancy.tenant_context(ward.municipality):
        sub_business = SubBusiness.objects.get()
    payload: dict[str, Any] = {
        "name": "くらし相談窓口",
        "kind": Organization.Kind.WINDOW,
        "management": Organization.Management.CONTRACTED,
        "operator": "社会福祉法人テスト福祉会",
        "parent": None,
        "is_coordinating": False,
        "district_ids": [d.pk for d in ward.districts],
        "sub_business_ids": [sub_business.pk],
        "phone": "03-1234-5678",
        "address": "テスト区中央1-2-3",
        "sort_order": 7,
    }
    payload.update(overrides)
    return payload


def ids_of(ward: Ward) -> set[int]:
    return set(
        Organization.all_tenants.filter(municipality=ward.municipality).values_list("pk", flat=True)
    )


# --- The OpenAPI document ---------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_document_lists_the_operations(ward: Ward) -> None:
    response = as_staff(ward.member(Role.COUNSELOR)).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    assert document["info"]["version"] == "1"
    paths = document["paths"]
    for path in (
        "/api/v1/me",
        "/api/v1/organizations",
        "/api/v1/organizations/{organization_id}",
        "/api/v1/staff",
        "/api/v1/districts",
        "/api/v1/sub-businesses",
    ):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/organizations"])
    assert {"get", "put"} <= set(paths["/api/v1/organizations/{organization_id}"])
    # Every operation is described (in Japanese).
    for operations in paths.values():
        for operation in operations.values():
            assert JAPANESE.search(operation.get("summary", "")), operation


@pytest.mark.django_db
def test_openapi_document_is_behind_the_login_page() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


# --- /me ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_me_returns_roles_and_municipality(ward: Ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    add_member(staff, ward.department, Role.MANAGER)
    response = as_staff(staff).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == staff.pk
    assert body["username"] == staff.username
    assert body["full_name"] == staff.full_name
    assert body["municipality"] == "テスト区"
    assert body["roles"] == sorted([Role.COUNSELOR.value, Role.MANAGER.value])
    assert {(m["organization_id"], m["role"], m["role_label"]) for m in body["memberships"]} == {
        (ward.center.pk, "counselor", "相談員"),
        (ward.department.pk, "manager", "管理職"),
    }
    assert body["acting_organization_id"] in {ward.center.pk, ward.department.pk}

    chosen = as_staff(staff).get("/api/v1/me", HTTP_X_TSUNAGU_ORGANIZATION=str(ward.department.pk))
    assert chosen.json()["acting_organization_id"] == ward.department.pk
    refused = as_staff(staff).get(
        "/api/v1/me", HTTP_X_TSUNAGU_ORGANIZATION=str(ward.coordinating.pk)
    )
    assert refused.status_code == 403
    assert refused.json() == {"detail": "指定された所属機関として操作する権限がありません。"}
    denial = AuditEvent.objects.get(action=AuditAction.DENY, actor=staff)
    assert (denial.object_type, denial.object_id) == (
        "directory.organization",
        str(ward.coordinating.pk),
    )


@pytest.mark.django_db
def test_anonymous_api_calls_get_a_japanese_401() -> None:
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert JAPANESE.search(response.json()["detail"])


# --- Reading organizations -----------------------------------------------------------------


@pytest.mark.django_db
def test_organization_list_is_paginated_and_shows_only_the_municipality(
    ward: Ward, other_ward: Ward
) -> None:
    response = as_staff(ward.member(Role.COUNSELOR)).get("/api/v1/organizations")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"items", "count"}
    assert body["count"] == len(ids_of(ward)) == 5
    returned = {item["id"] for item in body["items"]}
    assert returned == ids_of(ward)
    assert not returned & ids_of(other_ward)

    center = next(item for item in body["items"] if item["id"] == ward.center.pk)
    assert center["name"] == ward.center.name
    assert center["management"] == "contracted"
    assert center["operator"] == "社会福祉法人テスト会"
    assert center["district_ids"] == [ward.districts[0].pk]
    assert len(center["sub_business_ids"]) == 1
    assert center["archived"] is False

    # Pages.
    page = as_staff(ward.member(Role.COUNSELOR)).get("/api/v1/organizations?limit=2&offset=2")
    assert page.status_code == 200
    assert page.json()["count"] == 5
    assert len(page.json()["items"]) == 2

    # The other ward sees its own, never ours.
    theirs = as_staff(other_ward.member(Role.COUNSELOR)).get("/api/v1/organizations").json()
    assert {item["id"] for item in theirs["items"]} == ids_of(other_ward)


@pytest.mark.django_db
def test_archived_organizations_are_listed_only_on_request(ward: Ward) -> None:
    Organization.all_tenants.filter(pk=ward.department.pk).update(
        archived_at=timezone.now(), archive_reason="廃止"
    )
    client = as_staff(ward.member(Role.COUNSELOR))

    default = client.get("/api/v1/organizations").json()
    assert ward.department.pk not in {item["id"] for item in default["items"]}
    assert default["count"] == 4

    everything = client.get("/api/v1/organizations?include_archived=true").json()
    assert everything["count"] == 5
    archived = next(item for item in everything["items"] if item["id"] == ward.department.pk)
    assert archived["archived"] is True


@pytest.mark.django_db
def test_organization_detail(ward: Ward, other_ward: Ward) -> None:
    client = as_staff(ward.member(Role.COUNSELOR))
    response = client.get(f"/api/v1/organizations/{ward.coordinating.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "福祉政策課"
    assert response.json()["is_coordinating"] is True

    response = client.get(f"/api/v1/organizations/{other_ward.coordinating.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}

    assert client.get("/api/v1/organizations/999999").json() == {"detail": "見つかりません。"}


@pytest.mark.django_db
def test_districts_and_sub_businesses_are_listed(ward: Ward, other_ward: Ward) -> None:
    client = as_staff(ward.member(Role.MANAGER))
    districts = client.get("/api/v1/districts").json()
    assert [d["name"] for d in districts["items"]] == ["北", "南"]
    assert {d["id"] for d in districts["items"]} == {d.pk for d in ward.districts}

    subs = client.get("/api/v1/sub-businesses").json()
    assert subs["count"] == 1
    (sub,) = subs["items"]
    assert sub["name"] == "地域包括支援センター"
    assert sub["business_number"] == 1
    assert sub["business"] == "包括的相談支援事業"
    with tenancy.tenant_context(other_ward.municipality):
        assert sub["id"] not in set(SubBusiness.objects.values_list("pk", flat=True))


# --- Writing organizations ------------------------------------------------------------------


@pytest.mark.django_db
def test_system_administrator_creates_an_organization(ward: Ward) -> None:
    admin = ward.member(Role.SYSADMIN)
    response = post_json(as_staff(admin), "/api/v1/organizations", organization_payload(ward))

    assert response.status_code == 201, response.content
    body = response.json()
    created = Organization.all_tenants.get(pk=body["id"])
    assert created.municipality == ward.municipality
    assert created.name == body["name"] == "くらし相談窓口"
    assert created.operator == body["operator"] == "社会福祉法人テスト福祉会"
    assert body["kind"] == "window"
    assert body["management"] == "contracted"
    assert body["archived"] is False
    assert sorted(body["district_ids"]) == sorted(d.pk for d in ward.districts)
    assert len(body["sub_business_ids"]) == 1
    assert created.created_by == admin
    assert created.updated_by == admin

    event = AuditEvent.objects.get(object_type=ORGANIZATION_TYPE, object_id=str(created.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor == admin
    assert event.municipality == ward.municipality
    assert "name" in event.detail["fields"]


@pytest.mark.django_db
def test_counselor_may_not_create_organizations(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    before = Organization.all_tenants.count()

    response = post_json(as_staff(counselor), "/api/v1/organizations", organization_payload(ward))

    assert response.status_code == 403
    assert response.json() == {"detail": "この操作を行う権限がありません。"}
    assert Organization.all_tenants.count() == before
    denial = AuditEvent.objects.get(action=AuditAction.DENY, actor=counselor)
    assert denial.object_type == "directory.organization"
    assert denial.detail == {"action": "create"}


@pytest.mark.django_db
def test_contracted_without_operator_is_refused_with_422(ward: Ward) -> None:
    before = Organization.all_tenants.count()
    response = post_json(
        as_staff(ward.member(Role.SYSADMIN)),
        "/api/v1/organizations",
        organization_payload(ward, operator=""),
    )

    assert response.status_code == 422
    body = response.json()
    assert JAPANESE.search(body["detail"])
    assert body["errors"]["operator"] == ["委託の場合は運営法人を入力してください"]
    assert Organization.all_tenants.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


@pytest.mark.django_db
def test_a_missing_required_field_is_refused_with_422(ward: Ward) -> None:
    before = Organization.all_tenants.count()
    payload = organization_payload(ward)
    del payload["name"]

    response = post_json(as_staff(ward.member(Role.SYSADMIN)), "/api/v1/organizations", payload)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "入力内容に誤りがあります。"
    assert body["errors"]
    assert Organization.all_tenants.count() == before


@pytest.mark.django_db
def test_ids_of_another_municipality_are_refused_when_creating(
    ward: Ward, other_ward: Ward
) -> None:
    before = Organization.all_tenants.count()
    response = post_json(
        as_staff(ward.member(Role.SYSADMIN)),
        "/api/v1/organizations",
        organization_payload(
            ward,
            parent=other_ward.center.pk,
            district_ids=[other_ward.districts[0].pk],
        ),
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"parent", "districts"}
    assert Organization.all_tenants.count() == before


@pytest.mark.django_db
def test_a_duplicate_name_is_refused_with_422(ward: Ward) -> None:
    client = as_staff(ward.member(Role.SYSADMIN), raise_request_exception=False)
    response = post_json(
        client, "/api/v1/organizations", organization_payload(ward, name=ward.center.name)
    )
    assert response.status_code == 422
    assert JAPANESE.search(" ".join(response.json()["errors"]["name"]))


@pytest.mark.django_db
def test_a_bearer_token_reads(ward: Ward) -> None:
    admin = ward.member(Role.SYSADMIN)
    with tenancy.tenant_context(ward.municipality):
        _token, raw = api_token_create(actor=admin, name="連携テスト")
    response = Client(enforce_csrf_checks=True).get(
        "/api/v1/organizations", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["items"]} == ids_of(ward)


@pytest.mark.django_db
def test_a_bearer_token_writes_without_csrf(ward: Ward) -> None:
    admin = ward.member(Role.SYSADMIN)
    with tenancy.tenant_context(ward.municipality):
        _token, raw = api_token_create(actor=admin, name="連携テスト")
    client = Client(enforce_csrf_checks=True)

    response = post_json(
        client,
        "/api/v1/organizations",
        organization_payload(ward, name="トークンで登録"),
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    assert response.status_code == 201, response.content.decode()
    created = Organization.all_tenants.get(name="トークンで登録")
    assert created.municipality == ward.municipality
    assert created.created_by == admin
    event = AuditEvent.objects.get(object_type=ORGANIZATION_TYPE, object_id=str(created.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor == admin


@pytest.mark.django_db
def test_a_session_write_without_csrf_token_is_refused(ward: Ward) -> None:
    client = as_staff(ward.member(Role.SYSADMIN), enforce_csrf_checks=True)
    before = Organization.all_tenants.count()
    response = post_json(client, "/api/v1/organizations", organization_payload(ward))
    assert response.status_code == 403
    assert Organization.all_tenants.count() == before


@pytest.mark.django_db
def test_system_administrator_updates_an_organization(ward: Ward) -> None:
    admin = ward.member(Role.SYSADMIN)
    payload = organization_payload(
        ward,
        name=ward.center.name,
        kind=Organization.Kind.CENTER,
        operator="社会福祉法人テスト会",
        district_ids=[ward.districts[0].pk],
        phone="03-5555-0000",
        address="",
        sort_order=0,
    )

    response = put_json(as_staff(admin), f"/api/v1/organizations/{ward.center.pk}", payload)

    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "03-5555-0000"
    center = Organization.all_tenants.get(pk=ward.center.pk)
    assert center.phone == "03-5555-0000"
    assert center.updated_by == admin
    event = AuditEvent.objects.filter(object_type=ORGANIZATION_TYPE, object_id=str(center.pk)).get()
    assert event.action == AuditAction.CHANGE
    assert event.actor == admin
    assert event.detail == {"fields": ["phone"]}


@pytest.mark.django_db
def test_updating_another_municipality_s_organization_is_404(ward: Ward, other_ward: Ward) -> None:
    theirs = Organization.all_tenants.get(pk=other_ward.center.pk)
    response = put_json(
        as_staff(ward.member(Role.SYSADMIN)),
        f"/api/v1/organizations/{theirs.pk}",
        organization_payload(ward, name="乗っ取り"),
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}
    after = Organization.all_tenants.get(pk=theirs.pk)
    assert (after.name, after.operator, after.updated_at, after.updated_by_id) == (
        theirs.name,
        theirs.operator,
        theirs.updated_at,
        theirs.updated_by_id,
    )
    assert not AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type=ORGANIZATION_TYPE
    ).exists()


@pytest.mark.django_db
def test_counselor_may_not_update_organizations(ward: Ward) -> None:
    response = put_json(
        as_staff(ward.member(Role.COUNSELOR)),
        f"/api/v1/organizations/{ward.center.pk}",
        organization_payload(ward, name="書き換え"),
    )
    assert response.status_code == 403
    assert JAPANESE.search(response.json()["detail"])
    assert Organization.all_tenants.get(pk=ward.center.pk).name == ward.center.name


# --- Staff ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_system_administrator_lists_all_staff_of_the_municipality(
    ward: Ward, other_ward: Ward
) -> None:
    response = as_staff(ward.member(Role.SYSADMIN)).get("/api/v1/staff?limit=4")
    assert response.status_code == 200
    body = response.json()
    expected = set(
        Staff.all_tenants.filter(municipality=ward.municipality).values_list("pk", flat=True)
    )
    assert body["count"] == len(expected) == 7
    assert len(body["items"]) == 4
    rest = as_staff(ward.member(Role.SYSADMIN)).get("/api/v1/staff?limit=4&offset=4").json()
    listed = {s["id"] for s in body["items"]} | {s["id"] for s in rest["items"]}
    assert listed == expected
    counselor = next(
        s for s in body["items"] + rest["items"] if s["id"] == ward.member(Role.COUNSELOR).pk
    )
    assert counselor["memberships"] == [
        {
            "organization_id": ward.center.pk,
            "organization": ward.center.name,
            "role": "counselor",
            "role_label": "相談員",
        }
    ]


@pytest.mark.django_db
def test_organization_manager_lists_only_their_organization_s_staff(ward: Ward) -> None:
    response = as_staff(ward.member(Role.ORG_MANAGER)).get("/api/v1/staff")
    assert response.status_code == 200
    body = response.json()
    assert {s["id"] for s in body["items"]} == {
        ward.member(Role.COUNSELOR).pk,
        ward.member(Role.ORG_MANAGER).pk,
    }
    assert body["count"] == 2


@pytest.mark.django_db
def test_counselor_may_not_list_staff(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    response = as_staff(counselor).get("/api/v1/staff")
    assert response.status_code == 403
    assert response.json() == {"detail": "この操作を行う権限がありません。"}
    assert AuditEvent.objects.filter(
        action=AuditAction.DENY, actor=counselor, object_type="accounts.staff"
    ).exists()


@pytest.mark.django_db
def test_staff_detail_is_audited_with_its_basis(ward: Ward, other_ward: Ward) -> None:
    admin = ward.member(Role.SYSADMIN)
    target = ward.member(Role.COUNSELOR)
    client = as_staff(admin)

    response = client.get(f"/api/v1/staff/{target.pk}")

    assert response.status_code == 200
    assert response.json()["username"] == target.username
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(target.pk))
    assert event.object_type == "accounts.staff"
    assert event.actor == admin
    assert event.basis == "system_administrator"
    assert event.municipality == ward.municipality

    stranger = other_ward.member(Role.COUNSELOR)
    response = client.get(f"/api/v1/staff/{stranger.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(stranger.pk))


# --- Query counts -------------------------------------------------------------------------------


def _add_organizations(count: int, start: int, districts: list[District], sub: SubBusiness) -> None:
    for number in range(start, start + count):
        organization = Organization.objects.create(
            name=f"機関{number:03d}",
            kind=Organization.Kind.WINDOW,
            parent=None if number == 0 else Organization.objects.order_by("pk").first(),
        )
        organization.districts.set(districts)
        organization.sub_businesses.add(sub)


@pytest.mark.django_db
def test_organization_list_queries_do_not_grow_with_the_rows(
    django_assert_max_num_queries: Any,
) -> None:
    municipality = MunicipalityFactory(code="131016", name="件数区")
    with tenancy.tenant_context(municipality):
        districts = [District.objects.create(name=n) for n in ("東", "西")]
        business = Business.objects.create(number=1, name="包括的相談支援事業")
        sub = SubBusiness.objects.create(business=business, name="相談窓口")
        _add_organizations(3, 0, districts, sub)
        staff = StaffFactory(municipality=municipality, username="counter")
        add_member(staff, Organization.objects.order_by("pk").first(), Role.COUNSELOR)
    client = as_staff(staff)
    client.get("/api/v1/organizations")  # warm the session

    with django_assert_max_num_queries(50) as few:
        response = client.get("/api/v1/organizations")
    assert response.json()["count"] == 3

    with tenancy.tenant_context(municipality):
        _add_organizations(27, 3, districts, sub)

    with django_assert_max_num_queries(len(few)) as many:
        response = client.get("/api/v1/organizations")
    body = response.json()
    assert body["count"] == 30
    assert len(body["items"]) == 30
    assert all(len(item["district_ids"]) == 2 for item in body["items"])
    assert all(len(item["sub_business_ids"]) == 1 for item in body["items"])
    assert len(many) == len(few)
