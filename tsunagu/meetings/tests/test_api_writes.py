"""The writes of the sitting page through the API (/api/v1/meetings/…): each
operation goes through the page's service, policy decision and audit — a
staff member without a basis gets 404, a role outside casework 403, a
refused input a 422 in Japanese — and an invited guest sees only that
meeting's material, after pledging."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.cases.models import Case, CaseTeamMember
from tsunagu.meetings.models import ActionItem, AgendaItem, Attendee, Kind, Meeting
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_api_residents import post_json, token_client

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NOT_FOUND = {"detail": "見つかりません。"}
FORBIDDEN = {"detail": "この操作を行う権限がありません。"}


def put_json(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(payload), content_type="application/json")


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return put_json(client, url, payload) if method == "put" else post_json(client, url, payload)


def japanese_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content.decode()
    errors: dict[str, list[str]] = response.json()["errors"]
    assert errors
    assert all(JAPANESE.search(m) for messages in errors.values() for m in messages), errors
    return errors


def changes_of(object_type: str, pk: int, actor: Staff) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.CHANGE, object_type=object_type, object_id=str(pk), actor=actor
        ).order_by("id")
    )


@dataclass
class Sitting:
    """A 支援会議 hosted by 福祉政策課 with its case on the agenda; 地域包括支援センター北
    (``counselor``) neither hosts nor attends; ``manager`` has no casework."""

    ward: Ward
    coordinator: Staff
    counselor: Staff
    manager: Staff
    case: Case
    meeting: Meeting
    item: AgendaItem

    @property
    def host(self) -> Client:
        return token_client(self.coordinator)


@pytest.fixture
def sitting(ward: Ward) -> Sitting:
    coordinator = ward.member(Role.COORDINATOR)
    household = rf.household(coordinator, ward.coordinating)
    case = cf.case(coordinator, ward.coordinating, household)
    meeting = cf.meeting(coordinator, ward.coordinating, kinds=[Kind.SUPPORT_MEETING])
    item = cf.on_agenda(coordinator, meeting, case)
    return Sitting(
        ward=ward,
        coordinator=coordinator,
        counselor=ward.member(Role.COUNSELOR),
        manager=ward.member(Role.MANAGER),
        case=case,
        meeting=meeting,
        item=item,
    )


def _refusals(sitting: Sitting, method: str, url: str, payload: dict[str, Any]) -> None:
    """No basis (an organization that neither hosts nor owns): 404, audited; a
    role outside casework: 403 before the body is read, audited."""
    response = send(token_client(sitting.counselor), method, url, payload)
    assert response.status_code == 404, response.content.decode()
    assert response.json() == NOT_FOUND
    assert AuditEvent.objects.filter(action=AuditAction.DENY, actor=sitting.counselor).exists()
    response = send(token_client(sitting.manager), method, url, payload)
    assert response.status_code == 403, response.content.decode()
    assert response.json() == FORBIDDEN
    assert AuditEvent.objects.filter(action=AuditAction.DENY, actor=sitting.manager).exists()


# --- Attendees -----------------------------------------------------------------------


def test_the_host_adds_a_staff_member_and_a_person_without_an_account(sitting: Sitting) -> None:
    url = f"/api/v1/meetings/{sitting.meeting.pk}/attendees"
    center = sitting.ward.center
    response = post_json(
        sitting.host,
        url,
        {"organization_id": center.pk, "staff_id": sitting.counselor.pk, "is_observer": True},
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["staff_id"], body["organization"]) == (sitting.counselor.pk, center.name)
    assert body["name"] == sitting.counselor.full_name
    assert (body["is_observer"], body["is_guest"], body["has_pledged"]) == (True, False, False)
    (event,) = changes_of("meetings.meeting", sitting.meeting.pk, sitting.coordinator)[-1:]
    assert event.detail["attendee_add"] == body["id"]

    external = sitting.ward.external
    assert external is not None
    response = post_json(sitting.host, url, {"organization_id": external.pk, "name": "町会長 佐藤"})
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["staff_id"], body["name"], body["is_guest"]) == (None, "町会長 佐藤", True)

    # The same staff member twice is refused by the service, in Japanese.
    response = post_json(
        sitting.host, url, {"organization_id": center.pk, "staff_id": sitting.counselor.pk}
    )
    assert "すでに出席者に入っています" in japanese_errors(response)["staff_id"][0]


def test_adding_an_attendee_is_refused_without_a_name_or_a_member(sitting: Sitting) -> None:
    url = f"/api/v1/meetings/{sitting.meeting.pk}/attendees"
    before = Attendee.all_tenants.count()
    errors = japanese_errors(
        post_json(sitting.host, url, {"organization_id": sitting.ward.center.pk})
    )
    assert set(errors) == {"name"}
    # A staff member of another organization than the one named; an auditor takes no part.
    errors = japanese_errors(
        post_json(
            sitting.host,
            url,
            {"organization_id": sitting.ward.other_center.pk, "staff_id": sitting.counselor.pk},
        )
    )
    assert set(errors) == {"staff_id"}
    auditor = sitting.ward.member(Role.AUDITOR)
    errors = japanese_errors(
        post_json(
            sitting.host,
            url,
            {"organization_id": sitting.ward.department.pk, "staff_id": auditor.pk},
        )
    )
    assert set(errors) == {"staff_id"}
    errors = japanese_errors(post_json(sitting.host, url, {"organization_id": 999999, "name": "x"}))
    assert set(errors) == {"organization_id"}
    assert Attendee.all_tenants.count() == before
    _refusals(sitting, "post", url, {"organization_id": sitting.ward.center.pk, "name": "x"})


# --- Guests --------------------------------------------------------------------------


def _invite(sitting: Sitting, **overrides: Any) -> Any:
    external = sitting.ward.external
    assert external is not None
    payload: dict[str, Any] = {"organization_id": external.pk, "name": "山田 太郎"}
    payload.update(overrides)
    return post_json(sitting.host, f"/api/v1/meetings/{sitting.meeting.pk}/guests", payload)


def test_an_invited_guest_sees_only_this_meeting_s_material_after_pledging(
    sitting: Sitting,
) -> None:
    other_meeting = cf.meeting(
        sitting.coordinator, sitting.ward.coordinating, kinds=[Kind.SUPPORT_MEETING]
    )
    cf.on_agenda(sitting.coordinator, other_meeting, sitting.case)
    response = _invite(sitting)
    assert response.status_code == 201, response.content.decode()
    assert response["Cache-Control"] == "no-store"
    invitation = response.json()
    username, password = invitation["username"], invitation["password"]
    assert username.startswith(f"guest-{sitting.meeting.pk}-")
    assert len(password) == 14
    assert "再表示できません" in invitation["notice"]
    attendee = invitation["attendee"]
    assert (attendee["name"], attendee["is_guest"], attendee["has_pledged"]) == (
        "山田 太郎",
        True,
        False,
    )
    # The meeting day's end by default, as on the page.
    expires = datetime.datetime.fromisoformat(invitation["expires_at"])
    assert timezone.localtime(expires).date() == sitting.meeting.held_on
    guest = Staff.all_tenants.get(username=username)
    assert guest.password != password and guest.is_guest
    # Never again: not in the sitting's answer, not on the audit trail.
    again = sitting.host.get(f"/api/v1/meetings/{sitting.meeting.pk}")
    assert password not in again.content.decode()
    assert not AuditEvent.objects.filter(detail__icontains=password).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="accounts.staff", object_id=str(guest.pk)
    ).exists()

    browser = Client()
    login = browser.post("/login/", {"username": username, "password": password})
    assert login.status_code == 302
    url = f"/api/v1/meetings/{sitting.meeting.pk}"
    before = browser.get(url).json()
    assert before["material_basis"] is None
    (row,) = before["parts"][0]["agenda"]
    assert (row["shown"], row["brief_household"]) == (False, None)

    response = post_json(browser, f"{url}/attendees/{attendee['id']}/pledge", {})
    assert response.status_code == 200, response.content.decode()
    after = browser.get(url).json()
    assert after["material_basis"] == "support_meeting"
    (row,) = after["parts"][0]["agenda"]
    assert row["shown"] is True
    assert row["brief_household"].startswith(sitting.case.title)
    # Only this meeting: not the other one on the same case, not the case record.
    listed = browser.get("/api/v1/meetings").json()
    assert [m["id"] for m in listed["items"]] == [sitting.meeting.pk]
    assert browser.get(f"/api/v1/meetings/{other_meeting.pk}").status_code == 404
    assert browser.get(f"/api/v1/cases/{sitting.case.pk}").status_code == 404
    # Host writes stay refused to a guest.
    assert post_json(browser, f"{url}/hold", {}).status_code == 403
    assert post_json(browser, f"{url}/guests", {}).status_code == 403


def test_an_invitation_is_refused_in_japanese_and_by_role(sitting: Sitting) -> None:
    before = Staff.all_tenants.count()
    errors = japanese_errors(_invite(sitting, organization_id=sitting.ward.center.pk))
    assert set(errors) == {"organization_id"}
    errors = japanese_errors(
        _invite(sitting, expires_at=(timezone.now() + datetime.timedelta(days=40)).isoformat())
    )
    assert set(errors) == {"expires_at"}
    errors = japanese_errors(_invite(sitting, name="  "))
    assert set(errors) == {"name"}
    assert Staff.all_tenants.count() == before
    external = sitting.ward.external
    assert external is not None
    _refusals(
        sitting,
        "post",
        f"/api/v1/meetings/{sitting.meeting.pk}/guests",
        {"organization_id": external.pk, "name": "山田 太郎"},
    )
    assert Staff.all_tenants.count() == before


# --- Pledges -------------------------------------------------------------------------


def test_the_host_records_a_paper_pledge_on_an_attendee_s_behalf(sitting: Sitting) -> None:
    attendee = cf.attend(
        sitting.coordinator,
        sitting.meeting,
        sitting.counselor,
        sitting.ward.center,
        pledge=False,
    )
    url = f"/api/v1/meetings/{sitting.meeting.pk}/attendees/{attendee.pk}/pledge"
    # A manager, who does not see the meeting, finds nothing to pledge for.
    assert post_json(token_client(sitting.manager), url, {}).status_code == 404
    response = post_json(sitting.host, url, {})
    assert response.status_code == 200, response.content.decode()
    assert response.json()["has_pledged"] is True
    fresh = Attendee.all_tenants.get(pk=attendee.pk)
    assert fresh.pledge_recorded_by == sitting.coordinator
    (event,) = changes_of("meetings.meeting", sitting.meeting.pk, sitting.coordinator)[-1:]
    assert event.detail == {"pledge": attendee.pk}


# --- Brief, decisions and tasks ------------------------------------------------------

BRIEF = {
    "brief_household": "母（80代）と長男（50代）の二人世帯",
    "brief_current": "包括が月1回訪問",
    "brief_organizations": "障害の相談窓口",
    "brief_requests": "",
}


def test_the_host_saves_the_brief(sitting: Sitting) -> None:
    url = f"/api/v1/meetings/agenda/{sitting.item.pk}/brief"
    response = put_json(sitting.host, url, BRIEF)
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert {name: body[name] for name in BRIEF} == BRIEF
    assert (body["shown"], body["basis"]) == (True, "coordinator")
    assert AgendaItem.all_tenants.get(pk=sitting.item.pk).brief_current == "包括が月1回訪問"
    (event,) = changes_of("meetings.agendaitem", sitting.item.pk, sitting.coordinator)
    assert event.detail == {"brief": True}

    errors = japanese_errors(put_json(sitting.host, url, {"brief_household": "x"}))
    assert set(errors) == {"brief_current", "brief_organizations", "brief_requests"}
    _refusals(sitting, "put", url, BRIEF)
    assert (
        AgendaItem.all_tenants.get(pk=sitting.item.pk).brief_household == BRIEF["brief_household"]
    )


def _decisions(sitting: Sitting, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "policy": "包括が見守りを続け、長男には障害の相談窓口がつなぐ",
        "roles": "包括: 母の介護サービス調整",
        "lead_organization_id": sitting.ward.center.pk,
        "actions": [
            {
                "owner_organization_id": sitting.ward.center.pk,
                "content": "母の要介護認定の申請を支援する",
                "due_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
            }
        ],
    }
    payload.update(overrides)
    return payload


def test_the_host_records_decisions_and_the_owner_marks_the_task_done(sitting: Sitting) -> None:
    url = f"/api/v1/meetings/agenda/{sitting.item.pk}/decisions"
    response = post_json(sitting.host, url, _decisions(sitting))
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["policy"].startswith("包括が見守り")
    assert body["lead_organization"] == sitting.ward.center.name
    assert body["decided_at"] is not None
    (task,) = body["action_items"]
    assert (task["owner_organization"], task["done_at"]) == (sitting.ward.center.name, None)
    case = Case.all_tenants.get(pk=sitting.case.pk)
    assert case.lead_organization == sitting.ward.center
    assert CaseTeamMember.all_tenants.filter(
        case=case, organization=sitting.ward.center, left_on=None
    ).exists()
    (event,) = changes_of("meetings.agendaitem", sitting.item.pk, sitting.coordinator)
    assert event.detail == {"decided": True}

    # The owner organization (not the host) finds it in its task list …
    owner = token_client(sitting.counselor)
    listed = owner.get("/api/v1/meetings/tasks").json()
    (row,) = listed["items"]
    assert (row["id"], row["content"]) == (task["id"], "母の要介護認定の申請を支援する")
    assert (row["case_number"], row["meeting_title"]) == (sitting.case.number, "福祉包括化推進部会")
    assert row["meeting_visible"] is False  # it does not attend the meeting
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, object_type="meetings.actionitem", actor=sitting.counselor
    ).latest("id").detail == {"via": "api", "shown": [task["id"]]}
    assert owner.get("/api/v1/meetings/tasks", {"done": "true"}).json()["count"] == 0
    assert token_client(sitting.manager).get("/api/v1/meetings/tasks").status_code == 403
    # … and marks it done.
    done_url = f"/api/v1/meetings/tasks/{task['id']}/done"
    response = post_json(token_client(sitting.counselor), done_url, {"result": "申請を済ませた"})
    assert response.status_code == 200, response.content.decode()
    done = response.json()
    assert done["done_at"] is not None
    assert (done["result"], done["meeting_id"]) == ("申請を済ませた", sitting.meeting.pk)
    assert ActionItem.all_tenants.get(pk=task["id"]).done_by == sitting.counselor
    assert [
        t["id"] for t in owner.get("/api/v1/meetings/tasks", {"done": "true"}).json()["items"]
    ] == [task["id"]]
    assert owner.get("/api/v1/meetings/tasks").json()["count"] == 0
    assert changes_of("meetings.actionitem", task["id"], sitting.counselor)[-1].detail == {
        "done": True
    }
    response = post_json(token_client(sitting.counselor), done_url, {})
    assert "すでに完了" in japanese_errors(response)["__all__"][0]


def test_decisions_and_task_refusals(sitting: Sitting) -> None:
    url = f"/api/v1/meetings/agenda/{sitting.item.pk}/decisions"
    errors = japanese_errors(post_json(sitting.host, url, _decisions(sitting, policy=" ")))
    assert set(errors) == {"policy"}
    errors = japanese_errors(
        post_json(
            sitting.host,
            url,
            _decisions(
                sitting,
                lead_organization_id=sitting.ward.external.pk,  # type: ignore[union-attr]
                actions=[{"owner_organization_id": 999999, "content": " ", "due_on": "2026-12-24"}],
            ),
        )
    )
    assert set(errors) == {
        "lead_organization_id",
        "actions.0.owner_organization_id",
        "actions.0.content",
    }
    errors = japanese_errors(
        post_json(sitting.host, url, _decisions(sitting, actions=[{"content": "x"}]))
    )
    assert set(errors) == {"actions.0.owner_organization_id", "actions.0.due_on"}
    assert AgendaItem.all_tenants.get(pk=sitting.item.pk).decided_at is None
    assert not ActionItem.all_tenants.exists()
    _refusals(sitting, "post", url, _decisions(sitting))

    response = post_json(sitting.host, url, _decisions(sitting))
    assert response.status_code == 200
    (task,) = response.json()["action_items"]
    # 地域包括支援センター南 neither owns the task nor hosts: nothing to see.
    south = rf.staff_at(sitting.ward, sitting.ward.other_center, Role.COUNSELOR, "south")
    done_url = f"/api/v1/meetings/tasks/{task['id']}/done"
    response = post_json(token_client(south), done_url, {})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    response = post_json(token_client(sitting.manager), done_url, {})
    assert response.status_code == 403
    response = post_json(token_client(sitting.counselor), done_url, {"result": 1})
    assert set(japanese_errors(response)) == {"result"}
    assert ActionItem.all_tenants.get(pk=task["id"]).done_at is None


# --- Cancel, minutes, questionnaire --------------------------------------------------


def test_the_host_cancels_with_a_reason(sitting: Sitting) -> None:
    url = f"/api/v1/meetings/{sitting.meeting.pk}/cancel"
    errors = japanese_errors(post_json(sitting.host, url, {"reason": "  "}))
    assert set(errors) == {"reason"}
    errors = japanese_errors(post_json(sitting.host, url, {}))
    assert set(errors) == {"reason"}
    _refusals(sitting, "post", url, {"reason": "台風のため"})
    assert Meeting.all_tenants.get(pk=sitting.meeting.pk).status == MeetingStatus.SCHEDULED

    response = post_json(sitting.host, url, {"reason": "台風のため"})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["status"], body["status_label"]) == ("cancelled", "中止")
    assert "中止: 台風のため" in body["minutes"]
    assert changes_of("meetings.meeting", sitting.meeting.pk, sitting.coordinator)[-1].detail == {
        "cancelled": True
    }
    response = post_json(sitting.host, url, {"reason": "二度目"})
    assert "予定の会議だけ" in japanese_errors(response)["__all__"][0]


def test_the_host_saves_the_minutes_under_the_optimistic_lock(sitting: Sitting) -> None:
    url = f"/api/v1/meetings/{sitting.meeting.pk}/minutes"
    version = sitting.host.get(f"/api/v1/meetings/{sitting.meeting.pk}").json()["version"]
    response = put_json(sitting.host, url, {"minutes": "方針を確認した。", "version": version})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["minutes"], body["version"]) == ("方針を確認した。", version + 1)
    assert changes_of("meetings.meeting", sitting.meeting.pk, sitting.coordinator)[-1].detail == {
        "minutes": True
    }

    response = put_json(sitting.host, url, {"minutes": "古い版からの上書き", "version": version})
    assert response.status_code == 409
    assert JAPANESE.search(response.json()["detail"])
    assert Meeting.all_tenants.get(pk=sitting.meeting.pk).minutes == "方針を確認した。"
    errors = japanese_errors(put_json(sitting.host, url, {"minutes": "x"}))
    assert set(errors) == {"version"}
    _refusals(sitting, "put", url, {"minutes": "x", "version": version + 1})


def test_an_attendee_answers_the_questionnaire_once_after_the_meeting(sitting: Sitting) -> None:
    cf.attend(sitting.coordinator, sitting.meeting, sitting.counselor, sitting.ward.center)
    url = f"/api/v1/meetings/{sitting.meeting.pk}/questionnaire"
    counselor = token_client(sitting.counselor)
    answer = {"usefulness": 4, "roles_clear": True, "comment": "役割が明確になった"}
    response = post_json(counselor, url, answer)
    assert "開催後" in japanese_errors(response)["__all__"][0]
    cf.hold(sitting.coordinator, sitting.meeting)
    errors = japanese_errors(post_json(counselor, url, {"usefulness": 9}))
    assert set(errors) == {"usefulness"}

    response = post_json(counselor, url, answer)
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["usefulness"], body["usefulness_label"]) == (4, "とても役に立った")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        object_type="meetings.questionnaireanswer",
        actor=sitting.counselor,
    ).exists()
    assert "すでに回答" in japanese_errors(post_json(counselor, url, answer))["__all__"][0]
    # The host, who is no attendee, has nothing to answer; a stranger sees no meeting.
    assert post_json(sitting.host, url, answer).status_code == 404
    south = rf.staff_at(sitting.ward, sitting.ward.other_center, Role.COUNSELOR, "south")
    assert post_json(token_client(south), url, answer).status_code == 404
