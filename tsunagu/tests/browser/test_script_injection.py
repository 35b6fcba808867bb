"""Script typed into any free-text field stays text, in Chromium.

Payloads are stored through the services — a person's name, a consultation's
account, a つなぐシート's request and its report-back, a plan's goal, an
outreach contact's note — and the pages that show them are opened: the
household page, person search (names and consultations, both through htmx),
the つなぐシート, the plan and the household's outreach months. On each the
payload must be shown literally, nothing of it may become an element or run
(``window.__xss`` stays undefined, no dialog opens), and no Content Security
Policy violation is logged (a violation would mean markup got through the
escaping and only the policy stopped it).

All names and records are made up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.outreach.models import Intent, Method, Result, Stage
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.referrals.models import Status
from tsunagu.tests import case_factories as cases
from tsunagu.tests import resident_factories as make
from tsunagu.tests.browser.test_referral_loop_flow import sign_in
from tsunagu.tests.factories import Ward, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG = '"><svg onload=window.__xss=1>'
ALL = f"{SCRIPT}{IMG}{SVG}"
#: A name holds what fits in it (40 characters).
FAMILY = f"山田{SVG}"
GIVEN = SCRIPT


def assert_inert(page: Page, dialogs: list[str]) -> None:
    """Nothing of the payloads became markup or ran."""
    assert page.evaluate("typeof window.__xss") == "undefined", page.url
    injected = page.locator("img[src='x'], svg[onload], script:not([src])")
    assert injected.count() == 0, page.url
    assert dialogs == [], dialogs


def test_stored_payloads_are_shown_as_text_and_never_run(
    page: Page, assert_clean: Callable[[], None], ward: Ward
) -> None:
    staff = ward.member(Role.COUNSELOR)
    add_member(staff, ward.coordinating, Role.COORDINATOR)
    receiver = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "receiver")
    person = make.person(
        staff, ward.center, family_name=FAMILY, given_name=GIVEN, given_name_kana=IMG
    )
    household = make.household(staff, ward.center, head=person)
    consultation = make.consultation(staff, ward.center, household=household, summary=ALL)
    referral = make.referral(
        staff,
        ward.center,
        ward.other_center,
        household=household,
        consultation=consultation,
        request=ALL,
        shared_summary=ALL,
    )
    make.transition(receiver, ward.other_center, referral, Status.ACCEPTED, note=ALL)
    case = cases.case(staff, ward.coordinating, household)
    cases.consent(staff, case, organizations=[ward.center], covers_case_team=True)
    plan = cases.active_plan(staff, case, goals={person.pk: [ALL]})
    with tenancy.tenant_context(ward.municipality):
        outreach_contact_record(
            actor=staff,
            organization=ward.center,
            household=household,
            person=person,
            method=Method.VISIT,
            result=Result.ABSENT,
            intent=Intent.SAFETY,
            stage_after=Stage.NONE,
            content=ALL,
            next_step=SVG,
        )

    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    sign_in(page, staff.username)

    pages = {
        f"/people/households/{household.pk}/": [FAMILY, GIVEN, ALL],
        f"/referrals/{referral.pk}/": [ALL],
        f"/plans/{plan.pk}/": [ALL],
        f"/outreach/households/{household.pk}/": [ALL, SVG],
    }
    for url, shown in pages.items():
        page.goto(url)
        main = page.locator("main")
        for text in shown:
            expect(main).to_contain_text(text)
        assert_inert(page, dialogs)

    # Search for a payload: the names answer through htmx, then the consultations
    # (a second request, which carries the query back in its form).
    page.goto("/people/search/")
    page.get_by_label("氏名・ふりがな・生年月日・相談内容の言葉").fill(SVG)
    page.get_by_role("button", name="検索", exact=True).click()
    person_link = page.locator("#search-results table a").first
    expect(person_link).to_contain_text(FAMILY)
    expect(person_link).to_contain_text(GIVEN)
    expect(page.locator("#consultation-results")).to_contain_text(ALL)
    assert_inert(page, dialogs)

    assert_clean()
