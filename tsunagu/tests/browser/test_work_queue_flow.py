"""The work queue after a つなぐシート arrives, in Chromium against the live
server: the receiving window's counselor signs in, the menu tells them how
many wait (its link keeps its name, the count is its description), the home
page lists the sheet with its deadline, and its link opens it. At phone width
the count and the line stay in view.

All names are made up."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.core.templatetags.wareki import wareki
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import PASSWORD, Ward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_queue_after_a_sheet_arrives(
    ward: Ward,
    open_page: Callable[..., Page],
    assert_clean: Callable[[], None],
    width: int,
) -> None:
    sender = ward.member(Role.COUNSELOR)
    receiver = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "minami-queue")
    referral = make.referral(sender, ward.center, ward.other_center)

    page = open_page(viewport={"width": width, "height": 800})
    sign_in(page, receiver.username)

    menu = page.get_by_role("navigation", name="メインメニュー")
    link = menu.get_by_role("link", name="つなぐシート", exact=True)
    expect(link).to_have_accessible_description("1件の対応待ち")
    queue = page.get_by_role("region", name="今日の仕事")
    expect(queue).to_contain_text("受理待ち 1件（うち期限超過 0件）")
    line = queue.get_by_role("link", name=f"{referral.number} {ward.center.name}")
    expect(line).to_be_visible()
    expect(queue).to_contain_text(wareki(referral.due_on))
    line.click()
    expect(page).to_have_url(f"{page.url.split('/referrals/')[0]}/referrals/{referral.pk}/")
    assert_clean()
