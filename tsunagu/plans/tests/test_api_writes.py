"""Support plans written through the API, as on the plan pages: a version made
under consent (per-member wishes, issues, goals; support items), confirmed,
monitored (継続, 再プラン into version 2, 終結 then 経過観察) — the same
services, policy decisions and audit events, stale versions answered 409
without changing anything."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.cases.models import Case, Consent, ConsentMethod, Stage
from tsunagu.cases.services import consent_record
from tsunagu.core import tenancy
from tsunagu.plans.models import Monitoring, PlanGoal, Status, SupportPlan
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_api_residents import JAPANESE, NOT_FOUND, token_client

pytestmark = pytest.mark.django_db

SOON = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()


def post_json(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json")


class Family:
    """A household of three (A the head, B the child, C the parent) with a
    consented case at 福祉政策課; the consent names 地域包括支援センター北."""

    def __init__(self, ward: Ward, head_consents_alone: bool = False) -> None:
        self.ward = ward
        self.coordinator = ward.member(Role.COORDINATOR)
        staff, where = self.coordinator, ward.coordinating
        self.a = rf.person(staff, where, family_name="試験", given_name="一郎")
        self.b = rf.person(staff, where, family_name="試験", given_name="次郎")
        self.c = rf.person(staff, where, family_name="試験", given_name="ハナ")
        self.household = rf.household(
            staff, where, head=self.a, members=[(self.b, "child"), (self.c, "parent")]
        )
        self.case = cf.case(staff, where, self.household)
        if head_consents_alone:
            with tenancy.tenant_context(ward.municipality):
                consent_record(
                    actor=staff,
                    case=self.case,
                    consent=Consent(
                        grantor=self.a, method=ConsentMethod.WRITTEN, obtained_by_organization=where
                    ),
                    members=[self.a],
                    organizations=[ward.center],
                )
        else:
            cf.consent(staff, self.case, organizations=[ward.center])
        cf.to_stage(staff, self.case, Stage.ASSESSMENT)
        cf.to_stage(staff, self.case, Stage.CONSENTED)
        self.client = token_client(self.coordinator)

    def payload(self, **overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "case_id": self.case.pk,
            "next_monitoring_on": SOON,
            "overall_goal": "家族が安心して暮らせる",
            "uses_outreach": True,
            "members": [
                {"person_id": self.a.pk, "wishes": "仕事に戻りたい", "goals": ["週1回外出する"]},
                {"person_id": self.c.pk, "issues": "物忘れ", "goals": ["介護保険を申請する", " "]},
            ],
            "items": [
                {
                    "organization_id": self.ward.center.pk,
                    "content": "月1回の訪問",
                    "kind": "outreach",
                    "person_id": self.c.pk,
                    "frequency": "月1回",
                }
            ],
        }
        values.update(overrides)
        return values

    def create(self, **overrides: Any) -> dict[str, Any]:
        response = post_json(self.client, "/api/v1/plans", self.payload(**overrides))
        assert response.status_code == 201, response.json()
        return response.json()

    def activate(self, plan: dict[str, Any]) -> dict[str, Any]:
        response = post_json(
            self.client, f"/api/v1/plans/{plan['id']}/activate", {"version": plan["version"]}
        )
        assert response.status_code == 200, response.json()
        return response.json()

    def monitoring(self, plan: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        goals = [goal["id"] for member in plan["members"] for goal in member["goals"]]
        values: dict[str, Any] = {
            "version": plan["version"],
            "held_on": timezone.localdate().isoformat(),
            "summary": "外出は増えたが、介護保険の申請が進まない",
            "decision": "continue",
            "next_monitoring_on": SOON,
            "progress": [{"goal_id": goal, "progress": "improving"} for goal in goals],
        }
        values.update(overrides)
        return values

    def stage(self) -> str:
        with tenancy.tenant_context(self.ward.municipality):
            return Case.objects.get(pk=self.case.pk).stage

    def events(self, action: str, object_type: str, pk: int) -> list[AuditEvent]:
        return list(
            AuditEvent.objects.filter(action=action, object_type=object_type, object_id=str(pk))
        )


@pytest.fixture
def family(ward: Ward) -> Family:
    return Family(ward)


def test_a_plan_is_made_confirmed_monitored_and_replanned_into_version_2(family: Family) -> None:
    first = family.create()
    assert (first["version_number"], first["status"], first["previous_id"]) == (1, "draft", None)
    assert (first["basis"], first["uses_outreach"]) == ("coordinator", True)
    members = {member["person_id"]: member for member in first["members"]}
    assert [goal["text"] for goal in members[family.c.pk]["goals"]] == ["介護保険を申請する"]
    assert members[family.a.pk]["wishes"] == "仕事に戻りたい"
    (item,) = first["items"]
    assert (item["person_id"], item["kind"], item["organization"]) == (
        family.c.pk,
        "outreach",
        "地域包括支援センター北",
    )
    (created,) = family.events(AuditAction.CREATE, "plans.supportplan", first["id"])
    assert created.actor == family.coordinator
    assert created.detail == {"case": family.case.pk, "version": 1}
    assert family.stage() == Stage.PLANNING

    active = family.activate(first)
    assert (active["status"], active["activated_at"] is not None) == ("active", True)
    assert family.stage() == Stage.SUPPORTING
    (activated,) = family.events(AuditAction.CHANGE, "plans.supportplan", first["id"])
    assert activated.detail == {"activated": True}

    response = post_json(
        family.client,
        f"/api/v1/plans/{first['id']}/monitorings",
        family.monitoring(active, decision="replan", next_monitoring_on=None),
    )
    assert response.status_code == 201, response.json()
    monitored = response.json()
    assert (monitored["decision"], monitored["decision_label"]) == ("replan", "再プラン")
    assert (monitored["case_stage"], monitored["case_stage_label"]) == ("planning", "プラン作成")
    assert monitored["plan_version"] == active["version"] + 1
    assert {p["progress"] for p in monitored["progress"]} == {"improving"}
    (recorded,) = family.events(AuditAction.CREATE, "plans.monitoring", monitored["id"])
    assert recorded.detail == {"plan": first["id"], "decision": "replan"}

    # The next version needs what changed from the one in force.
    response = post_json(family.client, "/api/v1/plans", family.payload())
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "changes": ["再プランでは、前の版からの変更点を入力してください。"]
    }
    second = family.create(changes="介護保険の申請に同行する支援を加えた")
    assert (second["version_number"], second["previous_id"]) == (2, first["id"])
    assert second["changes"] == "介護保険の申請に同行する支援を加えた"
    second = family.activate(second)
    assert second["status"] == "active"
    with tenancy.tenant_context(family.ward.municipality):
        assert SupportPlan.objects.get(pk=first["id"]).status == Status.SUPERSEDED
    assert family.stage() == Stage.SUPPORTING
    listed = family.client.get(f"/api/v1/cases/{family.case.pk}/plans").json()
    assert [(p["version_number"], p["status"]) for p in listed["items"]] == [
        (2, "active"),
        (1, "superseded"),
    ]


def test_a_monitoring_continues_or_closes_the_case_then_follow_up(family: Family) -> None:
    plan = family.activate(family.create())
    url = f"/api/v1/plans/{plan['id']}/monitorings"
    kept = post_json(family.client, url, family.monitoring(plan))
    assert kept.status_code == 201, kept.json()
    assert kept.json()["case_stage"] == "supporting"
    body = family.client.get(f"/api/v1/plans/{plan['id']}").json()
    assert body["next_monitoring_on"] == SOON
    closing = family.monitoring(
        body,
        decision="close",
        next_monitoring_on=None,
        closure_reason="goals_met",
        evaluation="外出が定着し、介護保険のサービスにつながった",
    )
    closed = post_json(family.client, url, closing)
    assert closed.status_code == 201, closed.json()
    assert closed.json()["case_stage"] == "closed"
    case = family.client.get(f"/api/v1/cases/{family.case.pk}").json()
    assert (case["closure_reason"], case["stage"]) == ("goals_met", "closed")
    follow_up = post_json(
        family.client,
        f"/api/v1/cases/{family.case.pk}/transition",
        {"to_stage": "follow_up", "version": case["version"], "follow_up_until": SOON},
    )
    assert follow_up.status_code == 200, follow_up.json()
    assert follow_up.json()["stage"] == "follow_up"


def test_stale_versions_are_a_409_that_changes_nothing(family: Family) -> None:
    draft = family.create()
    # A second plan while the draft waits for confirmation (as on the page: 409).
    response = post_json(family.client, "/api/v1/plans", family.payload())
    assert response.status_code == 409
    assert "作成中の支援プラン（第1版）" in response.json()["detail"]
    with tenancy.tenant_context(family.ward.municipality):
        assert SupportPlan.objects.filter(case=family.case).count() == 1

    stale = post_json(
        family.client, f"/api/v1/plans/{draft['id']}/activate", {"version": draft["version"] - 1}
    )
    assert stale.status_code == 409
    assert JAPANESE.search(stale.json()["detail"])
    assert family.client.get(f"/api/v1/plans/{draft['id']}").json()["status"] == "draft"
    assert family.stage() == Stage.PLANNING

    plan = family.activate(draft)
    first = post_json(
        family.client, f"/api/v1/plans/{plan['id']}/monitorings", family.monitoring(plan)
    )
    assert first.status_code == 201
    # A review made on the plan as it was before the first one: refused, nothing recorded.
    again = post_json(
        family.client,
        f"/api/v1/plans/{plan['id']}/monitorings",
        family.monitoring(plan, decision="replan"),
    )
    assert again.status_code == 409
    assert JAPANESE.search(again.json()["detail"])
    with tenancy.tenant_context(family.ward.municipality):
        assert Monitoring.objects.filter(plan_id=plan["id"]).count() == 1
        assert SupportPlan.objects.get(pk=plan["id"]).version == first.json()["plan_version"]
    assert family.stage() == Stage.SUPPORTING
    assert len(family.events(AuditAction.CREATE, "plans.monitoring", first.json()["id"])) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"next_monitoring_on": None}, "next_monitoring_on", "日付を"),
        ({"members": []}, "__all__", "世帯員を一人以上"),
        (
            {"members": [{"person_id": 0, "goals": ["外出する"]}]},
            "members.0.person_id",
            "この世帯の世帯員",
        ),
        (
            {"members": [{"person_id": -1, "goals": ["外"]}, {"person_id": -1, "goals": []}]},
            "members.1.person_id",
            "この世帯の世帯員",
        ),
        (
            {"members": [{"person_id": "A", "goals": ["あ" * 301]}]},
            "members.0.goals",
            "300文字以内",
        ),
        ({"members": [{"person_id": "A", "goals": [" "]}]}, "__all__", "目標を一つ以上"),
        (
            {"items": [{"organization_id": 0, "content": "訪問", "kind": "outreach"}]},
            "items.0.organization_id",
            "担当機関が見つかりません",
        ),
        (
            {"items": [{"organization_id": "center", "content": " ", "kind": "outreach"}]},
            "items.0.content",
            "支援内容を入力",
        ),
        (
            {
                "items": [
                    {
                        "organization_id": "center",
                        "content": "訪問",
                        "kind": "outreach",
                        "starts_on": "2026-04-01",
                        "ends_on": "2026-03-01",
                    }
                ]
            },
            "items.0.ends_on",
            "終了日は開始日より後",
        ),
        ({"starts_on": "2026-04-01", "ends_on": "2026-03-01"}, "ends_on", "終了日は開始日より後"),
        ({"uses_outreach": "maybe"}, "uses_outreach", "true か false"),
    ],
)
def test_a_refused_plan_is_a_422_in_japanese_that_writes_nothing(
    family: Family, overrides: dict[str, Any], field: str, message: str
) -> None:
    # "A" and "center" stand for ids the test knows only now.
    raw = json.dumps(overrides).replace('"A"', str(family.a.pk))
    raw = raw.replace('"center"', str(family.ward.center.pk))
    response = post_json(family.client, "/api/v1/plans", family.payload(**json.loads(raw)))
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert message in errors[field][0], errors
    with tenancy.tenant_context(family.ward.municipality):
        assert not SupportPlan.objects.filter(case=family.case).exists()
    assert not AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="plans.supportplan"
    ).exists()


def test_a_member_or_item_target_outside_the_consent_is_refused(ward: Ward) -> None:
    # A consent of A alone: B and C may not be put in the plan, nor be an item's target.
    family = Family(ward, head_consents_alone=True)
    response = post_json(
        family.client,
        "/api/v1/plans",
        family.payload(members=[{"person_id": family.b.pk, "goals": ["通院する"]}], items=[]),
    )
    assert response.status_code == 422
    assert "本人同意の対象に含まれていない" in response.json()["errors"]["__all__"][0]
    response = post_json(
        family.client,
        "/api/v1/plans",
        family.payload(members=[{"person_id": family.a.pk, "goals": ["外出する"]}]),
    )
    assert response.status_code == 422
    assert "本人同意の対象" in response.json()["errors"]["items.0.person_id"][0]


def test_a_refused_monitoring_or_activation_is_a_422_in_japanese(family: Family) -> None:
    draft = family.create(next_monitoring_on=SOON)
    # A draft is not monitored.
    response = post_json(
        family.client, f"/api/v1/plans/{draft['id']}/monitorings", family.monitoring(draft)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"__all__": ["モニタリングできるのは実施中のプランです。"]}
    plan = family.activate(draft)
    # Only a draft is confirmed.
    response = post_json(
        family.client, f"/api/v1/plans/{plan['id']}/activate", {"version": plan["version"]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"__all__": ["作成中のプランだけを確定できます。"]}
    url = f"/api/v1/plans/{plan['id']}/monitorings"
    goals = [goal["id"] for member in plan["members"] for goal in member["goals"]]
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        (
            {"next_monitoring_on": None},
            {"next_monitoring_on": ["継続の場合は次回モニタリング予定日を入力してください。"]},
        ),
        (
            {"decision": "close", "next_monitoring_on": None},
            {
                "closure_reason": ["終結理由を選んでください。"],
                "evaluation": ["評価（支援の振り返り）を入力してください。"],
            },
        ),
        (
            {"progress": [{"goal_id": goals[0], "progress": "achieved"}]},
            {"__all__": ["すべての目標について進捗を選んでください。"]},
        ),
        (
            {"progress": [{"goal_id": goals[0], "progress": "achieved"}] * 2},
            {"progress.1.goal_id": ["このプランの目標を、1つにつき一度だけ指定してください。"]},
        ),
        ({"summary": " "}, {"summary": ["全体の状況を入力してください。"]}),
    ]
    for overrides, errors in cases:
        response = post_json(family.client, url, family.monitoring(plan, **overrides))
        assert response.status_code == 422, overrides
        assert response.json()["errors"] == errors
    unknown = post_json(family.client, url, family.monitoring(plan, decision="later"))
    assert unknown.status_code == 422
    assert "選べる値のいずれか" in unknown.json()["errors"]["decision"][0]
    with tenancy.tenant_context(family.ward.municipality):
        assert not Monitoring.objects.exists()
        assert PlanGoal.objects.filter(member__plan_id=plan["id"]).count() == 2
    assert family.stage() == Stage.SUPPORTING


def _refused_everywhere(family: Family, staff: Staff) -> list[Any]:
    client = token_client(staff)
    plan = family.client.get(f"/api/v1/plans/{family.create()['id']}").json()
    return [
        post_json(client, "/api/v1/plans", family.payload()),
        post_json(client, f"/api/v1/plans/{plan['id']}/activate", {"version": plan["version"]}),
        post_json(client, f"/api/v1/plans/{plan['id']}/monitorings", family.monitoring(plan)),
    ]


def test_staff_without_a_basis_to_change_get_404_and_change_nothing(family: Family) -> None:
    south = rf.staff_at(family.ward, family.ward.other_center, Role.COUNSELOR, "south")
    # 地域包括支援センター北 sees the plan under the consent, but only the
    # coordinating section holding the case makes and changes it.
    north = family.ward.member(Role.COUNSELOR)
    for staff in (south, north):
        with tenancy.tenant_context(family.ward.municipality):
            SupportPlan.objects.filter(case=family.case).delete()
        for response in _refused_everywhere(family, staff):
            assert (response.status_code, response.json()) == (404, NOT_FOUND)
        assert AuditEvent.objects.filter(action=AuditAction.DENY, actor=staff).count() == 3
        with tenancy.tenant_context(family.ward.municipality):
            (plan,) = SupportPlan.objects.filter(case=family.case)
            assert (plan.status, plan.version) == (Status.DRAFT, 1)


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.AUDITOR, Role.MANAGER, Role.GUEST])
def test_roles_outside_casework_are_refused_403(family: Family, role: Role) -> None:
    for response in _refused_everywhere(family, family.ward.member(role)):
        assert response.status_code == 403
        assert response.json() == {"detail": "この操作を行う権限がありません。"}
    with tenancy.tenant_context(family.ward.municipality):
        (plan,) = SupportPlan.objects.filter(case=family.case)
        assert plan.status == Status.DRAFT


def test_the_writes_are_described_in_japanese_with_every_answer(ward: Ward) -> None:
    client = Client()
    client.force_login(ward.member(Role.COORDINATOR))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, created in [
        ("/api/v1/plans", "201"),
        ("/api/v1/plans/{plan_id}/activate", "200"),
        ("/api/v1/plans/{plan_id}/monitorings", "201"),
    ]:
        operation = paths[path]["post"]
        assert JAPANESE.search(operation["summary"]) and JAPANESE.search(operation["description"])
        assert {created, "409", "422", "400", "401", "403", "404", "429"} <= set(
            operation["responses"]
        )


def test_the_service_refuses_a_reversed_period_and_a_member_twice(family: Family) -> None:
    """The rules of a plan's parts are plan_create's, whoever calls it."""
    import datetime

    from tsunagu.plans import services
    from tsunagu.plans.models import SupportPlan

    today = timezone.localdate()
    calls = [
        (
            SupportPlan(starts_on=today, ends_on=today - datetime.timedelta(days=1)),
            [services.MemberPart(person=family.a, goals=["週1回外出する"])],
            [],
        ),
        (
            SupportPlan(starts_on=today),
            [services.MemberPart(person=family.a, goals=["週1回外出する"])],
            [
                services.ItemPart(
                    organization=family.ward.center,
                    content="月1回の訪問",
                    kind="outreach",
                    starts_on=today,
                    ends_on=today - datetime.timedelta(days=1),
                )
            ],
        ),
        (
            SupportPlan(starts_on=today),
            [
                services.MemberPart(person=family.a, goals=["週1回外出する"]),
                services.MemberPart(person=family.a, goals=["通院する"]),
            ],
            [],
        ),
    ]
    with tenancy.tenant_context(family.ward.municipality):
        for plan, members, items in calls:
            with pytest.raises(DjangoValidationError) as refused:
                services.plan_create(
                    actor=family.coordinator,
                    case=family.case,
                    plan=plan,
                    members=members,
                    items=items,
                )
            assert "終了日は開始日より後" in str(refused.value) or "二度" in str(refused.value)
        assert not SupportPlan.objects.exists()
