"""A clerk's forms in Chromium: the error summary takes the focus, the idle
warning offers to stay signed in, and what was typed survives a sign-out."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN_URL = re.compile(r"/login/\?next=/consultations/new/$")
TYPED = "上の階の人が数日見えない。郵便受けがあふれている。"


def sign_in(page: Page, username: str) -> None:
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()


def test_a_form_sent_back_moves_the_focus_to_its_error_summary(
    page: Page, ward: Any, assert_clean: Callable[[], None]
) -> None:
    # (The machine may be busy: the first page of a live server can be slow.)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, ward.member(Role.COUNSELOR).username)
    page.goto("/consultations/new/")
    page.get_by_role("button", name="受け付ける").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_have_text(
        re.compile(r"入力内容を確認してください（\d+件）")
    )
    assert page.title().startswith("エラー：")

    # A link moves to its field.
    summary.get_by_role("link", name="相談の概要を入力してください。").click()
    expect(page.locator("#id_summary")).to_be_focused()
    expect(page.locator("#id_summary")).to_have_attribute("aria-invalid", "true")
    assert_clean()


def test_the_idle_warning_keeps_the_session_and_the_draft_survives_a_sign_out(
    page: Page, ward: Any, settings: Any, assert_clean: Callable[[], None]
) -> None:
    # 20 seconds of idleness, so that the test sees the warning (at half the
    # limit, as for any limit of 10 minutes or less) and the sign-out.
    # (The machine may be busy: the first page of a live server can be slow.)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, ward.member(Role.COUNSELOR).username)
    expect(page).to_have_url(re.compile(r"/$"))
    settings.SESSION_COOKIE_AGE = 20
    page.goto("/consultations/new/")
    with page.expect_response(lambda r: r.url.endswith("/drafts/save/") and r.ok):
        page.get_by_label("相談の概要").fill(TYPED)

    dialog = page.get_by_role("alertdialog", name="あと5分で自動的にサインアウトされます")
    expect(dialog).to_be_visible(timeout=15_000)
    stay = dialog.get_by_role("button", name="サインインを続ける")
    expect(stay).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/account/stay-signed-in/") and r.ok):
        stay.click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/consultations/new/$"))

    # Left alone past the limit: signed out, to the sign-in page.
    expect(page).to_have_url(LOGIN_URL, timeout=40_000)
    expect(page.get_by_text("一定時間操作がなかったため")).to_be_visible()

    settings.SESSION_COOKIE_AGE = 1800
    sign_in(page, ward.member(Role.COUNSELOR).username)
    expect(page).to_have_url(re.compile(r"/consultations/new/$"))
    expect(page.get_by_text("保存された下書きを復元しました")).to_be_visible()
    expect(page.get_by_label("相談の概要")).to_have_value(TYPED)

    # Discarded: the form is empty again, and so it stays when reopened.
    page.get_by_role("button", name="下書きを破棄する").click()
    expect(page.get_by_label("相談の概要")).to_have_value("")
    page.reload()
    expect(page.get_by_label("相談の概要")).to_have_value("")
    expect(page.get_by_text("保存された下書きを復元しました")).to_have_count(0)
    assert_clean()
