"""The business report's layout through the API (issue 21, API parity):
installing the standard layout, adding a row to a table, changing a row and
taking it out, each through the page's service with its policy decision and
audit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.reports.layout import report_layout_install
from tsunagu.reports.models import ReportRow, ReportTable
from tsunagu.reports.tests.test_business import LAYOUT
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_api_residents import token_client

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/business"


@pytest.fixture
def layout_ward(ward: Ward) -> Ward:
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=ward.member(Role.COORDINATOR), layout=LAYOUT)
    return ward


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    call = getattr(client, method.lower())
    return call(f"{API}{url}", json.dumps(payload), content_type="application/json")


def _table(ward: Ward, heading: str) -> ReportTable:
    with tenancy.tenant_context(ward.municipality):
        return ReportTable.objects.get(heading=heading)


def _row(ward: Ward, label: str) -> ReportRow:
    with tenancy.tenant_context(ward.municipality):
        return ReportRow.objects.get(label=label)


def _row_events(action: str, pk: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=action, object_type="reports.reportrow", object_id=str(pk))
    )


def test_the_standard_layout_is_installed_once(ward: Ward) -> None:
    client = token_client(ward.member(Role.MANAGER))
    first = send(client, "POST", "/layout/install", {})
    assert first.status_code == 201, first.content
    assert first.json()["rows"] > 10
    again = send(client, "POST", "/layout/install", {})
    assert again.status_code == 409
    assert again.json() == {"detail": "事業報告の様式はすでに設定されています。"}
    with tenancy.tenant_context(ward.municipality):
        assert ReportRow.objects.count() == first.json()["rows"]


def test_a_row_is_added_changed_and_taken_out(layout_ward: Ward) -> None:
    ward = layout_ward
    client = token_client(ward.member(Role.COORDINATOR))
    table = _table(ward, "会議")
    created = send(
        client,
        "POST",
        f"/tables/{table.pk}/rows",
        {"label": "作業部会", "metric": "meetings_held", "option": "working_group"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["table_id"], body["label"], body["option"]) == (
        table.pk,
        "作業部会",
        "working_group",
    )
    [event] = _row_events(AuditAction.CREATE, body["id"])
    assert event.detail["after"]["option"] == "working_group"
    changed = send(
        client,
        "PUT",
        f"/rows/{body['id']}",
        {
            "label": "ひろば",
            "metric": "counted",
            "option": "親子ひろば利用者数",
            "organization_id": ward.center.pk,
            "cell_note": "*委託事業件数と合算",
        },
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["organization_id"] == ward.center.pk
    [event] = _row_events(AuditAction.CHANGE, body["id"])
    assert (event.detail["before"]["metric"], event.detail["after"]["metric"]) == (
        "meetings_held",
        "counted",
    )
    archived = send(client, "POST", f"/rows/{body['id']}/archive", {})
    assert archived.status_code == 200
    assert archived.json()["archive_reason"] == "様式の変更で削除"
    assert _row_events(AuditAction.ARCHIVE, body["id"])[0].detail == {"reason": "様式の変更で削除"}
    assert send(client, "POST", f"/rows/{body['id']}/archive", {}).status_code == 404


def test_a_row_s_rules_are_the_service_s(layout_ward: Ward, other_ward: Ward) -> None:
    """The page form's rules (a receiving organization for consultations, an item
    for counted entries, a 種類 from the list) hold for the API too."""
    ward = layout_ward
    client = token_client(ward.member(Role.SYSADMIN))
    url = f"/tables/{_table(ward, '会議').pk}/rows"
    consultations = send(client, "POST", url, {"label": "相談", "metric": "consultations"})
    assert consultations.status_code == 422
    assert consultations.json()["errors"]["organization_id"] == [
        "相談受付件数は受付機関を選んでください。"
    ]
    counted = send(client, "POST", url, {"label": "ひろば", "metric": "counted"})
    assert counted.json()["errors"]["option"] == [
        "件数入力の項目名を入れてください（例: 親子ひろば利用者数）。"
    ]
    unknown = send(client, "POST", url, {"metric": "meetings_held", "option": "party"})
    assert unknown.json()["errors"]["option"] == [
        "種類は会議の種類か、活動記録の区分・種類から選んでください。"
    ]
    elsewhere = send(
        client,
        "POST",
        url,
        {"metric": "consultations", "organization_id": other_ward.center.pk},
    )
    assert elsewhere.json()["errors"]["organization_id"] == ["指定された機関が見つかりません。"]
    row = _row(ward, "支援会議")
    refused = send(client, "PUT", f"/rows/{row.pk}", {"label": "支援会議", "metric": "counted"})
    assert refused.status_code == 422
    with tenancy.tenant_context(ward.municipality):
        row.refresh_from_db()
        assert row.metric == "meetings_held"
        assert not ReportRow.objects.filter(label__in=["相談", "ひろば"]).exists()


def _operations(ward: Ward) -> list[tuple[str, str, dict[str, Any]]]:
    table, row = _table(ward, "会議"), _row(ward, "支援会議")
    return [
        ("POST", f"/tables/{table.pk}/rows", {"label": "乗っ取り", "metric": "entered"}),
        ("PUT", f"/rows/{row.pk}", {"label": "乗っ取り", "metric": "entered"}),
        ("POST", f"/rows/{row.pk}/archive", {"reason": "乗っ取り"}),
    ]


def _untouched(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        assert not ReportRow.objects.filter(label="乗っ取り").exists()
        assert ReportRow.objects.get(label="支援会議").archived_at is None


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.GUEST])
def test_a_role_the_pages_refuse_is_refused(layout_ward: Ward, role: str) -> None:
    client = token_client(layout_ward.member(role))
    for method, url, payload in [("POST", "/layout/install", {}), *_operations(layout_ward)]:
        assert send(client, method, url, payload).status_code == 403, (method, url)
    _untouched(layout_ward)


def test_another_municipality_s_rows_are_not_found(layout_ward: Ward, other_ward: Ward) -> None:
    client = token_client(other_ward.member(Role.COORDINATOR))
    for method, url, payload in _operations(layout_ward):
        assert send(client, method, url, payload).status_code == 404, (method, url)
    _untouched(layout_ward)
