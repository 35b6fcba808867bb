"""A person at the screens: signing in per role, the menu the policy gives,
signing out, the login errors, the keyboard, a phone, and one piece of
master-data work done by the system administrator."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path("/tmp/tsunagu-screens")  # noqa: S108 - the brief names this folder

MASTER = ["支援関係機関", "重層の事業", "日常生活圏域"]
#: What every staff member reads: the resource directory, 地域づくり and the reports (aggregates).
SHARED = ["社会資源", "地域づくり", "報告・評価"]
#: The day-to-day casework: in view when a long menu is folded.
DAILY = [
    "相談受付",
    "検索",
    "つなぐシート",
    "多機関協働",
    "会議",
    "タスク",
    "アウトリーチ",
    "参加支援",
]
#: After the day's casework, in a folded menu: オンライン相談 (in view when a
#: thread waits for the window), 活動記録, 出張相談会 and 予約.
CASEWORK = [*DAILY, "オンライン相談", "活動記録", "出張相談会", "予約", *SHARED]
# The menu each role must see, in the order of the menu (context_processors.MENU).
# 会議 is for casework staff and a meeting's guests; managers, system
# administrators and auditors hold no sittings.
MENUS: dict[Role, list[str]] = {
    Role.COUNSELOR: ["ホーム", *CASEWORK, *MASTER, "アカウント"],
    Role.ORG_MANAGER: ["ホーム", *CASEWORK, *MASTER, "職員", "記録の統合", "アカウント"],
    Role.COORDINATOR: ["ホーム", *CASEWORK, *MASTER, "記録の統合", "アカウント"],
    Role.MANAGER: ["ホーム", *SHARED, *MASTER, "アカウント"],
    Role.SYSADMIN: [
        "ホーム",
        *SHARED,
        *MASTER,
        "世帯の特徴",
        "職員",
        "セキュリティ設定",
        "異体字",
        "アカウント",
    ],
    Role.AUDITOR: ["ホーム", *SHARED, *MASTER, "監査証跡", "緊急時の閲覧", "アカウント"],
    # A meeting's external guest: that meeting only, no master data, no casework.
    Role.GUEST: ["ホーム", "会議", "アカウント"],
}
RESTRICTED = ["職員", "セキュリティ設定", "監査証跡"]
# Per role: a menu link to click, and the heading of the page it opens.
DESTINATIONS: dict[Role, tuple[str, str]] = {
    Role.COUNSELOR: ("支援関係機関", "支援関係機関"),
    Role.ORG_MANAGER: ("職員", "職員"),
    Role.COORDINATOR: ("日常生活圏域", "日常生活圏域"),
    Role.MANAGER: ("重層の事業", "重層的支援体制整備事業の事業構成"),
    Role.SYSADMIN: ("セキュリティ設定", "セキュリティ設定"),
    Role.AUDITOR: ("監査証跡", "監査証跡"),
    Role.GUEST: ("会議", "会議"),
}
LOGIN_URL = re.compile(r"/login/(\?.*)?$")


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()


def menu(page: Page) -> Any:
    return page.get_by_role("navigation", name="メインメニュー")


def screenshot(page: Page, name: str) -> None:
    """For people to look at; a test never depends on it."""
    try:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / name), full_page=True)
    except (OSError, PlaywrightError) as error:
        warnings.warn(f"screenshot {name} not saved: {error}", stacklevel=2)


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_sign_in_menu_navigate_and_sign_out(
    page: Page, ward: Any, role: Role, assert_clean: Callable[[], None]
) -> None:
    staff = ward.member(role)
    sign_in(page, staff.username)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    expect(page.locator("header")).to_contain_text(staff.full_name)

    links = menu(page).get_by_role("link")
    if len(MENUS[role]) > 12:
        # Casework staff see their daily work; the rest is one button away.
        expect(links).to_have_text(["ホーム", *DAILY])
        menu(page).locator("summary", has_text="その他のメニュー").click()
        folded = [label for label in MENUS[role] if label not in ("ホーム", *DAILY)]
        expect(links).to_have_text(["ホーム", *DAILY, *folded])
    else:
        expect(menu(page).locator("summary")).to_have_count(0)
        expect(links).to_have_text(MENUS[role])
    for label in RESTRICTED:
        link = menu(page).get_by_role("link", name=label, exact=True)
        expect(link).to_have_count(1 if label in MENUS[role] else 0)
    expect(menu(page).get_by_role("link", name="ホーム", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    if role == Role.COUNSELOR:
        screenshot(page, "home-counselor.png")

    label, heading = DESTINATIONS[role]
    menu(page).get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(menu(page).get_by_role("link", name=label, exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    expect(page.get_by_role("button", name="ログアウト")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    assert_clean()


def test_wrong_password_shows_japanese_error(
    page: Page, ward: Any, assert_clean: Callable[[], None]
) -> None:
    sign_in(page, ward.member(Role.COUNSELOR).username, password="wrong-password-123")

    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("alert")).to_contain_text("正しくありません")
    expect(page.get_by_role("button", name="ログアウト")).to_have_count(0)
    assert_clean()


def test_tab_first_reaches_the_skip_link(
    page: Page, live_server: Any, assert_clean: Callable[[], None]
) -> None:
    page.goto("/login/")
    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # it shows itself when focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert_clean()


def test_the_folded_menu_opens_and_closes_from_the_keyboard(
    page: Page, ward: Any, assert_clean: Callable[[], None]
) -> None:
    sign_in(page, ward.member(Role.COUNSELOR).username)
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    more = menu(page).locator("details.nav-more")
    summary = more.locator("summary")
    reports = menu(page).get_by_role("link", name="報告・評価", exact=True)
    expect(reports).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    first = menu(page).get_by_role("link", name="オンライン相談", exact=True)
    expect(first).to_be_focused()
    # Escape closes the list and gives the focus back to its button.
    page.keyboard.press("Escape")
    expect(more).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(reports).to_be_visible()
    reports.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("報告・評価")
    # On its own page the entry is in view, marked as the page, with the list closed.
    expect(reports).to_be_visible()
    expect(reports).to_have_attribute("aria-current", "page")
    expect(more).not_to_have_attribute("open", "")
    assert_clean()


def test_sysadmin_creates_and_archives_an_organization(
    page: Page, ward: Any, assert_clean: Callable[[], None]
) -> None:
    name = "子ども家庭支援センター東"
    sign_in(page, ward.member(Role.SYSADMIN).username)
    menu(page).get_by_role("link", name="支援関係機関", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("支援関係機関")

    page.get_by_role("link", name="新規登録").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("支援関係機関の新規登録")
    page.get_by_label("機関名").fill(name)
    page.get_by_label("種別").select_option(label="センター")
    page.get_by_role("button", name="保存する").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("支援関係機関")
    expect(page.get_by_role("status")).to_contain_text(f"「{name}」を保存しました。")
    row = page.locator("table tbody tr").filter(has_text=name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("センター")
    expect(row).to_contain_text("直営")
    screenshot(page, "organization-list.png")

    row.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_label("アーカイブの理由").fill("組織改正により廃止")
    page.get_by_role("button", name="アーカイブする").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("支援関係機関")
    expect(page.get_by_role("status")).to_contain_text(f"「{name}」をアーカイブしました。")
    expect(page.locator("table")).not_to_contain_text(name)
    expect(page.locator("table")).to_contain_text(ward.center.name)

    page.get_by_role("link", name="アーカイブ済みも表示").click()
    archived = page.locator("table tbody tr").filter(has_text=name)
    expect(archived).to_have_count(1)
    expect(archived).to_contain_text("組織改正により廃止")
    assert_clean()


def test_home_fits_a_phone(
    open_page: Callable[..., Page], ward: Any, assert_clean: Callable[[], None]
) -> None:
    page = open_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    sign_in(page, ward.member(Role.SYSADMIN).username)
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375 + 1, f"horizontal scroll on a phone: scrollWidth {scroll_width}"
    assert_clean()


def test_pages_are_in_japanese(page: Page, ward: Any, assert_clean: Callable[[], None]) -> None:
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    sign_in(page, ward.member(Role.COUNSELOR).username)
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    assert_clean()
