"""The API's writes on households and persons that the pages make: editing and
archiving a household, archiving a person, merging two records and undoing a
merge — through the pages' services and policy decisions, audited alike."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.people.models import Household, Person, PersonMerge
from tsunagu.people.services import person_merge
from tsunagu.tests import resident_factories as make
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


@pytest.fixture
def counselor(ward: Ward) -> Staff:
    return ward.member(Role.COUNSELOR)


@pytest.fixture
def household(ward: Ward, counselor: Staff) -> Household:
    return make.household(counselor, ward.center)


@pytest.fixture
def theirs(ward: Ward) -> Household:
    """A household of the other center: no basis for the center's counselor."""
    neighbour = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor")
    return make.household(neighbour, ward.other_center)


@pytest.fixture
def foreign(other_ward: Ward) -> Household:
    stranger = other_ward.member(Role.COUNSELOR)
    return make.household(stranger, other_ward.center)


def head_of(household: Household) -> Person:
    with tenancy.tenant_context(household.municipality):
        return household.memberships.get().person


# --- Editing a household ------------------------------------------------------------


def household_update_payload(ward: Ward, **fields: Any) -> dict[str, Any]:
    return {
        "address": "テスト区北町9-9",
        "district_id": ward.districts[1].pk,
        "phone": "03-0000-0000",
        "note": "日中は不在",
    } | fields


def test_a_household_is_edited_through_the_api_as_on_its_page(
    ward: Ward, counselor: Staff, household: Household
) -> None:
    response = send(
        token_client(counselor),
        "put",
        f"/api/v1/households/{household.pk}",
        household_update_payload(ward),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["address"], body["district_id"], body["basis"]) == (
        "テスト区北町9-9",
        ward.districts[1].pk,
        "own_organization",
    )
    saved = fresh(ward, Household, household.pk)
    assert (saved.phone, saved.note, saved.updated_by) == ("03-0000-0000", "日中は不在", counselor)
    [event] = [e for e in events(ward, household, AuditAction.CHANGE) if "fields" in e.detail]
    assert event.detail["fields"] == ["address", "district", "note", "phone"]
    assert "テスト区" not in json.dumps(event.detail, ensure_ascii=False)


def test_a_household_edit_answers_japanese_field_errors(
    ward: Ward, other_ward: Ward, counselor: Staff, household: Household
) -> None:
    client = token_client(counselor)
    url = f"/api/v1/households/{household.pk}"
    response = send(client, "put", url, household_update_payload(ward, phone="0" * 31))
    assert response.status_code == 422
    assert JAPANESE.search(response.json()["errors"]["phone"][0])
    response = send(
        client, "put", url, household_update_payload(ward, district_id=other_ward.districts[0].pk)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "district_id": ["指定された日常生活圏域が見つかりません。"]
    }
    assert [e for e in events(ward, household, AuditAction.CHANGE) if "fields" in e.detail] == []


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("put", "", {"address": "x"}),
        ("post", "/archive", {"reason": "重複登録"}),
    ],
)
def test_household_writes_are_refused_to_roles_the_pages_refuse_and_unseen_households(
    ward: Ward,
    counselor: Staff,
    household: Household,
    theirs: Household,
    foreign: Household,
    method: str,
    path: str,
    payload: dict[str, Any],
) -> None:
    manager = token_client(ward.member(Role.MANAGER))
    response = send(manager, method, f"/api/v1/households/{household.pk}{path}", payload)
    assert response.status_code == 403
    client = token_client(counselor)
    for other in (theirs, foreign, None):
        pk = other.pk if other else 999999
        response = send(client, method, f"/api/v1/households/{pk}{path}", payload)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert fresh(ward, Household, household.pk).archived_at is None


# --- Archiving a household and a person ----------------------------------------------


def test_a_household_is_archived_with_its_reason(
    ward: Ward, counselor: Staff, household: Household
) -> None:
    client = token_client(counselor)
    url = f"/api/v1/households/{household.pk}/archive"
    response = send(client, "post", url, {"reason": "  "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["アーカイブの理由を入力してください。"]}
    response = send(client, "post", url, {"reason": "重複登録"})
    assert response.status_code == 200, response.content
    assert response.json()["archived"] is True
    saved = fresh(ward, Household, household.pk)
    assert (saved.archive_reason, saved.updated_by) == ("重複登録", counselor)
    [event] = events(ward, household, AuditAction.ARCHIVE)
    assert event.detail == {"reason": "重複登録"}


def test_a_person_is_archived_with_its_reason(
    ward: Ward, counselor: Staff, household: Household, theirs: Household, foreign: Household
) -> None:
    person = head_of(household)
    client = token_client(counselor)
    url = f"/api/v1/persons/{person.pk}/archive"
    response = send(client, "post", url, {"reason": ""})
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["アーカイブの理由を入力してください。"]}
    response = send(client, "post", url, {"reason": "x" * 201})
    assert response.status_code == 422
    assert JAPANESE.search(response.json()["errors"]["reason"][0])
    refused = send(token_client(ward.member(Role.MANAGER)), "post", url, {"reason": "重複"})
    assert refused.status_code == 403
    for other in (theirs, foreign):
        unseen = send(
            client, "post", f"/api/v1/persons/{head_of(other).pk}/archive", {"reason": "重複"}
        )
        assert (unseen.status_code, unseen.json()) == (404, NOT_FOUND)
    response = send(client, "post", url, {"reason": "重複登録"})
    assert response.status_code == 200, response.content
    assert response.json()["archived"] is True
    assert fresh(ward, Person, person.pk).archive_reason == "重複登録"
    [event] = events(ward, person, AuditAction.ARCHIVE)
    assert event.detail == {"reason": "重複登録"}


# --- Merging and undoing a merge -----------------------------------------------------


@pytest.fixture
def duplicates(ward: Ward, counselor: Staff) -> tuple[Person, Person]:
    """One person registered twice (高橋/髙橋)."""
    survivor = make.person(counselor, ward.center, family_name="高橋", given_name="正")
    absorbed = make.person(counselor, ward.center, family_name="髙橋", given_name="正")
    make.household(counselor, ward.center, head=survivor)
    make.household(counselor, ward.center, head=absorbed)
    return survivor, absorbed


def test_two_records_are_merged_through_the_api(
    ward: Ward, counselor: Staff, duplicates: tuple[Person, Person]
) -> None:
    survivor, absorbed = duplicates
    client = token_client(counselor)
    url = f"/api/v1/persons/{survivor.pk}/merge/{absorbed.pk}"
    response = send(client, "post", url, {"reason": " "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["統合の理由を入力してください。"]}
    same = send(
        client, "post", f"/api/v1/persons/{survivor.pk}/merge/{survivor.pk}", {"reason": "x"}
    )
    assert same.status_code == 422
    assert same.json()["errors"] == {"__all__": ["同じ記録どうしは統合できません。"]}
    response = send(client, "post", url, {"reason": "同一人物"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["survivor_id"], body["absorbed_id"], body["merged_by_id"]) == (
        survivor.pk,
        absorbed.pk,
        counselor.pk,
    )
    assert fresh(ward, Person, absorbed.pk).merged_into_id == survivor.pk
    [event] = [e for e in events(ward, survivor, AuditAction.CHANGE) if "merged" in e.detail]
    assert event.detail == {"merged": absorbed.pk, "merge": body["id"], "reason": "同一人物"}
    again = send(client, "post", url, {"reason": "同一人物"})
    assert again.status_code == 422
    assert JAPANESE.search(again.json()["detail"])


def test_a_merge_is_refused_to_roles_the_page_refuses_and_for_unseen_persons(
    ward: Ward,
    counselor: Staff,
    duplicates: tuple[Person, Person],
    theirs: Household,
    foreign: Household,
) -> None:
    survivor, absorbed = duplicates
    payload = {"reason": "同一人物"}
    refused = send(
        token_client(ward.member(Role.MANAGER)),
        "post",
        f"/api/v1/persons/{survivor.pk}/merge/{absorbed.pk}",
        payload,
    )
    assert refused.status_code == 403
    client = token_client(counselor)
    for other in (theirs, foreign):
        stranger = head_of(other)
        for url in (
            f"/api/v1/persons/{survivor.pk}/merge/{stranger.pk}",
            f"/api/v1/persons/{stranger.pk}/merge/{survivor.pk}",
        ):
            response = send(client, "post", url, payload)
            assert (response.status_code, response.json()) == (404, NOT_FOUND)
    with tenancy.tenant_context(ward.municipality):
        assert not PersonMerge.objects.exists()


def test_a_merge_is_undone_through_the_api(
    ward: Ward, counselor: Staff, duplicates: tuple[Person, Person], other_ward: Ward
) -> None:
    survivor, absorbed = duplicates
    with tenancy.tenant_context(ward.municipality):
        merge = person_merge(
            actor=counselor, survivor=survivor, absorbed=absorbed, reason="同一人物"
        )
    url = f"/api/v1/person-merges/{merge.pk}/undo"
    refused = send(token_client(counselor), "post", url, {"reason": "別人と判明"})
    assert refused.status_code == 403
    stranger = send(
        token_client(other_ward.member(Role.ORG_MANAGER)), "post", url, {"reason": "別人と判明"}
    )
    assert (stranger.status_code, stranger.json()) == (404, NOT_FOUND)
    manager = ward.member(Role.ORG_MANAGER)
    client = token_client(manager)
    response = send(client, "post", url, {"reason": ""})
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["取り消しの理由を入力してください。"]}
    response = send(client, "post", url, {"reason": "別人と判明"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["undone_by_id"], body["undo_reason"]) == (manager.pk, "別人と判明")
    assert fresh(ward, Person, absorbed.pk).merged_into_id is None
    [event] = [e for e in events(ward, survivor, AuditAction.CHANGE) if "merge_undone" in e.detail]
    assert event.actor == manager
    again = send(client, "post", url, {"reason": "別人と判明"})
    assert again.status_code == 422
    assert again.json()["errors"] == {"__all__": ["この統合はすでに取り消されています。"]}
