"""The household page's ecomap at phone width, in Chromium: the picture fits
the screen, whole names are in it, and ＋/－ zoom it inside a box that scrolls
(static ecomap.js, nothing the Content Security Policy refuses)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import PASSWORD, Ward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_the_ecomap_fits_a_phone_and_zooms(
    ward: Ward, open_page: Callable[..., Page], assert_clean: Callable[[], None]
) -> None:
    clerk = ward.member(Role.COUNSELOR)
    head = make.person(clerk, ward.center, family_name="架空", given_name="花子", sex="female")
    son = make.person(clerk, ward.center, family_name="架空", given_name="一郎", sex="male")
    household = make.household(clerk, ward.center, head=head, members=[(son, "child")])
    make.consultation(clerk, ward.center, household=household, subjects=[head])
    make.referral(clerk, ward.center, ward.other_center, household=household, persons=[son])

    page = open_page(viewport=PHONE)
    page.goto("/login/", timeout=60_000)
    page.get_by_label("ログインID").fill(clerk.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    page.goto(reverse("people:household_detail", args=[household.pk]))

    ecomap = page.get_by_role("region", name="エコマップ")
    picture = ecomap.locator("svg[role='img']")
    expect(picture).to_be_visible()
    # Whole names (the organization's, wrapped, in its node's title and texts).
    expect(picture).to_contain_text(ward.center.name)
    canvas = ecomap.locator(".ecomap-canvas")

    def widths() -> tuple[float, float]:
        return canvas.evaluate(
            "(box) => [box.querySelector('svg').getBoundingClientRect().width, box.clientWidth]"
        )

    drawn, room = widths()
    assert drawn <= room + 1, "the picture fits the phone's width"
    bigger = ecomap.get_by_role("button", name="拡大")
    smaller = ecomap.get_by_role("button", name="縮小")
    expect(smaller).to_be_disabled()
    bigger.click()
    bigger.click()
    expect(ecomap.locator(".ecomap-zoom-level")).to_have_text("200%")
    zoomed, room = widths()
    assert zoomed > room * 1.5 and zoomed > drawn * 1.5
    # The box scrolls to what is beyond the screen.
    assert canvas.evaluate("(box) => box.scrollWidth > box.clientWidth")
    smaller.click()
    smaller.click()
    expect(ecomap.locator(".ecomap-zoom-level")).to_have_text("100%")
    assert abs(widths()[0] - drawn) < 1
    assert_clean()
