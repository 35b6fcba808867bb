"""The residents' API at /api/v1/: persons, households, consultations and
referrals through the policy, each object with its basis, views and lists on
the audit trail, Japanese errors, and the receiver of a referral kept from
the household's identity until it accepts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.acting import SESSION_KEY as ACTING_ORGANIZATION_SESSION_KEY
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.api.root import operations
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.consultations.models import Consultation, Topic
from tsunagu.core import tenancy
from tsunagu.people.models import Household, HouseholdMembership, Person, Relationship
from tsunagu.people.services import emergency_access_open, person_create
from tsunagu.referrals.models import Referral, Status
from tsunagu.referrals.services import referral_create
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward, add_member
from tsunagu.tests.routes import undeclared_api_operations

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NOT_FOUND = {"detail": "見つかりません。"}


def token_client(staff: Staff) -> Client:
    """A client authenticated by a bearer token (no session, CSRF enforced)."""
    with tenancy.tenant_context(staff.municipality):
        _token, raw = api_token_create(actor=staff, name="連携テスト")
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {raw}"})


def post_json(client: Client, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


def views_of(object_type: str, pk: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, object_type=object_type, object_id=str(pk)
        )
    )


@dataclass
class Case:
    """A household of 地域包括支援センター北 (the ward's counselor), one of
    地域包括支援センター南 (another counselor of the same ward), and one of another ward."""

    ward: Ward
    counselor: Staff
    neighbour: Staff
    head: Person
    daughter: Person
    household: Household
    consultation: Consultation
    theirs: Household
    their_person: Person
    their_consultation: Consultation
    foreign: Household
    foreign_person: Person
    foreign_consultation: Consultation


@pytest.fixture
def case(ward: Ward, other_ward: Ward) -> Case:
    counselor = ward.member(Role.COUNSELOR)
    neighbour = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor")
    head = make.person(counselor, ward.center)
    daughter = make.person(
        counselor, ward.center, given_name="由美", given_name_kana="ゆみ", birth_date=None
    )
    household = make.household(
        counselor, ward.center, head=head, members=[(daughter, Relationship.CHILD)]
    )
    consultation = make.consultation(
        counselor, ward.center, household, subjects=[head], topics=[Topic.HEALTH]
    )
    their_person = make.person(
        neighbour, ward.other_center, family_name="佐藤", family_name_kana="さとう"
    )
    theirs = make.household(neighbour, ward.other_center, head=their_person)
    their_consultation = make.consultation(neighbour, ward.other_center, theirs)
    stranger = other_ward.member(Role.COUNSELOR)
    foreign_person = make.person(stranger, other_ward.center)
    foreign = make.household(stranger, other_ward.center, head=foreign_person)
    foreign_consultation = make.consultation(stranger, other_ward.center, foreign)
    return Case(
        ward,
        counselor,
        neighbour,
        head,
        daughter,
        household,
        consultation,
        theirs,
        their_person,
        their_consultation,
        foreign,
        foreign_person,
        foreign_consultation,
    )


# --- Declared, authenticated, described --------------------------------------------------


RESIDENT_OPERATIONS = {
    "/api/v1/persons": {"get", "post"},
    "/api/v1/persons/{person_id}": {"get"},
    "/api/v1/households": {"get", "post"},
    "/api/v1/households/{household_id}": {"get", "put"},
    "/api/v1/consultations": {"get", "post"},
    "/api/v1/consultations/{consultation_id}": {"get"},
    "/api/v1/referrals": {"get", "post"},
    "/api/v1/referrals/{referral_id}": {"get"},
    "/api/v1/referrals/{referral_id}/transition": {"post"},
}


def test_every_operation_is_declared_to_the_policy_and_authenticated() -> None:
    found = operations()
    names = {operation.view_func.__name__ for operation in found}
    assert {
        "person_list",
        "person_detail",
        "person_create",
        "household_list",
        "household_detail",
        "household_create",
        "consultation_list",
        "consultation_detail",
        "consultation_create",
        "referral_list",
        "referral_detail",
        "referral_create",
        "referral_transition",
    } <= names
    assert undeclared_api_operations(found) == []


@pytest.mark.django_db
def test_openapi_document_describes_the_resident_operations_in_japanese(ward: Ward) -> None:
    client = Client()
    client.force_login(ward.member(Role.COUNSELOR))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, methods in RESIDENT_OPERATIONS.items():
        assert set(paths[path]) == methods, path
        for operation in paths[path].values():
            assert JAPANESE.search(operation["summary"]), operation


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/persons"),
        ("get", "/api/v1/persons/1"),
        ("post", "/api/v1/persons"),
        ("get", "/api/v1/households"),
        ("get", "/api/v1/households/1"),
        ("post", "/api/v1/households"),
        ("get", "/api/v1/consultations?q=介護"),
        ("get", "/api/v1/consultations/1"),
        ("post", "/api/v1/consultations"),
        ("get", "/api/v1/referrals?box=sent"),
        ("get", "/api/v1/referrals/1"),
        ("post", "/api/v1/referrals"),
        ("post", "/api/v1/referrals/1/transition"),
    ],
)
def test_without_authentication_the_answer_is_a_japanese_401(method: str, url: str) -> None:
    client = Client()
    response = client.get(url) if method == "get" else post_json(client, url, {})
    assert response.status_code == 401
    assert "ログインが必要です" in response.json()["detail"]


@pytest.mark.django_db
def test_a_revoked_or_unknown_token_is_a_401(case: Case) -> None:
    client = Client(headers={"authorization": "Bearer not-a-token"})
    assert client.get(f"/api/v1/households/{case.household.pk}").status_code == 401


@pytest.mark.django_db
def test_staff_without_casework_see_no_residents(case: Case) -> None:
    admin = case.ward.member(Role.SYSADMIN)
    client = token_client(admin)
    assert client.get("/api/v1/persons").status_code == 403
    assert client.get(f"/api/v1/households/{case.household.pk}").json() == NOT_FOUND
    assert client.get(f"/api/v1/persons/{case.head.pk}").json() == NOT_FOUND
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, actor=admin).exists()


# --- Persons -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_list_shows_only_what_the_organization_may_see_with_its_basis(case: Case) -> None:
    response = token_client(case.counselor).get("/api/v1/persons?limit=1")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert len(body["items"]) == 1
    rest = token_client(case.counselor).get("/api/v1/persons?offset=1").json()["items"]
    items = body["items"] + rest
    assert {p["id"] for p in items} == {case.head.pk, case.daughter.pk}
    assert {(p["basis"], p["basis_label"]) for p in items} == {("own_organization", "自機関の記録")}
    event = AuditEvent.objects.filter(action=AuditAction.LIST, actor=case.counselor).latest("id")
    assert event.object_type == "people.person"
    assert event.detail == {"via": "api"}


@pytest.mark.django_db
def test_person_search_folds_the_reading_and_is_audited(case: Case) -> None:
    response = token_client(case.counselor).get("/api/v1/persons", {"q": "スズキ ハナコ"})
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["items"]] == [case.head.pk]
    assert body["items"][0]["full_name"] == "鈴木　花子"
    assert body["items"][0]["basis"] == "own_organization"
    event = AuditEvent.objects.get(action=AuditAction.SEARCH, actor=case.counselor)
    assert event.object_type == "people.person"
    assert event.detail["results"] == [case.head.pk]

    # Another organization's 佐藤 is not found by those who have no basis.
    found = token_client(case.counselor).get("/api/v1/persons", {"q": "さとう"}).json()
    assert found["count"] == 0


@pytest.mark.django_db
def test_person_detail_carries_its_basis_and_its_visible_households(case: Case) -> None:
    response = token_client(case.counselor).get(f"/api/v1/persons/{case.daughter.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["full_name_kana"] == "すずき　ゆみ"
    assert body["basis"] == "own_organization"
    assert body["households"] == [
        {
            "household_id": case.household.pk,
            "relationship": "child",
            "relationship_label": "子",
            "started_on": timezone.localdate().isoformat(),
            "ended_on": None,
        }
    ]
    (event,) = views_of("people.person", case.daughter.pk)
    assert event.actor == case.counselor
    assert event.basis == "own_organization"


@pytest.mark.django_db
def test_another_organization_s_or_municipality_s_person_is_404(case: Case) -> None:
    client = token_client(case.counselor)
    for person in (case.their_person, case.foreign_person):
        response = client.get(f"/api/v1/persons/{person.pk}")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert views_of("people.person", person.pk) == []
    denials = AuditEvent.objects.filter(action=AuditAction.DENY, actor=case.counselor)
    assert {(d.object_type, d.object_id) for d in denials} == {
        ("people.person", str(case.their_person.pk)),
        ("people.person", str(case.foreign_person.pk)),
    }


PERSON = {
    "family_name": "髙橋",
    "given_name": "一郎",
    "family_name_kana": "たかはし",
    "given_name_kana": "いちろう",
    "sex": "male",
    "birth_date": "1961-05-06",
    "address": "テスト区北町4-5-6",
    "phone": "03-0000-1111",
}


@pytest.mark.django_db
def test_a_person_is_registered_for_the_acting_organization(case: Case) -> None:
    response = post_json(
        token_client(case.counselor),
        "/api/v1/persons",
        {**PERSON, "district_id": case.ward.districts[0].pk},
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    created = Person.all_tenants.get(pk=body["id"])
    assert created.municipality == case.ward.municipality
    assert created.registered_by == case.ward.center
    assert created.created_by == case.counselor
    assert created.district == case.ward.districts[0]
    assert body["registered_by_id"] == case.ward.center.pk
    assert body["sex_label"] == "男性"
    assert body["basis"] == "own_organization"
    assert body["households"] == []
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="people.person", object_id=str(created.pk)
    )
    assert event.actor == case.counselor


@pytest.mark.django_db
def test_registering_a_person_refuses_blank_names_and_foreign_districts_in_japanese(
    case: Case, other_ward: Ward
) -> None:
    before = Person.all_tenants.count()
    client = token_client(case.counselor)

    response = post_json(client, "/api/v1/persons", {**PERSON, "family_name": ""})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "入力内容に誤りがあります。"
    assert set(body["errors"]) == {"family_name"}
    assert JAPANESE.search(body["errors"]["family_name"][0])

    response = post_json(
        client, "/api/v1/persons", {**PERSON, "district_id": other_ward.districts[0].pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "district_id": ["指定された日常生活圏域が見つかりません。"]
    }

    response = post_json(client, "/api/v1/persons", {**PERSON, "family_name": "長" * 41})
    assert response.status_code == 422
    assert JAPANESE.search(response.json()["errors"]["family_name"][0])
    assert Person.all_tenants.count() == before


@pytest.mark.django_db
def test_the_acting_organization_is_one_the_staff_does_casework_for(ward: Ward) -> None:
    """One rule (accounts.acting): without a choice, the first organization where
    the action fits; a header naming one where it does not fit is refused, not replaced."""
    # The first organization (福祉政策課, the lowest id) is where they manage, not casework.
    staff = make.staff_at(ward, ward.coordinating, Role.MANAGER, "two-hats")
    add_member(staff, ward.center, Role.COUNSELOR)
    client = Client()
    client.force_login(staff)

    for named in (ward.coordinating.pk, ward.other_center.pk, "福祉政策課", "+5"):
        response = post_json(
            client, "/api/v1/persons", PERSON, HTTP_X_TSUNAGU_ORGANIZATION=str(named)
        )
        assert response.status_code == 403, named
        assert response.json() == {"detail": "指定された所属機関として操作する権限がありません。"}
    assert not Person.all_tenants.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENY, actor=staff).exists()

    response = post_json(client, "/api/v1/persons", PERSON)
    assert response.status_code == 201
    assert Person.all_tenants.get().registered_by == ward.center

    response = post_json(
        client,
        "/api/v1/persons",
        {**PERSON, "given_name": "二郎"},
        HTTP_X_TSUNAGU_ORGANIZATION=str(ward.center.pk),
    )
    assert response.status_code == 201
    assert Person.all_tenants.get(given_name="二郎").registered_by == ward.center

    session = client.session
    session[ACTING_ORGANIZATION_SESSION_KEY] = ward.center.pk
    session.save()
    response = post_json(client, "/api/v1/persons", {**PERSON, "given_name": "三郎"})
    assert response.status_code == 201
    assert Person.all_tenants.get(given_name="三郎").registered_by == ward.center


# --- Households ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_household_list_carries_the_basis_and_is_audited(case: Case) -> None:
    response = token_client(case.counselor).get("/api/v1/households")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == case.household.pk
    assert item["label"] == "鈴木　花子"
    assert item["number"] == f"H{case.household.pk:07d}"
    assert item["registered_by"] == case.ward.center.name
    assert item["basis"] == "own_organization"
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, actor=case.counselor, object_type="people.household"
    ).exists()


@pytest.mark.django_db
def test_household_detail_shows_members_and_timeline_with_bases(case: Case) -> None:
    response = token_client(case.counselor).get(f"/api/v1/households/{case.household.pk}")
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["basis"] == "own_organization"
    assert [
        (m["full_name"], m["relationship"], m["relationship_label"]) for m in body["members"]
    ] == [
        ("鈴木　花子", "head", "世帯主"),
        ("鈴木　由美", "child", "子"),
    ]
    assert body["former_members"] == []
    kinds = [event["kind"] for event in body["timeline"]]
    assert kinds.count("membership") == 2
    (consulted,) = [e for e in body["timeline"] if e["kind"] == "consultation"]
    assert consulted["organization"] == case.ward.center.name
    assert consulted["basis"] == "own_organization"
    assert consulted["basis_label"] == "自機関の記録"
    assert all(event["basis"] for event in body["timeline"])
    assert body["organizations"] == [{"name": case.ward.center.name, "roles": ["相談受付"]}]

    (event,) = views_of("people.household", case.household.pk)
    assert event.actor == case.counselor
    assert event.basis == "own_organization"
    shown = AuditEvent.objects.get(
        action=AuditAction.LIST, object_type="people.household", object_id=str(case.household.pk)
    )
    assert shown.detail["shown"] == {"consultation": [case.consultation.pk], "referral": []}


@pytest.mark.django_db
def test_another_organization_s_or_municipality_s_household_is_404(case: Case) -> None:
    client = token_client(case.counselor)
    for household in (case.theirs, case.foreign):
        response = client.get(f"/api/v1/households/{household.pk}")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert views_of("people.household", household.pk) == []
    assert client.get("/api/v1/households/999999").json() == NOT_FOUND


@pytest.mark.django_db
def test_an_emergency_opening_reads_the_household_but_records_nothing_on_it(case: Case) -> None:
    with tenancy.tenant_context(case.ward.municipality):
        emergency_access_open(
            actor=case.neighbour,
            organization_id=case.ward.other_center.pk,
            household=case.household,
            reason="本人と連絡が取れず、安否確認のため至急確認が必要。",
        )
    client = token_client(case.neighbour)
    response = client.get(f"/api/v1/households/{case.household.pk}")
    assert response.status_code == 200
    assert response.json()["basis"] == "emergency"
    assert {e["basis"] for e in response.json()["timeline"]} == {"emergency"}
    (event,) = views_of("people.household", case.household.pk)
    assert event.basis == "emergency"

    response = post_json(client, "/api/v1/consultations", consultation_payload(case.household))
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"household_id"}


@pytest.mark.django_db
def test_a_household_is_registered_with_its_head(case: Case) -> None:
    client = token_client(case.counselor)
    person = post_json(client, "/api/v1/persons", PERSON).json()

    response = post_json(
        client,
        "/api/v1/households",
        {"head_person_id": person["id"], "phone": "03-2222-3333", "note": "二人暮らし"},
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["basis"] == "own_organization"
    assert body["address"] == PERSON["address"]
    assert body["label"] == "髙橋　一郎"
    assert [(m["person_id"], m["relationship"]) for m in body["members"]] == [
        (person["id"], "head")
    ]
    created = Household.all_tenants.get(pk=body["id"])
    assert created.registered_by == case.ward.center
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="people.household", object_id=str(created.pk)
    ).exists()


@pytest.mark.django_db
def test_a_household_cannot_be_built_around_someone_else_s_person(case: Case) -> None:
    before = (Household.all_tenants.count(), HouseholdMembership.all_tenants.count())
    client = token_client(case.counselor)
    for person in (case.their_person, case.foreign_person):
        response = post_json(client, "/api/v1/households", {"head_person_id": person.pk})
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert set(errors) == {"head_person_id"}
        assert JAPANESE.search(errors["head_person_id"][0])
    assert (Household.all_tenants.count(), HouseholdMembership.all_tenants.count()) == before


# --- Consultations ------------------------------------------------------------------------


def consultation_payload(household: Household | None = None, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "channel": "phone",
        "consulter": "minsei_iin",
        "consulter_note": "北町担当の民生委員",
        "household_id": household.pk if household else None,
        "main_topic": "housing",
        "topics": ["income", "rent_loan"],
        "life_issues": ["housing", "isolation"],
        "summary": "家賃の滞納が続き、退去を求められているとの相談。",
        "urgency": "soon",
        "consent_to_share": "obtained",
        "outcome": "continue_here",
    }
    payload.update(overrides)
    return payload


@pytest.mark.django_db
def test_consultation_list_and_word_search(case: Case) -> None:
    client = token_client(case.counselor)
    body = client.get("/api/v1/consultations").json()
    assert [c["id"] for c in body["items"]] == [case.consultation.pk]
    item = body["items"][0]
    assert item["basis"] == "own_organization"
    assert item["organization"] == case.ward.center.name
    assert item["topics"] == ["health", "care"]
    assert item["subject_ids"] == [case.head.pk]

    found = client.get("/api/v1/consultations", {"q": "物忘れ"}).json()
    assert [c["id"] for c in found["items"]] == [case.consultation.pk]
    assert client.get("/api/v1/consultations", {"q": "退去"}).json()["count"] == 0
    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH, actor=case.counselor)
    assert {e.object_type for e in searches} == {"consultations.consultation"}
    assert sorted(e.detail["results"] for e in searches) == [[], [case.consultation.pk]]


@pytest.mark.django_db
def test_consultation_detail_is_audited_with_its_basis(case: Case) -> None:
    response = token_client(case.counselor).get(f"/api/v1/consultations/{case.consultation.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == f"C{case.consultation.pk:07d}"
    assert body["household_id"] == case.household.pk
    assert body["main_topic_label"] == "介護"
    assert body["basis"] == "own_organization"
    (event,) = views_of("consultations.consultation", case.consultation.pk)
    assert event.actor == case.counselor
    assert event.basis == "own_organization"


@pytest.mark.django_db
def test_another_organization_s_or_municipality_s_consultation_is_404(case: Case) -> None:
    client = token_client(case.counselor)
    for consultation in (case.their_consultation, case.foreign_consultation):
        response = client.get(f"/api/v1/consultations/{consultation.pk}")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert views_of("consultations.consultation", consultation.pk) == []


@pytest.mark.django_db
def test_a_consultation_is_recorded_for_the_acting_organization(case: Case) -> None:
    response = post_json(
        token_client(case.counselor),
        "/api/v1/consultations",
        consultation_payload(case.household, subject_ids=[case.daughter.pk]),
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    created = Consultation.all_tenants.get(pk=body["id"])
    assert created.organization == case.ward.center
    assert created.received_by == case.counselor
    assert created.household == case.household
    assert body["topics"] == ["housing", "income", "rent_loan"]  # the main one always checked
    assert body["life_issues"] == ["housing", "isolation"]
    assert body["subject_ids"] == [case.daughter.pk]
    assert body["urgency_label"] == "早めの対応が必要"
    assert body["basis"] == "own_organization"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        object_type="consultations.consultation",
        object_id=str(created.pk),
    ).exists()


@pytest.mark.django_db
def test_consultation_rules_are_answered_in_japanese_naming_the_field(case: Case) -> None:
    client = token_client(case.counselor)
    before = Consultation.all_tenants.count()

    # Neither household, subject nor a clue: the service's rule.
    response = post_json(client, "/api/v1/consultations", consultation_payload())
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "入力内容に誤りがあります。"
    assert set(body["errors"]) == {"unknown_subject"}
    assert "手がかり" in body["errors"]["unknown_subject"][0]

    # An empty summary: the model's rule.
    response = post_json(
        client, "/api/v1/consultations", consultation_payload(case.household, summary="")
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"summary"}
    assert JAPANESE.search(response.json()["errors"]["summary"][0])

    # From the future.
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = post_json(
        client, "/api/v1/consultations", consultation_payload(case.household, received_at=later)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"received_at": ["受付日時が未来になっています。"]}

    # Another organization's household and person, an unknown feature.
    response = post_json(
        client,
        "/api/v1/consultations",
        consultation_payload(
            case.theirs, subject_ids=[case.their_person.pk], case_feature_ids=[999999]
        ),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"household_id", "subject_ids", "case_feature_ids"}
    assert all(JAPANESE.search(messages[0]) for messages in errors.values())

    # A choice outside the list is refused by the schema, in the same envelope.
    response = post_json(
        client, "/api/v1/consultations", consultation_payload(case.household, channel="fax")
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "入力内容に誤りがあります。"
    assert "channel" in json.dumps(response.json()["errors"])
    assert Consultation.all_tenants.count() == before


# --- Referrals ----------------------------------------------------------------------------


def referral_payload(case: Case, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "to_organization_id": case.ward.other_center.pk,
        "household_id": case.household.pk,
        "person_ids": [case.head.pk],
        "consultation_id": case.consultation.pk,
        "request": "介護保険の申請について相談に乗ってください。",
        "shared_summary": "母の物忘れが増え、長女が介護に悩んでいる。",
        "shared_items": ["identity", "consultation"],
        "sharing_basis": "consent",
        "due_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }
    payload.update(overrides)
    return payload


def transition(client: Client, referral_id: int, **payload: Any) -> Any:
    return post_json(client, f"/api/v1/referrals/{referral_id}/transition", payload)


@pytest.mark.django_db
def test_a_past_answer_date_is_refused_by_the_service_in_the_api_as_on_the_page(
    case: Case,
) -> None:
    """The rule lives in the service (referral_create), so the API refuses what the form does."""
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = post_json(
        token_client(case.counselor), "/api/v1/referrals", referral_payload(case, due_on=yesterday)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"due_on": ["回答期限に過去の日付は指定できません。"]}
    assert not Referral.all_tenants.exists()


@pytest.mark.django_db
def test_a_referral_is_created_and_sent(case: Case) -> None:
    response = post_json(token_client(case.counselor), "/api/v1/referrals", referral_payload(case))
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    referral = Referral.all_tenants.get(pk=body["id"])
    assert referral.from_organization == case.ward.center
    assert body["status"] == "requested"
    assert body["status_label"] == "送付"
    assert body["version"] == 2
    assert body["basis"] == "own_organization"
    # The sender knows whom it is about.
    assert body["household_id"] == case.household.pk
    assert body["person_ids"] == [case.head.pk]
    assert body["consultation_id"] == case.consultation.pk
    assert body["identity_withheld"] is False
    assert body["allowed_transitions"] == ["cancelled"]
    assert [e["to_status"] for e in body["events"]] == ["draft", "requested"]
    assert {e["organization"] for e in body["events"]} == {case.ward.center.name}

    sent = token_client(case.counselor).get("/api/v1/referrals?box=sent").json()
    assert [r["id"] for r in sent["items"]] == [referral.pk]
    assert token_client(case.counselor).get("/api/v1/referrals").json()["count"] == 0


@pytest.mark.django_db
def test_a_draft_stays_with_the_sender(case: Case) -> None:
    response = post_json(
        token_client(case.counselor), "/api/v1/referrals", referral_payload(case, send=False)
    )
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert response.json()["allowed_transitions"] == ["requested", "cancelled"]
    client = token_client(case.neighbour)
    assert client.get("/api/v1/referrals").json()["count"] == 0
    assert client.get(f"/api/v1/referrals/{response.json()['id']}").json() == NOT_FOUND


@pytest.mark.django_db
def test_the_receiver_gets_identity_only_once_it_accepts(case: Case) -> None:
    sent = post_json(token_client(case.counselor), "/api/v1/referrals", referral_payload(case))
    referral_id = sent.json()["id"]
    receiver = token_client(case.neighbour)

    inbox = receiver.get("/api/v1/referrals?box=received").json()
    (item,) = inbox["items"]
    assert item["id"] == referral_id
    assert item["basis"] == "referral"
    assert item["shared_summary"] == "母の物忘れが増え、長女が介護に悩んでいる。"
    assert (item["household_id"], item["person_ids"], item["consultation_id"]) == (None, [], None)
    assert item["identity_withheld"] is True
    assert item["allowed_transitions"] == ["accepted", "rejected"]

    detail = receiver.get(f"/api/v1/referrals/{referral_id}").json()
    assert (detail["household_id"], detail["person_ids"], detail["consultation_id"]) == (
        None,
        [],
        None,
    )
    (event,) = views_of("referrals.referral", referral_id)
    assert event.actor == case.neighbour
    assert event.basis == "referral"
    # Nor may it open the household or the consultation yet.
    assert receiver.get(f"/api/v1/households/{case.household.pk}").json() == NOT_FOUND
    assert receiver.get(f"/api/v1/consultations/{case.consultation.pk}").json() == NOT_FOUND

    accepted = transition(receiver, referral_id, to_status="accepted", version=2)
    assert accepted.status_code == 200, accepted.content.decode()
    body = accepted.json()
    assert body["status"] == "accepted"
    assert body["version"] == 3
    assert body["household_id"] == case.household.pk
    assert body["person_ids"] == [case.head.pk]
    assert body["consultation_id"] == case.consultation.pk
    assert body["identity_withheld"] is False
    assert body["events"][-1]["organization"] == case.ward.other_center.name

    household = receiver.get(f"/api/v1/households/{case.household.pk}").json()
    assert household["basis"] == "referral"
    assert {e["basis"] for e in household["timeline"]} == {"referral"}
    referral_events = [e for e in household["timeline"] if e["kind"] == "referral"]
    assert [e["organization"] for e in referral_events] == [
        case.ward.center.name,
        case.ward.other_center.name,
    ]


@pytest.mark.django_db
def test_a_referral_to_the_coordinating_section_is_seen_under_the_coordinator_basis(
    case: Case,
) -> None:
    post_json(
        token_client(case.counselor),
        "/api/v1/referrals",
        referral_payload(case, to_organization_id=case.ward.coordinating.pk),
    )
    inbox = token_client(case.ward.member(Role.COORDINATOR)).get("/api/v1/referrals").json()
    assert [item["basis"] for item in inbox["items"]] == ["coordinator"]
    assert inbox["items"][0]["household_id"] is None


@pytest.mark.django_db
def test_an_outdated_version_is_a_409_and_changes_nothing(case: Case) -> None:
    referral_id = post_json(
        token_client(case.counselor), "/api/v1/referrals", referral_payload(case)
    ).json()["id"]

    response = transition(
        token_client(case.neighbour), referral_id, to_status="accepted", version=1
    )

    assert response.status_code == 409
    assert "他の職員が更新しました" in response.json()["detail"]
    referral = Referral.all_tenants.get(pk=referral_id)
    assert (referral.status, referral.version) == (Status.REQUESTED, 2)


@pytest.mark.django_db
def test_refused_transitions_are_422_in_japanese_naming_the_field(case: Case) -> None:
    referral_id = post_json(
        token_client(case.counselor), "/api/v1/referrals", referral_payload(case)
    ).json()["id"]
    sender, receiver = token_client(case.counselor), token_client(case.neighbour)

    response = transition(sender, referral_id, to_status="accepted", version=2)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "「受理」にできるのは受け手の機関です。",
        "errors": {"to_status": ["「受理」にできるのは受け手の機関です。"]},
    }

    response = transition(receiver, referral_id, to_status="completed", version=2)
    assert response.status_code == 422
    assert response.json()["errors"] == {"to_status": ["「送付」から「完了」には変更できません。"]}

    response = transition(receiver, referral_id, to_status="rejected", version=2)
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["理由を選んでください。"]}

    response = transition(receiver, referral_id, to_status="accepted", version=2, reason="")
    assert response.status_code == 200
    response = transition(receiver, referral_id, to_status="completed", version=3)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"note"}

    response = transition(
        receiver, referral_id, to_status="completed", version=3, note="介護保険の申請を支援した。"
    )
    assert response.status_code == 200
    assert response.json()["report_back"] == "介護保険の申請を支援した。"
    assert response.json()["allowed_transitions"] == []
    assert Referral.all_tenants.get(pk=referral_id).status == Status.COMPLETED


@pytest.mark.django_db
def test_another_organization_s_or_municipality_s_referral_is_404(
    case: Case, other_ward: Ward
) -> None:
    # 地域包括支援センター北 refers to 福祉政策課; 南 is no party to it.
    ours = make.referral(
        case.counselor, case.ward.center, case.ward.coordinating, household=case.household
    )
    stranger = other_ward.member(Role.COUNSELOR)
    theirs = make.referral(stranger, other_ward.center, other_ward.other_center)
    client = token_client(case.neighbour)
    for referral in (ours, theirs):
        assert client.get(f"/api/v1/referrals/{referral.pk}").json() == NOT_FOUND
        response = transition(client, referral.pk, to_status="accepted", version=2)
        assert response.status_code == 404
        assert views_of("referrals.referral", referral.pk) == []
    assert Referral.all_tenants.get(pk=ours.pk).status == Status.REQUESTED
    assert Referral.all_tenants.get(pk=theirs.pk).status == Status.REQUESTED


@pytest.mark.django_db
def test_creating_a_referral_checks_every_record_it_names(case: Case, other_ward: Ward) -> None:
    client = token_client(case.counselor)
    before = Referral.all_tenants.count()

    response = post_json(
        client,
        "/api/v1/referrals",
        referral_payload(
            case,
            to_organization_id=other_ward.center.pk,
            household_id=case.theirs.pk,
            person_ids=[case.foreign_person.pk],
            consultation_id=case.their_consultation.pk,
        ),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"to_organization_id", "household_id", "person_ids", "consultation_id"}
    assert all(JAPANESE.search(messages[0]) for messages in errors.values())

    response = post_json(
        client,
        "/api/v1/referrals",
        referral_payload(case, to_organization_id=case.ward.center.pk),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"to_organization_id": ["自機関にはつなげません。"]}

    response = post_json(
        client, "/api/v1/referrals", referral_payload(case, request="", shared_items=[])
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"request", "shared_items"}
    assert Referral.all_tenants.count() == before


@pytest.mark.django_db
def test_referral_list_queries_do_not_grow_with_the_rows(
    case: Case, django_assert_max_num_queries: Any
) -> None:
    client = token_client(case.neighbour)
    make.accepted(
        make.referral(
            case.counselor,
            case.ward.center,
            case.ward.other_center,
            household=case.household,
            consultation=case.consultation,
            persons=[case.head],
        ),
        case.neighbour,
    )
    # Not accepted, about a household the receiver holds no other referral for.
    elsewhere = make.household(
        case.counselor,
        case.ward.center,
        head=make.person(case.counselor, case.ward.center, family_name="田中"),
    )
    make.referral(case.counselor, case.ward.center, case.ward.other_center, household=elsewhere)
    client.get("/api/v1/referrals")

    with django_assert_max_num_queries(60) as few:
        assert client.get("/api/v1/referrals").json()["count"] == 2

    for _ in range(4):
        make.accepted(
            make.referral(
                case.counselor,
                case.ward.center,
                case.ward.other_center,
                household=case.household,
                consultation=case.consultation,
                persons=[case.head, case.daughter],
            ),
            case.neighbour,
        )
    with django_assert_max_num_queries(len(few)) as many:
        body = client.get("/api/v1/referrals").json()
    assert body["count"] == 6
    assert sum(item["identity_withheld"] for item in body["items"]) == 1
    assert len(many) == len(few)


# --- Defects found in services and policy (xfail until fixed) --------------------------------


@pytest.mark.django_db
def test_referral_create_refuses_an_organization_of_another_municipality(
    case: Case, other_ward: Ward
) -> None:
    with tenancy.tenant_context(case.ward.municipality), pytest.raises(tenancy.TenantMismatch):
        referral_create(
            actor=case.counselor,
            organization=case.ward.center,
            referral=Referral(
                to_organization=other_ward.center,
                request="依頼",
                shared_summary="共有",
                shared_items=["identity"],
                sharing_basis="consent",
                due_on=timezone.localdate(),
            ),
        )


@pytest.mark.django_db
def test_person_create_refuses_a_district_of_another_municipality(
    case: Case, other_ward: Ward
) -> None:
    with tenancy.tenant_context(case.ward.municipality), pytest.raises(tenancy.TenantMismatch):
        person_create(
            actor=case.counselor,
            organization=case.ward.center,
            person=Person(family_name="田中", district=other_ward.districts[0]),
        )


@pytest.mark.django_db
def test_an_accepted_referral_without_household_shows_its_persons(case: Case) -> None:
    referral = make.referral(
        case.counselor, case.ward.center, case.ward.other_center, persons=[case.head]
    )
    make.accepted(referral, case.neighbour)
    body = token_client(case.neighbour).get(f"/api/v1/referrals/{referral.pk}").json()
    assert body["person_ids"] == [case.head.pk]
