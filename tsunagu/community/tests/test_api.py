"""The 地域づくり API at /api/v1/community/: the same policy, audit and
messages as the pages — every non-guest reads, casework and the system
administrator write, 422 in Japanese on a refusal, 409 on an outdated
version, another municipality's ids 404, and an issue's source case answered
only to those the policy lets see it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.api.root import operations
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.community.models import (
    CommunityPlace,
    IssueSource,
    IssueStatus,
    PlaceFunction,
    ProjectStage,
    RegionalIssue,
    Succession,
)
from tsunagu.community.tests import builders as b
from tsunagu.core import tenancy
from tsunagu.resources.models import Resource
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.routes import undeclared_api_operations

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "見つかりません。"}
FORBIDDEN = {"detail": "この操作を行う権限がありません。"}
API = "/api/v1/community"


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


def test_every_operation_is_declared_and_authenticated() -> None:
    found = [op for op in operations() if op.view_func.__module__ == "tsunagu.community.api"]
    assert len(found) == 15
    assert undeclared_api_operations(found) == []


def test_places_are_listed_filtered_and_read_by_every_staff_member(
    ward: Ward, other_ward: Ward
) -> None:
    this_year = timezone.localdate().year
    old = b.place(ward, "北町みんなの茶の間", year_started=this_year - 15)
    b.place(ward, "南町サロン", district=ward.districts[1], year_started=this_year - 2)
    b.place(other_ward, "よその茶の間")
    client = b.as_staff(ward.member(Role.AUDITOR))
    body = client.get(f"{API}/places").json()
    assert [item["name"] for item in body["items"]] == ["北町みんなの茶の間", "南町サロン"]
    first = body["items"][0]
    assert first["function_labels"] == ["居場所", "交流"]
    assert first["years_running"] == 15 and first["needs_succession_support"] is True
    assert first["succession_label"] == "安定（担い手あり）"
    needing = client.get(f"{API}/places?needs_support=true").json()
    assert [item["name"] for item in needing["items"]] == ["北町みんなの茶の間"]
    south = client.get(f"{API}/places?district_id={ward.districts[1].pk}").json()
    assert [item["name"] for item in south["items"]] == ["南町サロン"]
    detail = client.get(f"{API}/places/{old.pk}")
    assert detail.status_code == 200 and detail.json()["operator"] == "町会有志の会"
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="community.communityplace", object_id=str(old.pk)
    ).exists()
    assert (
        AuditEvent.objects.filter(action=AuditAction.LIST, object_type="community.communityplace")
        .latest("id")
        .detail["via"]
        == "api"
    )
    guest = b.as_staff(ward.member(Role.GUEST))
    assert guest.get(f"{API}/places").status_code == 403


def test_a_place_is_registered_and_updated_with_the_version(ward: Ward) -> None:
    unmarked = b.resource(ward, "北町の縁側", community=False)
    client = b.as_staff(ward.member(Role.COUNSELOR))
    payload = {
        "resource_id": unmarked.pk,
        "operator": "北町会有志",
        "district_id": ward.districts[0].pk,
        "opening_frequency": "週2回",
        "functions": [PlaceFunction.IBASHO, PlaceFunction.FOOD],
        "year_started": 2014,
        "supporting_organization_id": ward.center.pk,
    }
    created = send(client, "post", f"{API}/places", payload)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["supporting_organization"] == ward.center.name and body["version"] == 1
    with tenancy.tenant_context(ward.municipality):
        assert Resource.objects.get(pk=unmarked.pk).is_community_place
    again = send(client, "post", f"{API}/places", payload)
    assert again.status_code == 422
    assert "resource_id" in again.json()["errors"]
    update = {k: v for k, v in payload.items() if k != "resource_id"}
    url = f"{API}/places/{body['id']}"
    changed = send(
        client, "put", url, {**update, "succession": Succession.DISCUSSING, "version": 1}
    )
    assert changed.status_code == 200 and changed.json()["succession_label"] == "継承を協議中"
    stale = send(client, "put", url, {**update, "operator": "上書き", "version": 1})
    assert stale.status_code == 409
    assert "表示した後に他の職員が更新しました" in stale.json()["detail"]
    bad = send(client, "put", url, {**update, "functions": [], "version": 2})
    assert bad.status_code == 422
    assert bad.json()["errors"]["functions"] == ["機能を選んでください。"]


def test_a_manager_reads_but_cannot_write_and_other_ids_are_not_found(
    ward: Ward, other_ward: Ward
) -> None:
    foreign = {
        "places": b.place(other_ward, "よその茶の間"),
        "projects": b.project(other_ward, "よそのプロジェクト"),
        "issues": b.issue(other_ward, "よその課題"),
    }
    manager = b.as_staff(ward.member(Role.MANAGER))
    assert manager.get(f"{API}/projects").status_code == 200
    refused = send(
        manager,
        "post",
        f"{API}/issues",
        {
            "title": "書き込み",
            "description": "管理職は書き込めない",
            "source": IssueSource.OTHER,
            "raised_on": timezone.localdate().isoformat(),
            "organization_id": ward.coordinating.pk,
        },
    )
    assert refused.status_code == 403 and refused.json() == FORBIDDEN
    assert not RegionalIssue.all_tenants.filter(title="書き込み").exists()
    counselor = b.as_staff(ward.member(Role.COUNSELOR))
    for kind, obj in foreign.items():
        response = counselor.get(f"{API}/{kind}/{obj.pk}")
        assert response.status_code == 404 and response.json() == NOT_FOUND
        assert counselor.get(f"{API}/{kind}").json()["count"] == 0
    project = foreign["projects"]
    for url, payload in (
        (f"{API}/projects/{project.pk}/notes", {"support": "乗っ取り"}),
        (
            f"{API}/projects/{project.pk}/transition",
            {"to_stage": ProjectStage.LAUNCH, "version": project.version},
        ),
        (
            f"{API}/issues/{foreign['issues'].pk}/advance",
            {"to_status": IssueStatus.POLICY, "note": "乗っ取り", "version": 1},
        ),
    ):
        assert send(counselor, "post", url, payload).status_code == 404
    # Nor can another municipality's resource, district or organization be used here.
    response = send(
        counselor,
        "post",
        f"{API}/places",
        {
            "resource_id": b.resource(other_ward, "よその資源").pk,
            "operator": "有志",
            "district_id": other_ward.districts[0].pk,
            "opening_frequency": "週1回",
            "functions": [PlaceFunction.IBASHO],
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"resource_id", "district_id"}
    assert not CommunityPlace.all_tenants.filter(municipality=ward.municipality).exists()


def test_a_project_moves_through_the_api_with_reasons_and_versions(ward: Ward) -> None:
    client = b.as_staff(ward.member(Role.COUNSELOR))
    created = send(
        client,
        "post",
        f"{API}/projects",
        {
            "title": "多世代食堂",
            "district_id": ward.districts[0].pk,
            "organization_id": ward.center.pk,
            "purpose": "子どもと高齢者が一緒に食べられる場がほしいという声から。",
            "support": "町会の役員会で話を聞いた",
        },
    )
    assert created.status_code == 201, created.json()
    project = created.json()
    assert project["stage"] == ProjectStage.IDEA
    assert [s["stage"] for s in project["next_stages"]] == [ProjectStage.LAUNCH, ProjectStage.ENDED]
    assert project["events"][0]["support"] == "町会の役員会で話を聞いた"
    url = f"{API}/projects/{project['id']}"
    skipped = send(
        client, "post", f"{url}/transition", {"to_stage": ProjectStage.RUNNING, "version": 1}
    )
    assert skipped.status_code == 422
    assert skipped.json()["detail"] == "「構想」から「運営」には進めません。"
    no_reason = send(
        client, "post", f"{url}/transition", {"to_stage": ProjectStage.ENDED, "version": 1}
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"]["reason"] == ["「終了」にするには理由が必要です。"]
    moved = send(
        client,
        "post",
        f"{url}/transition",
        {"to_stage": ProjectStage.LAUNCH, "version": 1, "support": "会場を一緒に探した"},
    )
    assert moved.status_code == 200 and moved.json()["stage_label"] == "立上げ"
    stale = send(
        client, "post", f"{url}/transition", {"to_stage": ProjectStage.RUNNING, "version": 1}
    )
    assert stale.status_code == 409
    noted = send(client, "post", f"{url}/notes", {"support": "助成金の申請書を一緒に作った"})
    assert noted.status_code == 201
    events = noted.json()["events"]
    assert [(e["from_stage"], e["to_stage"]) for e in events] == [
        ("", ""),
        (ProjectStage.IDEA, ProjectStage.LAUNCH),
        ("", ProjectStage.IDEA),
    ]
    empty = send(client, "post", f"{url}/notes", {"support": ""})
    assert empty.status_code == 422
    assert empty.json()["detail"] == "支援の内容を入力してください。"
    listed = client.get(f"{API}/projects?stage={ProjectStage.LAUNCH}").json()
    assert [item["title"] for item in listed["items"]] == ["多世代食堂"]


def test_an_issue_s_source_case_is_answered_only_with_a_basis(ward: Ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, ward.coordinating, rf.household(coordinator, ward.coordinating))
    payload = {
        "title": "介護離職した家族の相談先",
        "description": "介護を理由に仕事を辞めた家族が、相談先を知らなかった例が続いた。",
        "source": IssueSource.CASE,
        "raised_on": timezone.localdate().isoformat(),
        "organization_id": ward.coordinating.pk,
        "life_issues": ["care", "employment"],
        "source_case_id": case.pk,
        "note": "推進部会で共有した",
    }
    counselor = b.as_staff(ward.member(Role.COUNSELOR))
    refused = send(counselor, "post", f"{API}/issues", payload)
    assert refused.status_code == 422 and "source_case_id" in refused.json()["errors"]
    owner = b.as_staff(coordinator)
    created = send(owner, "post", f"{API}/issues", payload)
    assert created.status_code == 201, created.json()
    issue = created.json()
    assert issue["source_case"] == {"id": case.pk, "number": case.number}
    assert issue["life_issue_labels"] == ["介護", "就労"]
    assert issue["events"][0]["note"] == "推進部会で共有した"
    seen = counselor.get(f"{API}/issues/{issue['id']}").json()
    assert seen["source_case"] is None and seen["source_case_hidden"] is True
    assert str(case.pk) not in json.dumps(seen["source_case"])
    advanced = send(
        counselor,
        "post",
        f"{API}/issues/{issue['id']}/advance",
        {"to_status": IssueStatus.POLICY, "note": "区に提案した", "version": issue["version"]},
    )
    assert advanced.status_code == 200 and advanced.json()["status_label"] == "施策化の提案へ"
    stale = send(
        counselor,
        "post",
        f"{API}/issues/{issue['id']}/advance",
        {"to_status": IssueStatus.RESOLVED, "note": "解決", "version": issue["version"]},
    )
    assert stale.status_code == 409
    no_note = send(
        counselor,
        "post",
        f"{API}/issues/{issue['id']}/advance",
        {"to_status": IssueStatus.RESOLVED, "note": "", "version": issue["version"] + 1},
    )
    assert no_note.status_code == 422
    # The counselor edits the issue; the case they cannot see stays linked.
    update = {k: v for k, v in payload.items() if k not in ("note", "source_case_id")}
    kept = send(
        counselor,
        "put",
        f"{API}/issues/{issue['id']}",
        {**update, "title": "家族介護者の離職", "version": issue["version"] + 1},
    )
    assert kept.status_code == 200, kept.json()
    with tenancy.tenant_context(ward.municipality):
        saved = RegionalIssue.objects.get(pk=issue["id"])
    assert (saved.title, saved.source_case_id) == ("家族介護者の離職", case.pk)
    open_only = counselor.get(f"{API}/issues?open_only=true").json()
    assert [item["id"] for item in open_only["items"]] == [issue["id"]]
