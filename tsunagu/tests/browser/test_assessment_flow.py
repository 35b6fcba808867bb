"""インテーク・アセスメント as a counselor walks it, in Chromium against the
live server, at desktop width and on a phone.

The 小川 household: 恵子 (52) and her son 拓也 (24), who has stayed at home
since leaving work. The counselor of 地域包括支援センター北 opens 拓也's page,
follows the link to his assessment, ticks what she heard (by the labels of
the check boxes, each group a fieldset with its legend), writes a note and
the 課題の整理, and saves 第1版. A month later she opens the form again: it is
filled from 第1版; she ticks one more item and saves 第2版; both versions are
listed, and the sheet prints as a PDF. All names are made up.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tsunagu.assessments.models import Assessment
from tsunagu.core import tenancy
from tsunagu.tests.browser import test_outreach_participation_flow as outreach
from tsunagu.tests.browser import test_referral_loop_flow as loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

cast = outreach.cast
field, group, heading = loop.field, loop.group, loop.heading


def _assess(page: Page, son_pk: int) -> None:
    page.goto(reverse("people:person_detail", args=[son_pk]))
    page.get_by_role("link", name="インテーク・アセスメント（最新の版・履歴・新しい版）").click()
    expect(heading(page)).to_contain_text("インテーク・アセスメント")
    page.get_by_role("link", name="新しい版を作成する").click()
    expect(heading(page)).to_contain_text("第1版")
    group(page, "家族・人間関係").get_by_label("ひきこもりの状態にある（本人・家族）").check()
    group(page, "収入・生活費").get_by_label("収入がない").check()
    field(page, "家族・人間関係：特記事項").fill("退職してから2年、自室で過ごしている。")
    field(page, "本人の課題").fill("外出の機会がない")
    page.get_by_role("button", name="新しい版として保存する").click()
    expect(page.locator(".messages")).to_contain_text("第1版")
    expect(page.get_by_text("ひきこもりの状態にある（本人・家族）").first).to_be_visible()


def _reassess(page: Page) -> None:
    page.get_by_role("link", name="この内容から新しい版を作成する").click()
    expect(heading(page)).to_contain_text("第2版")
    family = group(page, "家族・人間関係")
    expect(family.get_by_label("ひきこもりの状態にある（本人・家族）")).to_be_checked()
    expect(field(page, "本人の課題")).to_have_value("外出の機会がない")
    group(page, "地域との関係・社会参加").get_by_label("居場所・通う場所がない").check()
    page.get_by_role("button", name="新しい版として保存する").click()
    expect(heading(page)).to_contain_text("第2版")
    history = page.get_by_role("region", name="版の履歴")
    expect(history.get_by_role("link", name="第1版")).to_be_visible()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_counselor_assesses_and_reassesses_a_person(
    open_page: Callable[..., Page],
    cast: outreach.Cast,
    assert_clean: Callable[[], None],
    width: str,
) -> None:
    page = open_page(**outreach.PHONE) if width == "phone" else open_page()
    loop.sign_in(page, cast.csw.username)
    _assess(page, cast.son.pk)
    _reassess(page)
    if width == "phone":
        outreach.fits_the_phone(page, "assessment page")
    response = page.request.get(page.url + "print/")
    assert response.headers["content-type"] == "application/pdf"
    with tenancy.tenant_context(cast.ward.municipality):
        versions = list(Assessment.objects.filter(person=cast.son).order_by("version_number"))
    assert [v.version_number for v in versions] == [1, 2]
    assert "community.no_place" in versions[1].ticked
    assert "community.no_place" not in versions[0].ticked
    assert_clean()
