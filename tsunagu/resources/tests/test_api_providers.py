"""The API's writes on the resource directory that the pages make: archiving a
resource, registering, changing and archiving a provider — through the pages'
services and policy, audited alike, refused alike (Japanese 422s)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.resources.models import Provider, Resource
from tsunagu.resources.tests.test_pages import provider, resource
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_api_residents import token_client

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NOT_FOUND = {"detail": "見つかりません。"}


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


def events(ward: Ward, obj: Any, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            municipality=ward.municipality,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            action=action,
        ).order_by("id")
    )


def fresh(ward: Ward, model: Any, pk: int) -> Any:
    with tenancy.tenant_context(ward.municipality):
        return model.objects.get(pk=pk)


# --- Archiving a resource --------------------------------------------------------------


def test_a_resource_is_archived_with_its_reason(ward: Ward, other_ward: Ward) -> None:
    listed = resource(ward, "サロン北町")
    theirs = resource(other_ward, "よそのサロン")
    counselor = ward.member(Role.COUNSELOR)
    client = token_client(counselor)
    url = f"/api/v1/resources/{listed.pk}/archive"
    refused = send(token_client(ward.member(Role.MANAGER)), "post", url, {"reason": "活動終了"})
    assert refused.status_code == 403
    unseen = send(client, "post", f"/api/v1/resources/{theirs.pk}/archive", {"reason": "x"})
    assert (unseen.status_code, unseen.json()) == (404, NOT_FOUND)
    response = send(client, "post", url, {"reason": "   "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["アーカイブの理由を入力してください。"]}
    response = send(client, "post", url, {"reason": "x" * 201})
    assert response.status_code == 422
    assert JAPANESE.search(response.json()["errors"]["reason"][0])
    response = send(client, "post", url, {"reason": "活動終了"})
    assert response.status_code == 200, response.content
    assert response.json()["archived"] is True
    saved = fresh(ward, Resource, listed.pk)
    assert (saved.archive_reason, saved.updated_by, saved.version) == ("活動終了", counselor, 2)
    [event] = events(ward, listed, AuditAction.ARCHIVE)
    assert event.detail == {"reason": "活動終了"}
    # Archived already: as on the page, nothing changes.
    again = send(client, "post", url, {"reason": "重ねて"})
    assert again.status_code == 200
    assert fresh(ward, Resource, listed.pk).archive_reason == "活動終了"
    assert len(events(ward, listed, AuditAction.ARCHIVE)) == 1


# --- Providers -------------------------------------------------------------------------


def provider_payload(**fields: Any) -> dict[str, Any]:
    return {
        "name": "蓮華寺",
        "kind": "temple",
        "description": "本堂で月に一度の茶話会",
        "phone": "03-0000-0000",
        "website": "https://example.org/",
        "year_incorporated": 1950,
    } | fields


def test_a_provider_is_registered_and_changed_through_the_api(ward: Ward) -> None:
    sysadmin = ward.member(Role.SYSADMIN)
    client = token_client(ward.member(Role.COUNSELOR))
    response = send(client, "post", "/api/v1/providers", provider_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["kind_label"], body["resource_count"]) == ("蓮華寺", "寺社", 0)
    created = fresh(ward, Provider, body["id"])
    [event] = events(ward, created, AuditAction.CREATE)
    assert event.detail == {
        "fields": sorted(["name", "kind", "description", "phone", "website", "year_incorporated"])
    }
    response = send(
        token_client(sysadmin),
        "put",
        f"/api/v1/providers/{created.pk}",
        provider_payload(alternate_name="れんげでら", phone=""),
    )
    assert response.status_code == 200, response.content
    assert response.json()["alternate_name"] == "れんげでら"
    saved = fresh(ward, Provider, created.pk)
    assert (saved.phone, saved.updated_by) == ("", sysadmin)
    [change] = events(ward, created, AuditAction.CHANGE)
    assert change.detail == {"fields": ["alternate_name", "phone"]}


def test_a_provider_is_refused_with_japanese_field_errors(ward: Ward) -> None:
    client = token_client(ward.member(Role.COUNSELOR))
    response = send(
        client,
        "post",
        "/api/v1/providers",
        provider_payload(year_incorporated=1650, email="not-an-address"),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["year_incorporated"][0].startswith("設立年は1868年から")
    assert JAPANESE.search(errors["email"][0])
    response = send(client, "post", "/api/v1/providers", provider_payload(name=""))
    assert response.status_code == 422
    assert JAPANESE.search(response.json()["errors"]["name"][0])
    with tenancy.tenant_context(ward.municipality):
        assert not Provider.objects.exists()


def test_provider_writes_are_refused_to_roles_the_pages_refuse_and_other_municipalities(
    ward: Ward, other_ward: Ward
) -> None:
    ours = provider(ward)
    theirs = provider(other_ward)
    manager = token_client(ward.member(Role.MANAGER))
    assert send(manager, "post", "/api/v1/providers", provider_payload()).status_code == 403
    for method, path, body in (
        ("put", "", provider_payload()),
        ("post", "/archive", {"reason": "解散"}),
    ):
        assert send(manager, method, f"/api/v1/providers/{ours.pk}{path}", body).status_code == 403
        response = send(
            token_client(ward.member(Role.COUNSELOR)),
            method,
            f"/api/v1/providers/{theirs.pk}{path}",
            body,
        )
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert fresh(ward, Provider, ours.pk).name == "NPO法人みどりの森"


def test_a_provider_is_archived_once_nothing_it_hosts_is_listed(ward: Ward) -> None:
    host = provider(ward)
    listed = resource(ward, "サロン北町", host=host)
    client = token_client(ward.member(Role.COUNSELOR))
    url = f"/api/v1/providers/{host.pk}/archive"
    response = send(client, "post", url, {"reason": "解散"})
    assert response.status_code == 422
    assert "掲載中の社会資源があります" in response.json()["errors"]["reason"][0]
    assert send(client, "post", url, {"reason": ""}).json()["errors"] == {
        "reason": ["アーカイブの理由を入力してください。"]
    }
    archived = send(client, "post", f"/api/v1/resources/{listed.pk}/archive", {"reason": "終了"})
    assert archived.status_code == 200
    response = send(client, "post", url, {"reason": "解散"})
    assert response.status_code == 200, response.content
    assert (response.json()["archived"], response.json()["resource_count"]) == (True, 0)
    [event] = events(ward, host, AuditAction.ARCHIVE)
    assert event.detail == {"reason": "解散"}
