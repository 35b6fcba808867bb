"""The strategy check sheet's writes through the API (issue 21, API parity):
each operation goes through the page's service, so the same policy decision,
the same refusals and the same audit event."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.reports.models import (
    Indicator,
    IndicatorValue,
    Metric,
    ProgrammeBudget,
    SheetNarrative,
    StrategyProgramme,
    StrategySheet,
)
from tsunagu.reports.tests.test_strategy import NEW_INDIVIDUAL, Built, build_sheet
from tsunagu.reports.tests.test_strategy_pages import current_year
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_api_residents import token_client

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def built(ward: Ward) -> Built:
    """A sheet whose plan period runs from three years ago to next year."""
    now = current_year()
    return build_sheet(ward, first_year=now - 3, last_year=now + 2)


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    call = getattr(client, method.lower())
    return call(f"{API}{url}", json.dumps(payload), content_type="application/json")


def events(action: str, obj: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
    )


SHEET = {
    "title": "地域共生社会の実現",
    "policy_area": "健康で安心な暮らし",
    "vision": "支え合う地域",
    "direction": "協働を進める。",
    "first_year": 2024,
    "last_year": 2029,
}


def test_a_coordinator_creates_and_updates_a_sheet(ward: Ward) -> None:
    client = token_client(ward.member(Role.COORDINATOR))
    created = send(client, "POST", "/strategy-sheets", SHEET)
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in SHEET} == SHEET
    with tenancy.tenant_context(ward.municipality):
        sheet = StrategySheet.objects.get(pk=body["id"])
    assert len(events(AuditAction.CREATE, sheet)) == 1
    changed = send(client, "PUT", f"/strategy-sheets/{sheet.pk}", {**SHEET, "last_year": 2030})
    assert changed.status_code == 200 and changed.json()["last_year"] == 2030
    [event] = events(AuditAction.CHANGE, sheet)
    assert event.detail["fields"] == ["last_year"]


def test_a_sheet_s_period_is_checked_by_the_service(ward: Ward) -> None:
    client = token_client(ward.member(Role.MANAGER))
    backwards = send(client, "POST", "/strategy-sheets", {**SHEET, "last_year": 2020})
    assert backwards.status_code == 422
    assert backwards.json()["errors"]["last_year"] == [
        "最後の年度は、最初の年度以降にしてください。"
    ]
    # The page form's 1989–2100 is the service's rule now: the API refuses alike.
    ancient = send(client, "POST", "/strategy-sheets", {**SHEET, "first_year": 1900})
    assert ancient.status_code == 422
    assert ancient.json()["errors"]["first_year"] == ["1989〜2100年度の範囲で指定してください。"]
    blank = send(client, "POST", "/strategy-sheets", {**SHEET, "title": ""})
    assert blank.status_code == 422 and "title" in blank.json()["errors"]
    with tenancy.tenant_context(ward.municipality):
        assert not StrategySheet.objects.exists()


def test_values_are_typed_and_a_counted_actual_refused(ward: Ward, built: Built) -> None:
    now = current_year()
    client = token_client(ward.member(Role.COORDINATOR))
    url = f"/strategy-sheets/{built.sheet.pk}/values"
    saved = send(
        client,
        "PUT",
        url,
        {
            "values": [
                {"indicator_id": built.entered.pk, "fiscal_year": now, "actual": 42, "target": 50},
                {"indicator_id": built.computed.pk, "fiscal_year": now, "target": 1200},
            ]
        },
    )
    assert saved.status_code == 200, saved.content
    assert saved.json() == {"changed": 2}
    with tenancy.tenant_context(ward.municipality):
        typed = IndicatorValue.objects.get(indicator=built.entered, fiscal_year=now)
        assert (typed.actual, typed.target) == (42, 50)
        assert IndicatorValue.objects.get(indicator=built.computed, fiscal_year=now).target == 1200
    [event] = events(AuditAction.CHANGE, built.sheet)[-1:]
    assert {v["indicator"] for v in event.detail["indicator_values"]} == {
        built.entered.pk,
        built.computed.pk,
    }
    counted = send(
        client,
        "PUT",
        url,
        {"values": [{"indicator_id": built.computed.pk, "fiscal_year": now, "actual": 3}]},
    )
    assert counted.status_code == 422
    assert counted.json()["errors"]["values"] == [
        "「個人支援の新規件数」の実績は記録から集計します（入力できるのは目標だけです）。"
    ]
    outside = send(
        client,
        "PUT",
        url,
        {"values": [{"indicator_id": built.entered.pk, "fiscal_year": 1990, "actual": 3}]},
    )
    assert outside.status_code == 422 and "fiscal_year" in outside.json()["errors"]
    twice = send(
        client,
        "PUT",
        url,
        {
            "values": [
                {"indicator_id": built.entered.pk, "fiscal_year": now, "actual": 1},
                {"indicator_id": built.entered.pk, "fiscal_year": now, "actual": 2},
            ]
        },
    )
    assert twice.status_code == 422
    assert twice.json()["errors"]["values"] == ["同じ行と年度の値が2回指定されています。"]
    negative = send(
        client,
        "PUT",
        url,
        {"values": [{"indicator_id": built.entered.pk, "fiscal_year": now, "actual": -1}]},
    )
    assert negative.status_code == 422
    with tenancy.tenant_context(ward.municipality):
        assert IndicatorValue.objects.get(indicator=built.entered, fiscal_year=now).actual == 42


def test_budgets_are_typed(ward: Ward, built: Built) -> None:
    now = current_year()
    client = token_client(ward.member(Role.MANAGER))
    url = f"/strategy-sheets/{built.sheet.pk}/budgets"
    saved = send(
        client,
        "PUT",
        url,
        {"budgets": [{"programme_id": built.other.pk, "fiscal_year": now, "initial": 3500}]},
    )
    assert saved.status_code == 200 and saved.json() == {"changed": 1}
    with tenancy.tenant_context(ward.municipality):
        budget = ProgrammeBudget.objects.get(programme=built.other, fiscal_year=now)
        assert (budget.actual, budget.initial) == (None, 3500)
    assert "budgets" in events(AuditAction.CHANGE, built.sheet)[-1].detail
    unknown = send(client, "PUT", url, {"budgets": [{"programme_id": 999999, "fiscal_year": now}]})
    assert unknown.status_code == 422
    assert unknown.json()["errors"]["budgets"] == [
        "このシートの計画事業ではありません（ID [999999]）。"
    ]


def test_programmes_are_created_changed_moved_and_archived(ward: Ward, built: Built) -> None:
    client = token_client(ward.member(Role.COORDINATOR))
    created = send(
        client,
        "POST",
        f"/strategy-sheets/{built.sheet.pk}/programmes",
        {"name": "居場所づくり", "department": "福祉政策課"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    with tenancy.tenant_context(ward.municipality):
        programme = StrategyProgramme.objects.get(pk=pk)
    assert len(events(AuditAction.CREATE, programme)) == 1
    changed = send(
        client,
        "PUT",
        f"/strategy-programmes/{pk}",
        {"name": "居場所づくり支援", "department": "福祉政策課", "role": "孤立を防ぐ"},
    )
    assert changed.status_code == 200 and changed.json()["name"] == "居場所づくり支援"
    assert events(AuditAction.CHANGE, programme)[0].detail["fields"] == ["name", "role"]
    moved = send(client, "POST", f"/strategy-programmes/{pk}/move", {"direction": "up"})
    assert moved.status_code == 200
    with tenancy.tenant_context(ward.municipality):
        order = list(
            StrategyProgramme.objects.filter(sheet=built.sheet)
            .order_by("sort_order")
            .values_list("pk", flat=True)
        )
    assert order == [built.programme.pk, pk, built.other.pk]
    assert events(AuditAction.CHANGE, programme)[-1].detail["moved"] == "up"
    archived = send(
        client, "POST", f"/strategy-programmes/{pk}/archive", {"reason": "計画の見直し"}
    )
    assert archived.status_code == 200
    assert archived.json()["archive_reason"] == "計画の見直し"
    assert archived.json()["archived_at"] is not None
    assert events(AuditAction.ARCHIVE, programme)[0].detail == {"reason": "計画の見直し"}
    # Archived: no longer found for a change.
    again = send(client, "PUT", f"/strategy-programmes/{pk}", {"name": "x", "department": "x"})
    assert again.status_code == 404


def test_programme_refusals_name_the_field(ward: Ward, built: Built) -> None:
    client = token_client(ward.member(Role.COORDINATOR))
    blank = send(
        client,
        "POST",
        f"/strategy-sheets/{built.sheet.pk}/programmes",
        {"name": "居場所", "department": ""},
    )
    assert blank.status_code == 422
    assert blank.json()["errors"]["department"] == ["このフィールドは空ではいけません。"]
    # A reason is the service's rule (it was the page form's only).
    no_reason = send(
        client, "POST", f"/strategy-programmes/{built.other.pk}/archive", {"reason": "  "}
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"]["reason"] == ["アーカイブの理由を入力してください。"]
    wrong = send(
        client, "POST", f"/strategy-programmes/{built.other.pk}/move", {"direction": "left"}
    )
    assert wrong.status_code == 422
    with tenancy.tenant_context(ward.municipality):
        assert StrategyProgramme.objects.filter(archived_at=None).count() == 2


def test_indicators_are_created_changed_moved_and_archived(ward: Ward, built: Built) -> None:
    client = token_client(ward.member(Role.SYSADMIN))
    created = send(
        client,
        "POST",
        f"/strategy-programmes/{built.programme.pk}/indicators",
        {
            "name": "地区の個人支援",
            "unit": "件",
            "metric": "activities",
            "option": NEW_INDIVIDUAL,
            "district_id": ward.districts[0].pk,
            "organization_id": ward.center.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["computed"] is True and body["district_id"] == ward.districts[0].pk
    with tenancy.tenant_context(ward.municipality):
        indicator = Indicator.objects.get(pk=body["id"])
    assert len(events(AuditAction.CREATE, indicator)) == 1
    # Typed from now on: the service clears what counting used.
    changed = send(
        client,
        "PUT",
        f"/strategy-indicators/{indicator.pk}",
        {"name": "地区の個人支援", "unit": "件", "metric": "entered", "option": NEW_INDIVIDUAL},
    )
    assert changed.status_code == 200
    assert (changed.json()["option"], changed.json()["district_id"]) == ("", None)
    assert "metric" in events(AuditAction.CHANGE, indicator)[0].detail["fields"]
    moved = send(client, "POST", f"/strategy-indicators/{indicator.pk}/move", {"direction": "up"})
    assert moved.status_code == 200
    with tenancy.tenant_context(ward.municipality):
        built.computed.refresh_from_db()
    assert moved.json()["sort_order"] < built.computed.sort_order
    archived = send(
        client, "POST", f"/strategy-indicators/{indicator.pk}/archive", {"reason": "重複"}
    )
    assert archived.status_code == 200 and archived.json()["archive_reason"] == "重複"
    assert len(events(AuditAction.ARCHIVE, indicator)) == 1


def test_indicator_refusals_name_the_field(ward: Ward, other_ward: Ward, built: Built) -> None:
    client = token_client(ward.member(Role.COORDINATOR))
    url = f"/strategy-programmes/{built.programme.pk}/indicators"
    counted = send(client, "POST", url, {"name": "ひろば", "unit": "人", "metric": "counted"})
    assert counted.status_code == 422
    assert counted.json()["errors"]["option"] == ["件数入力の項目名を入力してください。"]
    meeting = send(
        client,
        "POST",
        url,
        {"name": "会議", "unit": "回", "metric": "meetings_held", "option": "no-such-kind"},
    )
    assert meeting.json()["errors"]["option"] == ["会議の種類を選んでください。"]
    elsewhere = send(
        client,
        "POST",
        url,
        {
            "name": "よその機関",
            "unit": "件",
            "metric": Metric.ACTIVITIES,
            "organization_id": other_ward.center.pk,
        },
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"]["organization_id"] == ["指定された機関が見つかりません。"]
    with tenancy.tenant_context(ward.municipality):
        assert Indicator.objects.count() == 2


# --- Who may write, and whose --------------------------------------------------------


def _operations(built: Built) -> list[tuple[str, str, dict[str, Any]]]:
    sheet, programme, indicator = built.sheet.pk, built.programme.pk, built.entered.pk
    now = current_year()
    return [
        ("POST", "/strategy-sheets", SHEET),
        ("PUT", f"/strategy-sheets/{sheet}", SHEET),
        (
            "PUT",
            f"/strategy-sheets/{sheet}/values",
            {"values": [{"indicator_id": indicator, "fiscal_year": now, "actual": 1}]},
        ),
        (
            "PUT",
            f"/strategy-sheets/{sheet}/budgets",
            {"budgets": [{"programme_id": programme, "fiscal_year": now, "actual": 1}]},
        ),
        (
            "PUT",
            f"/strategy-sheets/{sheet}/narratives/{now}/results",
            {"text": "乗っ取り", "version": 0},
        ),
        (
            "PUT",
            f"/strategy-sheets/{sheet}/narratives/{now}",
            {"sections": {"results": {"text": "乗っ取り", "version": 0}}},
        ),
        ("POST", f"/strategy-sheets/{sheet}/programmes", {"name": "x", "department": "x"}),
        ("PUT", f"/strategy-programmes/{programme}", {"name": "x", "department": "x"}),
        ("POST", f"/strategy-programmes/{programme}/move", {"direction": "down"}),
        ("POST", f"/strategy-programmes/{programme}/archive", {"reason": "x"}),
        ("POST", f"/strategy-programmes/{programme}/indicators", {"name": "x", "unit": "件"}),
        ("PUT", f"/strategy-indicators/{indicator}", {"name": "x", "unit": "件"}),
        ("POST", f"/strategy-indicators/{indicator}/move", {"direction": "down"}),
        ("POST", f"/strategy-indicators/{indicator}/archive", {"reason": "x"}),
    ]


def _untouched(ward: Ward, built: Built) -> None:
    with tenancy.tenant_context(ward.municipality):
        assert list(StrategySheet.objects.values_list("title", flat=True)) == [
            "包括的な支援体制の強化"
        ]
        assert list(
            StrategyProgramme.objects.filter(archived_at=None)
            .order_by("sort_order")
            .values_list("name", flat=True)
        ) == ["小地域福祉活動の推進", "ひきこもり総合対策"]
        assert list(
            Indicator.objects.filter(archived_at=None)
            .order_by("sort_order")
            .values_list("name", flat=True)
        ) == ["コーディネーターの配置", "個人支援の新規件数"]
        assert not ProgrammeBudget.objects.filter(actual=1).exists()
        assert not IndicatorValue.objects.filter(actual=1).exists()
        assert not SheetNarrative.objects.exists()


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.GUEST])
def test_a_role_the_pages_refuse_is_refused(ward: Ward, built: Built, role: str) -> None:
    client = token_client(ward.member(role))
    for method, url, payload in _operations(built):
        assert send(client, method, url, payload).status_code == 403, (method, url)
    _untouched(ward, built)


def test_another_municipality_s_rows_are_not_found(
    ward: Ward, other_ward: Ward, built: Built
) -> None:
    client = token_client(other_ward.member(Role.COORDINATOR))
    for method, url, payload in _operations(built)[1:]:
        assert send(client, method, url, payload).status_code == 404, (method, url)
    _untouched(ward, built)
    assert AuditEvent.objects.filter(
        action=AuditAction.DENY, actor=other_ward.member(Role.COORDINATOR)
    ).exists()


def test_a_consultations_indicator_keeps_the_counted_entry_it_adds(
    ward: Ward, built: Built
) -> None:
    """「*委託事業件数と合算」: the item typed on the page (counted_item) or sent to
    the API (option) is kept, not cleared by the service."""
    client = token_client(ward.member(Role.COORDINATOR))
    created = send(
        client,
        "POST",
        f"/strategy-programmes/{built.programme.pk}/indicators",
        {
            "name": "相談受付件数",
            "unit": "件",
            "metric": "consultations",
            "organization_id": ward.center.pk,
            "option": "委託事業の相談件数",
        },
    )
    assert created.status_code == 201 and created.json()["option"] == "委託事業の相談件数"
    page = Client()
    page.force_login(ward.member(Role.COORDINATOR))
    response = page.post(
        f"/reports/strategy/programmes/{built.other.pk}/indicators/new/",
        {
            "name": "届いた相談",
            "unit": "件",
            "metric": "received",
            "organization": ward.coordinating.pk,
            "counted_item": "委託事業の受付件数",
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert Indicator.objects.get(name="届いた相談").option == "委託事業の受付件数"


def test_several_narrative_sections_are_saved_together_or_not_at_all(
    ward: Ward, built: Built
) -> None:
    now = current_year()
    url = f"/strategy-sheets/{built.sheet.pk}/narratives/{now}"
    client = token_client(ward.member(Role.MANAGER))
    saved = send(
        client,
        "PUT",
        url,
        {
            "sections": {
                "results": {"text": "支援会議を開いた。\r\n毎月。", "version": 0},
                "next": {"text": "地区を広げる。", "version": 0},
            }
        },
    )
    assert saved.status_code == 200, saved.content
    answered = {n["section"]: n for n in saved.json()}
    assert answered["results"]["text"] == "支援会議を開いた。\n毎月。"
    assert (answered["next"]["version"], answered["society"]["version"]) == (1, 0)
    with tenancy.tenant_context(ward.municipality):
        results = SheetNarrative.objects.get(section="results")
    assert len(events(AuditAction.CREATE, results)) == 1
    stale = send(
        client,
        "PUT",
        url,
        {
            "sections": {
                "society": {"text": "高齢化が進んだ。", "version": 0},
                "next": {"text": "古い画面から", "version": 0},
            }
        },
    )
    assert stale.status_code == 409
    assert stale.json()["sections"] == ["next"]
    wrong = send(client, "PUT", url, {"sections": {"other": {"text": "x", "version": 0}}})
    assert wrong.status_code == 422
    assert wrong.json()["errors"]["sections"] == ["記述の項目が正しくありません（other）。"]
    outside = send(
        client,
        "PUT",
        f"/strategy-sheets/{built.sheet.pk}/narratives/1990",
        {"sections": {"results": {"text": "x", "version": 0}}},
    )
    assert outside.status_code == 422 and "fiscal_year" in outside.json()["errors"]
    with tenancy.tenant_context(ward.municipality):
        assert not SheetNarrative.objects.filter(section="society").exists()
    counselor = token_client(ward.member(Role.COUNSELOR))
    refused = send(counselor, "PUT", url, {"sections": {"society": {"text": "x", "version": 0}}})
    assert refused.status_code == 403
