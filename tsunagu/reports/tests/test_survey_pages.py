"""The survey page and its API as a manager (aggregates only) uses them: the
answers of the year, no resident's name or case number, audited; refused to
an external guest; the installation's totals shown only where it serves
several municipalities."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core.wareki import fiscal_year_label
from tsunagu.reports.tests.test_survey import NAMES, World, build_year, last_full_year
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ward: Ward, other_ward: Ward) -> World:
    return build_year(ward, other_ward)


def as_staff(staff) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(staff)
    return client


def row(page: str, label: str) -> str:
    """The text of the answers table's row headed ``label``."""
    match = re.search(rf'<th scope="row"[^>]*>{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert match, label
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_a_manager_reads_the_year_s_answers_without_any_name_or_case_number(
    ward: Ward, world: World, django_assert_max_num_queries
) -> None:
    client = as_staff(ward.member(Role.MANAGER))
    with django_assert_max_num_queries(26):
        response = client.get(reverse("reports:survey"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "調査回答（東京都社協 重層的支援体制整備事業調査）" in page
    # The default year is the last full one.
    assert f"{fiscal_year_label(world.fiscal_year)}の回答" in page
    assert "3回" in row(page, "支援会議の開催回数")
    assert "4件" in row(page, "支援会議の検討ケース数（実数）")
    assert "随時（年3回）" in row(page, "支援会議の開催頻度")
    assert "2件" in row(page, "プラン作成数")
    assert "1件" in row(page, "うち再プラン")
    assert "1件" in row(page, "本人同意に基づく支援プラン開始前の支援数")
    assert "5回" in row(page, "一世帯に対する月あたりの最多アプローチ回数")
    assert "数えている" in row(page, "アプローチ回数を数えているか")
    for name in NAMES:
        assert name not in page
    for case in world.cases:
        assert case.number not in page and case.title not in page
    # Two municipalities: the section is there, and says why it shows nothing.
    assert "この設置の自治体合計（匿名化）" in page
    assert "記録のある自治体が3未満のため、合計は表示しません。" in page
    event = AuditEvent.objects.filter(object_type="reports.survey").latest("id")
    assert event.action == AuditAction.LIST
    assert event.detail == {
        "page": "survey",
        "fiscal_year": world.fiscal_year,
        "installation": True,
    }


def test_another_year_is_chosen_and_a_wrong_one_is_refused_in_japanese(
    ward: Ward, world: World
) -> None:
    client = as_staff(ward.member(Role.COORDINATOR))
    before = client.get(reverse("reports:survey"), {"fiscal_year": world.fiscal_year - 1})
    assert "1回" in row(before.content.decode(), "支援会議の開催回数")
    wrong = client.get(reverse("reports:survey"), {"fiscal_year": "1999"})
    assert wrong.status_code == 200
    page = wrong.content.decode()
    assert "年度は一覧にある選択肢から選んでください。" in page
    # The default year's answers are still there below the error.
    assert "3回" in row(page, "支援会議の開催回数")


def test_one_municipality_alone_has_no_installation_section(ward: Ward) -> None:
    page = as_staff(ward.member(Role.MANAGER)).get(reverse("reports:survey")).content.decode()
    assert "0回" in row(page, "支援会議の開催回数")
    assert "この設置の自治体合計" not in page


@pytest.mark.parametrize(
    "url", ["/reports/survey/", "/api/v1/survey", "/api/v1/survey/installation"]
)
def test_an_external_guest_is_refused(ward: Ward, url: str) -> None:
    assert as_staff(ward.member(Role.GUEST)).get(url).status_code == 403


def test_the_api_answers_the_year_as_the_page_does(ward: Ward, world: World) -> None:
    client = as_staff(ward.member(Role.MANAGER))
    response = client.get("/api/v1/survey", {"fiscal_year": world.fiscal_year})
    assert response.status_code == 200
    body = response.json()
    assert body["fiscal_year_label"] == fiscal_year_label(world.fiscal_year)
    meeting = body["support_meeting"]
    assert (meeting["held"], meeting["cases"], meeting["new_cases"]) == (3, 4, 4)
    assert meeting["frequency"] == "occasional" and meeting["frequency_label"] == "随時（年3回）"
    assert (body["plans_made"], body["first_plans"], body["replans"]) == (2, 1, 1)
    assert (body["participation_plan_based"], body["participation_before_plan"]) == (1, 1)
    assert body["outreach"]["maximum"] == 5 and len(body["outreach"]["maximum_months"]) == 2
    assert not any(name in response.content.decode() for name in NAMES)
    # Without a year: the last full one.
    assert client.get("/api/v1/survey").json()["fiscal_year"] == last_full_year()
    event = AuditEvent.objects.filter(object_type="reports.survey").latest("id")
    assert event.action == AuditAction.LIST and event.detail["via"] == "api"


@pytest.mark.parametrize("value", ["1999", "9999", "abc"])
def test_the_api_refuses_a_wrong_year_in_japanese(ward: Ward, value: str) -> None:
    response = as_staff(ward.member(Role.MANAGER)).get("/api/v1/survey", {"fiscal_year": value})
    assert response.status_code == 422
    body = response.json()
    assert "入力内容に誤りがあります" in body["detail"]
    if value != "abc":
        assert "年度は" in body["errors"]["fiscal_year"][0]
