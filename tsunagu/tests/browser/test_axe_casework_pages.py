"""axe-core finds no WCAG 2.1 AA violation on the pages the daily casework
added or changed (issue 19), at desktop width and at 375 px: the home page's
work queue, the account's notice settings, the household page (家族年表 and
ecomap), the 支援経過記録, the assessment, the 家族の出来事, linking an
unknown-subject consultation, the 支援会議's chronology print link, and a
form sent back with its error summary."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.assessments.services import assessment_create
from tsunagu.core import tenancy
from tsunagu.lifeevents.services import life_event_record
from tsunagu.progress.services import progress_note_record
from tsunagu.tests import case_factories as cases
from tsunagu.tests import resident_factories as make
from tsunagu.tests.browser.test_clerk_forms import sign_in
from tsunagu.tests.browser.test_phone_cards import PHONE, assert_pages_axe_clean, axe_violations
from tsunagu.tests.factories import Ward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def _records(ward: Ward) -> dict[str, Any]:
    csw = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    head = make.person(
        csw,
        ward.center,
        family_name="北川",
        given_name="正",
        family_name_kana="きたがわ",
        given_name_kana="ただし",
        birth_date=datetime.date(1960, 2, 1),
    )
    household = make.household(csw, ward.center, head=head)
    case = cases.case(coordinator, ward.coordinating, household)
    cases.consent(coordinator, case, organizations=[ward.center])
    meeting = cases.meeting(coordinator, ward.coordinating)
    cases.attend(coordinator, meeting, csw, ward.center, pledge=True)
    cases.on_agenda(coordinator, meeting, case)
    unknown = make.consultation(csw, ward.center, unknown_subject="上の階の人")
    sender = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "minami-counselor")
    make.referral(sender, ward.other_center, ward.center)
    with tenancy.tenant_context(ward.municipality):
        progress_note_record(
            actor=csw,
            organization=ward.center,
            household=household,
            person=head,
            case=case,
            kind="visit",
            content="訪問。本人と玄関先で話せた。",
            next_step="来週、電話",
            next_on=datetime.date.today() + datetime.timedelta(days=7),
        )
        life_event_record(
            actor=csw,
            organization=ward.center,
            household=household,
            person=head,
            kind="retirement",
            occurred_on=datetime.date(2022, 3, 1),
            precision="month",
            source="person",
        )
        assessment = assessment_create(
            actor=csw,
            organization=ward.center,
            household=household,
            person=head,
            based_on=0,
            case=case,
            ticked=["urgency.no_food", "health.mental"],
            person_issues="食事が不規則。",
        )
    return {
        "csw": csw,
        "household": household,
        "person": head,
        "case": case,
        "meeting": meeting,
        "unknown": unknown,
        "assessment": assessment,
    }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_casework_pages_are_axe_clean(
    open_page: Callable[..., Page],
    ward: Ward,
    viewport: dict[str, int],
    assert_clean: Callable[[], None],
) -> None:
    made = _records(ward)
    household, person, case = made["household"], made["person"], made["case"]
    page = open_page(viewport=viewport)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, made["csw"].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    # The work queue is on the page being checked.
    expect(page.get_by_role("region", name="今日の仕事")).to_contain_text("受理待ち 1件")

    paths = [
        "/",
        "/account/",
        f"/people/households/{household.pk}/",
        f"/progress/households/{household.pk}/",
        f"/progress/households/{household.pk}/new/",
        f"/progress/cases/{case.pk}/",
        "/progress/counts/",
        f"/assessments/persons/{person.pk}/",
        f"/assessments/persons/{person.pk}/new/?case={case.pk}",
        f"/assessments/{made['assessment'].pk}/",
        f"/life-events/households/{household.pk}/",
        f"/life-events/households/{household.pk}/new/",
        f"/consultations/{made['unknown'].pk}/",
        f"/consultations/{made['unknown'].pk}/link/?q=きたがわ",
        f"/meetings/{made['meeting'].pk}/",
        f"/cases/{case.pk}/",
    ]
    assert_pages_axe_clean(page, paths, PHONE["width"] if viewport is PHONE else None)

    # A 支援経過記録 sent back: the summary takes the focus, and stays clean.
    page.goto(f"/progress/households/{household.pk}/new/")
    page.get_by_role("button", name="記録する").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert axe_violations(page) == []
    assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_folded_menu_and_the_intake_are_axe_clean(
    open_page: Callable[..., Page],
    ward: Ward,
    viewport: dict[str, int],
    assert_clean: Callable[[], None],
) -> None:
    """「その他のメニュー」 open over the page, and the intake form ending with
    「5. 対応」: no violation, nothing to scroll sideways, the list on screen."""
    page = open_page(viewport=viewport)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, ward.member(Role.COUNSELOR).username)
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    nav = page.get_by_role("navigation", name="メインメニュー")
    for path in ["/", "/consultations/new/"]:
        response = page.goto(path)
        assert response is not None and response.ok, path
        nav.locator("summary", has_text="その他のメニュー").click()
        last = nav.get_by_role("link", name="アカウント", exact=True)
        expect(last).to_be_visible()
        assert axe_violations(page) == [], path
        box = nav.locator(".nav-more ul").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
    assert_clean()
