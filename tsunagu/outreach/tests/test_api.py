"""The outreach API at /api/v1/: a household's contacts and months, recording
and correcting a contact, the work list — under the same policy and audit as
the pages: each contact with its basis, nothing shown to an organization
without one (404, audited), only the recording organization correcting,
and Japanese messages for what the service refuses."""

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
from tsunagu.api.root import operations
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.cases.models import Case
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.outreach.models import OutreachContact, OutreachVisitor
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.people.models import Household, Person, Relationship
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.routes import undeclared_api_operations

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NOT_FOUND = {"detail": "見つかりません。"}
CONTACT_TYPE = "outreach.outreachcontact"


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def post_json(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def put_json(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.put(url, json.dumps(payload or {}), content_type="application/json")


@dataclass
class World:
    """地域包括支援センター北 (``counselor``) registered the 架空 household (a mother
    and her son who stays in his room); 障害者相談支援センター (``visitor``) goes
    along on visits; 地域包括支援センター南 (``south``) has no basis to it."""

    ward: Ward
    counselor: Staff
    visitor: Staff
    visitor_organization: Organization
    south: Staff
    household: Household
    head: Person
    son: Person
    neighbour: Person

    def tenant(self) -> Any:
        return tenancy.tenant_context(self.ward.municipality)

    def contact(self, **fields: Any) -> OutreachContact:
        values: dict[str, Any] = {
            "method": "visit",
            "result": "absent",
            "intent": "relationship",
            "stage_after": "none",
            "content": "手紙を投函した。",
        }
        values.update(fields)
        with self.tenant():
            return outreach_contact_record(
                actor=self.counselor,
                organization=self.ward.center,
                household=self.household,
                **values,
            )


@pytest.fixture
def world(ward: Ward) -> World:
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        disability = Organization.objects.create(
            name="障害者相談支援センター", kind=Organization.Kind.CENTER
        )
    head = rf.person(counselor, ward.center, family_name="架空", given_name="一子")
    son = rf.person(
        counselor,
        ward.center,
        family_name="架空",
        given_name="二郎",
        given_name_kana="じろう",
        birth_date=datetime.date(1978, 6, 1),
    )
    household = rf.household(counselor, ward.center, head=head, members=[(son, Relationship.CHILD)])
    neighbour = rf.person(counselor, ward.center, family_name="別所", given_name="三郎")
    rf.household(counselor, ward.center, head=neighbour)
    return World(
        ward=ward,
        counselor=counselor,
        visitor=rf.staff_at(ward, disability, Role.COUNSELOR, "disability-outreach"),
        visitor_organization=disability,
        south=rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor"),
        household=household,
        head=head,
        son=son,
        neighbour=neighbour,
    )


def payload(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "method": "visit",
        "result": "through_door",
        "direction": "outgoing",
        "intent": "relationship",
        "intent_note": "顔を覚えてもらう",
        "stage_after": "contact",
        "content": "ドア越しに挨拶ができた。",
        "next_step": "来月も同じ曜日に訪問",
        "next_on": (timezone.localdate() + datetime.timedelta(days=28)).isoformat(),
    }
    values.update(overrides)
    return values


# --- Declared, authenticated, described ----------------------------------------------

OPERATIONS = {
    "outreach_worklist",
    "outreach_contact_list",
    "outreach_months",
    "outreach_contact_create",
    "outreach_contact_detail",
    "outreach_contact_update",
}


def test_every_operation_is_declared_to_the_policy_and_authenticated() -> None:
    found = [op for op in operations() if op.view_func.__name__ in OPERATIONS]
    assert {op.view_func.__name__ for op in found} == OPERATIONS
    assert undeclared_api_operations(found) == []


def test_openapi_document_describes_the_operations_in_japanese(ward: Ward) -> None:
    paths = as_staff(ward.member(Role.COUNSELOR)).get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/households/{household_id}/outreach-contacts": {"get", "post"},
        "/api/v1/households/{household_id}/outreach-months": {"get"},
        "/api/v1/outreach-contacts/{contact_id}": {"get", "put"},
        "/api/v1/outreach-contacts/worklist": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for operation in paths[path].values():
            assert JAPANESE.search(operation["summary"]), operation


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/outreach-contacts/worklist"),
        ("get", "/api/v1/households/1/outreach-contacts"),
        ("post", "/api/v1/households/1/outreach-contacts"),
        ("get", "/api/v1/households/1/outreach-months"),
        ("get", "/api/v1/outreach-contacts/1"),
        ("put", "/api/v1/outreach-contacts/1"),
    ],
)
def test_without_authentication_the_answer_is_a_japanese_401(method: str, url: str) -> None:
    client = Client()
    if method == "get":
        response = client.get(url)
    elif method == "post":
        response = post_json(client, url, payload())
    else:
        response = put_json(client, url, payload())
    assert response.status_code == 401
    assert "ログインが必要です" in response.json()["detail"]


# --- Recording -----------------------------------------------------------------------


def test_a_joint_visit_is_recorded_for_the_acting_organization(world: World) -> None:
    url = f"/api/v1/households/{world.household.pk}/outreach-contacts"
    response = post_json(
        as_staff(world.counselor),
        url,
        payload(
            person_id=world.son.pk,
            visitors=[
                {"staff_id": world.visitor.pk, "organization_id": world.visitor_organization.pk}
            ],
        ),
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    contact = OutreachContact.all_tenants.get(pk=body["id"])
    assert contact.organization == world.ward.center
    assert contact.household_id == world.household.pk
    assert (body["organization"], body["person_id"], body["person"]) == (
        "地域包括支援センター北",
        world.son.pk,
        "架空　二郎",
    )
    assert (body["result_label"], body["stage_after_label"], body["reached"]) == (
        "ドア越し",
        "接触",
        True,
    )
    assert (body["basis"], body["basis_label"]) == ("own_organization", "自機関の記録")
    assert {(v["staff_id"], v["organization"]) for v in body["visitors"]} == {
        (world.counselor.pk, "地域包括支援センター北"),
        (world.visitor.pk, "障害者相談支援センター"),
    }
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type=CONTACT_TYPE, object_id=str(contact.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"occurred_at": (timezone.now() + datetime.timedelta(days=1)).isoformat()},
            "occurred_at",
            "未来の日時は記録できません",
        ),
        (
            {
                "occurred_at": (timezone.now() - datetime.timedelta(days=3)).isoformat(),
                "next_on": (timezone.localdate() - datetime.timedelta(days=5)).isoformat(),
            },
            "next_on",
            "次回予定日は、今回の日付以降にしてください",
        ),
        ({"person_id": "neighbour"}, "person_id", "この世帯の世帯員を選んでください"),
    ],
    ids=["future", "next-before-occurred", "not-a-member"],
)
def test_a_contact_the_service_refuses_is_a_japanese_422(
    world: World, overrides: dict[str, Any], field: str, message: str
) -> None:
    if overrides.get("person_id") == "neighbour":
        overrides = {"person_id": world.neighbour.pk}
    before = OutreachContact.all_tenants.count()
    response = post_json(
        as_staff(world.counselor),
        f"/api/v1/households/{world.household.pk}/outreach-contacts",
        payload(**overrides),
    )
    assert response.status_code == 422, response.content.decode()
    body = response.json()
    assert body["detail"] == "入力内容に誤りがあります。"
    assert list(body["errors"]) == [field]
    assert message in body["errors"][field][0]
    assert OutreachContact.all_tenants.count() == before


def test_a_visitor_who_does_not_belong_to_the_organization_named_is_refused(
    world: World,
) -> None:
    response = post_json(
        as_staff(world.counselor),
        f"/api/v1/households/{world.household.pk}/outreach-contacts",
        payload(visitors=[{"staff_id": world.visitor.pk, "organization_id": world.ward.center.pk}]),
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"visitors"}
    assert JAPANESE.search(response.json()["errors"]["visitors"][0])
    assert not OutreachContact.all_tenants.exists()


def test_a_case_the_organization_does_not_work_on_cannot_be_linked(world: World) -> None:
    coordinator = world.ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, world.ward.coordinating, world.household)
    response = post_json(
        as_staff(world.counselor),
        f"/api/v1/households/{world.household.pk}/outreach-contacts",
        payload(case_id=case.pk),
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"case_id"}
    # Once a consent names the centre, it works on the case and may link to it.
    cf.consent(coordinator, case, organizations=[world.ward.center])
    response = post_json(
        as_staff(world.counselor),
        f"/api/v1/households/{world.household.pk}/outreach-contacts",
        payload(case_id=case.pk),
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["case_id"] == case.pk


def test_an_organization_without_a_basis_to_the_household_cannot_record(world: World) -> None:
    response = post_json(
        as_staff(world.south),
        f"/api/v1/households/{world.household.pk}/outreach-contacts",
        payload(),
    )
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert not OutreachContact.all_tenants.exists()


def test_an_emergency_opening_does_not_let_one_record(world: World) -> None:
    from tsunagu.people.services import emergency_access_open

    with world.tenant():
        emergency_access_open(
            actor=world.south,
            organization_id=world.ward.other_center.pk,
            household=world.household,
            reason="近隣から安否確認の通報があったため",
        )
    response = post_json(
        as_staff(world.south),
        f"/api/v1/households/{world.household.pk}/outreach-contacts",
        payload(),
    )
    assert response.status_code == 404
    assert not OutreachContact.all_tenants.exists()


# --- Reading -------------------------------------------------------------------------


def test_list_and_detail_carry_the_basis_and_are_audited(world: World) -> None:
    older = world.contact(occurred_at=timezone.now() - datetime.timedelta(days=2))
    newer = world.contact(result="met", stage_after="conversation", person=world.son)
    client = as_staff(world.counselor)
    body = client.get(f"/api/v1/households/{world.household.pk}/outreach-contacts").json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [newer.pk, older.pk]
    assert {item["basis"] for item in body["items"]} == {"own_organization"}
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, actor=world.counselor).latest("id")
    assert (listed.object_type, listed.basis, listed.detail) == (
        CONTACT_TYPE,
        "own_organization",
        {"via": "api", "household": world.household.pk},
    )

    detail = client.get(f"/api/v1/outreach-contacts/{newer.pk}").json()
    assert (detail["result"], detail["person"], detail["basis"]) == (
        "met",
        "架空　二郎",
        "own_organization",
    )
    viewed = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_type=CONTACT_TYPE, object_id=str(newer.pk)
    )
    assert (viewed.actor, viewed.basis) == (world.counselor, "own_organization")


def test_an_organization_without_a_basis_gets_404_not_403(world: World) -> None:
    contact = world.contact()
    client = as_staff(world.south)
    for url in (
        f"/api/v1/households/{world.household.pk}/outreach-contacts",
        f"/api/v1/households/{world.household.pk}/outreach-months",
        f"/api/v1/outreach-contacts/{contact.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND
    response = put_json(client, f"/api/v1/outreach-contacts/{contact.pk}", payload())
    assert response.status_code == 404
    assert client.get("/api/v1/outreach-contacts/worklist").json()["count"] == 0
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, actor=world.south).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DENY,
        actor=world.south,
        object_type=CONTACT_TYPE,
        object_id=str(contact.pk),
    ).exists()


def test_another_municipality_s_contacts_are_404(world: World, other_ward: Ward) -> None:
    stranger = other_ward.member(Role.COUNSELOR)
    theirs = rf.household(stranger, other_ward.center)
    with tenancy.tenant_context(other_ward.municipality):
        contact = outreach_contact_record(
            actor=stranger,
            organization=other_ward.center,
            household=theirs,
            method="visit",
            result="absent",
            intent="safety",
            stage_after="none",
        )
    client = as_staff(world.counselor)
    for url in (
        f"/api/v1/households/{theirs.pk}/outreach-contacts",
        f"/api/v1/households/{theirs.pk}/outreach-months",
        f"/api/v1/outreach-contacts/{contact.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert put_json(client, f"/api/v1/outreach-contacts/{contact.pk}", payload()).status_code == 404
    assert (
        post_json(
            client, f"/api/v1/households/{theirs.pk}/outreach-contacts", payload()
        ).status_code
        == 404
    )


def test_the_coordinating_section_sees_only_the_contacts_made_for_its_case(world: World) -> None:
    coordinator = world.ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, world.ward.coordinating, world.household)
    untied = world.contact()
    with world.tenant():
        tied = world.contact(case=Case.objects.get(pk=case.pk))
    client = as_staff(coordinator)
    body = client.get(f"/api/v1/households/{world.household.pk}/outreach-contacts").json()
    assert [(item["id"], item["basis"]) for item in body["items"]] == [(tied.pk, "coordinator")]
    assert client.get(f"/api/v1/outreach-contacts/{untied.pk}").status_code == 404
    # Reading is not correcting: the recording organization's record stays its own.
    response = put_json(client, f"/api/v1/outreach-contacts/{tied.pk}", payload())
    assert response.status_code == 404


def test_the_months_show_counts_and_the_stage_carried_over(world: World) -> None:
    today = timezone.localdate()
    first_day = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    first = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time(10)))
    world.contact(occurred_at=first, result="absent", stage_after="none")
    world.contact(
        occurred_at=first + datetime.timedelta(days=2), result="through_door", stage_after="contact"
    )
    world.contact(occurred_at=timezone.now(), result="met", stage_after="conversation")
    response = as_staff(world.counselor).get(
        f"/api/v1/households/{world.household.pk}/outreach-months"
    )
    assert response.status_code == 200
    months = response.json()
    assert [(m["year"], m["month"]) for m in months] == [
        (first_day.year, first_day.month),
        (today.year, today.month),
    ]
    last_month, this_month = months
    assert (last_month["count"], last_month["reached"], last_month["stage"]) == (2, 1, "contact")
    assert last_month["stage_changed"] is True
    assert (this_month["count"], this_month["met"], this_month["stage_label"]) == (1, 1, "会話")
    assert this_month["stage_moved_forward"] is True
    assert JAPANESE.search(this_month["label"])
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, actor=world.counselor).latest("id")
    assert listed.basis == "own_organization"
    assert len(listed.detail["shown"]) == 3


def test_the_worklist_puts_overdue_households_first(world: World) -> None:
    other = rf.household(
        world.counselor,
        world.ward.center,
        head=rf.person(world.counselor, world.ward.center, family_name="田中"),
    )
    world.contact(next_on=timezone.localdate() + datetime.timedelta(days=7))
    with world.tenant():
        late = outreach_contact_record(
            actor=world.counselor,
            organization=world.ward.center,
            household=other,
            occurred_at=timezone.now() - datetime.timedelta(days=20),
            method="phone",
            result="no_response",
            intent="safety",
            stage_after="none",
            next_on=timezone.localdate() - datetime.timedelta(days=3),
        )
    body = as_staff(world.counselor).get("/api/v1/outreach-contacts/worklist").json()
    assert body["count"] == 2
    first, second = body["items"]
    assert (first["household_id"], first["overdue"], first["last_contact_id"]) == (
        other.pk,
        True,
        late.pk,
    )
    assert (second["household_id"], second["overdue"]) == (world.household.pk, False)
    assert first["basis"] == "own_organization"
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, actor=world.counselor).latest("id")
    assert listed.detail["page"] == "worklist"


# --- Correcting ----------------------------------------------------------------------


def test_the_recording_organization_corrects_a_contact(world: World) -> None:
    contact = world.contact(occurred_at=timezone.now() - datetime.timedelta(days=1))
    response = put_json(
        as_staff(world.counselor),
        f"/api/v1/outreach-contacts/{contact.pk}",
        payload(
            occurred_at=None,
            result="met",
            stage_after="conversation",
            person_id=world.head.pk,
            next_on=None,
        ),
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["result"], body["stage_after"], body["person_id"], body["next_on"]) == (
        "met",
        "conversation",
        world.head.pk,
        None,
    )
    fresh = OutreachContact.all_tenants.get(pk=contact.pk)
    assert fresh.occurred_at == contact.occurred_at  # left out: unchanged
    assert fresh.updated_by == world.counselor
    changed = AuditEvent.objects.get(
        action=AuditAction.CHANGE, object_type=CONTACT_TYPE, object_id=str(contact.pk)
    )
    assert {"result", "stage_after"} <= set(changed.detail["fields"])


def test_a_joint_visitor_s_organization_reads_the_contact_but_does_not_correct_it(
    world: World,
) -> None:
    contact = world.contact(visitors=[(world.visitor, world.visitor_organization)])
    assert OutreachVisitor.all_tenants.filter(contact=contact).count() == 2
    client = as_staff(world.visitor)
    response = client.get(f"/api/v1/outreach-contacts/{contact.pk}")
    assert response.status_code == 200
    assert response.json()["basis"] == "own_organization"
    response = put_json(client, f"/api/v1/outreach-contacts/{contact.pk}", payload(result="met"))
    assert response.status_code == 404
    assert OutreachContact.all_tenants.get(pk=contact.pk).result == "absent"


def test_a_correction_the_service_refuses_changes_nothing(world: World) -> None:
    contact = world.contact()
    response = put_json(
        as_staff(world.counselor),
        f"/api/v1/outreach-contacts/{contact.pk}",
        payload(occurred_at=(timezone.now() + datetime.timedelta(days=2)).isoformat()),
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"occurred_at"}
    assert OutreachContact.all_tenants.get(pk=contact.pk).result == "absent"
