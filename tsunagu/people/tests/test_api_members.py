"""Household members through the API, as on the member pages: a member added
with a 続柄 (an existing person the caller may change, who moves from their
household, or a new person), a membership ended with its date and reason —
the same services, the household's CHANGE decision and the audit events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.people.models import Household, HouseholdMembership, Person
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_api_residents import JAPANESE, NOT_FOUND, token_client

pytestmark = pytest.mark.django_db

#: A day after the fixtures' memberships began (they begin today).
LATER = (timezone.localdate() + timedelta(days=30)).isoformat()


def post_json(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json")


@dataclass
class Homes:
    """Two households of 地域包括支援センター北 (``counselor``) and a person of
    地域包括支援センター南 (``south``), which the north may not change."""

    ward: Ward
    counselor: Staff
    south: Staff
    household: Household
    other: Household
    mover: Person
    theirs: Person
    #: The last audit event of the setup: the tests look at what came after.
    since: int

    def membership(self, person: Person, household: Household) -> HouseholdMembership:
        with tenancy.tenant_context(self.ward.municipality):
            return HouseholdMembership.objects.get(person=person, household=household)

    def changes_of(self, household: Household) -> list[AuditEvent]:
        return list(
            AuditEvent.objects.filter(
                action=AuditAction.CHANGE,
                object_type="people.household",
                object_id=str(household.pk),
                pk__gt=self.since,
            ).order_by("pk")
        )


@pytest.fixture
def homes(ward: Ward) -> Homes:
    counselor = ward.member(Role.COUNSELOR)
    south = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor")
    household = make.household(counselor, ward.center)
    mover = make.person(counselor, ward.center, family_name="佐藤", family_name_kana="さとう")
    other = make.household(counselor, ward.center, head=mover)
    theirs = make.person(south, ward.other_center, family_name="高橋", family_name_kana="たかはし")
    make.household(south, ward.other_center, head=theirs)
    since = AuditEvent.objects.order_by("pk").last()
    return Homes(ward, counselor, south, household, other, mover, theirs, since.pk if since else 0)


def test_a_new_person_is_registered_and_added_with_a_relationship(homes: Homes) -> None:
    client = token_client(homes.counselor)
    response = post_json(
        client,
        f"/api/v1/households/{homes.household.pk}/members",
        {
            "person": {"family_name": "鈴木", "given_name": "一郎", "given_name_kana": "いちろう"},
            "relationship": "child",
            "started_on": "2026-04-01",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["household_id"], body["relationship"]) == (homes.household.pk, "child")
    assert (body["relationship_label"], body["started_on"]) == ("子", "2026-04-01")
    assert body["full_name"] == "鈴木　一郎"
    with tenancy.tenant_context(homes.ward.municipality):
        person = Person.objects.get(pk=body["person_id"])
        assert person.registered_by == homes.ward.center
    created = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="people.person", object_id=str(person.pk)
    )
    assert created.actor == homes.counselor
    (changed,) = homes.changes_of(homes.household)
    assert changed.detail["member_added"] == person.pk
    # The household now lists the member with the membership to end it by.
    detail = client.get(f"/api/v1/households/{homes.household.pk}").json()
    assert body["id"] in [member["membership_id"] for member in detail["members"]]


def test_an_existing_person_moves_from_their_household(homes: Homes) -> None:
    response = post_json(
        token_client(homes.counselor),
        f"/api/v1/households/{homes.household.pk}/members",
        {"person_id": homes.mover.pk, "relationship": "parent", "started_on": LATER},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["person_id"] == homes.mover.pk
    left = homes.membership(homes.mover, homes.other)
    assert (left.ended_on, left.end_reason) == (date.fromisoformat(LATER), "別の世帯へ移動")
    joined = homes.membership(homes.mover, homes.household)
    assert (joined.relationship, joined.ended_on) == ("parent", None)
    (changed,) = homes.changes_of(homes.household)
    assert changed.detail == {"member_added": homes.mover.pk, "moved_from": homes.other.pk}
    assert changed.actor == homes.counselor


def test_a_membership_is_ended_with_its_date_and_reason_once(homes: Homes) -> None:
    client = token_client(homes.counselor)
    membership = homes.membership(homes.mover, homes.other)
    url = f"/api/v1/memberships/{membership.pk}/end"
    response = post_json(client, url, {"ended_on": LATER, "end_reason": "施設入所"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["ended_on"], body["end_reason"]) == (
        membership.pk,
        LATER,
        "施設入所",
    )
    (changed,) = homes.changes_of(homes.other)
    assert changed.detail == {"member_ended": homes.mover.pk}
    # Ended once: the recorded date and reason are not overwritten.
    again = post_json(client, url, {"ended_on": LATER, "end_reason": "死亡"})
    assert again.status_code == 422
    assert again.json()["errors"] == {"__all__": ["この世帯員はすでに離脱しています。"]}
    membership.refresh_from_db()
    assert (membership.ended_on, membership.end_reason) == (date.fromisoformat(LATER), "施設入所")
    assert len(homes.changes_of(homes.other)) == 1
    # The rule is the service's: the page refuses it too, keeping the history.
    page = Client()
    page.force_login(homes.counselor)
    response = page.post(
        f"/people/memberships/{membership.pk}/end/", {"ended_on": LATER, "end_reason": "死亡"}
    )
    assert response.status_code == 200
    assert "この世帯員はすでに離脱しています。" in response.content.decode()
    membership.refresh_from_db()
    assert membership.end_reason == "施設入所"


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"person_id": None}, "relationship", "このフィールドは必須です。"),
        ({"relationship": "child"}, "person_id", "どちらか一方を指定してください"),
        (
            {"relationship": "child", "person_id": 1, "person": {"family_name": "鈴木"}},
            "person_id",
            "どちらか一方を指定してください",
        ),
        ({"relationship": "uncle", "person_id": 1}, "relationship", "選べる値のいずれか"),
        ({"relationship": "child", "person": {"family_name": ""}}, "person.family_name", ""),
        (
            {"relationship": "child", "person": {"family_name": "鈴木", "district_id": 0}},
            "person.district_id",
            "日常生活圏域が見つかりません",
        ),
    ],
)
def test_a_refused_member_is_a_422_in_japanese_that_changes_nothing(
    homes: Homes, payload: dict[str, Any], field: str, message: str
) -> None:
    response = post_json(
        token_client(homes.counselor), f"/api/v1/households/{homes.household.pk}/members", payload
    )
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert message in errors[field][0]
    assert JAPANESE.search(errors[field][0])
    assert homes.changes_of(homes.household) == []
    with tenancy.tenant_context(homes.ward.municipality):
        assert HouseholdMembership.objects.filter(household=homes.household).count() == 1


def test_a_person_the_caller_may_not_change_or_a_member_already_is_refused(homes: Homes) -> None:
    client = token_client(homes.counselor)
    url = f"/api/v1/households/{homes.household.pk}/members"
    response = post_json(client, url, {"person_id": homes.theirs.pk, "relationship": "child"})
    assert response.status_code == 422
    assert "権限がありません" in response.json()["errors"]["person_id"][0]
    assert AuditEvent.objects.filter(
        action=AuditAction.DENY, actor=homes.counselor, object_id=str(homes.theirs.pk)
    ).exists()
    with tenancy.tenant_context(homes.ward.municipality):
        head_id = HouseholdMembership.objects.get(household=homes.household).person_id
    response = post_json(client, url, {"person_id": head_id, "relationship": "child"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"person_id": ["この方はすでにこの世帯の世帯員です。"]}
    assert homes.changes_of(homes.household) == []


def test_an_end_without_reason_or_before_the_start_is_a_422(homes: Homes) -> None:
    client = token_client(homes.counselor)
    membership = homes.membership(homes.mover, homes.other)
    url = f"/api/v1/memberships/{membership.pk}/end"
    blank = post_json(client, url, {"ended_on": LATER, "end_reason": "  "})
    assert blank.status_code == 422
    assert blank.json()["errors"] == {"end_reason": ["離脱の理由を入力してください。"]}
    early = post_json(client, url, {"ended_on": "1900-01-01", "end_reason": "転出"})
    assert early.status_code == 422
    assert early.json()["errors"] == {"ended_on": ["離脱日は加入日より後の日付にしてください。"]}
    missing = post_json(client, url, {"end_reason": "転出"})
    assert missing.json()["errors"] == {"ended_on": ["このフィールドは必須です。"]}
    membership.refresh_from_db()
    assert membership.ended_on is None
    assert homes.changes_of(homes.other) == []


def test_staff_without_a_basis_get_404_and_change_nothing(homes: Homes) -> None:
    client = token_client(homes.south)
    membership = homes.membership(homes.mover, homes.other)
    added = post_json(
        client,
        f"/api/v1/households/{homes.household.pk}/members",
        {"person_id": homes.theirs.pk, "relationship": "child"},
    )
    ended = post_json(
        client,
        f"/api/v1/memberships/{membership.pk}/end",
        {"ended_on": LATER, "end_reason": "転出"},
    )
    missing = post_json(
        client, "/api/v1/memberships/999999/end", {"ended_on": LATER, "end_reason": "転出"}
    )
    for response in (added, ended, missing):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    denials = AuditEvent.objects.filter(
        action=AuditAction.DENY, actor=homes.south, object_type="people.household"
    )
    assert {event.object_id for event in denials} == {str(homes.household.pk), str(homes.other.pk)}
    membership.refresh_from_db()
    assert membership.ended_on is None
    assert homes.changes_of(homes.household) == homes.changes_of(homes.other) == []


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.AUDITOR, Role.MANAGER, Role.GUEST])
def test_roles_outside_casework_are_refused_403(homes: Homes, role: Role) -> None:
    client = token_client(homes.ward.member(role))
    membership = homes.membership(homes.mover, homes.other)
    added = post_json(
        client,
        f"/api/v1/households/{homes.household.pk}/members",
        {"person_id": homes.mover.pk, "relationship": "child"},
    )
    ended = post_json(
        client,
        f"/api/v1/memberships/{membership.pk}/end",
        {"ended_on": LATER, "end_reason": "転出"},
    )
    for response in (added, ended):
        assert response.status_code == 403
        assert response.json() == {"detail": "この操作を行う権限がありません。"}
    membership.refresh_from_db()
    assert membership.ended_on is None


def test_the_member_writes_are_described_in_japanese_with_every_answer(ward: Ward) -> None:
    client = Client()
    client.force_login(ward.member(Role.COUNSELOR))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, answered in [
        ("/api/v1/households/{household_id}/members", "201"),
        ("/api/v1/memberships/{membership_id}/end", "200"),
    ]:
        operation = paths[path]["post"]
        assert JAPANESE.search(operation["summary"]) and JAPANESE.search(operation["description"])
        assert {answered, "422", "400", "401", "403", "404", "429"} <= set(operation["responses"])
