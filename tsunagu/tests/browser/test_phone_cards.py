"""At phone width (375 px) a list's rows are cards: 状態, 期限 and the action
stay in view, and axe-core finds no WCAG 2.1 AA violation on the changed pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.tests import resident_factories as make
from tsunagu.tests.browser.test_clerk_forms import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 AA violations on the page as it is now (axe-core
    from the npm lock file, evaluated by the test, not served by the app)."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `npm ci`.", pytrace=False)
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_pages_axe_clean(page: Page, paths: Iterable[str], width: int | None = None) -> None:
    """Each of ``paths`` opens (2xx) with no WCAG 2.1 AA violation and, where
    ``width`` is given (a phone's), nothing to scroll sideways at that width
    (an ecomap zooms inside its own box)."""
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert axe_violations(page) == [], path
        if width is not None:
            scrolled = page.evaluate("document.documentElement.scrollWidth")
            assert scrolled <= width, (path, scrolled)


def test_the_referral_list_is_cards_at_phone_width(
    open_page: Callable[..., Page], ward: Any, assert_clean: Callable[[], None]
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    person = make.person(counselor, ward.center)
    household = make.household(counselor, ward.center, head=person)
    make.referral(counselor, ward.center, ward.other_center, household=household)

    page = open_page(viewport=PHONE)
    # (The machine may be busy: the first page of a live server can be slow.)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, counselor.username)
    page.goto("/referrals/?box=sent")

    row = page.locator("table.cards tbody tr").first
    for label in ("回答期限", "状態", "操作"):
        cell = row.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None
        # Whole within the phone's width: nothing to scroll sideways for.
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page) == []

    # The case list and a form sent back with its error summary, likewise.
    page.goto("/consultations/new/")
    page.get_by_role("button", name="受け付ける").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert axe_violations(page) == []
    assert_clean()


def test_the_pages_with_the_new_parts_are_axe_clean_at_desktop(
    page: Page, ward: Any, assert_clean: Callable[[], None]
) -> None:
    # (The machine may be busy: the first page of a live server can be slow.)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, ward.member(Role.COORDINATOR).username)
    for path in ("/cases/", "/referrals/", "/consultations/new/"):
        page.goto(path)
        assert axe_violations(page) == [], path
    page.get_by_role("button", name="受け付ける").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert axe_violations(page) == []
    assert_clean()
