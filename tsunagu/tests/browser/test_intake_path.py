"""The path from 相談受付 to a つなぐシート, counted as a clerk walks it (issue 19).

A counselor of 高齢者あんしん相談センター富坂 in the demo ward takes a
telephone consultation about a new resident, and hands it to 自立相談支援窓口.
Every click, drop-down choice and typed field of the walk is counted, and on
each of the two pages the Tab presses from the top of the page to its submit
button (real key presses in Chromium, so the browser's own focus order counts:
one stop per radio group, none inside a closed <details>).

The figures are written beside today's to bench/results/intake-path.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.demo.ward import DEMO_PASSWORD, load_demo_ward
from tsunagu.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULTS = Path(__file__).resolve().parents[3] / "bench" / "results" / "intake-path.md"
DESTINATION = "自立相談支援窓口"
SUMMARY = "本人から電話。失業して家賃が払えず、手持ちのお金もわずか。体調もすぐれない。"
REQUEST = "家賃と生活費の相談、就労の支援をお願いします。"
#: The most Tab presses counted before giving up (the page has fewer stops).
TAB_LIMIT = 250


@dataclass
class Counts:
    clicks: int = 0
    choices: int = 0  # drop-down choices
    typed: int = 0  # fields typed into
    tabs_intake: int = 0  # Tab presses from the top of the intake page to 受け付ける
    tabs_referral: int = 0  # … of the referral page to 送付する

    @property
    def tabs(self) -> int:
        return self.tabs_intake + self.tabs_referral


class Clerk:
    """The clerk's hands: each action is counted as it is done."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.counts = Counts()

    def click(self, target: Locator) -> None:
        target.click()
        self.counts.clicks += 1

    def check(self, target: Locator) -> None:
        target.check()
        self.counts.clicks += 1

    def choose(self, target: Locator, label: str) -> None:
        target.select_option(label=label)
        self.counts.choices += 1

    def type(self, target: Locator, text: str) -> None:
        target.fill(text)
        self.counts.typed += 1

    def tabs_to(self, target: Locator) -> int:
        """Tab presses from the top of the page until ``target`` has the focus."""
        self.page.evaluate(
            """() => {
              const origin = document.createElement("span");
              origin.tabIndex = -1;
              origin.id = "tab-origin";
              document.body.prepend(origin);
              origin.focus();
            }"""
        )
        handle = target.element_handle()
        for presses in range(1, TAB_LIMIT + 1):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("(el) => document.activeElement === el", handle):
                self.page.evaluate("() => document.getElementById('tab-origin').remove()")
                return presses
        raise AssertionError(f"the submit button was not reached in {TAB_LIMIT} Tab presses")


def field(scope: Page | Locator, label: str) -> Locator:
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}(必須)?$"))


def group(scope: Page | Locator, legend: str) -> Locator:
    return scope.get_by_role("group", name=re.compile(rf"^{re.escape(legend)}(必須)?$"))


@pytest.fixture
def demo_ward() -> Municipality:
    return load_demo_ward()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")


def walk(page: Page) -> Counts:
    """Today's path, as the pages stand at commit 513ab48."""
    clerk = Clerk(page)
    clerk.click(
        page.get_by_role("navigation", name="メインメニュー").get_by_role(
            "link", name="相談受付", exact=True
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("相談受付")
    clerk.check(group(page, "相談経路").get_by_role("radio", name="電話", exact=True))
    clerk.choose(field(page, "相談者"), "本人")
    clerk.type(field(page, "氏"), "架空")
    clerk.type(field(page, "名"), "太郎")
    clerk.type(field(page, "生年月日"), "昭和50年4月1日")
    clerk.type(field(page, "住所"), "デモ区大塚3-4-5")
    clerk.choose(field(page, "性別"), "男性")
    clerk.choose(field(page, "日常生活圏域"), "大塚")
    topics = group(page, "相談内容（該当するものすべて）")
    clerk.check(topics.get_by_role("checkbox", name="収入・生活費", exact=True))
    clerk.check(topics.get_by_role("checkbox", name="家賃・ローン", exact=True))
    clerk.check(topics.get_by_role("checkbox", name="仕事探し", exact=True))
    clerk.choose(field(page, "主な相談内容（◎）"), "収入・生活費")
    clerk.type(field(page, "相談の概要"), SUMMARY)
    clerk.check(
        group(page, "情報共有への同意").get_by_role(
            "radio", name="同意あり（情報共有に同意を得た）", exact=True
        )
    )
    clerk.check(group(page, "対応結果").get_by_role("radio", name="他機関へつなぐ", exact=True))
    submit = page.get_by_role("button", name="受け付ける", exact=True)
    clerk.counts.tabs_intake = clerk.tabs_to(submit)
    clerk.click(submit)

    expect(page.get_by_role("heading", level=1)).to_have_text("つなぐシートを作る")
    clerk.choose(field(page, "つなぎ先"), DESTINATION)
    clerk.type(field(page, "依頼したいこと"), REQUEST)
    shared = group(page, "共有する情報の種類")
    for item in ("氏名・連絡先", "相談内容", "心身の状況"):
        clerk.check(shared.get_by_role("checkbox", name=item, exact=True))
    send = page.get_by_role("button", name="送付する", exact=True)
    clerk.counts.tabs_referral = clerk.tabs_to(send)
    clerk.click(send)
    expect(page.get_by_role("heading", level=1)).to_contain_text("つなぐシート")
    return clerk.counts


def test_the_intake_to_referral_path_today(demo_ward: Municipality, page: Page) -> None:
    sign_in(page, "demo-soudan")
    counts = walk(page)
    with tenancy.tenant_context(demo_ward):
        referral = Referral.objects.select_related("to_organization", "consultation").get()
        assert referral.to_organization.name == DESTINATION
        assert referral.consultation == Consultation.objects.get()
    print(counts)
