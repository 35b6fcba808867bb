"""Every public page (landing, receipt, code entry, thread) in every language at
phone width (375 px): axe-core finds no WCAG 2.1 AA violation, the page stays
on its server under the strict CSP (the pages have no script of their own).

The browser reaches the live server at ``localhost``, the public host of the
tests (settings_test.TSUNAGU_PUBLIC_LOCAL_HOST)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.frontdoor import public, publichost, services
from tsunagu.frontdoor.models import Thread
from tsunagu.tests.browser.conftest import public_url
from tsunagu.tests.browser.test_phone_cards import PHONE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_form(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test types faster than a person: the two-second check has its own test.
    monkeypatch.setattr(public, "FORM_MIN_SECONDS", 0)
    # One browser writes in seven languages from one address.
    monkeypatch.setattr(public, "NEW_THREADS_PER_ADDRESS", 100)
    publichost.forget_public_hosts()


def test_every_public_page_in_every_language_is_accessible_at_phone_width(
    open_page: Callable[..., Page], ward: Any, live_server: Any, assert_clean: Callable[[], None]
) -> None:
    base = public_url(live_server)
    page = open_page(viewport=PHONE, base_url=base)
    page.set_default_navigation_timeout(60_000)
    found: dict[str, Any] = {}
    for number, lang in enumerate(public.LANGUAGES):
        page.goto(f"/consult/{lang}/")
        expect(page.locator("html")).to_have_attribute("lang", public.HTML_LANG[lang])
        found[f"{lang} landing"] = axe_violations_without_script(page)
        page.locator("#field-body").fill(f"相談 {number}: 家賃が払えません。")
        page.locator("#field-topic").select_option("housing")
        page.locator("button[type=submit]").click()
        found[f"{lang} receipt"] = axe_violations_without_script(page)
        code = page.locator("dd.code").inner_text()
        page.locator("a.button").click()
        found[f"{lang} code"] = axe_violations_without_script(page)
        if number == 0:
            with tenancy.tenant_context(ward.municipality):
                services.reply(
                    Thread.objects.get(),
                    "お返事です。",
                    staff=ward.member(Role.COORDINATOR),
                    organization=ward.coordinating,
                )
        page.locator("#field-code").fill("000000" if code != "000000" else "111111")
        page.locator("button[type=submit]").click()
        found[f"{lang} wrong code"] = axe_violations_without_script(page)
        page.locator("#field-code").fill(code)
        page.locator("button[type=submit]").click()
        expect(page.locator(".conversation")).to_contain_text("家賃が払えません。")
        found[f"{lang} thread"] = axe_violations_without_script(page)
        page.locator("#field-body").fill("ありがとうございます。")
        page.locator("button[type=submit]").click()
        expect(page.locator(".success")).to_be_visible()
        found[f"{lang} thread sent"] = axe_violations_without_script(page)
    assert {name: v for name, v in found.items() if v} == {}
    assert_clean()


def axe_violations_without_script(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations, after checking that the page loads no script."""
    assert page.locator("script").count() == 0
    return axe_violations(page)
