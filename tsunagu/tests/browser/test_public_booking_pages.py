"""Every public booking page (windows, free slots, the booking form, the form
with an error, the receipt, the cancel page and its answer) in every language
at phone width (375 px): axe-core finds no WCAG 2.1 AA violation and the page
loads no script (the frame and helpers of the consultation page's test)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.appointments import services
from tsunagu.core import tenancy
from tsunagu.frontdoor import public, publichost
from tsunagu.tests.browser.conftest import public_url
from tsunagu.tests.browser.test_phone_cards import PHONE
from tsunagu.tests.browser.test_public_pages import axe_violations_without_script

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_form(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test types faster than a person: the two-second check has its own test.
    monkeypatch.setattr(public, "FORM_MIN_SECONDS", 0)
    # One browser books in seven languages from one address.
    monkeypatch.setattr(public, "BOOKINGS_PER_ADDRESS", 100)
    publichost.forget_public_hosts()


def test_every_booking_page_in_every_language_is_accessible_at_phone_width(
    open_page: Callable[..., Page], ward: Any, live_server: Any, assert_clean: Callable[[], None]
) -> None:
    with tenancy.tenant_context(ward.municipality):
        services.settings_save(
            actor=ward.member(Role.ORG_MANAGER),
            organization=ward.center,
            takes_appointments=True,
            public_booking=True,
            capacity=10,
        )
    page = open_page(viewport=PHONE, base_url=public_url(live_server))
    page.set_default_navigation_timeout(60_000)
    found: dict[str, Any] = {}
    for lang in public.LANGUAGES:
        page.goto(f"/consult/{lang}/appointments/")
        expect(page.locator("html")).to_have_attribute("lang", public.HTML_LANG[lang])
        found[f"{lang} windows"] = axe_violations_without_script(page)
        page.get_by_role("link", name=ward.center.name).click()
        found[f"{lang} slots"] = axe_violations_without_script(page)
        page.locator("ul.slots a").first.click()
        found[f"{lang} form"] = axe_violations_without_script(page)
        page.locator("#field-contact_mail").fill("not-an-address")
        page.locator("button[type=submit]").click()
        expect(page.locator("#errors")).to_be_visible()
        found[f"{lang} form with an error"] = axe_violations_without_script(page)
        page.locator("#field-name").fill("グエン")
        page.locator("#field-contact_mail").fill("")
        page.locator("button[type=submit]").click()
        expect(page.locator(".secret-link a")).to_be_visible()
        found[f"{lang} receipt"] = axe_violations_without_script(page)
        page.goto(page.locator(".secret-link a").get_attribute("href") or "")
        found[f"{lang} cancel"] = axe_violations_without_script(page)
        page.locator("button[type=submit]").click()
        expect(page.locator(".success")).to_be_visible()
        found[f"{lang} cancelled"] = axe_violations_without_script(page)
    assert {name: v for name, v in found.items() if v} == {}
    assert_clean()
