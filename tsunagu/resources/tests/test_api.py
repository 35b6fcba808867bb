"""The resource directory's API at /api/v1/: the same filters, policy and audit
as the pages, writes through the same forms and service (Japanese 422s, 409 on
an outdated version), another municipality's directory out of reach."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.resources.models import Category, Ease, Frequency, Need, Resource, Status
from tsunagu.resources.tests.test_pages import provider, resource
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "見つかりません。"}


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


def payload(host_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "provider_id": host_id,
        "name": "つどいの場 ひだまり",
        "category": Category.PLACE,
        "is_community_place": True,
        "description": "誰でも立ち寄れる居場所です。",
        "needs": [Need.PEOPLE],
        "ease": [Ease.DROP_IN, Ease.FREE],
        "interests": ["お茶", "手芸"],
        "capacity": 15,
        "year_started": 2015,
        "schedules": [
            {"freq": "MONTHLY", "byday": "2TU", "opens_at": "10:00", "closes_at": "12:00"},
            {"freq": "WEEKLY", "byday": "FR", "interval": 2, "opens_at": "13:30"},
        ],
        "location": {
            "name": "北町会館",
            "postal_code": "123-4567",
            "address": "テスト区北町1-2-3",
        },
    }
    body.update(overrides)
    return body


@pytest.fixture
def listed(ward: Ward) -> dict[str, Resource]:
    north, south = ward.districts
    forest = provider(ward, "NPO法人みどりの森")
    return {
        "salon": resource(
            ward,
            "サロン北町",
            host=forest,
            category=Category.SALON,
            district=north,
            ease=[Ease.SHORT_TIME, Ease.QUIET],
        ),
        "farm": resource(
            ward,
            "畑の会",
            host=provider(ward, "ひまわり農園", kind="farm"),
            category=Category.FARM,
            rules=((Frequency.WEEKLY, "WE"),),
            district=south,
            ease=[Ease.SHORT_TIME],
        ),
        "closed": resource(ward, "休みの会", host=forest, status=Status.TEMPORARILY_CLOSED),
    }


def test_the_list_is_paginated_filtered_and_audited(
    ward: Ward, other_ward: Ward, listed: dict[str, Resource]
) -> None:
    resource(other_ward, "よそのサロン", host=provider(other_ward, "よその団体"))
    client = as_staff(ward.member(Role.MANAGER))
    body = client.get("/api/v1/resources").json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first["name"] == "サロン北町"
    assert first["category_label"] == "サロン"
    assert first["districts"] == ["北"]
    assert first["schedule_labels"] == ["毎月第2火曜日 10時〜12時"]
    assert first["ease_labels"] == ["短時間可", "静かな環境"]
    assert first["status_label"] == "活動中"

    def names(query: str) -> list[str]:
        response = client.get("/api/v1/resources" + query)
        assert response.status_code == 200, response.json()
        return [item["name"] for item in response.json()["items"]]

    north = ward.districts[0]
    assert names("?q=さろん") == ["サロン北町"]
    assert names(f"?district_id={north.pk}") == ["サロン北町"]
    assert names("?weekday=we") == ["畑の会"]
    assert names("?ease=short_time&ease=quiet") == ["サロン北町"]
    assert names("?status=all") == ["サロン北町", "休みの会", "畑の会"]
    assert names("?limit=1&offset=1") == ["畑の会"]
    assert "よそのサロン" not in names("?status=all&q=サロン")
    event = AuditEvent.objects.filter(
        action=AuditAction.LIST, object_type="resources.resource"
    ).latest("id")
    assert event.detail["via"] == "api" and event.detail["q"] == "サロン"


def test_the_detail_has_schedules_with_next_dates_places_and_a_count(
    ward: Ward, other_ward: Ward, listed: dict[str, Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 11, 1)
    )
    salon = listed["salon"]
    client = as_staff(ward.member(Role.COUNSELOR))
    response = client.get(f"/api/v1/resources/{salon.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["provider"] == "NPO法人みどりの森"
    assert body["schedules"][0]["label"] == "毎月第2火曜日 10時〜12時"
    assert body["schedules"][0]["next_dates"] == ["2026-11-10", "2026-12-08"]
    assert body["locations"][0]["district"] == "北"
    assert body["locations"][0]["address"] == "テスト区北町2-3-4"
    assert body["connected_count"] == 0
    assert body["version"] == 1
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert event.object_id == str(salon.pk) and event.basis == "municipality_staff"
    foreign = resource(other_ward, "よその会", host=provider(other_ward, "よその団体"))
    missing = client.get(f"/api/v1/resources/{foreign.pk}")
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


def test_a_counselor_registers_a_resource_with_schedules_and_place(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    host = provider(ward)
    north = ward.districts[0]
    body = payload(host.pk)
    body["location"]["district_id"] = north.pk
    response = send(as_staff(counselor), "post", "/api/v1/resources", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["schedule_labels"] == ["毎月第2火曜日 10時〜12時", "隔週金曜日 13時30分〜"]
    assert created["interests"] == ["お茶", "手芸"]
    assert created["locations"][0]["district_id"] == north.pk
    assert created["version"] == 1
    with tenancy.tenant_context(ward.municipality):
        saved = Resource.objects.get(pk=created["id"])
        assert saved.created_by == counselor
        assert [s.byday for s in saved.schedules.order_by("id")] == ["2TU", "FR"]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="resources.resource", object_id=str(saved.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "名称を入力してください。"),
        ({"category": "cafe"}, "category", "分類は一覧にある選択肢から選んでください。"),
        ({"ease": ["whatever"]}, "ease", "参加のしやすさは一覧にある選択肢から選んでください。"),
        ({"minimum_age": 70, "maximum_age": 20}, "maximum_age", "上限は下限以上"),
        (
            {"schedules": [{"freq": "WEEKLY", "byday": "2TU"}]},
            "schedules",
            "開催日時1: 毎週の開催には",
        ),
        (
            {
                "schedules": [
                    {"freq": "MONTHLY", "byday": "2TU", "opens_at": "12:00", "closes_at": "10:00"}
                ]
            },
            "schedules",
            "終了時刻は開始時刻より後",
        ),
        ({"location": {"name": "", "address": "北町"}}, "location.name", "場所の名称"),
        (
            {"location": {"name": "会館", "district_id": 999999}},
            "location.district_id",
            "日常生活圏域は一覧にある選択肢から選んでください。",
        ),
    ],
    ids=["name", "category", "ease", "ages", "weekly-ordinal", "times", "place-name", "district"],
)
def test_bad_input_is_refused_with_422_in_japanese(
    ward: Ward, overrides: dict[str, Any], field: str, message: str
) -> None:
    host = provider(ward)
    response = send(
        as_staff(ward.member(Role.COUNSELOR)),
        "post",
        "/api/v1/resources",
        payload(host.pk, **overrides),
    )
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["detail"] == "入力内容に誤りがあります。"
    assert any(message in text for text in body["errors"][field]), body["errors"]
    with tenancy.tenant_context(ward.municipality):
        assert not Resource.objects.exists()


def test_a_provider_of_another_municipality_is_refused(ward: Ward, other_ward: Ward) -> None:
    foreign_host = provider(other_ward, "よその団体")
    response = send(
        as_staff(ward.member(Role.COUNSELOR)), "post", "/api/v1/resources", payload(foreign_host.pk)
    )
    assert response.status_code == 422
    assert "provider_id" in response.json()["errors"]


def test_an_update_replaces_schedules_and_refuses_an_outdated_version(
    ward: Ward, listed: dict[str, Resource]
) -> None:
    salon = listed["salon"]
    client = as_staff(ward.member(Role.COUNSELOR))
    url = f"/api/v1/resources/{salon.pk}"
    change = payload(
        salon.provider_id,
        name="サロン北町",
        version=1,
        schedules=[{"freq": "MONTHLY", "byday": "-1FR", "opens_at": "14:00"}],
    )
    del change["location"]
    response = send(client, "put", url, change)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 2
    assert body["schedule_labels"] == ["毎月最終金曜日 14時〜"]
    # The place was not named: it stays.
    assert body["locations"][0]["name"] == "サロン北町の会場"
    # The same change again, on the version it was made on: refused.
    stale = send(client, "put", url, {**change, "name": "上書き"})
    assert stale.status_code == 409
    assert "他の職員が更新しました" in stale.json()["detail"]
    with tenancy.tenant_context(ward.municipality):
        assert Resource.objects.get(pk=salon.pk).name == "サロン北町"
    # Without schedules, they are kept.
    kept = send(client, "put", url, {**change, "version": 2, "schedules": None})
    assert kept.status_code == 200
    assert kept.json()["schedule_labels"] == ["毎月最終金曜日 14時〜"]


def test_who_may_write_and_who_may_read(
    ward: Ward, other_ward: Ward, listed: dict[str, Resource]
) -> None:
    salon = listed["salon"]
    body = payload(salon.provider_id)
    manager = as_staff(ward.member(Role.MANAGER))
    assert send(manager, "post", "/api/v1/resources", body).status_code == 403
    assert (
        send(manager, "put", f"/api/v1/resources/{salon.pk}", {**body, "version": 1}).status_code
        == 403
    )
    guest = as_staff(ward.member(Role.GUEST))
    for url in ("/api/v1/resources", f"/api/v1/resources/{salon.pk}", "/api/v1/providers"):
        response = guest.get(url)
        assert response.status_code == 403, url
        assert response.json() == {"detail": "この操作を行う権限がありません。"}
    stranger = as_staff(other_ward.member(Role.COUNSELOR))
    assert stranger.get(f"/api/v1/resources/{salon.pk}").status_code == 404
    response = send(stranger, "put", f"/api/v1/resources/{salon.pk}", {**body, "version": 1})
    assert response.status_code == 404
    assert stranger.get("/api/v1/resources?status=all").json()["count"] == 0


def test_providers_are_listed_with_their_counts(
    ward: Ward, other_ward: Ward, listed: dict[str, Resource]
) -> None:
    provider(other_ward, "よその団体")
    response = as_staff(ward.member(Role.COUNSELOR)).get("/api/v1/providers")
    assert response.status_code == 200
    body = response.json()
    counts = {item["name"]: item["resource_count"] for item in body["items"]}
    assert counts == {"NPO法人みどりの森": 2, "ひまわり農園": 1}
    farm = next(item for item in body["items"] if item["name"] == "ひまわり農園")
    assert farm["kind_label"] == "農園"


def test_the_list_queries_do_not_grow_with_the_rows(
    ward: Ward, django_assert_max_num_queries: Any
) -> None:
    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            resource(
                ward,
                f"居場所{n:02d}",
                host=provider(ward, f"団体{n:02d}"),
                district=ward.districts[0],
                rules=((Frequency.MONTHLY, "2TU"), (Frequency.WEEKLY, "FR")),
            )

    add(3, 0)
    client = as_staff(ward.member(Role.COUNSELOR))
    client.get("/api/v1/resources")
    with django_assert_max_num_queries(50) as few:
        assert client.get("/api/v1/resources?q=居場所").json()["count"] == 3
    add(17, 3)
    with django_assert_max_num_queries(len(few)):
        body = client.get("/api/v1/resources?q=居場所").json()
    assert body["count"] == 20
    assert all(len(item["schedule_labels"]) == 2 for item in body["items"])
