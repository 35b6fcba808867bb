"""A CSW's week between the milestones, in Chromium against the live server.

社会福祉協議会's CSW (the ward's counselor at 地域包括支援センター in the test
ward) hears from a 民生委員 about 「上の階の人」, whom nobody can name yet, and
records it; on a visit she finds it is 中村 健一 of a household the centre
already knows, and links the consultation to it. She assesses him, writes two
支援経過記録 (the second typed, left for the idle-timeout warning, signed out,
and kept as a draft until she signs in again), and the coordinating section
(福祉政策課, which holds the household's case) writes a third. She adds the
family's own history (健一's 退職), prints the chronology with the 準備シート
for the 支援会議 whose confidentiality she pledged (a colleague who did not
attend cannot), and a つなぐシート she sends to the other centre shows on its
counselor's work queue and menu.

The household, the case and the 支援会議 are registered through the factories
(their pages are walked in ``test_case_flow.py``); every step of the week goes
through the pages. All names, addresses and dates are made up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.lifeevents.models import LifeEvent
from tsunagu.meetings.models import AgendaItem
from tsunagu.progress.models import ProgressNote
from tsunagu.tests import case_factories as cases
from tsunagu.tests import resident_factories as make
from tsunagu.tests.browser import test_referral_loop_flow as loop
from tsunagu.tests.factories import PASSWORD, Ward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

field, group, heading = loop.field, loop.group, loop.heading
screenshot = loop.screenshot

CLUE = "上の階の人（北町2-3 2階）。数日姿が見えず、郵便受けがあふれている。"
VISIT = "訪問。ドア越しに本人と話せた。仕事を辞めてから外出していないとのこと。"
CALL = "本人から電話。食料が少なく、フードバンクの案内を希望。"
LIAISON = "地域包括支援センターと協議。支援会議に諮る方向で一致。"
LONG_MINUTES = re.compile(r"/login/\?next=/progress/households/\d+/new/$")


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/", timeout=60_000)
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()


def write_note(page: Page, kind: str, content: str, next_step: str = "") -> None:
    group(page, "種別").get_by_role("radio", name=kind, exact=True).check()
    field(page, "内容").fill(content)
    if next_step:
        field(page, "次回の予定").fill(next_step)


def test_a_csw_week(
    open_page: Callable[..., Page], ward: Ward, settings: Any, assert_clean: Callable[[], None]
) -> None:
    csw = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    receiver = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "minami-counselor")
    kenichi = make.person(
        csw,
        ward.center,
        family_name="中村",
        given_name="健一",
        family_name_kana="なかむら",
        given_name_kana="けんいち",
        birth_date=date(1974, 6, 3),
        address="テスト区北町2-3-201",
    )
    household = make.household(csw, ward.center, head=kenichi)
    case = cases.case(coordinator, ward.coordinating, household)
    # 健一 agreed that the centre and the coordinating section share his case's records.
    cases.consent(coordinator, case, organizations=[ward.center])
    meeting = cases.meeting(coordinator, ward.coordinating)
    cases.attend(coordinator, meeting, csw, ward.center, pledge=True)
    item = cases.on_agenda(coordinator, meeting, case)

    page = open_page()
    page.set_default_navigation_timeout(60_000)
    sign_in(page, csw.username)
    expect(heading(page)).to_have_text("ホーム")

    # 1. A consultation about a neighbour nobody can name yet …
    page.goto("/consultations/new/")
    group(page, "対象者").get_by_role(
        "radio", name="まだ特定できない（手がかりを記録）", exact=True
    ).check()
    field(page, "対象者が未特定の場合の手がかり").fill("上の階の人")
    group(page, "相談経路").get_by_role("radio", name="電話", exact=True).check()
    field(page, "相談者").select_option(label="民生委員")
    group(page, "相談内容（該当するものすべて）").get_by_role(
        "checkbox", name="地域との関係", exact=True
    ).check()
    field(page, "相談の概要").fill(CLUE)
    group(page, "情報共有への同意").get_by_role(
        "radio", name="同意なし（同意を得ていない・確認できない）", exact=True
    ).check()
    group(page, "対応結果").get_by_role("radio", name="自機関で継続", exact=True).check()
    page.get_by_role("button", name="受け付ける", exact=True).click()
    expect(page.get_by_role("link", name="本人・世帯に結び付ける")).to_be_visible()

    # … linked to 中村 健一's household after the visit.
    page.get_by_role("link", name="本人・世帯に結び付ける").click()
    page.get_by_label("本人を名前・ふりがな・生年月日で探す").fill("なかむら")
    page.get_by_role("button", name="検索", exact=True).click()
    page.get_by_role("radio", name=re.compile(r"^中村\s*健一")).check()
    page.get_by_role("button", name="次へ（確認）").click()
    page.get_by_role("button", name="この世帯に結び付ける").click()
    with tenancy.tenant_context(ward.municipality):
        consultation = Consultation.objects.get(unknown_subject="上の階の人")
        assert consultation.household_id == household.pk
        link = AuditEvent.objects.get(
            actor=csw, object_id=str(consultation.pk), detail__linked_household=household.pk
        )
        assert link.action == "change"

    # 2. An assessment of 健一, for the case.
    page.goto(f"/assessments/persons/{kenichi.pk}/new/?case={case.pk}")
    page.get_by_role("checkbox", name="食べるものがない", exact=True).check()
    page.get_by_role("checkbox", name="こころの不調がある", exact=True).check()
    field(page, "本人の課題").fill("退職後、外出せず食事も不規則。")
    page.get_by_role("button", name="新しい版として保存する").click()
    expect(page.get_by_text("第1版").first).to_be_visible()
    screenshot(page, "csw-week-assessment.png")

    # 3. Two 支援経過記録 by the centre …
    page.goto(f"/people/households/{household.pk}/")
    page.get_by_role("link", name="支援経過を記録").click()
    write_note(page, "訪問", VISIT, "来週もう一度訪問")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text(VISIT)).to_be_visible()

    # … the second typed, then left alone: the warning comes, she stays once,
    # then the limit passes; the text waits for her as a draft.
    settings.SESSION_COOKIE_AGE = 20
    page.goto(f"/progress/households/{household.pk}/new/")
    group(page, "種別").get_by_role("radio", name="電話", exact=True).check()
    with page.expect_response(lambda r: r.url.endswith("/drafts/save/") and r.ok):
        field(page, "内容").fill(CALL)
    dialog = page.get_by_role("alertdialog", name="あと5分で自動的にサインアウトされます")
    expect(dialog).to_be_visible(timeout=15_000)
    dialog.get_by_role("button", name="サインインを続ける").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(LONG_MINUTES, timeout=40_000)
    settings.SESSION_COOKIE_AGE = 1800
    page.get_by_label("ログインID").fill(csw.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_text("保存された下書きを復元しました")).to_be_visible()
    expect(field(page, "内容")).to_have_value(CALL)
    group(page, "種別").get_by_role("radio", name="電話", exact=True).check()
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text(CALL)).to_be_visible()

    # … and one by the coordinating section, which holds the case.
    desk = open_page()
    desk.set_default_navigation_timeout(60_000)
    sign_in(desk, coordinator.username)
    desk.goto(f"/progress/households/{household.pk}/new/")
    write_note(desk, "関係機関との連絡", LIAISON)
    field(desk, "多機関協働ケース").select_option(value=str(case.pk))
    desk.get_by_role("button", name="記録する").click()
    expect(desk.get_by_text(LIAISON)).to_be_visible()
    with tenancy.tenant_context(ward.municipality):
        notes = ProgressNote.objects.filter(household=household)
        assert notes.count() == 3
        assert set(notes.values_list("organization_id", flat=True)) == {
            ward.center.pk,
            ward.coordinating.pk,
        }

    # 4. The family's own history: 健一 retired in March 2023 (his word).
    page.goto(f"/people/households/{household.pk}/")
    page.get_by_role("link", name="家族の出来事を記録").click()
    field(page, "出来事").select_option(label="退職")
    field(page, "本人").select_option(value=str(kenichi.pk))
    field(page, "年（西暦）").fill("2023")
    field(page, "月").fill("3")
    field(page, "情報源").select_option(label="本人")
    field(page, "内容").fill("介護のため退職")
    page.get_by_role("button", name="記録する").click()
    with tenancy.tenant_context(ward.municipality):
        event = LifeEvent.objects.get(household=household)
        assert (event.kind, event.person_id, event.organization_id) == (
            "retirement",
            kenichi.pk,
            ward.center.pk,
        )

    # The 家族年表 holds all of it: the coordinating section's note shows to the
    # centre under 健一's consent, as it covers his case's records.
    page.goto(f"/people/households/{household.pk}/")
    timeline = page.locator(".timeline")
    expect(timeline.get_by_text(re.compile("家族の出来事：退職"))).to_be_visible()
    expect(timeline.locator(".timeline-progress")).to_have_count(3)
    expect(timeline.get_by_text(re.compile("アセスメント実施"))).to_be_visible()
    screenshot(page, "csw-week-household.png")

    # 5. The chronology printed with the 準備シート, for the pledged attendee …
    page.goto(f"/meetings/{meeting.pk}/")
    link = page.get_by_role("link", name="準備シートと家族年表を印刷（PDF）")
    href = link.get_attribute("href")
    assert href is not None
    printed = page.request.get(href)
    assert printed.ok
    assert printed.headers["content-type"] == "application/pdf"
    # … and not for a counselor of an organization that did not attend.
    other = open_page()
    other.set_default_navigation_timeout(60_000)
    sign_in(other, receiver.username)
    assert other.request.get(href).status == 404
    with tenancy.tenant_context(ward.municipality):
        assert AgendaItem.objects.filter(pk=item.pk).exists()

    # 6. A つなぐシート to the other centre lands on its counselor's work queue.
    page.goto(f"/people/households/{household.pk}/")
    page.get_by_role("link", name="つなぐシートを作る").click()
    field(page, "つなぎ先").select_option(value=str(ward.other_center.pk))
    field(page, "依頼したいこと").fill("食料支援と家計の相談をお願いします。")
    field(page, "共有する内容").fill("退職後、食事が不規則。本人は相談に前向き。")
    group(page, "共有する情報の種類").get_by_role("checkbox", name="相談内容").check()
    details = page.locator("details.form-details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    group(page, "共有の根拠").get_by_role("radio", name="本人同意").check()
    page.get_by_role("button", name="送付する").click()
    expect(page.get_by_role("status")).to_contain_text("つなぐシートを送りました。")
    other.goto("/")
    queue = other.get_by_role("region", name="今日の仕事")
    expect(queue).to_contain_text("受理待ち 1件")
    menu_link = other.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="つなぐシート"
    )
    expect(menu_link).to_be_visible()
    screenshot(other, "csw-week-queue.png")
    assert_clean()
