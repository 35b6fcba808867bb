"""活動記録 to the business report, as people walk it, in Chromium against the
live server.

A community social worker (地域福祉コーディネーター) of 地域包括支援センター北
records, on a phone between visits, two acts of 個別支援 with a resident in
北 (the second with 「保存して続けて入力」, which keeps the day and the
district), and sees them in the month's list with its totals. The same worker
opens 報告・評価 → 事業報告, chooses this fiscal year's April to this month
for the second column, finds the 個別支援（直接支援） figure at 2 and opens
it: the two records, each seen as 自機関の記録. A manager reads the same
figure but may not open it (no link; the drill-down's address answers "not
found") and takes the report away as an Excel workbook that holds it.

Only the report's layout (a small one), another organization's record in the
same district and one consultation are made in the database; the worker's
records are made in the browser. Throughout, nothing is requested from
another host and nothing breaks the Content Security Policy. Screenshots for
people to look at go to /tmp/tsunagu-screens. All names and records are made
up.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import ConsoleMessage, Locator, Page, expect

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, Category, Kind, Mode
from tsunagu.activities.services import activity_record_create
from tsunagu.core import tenancy
from tsunagu.core.wareki import (
    fiscal_year_label,
    fiscal_year_of,
    format_wareki,
    format_wareki_month,
    period_label,
)
from tsunagu.directory.models import District
from tsunagu.reports.layout import RowSpec, TableSpec, report_layout_install
from tsunagu.reports.models import Metric
from tsunagu.tests import resident_factories as make
from tsunagu.tests.browser import test_outreach_participation_flow as phone
from tsunagu.tests.browser import test_referral_loop_flow as loop
from tsunagu.tests.browser import test_sign_in_flows as sign_in_flows
from tsunagu.tests.browser.conftest import PageRecord
from tsunagu.tests.factories import Ward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

field, group, heading, menu = loop.field, loop.group, loop.heading, loop.menu
screenshot = sign_in_flows.screenshot  # into /tmp/tsunagu-screens
PHONE, fits_the_phone = phone.PHONE, phone.fits_the_phone

INDIVIDUAL = "個人支援（地域福祉コーディネーター）"
ACT = "個別支援（直接支援）"
FIRST_INTENT = "通院の付き添いを通して本人の困りごとを聞き取る"
SECOND_INTENT = "本人と一緒に家計の見通しを整理する"
OTHER_INTENT = "南のセンターが北の地区で行った個別支援"
TABLE_TITLE = "○地域福祉コーディネーター活動（個人支援）"
CONSULTATIONS = "相談受付件数"
#: Chromium logs every page answered with an error status as a console error.
NOT_FOUND_LOG = "Failed to load resource: the server responded with a status of 404 (Not Found)"


@dataclass
class Cast:
    ward: Ward
    csw: Staff  # 地域包括支援センター北's 地域福祉コーディネーター (a counselor)
    manager: Staff  # 管理職 at 福祉政策課: aggregates only
    north: District
    day: datetime.date  # the day of the worker's two acts (this month)


def _layout(ward: Ward) -> tuple[TableSpec, ...]:
    """A small report: the centre's consultations, and the centre's 個人支援 in 北."""
    center, north = ward.center.name, ward.districts[0].name
    return (
        TableSpec(1, "地域包括支援センター", rows=(
            RowSpec(CONSULTATIONS, Metric.CONSULTATIONS, center),
        )),
        TableSpec(5, "", TABLE_TITLE, f"※{north}地区", rows=tuple(
            RowSpec(f"{kind}（直接支援）", Metric.ACTIVITIES, center, district=north,
                    option=f"individual:{value}:direct")
            for value, kind in (
                ("relationship", "関係形成"), ("individual_support", "個別支援"),
                ("liaison", "連絡調整"),
            )
        )),
    )  # fmt: skip


@pytest.fixture
def cast(ward: Ward) -> Cast:
    csw = make.staff_at(ward, ward.center, Role.COUNSELOR, "csw-kita")
    north = ward.districts[0]
    today = timezone.localdate()
    # The first act is on an earlier day of this month when there is one, so
    # that 「続けて入力」 is seen to keep the day rather than to fall back to today.
    day = today - datetime.timedelta(days=1) if today.day > 1 else today
    other = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "csw-minami")
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=ward.member(Role.COORDINATOR), layout=_layout(ward))
        # Another organization's act of the same kind, in the same district:
        # neither in the centre's figure nor in its drill-down.
        activity_record_create(
            actor=other, organization=ward.other_center, occurred_on=day, district=north,
            category=Category.INDIVIDUAL, kind=Kind.INDIVIDUAL_SUPPORT, mode=Mode.DIRECT,
            intent=OTHER_INTENT,
        )  # fmt: skip
    make.consultation(csw, ward.center, received_at=timezone.now())
    return Cast(ward, csw, ward.member(Role.MANAGER), north, day)


# ---------------------------------------------------------------------------
# Helpers.


@pytest.fixture
def console_errors() -> list[tuple[str, str]]:
    """(text, URL) of every console error of the pages opened through ``browse``."""
    return []


@pytest.fixture
def browse(
    open_page: Callable[..., Page], console_errors: list[tuple[str, str]]
) -> Callable[..., Page]:
    """``open_page``, also noting where each console error came from."""

    def _open(**options: Any) -> Page:
        page = open_page(**options)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                console_errors.append((message.text, message.location.get("url", "")))

        page.on("console", on_console)
        return page

    return _open


def flash(page: Page) -> Locator:
    return page.get_by_role("status")


def report_row(page: Page, table: str, label: str) -> Locator:
    """A row of one of the report's figure tables, by the table's caption and the row's label."""
    return (
        page.get_by_role("table", name=re.compile(re.escape(table)))
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=label, exact=True))
    )


def within_the_screen(locator: Locator, what: str) -> None:
    """``locator`` is read on the phone without scrolling sideways (inside a
    scrolling table, a figure can be past the screen's edge)."""
    box = locator.bounding_box()
    assert box is not None, f"{what}: not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= phone.PHONE_WIDTH + 1, (
        f"{what}: past the edge of the phone's screen ({box})"
    )


def this_fiscal_year(today: datetime.date) -> tuple[int, datetime.date]:
    """This fiscal year and its first day."""
    fy = fiscal_year_of(today)
    return fy, datetime.date(fy, 4, 1)


def choose_this_year_to_date(page: Page) -> None:
    """2列目: this fiscal year, from April to this month, chosen in the form's selects
    (the default second column ends with the last full month)."""
    today = timezone.localdate()
    fy, _start = this_fiscal_year(today)
    second = group(page, "2列目")
    field(second, "2列目の年度").select_option(label=fiscal_year_label(fy))
    field(second, "から").select_option(label="4月")
    field(second, "まで").select_option(label=f"{today.month}月")
    page.get_by_role("button", name="表示", exact=True).click()


def expected_headings() -> list[str]:
    today = timezone.localdate()
    fy, start = this_fiscal_year(today)
    return [f"{fiscal_year_label(fy - 1)}件数", f"{period_label(start, today)}件数"]


def assert_no_console_errors(
    console_errors: list[tuple[str, str]],
    records: dict[Page, PageRecord],
    not_found: tuple[str, ...] = (),
) -> None:
    """No script error, and no console error but the 404 pages expected (each once)."""
    page_errors = [error for record in records.values() for error in record.page_errors]
    assert not page_errors, f"script errors: {page_errors}"
    unexpected = [
        (text, url)
        for text, url in console_errors
        if text != NOT_FOUND_LOG or urlsplit(url).path not in {*not_found, "/favicon.ico"}
    ]
    assert not unexpected, f"console errors: {unexpected}"
    logged = sorted(urlsplit(url).path for _text, url in console_errors)
    assert [path for path in logged if path != "/favicon.ico"] == sorted(not_found)


# ---------------------------------------------------------------------------
# The steps.


def record_two_acts(page: Page, cast: Cast) -> None:
    """Step 1: on a phone, two acts of 個別支援 in 北, the second with the day
    and the district kept; then both in the month's list with its totals."""
    loop.sign_in(page, cast.csw.username)
    menu(page, "活動記録")
    expect(heading(page)).to_have_text("活動記録")
    fits_the_phone(page, "activity list (empty)")
    page.get_by_role("link", name="活動を入力", exact=True).click()

    expect(heading(page)).to_have_text("活動記録の入力")
    expect(page.locator("main")).to_contain_text(f"{cast.ward.center.name}の記録として保存します。")
    expect(field(page, "活動日")).to_have_value(format_wareki(timezone.localdate()))
    fits_the_phone(page, "quick entry")
    field(page, "活動日").fill(format_wareki(cast.day))
    group(page, "地区（圏域）").get_by_role("radio", name=cast.north.name, exact=True).check()
    group(page, INDIVIDUAL).get_by_role("radio", name=ACT, exact=True).check()
    # (The legend's "/" would end Playwright's regular expression: written escaped.)
    direction = page.get_by_role("group", name=re.compile(r"^発信\/受信(必須)?$"))
    outgoing = direction.get_by_role("radio", name="発信", exact=True)
    expect(outgoing).to_be_checked()  # 発信 by default
    outgoing.check()
    field(page, "働きかけの意図").fill(FIRST_INTENT)
    screenshot(page, "activity-phone-entry.png")
    page.get_by_role("button", name="保存して続けて入力", exact=True).click()

    # Back on the entry, the day and the district kept; the kind is chosen anew.
    expect(flash(page)).to_contain_text(
        f"活動記録を保存しました（{format_wareki(cast.day)}・{ACT}）。"
    )
    expect(heading(page)).to_have_text("活動記録の入力")
    expect(field(page, "活動日")).to_have_value(format_wareki(cast.day))
    district = group(page, "地区（圏域）").get_by_role("radio", name=cast.north.name, exact=True)
    expect(district).to_be_checked()
    expect(group(page, INDIVIDUAL).get_by_role("radio", name=ACT, exact=True)).not_to_be_checked()
    # The intent just written is offered again.
    suggested = page.locator("datalist#intent-suggestions option")
    expect(suggested).to_have_count(1)
    expect(suggested).to_have_attribute("value", FIRST_INTENT)
    fits_the_phone(page, "quick entry, continued")
    group(page, INDIVIDUAL).get_by_role("radio", name=ACT, exact=True).check()
    field(page, "働きかけの意図").fill(SECOND_INTENT)
    # 「保存して一覧へ」 is reached from the intent with the keyboard alone.
    to_list = page.get_by_role("button", name="保存して一覧へ", exact=True)
    field(page, "働きかけの意図").focus()
    for _ in range(8):
        if to_list.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(to_list).to_be_focused()
    screenshot(page, "activity-phone-entry-continued.png")
    page.keyboard.press("Enter")

    expect(flash(page)).to_contain_text(
        f"活動記録を保存しました（{format_wareki(cast.day)}・{ACT}）。"
    )
    expect(heading(page)).to_have_text("活動記録")
    today = timezone.localdate()
    month = format_wareki_month(today.year, today.month)
    totals = page.get_by_role("region", name=f"{month}の件数", exact=True)
    expect(totals).to_contain_text("合計 2件。")
    individual = totals.get_by_role("table", name=INDIVIDUAL, exact=True)
    act_row = individual.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=ACT, exact=True)
    )
    expect(act_row.get_by_role("cell")).to_have_text(["2"])
    within_the_screen(act_row.get_by_role("cell"), "the month's count of 個別支援（直接支援）")
    total_row = individual.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="計", exact=True)
    )
    expect(total_row.get_by_role("cell")).to_have_text(["2"])
    records = page.get_by_role("region", name="記録", exact=True)
    rows = records.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    for intent in (FIRST_INTENT, SECOND_INTENT):
        row = rows.filter(has_text=intent)
        expect(row).to_contain_text(format_wareki(cast.day))
        expect(row).to_contain_text(cast.north.name)
        expect(row).to_contain_text(ACT)
        expect(row).to_contain_text("発信")
    # Each correction link says which record it corrects.
    correct = records.get_by_role(
        "link", name=f"修正（{format_wareki(cast.day)} {ACT}）", exact=True
    )
    expect(correct).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text(OTHER_INTENT)
    fits_the_phone(page, "activity list")
    screenshot(page, "activity-phone-list.png")

    with tenancy.tenant_context(cast.ward.municipality):
        saved = list(
            ActivityRecord.objects.filter(staff=cast.csw).order_by("pk").values_list(
                "organization_id", "occurred_on", "district_id", "category", "kind", "mode",
                "direction", "intent",
            )
        )  # fmt: skip
    common = (cast.ward.center.pk, cast.day, cast.north.pk, "individual", "individual_support")
    assert saved == [
        (*common, "direct", "outgoing", FIRST_INTENT),
        (*common, "direct", "outgoing", SECOND_INTENT),
    ]


def open_the_figure(page: Page, cast: Cast) -> str:
    """Step 2: the report with this year to date, the figure 2, and the two
    records behind it. Returns the drill-down's address."""
    menu(page, "報告・評価")
    expect(heading(page)).to_have_text("報告・評価")
    page.get_by_role("link", name="事業報告（実績報告）", exact=True).click()
    expect(heading(page)).to_have_text("重層的支援体制整備事業 実績報告")
    choose_this_year_to_date(page)

    headings = page.get_by_role("table", name=re.compile(TABLE_TITLE)).get_by_role("columnheader")
    expect(headings).to_have_text(expected_headings())
    act = report_row(page, TABLE_TITLE, ACT)
    expect(act.get_by_role("cell")).to_have_text(["0", "2"])
    expect(report_row(page, TABLE_TITLE, "関係形成（直接支援）").get_by_role("cell")).to_have_text(
        ["0", "0"]
    )
    expect(report_row(page, "", CONSULTATIONS).get_by_role("cell")).to_have_text(["0", "1"])
    fits_the_phone(page, "business report")
    screenshot(page, "business-report-phone.png")
    link = act.get_by_role("link", name=f"{ACT} 2件の内訳", exact=True)
    within_the_screen(link, "the second column's figure")
    drill_down = link.get_attribute("href")
    assert drill_down
    link.click()

    expect(heading(page)).to_have_text("集計の内訳")
    facts = page.locator("main dl.kv")
    expect(facts).to_contain_text(ACT)
    expect(facts).to_contain_text(expected_headings()[1])
    expect(facts).to_contain_text("個別支援・直接支援")
    expect(page.locator("main .basis-note")).to_have_count(0)  # every record is seen
    entries = page.get_by_role("table", name=re.compile("^記録の一覧")).locator("tbody tr")
    expect(entries).to_have_count(2)
    for intent in (FIRST_INTENT, SECOND_INTENT):
        entry = entries.filter(has_text=intent)
        expect(entry.get_by_role("cell")).to_have_text(
            [
                format_wareki(cast.day),
                cast.ward.center.name,
                f"{ACT}・{cast.north.name}：{intent}",
                "自機関の記録",
            ]
        )
    expect(page.locator("main")).not_to_contain_text(OTHER_INTENT)
    fits_the_phone(page, "drill-down")
    screenshot(page, "business-drill-down-phone.png")
    return drill_down


def manager_reads_and_exports(page: Page, cast: Cast, drill_down: str) -> None:
    """Step 3: the manager sees the figure, cannot open it, and exports it."""
    loop.sign_in(page, cast.manager.username)
    menu(page, "報告・評価")
    page.get_by_role("link", name="事業報告（実績報告）", exact=True).click()
    expect(heading(page)).to_have_text("重層的支援体制整備事業 実績報告")
    choose_this_year_to_date(page)
    act = report_row(page, TABLE_TITLE, ACT)
    expect(act.get_by_role("cell")).to_have_text(["0", "2"])
    expect(act.get_by_role("link")).to_have_count(0)
    expect(report_row(page, "", CONSULTATIONS).get_by_role("link")).to_have_count(0)
    screenshot(page, "business-report-manager.png")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Excelで出力", exact=True).click()
    download = downloading.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(BytesIO(download.path().read_bytes()))
    sheet = workbook.active
    assert sheet is not None
    found = {row[0]: list(row[1:3]) for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert found[ACT] == [0, 2]
    assert found["関係形成（直接支援）"] == [0, 0]
    assert found[CONSULTATIONS] == [0, 1]
    assert ["", *expected_headings()] in [
        [cell or "" for cell in row[:3]] for row in sheet.iter_rows(values_only=True)
    ]

    response = page.goto(drill_down)
    assert response is not None and response.status == 404
    expect(heading(page)).to_have_text("ページが見つかりません")
    expect(page.locator("main")).to_contain_text(
        "お探しのページは存在しないか、表示する権限がありません。"
    )
    expect(page.locator("main")).not_to_contain_text(FIRST_INTENT)


# ---------------------------------------------------------------------------


def test_activities_recorded_on_a_phone_are_counted_in_the_business_report(
    browse: Callable[..., Page],
    cast: Cast,
    page_records: dict[Page, PageRecord],
    console_errors: list[tuple[str, str]],
    assert_clean: Callable[[], None],
) -> None:
    worker = browse(**PHONE)
    record_two_acts(worker, cast)
    drill_down = open_the_figure(worker, cast)

    manager = browse()
    manager_reads_and_exports(manager, cast, drill_down)

    assert_no_console_errors(console_errors, page_records, not_found=(urlsplit(drill_down).path,))
    assert_clean()
