"""The 参加支援 API at /api/v1/: the acting organization's participation
profile (409 on an outdated version), resources suggested with their reasons,
and paths into a resource with their stages and notes — under the same
policy and audit as the pages: each record with its basis, nothing shown to
an organization without one (404, audited), only the supporting organization
changing a path, and Japanese messages for what the service refuses."""

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
from tsunagu.participation.models import Participation, ParticipationProfile, Stage
from tsunagu.participation.services import participation_propose, profile_save
from tsunagu.people.models import Household, Person, Relationship
from tsunagu.resources.models import (
    Category,
    Ease,
    Frequency,
    Location,
    Provider,
    ProviderKind,
    Resource,
    ResourceLocation,
    Schedule,
    Status,
)
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.routes import undeclared_api_operations

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NOT_FOUND = {"detail": "見つかりません。"}
CONFLICT = "他の職員が更新しました"
PROFILE_TYPE = "participation.participationprofile"
PATH_TYPE = "participation.participation"


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def post_json(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def put_json(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.put(url, json.dumps(payload or {}), content_type="application/json")


def _resource(
    ward: Ward,
    name: str,
    interests: list[str],
    byday: str,
    opens_at: datetime.time,
    district: int,
    **fields: Any,
) -> Resource:
    with tenancy.tenant_context(ward.municipality):
        provider = Provider.objects.create(name=f"{name}の運営団体", kind=ProviderKind.COMPANY)
        resource = Resource.objects.create(
            provider=provider,
            name=name,
            category=Category.SPOT_WORK,
            interests=interests,
            **fields,
        )
        location = Location.objects.create(
            provider=provider, name=f"{name}の会場", district=ward.districts[district]
        )
        ResourceLocation.objects.create(resource=resource, location=location)
        Schedule.objects.create(
            resource=resource,
            freq=Frequency.WEEKLY,
            byday=byday,
            opens_at=opens_at,
            closes_at=opens_at.replace(hour=opens_at.hour + 2),
        )
    return resource


@dataclass
class World:
    """地域包括支援センター北 (``counselor``) supports the son of the 架空 household,
    who likes coffee and can go out on Tuesday afternoons; a coffee roaster (北)
    and a Saturday-morning farm (南) take people, a closed café does not;
    地域包括支援センター南 (``south``) has no basis to the household."""

    ward: Ward
    counselor: Staff
    south: Staff
    household: Household
    head: Person
    son: Person
    coffee: Resource
    farm: Resource
    closed: Resource

    def tenant(self) -> Any:
        return tenancy.tenant_context(self.ward.municipality)

    def profile(self) -> ParticipationProfile:
        with self.tenant():
            return profile_save(
                actor=self.counselor,
                organization=self.ward.center,
                person=self.son,
                interests=["コーヒー", "静かな場所"],
                days=["TU"],
                times=["afternoon"],
                preferences=[Ease.SHORT_TIME],
                wishes="人の少ない時間に、少しだけ働いてみたい",
            )

    def path(self, **fields: Any) -> Participation:
        with self.tenant():
            return participation_propose(
                actor=self.counselor,
                organization=self.ward.center,
                person=self.son,
                resource=self.coffee,
                reason="コーヒーが好きで、静かな場所なら通えそう",
                **fields,
            )


@pytest.fixture
def world(ward: Ward) -> World:
    counselor = ward.member(Role.COUNSELOR)
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
    return World(
        ward=ward,
        counselor=counselor,
        south=rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor"),
        household=household,
        head=head,
        son=son,
        coffee=_resource(
            ward,
            "珈琲焙煎の手伝い",
            ["コーヒー"],
            "TU",
            datetime.time(14),
            0,
            ease=[Ease.QUIET, Ease.SHORT_TIME],
        ),
        farm=_resource(ward, "朝の畑しごと", ["農作業"], "SA", datetime.time(9), 1),
        closed=_resource(
            ward, "休業中のカフェ", ["コーヒー"], "TU", datetime.time(14), 0, status=Status.INACTIVE
        ),
    )


def propose_payload(world: World, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "resource_id": world.coffee.pk,
        "reason": "コーヒーが好きで、静かな場所なら通えそう",
        "arrangement": "月1回 1時間から",
        "next_follow_up_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
    }
    values.update(overrides)
    return values


# --- Declared, authenticated, described ----------------------------------------------

OPERATIONS = {
    "profile_detail",
    "profile_save",
    "resource_suggestions",
    "participation_list",
    "participation_create",
    "participation_detail",
    "participation_transition",
    "participation_note",
}


def test_every_operation_is_declared_to_the_policy_and_authenticated() -> None:
    found = [op for op in operations() if op.view_func.__name__ in OPERATIONS]
    assert {op.view_func.__name__ for op in found} == OPERATIONS
    assert undeclared_api_operations(found) == []


def test_openapi_document_describes_the_operations_in_japanese(ward: Ward) -> None:
    paths = as_staff(ward.member(Role.COUNSELOR)).get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/persons/{person_id}/participation-profile": {"get", "put"},
        "/api/v1/persons/{person_id}/resource-suggestions": {"get"},
        "/api/v1/persons/{person_id}/participations": {"get", "post"},
        "/api/v1/participations/{participation_id}": {"get"},
        "/api/v1/participations/{participation_id}/transition": {"post"},
        "/api/v1/participations/{participation_id}/notes": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for operation in paths[path].values():
            assert JAPANESE.search(operation["summary"]), operation


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/persons/1/participation-profile"),
        ("put", "/api/v1/persons/1/participation-profile"),
        ("get", "/api/v1/persons/1/resource-suggestions"),
        ("get", "/api/v1/persons/1/participations"),
        ("post", "/api/v1/persons/1/participations"),
        ("get", "/api/v1/participations/1"),
        ("post", "/api/v1/participations/1/transition"),
        ("post", "/api/v1/participations/1/notes"),
    ],
)
def test_without_authentication_the_answer_is_a_japanese_401(method: str, url: str) -> None:
    client = Client()
    if method == "get":
        response = client.get(url)
    elif method == "post":
        response = post_json(client, url)
    else:
        response = put_json(client, url)
    assert response.status_code == 401
    assert "ログインが必要です" in response.json()["detail"]


# --- Profiles ------------------------------------------------------------------------


def test_the_profile_is_created_then_updated_on_its_version(world: World) -> None:
    client = as_staff(world.counselor)
    url = f"/api/v1/persons/{world.son.pk}/participation-profile"
    response = client.get(url)
    assert response.status_code == 404
    assert "プロフィールはまだありません" in response.json()["detail"]

    response = put_json(
        client,
        url,
        {
            "interests": ["コーヒー", " コーヒー ", "植物"],
            "days": ["TU", "TH"],
            "times": ["afternoon"],
            "group_size": "small",
            "preferences": ["short_time", "visit_first"],
            "wishes": "人の少ない時間に、少しだけ働いてみたい",
        },
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["version"], body["organization"], body["basis"]) == (
        1,
        "地域包括支援センター北",
        "own_organization",
    )
    assert body["interests"] == ["コーヒー", "植物"]
    assert body["preference_labels"] == ["短時間可", "見学可"]
    assert body["household_id"] == world.household.pk

    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["group_size_label"] == "少人数（5人くらいまで）"
    viewed = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_type=PROFILE_TYPE, object_id=str(body["id"])
    )
    assert (viewed.actor, viewed.basis) == (world.counselor, "own_organization")

    response = put_json(client, url, {"interests": ["コーヒー"], "travel": "walk", "version": 1})
    assert response.status_code == 200, response.content.decode()
    assert (response.json()["version"], response.json()["travel"]) == (2, "walk")
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type=PROFILE_TYPE, object_id=str(body["id"])
    ).exists()


@pytest.mark.parametrize("version", [1, None], ids=["outdated", "left-out"])
def test_a_profile_saved_over_someone_else_s_change_is_a_409(
    world: World, version: int | None
) -> None:
    profile = world.profile()
    world.profile()  # another staff member saved it meanwhile: version 2
    response = put_json(
        as_staff(world.counselor),
        f"/api/v1/persons/{world.son.pk}/participation-profile",
        {"interests": ["読書"], "version": version},
    )
    assert response.status_code == 409
    assert CONFLICT in response.json()["detail"]
    fresh = ParticipationProfile.all_tenants.get(pk=profile.pk)
    assert (fresh.version, fresh.interests) == (2, ["コーヒー", "静かな場所"])


def test_another_organization_has_no_profile_of_its_own_and_sees_none(world: World) -> None:
    world.profile()
    client = as_staff(world.south)
    url = f"/api/v1/persons/{world.son.pk}/participation-profile"
    assert client.get(url).status_code == 404
    assert client.get(url).json() == NOT_FOUND
    response = put_json(client, url, {"interests": ["読書"]})
    assert response.status_code == 404
    assert ParticipationProfile.all_tenants.count() == 1


# --- Suggestions ---------------------------------------------------------------------


def test_suggestions_come_with_their_reasons_and_next_dates(world: World) -> None:
    world.profile()
    client = as_staff(world.counselor)
    url = f"/api/v1/persons/{world.son.pk}/resource-suggestions"
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()
    (suggestion,) = response.json()
    assert (suggestion["resource_id"], suggestion["name"]) == (world.coffee.pk, "珈琲焙煎の手伝い")
    assert "関心「コーヒー」が活動内容に合う" in suggestion["reasons"]
    assert "短時間可" in suggestion["reasons"]
    assert suggestion["score"] > 0
    assert suggestion["cautions"] == []
    assert suggestion["schedules"] and "火" in suggestion["schedules"][0]
    assert suggestion["next_dates"]
    for day in suggestion["next_dates"]:
        assert datetime.date.fromisoformat(day).weekday() == 1  # Tuesday

    assert client.get(url, {"weekday": "SA"}).json() == []
    assert len(client.get(url, {"weekday": "TU"}).json()) == 1
    assert client.get(url, {"district": world.ward.districts[1].pk}).json() == []
    assert client.get(url, {"weekday": "XX"}).status_code == 422


def test_suggestions_need_the_acting_organization_s_profile(world: World) -> None:
    response = as_staff(world.counselor).get(f"/api/v1/persons/{world.son.pk}/resource-suggestions")
    assert response.status_code == 404
    assert "プロフィール" in response.json()["detail"]


# --- Paths ---------------------------------------------------------------------------


def test_a_proposal_is_recorded_listed_and_opened_with_its_basis(world: World) -> None:
    client = as_staff(world.counselor)
    response = post_json(
        client, f"/api/v1/persons/{world.son.pk}/participations", propose_payload(world)
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["stage"], body["stage_label"], body["version"]) == ("proposed", "提案", 1)
    assert (body["resource"], body["plan_based"], body["household_id"]) == (
        "珈琲焙煎の手伝い",
        False,
        world.household.pk,
    )
    assert body["allowed_stages"] == ["trial", "participating", "ended"]
    assert [event["kind"] for event in body["events"]] == ["proposed"]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type=PATH_TYPE, object_id=str(body["id"])
    ).exists()

    listed = client.get(f"/api/v1/persons/{world.son.pk}/participations").json()
    assert [(item["id"], item["basis"]) for item in listed["items"]] == [
        (body["id"], "own_organization")
    ]
    event = AuditEvent.objects.filter(action=AuditAction.LIST, actor=world.counselor).latest("id")
    assert (event.object_type, event.basis, event.detail) == (
        PATH_TYPE,
        "own_organization",
        {"via": "api", "person": world.son.pk},
    )

    assert client.get(f"/api/v1/participations/{body['id']}").status_code == 200
    viewed = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_type=PATH_TYPE, object_id=str(body["id"])
    )
    assert viewed.basis == "own_organization"


def test_a_proposal_the_service_refuses_is_a_japanese_422(world: World) -> None:
    client = as_staff(world.counselor)
    url = f"/api/v1/persons/{world.son.pk}/participations"
    response = post_json(
        client,
        url,
        propose_payload(
            world,
            next_follow_up_on=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "next_follow_up_on": ["フォローアップの日付は提案日以降にしてください。"]
    }
    response = post_json(client, url, propose_payload(world, resource_id=world.closed.pk))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "resource_id": ["この社会資源は現在受け入れをしていません。"]
    }
    response = post_json(client, url, propose_payload(world, reason="  "))
    assert set(response.json()["errors"]) == {"reason"}
    # A case the centre works on (a consent names it), but of another household.
    coordinator = world.ward.member(Role.COORDINATOR)
    other = rf.household(
        world.counselor,
        world.ward.center,
        head=rf.person(world.counselor, world.ward.center, family_name="別所"),
    )
    other_case = cf.case(coordinator, world.ward.coordinating, other)
    cf.consent(coordinator, other_case, organizations=[world.ward.center])
    response = post_json(client, url, propose_payload(world, case_id=other_case.pk))
    assert response.status_code == 422
    assert response.json()["errors"] == {"case_id": ["本人の世帯のケースを選んでください。"]}
    assert not Participation.all_tenants.exists()


def test_a_path_in_a_confirmed_plan_is_plan_based(world: World) -> None:
    coordinator = world.ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, world.ward.coordinating, world.household)
    cf.consent(coordinator, case, organizations=[world.ward.center])
    plan = cf.active_plan(coordinator, case)
    response = post_json(
        as_staff(world.counselor),
        f"/api/v1/persons/{world.son.pk}/participations",
        propose_payload(world, plan_id=plan.pk),
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["plan_id"], body["case_id"], body["plan_based"]) == (plan.pk, case.pk, True)
    # The coordinating section reads the path as part of its case, and does not change it.
    client = as_staff(coordinator)
    detail = client.get(f"/api/v1/participations/{body['id']}").json()
    assert (detail["basis"], detail["allowed_stages"]) == ("coordinator", [])
    response = post_json(
        client,
        f"/api/v1/participations/{body['id']}/transition",
        {"to_stage": "trial", "version": 1},
    )
    assert response.status_code == 404


def test_stages_move_on_the_version_and_an_outdated_one_is_a_409(world: World) -> None:
    path = world.path()
    client = as_staff(world.counselor)
    url = f"/api/v1/participations/{path.pk}/transition"
    response = post_json(client, url, {"to_stage": "trial", "version": 1, "note": "見学に同行"})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["stage"], body["version"]) == ("trial", 2)
    assert body["allowed_stages"] == ["participating", "ended", "interrupted"]
    assert [(e["kind"], e["to_stage"]) for e in body["events"]] == [
        ("proposed", "proposed"),
        ("stage", "trial"),
    ]

    response = post_json(client, url, {"to_stage": "participating", "version": 1})
    assert response.status_code == 409
    assert CONFLICT in response.json()["detail"]
    assert Participation.all_tenants.get(pk=path.pk).stage == Stage.TRIAL

    response = post_json(client, url, {"to_stage": "interrupted", "version": 2})
    assert response.status_code == 422
    assert response.json()["detail"] == "終了・中断の理由を入力してください。"
    response = post_json(client, url, {"to_stage": "settled", "version": 2})
    assert response.status_code == 422
    assert response.json()["detail"] == "「見学・体験」から「定着」には進めません。"
    assert Participation.all_tenants.get(pk=path.pk).version == 2


def test_follow_ups_and_host_support_are_noted(world: World) -> None:
    path = world.path()
    client = as_staff(world.counselor)
    url = f"/api/v1/participations/{path.pk}/notes"
    next_on = timezone.localdate() + datetime.timedelta(days=30)
    response = post_json(
        client,
        url,
        {
            "kind": "host_support",
            "note": "店主に、本人が慣れるまで声かけを控えてほしいと伝えた",
            "next_follow_up_on": next_on.isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["events"][-1]["kind_label"] == "受け入れ先支援"
    assert (body["next_follow_up_on"], body["version"]) == (next_on.isoformat(), 2)

    response = post_json(client, url, {"kind": "follow_up", "note": "様子を聞いた", "version": 1})
    assert response.status_code == 409
    response = post_json(client, url, {"kind": "follow_up", "note": " ", "version": 2})
    assert response.status_code == 422
    assert response.json()["errors"] == {"note": ["内容を入力してください。"]}
    response = post_json(client, url, {"kind": "stage", "note": "x"})
    assert response.status_code == 422


def test_an_organization_without_a_basis_gets_404_not_403(world: World) -> None:
    world.profile()
    path = world.path()
    client = as_staff(world.south)
    for url in (
        f"/api/v1/persons/{world.son.pk}/participation-profile",
        f"/api/v1/persons/{world.son.pk}/resource-suggestions",
        f"/api/v1/persons/{world.son.pk}/participations",
        f"/api/v1/participations/{path.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND
    for url, body in (
        (f"/api/v1/persons/{world.son.pk}/participations", propose_payload(world)),
        (f"/api/v1/participations/{path.pk}/transition", {"to_stage": "trial", "version": 1}),
        (f"/api/v1/participations/{path.pk}/notes", {"kind": "follow_up", "note": "x"}),
    ):
        assert post_json(client, url, body).status_code == 404, url
    assert Participation.all_tenants.get(pk=path.pk).version == 1
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, actor=world.south).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DENY, actor=world.south, object_type=PATH_TYPE, object_id=str(path.pk)
    ).exists()


def test_another_municipality_s_paths_are_404(world: World, other_ward: Ward) -> None:
    path = world.path()
    client = as_staff(other_ward.member(Role.COUNSELOR))
    assert client.get(f"/api/v1/participations/{path.pk}").status_code == 404
    assert client.get(f"/api/v1/persons/{world.son.pk}/participations").status_code == 404
    response = post_json(
        client,
        f"/api/v1/participations/{path.pk}/transition",
        {"to_stage": "trial", "version": 1},
    )
    assert response.status_code == 404


def test_a_consent_that_leaves_the_person_out_shows_the_path_without_naming_them(
    world: World,
) -> None:
    """The case's path is part of its record, which the consent covers; the
    person it is about is not among the members the consent names."""
    from tsunagu.cases.models import Consent, ConsentMethod
    from tsunagu.cases.services import consent_record

    coordinator = world.ward.member(Role.COORDINATOR)
    case = cf.case(coordinator, world.ward.coordinating, world.household)
    with world.tenant():
        consent_record(
            actor=coordinator,
            case=case,
            consent=Consent(
                grantor=world.head,
                method=ConsentMethod.WRITTEN,
                obtained_by_organization=world.ward.coordinating,
            ),
            members=[world.head],
            organizations=[world.ward.other_center],
        )
    with world.tenant():
        path = world.path(case=Case.objects.get(pk=case.pk))
    response = as_staff(world.south).get(f"/api/v1/participations/{path.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["basis"], body["person_id"], body["person"]) == ("consent", None, "")
    assert body["resource"] == "珈琲焙煎の手伝い"
