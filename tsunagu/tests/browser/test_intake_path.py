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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.demo.ward import DEMO_PASSWORD, load_demo_ward
from tsunagu.referrals.models import Referral
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import PASSWORD, Ward

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
    #: Tab presses from the top of each page (intake, referral) to its submit button,
    #: through every stop of the page (the menu's included).
    tabs: tuple[int, int] = (0, 0)
    #: The same, using the skip link (Tab to it, Enter, then Tab).
    tabs_skipping: tuple[int, int] = (0, 0)


#: Today's path, walked by this file's first version at commit 513ab48
#: (the issue counted 12 clicks, 5 choices, 7 typed fields, 90 Tab presses to 受け付ける).
BEFORE = Counts(clicks=12, choices=5, typed=6, tabs=(91, 32), tabs_skipping=(72, 13))


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

    def tabs_to(self, target: Locator, *, skip: bool = False) -> int:
        """Tab presses from the top of the page until ``target`` has the focus
        (with ``skip``: the first goes to the skip link, which Enter follows)."""
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
        presses = 0
        if skip:
            self.page.keyboard.press("Tab")
            presses += 1
            assert self.page.evaluate("() => document.activeElement.className") == "skip-link"
            self.page.keyboard.press("Enter")
        while presses < TAB_LIMIT:
            self.page.keyboard.press("Tab")
            presses += 1
            if self.page.evaluate("(el) => document.activeElement === el", handle):
                self.page.evaluate("() => document.getElementById('tab-origin').remove()")
                return presses
        raise AssertionError(f"the submit button was not reached in {TAB_LIMIT} Tab presses")

    def count_tabs(self, target: Locator) -> tuple[int, int]:
        return self.tabs_to(target), self.tabs_to(target, skip=True)


def field(scope: Page | Locator, label: str) -> Locator:
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}(必須)?$"))


def group(scope: Page | Locator, legend: str) -> Locator:
    return scope.get_by_role("group", name=re.compile(rf"^{re.escape(legend)}(必須)?$"))


@pytest.fixture
def demo_ward() -> Municipality:
    return load_demo_ward()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/", timeout=60_000)
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")


def walk(page: Page) -> Counts:
    """The shortened path: 圏域 from the address, 主な相談内容 from the ticked
    topics, one button to record and refer, the shared information pre-ticked."""
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
    topics = group(page, "相談内容（該当するものすべて）")
    clerk.check(topics.get_by_role("checkbox", name="収入・生活費", exact=True))
    clerk.check(topics.get_by_role("checkbox", name="家賃・ローン", exact=True))
    clerk.check(topics.get_by_role("checkbox", name="仕事探し", exact=True))
    main_topic = field(page, "主な相談内容（◎）")
    # Only the ticked topics are offered (and the empty choice).
    offered = main_topic.locator("option:not([hidden])")
    expect(offered).to_have_text(
        ["（選択してください）", "収入・生活費", "家賃・ローン", "仕事探し"]
    )
    clerk.choose(main_topic, "収入・生活費")
    clerk.type(field(page, "相談の概要"), SUMMARY)
    clerk.check(
        group(page, "情報共有への同意").get_by_role(
            "radio", name="同意あり（情報共有に同意を得た）", exact=True
        )
    )
    submit = page.get_by_role("button", name="受け付けて、つなぐシートへ", exact=True)
    tabs_intake = clerk.count_tabs(submit)
    clerk.click(submit)

    expect(page.get_by_role("heading", level=1)).to_have_text("つなぐシートを作る")
    destination = field(page, "つなぎ先")
    groups = destination.locator("optgroup")
    expect(groups).to_have_count(3)
    assert [groups.nth(i).get_attribute("label") for i in range(3)] == [
        "庁内（直営）",
        "委託",
        "外部（警察・学校・町会など）",
    ]
    expect(groups.nth(2).locator("option")).to_contain_text(["デモ中央警察署 生活安全課"])
    clerk.choose(destination, DESTINATION)
    clerk.type(field(page, "依頼したいこと"), REQUEST)
    shared = group(page, "共有する情報の種類")
    # Pre-ticked from the consent and what the consultation recorded.
    for item in ("氏名・連絡先", "相談内容"):
        expect(shared.get_by_role("checkbox", name=item, exact=True)).to_be_checked()
    clerk.check(shared.get_by_role("checkbox", name="心身の状況", exact=True))
    send = page.get_by_role("button", name="送付する", exact=True)
    tabs_referral = clerk.count_tabs(send)
    clerk.click(send)
    expect(page.get_by_role("heading", level=1)).to_contain_text("つなぐシート")
    clerk.counts.tabs = (tabs_intake[0], tabs_referral[0])
    clerk.counts.tabs_skipping = (tabs_intake[1], tabs_referral[1])
    return clerk.counts


def report(after: Counts) -> str:
    rows = [
        ("クリック", BEFORE.clicks, after.clicks),
        ("ドロップダウンの選択", BEFORE.choices, after.choices),
        ("入力した欄", BEFORE.typed, after.typed),
        ("Tab（相談受付の先頭→送信ボタン）", BEFORE.tabs[0], after.tabs[0]),
        ("Tab（つなぐシートの先頭→送付する）", BEFORE.tabs[1], after.tabs[1]),
        ("Tab 合計", sum(BEFORE.tabs), sum(after.tabs)),
        ("Tab（スキップリンク使用、相談受付）", BEFORE.tabs_skipping[0], after.tabs_skipping[0]),
        (
            "Tab（スキップリンク使用、つなぐシート）",
            BEFORE.tabs_skipping[1],
            after.tabs_skipping[1],
        ),
        ("Tab 合計（スキップリンク使用）", sum(BEFORE.tabs_skipping), sum(after.tabs_skipping)),
    ]
    lines = [
        "# 相談受付 → つなぐシート: 操作数（issue 19）",
        "",
        "tsunagu/tests/browser/test_intake_path.py が Chromium で数えた値。デモ区の機関構成で、",
        "高齢者あんしん相談センター富坂の相談員が新しい方の電話相談（収入・家賃・仕事探し）を受け付け、",
        "自立相談支援窓口へつなぐシートを送るまで。Tab は各ページの先頭から送信ボタンまで実際にキーを押した回数",
        "（ラジオボタンの組は1回、閉じた「詳細」の中は数えない。ページ上部の20か所＝スキップリンク・ホーム・ログアウト・メニュー17を含む）。",
        "",
        "| 操作 | 変更前 (513ab48) | 変更後 |",
        "|---|---:|---:|",
        *(f"| {label} | {before} | {now} |" for label, before, now in rows),
        "",
        "変更前のクリック12回: メニュー、相談経路、相談内容3、同意、対応結果、受け付ける、共有する情報3、送付する。",
        "変更後: メニュー、相談経路、相談内容3、同意、「受け付けて、つなぐシートへ」、心身の状況（相談内容から推せない1項目）、送付する。",
        "うち相談経路・相談内容3・同意・心身の状況の6回は聞き取った内容そのもので、経路としてのクリックは",
        "メニュー・受け付け・送付の3回になった（変更前は対応結果・共有する情報2・受け付ける等で6回）。",
        "",
        "目標との比較: Tab は相談受付ページで、スキップリンクを使う場合に半分以下（72→35）。",
        "ページ先頭から全部たどる場合は91→54で、半分（45）には届かない。差はメインメニューの20か所",
        "（全ページ共通）で、フォームの中だけなら71→34。クリックは12→9で、目標の6回には届かない",
        "（この相談では聞き取った内容の入力に6回のクリックが要る）。",
        "",
    ]
    return "\n".join(lines)


def test_the_intake_to_referral_path_is_shorter(demo_ward: Municipality, page: Page) -> None:
    sign_in(page, "demo-soudan")
    after = walk(page)
    with tenancy.tenant_context(demo_ward):
        referral = Referral.objects.select_related("to_organization", "consultation").get()
        consultation = Consultation.objects.get()
        assert referral.to_organization.name == DESTINATION
        assert referral.consultation == consultation
        assert consultation.main_topic == "income" and consultation.outcome == "refer"
        assert sorted(referral.shared_items) == ["consultation", "health", "identity"]
        # 圏域 from the address: デモ区大塚3-4-5 lies in 大塚.
        person = consultation.subjects.get()
        assert person.district is not None and person.district.name == "大塚"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report(after), encoding="utf-8")
    assert after.choices == BEFORE.choices - 1  # 圏域 is no longer chosen
    assert after.typed == BEFORE.typed
    assert after.clicks <= BEFORE.clicks - 3
    # Half today's Tab presses to the intake's submit button, for a keyboard user
    # who takes the skip link past the menu (WCAG 2.4.1) …
    assert after.tabs_skipping[0] * 2 <= BEFORE.tabs_skipping[0]
    # … and through every stop of the page, the menu's 20 included, 37 fewer.
    assert after.tabs[0] <= BEFORE.tabs[0] - 35
    assert after.tabs[1] <= BEFORE.tabs[1]


def test_the_destinations_filter_as_the_clerk_types(
    ward: Ward, page: Page, assert_clean: Callable[[], None]
) -> None:
    clerk = ward.member(Role.COUNSELOR)
    household = make.household(clerk, ward.center)
    page.goto("/login/", timeout=60_000)
    page.get_by_label("ログインID").fill(clerk.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    page.goto(reverse("referrals:create") + f"?household={household.pk}")
    destination = field(page, "つなぎ先")
    box = page.get_by_label("つなぎ先を名前で絞り込む")
    shown = destination.locator("option:not([hidden])")
    box.fill("警察")
    # One match: chosen, and said.
    expect(destination).to_have_value(str(ward.external.pk if ward.external else ""))
    expect(page.get_by_text("1件が該当します。")).to_be_visible()
    expect(shown).to_have_text(["（選択してください）", "テスト警察署"])
    expect(destination.locator("optgroup[hidden]")).to_have_count(1)  # 庁内 is empty now
    box.fill("センター")
    expect(shown).to_have_count(2)  # the empty choice and 地域包括支援センター南
    box.fill("")
    expect(shown).to_have_count(5)
    # Enter in the box goes to the list, it does not send the form.
    box.press("Enter")
    expect(destination).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("つなぐシートを作る")
    assert_clean()
