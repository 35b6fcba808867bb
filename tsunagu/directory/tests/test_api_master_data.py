"""The API's writes on master data that the directory's pages make (日常生活圏域,
区該当事業, 世帯の特徴, archiving a 支援関係機関): the pages' forms and tracked
services, the same policy (the system administrator keeps them), audited alike."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.consultations.models import CaseFeature
from tsunagu.core import tenancy
from tsunagu.directory.models import Business, District, Organization, SubBusiness
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_api_residents import token_client

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NOT_FOUND = {"detail": "見つかりません。"}


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


def events(ward: Ward, model: Any, pk: int, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            municipality=ward.municipality,
            object_type=model._meta.label_lower,
            object_id=str(pk),
            action=action,
        ).order_by("id")
    )


def fresh(ward: Ward, model: Any, pk: int) -> Any:
    with tenancy.tenant_context(ward.municipality):
        return model.objects.get(pk=pk)


def first(ward: Ward, model: Any) -> Any:
    with tenancy.tenant_context(ward.municipality):
        return model.objects.order_by("pk").first()


def sub_business_payload(ward: Ward, **fields: Any) -> dict[str, Any]:
    return {
        "business_id": first(ward, Business).pk,
        "name": "生活困窮者自立相談支援",
        "legal_basis": "法106条の4第2項第1号ニ",
        "capacity_count": 2,
        "capacity_unit": "か所",
        "department_ids": [ward.department.pk],
    } | fields


#: Per kind: the collection URL, the model, a valid payload, a change, an invalid one.
KINDS: dict[str, Any] = {
    "district": (
        "/api/v1/districts",
        District,
        lambda ward: {"name": "中央", "sort_order": 3},
        lambda ward: {"name": "中央東", "sort_order": 3},
        lambda ward: ({"name": "北"}, "name"),  # the name of an existing district
    ),
    "sub_business": (
        "/api/v1/sub-businesses",
        SubBusiness,
        sub_business_payload,
        lambda ward: sub_business_payload(ward, capacity_count=3),
        lambda ward: (sub_business_payload(ward, business_id=999999), "business_id"),
    ),
    "case_feature": (
        "/api/v1/case-features",
        CaseFeature,
        lambda ward: {"name": "ヤングケアラー", "sort_order": 1},
        lambda ward: {"name": "ヤングケアラー(疑い含む)", "sort_order": 1},
        lambda ward: ({"name": "8050"}, "name"),  # the name of an existing feature
    ),
}


@pytest.fixture
def features(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        CaseFeature.objects.create(name="8050")


@pytest.mark.parametrize("kind", list(KINDS))
def test_master_data_is_created_changed_and_archived_through_the_api(
    ward: Ward, features: None, kind: str
) -> None:
    url, model, valid, changed, _invalid = KINDS[kind]
    client = token_client(ward.member(Role.SYSADMIN))
    response = send(client, "post", url, valid(ward))
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    [created] = events(ward, model, pk, AuditAction.CREATE)
    assert "name" in created.detail["fields"]
    response = send(client, "put", f"{url}/{pk}", changed(ward))
    assert response.status_code == 200, response.content
    [change] = events(ward, model, pk, AuditAction.CHANGE)
    assert change.detail["fields"] in (["name"], ["capacity_count"])
    response = send(client, "post", f"{url}/{pk}/archive", {"reason": " "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["アーカイブの理由を入力してください。"]}
    response = send(client, "post", f"{url}/{pk}/archive", {"reason": "組織改正により廃止"})
    assert response.status_code == 200, response.content
    assert response.json()["archived"] is True
    assert fresh(ward, model, pk).archive_reason == "組織改正により廃止"
    [archived] = events(ward, model, pk, AuditAction.ARCHIVE)
    assert archived.detail == {"reason": "組織改正により廃止"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_master_data_is_refused_with_japanese_field_errors(
    ward: Ward, features: None, kind: str
) -> None:
    url, _model, _valid, _changed, invalid = KINDS[kind]
    payload, field = invalid(ward)
    response = send(token_client(ward.member(Role.SYSADMIN)), "post", url, payload)
    assert response.status_code == 422, response.content
    assert JAPANESE.search(response.json()["errors"][field][0])
    response = send(token_client(ward.member(Role.SYSADMIN)), "post", url, {"name": "x" * 100})
    assert response.status_code == 422
    assert JAPANESE.search(json.dumps(response.json()["errors"], ensure_ascii=False))


@pytest.mark.parametrize("kind", list(KINDS))
def test_master_data_writes_are_refused_to_roles_the_pages_refuse_and_other_municipalities(
    ward: Ward, other_ward: Ward, features: None, kind: str
) -> None:
    url, model, valid, changed, _invalid = KINDS[kind]
    counselor = token_client(ward.member(Role.COUNSELOR))
    assert send(counselor, "post", url, valid(ward)).status_code == 403
    ours = first(ward, model)
    with tenancy.tenant_context(other_ward.municipality):
        if model is CaseFeature:
            CaseFeature.objects.create(name="よその特徴")
    theirs = first(other_ward, model)
    sysadmin = token_client(ward.member(Role.SYSADMIN))
    for method, path, body in (
        ("put", "", changed(ward)),
        ("post", "/archive", {"reason": "廃止"}),
    ):
        assert send(counselor, method, f"{url}/{ours.pk}{path}", body).status_code == 403
        response = send(sysadmin, method, f"{url}/{theirs.pk}{path}", body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert fresh(ward, model, ours.pk).archived_at is None


def test_case_features_are_listed_with_the_defaults(ward: Ward) -> None:
    response = token_client(ward.member(Role.COUNSELOR)).get("/api/v1/case-features")
    assert response.status_code == 200
    names = [feature["name"] for feature in response.json()["items"]]
    assert "精神疾患(疑い含む)" in names
    assert token_client(ward.member(Role.GUEST)).get("/api/v1/case-features").status_code == 403


def test_an_organization_is_archived_by_the_system_administrator(
    ward: Ward, other_ward: Ward
) -> None:
    url = f"/api/v1/organizations/{ward.department.pk}/archive"
    refused = send(token_client(ward.member(Role.ORG_MANAGER)), "post", url, {"reason": "統合"})
    assert refused.status_code == 403
    sysadmin = token_client(ward.member(Role.SYSADMIN))
    unseen = send(
        sysadmin,
        "post",
        f"/api/v1/organizations/{other_ward.department.pk}/archive",
        {"reason": "x"},
    )
    assert (unseen.status_code, unseen.json()) == (404, NOT_FOUND)
    response = send(sysadmin, "post", url, {"reason": ""})
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["アーカイブの理由を入力してください。"]}
    response = send(sysadmin, "post", url, {"reason": "組織改正により統合"})
    assert response.status_code == 200, response.content
    assert response.json()["archived"] is True
    assert fresh(ward, Organization, ward.department.pk).archive_reason == "組織改正により統合"
    [event] = events(ward, Organization, ward.department.pk, AuditAction.ARCHIVE)
    assert event.detail == {"reason": "組織改正により統合"}
