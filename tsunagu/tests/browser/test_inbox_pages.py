"""The online inbox in real Chromium, at desktop and phone width: the list,
a thread with a word of crisis and its emergency guidance, the conversion
form and the coordinating section's settings are axe-clean (WCAG 2.1 AA),
fit the phone's width, and a reply sent from the page reaches the thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.frontdoor import services
from tsunagu.frontdoor.models import FrontDoorSettings
from tsunagu.tests.browser.test_clerk_forms import sign_in
from tsunagu.tests.browser.test_phone_cards import PHONE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDANCE = "警察110・救急119へ。自殺をほのめかす場合は係長に報告する。"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["1280", "375"])
def test_the_inbox_pages_are_axe_clean_and_a_reply_goes_out(
    open_page: Callable[..., Page], ward: Any, assert_clean: Callable[[], None], viewport: Any
) -> None:
    with tenancy.tenant_context(ward.municipality):
        FrontDoorSettings.objects.create(emergency_guidance=GUIDANCE)
        crisis = services.open_thread(channel="web", language="vi", topic="health")
        services.receive(crisis, "Tôi muốn chết. Tôi không biết phải làm gì.")
        other = services.open_thread(channel="mail", language="ja", topic="income")
        services.receive(other, "仕事を探しています。")
    page = open_page(viewport=viewport)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, ward.member(Role.COORDINATOR).username)
    for path in (
        "/threads/",
        f"/threads/{crisis.pk}/",
        f"/threads/{crisis.pk}/convert/",
        "/threads/triage/",
    ):
        page.goto(path)
        assert axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
    page.goto("/threads/")
    first = page.locator("table.cards tbody tr").first
    expect(first).to_contain_text(crisis.number)
    expect(first).to_contain_text("危機の言葉")
    page.goto(f"/threads/{crisis.pk}/")
    expect(page.get_by_text(GUIDANCE)).to_be_visible()
    page.get_by_role("button", name="返信する").click()  # empty: refused, kept on the page
    expect(page.locator(".errorlist").first).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("textbox", name="返信").fill(
        "ご相談ありがとうございます。いまお話しできますか。"
    )
    page.get_by_role("button", name="返信する").click()
    expect(page.get_by_text("返信しました。")).to_be_visible()
    expect(page.get_by_text("いまお話しできますか。")).to_be_visible()
    expect(page.get_by_text("最初の返信までの時間")).to_be_visible()
    assert_clean()
