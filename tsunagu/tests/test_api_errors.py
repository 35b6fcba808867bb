"""The API answers errors in Japanese JSON, whatever produced them."""

from __future__ import annotations

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.tests.factories import Ward


@pytest.mark.django_db
def test_a_wrong_method_is_answered_in_japanese(client: Client, ward: Ward) -> None:
    client.force_login(ward.member(Role.COUNSELOR))
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json() == {"detail": "このメソッドは使えません。"}
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_a_session_write_without_csrf_is_refused_in_japanese(ward: Ward) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ward.member(Role.SYSADMIN))
    response = client.post(
        "/api/v1/organizations",
        {"name": "新しい窓口", "kind": "window"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRFトークンがないか、無効です")


@pytest.mark.django_db
def test_anonymous_api_calls_are_answered_401_in_japanese(client: Client) -> None:
    response = client.get("/api/v1/organizations")
    assert response.status_code == 401
    assert "ログインが必要です" in response.json()["detail"]
