"""A 多機関協働 case as people walk it, in Chromium against the live server.

The seed-003 household: 中村 健一 (52) left work to care for his mother and
is unemployed, his son 翔太 (18) left high school and stays at home, and his
mother トメ (80) lives on her pension and refuses care. The area's 民生委員
tells the 社会福祉協議会's CSW, who records the consultation at 相談受付 and
escalates it to 多機関協働 (福祉政策課). The coordinator accepts the つなぐシート
and opens a case; without the family's consent the case goes to a 支援会議,
where a police officer takes part as a guest with a one-time account: the
material shows only after the pledge, the CSW gets a task, and the guest's
account ends with its expiry. With consent recorded on the case, a
重層的支援会議 (refused before the consent) agrees a plan with a goal for each
member; a monitoring re-plans, the second version is confirmed, a last
monitoring closes the case, and the case goes to 経過観察.

Every step goes through the pages; only the household is registered through
the factories, and the guest's expiry is moved into the past in the database
(the one thing a person cannot do but wait for). Screenshots for people to
look at go to /tmp/tsunagu-screens. All names, addresses and dates are made up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case, Stage
from tsunagu.consultations.models import Consultation, Consulter, Outcome
from tsunagu.core import tenancy
from tsunagu.core.wareki import format_wareki
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import ActionItem, Meeting
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.people.models import Household, Person, Sex
from tsunagu.plans.models import Status as PlanStatus
from tsunagu.plans.models import SupportPlan
from tsunagu.referrals.models import Referral
from tsunagu.tests import resident_factories as make
from tsunagu.tests.browser import test_referral_loop_flow as loop
from tsunagu.tests.browser import test_sign_in_flows as sign_in_flows
from tsunagu.tests.browser.conftest import PageRecord
from tsunagu.tests.factories import Ward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

field, group, heading, menu = loop.field, loop.group, loop.heading, loop.menu
screenshot = sign_in_flows.screenshot  # into /tmp/tsunagu-screens

CASE_TITLE = "8050・介護拒否・子の高校中退"
SUMMARY = (
    "担当地区の民生委員から。世帯主は母の介護のため昨年退職し、現在は無職。"
    "長男は高校を中退し、進路が決まらないまま自宅にいる。"
    "母は年金で暮らしているが、介護サービスを拒んでいる。"
)
GOALS = {
    "健一": "日中にできる仕事を探す",
    "翔太": "ひきこもり相談窓口で自分にできることを探す",
    "トメ": "日中の介護サービスを検討",
}
EXTRA_GOAL = "週1回、地域の居場所に通う"
POLICY = "世帯主の就労と母の介護を切り分けて支える。長男には無理のない形で関わる。"
TASK = "世帯主と面談し、就労と介護についての意向を確認する"
CHANGES = "長男が相談窓口に通えるようになったため、居場所への参加を目標に加えた。"
GUEST_NAME = "佐藤 次郎"
RELATIONSHIPS = {"健一": "世帯主", "翔太": "子", "トメ": "父母"}


@dataclass
class Cast:
    ward: Ward
    csw_org: Organization  # 社会福祉協議会 CSW (委託先)
    csw: Staff
    coordinator: Staff  # 福祉政策課 (多機関協働事務局)
    household: Household
    kenichi: Person  # 世帯主A
    shota: Person  # 子B
    tome: Person  # 親C


def _born(years: int) -> date:
    """A birthday that makes someone ``years`` old today (it was yesterday)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    if (yesterday.month, yesterday.day) == (2, 29):
        yesterday -= timedelta(days=1)
    return yesterday.replace(year=yesterday.year - years)


@pytest.fixture
def cast(ward: Ward) -> Cast:
    with tenancy.tenant_context(ward.municipality):
        csw_org = Organization.objects.create(
            name="社会福祉協議会 CSW",
            kind=Organization.Kind.CONTRACTOR,
            management=Organization.Management.CONTRACTED,
            operator="社会福祉法人テスト市社会福祉協議会",
        )
    csw = make.staff_at(ward, csw_org, Role.COUNSELOR, "csw-counselor")
    address = "テスト区北町7-8-9"
    people = {
        given: make.person(
            csw,
            csw_org,
            family_name="中村",
            given_name=given,
            family_name_kana="なかむら",
            given_name_kana=kana,
            birth_date=_born(years),
            sex=sex,
            address=address,
        )
        for given, kana, years, sex in [
            ("健一", "けんいち", 52, Sex.MALE),
            ("翔太", "しょうた", 18, Sex.MALE),
            ("トメ", "とめ", 80, Sex.FEMALE),
        ]
    }
    household = make.household(
        csw,
        csw_org,
        head=people["健一"],
        members=[(people["翔太"], "child"), (people["トメ"], "parent")],
        address=address,
    )
    return Cast(
        ward=ward,
        csw_org=csw_org,
        csw=csw,
        coordinator=ward.member(Role.COORDINATOR),
        household=household,
        kenichi=people["健一"],
        shota=people["翔太"],
        tome=people["トメ"],
    )


# ---------------------------------------------------------------------------
# Helpers.


@contextmanager
def tenant(cast: Cast) -> Iterator[None]:
    with tenancy.tenant_context(cast.ward.municipality):
        yield


def flash(page: Page) -> Locator:
    """The messages the server left for the next page."""
    return page.locator("ul.messages")


def wareki_in(days: int) -> str:
    return format_wareki(timezone.localdate() + timedelta(days=days))


def textbox(scope: Page | Locator, label: str) -> Locator:
    """A text input by its label, where a section is labelled with the same words."""
    return scope.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}(必須)?$"))


def checkbox(scope: Page | Locator, label: str) -> Locator:
    """A single checkbox inside its label (``field`` does not match the text after the box)."""
    return scope.get_by_role("checkbox", name=label, exact=True)


def open_details(scope: Page | Locator, summary: str) -> Locator:
    """Open the <details> with this summary and return it."""
    page = scope if isinstance(scope, Page) else scope.page
    details = scope.locator("details").filter(has=page.locator("summary", has_text=summary))
    details.locator("summary").click()
    return details


def member_part(page: Page, person: Person) -> Locator:
    """A household member's part of the plan form, by its legend (name and 続柄)."""
    return group(page, f"{as_read(person.full_name)}（{RELATIONSHIPS[person.given_name]}）")


def as_read(text: str) -> str:
    """``text`` as an accessible name is matched by a pattern: its spaces (the
    full-width one of a full name too) made one plain space."""
    return re.sub(r"\s+", " ", text)


def stage_shown(page: Page) -> Locator:
    return page.get_by_role("list", name="ケースの段階").locator("[aria-current='step']")


def overview(page: Page) -> Locator:
    return page.get_by_role("region", name="概要", exact=True)


def case_stage(cast: Cast, case_pk: int) -> str:
    with tenant(cast):
        return Case.objects.get(pk=case_pk).stage


# ---------------------------------------------------------------------------
# The steps.


def csw_takes_the_consultation(csw: Page, cast: Cast) -> Referral:
    """Step 1: the 民生委員's concern, recorded by the CSW at 相談受付 and
    escalated to 多機関協働 on a つなぐシート."""
    loop.sign_in(csw, cast.csw.username)
    csw.goto(reverse("people:household_detail", args=[cast.household.pk]))
    expect(heading(csw)).to_contain_text(str(cast.household))
    csw.get_by_role("link", name="この世帯の相談を受け付ける").click()

    expect(heading(csw)).to_contain_text("相談受付")
    expect(field(csw, "受付機関").locator("option:checked")).to_have_text(cast.csw_org.name)
    # The 民生委員's words and the household's features go in the folded 「詳細」.
    csw.locator("details.form-details > summary").click()
    group(csw, "相談経路").get_by_role("radio", name="訪問", exact=True).check()
    field(csw, "相談者").select_option(label="民生委員")
    field(csw, "相談者の補足").fill("担当地区の民生委員")
    subjects = group(csw, "この世帯で相談の対象となる方")
    for person in (cast.kenichi, cast.shota, cast.tome):
        subjects.get_by_role("checkbox", name=person.full_name).check()
    topics = group(csw, "相談内容（該当するものすべて）")
    for topic in ("介護", "仕事探し", "ひきこもり・不登校", "家族との関係"):
        topics.get_by_role("checkbox", name=topic, exact=True).check()
    field(csw, "主な相談内容（◎）").select_option(label="介護")
    features = group(csw, "世帯の特徴")
    for feature in ("8050", "ひきこもり", "支援拒否・困り感なし"):
        features.get_by_role("checkbox", name=feature, exact=True).check()
    field(csw, "相談の概要").fill(SUMMARY)
    group(csw, "情報共有への同意").get_by_role(
        "radio", name="同意なし（同意を得ていない・確認できない）"
    ).check()
    group(csw, "対応結果").get_by_role("radio", name="多機関協働へ", exact=True).check()
    csw.get_by_role("button", name="受け付ける").click()

    # The referral form, addressed to the coordinating section.
    expect(heading(csw)).to_have_text("多機関協働へつなぐ")
    expect(flash(csw)).to_contain_text("続けてつなぐシートを作成してください")
    expect(field(csw, "つなぎ先").locator("option:checked")).to_have_text(
        cast.ward.coordinating.name
    )
    expect(field(csw, "依頼したいこと")).to_have_value("多機関協働での検討をお願いします。")
    expect(field(csw, "共有する内容")).to_have_value(SUMMARY)
    for person in (cast.kenichi, cast.shota, cast.tome):
        expect(group(csw, "対象者").get_by_role("checkbox", name=person.full_name)).to_be_checked()
    # No consent yet: nothing is chosen for the basis; the CSW shares for the 支援会議.
    expect(group(csw, "共有の根拠").get_by_role("radio", checked=True)).to_have_count(0)
    group(csw, "共有の根拠").get_by_role("radio", name="支援会議", exact=True).check()
    shared = group(csw, "共有する情報の種類")
    for item in ("氏名・連絡先", "世帯の状況", "相談内容"):
        shared.get_by_role("checkbox", name=item).check()
    csw.get_by_role("button", name="送付する").click()
    expect(flash(csw)).to_contain_text("つなぐシートを送りました。")
    expect(csw.locator(".referral-state")).to_contain_text("送付")

    with tenant(cast):
        consultation = Consultation.objects.get(household=cast.household)
        assert (consultation.consulter, consultation.outcome) == (
            Consulter.MINSEI_IIN,
            Outcome.ESCALATE,
        )
        assert consultation.organization_id == cast.csw_org.pk
        assert set(consultation.subjects.values_list("pk", flat=True)) == {
            cast.kenichi.pk,
            cast.shota.pk,
            cast.tome.pk,
        }
        referral = Referral.objects.get(consultation=consultation)
    assert referral.to_organization_id == cast.ward.coordinating.pk
    return referral


def coordinator_opens_the_case(coordinator: Page, cast: Cast, referral: Referral) -> int:
    """Step 2: the coordinator accepts the つなぐシート and opens the case from it."""
    loop.sign_in(coordinator, cast.coordinator.username)
    menu(coordinator, "つなぐシート")
    row = coordinator.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text(cast.csw_org.name)
    row.get_by_role("link", name=referral.number).click()
    expect(heading(coordinator)).to_contain_text(referral.number)
    coordinator.get_by_role("button", name="受理", exact=True).click()
    expect(coordinator.locator(".referral-state")).to_contain_text("受理")
    coordinator.get_by_role("link", name="多機関協働ケースとして受け付ける").click()

    expect(heading(coordinator)).to_have_text("多機関協働ケースの受付")
    expect(coordinator.locator("main")).to_contain_text(referral.number)
    # The sender joins the team, the consultation is the case's trigger.
    expect(
        group(coordinator, "支援チームに入る機関").get_by_role("checkbox", name=cast.csw_org.name)
    ).to_be_checked()
    expect(group(coordinator, "きっかけの相談").get_by_role("checkbox")).to_be_checked()
    field(coordinator, "ケースの概要").fill(CASE_TITLE)
    coordinator.get_by_role("button", name="ケースを受け付ける").click()

    expect(heading(coordinator)).to_contain_text("多機関協働ケース")
    expect(flash(coordinator)).to_contain_text("を受け付けました。")
    expect(coordinator.locator(".lead")).to_have_text(CASE_TITLE)
    expect(stage_shown(coordinator)).to_have_text("受付")
    expect(coordinator.locator(".basis-note").first).to_contain_text("多機関協働事務局")
    expect(overview(coordinator)).to_contain_text("なし（支援会議で検討）")
    with tenant(cast):
        case = Case.objects.get(household=cast.household)
        assert case.referral_id == referral.pk
        assert case.organization_id == cast.ward.coordinating.pk
        assert set(case.team.values_list("organization_id", flat=True)) >= {cast.csw_org.pk}
    return case.pk


@dataclass
class Guest:
    username: str
    password: str


def support_meeting_without_consent(
    coordinator: Page, csw: Page, guest: Page, cast: Cast, case_pk: int
) -> None:
    """Step 3: a 支援会議 on the case before any consent, with the CSW and a
    police officer as a guest; the material only after each one's pledge."""
    coordinator.get_by_role("link", name="会議の議題にする").click()
    expect(heading(coordinator)).to_have_text("会議を登録する")
    field(coordinator, "会議名").fill("第1回 支援会議（北地区）")
    field(coordinator, "開催日").fill(wareki_in(0))
    group(coordinator, "会議の種類").get_by_role("checkbox", name="支援会議", exact=True).check()
    coordinator.get_by_role("button", name="登録する").click()

    expect(heading(coordinator)).to_contain_text("第1回 支援会議（北地区）")
    expect(flash(coordinator)).to_contain_text("を「支援会議」の議題に入れました。")
    with tenant(cast):
        meeting = Meeting.objects.get(title="第1回 支援会議（北地区）")
        case_number = Case.objects.get(pk=case_pk).number
    meeting_url = reverse("meetings:detail", args=[meeting.pk])
    item = coordinator.locator("article").filter(has_text=case_number)
    expect(item).to_have_count(1)
    # The brief is pre-filled from the records: ages and the household's features, no names.
    expect(item).to_contain_text("世帯主 52歳 男性")
    expect(item).to_contain_text("8050")

    attendees = coordinator.get_by_role("region", name="出席者", exact=True)
    form = open_details(coordinator, "出席者（職員）を加える")
    field(form, "職員（所属・氏名）").select_option(
        label=f"{cast.csw_org.name}　{cast.csw.full_name}"
    )
    form.get_by_role("button", name="出席者に加える").click()
    expect(flash(coordinator)).to_contain_text(f"{cast.csw.full_name} さんを出席者に加えました。")
    expect(attendees.get_by_role("row").filter(has_text=cast.csw.full_name)).to_contain_text(
        "未誓約"
    )

    form = open_details(coordinator, "外部ゲストを招待する")
    field(form, "所属（外部の関係機関）").select_option(label="テスト警察署")
    field(form, "ゲストの氏名").fill(GUEST_NAME)
    form.get_by_role("button", name="招待してアカウントを発行する").click()
    invitation = coordinator.locator("#invitation")
    expect(invitation.get_by_role("heading")).to_have_text("ゲストのログイン情報")
    expect(invitation).to_contain_text("この画面を閉じると再表示できません")
    secrets = invitation.locator("code.secret")
    expect(secrets).to_have_count(2)
    credentials = Guest(username=secrets.nth(0).inner_text(), password=secrets.nth(1).inner_text())
    assert credentials.username.startswith(f"guest-{meeting.pk}-")
    assert len(credentials.password) >= 12

    # No holding a 支援会議 before everyone attending has pledged.
    coordinator.get_by_role("button", name="開催済みにする").click()
    refused = coordinator.locator("#hold-errors")
    expect(refused).to_contain_text("出席者全員の守秘義務の誓約が必要です")
    expect(refused).to_contain_text(GUEST_NAME)
    expect(refused).to_contain_text(cast.csw.full_name)

    # --- The guest, in a browser of their own --------------------------------
    sign_in_flows.sign_in(guest, credentials.username, credentials.password)
    expect(heading(guest)).to_have_text("ホーム")
    menu(guest, "会議")
    guest.get_by_role("link", name="第1回 支援会議（北地区）").click()
    expect(heading(guest)).to_contain_text("第1回 支援会議（北地区）")
    pledge = guest.get_by_role("region", name="守秘義務の誓約")
    expect(pledge).to_contain_text("社会福祉法第106条の6")
    expect(guest.locator("#no-material")).to_contain_text(
        "守秘義務の誓約を記録した後に表示されます"
    )
    expect(guest.get_by_role("heading", name="準備シート")).to_have_count(0)
    expect(guest.locator("main")).not_to_contain_text("8050")
    expect(guest.locator("main")).not_to_contain_text(case_number)
    expect(guest.locator("main")).not_to_contain_text("中村")
    screenshot(guest, "case-flow-meeting-guest-before-pledge.png")

    pledge.get_by_role("button", name="守秘義務を確認し、誓約します").click()
    expect(flash(guest)).to_contain_text("守秘義務の誓約を記録しました。")
    expect(guest.get_by_role("region", name="守秘義務の誓約")).to_have_count(0)
    guest_item = guest.locator("article").filter(has_text=case_number)
    expect(guest_item.get_by_role("heading", name="準備シート")).to_be_visible()
    expect(guest_item.locator(".basis-note")).to_contain_text("支援会議（法106条の6）")
    expect(guest_item).to_contain_text("8050")
    # The meeting's material, not the household's record: no names, no link to the case.
    expect(guest.locator("main")).not_to_contain_text("中村")
    expect(guest_item.get_by_role("link", name=re.compile(case_number))).to_have_count(0)
    expect(guest.locator("main")).not_to_contain_text("決定事項を記録する")
    screenshot(guest, "case-flow-meeting-guest-after-pledge.png")
    # The pledge opens this meeting's material only: not the case, not the household.
    for url in (
        reverse("cases:detail", args=[case_pk]),
        reverse("people:household_detail", args=[cast.household.pk]),
    ):
        answer = guest.goto(url)
        assert answer is not None and answer.status == 404, url
    guest.goto(meeting_url)

    # --- The CSW pledges in their own browser ---------------------------------
    csw.goto(meeting_url)
    expect(csw.get_by_role("heading", name="準備シート")).to_have_count(0)
    csw.get_by_role("button", name="守秘義務を確認し、誓約します").click()
    expect(flash(csw)).to_contain_text("守秘義務の誓約を記録しました。")
    expect(csw.locator("article").filter(has_text=case_number)).to_contain_text("8050")

    # --- The host holds the meeting and records the decisions -----------------
    coordinator.goto(meeting_url)
    for name in (GUEST_NAME, cast.csw.full_name):
        expect(attendees.get_by_role("row").filter(has_text=name)).to_contain_text("誓約済み")
    coordinator.get_by_role("button", name="開催済みにする").click()
    expect(flash(coordinator)).to_contain_text("会議を開催済みにしました。")
    expect(coordinator.locator(".status-held")).to_have_text("開催済み")

    item = coordinator.locator("article").filter(has_text=case_number)
    form = open_details(item, "決定事項を記録する")
    field(form, "支援方針").fill(POLICY)
    field(form, "役割分担").fill(
        "社会福祉協議会 CSW: 世帯全体の窓口。地域包括支援センター北: 母の介護。"
    )
    field(form, "主担当機関").select_option(label=cast.csw_org.name)
    field(form, "タスク1 の担当機関").select_option(label=cast.csw_org.name)
    field(form, "タスク1 の内容").fill(TASK)
    field(form, "タスク1 の期限").fill(wareki_in(14))
    form.get_by_role("button", name="決定事項を記録する").click()
    expect(flash(coordinator)).to_contain_text("の決定事項を記録しました。")
    item = coordinator.locator("article").filter(has_text=case_number)
    expect(item).to_contain_text(POLICY)
    tasks = item.get_by_role("table", name="タスク（役割分担）")
    expect(tasks.get_by_role("row").filter(has_text=TASK)).to_contain_text("未完了")

    with tenant(cast):
        case = Case.objects.get(pk=case_pk)
        assert case.stage == Stage.MEETING_REVIEW
        assert case.lead_organization_id == cast.csw_org.pk
        assert ActionItem.objects.get().owner_organization_id == cast.csw_org.pk
        assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD

    # --- The CSW finds the task among their organization's tasks --------------
    menu(csw, "タスク")
    expect(heading(csw)).to_contain_text(cast.csw_org.name)
    task = csw.get_by_role("region", name="未完了のタスク").get_by_role("row").filter(has_text=TASK)
    expect(task).to_contain_text(wareki_in(14))
    expect(task).to_contain_text(case_number)
    expect(task.get_by_role("link", name=re.compile("第1回 支援会議"))).to_be_visible()

    # --- The guest's account expires ------------------------------------------
    with tenant(cast):
        expired = Staff.objects.filter(username=credentials.username).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    assert expired == 1
    guest.reload()
    expect(guest).to_have_url(re.compile(r"/login/\?next="))
    expect(heading(guest)).to_have_text("ログイン")
    expect(guest.locator("main")).not_to_contain_text("8050")
    sign_in_flows.sign_in(guest, credentials.username, credentials.password)
    expect(guest.get_by_role("alert")).to_contain_text("正しくありません")
    expect(heading(guest)).to_have_text("ログイン")


def plan_meeting_refused_without_consent(coordinator: Page, cast: Cast, case_pk: int) -> int:
    """Step 5, first half: a 重層的支援会議 cannot take the case before consent."""
    coordinator.goto(reverse("cases:detail", args=[case_pk]))
    coordinator.get_by_role("link", name="会議の議題にする").click()
    field(coordinator, "会議名").fill("第1回 重層的支援会議")
    field(coordinator, "開催日").fill(wareki_in(0))
    group(coordinator, "会議の種類").get_by_role(
        "checkbox", name="重層的支援会議", exact=True
    ).check()
    coordinator.get_by_role("button", name="登録する").click()
    expect(heading(coordinator)).to_contain_text("第1回 重層的支援会議")
    expect(flash(coordinator)).to_contain_text("本人の同意がなければ開催できません")
    expect(coordinator.locator("main")).to_contain_text(
        "この部の議題（検討するケース）はまだありません。"
    )
    with tenant(cast):
        meeting = Meeting.objects.get(title="第1回 重層的支援会議")
        assert not meeting.parts.get().agenda.exists()
    return meeting.pk


def consent_obtained(coordinator: Page, cast: Cast, case_pk: int) -> None:
    """Step 4: 本人同意 recorded on the case page for all three and the team."""
    coordinator.goto(reverse("cases:detail", args=[case_pk]))
    coordinator.get_by_role("link", name="本人同意を記録する").click()
    expect(heading(coordinator)).to_contain_text("本人同意の記録")
    group(coordinator, "同意した人").get_by_role("radio", name="本人", exact=True).check()
    field(coordinator, "同意した本人").select_option(label=cast.kenichi.full_name)
    members = group(coordinator, "対象となる世帯員")
    for person in (cast.kenichi, cast.shota, cast.tome):
        members.get_by_role("checkbox", name=person.full_name).check()
    purposes = group(coordinator, "目的")
    for purpose in ("情報共有", "重層的支援会議", "プラン作成"):
        purposes.get_by_role("checkbox", name=purpose, exact=True).check()
    checkbox(coordinator, "支援チームの全機関").check()
    group(coordinator, "同意の方法").get_by_role("radio", name="書面", exact=True).check()
    expect(field(coordinator, "同意を得た機関").locator("option:checked")).to_have_text(
        cast.csw_org.name
    )
    coordinator.get_by_role("button", name="同意を記録する").click()

    expect(flash(coordinator)).to_contain_text("本人同意を記録しました。")
    expect(overview(coordinator)).to_contain_text("あり（")
    consent = coordinator.get_by_role("region", name="本人同意", exact=True).locator("article")
    expect(consent.locator(".badge")).to_have_text("有効")
    for person in (cast.kenichi, cast.shota, cast.tome):
        expect(consent).to_contain_text(person.full_name)
    expect(consent).to_contain_text("支援チームの全機関")
    expect(consent).to_contain_text("情報共有・重層的支援会議・プラン作成")
    expect(consent).to_contain_text(f"書面（{cast.csw_org.name}）")


def plan_meeting_and_first_plan(
    coordinator: Page, cast: Cast, case_pk: int, plan_meeting_pk: int
) -> int:
    """Step 5, second half: the case on the 重層的支援会議, held; the first plan,
    a goal per member, confirmed → 支援中."""
    with tenant(cast):
        case_number = Case.objects.get(pk=case_pk).number
    coordinator.goto(reverse("meetings:detail", args=[plan_meeting_pk]))
    agenda = coordinator.get_by_role("region", name="議題にケースを加える")
    field(agenda, "ケース").select_option(label=f"{case_number} {CASE_TITLE}")
    agenda.get_by_role("button", name="議題に加える").click()
    expect(flash(coordinator)).to_contain_text("を「重層的支援会議」の議題に入れました。")
    form = open_details(coordinator, "出席者（職員）を加える")
    field(form, "職員（所属・氏名）").select_option(
        label=f"{cast.csw_org.name}　{cast.csw.full_name}"
    )
    form.get_by_role("button", name="出席者に加える").click()
    # The consent covers the team, the CSW's organization with it: nothing in the way.
    hold = coordinator.get_by_role("region", name="開催・中止")
    expect(hold.locator(".match-warning")).to_have_count(0)
    hold.get_by_role("button", name="開催済みにする").click()
    expect(flash(coordinator)).to_contain_text("会議を開催済みにしました。")

    coordinator.goto(reverse("cases:detail", args=[case_pk]))
    expect(stage_shown(coordinator)).to_have_text("支援会議で検討")
    # No plan link until the case has moved on to 同意取得.
    expect(coordinator.get_by_role("link", name="支援プランを作る")).to_have_count(0)
    coordinator.get_by_role("button", name="「同意取得」へ").click()
    expect(flash(coordinator)).to_contain_text("「同意取得」に進めました。")
    expect(stage_shown(coordinator)).to_have_text("同意取得")
    coordinator.get_by_role("link", name="支援プランを作る").click()

    expect(heading(coordinator)).to_have_text("支援プランの作成")
    field(coordinator, "次回モニタリング予定日").fill(wareki_in(90))
    field(coordinator, "世帯全体の目標").fill("家族それぞれが、無理なく日中を過ごせるようになる。")
    checkbox(coordinator, "参加支援を利用する").check()
    checkbox(coordinator, "アウトリーチ等を利用する").check()
    parts = [
        (cast.kenichi, "母の介護と両立できる仕事がしたい", "離職後の収入がない"),
        (cast.shota, "今は何をしたらいいかわからない", "高校中退後、外出が少ない"),
        (cast.tome, "家で暮らし続けたい", "介護サービスを拒んでいる"),
    ]
    for person, wishes, issues in parts:
        member = member_part(coordinator, person)
        expect(checkbox(member, "このプランに含める")).to_be_checked()
        field(member, "本人の思い").fill(wishes)
        field(member, "課題").fill(issues)
        field(member, "目標").fill(GOALS[person.given_name])
    rows = [
        (
            cast.csw_org.name,
            cast.kenichi,
            "就労準備支援の紹介と面談への同行",
            "包括的相談",
            "月2回",
        ),
        (cast.csw_org.name, cast.shota, "ひきこもり相談窓口の紹介と訪問", "アウトリーチ", "週1回"),
        (cast.ward.center.name, cast.tome, "デイサービスの見学の調整", "制度サービス", "月1回"),
    ]
    for number, (organization, person, content, kind, frequency) in enumerate(rows, start=1):
        row = group(coordinator, f"支援内容 {number}")
        field(row, "担当機関").select_option(label=organization)
        field(row, "対象の世帯員").select_option(label=person.full_name)
        field(row, "支援内容").fill(content)
        field(row, "種別").select_option(label=kind)
        field(row, "頻度").fill(frequency)
    coordinator.get_by_role("button", name="下書きとして作成する").click()

    expect(heading(coordinator)).to_contain_text("第1版")
    expect(flash(coordinator)).to_contain_text("支援プラン（第1版）を作成しました。")
    expect(coordinator.locator(".plan-state .badge")).to_have_text("作成中")
    coordinator.get_by_role("button", name="確定する").click()
    expect(flash(coordinator)).to_contain_text("ケースは「支援中」になりました。")
    expect(coordinator.locator(".plan-state .badge")).to_have_text("実施中")
    expect(coordinator.locator(".basis-note")).to_contain_text("多機関協働事務局")
    members = coordinator.get_by_role("region", name="世帯員ごとの思い・課題・目標", exact=True)
    for person, _wishes, _issues in parts:
        card = members.locator("article").filter(
            has=coordinator.get_by_role(
                "heading", name=f"{person.full_name}（{RELATIONSHIPS[person.given_name]}）"
            )
        )
        expect(card.locator("ol.goals")).to_have_text(GOALS[person.given_name])
    items = coordinator.get_by_role("region", name="支援内容", exact=True)
    for organization, person, content, kind, frequency in rows:
        row = items.get_by_role("row").filter(has_text=content)
        for shown in (person.full_name, kind, organization, frequency):
            expect(row).to_contain_text(shown)
    expect(coordinator.locator("dl.detail").first).to_contain_text(wareki_in(90))
    screenshot(coordinator, "case-flow-plan.png")

    with tenant(cast):
        plan = SupportPlan.objects.get(case_id=case_pk)
        assert plan.status == PlanStatus.ACTIVE
        assert {m.person_id: [g.text for g in m.goals.all()] for m in plan.members.all()} == {
            cast.kenichi.pk: [GOALS["健一"]],
            cast.shota.pk: [GOALS["翔太"]],
            cast.tome.pk: [GOALS["トメ"]],
        }
        assert plan.items.count() == 3
    assert case_stage(cast, case_pk) == Stage.SUPPORTING
    return plan.pk


def goal_progress(page: Page, person: Person, goal: str, progress: str) -> None:
    fieldset = group(page, f"{as_read(person.full_name)}: {goal}")
    group(fieldset, "進捗").get_by_role("radio", name=progress, exact=True).check()


def monitoring_replans(coordinator: Page, cast: Cast, case_pk: int) -> int:
    """Step 6: a monitoring decides 再プラン; the next version, pre-filled,
    states its changes and is confirmed."""
    coordinator.get_by_role("link", name="モニタリングを記録する").click()
    expect(heading(coordinator)).to_contain_text("モニタリングの記録")
    textbox(coordinator, "全体の状況").fill(
        "長男が相談窓口に通い始めた。世帯主は求職活動中。母はデイサービスを見学した。"
    )
    goal_progress(coordinator, cast.kenichi, GOALS["健一"], "改善・前進")
    goal_progress(coordinator, cast.shota, GOALS["翔太"], "達成")
    goal_progress(coordinator, cast.tome, GOALS["トメ"], "改善・前進")
    group(coordinator, "判断").get_by_role("radio", name="再プラン", exact=True).check()
    coordinator.get_by_role("button", name="記録する").click()

    expect(heading(coordinator)).to_have_text("再プランの作成")
    expect(flash(coordinator)).to_contain_text("ケースは「プラン作成」に戻りました。")
    expect(coordinator.locator("main")).to_contain_text("実施中の第1版の内容を読み込んでいます")
    assert case_stage(cast, case_pk) == Stage.PLANNING
    expect(field(coordinator, "世帯全体の目標")).to_have_value(
        "家族それぞれが、無理なく日中を過ごせるようになる。"
    )
    for person in (cast.kenichi, cast.shota, cast.tome):
        expect(field(member_part(coordinator, person), "目標")).to_have_value(
            GOALS[person.given_name]
        )
    expect(field(group(coordinator, "支援内容 1"), "支援内容")).to_have_value(
        "就労準備支援の紹介と面談への同行"
    )
    field(member_part(coordinator, cast.shota), "目標").fill(f"{GOALS['翔太']}\n{EXTRA_GOAL}")
    field(coordinator, "前の版からの変更点").fill(CHANGES)
    field(coordinator, "次回モニタリング予定日").fill(wareki_in(60))
    coordinator.get_by_role("button", name="下書きとして作成する").click()

    expect(heading(coordinator)).to_contain_text("第2版")
    expect(flash(coordinator)).to_contain_text("支援プラン（第2版）を作成しました。")
    expect(coordinator.locator("dl.detail").first).to_contain_text(CHANGES)
    coordinator.get_by_role("button", name="確定する").click()
    expect(flash(coordinator)).to_contain_text("支援プラン（第2版）を確定しました。")
    expect(coordinator.locator(".plan-state .badge")).to_have_text("実施中")
    versions = coordinator.get_by_role("region", name="プランの版").get_by_role("listitem")
    expect(versions.filter(has_text="第1版").locator(".badge")).to_have_text("再プラン済み")
    expect(versions.filter(has_text="第2版").locator(".badge")).to_have_text("実施中")
    card = (
        coordinator.get_by_role("region", name="世帯員ごとの思い・課題・目標")
        .locator("article")
        .filter(has_text=cast.shota.full_name)
    )
    expect(card.locator("ol.goals li")).to_have_text([GOALS["翔太"], EXTRA_GOAL])

    with tenant(cast):
        first, second = SupportPlan.objects.filter(case_id=case_pk).order_by("version_number")
        assert (first.status, second.status) == (PlanStatus.SUPERSEDED, PlanStatus.ACTIVE)
        assert second.previous_id == first.pk
        assert second.changes == CHANGES
    assert case_stage(cast, case_pk) == Stage.SUPPORTING
    return second.pk


def household_page_shows_the_work(coordinator: Page, cast: Cast, case_number: str) -> None:
    """The household page: the ecomap drawn, the case, meetings and plans in the 家族年表."""
    coordinator.get_by_role("link", name=str(cast.household)).first.click()
    expect(heading(coordinator)).to_contain_text(str(cast.household))
    expect(coordinator.locator(".basis-note")).to_contain_text("多機関協働事務局")
    ecomap = coordinator.get_by_role("region", name="エコマップ")
    expect(ecomap.locator("svg[role='img']")).to_be_visible()
    expect(ecomap.locator("svg[role='img']")).to_contain_text(cast.csw_org.name)
    timeline = coordinator.get_by_role("region", name="家族年表")
    expect(timeline.locator(".timeline-case").first).to_contain_text(
        f"多機関協働ケースを受付（{CASE_TITLE}）"
    )
    meetings = timeline.locator(".timeline-meeting")
    expect(meetings).to_have_count(2)
    # The 支援会議 with its decided policy; the 重層的支援会議 decided nothing on the case.
    expect(meetings.filter(has_text=POLICY)).to_contain_text("支援会議で検討（新規）")
    expect(meetings.filter(has_text=POLICY)).not_to_contain_text("重層的")
    expect(meetings.filter(has_text="重層的支援会議で検討")).to_have_count(1)
    plans = timeline.locator(".timeline-plan")
    expect(plans.filter(has_text="支援プラン 第1版を確定")).to_have_count(1)
    expect(plans.filter(has_text="支援プラン 第2版を確定")).to_have_count(1)
    expect(plans.filter(has_text="モニタリング（判断: 再プラン）")).to_have_count(1)
    expect(timeline).to_contain_text(case_number)
    screenshot(coordinator, "case-flow-household-ecomap.png")


def closure_then_follow_up(coordinator: Page, cast: Cast, case_pk: int, plan_pk: int) -> None:
    """Step 7: a monitoring on version 2 closes the case; then 経過観察 with a deadline."""
    coordinator.goto(reverse("plans:detail", args=[plan_pk]))
    coordinator.get_by_role("link", name="モニタリングを記録する").click()
    textbox(coordinator, "全体の状況").fill(
        "世帯主は短時間の仕事に就いた。長男は居場所に通っている。母はデイサービスを利用中。"
    )
    goal_progress(coordinator, cast.kenichi, GOALS["健一"], "達成")
    goal_progress(coordinator, cast.shota, GOALS["翔太"], "達成")
    goal_progress(coordinator, cast.shota, EXTRA_GOAL, "達成")
    goal_progress(coordinator, cast.tome, GOALS["トメ"], "達成")
    group(coordinator, "判断").get_by_role("radio", name="終結", exact=True).check()
    field(coordinator, "終結理由").select_option(label="目標を達成した")
    field(coordinator, "評価（支援の振り返り）").fill(
        "支援会議で役割を分けたことで、同意の前から世帯に関わり続けられた。"
    )
    coordinator.get_by_role("button", name="記録する").click()

    expect(heading(coordinator)).to_contain_text("多機関協働ケース")
    expect(flash(coordinator)).to_contain_text("ケースを終結しました。")
    expect(stage_shown(coordinator)).to_have_text("終結")
    expect(overview(coordinator)).to_contain_text("目標を達成した")
    assert case_stage(cast, case_pk) == Stage.CLOSED

    follow_up = coordinator.locator("form").filter(
        has=coordinator.get_by_role("button", name="「経過観察」へ")
    )
    field(follow_up, "経過観察の期限").fill(wareki_in(180))
    follow_up.get_by_role("button", name="「経過観察」へ").click()
    expect(flash(coordinator)).to_contain_text("「経過観察」に進めました。")
    expect(stage_shown(coordinator)).to_have_text("経過観察")
    expect(overview(coordinator)).to_contain_text(wareki_in(180))
    history = coordinator.get_by_role("region", name="ケースの履歴")
    expect(history).to_contain_text("終結 → 経過観察")
    with tenant(cast):
        case = Case.objects.get(pk=case_pk)
    assert case.stage == Stage.FOLLOW_UP
    assert case.follow_up_until == timezone.localdate() + timedelta(days=180)
    screenshot(coordinator, "case-flow-case.png")


# ---------------------------------------------------------------------------


def test_household_from_a_minsei_iin_concern_to_follow_up(
    open_page: Callable[..., Page],
    cast: Cast,
    page_records: dict[Page, PageRecord],
    assert_clean: Callable[[], None],
) -> None:
    csw, coordinator, guest = open_page(), open_page(), open_page()

    referral = csw_takes_the_consultation(csw, cast)
    case_pk = coordinator_opens_the_case(coordinator, cast, referral)
    with tenant(cast):
        case_number = Case.objects.get(pk=case_pk).number
    support_meeting_without_consent(coordinator, csw, guest, cast, case_pk)
    plan_meeting_pk = plan_meeting_refused_without_consent(coordinator, cast, case_pk)
    consent_obtained(coordinator, cast, case_pk)
    plan_meeting_and_first_plan(coordinator, cast, case_pk, plan_meeting_pk)
    plan_pk = monitoring_replans(coordinator, cast, case_pk)
    household_page_shows_the_work(coordinator, cast, case_number)
    closure_then_follow_up(coordinator, cast, case_pk, plan_pk)

    errors = [error for record in page_records.values() for error in record.page_errors]
    assert not errors, f"script errors: {errors}"
    assert_clean()
