"""Outreach and 参加支援 as a CSW walks them on a phone, in Chromium against
the live server.

The 小川 household: 恵子 (52) and her son 拓也 (24), who has stayed at home
since leaving work. The 地域包括支援センター北's CSW has gone to the door
every month for three months (不在, 応答なし). Today 拓也 answers through the
door: the CSW records it on the doorstep and sees the months on the
household's outreach page, the relationship stage moving up to 接触. Later
拓也 says he likes coffee and quiet places; the CSW records his profile in
his words, looks for places that might suit him, and gets the 「コーヒーを
淹れる会」 (small, little talk, second Tuesday afternoons, in his district)
first, with the reason in his own word. The CSW proposes it, and records the
trial, the participation and the settling; then a note of support for the
host (a test of its own: that form's labels name the other form's inputs).

The whole walk is at phone width (390×844, touch); on each key page nothing
but a scrolling table may be wider than the screen (the household page, which
is wider, is a test of its own). Only the household, its
earlier contacts and the directory of resources are made in the database.
Screenshots for people to look at go to /tmp/tsunagu-screens. All names,
addresses and dates are made up.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.core.wareki import format_wareki_month
from tsunagu.outreach.models import Intent, Method, OutreachContact, Result
from tsunagu.outreach.models import Stage as OutreachStage
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.participation import matching
from tsunagu.participation.models import EventKind, Participation, ParticipationProfile, Stage
from tsunagu.participation.services import participation_propose, participation_transition
from tsunagu.people.models import Household, Person, Sex
from tsunagu.resources.models import Category, Ease, Frequency, Resource
from tsunagu.tests import resident_factories as make
from tsunagu.tests.browser import test_referral_loop_flow as loop
from tsunagu.tests.browser import test_sign_in_flows as sign_in_flows
from tsunagu.tests.browser.conftest import PageRecord
from tsunagu.tests.factories import Ward
from tsunagu.tests.resource_factories import resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

field, group, heading = loop.field, loop.group, loop.heading
screenshot = sign_in_flows.screenshot  # into /tmp/tsunagu-screens

PHONE_WIDTH = 390
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": 844}, "is_mobile": True, "has_touch": True}

DOORSTEP = "ドア越しに「また来ます」と伝えると、小さな声で返事があった。"
NEXT_STEP = "手紙を入れてから、同じ曜日の午後にもう一度訪ねる"
WISHES = "人とあまり話さなくていいなら、コーヒーを淹れるのは好き"
CAFE = "コーヒーを淹れる会"
FAR_CAFE = "南カフェ当番"
HOST_NOTE = "世話役の方と電話。拓也さんには豆の計量を任せ、無理に話しかけないことを確認した。"


@dataclass
class Cast:
    ward: Ward
    csw: Staff  # 地域包括支援センター北's CSW
    household: Household
    mother: Person  # 小川 恵子, 世帯主
    son: Person  # 小川 拓也, 24, at home
    cafe: Resource


def _born(years: int) -> datetime.date:
    """A birthday that makes someone ``years`` old today (it was yesterday)."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if (yesterday.month, yesterday.day) == (2, 29):
        yesterday -= datetime.timedelta(days=1)
    return yesterday.replace(year=yesterday.year - years)


def _month_back(months: int) -> tuple[int, int]:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months
    return index // 12, index % 12 + 1


def _in_month(months: int, day: int, hour: int = 10) -> datetime.datetime:
    """A time on ``day`` of the month ``months`` before this one."""
    year, month = _month_back(months)
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def month_label(months: int = 0) -> str:
    return format_wareki_month(*_month_back(months))


@pytest.fixture
def cast(ward: Ward) -> Cast:
    csw = make.staff_at(ward, ward.center, Role.COUNSELOR, "csw-kita")
    north, south = ward.districts
    address = "テスト区北町4-5-6"
    mother = make.person(
        csw, ward.center, family_name="小川", given_name="恵子", family_name_kana="おがわ",
        given_name_kana="けいこ", birth_date=_born(52), sex=Sex.FEMALE, address=address,
    )  # fmt: skip
    son = make.person(
        csw, ward.center, family_name="小川", given_name="拓也", family_name_kana="おがわ",
        given_name_kana="たくや", birth_date=_born(24), sex=Sex.MALE, address=address,
    )  # fmt: skip
    household = make.household(
        csw, ward.center, head=mother, members=[(son, "child")], address=address, district=north
    )
    # Three months of knocking on the door without an answer.
    with tenancy.tenant_context(ward.municipality):
        for months, day, method, result in [
            (3, 10, Method.VISIT, Result.ABSENT),
            (2, 8, Method.VISIT, Result.NO_RESPONSE),
            (2, 22, Method.LETTER, Result.ABSENT),
            (1, 12, Method.VISIT, Result.NO_RESPONSE),
        ]:
            outreach_contact_record(
                actor=csw,
                organization=ward.center,
                household=household,
                person=son,
                occurred_at=_in_month(months, day),
                method=method,
                result=result,
                intent=Intent.RELATIONSHIP,
                stage_after=OutreachStage.NONE,
                content="応答なし。手紙を投函。",
            )
    m = ward.municipality
    cafe = resource(
        m, CAFE, district=north, byday="2TU", freq=Frequency.MONTHLY,
        opens_at=datetime.time(14), closes_at=datetime.time(16), interests=["コーヒー"],
        ease=[Ease.LITTLE_TALK, Ease.SMALL_GROUP, Ease.VISIT_FIRST], capacity=5,
        provider="NPO法人まちの縁側", description="地域の集まりでコーヒーを淹れて出す活動です。",
    )  # fmt: skip
    resource(
        m, "にぎやかサロン", district=north, byday="WE", opens_at=datetime.time(10),
        category=Category.SALON, interests=["おしゃべり", "体操"], capacity=40,
    )  # fmt: skip
    resource(
        m, "ふれあい農園", district=north, byday="SA", opens_at=datetime.time(9),
        category=Category.FARM, interests=["農作業", "野菜"],
    )  # fmt: skip
    resource(
        m, FAR_CAFE, district=south, byday="TH", opens_at=datetime.time(13),
        interests=["コーヒー"],
    )  # fmt: skip
    # The live server runs in this process: load Sudachi's dictionary now, so
    # that the first suggestions page does not wait for it.
    assert matching.keys("コーヒー")
    return Cast(ward, csw, household, mother, son, cafe)


# ---------------------------------------------------------------------------
# Helpers.


@contextmanager
def tenant(cast: Cast) -> Iterator[None]:
    with tenancy.tenant_context(cast.ward.municipality):
        yield


def flash(page: Page) -> Locator:
    """The messages the server left for the next page."""
    return page.get_by_role("status")


def region(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def iso_in(days: int) -> str:
    """A date as a date input takes it."""
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def stage_shown(page: Page) -> Locator:
    return page.get_by_role("list", name="参加支援の段階").locator("[aria-current='step']")


# Elements whose right edge is past the screen, other than those inside a
# box that scrolls sideways by design (.table-wrap, the menu, the ecomap).
_WIDER_THAN_SCREEN = """(width) => {
  const scrolls = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (box.classList.contains('table-wrap')) return true;
      if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return true;
    }
    return false;
  };
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    if (scrolls(element)) continue;
    const name = element.tagName.toLowerCase() + (element.className ? '.' + element.className : '');
    found.push(`${name} (right ${Math.round(box.right)}): ${element.textContent.trim().slice(0, 40)}`);
  }
  return found;
}"""


def fits_the_phone(page: Page, what: str) -> None:
    """Nothing on the page makes it scroll sideways at phone width.

    Measured against the phone's width itself: a phone (and Chromium's mobile
    emulation) zooms out to show a page wider than the screen, and then
    ``window.innerWidth`` grows with the page and proves nothing."""
    screen = PHONE_WIDTH
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    wider = page.evaluate(_WIDER_THAN_SCREEN, screen)
    assert scroll_width <= screen + 1, (
        f"{what}: the page scrolls sideways on a phone (scrollWidth {scroll_width}, "
        f"screen {screen}); wider than the screen: {wider}"
    )
    assert not wider, f"{what}: wider than the screen outside a scrolling table: {wider}"


# ---------------------------------------------------------------------------
# The steps.


def doorstep_contact(page: Page, cast: Cast) -> None:
    """Step 1: at the door, the CSW records the contact from the household page
    and sees the months of trying with this month's step to 接触."""
    loop.sign_in(page, cast.csw.username)
    page.goto(reverse("people:household_detail", args=[cast.household.pk]))
    expect(heading(page)).to_contain_text(str(cast.household))
    # (Whether the household page fits a phone is a test of its own, below.)
    page.get_by_role("link", name="アウトリーチを記録", exact=True).click()

    expect(heading(page)).to_have_text("アウトリーチを記録")
    # Today's date and time are already filled; the last contact is shown.
    expect(field(page, "日付")).to_have_value(timezone.localdate().isoformat())
    expect(page.locator("main")).to_contain_text("前回")
    fits_the_phone(page, "outreach form")
    group(page, "方法").get_by_role("radio", name="訪問", exact=True).check()
    group(page, "結果").get_by_role("radio", name="ドア越し", exact=True).check()
    field(page, "働きかけた相手").select_option(label=str(cast.son.full_name))
    field(page, "働きかけの意図").select_option(label="関係づくり")
    field(page, "意図の補足").fill("顔を覚えてもらう")
    group(page, "関係の段階（この後）").get_by_role("radio", name="接触", exact=True).check()
    field(page, "内容").fill(DOORSTEP)
    field(page, "次の働きかけ").fill(NEXT_STEP)
    field(page, "次回予定日").fill(iso_in(14))
    screenshot(page, "outreach-phone-form.png")
    page.get_by_role("button", name="記録する").click()

    expect(flash(page)).to_contain_text("アウトリーチを記録しました（訪問・ドア越し）。")
    expect(heading(page)).to_have_text(f"{cast.household}のアウトリーチ")
    months = region(page, "月ごとの経過")
    rows = months.get_by_role("row")
    expect(rows).to_have_count(1 + 4)  # the header, this month and the three before
    this_month = rows.filter(has=page.get_by_role("rowheader", name=month_label(0), exact=True))
    expect(this_month).to_contain_text("1回")
    expect(this_month).to_contain_text("訪問")
    expect(this_month).to_contain_text("ドア越し")
    expect(this_month).to_contain_text("↑ 接触")
    expect(this_month).to_contain_text("届いた 1回")
    two_back = rows.filter(has=page.get_by_role("rowheader", name=month_label(2), exact=True))
    expect(two_back).to_contain_text("2回")
    expect(two_back).to_contain_text("応答なし")
    expect(two_back).to_contain_text("手紙投函")
    expect(two_back).to_contain_text("未接触")
    for months_back in (1, 3):
        earlier = rows.filter(
            has=page.get_by_role("rowheader", name=month_label(months_back), exact=True)
        )
        expect(earlier).to_contain_text("1回")
        expect(earlier).to_contain_text("未接触")
        expect(earlier).not_to_contain_text("↑")
    # Newest month on top.
    expect(rows.nth(1).get_by_role("rowheader")).to_have_text(month_label(0))
    expect(page.locator("main dl.kv")).to_contain_text("接触")
    expect(region(page, "記録")).to_contain_text(DOORSTEP)
    fits_the_phone(page, "household outreach page")
    screenshot(page, "outreach-phone-months.png")

    # The household page links to the same months.
    page.get_by_role("link", name=f"← {cast.household}").click()
    page.get_by_role("link", name="アウトリーチの経過（月ごと）").click()
    expect(heading(page)).to_have_text(f"{cast.household}のアウトリーチ")
    expect(region(page, "月ごとの経過").get_by_role("row").nth(1)).to_contain_text("↑ 接触")

    with tenant(cast):
        contact = OutreachContact.objects.filter(household=cast.household).first()
    assert contact is not None
    assert (contact.method, contact.result, contact.stage_after) == (
        Method.VISIT,
        Result.THROUGH_DOOR,
        OutreachStage.CONTACT,
    )
    assert contact.person_id == cast.son.pk
    assert contact.organization_id == cast.ward.center.pk
    assert contact.next_on == timezone.localdate() + datetime.timedelta(days=14)


def profile_and_suggestions(page: Page, cast: Cast) -> None:
    """Step 2: the son's profile in his words, and the places that might suit
    him: the small quiet café first, with his word in its reasons."""
    page.get_by_role("link", name=f"← {cast.household}").click()
    region(page, "世帯員").get_by_role("link", name=str(cast.son.full_name)).click()
    expect(heading(page)).to_contain_text(str(cast.son.full_name))
    fits_the_phone(page, "person page")
    page.get_by_role("link", name="参加支援（プロフィール・合いそうな社会資源）").click()

    expect(heading(page)).to_have_text(f"{cast.son.full_name} さんの参加支援")
    expect(page.get_by_role("link", name="合いそうな社会資源を探す")).to_have_count(0)
    page.get_by_role("link", name="プロフィールを記録").click()

    expect(heading(page)).to_have_text("参加支援プロフィール")
    fits_the_phone(page, "profile form")
    field(page, "本人の言葉（したいこと）").fill(WISHES)
    field(page, "関心のあること・好きなこと").fill("コーヒー、静かな場所")
    days = group(page, "参加できる曜日")
    for day in ("火曜日", "木曜日"):
        days.get_by_role("checkbox", name=day, exact=True).check()
    group(page, "参加できる時間帯").get_by_role("checkbox", name="午後", exact=True).check()
    group(page, "人数").get_by_role("radio", name="少人数（5人くらいまで）").check()
    group(page, "移動できる範囲").get_by_role("radio", name="同じ圏域まで").check()
    screenshot(page, "participation-phone-profile.png")
    page.get_by_role("button", name="保存").click()

    expect(flash(page)).to_contain_text("参加支援プロフィールを保存しました。")
    expect(heading(page)).to_have_text(f"{cast.son.full_name} さんの参加支援")
    profile = page.get_by_role("region", name=re.compile(r"^参加支援プロフィール"))
    expect(profile).to_contain_text("コーヒー、静かな場所")
    expect(profile).to_contain_text(f"「{WISHES}」")
    expect(profile).to_contain_text("火・木")
    fits_the_phone(page, "participation page")
    page.get_by_role("link", name="合いそうな社会資源を探す").click()

    expect(heading(page)).to_have_text("合いそうな社会資源")
    suggestions = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=3))
    first = suggestions.first
    expect(first.get_by_role("heading", level=3)).to_contain_text(CAFE)
    reasons = first.get_by_role("list").first.get_by_role("listitem")
    expect(reasons.filter(has_text="コーヒー")).to_have_text(["関心「コーヒー」が活動内容に合う"])
    expect(reasons.filter(has_text="静かな場所")).to_contain_text("会話少なめ")
    expect(reasons.filter(has_text="同じ圏域")).to_have_count(1)
    expect(first).to_contain_text("毎月第2火曜日")
    # The coffee place in the other district comes later, marked as outside his area;
    # the noisy salon and the Saturday-morning farm do not come at all.
    far = suggestions.filter(has=page.get_by_role("heading", level=3, name=re.compile(FAR_CAFE)))
    expect(far).to_contain_text("圏域の外")
    expect(suggestions).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("にぎやかサロン")
    expect(page.locator("main")).not_to_contain_text("ふれあい農園")
    fits_the_phone(page, "suggestions")
    screenshot(page, "participation-phone-suggestions.png")

    with tenant(cast):
        profile_row = ParticipationProfile.objects.get(person=cast.son)
    assert profile_row.interests == ["コーヒー", "静かな場所"]
    assert sorted(profile_row.days) == ["TH", "TU"]
    assert profile_row.organization_id == cast.ward.center.pk


def advance(page: Page, stage: str, note: str) -> None:
    """Move the path on to ``stage`` today, with a note of what happened."""
    form = region(page, "段階を進める")
    group(form, "次の段階").get_by_role("radio", name=stage, exact=True).check()
    field(form, "日付").fill(timezone.localdate().isoformat())
    field(form, "経過・理由").fill(note)
    field(form, "次のフォローアップ").fill(iso_in(30))
    form.get_by_role("button", name="段階を更新").click()
    expect(flash(page)).to_contain_text("段階を更新しました。")
    expect(stage_shown(page)).to_have_text(stage)


def proposal_to_settlement(page: Page, cast: Cast) -> None:
    """Step 3: the café proposed with its reasons, then the trial, taking part
    and settling in."""
    first = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=3)).first
    first.get_by_text("この社会資源を提案する").click()
    expect(field(first, "提案の理由")).to_have_value(re.compile("関心「コーヒー」が活動内容に合う"))
    field(first, "参加のしかた").fill("月1回 1時間から、CSWが同行")
    field(first, "次のフォローアップ").fill(iso_in(7))
    fits_the_phone(page, "suggestions with the proposal form open")
    first.get_by_role("button", name="提案として記録").click()

    expect(flash(page)).to_contain_text(f"「{CAFE}」を提案として記録しました。")
    expect(heading(page)).to_have_text(f"{cast.son.full_name} → {CAFE}")
    expect(stage_shown(page)).to_have_text("提案")
    expect(page.locator("main dl.kv")).to_contain_text("プラン前の参加支援")
    expect(page.locator("main dl.kv")).to_contain_text("関心「コーヒー」が活動内容に合う")
    fits_the_phone(page, "participation path")
    screenshot(page, "participation-phone-proposed.png")

    advance(page, "見学・体験", "CSWが同行して見学。30分ほど、コーヒーを淹れるところを見ていた。")
    advance(page, "参加中", "一人で参加できた。豆を挽く係を担当。")
    advance(page, "定着", "3回続けて参加。次回の準備も引き受けた。")

    expect(stage_shown(page)).to_have_text("定着")
    history = region(page, "経過").get_by_role("listitem")
    expect(history.locator(".badge")).to_have_text(["提案", "見学・体験", "参加中", "定着"])
    expect(history.last).to_contain_text("3回続けて参加。")
    expect(page.locator("main dl.kv")).to_contain_text("参加開始日")
    fits_the_phone(page, "participation path, settled")
    screenshot(page, "participation-phone-settled.png")

    with tenant(cast):
        path = Participation.objects.get(person=cast.son)
        kinds = list(path.events.values_list("kind", "to_stage"))
    assert path.resource_id == cast.cafe.pk
    assert path.organization_id == cast.ward.center.pk
    assert path.stage == Stage.SETTLED
    assert path.started_on == timezone.localdate()
    assert "コーヒー" in path.reason
    assert [kind for kind, _ in kinds] == [
        EventKind.PROPOSED,
        EventKind.STAGE,
        EventKind.STAGE,
        EventKind.STAGE,
    ]
    assert [to for kind, to in kinds if kind == EventKind.STAGE] == [
        Stage.TRIAL,
        Stage.PARTICIPATING,
        Stage.SETTLED,
    ]


# ---------------------------------------------------------------------------


def test_csw_on_a_phone_from_the_doorstep_to_a_settled_place(
    open_page: Callable[..., Page],
    cast: Cast,
    page_records: dict[Page, PageRecord],
    assert_clean: Callable[[], None],
) -> None:
    page = open_page(**PHONE)

    doorstep_contact(page, cast)
    profile_and_suggestions(page, cast)
    proposal_to_settlement(page, cast)

    errors = [error for record in page_records.values() for error in record.page_errors]
    assert not errors, f"script errors: {errors}"
    assert_clean()


def test_household_page_fits_a_phone(
    open_page: Callable[..., Page], cast: Cast, assert_clean: Callable[[], None]
) -> None:
    """Step 1, start: the household page the CSW opens at the door fits the phone."""
    page = open_page(**PHONE)
    loop.sign_in(page, cast.csw.username)
    page.goto(reverse("people:household_detail", args=[cast.household.pk]))
    expect(heading(page)).to_contain_text(str(cast.household))
    screenshot(page, "household-phone.png")
    fits_the_phone(page, "household page")
    assert_clean()


def test_csw_on_a_phone_records_support_for_the_host(
    open_page: Callable[..., Page],
    cast: Cast,
    page_records: dict[Page, PageRecord],
    assert_clean: Callable[[], None],
) -> None:
    """Step 3, end: on the settled path, a note of the support given to the host."""
    with tenant(cast):
        path = participation_propose(
            actor=cast.csw,
            organization=cast.ward.center,
            person=cast.son,
            resource=cast.cafe,
            reason="関心「コーヒー」が活動内容に合う",
        )
        for stage in (Stage.TRIAL, Stage.PARTICIPATING, Stage.SETTLED):
            path = participation_transition(actor=cast.csw, participation=path, to_stage=stage)
    page = open_page(**PHONE)
    loop.sign_in(page, cast.csw.username)
    page.goto(reverse("participation:detail", args=[path.pk]))
    expect(stage_shown(page)).to_have_text("定着")

    notes = region(page, "フォローアップ・受け入れ先支援を記録")
    group(notes, "記録の種類").get_by_role("radio", name="受け入れ先への支援").check()
    for label in ("日付", "内容", "次のフォローアップ"):
        expect(field(notes, label), f"the note form's own 「{label}」").to_be_editable()
    field(notes, "日付").fill(timezone.localdate().isoformat())
    field(notes, "内容").fill(HOST_NOTE)
    field(notes, "次のフォローアップ").fill(iso_in(30))
    notes.get_by_role("button", name="記録", exact=True).click()

    expect(flash(page)).to_contain_text("記録しました。")
    expect(stage_shown(page)).to_have_text("定着")
    history = region(page, "経過").get_by_role("listitem")
    expect(history.locator(".badge")).to_have_text(
        ["提案", "見学・体験", "参加中", "定着", "受け入れ先支援"]
    )
    expect(history.last).to_contain_text(HOST_NOTE)
    fits_the_phone(page, "participation path with the host's note")
    screenshot(page, "participation-phone-host-support.png")
    with tenant(cast):
        last = Participation.objects.get(pk=path.pk).events.last()
    assert last is not None
    assert (last.kind, last.note) == (EventKind.HOST_SUPPORT, HOST_NOTE)

    errors = [error for record in page_records.values() for error in record.page_errors]
    assert not errors, f"script errors: {errors}"
    assert_clean()
