"""The 多機関協働 API at /api/v1/: cases, consents, meetings and plans under the
same policy and audit as the pages — each object with its basis, nothing
shown to an organization without one (404, audited), a withdrawal stopping
access at once, a 重層的支援会議 refused without consent, the optimistic
lock answered 409, and every operation declared and described."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.api.root import operations
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.cases.models import Case, CaseEvent, Consent, Stage
from tsunagu.meetings.models import AgendaItem, Attendee, Kind, Meeting
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.people.models import Household, HouseholdMembership
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.routes import undeclared_api_operations

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NOT_FOUND = {"detail": "見つかりません。"}
NO_CONSENT = "本人の同意がなければ開催できません"


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def post_json(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def views_of(object_type: str, pk: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, object_type=object_type, object_id=str(pk)
        )
    )


@dataclass
class World:
    """A case held by 福祉政策課 (the coordinating section); 地域包括支援センター北
    (``counselor``) and 南 (``south``) with no basis to it yet; a case of another ward."""

    ward: Ward
    coordinator: Staff
    counselor: Staff
    south: Staff
    household: Household
    case: Case
    stranger: Staff
    foreign_case: Case


@pytest.fixture
def world(ward: Ward, other_ward: Ward) -> World:
    coordinator = ward.member(Role.COORDINATOR)
    household = rf.household(coordinator, ward.coordinating)
    case = cf.case(coordinator, ward.coordinating, household)
    stranger = other_ward.member(Role.COORDINATOR)
    foreign_household = rf.household(stranger, other_ward.coordinating)
    foreign_case = cf.case(stranger, other_ward.coordinating, foreign_household)
    return World(
        ward=ward,
        coordinator=coordinator,
        counselor=ward.member(Role.COUNSELOR),
        south=rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor"),
        household=household,
        case=case,
        stranger=stranger,
        foreign_case=foreign_case,
    )


def consent_payload(world: World, **overrides: Any) -> dict[str, Any]:
    head = HouseholdMembership.all_tenants.get(household=world.household)
    payload: dict[str, Any] = {
        "grantor_kind": "person",
        "grantor_id": head.person_id,
        "member_ids": [head.person_id],
        "organization_ids": [world.ward.center.pk],
        "covers_case_team": False,
        "purposes": ["information_sharing", "plan_meeting", "plan_making"],
        "method": "written",
        "note": "面談で書面により同意を得た",
    }
    payload.update(overrides)
    return payload


# --- Declared, authenticated, described ----------------------------------------------

CASE_OPERATIONS = {
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{case_id}": {"get", "put"},
    "/api/v1/cases/{case_id}/team": {"post"},
    "/api/v1/cases/{case_id}/team/{member_id}/leave": {"post"},
    "/api/v1/cases/{case_id}/transition": {"post"},
    "/api/v1/cases/{case_id}/consents": {"get", "post"},
    "/api/v1/consents/{consent_id}/withdraw": {"post"},
    "/api/v1/meetings": {"get", "post"},
    "/api/v1/meetings/{meeting_id}": {"get"},
    "/api/v1/meetings/{meeting_id}/agenda": {"post"},
    "/api/v1/meetings/{meeting_id}/hold": {"post"},
    "/api/v1/meetings/{meeting_id}/attendees/{attendee_id}/pledge": {"post"},
    "/api/v1/meetings/{meeting_id}/attendees": {"post"},
    "/api/v1/meetings/{meeting_id}/guests": {"post"},
    "/api/v1/meetings/{meeting_id}/cancel": {"post"},
    "/api/v1/meetings/{meeting_id}/minutes": {"put"},
    "/api/v1/meetings/{meeting_id}/questionnaire": {"post"},
    "/api/v1/meetings/agenda/{agenda_item_id}/brief": {"put"},
    "/api/v1/meetings/agenda/{agenda_item_id}/decisions": {"post"},
    "/api/v1/meetings/tasks/{action_item_id}/done": {"post"},
    "/api/v1/cases/{case_id}/plans": {"get"},
    "/api/v1/plans/{plan_id}": {"get"},
}


def test_every_operation_is_declared_to_the_policy_and_authenticated() -> None:
    found = operations()
    names = {operation.view_func.__name__ for operation in found}
    assert {
        "case_list",
        "case_detail",
        "case_create",
        "case_transition",
        "consent_list",
        "consent_create",
        "consent_withdraw",
        "meeting_list",
        "meeting_detail",
        "meeting_create",
        "agenda_item_create",
        "meeting_hold",
        "attendee_pledge",
        "plan_list",
        "plan_detail",
    } <= names
    assert undeclared_api_operations(found) == []


def test_openapi_document_describes_the_operations_in_japanese(ward: Ward) -> None:
    response = as_staff(ward.member(Role.COORDINATOR)).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in CASE_OPERATIONS.items():
        assert set(paths[path]) == methods, path
        for operation in paths[path].values():
            assert JAPANESE.search(operation["summary"]), operation


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/cases"),
        ("get", "/api/v1/cases/1"),
        ("post", "/api/v1/cases"),
        ("post", "/api/v1/cases/1/transition"),
        ("get", "/api/v1/cases/1/consents"),
        ("post", "/api/v1/cases/1/consents"),
        ("post", "/api/v1/consents/1/withdraw"),
        ("get", "/api/v1/meetings"),
        ("get", "/api/v1/meetings/1"),
        ("post", "/api/v1/meetings"),
        ("post", "/api/v1/meetings/1/agenda"),
        ("post", "/api/v1/meetings/1/hold"),
        ("post", "/api/v1/meetings/1/attendees/1/pledge"),
        ("put", "/api/v1/cases/1"),
        ("post", "/api/v1/cases/1/team"),
        ("post", "/api/v1/cases/1/team/1/leave"),
        ("post", "/api/v1/meetings/1/attendees"),
        ("post", "/api/v1/meetings/1/guests"),
        ("post", "/api/v1/meetings/1/cancel"),
        ("put", "/api/v1/meetings/1/minutes"),
        ("post", "/api/v1/meetings/1/questionnaire"),
        ("put", "/api/v1/meetings/agenda/1/brief"),
        ("post", "/api/v1/meetings/agenda/1/decisions"),
        ("post", "/api/v1/meetings/tasks/1/done"),
        ("get", "/api/v1/cases/1/plans"),
        ("get", "/api/v1/plans/1"),
    ],
)
def test_without_authentication_the_answer_is_a_japanese_401(method: str, url: str) -> None:
    client = Client()
    if method == "get":
        response = client.get(url)
    elif method == "put":
        response = client.put(url, "{}", content_type="application/json")
    else:
        response = post_json(client, url)
    assert response.status_code == 401
    assert "ログインが必要です" in response.json()["detail"]


# --- Cases ---------------------------------------------------------------------------


def test_case_list_and_detail_carry_the_basis_and_are_audited(world: World) -> None:
    client = as_staff(world.coordinator)
    body = client.get("/api/v1/cases").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == world.case.pk
    assert item["number"] == f"C{world.case.pk:07d}"
    assert (item["stage"], item["stage_label"]) == ("intake", "受付")
    assert item["household_id"] == world.household.pk
    assert item["household_label"] == "鈴木　花子"
    assert item["organization"] == "福祉政策課"
    assert (item["basis"], item["basis_label"]) == ("coordinator", "多機関協働事務局")
    assert item["days_in_stage"] == 0
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, actor=world.coordinator).latest(
        "id"
    )
    assert (listed.object_type, listed.detail) == ("cases.case", {"via": "api"})

    assert client.get("/api/v1/cases", {"stage": "assessment"}).json()["count"] == 0
    assert client.get("/api/v1/cases", {"stage": "intake"}).json()["count"] == 1

    detail = client.get(f"/api/v1/cases/{world.case.pk}").json()
    assert detail["basis"] == "coordinator"
    assert [member["organization"] for member in detail["team"]] == ["福祉政策課"]
    assert [(e["kind"], e["to_stage"]) for e in detail["events"]] == [("stage", "intake")]
    assert detail["allowed_stages"] == ["assessment", "closed"]
    assert detail["consent_in_force"] is False
    (event,) = views_of("cases.case", world.case.pk)
    assert (event.actor, event.basis) == (world.coordinator, "coordinator")


def test_an_organization_without_a_basis_neither_lists_nor_opens_the_case(world: World) -> None:
    client = as_staff(world.counselor)
    assert client.get("/api/v1/cases").json()["count"] == 0
    for url in (
        f"/api/v1/cases/{world.case.pk}",
        f"/api/v1/cases/{world.case.pk}/consents",
        f"/api/v1/cases/{world.case.pk}/plans",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND
    assert views_of("cases.case", world.case.pk) == []
    assert AuditEvent.objects.filter(
        action=AuditAction.DENY,
        actor=world.counselor,
        object_type="cases.case",
        object_id=str(world.case.pk),
    ).exists()


def test_another_municipality_s_records_are_404(world: World) -> None:
    foreign = world.foreign_case
    cf.consent(world.stranger, foreign, covers_case_team=True)
    foreign_plan = cf.active_plan(world.stranger, foreign)
    foreign_meeting = cf.meeting(world.stranger, foreign.organization)
    client = as_staff(world.coordinator)
    for url in (
        f"/api/v1/cases/{foreign.pk}",
        f"/api/v1/cases/{foreign.pk}/consents",
        f"/api/v1/cases/{foreign.pk}/plans",
        f"/api/v1/plans/{foreign_plan.pk}",
        f"/api/v1/meetings/{foreign_meeting.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND
    response = post_json(
        client,
        f"/api/v1/cases/{foreign.pk}/transition",
        {"to_stage": "closed", "version": 1, "closure_reason": "moved", "evaluation": "転居"},
    )
    assert response.status_code == 404
    assert client.get("/api/v1/cases").json()["count"] == 1
    assert client.get("/api/v1/meetings").json()["count"] == 0


def test_the_coordinating_section_opens_a_case(world: World) -> None:
    household = rf.household(
        world.coordinator,
        world.ward.coordinating,
        head=rf.person(world.coordinator, world.ward.coordinating, family_name="田中"),
    )
    response = post_json(
        as_staff(world.coordinator),
        "/api/v1/cases",
        {
            "household_id": household.pk,
            "title": "ダブルケア・就労",
            "lead_organization_id": world.ward.center.pk,
        },
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    created = Case.all_tenants.get(pk=body["id"])
    assert created.organization == world.ward.coordinating
    assert created.household == household
    assert body["basis"] == "coordinator"
    assert body["lead_organization"] == world.ward.center.name
    assert {m["organization_id"] for m in body["team"]} == {
        world.ward.coordinating.pk,
        world.ward.center.pk,
    }
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="cases.case", object_id=str(created.pk)
    ).exists()


def test_opening_a_case_needs_a_coordinating_section_and_a_household_it_may_handle(
    world: World,
) -> None:
    before = Case.all_tenants.count()
    theirs = rf.household(
        world.south,
        world.ward.other_center,
        head=rf.person(world.south, world.ward.other_center, family_name="佐藤"),
    )
    # A counselor's organization is no coordinating section.
    response = post_json(
        as_staff(world.counselor), "/api/v1/cases", {"household_id": theirs.pk, "title": "x"}
    )
    assert response.status_code == 403
    # The coordinator has no basis to another centre's household.
    response = post_json(
        as_staff(world.coordinator),
        "/api/v1/cases",
        {"household_id": theirs.pk, "title": "ひきこもり", "organization_id": world.ward.center.pk},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"household_id", "organization_id"}
    assert all(JAPANESE.search(message) for messages in errors.values() for message in messages)
    assert Case.all_tenants.count() == before


def test_a_transition_on_an_outdated_version_is_a_409_and_changes_nothing(world: World) -> None:
    client = as_staff(world.coordinator)
    url = f"/api/v1/cases/{world.case.pk}/transition"
    response = post_json(client, url, {"to_stage": "assessment", "version": 1})
    assert response.status_code == 200, response.content.decode()
    assert (response.json()["stage"], response.json()["version"]) == ("assessment", 2)

    response = post_json(client, url, {"to_stage": "meeting_review", "version": 1})
    assert response.status_code == 409
    assert "他の職員が更新しました" in response.json()["detail"]
    fresh = Case.all_tenants.get(pk=world.case.pk)
    assert (fresh.stage, fresh.version) == (Stage.ASSESSMENT, 2)


def test_a_refused_transition_says_why_in_japanese(world: World) -> None:
    client = as_staff(world.coordinator)
    url = f"/api/v1/cases/{world.case.pk}/transition"
    response = post_json(client, url, {"to_stage": "supporting", "version": 1})
    assert response.status_code == 422
    assert response.json()["detail"] == "「受付」から「支援中」には進められません。"

    response = post_json(client, url, {"to_stage": "closed", "version": 1})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"closure_reason", "evaluation"}
    assert Case.all_tenants.get(pk=world.case.pk).stage == Stage.INTAKE
    # Only the coordinating section changes a case, even one another centre sees.
    cf.consent(world.coordinator, world.case, organizations=[world.ward.center])
    response = post_json(as_staff(world.counselor), url, {"to_stage": "assessment", "version": 1})
    assert response.status_code == 404


# --- Consents ------------------------------------------------------------------------


def test_consent_recorded_then_withdrawn_through_the_api_stops_access_at_once(
    world: World,
) -> None:
    coordinator = as_staff(world.coordinator)
    counselor = as_staff(world.counselor)
    case_url = f"/api/v1/cases/{world.case.pk}"
    assert counselor.get(case_url).status_code == 404

    response = post_json(coordinator, f"{case_url}/consents", consent_payload(world))
    assert response.status_code == 201, response.content.decode()
    consent = response.json()
    assert consent["status"] == "active"
    assert consent["status_label"] == "有効"
    assert consent["is_active"] is True
    assert consent["grantor"]["full_name"] == "鈴木　花子"
    assert [m["full_name"] for m in consent["members"]] == ["鈴木　花子"]
    assert consent["organizations"] == [
        {"id": world.ward.center.pk, "name": world.ward.center.name}
    ]
    assert consent["purposes"] == ["information_sharing", "plan_meeting", "plan_making"]
    assert consent["method_label"] == "書面"
    assert consent["period"]["end"] is None
    assert consent["obtained_by_organization"]["name"] == "福祉政策課"
    assert consent["recorded_by"] == world.coordinator.full_name
    assert consent["withdrawn_at"] is None

    # The named centre sees the case on the consent, and says so.
    body = counselor.get(case_url).json()
    assert (body["basis"], body["basis_label"]) == ("consent", "本人同意")
    assert body["consent_in_force"] is True
    assert body["allowed_stages"] == []
    listed = counselor.get(f"{case_url}/consents").json()["items"]
    assert [(c["id"], c["basis"]) for c in listed] == [(consent["id"], "consent")]
    # It may read, not withdraw.
    response = post_json(
        counselor, f"/api/v1/consents/{consent['id']}/withdraw", {"note": "電話で撤回"}
    )
    assert response.status_code == 404

    response = post_json(
        coordinator,
        f"/api/v1/consents/{consent['id']}/withdraw",
        {"note": "本人から電話で撤回の申し出"},
    )
    assert response.status_code == 200, response.content.decode()
    withdrawn = response.json()
    assert (withdrawn["status"], withdrawn["status_label"]) == ("withdrawn", "撤回")
    assert withdrawn["is_active"] is False
    assert withdrawn["withdrawn_at"] is not None

    # Immediately after: nothing more for the centre that relied on it.
    assert counselor.get(case_url).status_code == 404
    assert counselor.get(f"{case_url}/consents").status_code == 404
    assert counselor.get("/api/v1/cases").json()["count"] == 0
    assert (
        post_json(
            coordinator, f"/api/v1/consents/{consent['id']}/withdraw", {"note": "二度目"}
        ).status_code
        == 422
    )


def test_a_consent_is_refused_in_japanese_without_purposes_or_recipients(world: World) -> None:
    url = f"/api/v1/cases/{world.case.pk}/consents"
    response = post_json(
        as_staff(world.coordinator),
        url,
        consent_payload(world, purposes=[], organization_ids=[], covers_case_team=False),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"purposes", "organization_ids"}
    assert all(JAPANESE.search(message) for messages in errors.values() for message in messages)
    assert not Consent.all_tenants.filter(case=world.case).exists()
    # A person of another household is no member of this one.
    other = rf.household(
        world.coordinator,
        world.ward.coordinating,
        head=rf.person(world.coordinator, world.ward.coordinating, family_name="田中"),
    )
    stranger = HouseholdMembership.all_tenants.get(household=other).person_id
    response = post_json(
        as_staff(world.coordinator), url, consent_payload(world, member_ids=[stranger])
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"member_ids"}


# --- Meetings ------------------------------------------------------------------------


def _plan_meeting(world: World) -> Meeting:
    response = post_json(
        as_staff(world.coordinator),
        "/api/v1/meetings",
        {"title": "重層的支援会議", "held_on": "2026-12-01", "kinds": ["plan_meeting"]},
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["kinds"] == ["plan_meeting"]
    assert body["kind_labels"] == ["重層的支援会議"]
    assert body["basis"] == "coordinator"
    return Meeting.all_tenants.get(pk=body["id"])


def test_a_plan_meeting_agenda_without_consent_is_refused(world: World) -> None:
    meeting = _plan_meeting(world)
    response = post_json(
        as_staff(world.coordinator),
        f"/api/v1/meetings/{meeting.pk}/agenda",
        {"kind": "plan_meeting", "case_id": world.case.pk, "review": "new"},
    )
    assert response.status_code == 422
    body = response.json()
    assert NO_CONSENT in body["detail"]
    assert NO_CONSENT in body["errors"]["case_id"][0]
    assert not AgendaItem.all_tenants.filter(case=world.case).exists()


def test_holding_a_plan_meeting_is_refused_when_the_consent_does_not_cover_an_attendee(
    world: World,
) -> None:
    cf.consent(world.coordinator, world.case, organizations=[world.ward.center])
    meeting = _plan_meeting(world)
    client = as_staff(world.coordinator)
    response = post_json(
        client,
        f"/api/v1/meetings/{meeting.pk}/agenda",
        {"kind": "plan_meeting", "case_id": world.case.pk},
    )
    assert response.status_code == 201, response.content.decode()
    item = response.json()
    assert item["shown"] is True
    assert item["basis"] == "coordinator"
    assert item["brief_household"].startswith(world.case.title)
    # 地域包括支援センター南 attends, but the consent names only 北.
    cf.attend(world.coordinator, meeting, world.south, world.ward.other_center)

    response = post_json(client, f"/api/v1/meetings/{meeting.pk}/hold")
    assert response.status_code == 422
    body = response.json()
    assert NO_CONSENT in body["detail"]
    assert any(world.ward.other_center.name in m for m in body["errors"]["__all__"])
    assert Meeting.all_tenants.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED


def test_support_meeting_material_is_shown_only_after_the_pledge(world: World) -> None:
    meeting = cf.meeting(world.coordinator, world.ward.coordinating, kinds=[Kind.SUPPORT_MEETING])
    item = cf.on_agenda(world.coordinator, meeting, world.case)
    attendee = cf.attend(
        world.coordinator, meeting, world.south, world.ward.other_center, pledge=False
    )
    south = as_staff(world.south)
    url = f"/api/v1/meetings/{meeting.pk}"

    listed = south.get("/api/v1/meetings").json()
    assert [(m["id"], m["basis"]) for m in listed["items"]] == [(meeting.pk, "support_meeting")]
    body = south.get(url).json()
    assert body["material_basis"] is None
    assert body["minutes"] is None
    (part,) = body["parts"]
    (row,) = part["agenda"]
    assert row["id"] == item.pk
    assert row["shown"] is False
    assert row["case_id"] is None
    assert row["brief_household"] is None
    assert row["basis"] is None
    assert south.get(f"/api/v1/cases/{world.case.pk}").status_code == 404
    # Holding the 支援会議 needs every attendee's pledge.
    response = post_json(as_staff(world.coordinator), f"{url}/hold")
    assert response.status_code == 422
    assert "守秘義務の誓約" in response.json()["detail"]

    # Staff who do not see the meeting get nothing; another attendee, who does,
    # may not pledge on the attendee's behalf (only they or the host may).
    response = post_json(as_staff(world.counselor), f"{url}/attendees/{attendee.pk}/pledge")
    assert response.status_code == 404
    cf.attend(world.coordinator, meeting, world.counselor, world.ward.center)
    response = post_json(as_staff(world.counselor), f"{url}/attendees/{attendee.pk}/pledge")
    assert response.status_code == 403
    assert Attendee.all_tenants.get(pk=attendee.pk).pledged_at is None

    response = post_json(south, f"{url}/attendees/{attendee.pk}/pledge")
    assert response.status_code == 200, response.content.decode()
    assert response.json()["has_pledged"] is True
    assert Attendee.all_tenants.get(pk=attendee.pk).pledge_recorded_by == world.south

    body = south.get(url).json()
    assert body["material_basis"] == "support_meeting"
    (row,) = body["parts"][0]["agenda"]
    assert row["shown"] is True
    assert row["case_id"] == world.case.pk
    assert row["brief_household"]
    assert (row["basis"], row["basis_label"]) == ("support_meeting", "支援会議（法106条の6）")
    shown = AuditEvent.objects.filter(
        action=AuditAction.LIST, actor=world.south, object_type="meetings.meeting"
    ).latest("id")
    assert shown.detail["shown"] == {"agenda_item": [item.pk]}
    # The case itself on the 支援会議 basis now.
    assert south.get(f"/api/v1/cases/{world.case.pk}").json()["basis"] == "support_meeting"


def test_only_the_host_puts_cases_on_the_agenda_and_holds(world: World) -> None:
    meeting = cf.meeting(world.coordinator, world.ward.coordinating)
    cf.attend(world.coordinator, meeting, world.south, world.ward.other_center)
    south = as_staff(world.south)
    response = post_json(
        south, f"/api/v1/meetings/{meeting.pk}/agenda", {"kind": "support_meeting", "case_id": 1}
    )
    assert response.status_code == 404
    assert post_json(south, f"/api/v1/meetings/{meeting.pk}/hold").status_code == 404
    # A counselor's centre may not convene a 支援会議.
    response = post_json(
        as_staff(world.counselor),
        "/api/v1/meetings",
        {"title": "支援会議", "held_on": "2026-12-01", "kinds": ["support_meeting"]},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"kinds"}


# --- Plans ---------------------------------------------------------------------------


def test_plans_are_seen_under_consent_not_under_a_support_meeting(world: World) -> None:
    # 北 is named in the consent; 南 attended a 支援会議 about the case.
    meeting = cf.meeting(world.coordinator, world.ward.coordinating)
    cf.on_agenda(world.coordinator, meeting, world.case)
    cf.attend(world.coordinator, meeting, world.south, world.ward.other_center)
    cf.hold(world.coordinator, meeting)
    cf.consent(world.coordinator, world.case, organizations=[world.ward.center])
    plan = cf.active_plan(world.coordinator, world.case)

    body = as_staff(world.coordinator).get(f"/api/v1/plans/{plan.pk}").json()
    assert body["basis"] == "coordinator"
    assert (body["status"], body["status_label"]) == ("active", "実施中")
    (member,) = body["members"]
    assert member["full_name"] == "鈴木　花子"
    assert [goal["text"] for goal in member["goals"]] == ["花子さんの生活が安定する"]
    assert body["monitorings"] == []

    counselor = as_staff(world.counselor)
    assert counselor.get(f"/api/v1/plans/{plan.pk}").json()["basis"] == "consent"
    listed = counselor.get(f"/api/v1/cases/{world.case.pk}/plans").json()
    assert [(p["id"], p["basis"]) for p in listed["items"]] == [(plan.pk, "consent")]
    (event,) = views_of("plans.supportplan", plan.pk)[-1:]
    assert (event.actor, event.basis) == (world.counselor, "consent")

    south = as_staff(world.south)
    assert south.get(f"/api/v1/cases/{world.case.pk}").json()["basis"] == "support_meeting"
    response = south.get(f"/api/v1/plans/{plan.pk}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert south.get(f"/api/v1/cases/{world.case.pk}/plans").json()["count"] == 0
    assert not [e for e in views_of("plans.supportplan", plan.pk) if e.actor == world.south]


def test_case_history_lists_the_consent_and_stage_events(world: World) -> None:
    cf.consent(world.coordinator, world.case, organizations=[world.ward.center])
    cf.to_stage(world.coordinator, world.case, Stage.ASSESSMENT)
    events = as_staff(world.coordinator).get(f"/api/v1/cases/{world.case.pk}").json()["events"]
    assert [e["kind"] for e in events] == [
        CaseEvent.Kind.STAGE,
        CaseEvent.Kind.CONSENT,
        CaseEvent.Kind.STAGE,
    ]
    assert events[-1]["to_stage_label"] == "アセスメント"
