"""No page asks anything of another server: a counselor, the coordinator (who
must give a two-factor code) and the system administrator walk the main pages
in Chromium — home, person search with its htmx results, the household page,
the referral inbox and a referral, cases, reports, the account and staff
pages, master data, the API browser — and every request each page made is to
the live server itself (or data:/blob:), with no Content-Security-Policy
violation on the console.

The printed sheets are PDF made on the server by a renderer that opens no URL
(tsunagu/core/printing.py); they are not pages and are not walked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import role_security_set
from tsunagu.cases.models import Case
from tsunagu.people.models import Household, Person
from tsunagu.referrals.models import Referral
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.browser.conftest import PageRecord
from tsunagu.tests.factories import PASSWORD, Ward
from tsunagu.tests.two_factor import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Records:
    ward: Ward
    person: Person
    household: Household
    referral: Referral
    case: Case


@pytest.fixture
def records(ward: Ward) -> Records:
    counselor, coordinator = ward.member(Role.COUNSELOR), ward.member(Role.COORDINATOR)
    person = rf.person(counselor, ward.center, family_name="榊原", given_name="澪子")
    household = rf.household(counselor, ward.center, head=person)
    consultation = rf.consultation(counselor, ward.center, household=household, subjects=[person])
    referral = rf.referral(
        counselor,
        ward.center,
        ward.other_center,
        household=household,
        consultation=consultation,
        persons=[person],
    )
    case = cf.case(coordinator, ward.coordinating, household)
    role_security_set(
        actor=None,
        municipality=ward.municipality,
        role=Role.COORDINATOR,
        require_two_factor=True,
    )
    return Records(ward, person, household, referral, case)


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()


def visit(page: Page, path: str, heading: str | re.Pattern[str] | None = None) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    if heading is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.wait_for_load_state("networkidle")


def search(page: Page, name: str) -> None:
    """The search page: type, and wait for the htmx results (and their second request)."""
    visit(page, "/people/search/")
    with page.expect_response(re.compile(r"/people/search/$")):
        page.locator("#id_q").fill(name)
        page.locator("#id_q").press("Enter")
    expect(page.locator("#search-results")).to_contain_text(name)
    expect(page.locator("#consultation-results")).not_to_contain_text("探しています")


def requested_paths(record: PageRecord, live_server: Any) -> set[str]:
    server = urlsplit(live_server.url).port
    return {urlsplit(url).path for url in record.requests if urlsplit(url).port == server}


def test_a_counselor_s_pages_stay_on_the_server(
    page: Page,
    records: Records,
    live_server: Any,
    page_records: dict[Page, PageRecord],
    assert_clean: Callable[[], None],
) -> None:
    visit(page, "/login/", "ログイン")
    sign_in(page, records.ward.member(Role.COUNSELOR).username)
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    page.wait_for_load_state("networkidle")

    search(page, records.person.family_name)
    page.get_by_role("link", name="世帯を開く").first.click()
    expect(page).to_have_url(re.compile(rf"/people/households/{records.household.pk}/$"))
    page.wait_for_load_state("networkidle")
    visit(page, f"/people/persons/{records.person.pk}/")
    visit(page, "/referrals/")
    visit(page, f"/referrals/{records.referral.pk}/")
    visit(page, "/consultations/new/")
    visit(page, "/cases/")
    visit(page, "/reports/")
    visit(page, "/reports/business/")
    visit(page, "/resources/")
    visit(page, "/account/")

    paths = requested_paths(page_records[page], live_server)
    # The walk happened: the pages, htmx's own file and its requests were recorded.
    assert f"/people/households/{records.household.pk}/" in paths
    assert {"/people/search/", "/people/search/consultations/", "/reports/business/"} <= paths
    assert any(p.endswith("htmx.min.js") for p in paths)
    assert_clean()


def test_the_coordinator_s_pages_stay_on_the_server_from_the_two_factor_step(
    page: Page,
    records: Records,
    live_server: Any,
    page_records: dict[Page, PageRecord],
    assert_clean: Callable[[], None],
) -> None:
    coordinator = records.ward.member(Role.COORDINATOR)
    sign_in(page, coordinator.username)
    expect(page).to_have_url(re.compile(r"/two-factor/setup/$"))
    expect(page.locator(".qr svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    page.get_by_label(re.compile("確認コード")).fill(current_code(device))
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    page.wait_for_load_state("networkidle")

    visit(page, "/cases/")
    visit(page, f"/cases/{records.case.pk}/")
    visit(page, f"/people/households/{records.household.pk}/")
    search(page, records.person.family_name)
    visit(page, "/referrals/")
    visit(page, "/meetings/")
    visit(page, "/reports/")
    visit(page, "/reports/business/")
    visit(page, "/community/")

    paths = requested_paths(page_records[page], live_server)
    assert {"/two-factor/setup/", f"/cases/{records.case.pk}/", "/people/search/"} <= paths
    assert_clean()


def test_the_system_administrator_s_pages_stay_on_the_server(
    page: Page,
    records: Records,
    live_server: Any,
    page_records: dict[Page, PageRecord],
    assert_clean: Callable[[], None],
) -> None:
    sign_in(page, records.ward.member(Role.SYSADMIN).username)
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    counselor = records.ward.member(Role.COUNSELOR)
    visit(page, "/account/staff/")
    visit(page, f"/account/staff/{counselor.pk}/")
    visit(page, "/account/staff/new/")
    visit(page, "/account/security/")
    visit(page, "/directory/organizations/")
    visit(page, "/directory/businesses/")
    visit(page, "/reports/")
    # The API browser (Swagger UI from our static files) and the document it reads.
    visit(page, "/api/v1/docs")
    expect(page.locator("#swagger-ui")).to_contain_text("つなぐ API")

    paths = requested_paths(page_records[page], live_server)
    assert "/api/v1/openapi.json" in paths
    assert_clean()
