"""The digital front door as people walk it, at phone width (issue 20):

1. a resident writes in Vietnamese on the public page and keeps the link and the code;
2. the coordinating section sees the thread in its inbox and replies in Japanese;
3. the resident opens the link, enters the code, reads the reply and answers;
4. the coordinator turns the thread into a 相談受付 about a subject not yet known,
   and later links that consultation to the household it turns out to be.

The resident's browser is on the public host (``localhost`` in the tests) and
the coordinator's on the staff host (127.0.0.1): two hosts, two cookie jars, as
in production. Every page on the way is axe-clean (WCAG 2.1 AA) at 375 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.frontdoor import public, publichost
from tsunagu.frontdoor.models import Status, Thread
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.browser.conftest import public_url
from tsunagu.tests.browser.test_clerk_forms import sign_in
from tsunagu.tests.browser.test_phone_cards import PHONE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORRY = "Tôi mới mất việc và không trả được tiền nhà tháng sau. Tôi phải làm gì?"
REPLY = "ご相談ありがとうございます。家賃のご相談は自立相談支援窓口でお受けできます。"
ANSWER = "Cảm ơn. Tôi có thể đến vào thứ Hai không?"


@pytest.fixture(autouse=True)
def _typing_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test types faster than a person; the two-second check has its own test.
    monkeypatch.setattr(public, "FORM_MIN_SECONDS", 0)
    publichost.forget_public_hosts()


def test_a_resident_writes_in_vietnamese_and_the_thread_becomes_a_linked_consultation(
    open_page: Callable[..., Page], ward: Any, live_server: Any, assert_clean: Callable[[], None]
) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    head = rf.person(coordinator, ward.coordinating, family_name="グエン", given_name="ヴァン")
    household = rf.household(coordinator, ward.coordinating, head=head)
    problems: dict[str, list[Any]] = {}

    # 1. The resident, on a phone, in Vietnamese.
    resident = open_page(viewport=PHONE, base_url=public_url(live_server))
    resident.set_default_navigation_timeout(60_000)
    resident.goto("/consult/")
    resident.get_by_role("link", name="Tiếng Việt").click()
    expect(resident.locator("html")).to_have_attribute("lang", "vi")
    resident.locator("#field-body").fill(WORRY)
    resident.locator("#field-topic").select_option("income")
    resident.locator("button[type=submit]").click()
    code = resident.locator("dd.code").inner_text().strip()
    link = resident.locator("a.secret-link").get_attribute("href")
    assert link and link.startswith("/consult/vi/t/") and code.isdigit()
    assert code not in resident.url and code not in link  # no secret in an address
    problems["receipt"] = axe_violations(resident)
    assert resident.context.cookies() == []

    # 2. The coordinating section sees it first in its inbox and answers in Japanese.
    staff = open_page(viewport=PHONE)
    staff.set_default_navigation_timeout(60_000)
    staff.goto("/login/")
    sign_in(staff, coordinator.username)
    staff.goto("/threads/")
    row = staff.locator("table.cards tbody tr").first
    expect(row).to_contain_text("Tiếng Việt")
    expect(row).to_contain_text("相談フォーム")
    problems["inbox"] = axe_violations(staff)
    row.get_by_role("link").first.click()
    expect(staff.get_by_text(WORRY)).to_be_visible()
    staff.get_by_role("textbox", name="返信").fill(REPLY)
    staff.get_by_role("button", name="返信する").click()
    expect(staff.get_by_text("返信しました。")).to_be_visible()
    problems["thread"] = axe_violations(staff)

    # 3. The resident comes back with the link and the code, reads, answers.
    resident.goto(link)
    resident.locator("#field-code").fill(code)
    resident.locator("button[type=submit]").click()
    conversation = resident.locator(".conversation")
    expect(conversation).to_contain_text(REPLY)
    expect(conversation).not_to_contain_text(coordinator.full_name)  # the window, not the person
    resident.locator("#field-body").fill(ANSWER)
    resident.locator("button[type=submit]").click()
    expect(resident.locator(".success")).to_be_visible()
    expect(resident.locator(".conversation")).to_contain_text(ANSWER)
    problems["resident thread"] = axe_violations(resident)
    assert resident.context.cookies() == []

    # 4. The coordinator reads the answer and turns the thread into a 相談受付 …
    staff.reload()
    expect(staff.get_by_text(ANSWER)).to_be_visible()
    staff.get_by_role("link", name="相談受付にする").click()
    problems["convert"] = axe_violations(staff)
    staff.get_by_role("textbox", name="対象者が未特定の場合の手がかり").fill(
        "ベトナム出身の方（家賃）"
    )
    staff.get_by_role("button", name="相談受付にする").click()
    expect(staff.get_by_text("対象者はまだ特定されていません")).to_be_visible()
    with tenancy.tenant_context(ward.municipality):
        thread = Thread.objects.get()
        consultation = Consultation.objects.get(thread=thread)
        assert thread.status == Status.CONVERTED and consultation.household_id is None
        assert consultation.channel == "web_form"
        assert WORRY in consultation.summary and ANSWER in consultation.summary
    staff.get_by_role("link", name=consultation.number).click()
    # The consultation names the thread it came from.
    expect(staff.get_by_role("link", name=f"オンライン相談 {thread.number}")).to_be_visible()
    problems["consultation"] = axe_violations(staff)

    # … and, once the family is known, links it to the household.
    staff.get_by_role("link", name="本人・世帯に結び付ける").click()
    staff.get_by_role("searchbox").fill("グエン")
    staff.get_by_role("button", name="検索").click()
    staff.get_by_role("radio", name=re.compile("グエン")).check()
    staff.get_by_role("button", name="次へ（確認）").click()
    staff.get_by_role("button", name="この世帯に結び付ける").click()
    expect(staff.get_by_role("link", name=head.full_name, exact=True)).to_be_visible()
    with tenancy.tenant_context(ward.municipality):
        assert Consultation.objects.get(pk=consultation.pk).household_id == household.pk

    assert {page: found for page, found in problems.items() if found} == {}
    assert_clean()
