"""The writes of the case page through the API (/api/v1/cases/…): opening a
case from a つなぐシート (which then reads 対応中 for its sender, as after the
page), updating the lead and next action, and the support team — each
through the page's service, policy decision and audit; a staff member
without a basis gets 404, a role outside casework 403, a refused input a
Japanese 422, an outdated version 409."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.cases.models import Case, CaseEvent, CaseTeamMember
from tsunagu.core import tenancy
from tsunagu.people.models import Household
from tsunagu.referrals.models import Referral, Status
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


def japanese_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content.decode()
    errors: dict[str, list[str]] = response.json()["errors"]
    assert errors
    assert all(JAPANESE.search(m) for messages in errors.values() for m in messages), errors
    return errors


def case_changes(case: Case, actor: Staff) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.CHANGE,
            object_type="cases.case",
            object_id=str(case.pk),
            actor=actor,
        ).order_by("id")
    )


@dataclass
class World:
    """地域包括支援センター北 (``counselor``) knows a household and may escalate it to
    福祉政策課 (``coordinator``), which holds another case; ``manager`` has no casework."""

    ward: Ward
    coordinator: Staff
    counselor: Staff
    manager: Staff
    household: Household
    case: Case

    @property
    def host(self) -> Client:
        return token_client(self.coordinator)


@pytest.fixture
def world(ward: Ward) -> World:
    coordinator = ward.member(Role.COORDINATOR)
    counselor = ward.member(Role.COUNSELOR)
    household = rf.household(
        counselor,
        ward.center,
        head=rf.person(counselor, ward.center, family_name="田中", family_name_kana="たなか"),
    )
    held = rf.household(coordinator, ward.coordinating)
    return World(
        ward=ward,
        coordinator=coordinator,
        counselor=counselor,
        manager=ward.member(Role.MANAGER),
        household=household,
        case=cf.case(coordinator, ward.coordinating, held),
    )


def _escalate(world: World, accept: bool = True) -> Referral:
    consultation = rf.consultation(world.counselor, world.ward.center, household=world.household)
    referral = rf.referral(
        world.counselor,
        world.ward.center,
        world.ward.coordinating,
        household=world.household,
        consultation=consultation,
        request="多機関協働での検討をお願いします。",
    )
    return rf.accepted(referral, world.coordinator) if accept else referral


def _refusals(world: World, method: str, url: str, payload: dict[str, Any]) -> None:
    """No basis to the case (a centre it was never shared with): 404, audited; a
    role outside casework: 403 before the body is read, audited."""
    send = put_json if method == "put" else post_json
    response = send(token_client(world.counselor), url, payload)
    assert response.status_code == 404, response.content.decode()
    assert response.json() == NOT_FOUND
    assert AuditEvent.objects.filter(action=AuditAction.DENY, actor=world.counselor).exists()
    response = send(token_client(world.manager), url, payload)
    assert response.status_code == 403, response.content.decode()
    assert response.json() == FORBIDDEN
    assert AuditEvent.objects.filter(action=AuditAction.DENY, actor=world.manager).exists()


# --- A case from a つなぐシート ----------------------------------------------------------


def test_a_case_opened_from_an_accepted_sheet_puts_the_sheet_in_progress_for_its_sender(
    world: World,
) -> None:
    referral = _escalate(world)
    sender = token_client(world.counselor)
    assert sender.get(f"/api/v1/referrals/{referral.pk}").json()["status"] == "accepted"

    response = post_json(
        world.host, "/api/v1/cases", {"referral_id": referral.pk, "title": "8050・ひきこもり"}
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    case = Case.all_tenants.get(pk=body["id"])
    assert case.referral_id == referral.pk
    assert body["household_id"] == world.household.pk
    assert body["organization"] == world.ward.coordinating.name
    # As the page suggests: the sheet's sender joins the team, its consultation is linked.
    assert {m["organization_id"] for m in body["team"]} == {
        world.ward.coordinating.pk,
        world.ward.center.pk,
    }
    with tenancy.tenant_context(world.ward.municipality):
        assert list(case.consultations.values_list("pk", flat=True)) == [referral.consultation_id]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="cases.case", object_id=str(case.pk)
    ).exists()

    # The sender sees its sheet taken up, as after the page.
    seen = sender.get(f"/api/v1/referrals/{referral.pk}").json()
    assert (seen["status"], seen["status_label"]) == ("in-progress", "対応中")
    assert Referral.all_tenants.get(pk=referral.pk).status == Status.IN_PROGRESS
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE,
        object_type="referrals.referral",
        object_id=str(referral.pk),
        actor=world.coordinator,
    ).exists()


def test_a_case_is_opened_only_from_a_sheet_addressed_to_the_section_and_accepted(
    world: World,
) -> None:
    before = Case.all_tenants.count()
    waiting = _escalate(world, accept=False)
    errors = japanese_errors(
        post_json(world.host, "/api/v1/cases", {"referral_id": waiting.pk, "title": "x"})
    )
    assert set(errors) == {"referral_id"}
    assert "受理" in errors["referral_id"][0]
    assert Referral.all_tenants.get(pk=waiting.pk).status == Status.REQUESTED

    # A sheet between two centres is no business of the coordinating section.
    elsewhere = rf.referral(
        world.counselor, world.ward.center, world.ward.other_center, household=world.household
    )
    errors = japanese_errors(
        post_json(world.host, "/api/v1/cases", {"referral_id": elsewhere.pk, "title": "x"})
    )
    assert errors == {"referral_id": ["指定されたつなぐシートが見つかりません。"]}
    # A sheet the section itself sent is not addressed to it.
    sent = rf.referral(
        world.coordinator,
        world.ward.coordinating,
        world.ward.center,
        household=world.case.household,
    )
    rf.accepted(sent, world.counselor)
    errors = japanese_errors(
        post_json(world.host, "/api/v1/cases", {"referral_id": sent.pk, "title": "x"})
    )
    assert set(errors) == {"referral_id"}
    assert "あて" in errors["referral_id"][0]
    # The sheet's household, not another one.
    accepted = rf.accepted(waiting, world.coordinator)
    errors = japanese_errors(
        post_json(
            world.host,
            "/api/v1/cases",
            {
                "referral_id": accepted.pk,
                "household_id": world.case.household_id,
                "title": "x",
            },
        )
    )
    assert set(errors) == {"household_id"}
    errors = japanese_errors(post_json(world.host, "/api/v1/cases", {"title": "x"}))
    assert set(errors) == {"household_id"}
    errors = japanese_errors(
        post_json(
            world.host,
            "/api/v1/cases",
            {"referral_id": accepted.pk, "title": "x", "team_organization_ids": [999999]},
        )
    )
    assert set(errors) == {"team_organization_ids"}
    assert Case.all_tenants.count() == before
    assert Referral.all_tenants.get(pk=accepted.pk).status == Status.ACCEPTED
    # Opening a case is the coordinating section's: other roles are refused before the body.
    for staff in (world.counselor, world.manager):
        response = post_json(
            token_client(staff), "/api/v1/cases", {"referral_id": accepted.pk, "title": "x"}
        )
        assert response.status_code == 403
        assert response.json() == FORBIDDEN


# --- Update --------------------------------------------------------------------------


def _update(world: World, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "version": 1,
        "title": "8050・介護拒否",
        "lead_organization_id": world.ward.center.pk,
        "lead_staff_id": world.counselor.pk,
        "next_action": "長男への初回訪問",
        "next_action_on": "2026-12-24",
    }
    payload.update(overrides)
    return payload


def test_the_coordinating_section_updates_the_case_under_the_optimistic_lock(
    world: World,
) -> None:
    url = f"/api/v1/cases/{world.case.pk}"
    response = put_json(world.host, url, _update(world))
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["title"], body["version"]) == ("8050・介護拒否", 2)
    assert body["lead_organization"] == world.ward.center.name
    assert (body["next_action"], body["next_action_on"]) == ("長男への初回訪問", "2026-12-24")
    assert world.ward.center.pk in {m["organization_id"] for m in body["team"]}
    assert body["events"][-1]["kind"] == CaseEvent.Kind.LEAD
    fresh = Case.all_tenants.get(pk=world.case.pk)
    assert fresh.lead_staff == world.counselor
    assert case_changes(world.case, world.coordinator)[-1].detail == {"lead_changed": True}

    response = put_json(world.host, url, _update(world, title="古い版から"))
    assert response.status_code == 409
    assert "他の職員が更新しました" in response.json()["detail"]
    assert Case.all_tenants.get(pk=world.case.pk).title == "8050・介護拒否"


def test_an_update_is_refused_in_japanese_and_by_role(world: World) -> None:
    url = f"/api/v1/cases/{world.case.pk}"
    guest = world.ward.member(Role.GUEST)
    errors = japanese_errors(
        put_json(
            world.host,
            url,
            _update(world, title=" ", lead_staff_id=guest.pk, lead_organization_id=999999),
        )
    )
    assert set(errors) == {"title", "lead_organization_id", "lead_staff_id"}
    errors = japanese_errors(put_json(world.host, url, {"title": "x"}))
    assert set(errors) == {"version"}
    _refusals(world, "put", url, _update(world))
    assert Case.all_tenants.get(pk=world.case.pk).version == 1


# --- The support team ----------------------------------------------------------------


def test_an_organization_joins_and_leaves_the_support_team(world: World) -> None:
    url = f"/api/v1/cases/{world.case.pk}/team"
    response = post_json(
        world.host, url, {"organization_id": world.ward.center.pk, "role": "母の介護サービス調整"}
    )
    assert response.status_code == 201, response.content.decode()
    (joined,) = [m for m in response.json()["team"] if m["organization_id"] == world.ward.center.pk]
    assert (joined["role"], joined["left_on"]) == ("母の介護サービス調整", None)
    assert case_changes(world.case, world.coordinator)[-1].detail == {
        "team_add": world.ward.center.pk
    }
    errors = japanese_errors(post_json(world.host, url, {"organization_id": world.ward.center.pk}))
    assert "すでに支援チーム" in errors["organization_id"][0]

    response = post_json(world.host, f"{url}/{joined['id']}/leave", {})
    assert response.status_code == 200, response.content.decode()
    (left,) = [m for m in response.json()["team"] if m["id"] == joined["id"]]
    assert left["left_on"] is not None
    assert case_changes(world.case, world.coordinator)[-1].detail == {
        "team_leave": world.ward.center.pk
    }
    assert (
        "入っていません"
        in japanese_errors(post_json(world.host, f"{url}/{joined['id']}/leave", {}))["__all__"][0]
    )
    own = CaseTeamMember.all_tenants.get(case=world.case, organization=world.ward.coordinating)
    assert (
        "事務局"
        in japanese_errors(post_json(world.host, f"{url}/{own.pk}/leave", {}))["__all__"][0]
    )


def test_team_changes_are_refused_in_japanese_and_by_role(world: World) -> None:
    url = f"/api/v1/cases/{world.case.pk}/team"
    errors = japanese_errors(post_json(world.host, url, {"organization_id": 999999}))
    assert set(errors) == {"organization_id"}
    errors = japanese_errors(post_json(world.host, url, {"organization_id": "北"}))
    assert set(errors) == {"organization_id"}
    _refusals(world, "post", url, {"organization_id": world.ward.center.pk})
    own = CaseTeamMember.all_tenants.get(case=world.case, organization=world.ward.coordinating)
    _refusals(world, "post", f"{url}/{own.pk}/leave", {})
    assert CaseTeamMember.all_tenants.filter(case=world.case, left_on=None).count() == 1


# --- Consents and transitions: the page's services, the same refusals -----------------


def test_consents_and_transitions_are_refused_outside_casework(world: World) -> None:
    consent = cf.consent(world.coordinator, world.case, organizations=[world.ward.center])
    manager = token_client(world.manager)
    for url in (
        f"/api/v1/cases/{world.case.pk}/consents",
        f"/api/v1/consents/{consent.pk}/withdraw",
        f"/api/v1/cases/{world.case.pk}/transition",
    ):
        response = post_json(manager, url, {})
        assert response.status_code == 403, url
    # The centre named in the consent reads it but does not withdraw it.
    response = post_json(
        token_client(world.counselor), f"/api/v1/consents/{consent.pk}/withdraw", {"note": "x"}
    )
    assert response.status_code == 404
    response = post_json(world.host, f"/api/v1/consents/{consent.pk}/withdraw", {"note": " "})
    assert set(japanese_errors(response)) == {"note"}


def test_the_page_refuses_what_the_service_refuses_a_sheet_not_addressed_to_it(
    world: World,
) -> None:
    """Which sheets may escalate a case is case_open's rule, so a direct POST to
    the page is refused like the API: here a sheet the section itself sent."""
    from django.urls import reverse

    sent = rf.referral(
        world.coordinator, world.ward.coordinating, world.ward.center, household=world.household
    )
    rf.accepted(sent, world.counselor)
    page = Client()
    page.force_login(world.coordinator)
    before = Case.all_tenants.count()
    response = page.post(
        reverse("cases:create") + f"?referral={sent.pk}",
        {
            "referral": sent.pk,
            "household": world.household.pk,
            "title": "相談の受付",
            "opened_on": "2026-12-01",
        },
    )
    assert Case.all_tenants.count() == before
    assert response.status_code == 200
    assert "多機関協働事務局あてのつなぐシート" in response.content.decode()
