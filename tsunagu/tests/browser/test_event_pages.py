"""出張相談会・巡回相談 and the appointments week in a browser, at desktop width
and at 375 px: axe-core finds no WCAG 2.1 AA violation on the events' list,
page, forms and withdrawal, nor on the week of a window that takes
appointments; and a counselor withdraws an event entered twice, with its
reason, the way a person does it (the page's button, the reason typed, the
list without it)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tsunagu.accounts.roles import Role
from tsunagu.appointments import services
from tsunagu.appointments.models import ConsultationEvent, EventKind
from tsunagu.consultations.models import Channel, Topic
from tsunagu.core import tenancy
from tsunagu.tests import resident_factories as make
from tsunagu.tests.browser.test_clerk_forms import sign_in
from tsunagu.tests.browser.test_phone_cards import PHONE, assert_pages_axe_clean, axe_violations
from tsunagu.tests.factories import Ward

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def _events(ward: Ward) -> tuple[ConsultationEvent, ConsultationEvent]:
    counselor = ward.member(Role.COUNSELOR)
    today = timezone.localdate()
    with tenancy.tenant_context(ward.municipality):
        services.settings_save(
            actor=ward.member(Role.ORG_MANAGER),
            organization=ward.center,
            takes_appointments=True,
            public_booking=True,
            capacity=2,
        )
        held, twice = (
            services.event_create(
                actor=counselor,
                organization=ward.center,
                kind=EventKind.SESSION,
                held_on=today,
                starts_at=datetime.time(10),
                ends_at=datetime.time(12),
                venue=venue,
                staff=[counselor],
            )
            for venue in ("北地区公民館 2階和室", "北地区公民館（二重登録）")
        )
    make.consultation(
        counselor, ward.center, topics=[Topic.CARE], event=held, channel=Channel.OUTREACH_DESK
    )
    return held, twice


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_event_and_appointment_pages_are_axe_clean(
    open_page: Callable[..., Page],
    ward: Ward,
    viewport: dict[str, int],
    assert_clean: Callable[[], None],
) -> None:
    held, twice = _events(ward)
    page = open_page(viewport=viewport)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, ward.member(Role.COUNSELOR).username)
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    paths = [
        "/events/",
        "/events/new/",
        f"/events/{held.pk}/",
        f"/events/{held.pk}/edit/",
        f"/events/{twice.pk}/archive/",
        "/appointments/",
    ]
    assert_pages_axe_clean(page, paths, PHONE["width"] if viewport is PHONE else None)
    # The withdrawal refused (a consultation was taken there): its message, still clean.
    page.goto(f"/events/{held.pk}/archive/")
    page.get_by_label("取り消す理由").fill("誤って登録した")
    page.get_by_role("button", name="取り消す").click()
    expect(page.locator(".errorlist").first).to_contain_text("相談受付が1件あるため")
    assert axe_violations(page) == []
    assert_clean()


def test_a_counselor_withdraws_an_event_entered_twice(
    open_page: Callable[..., Page], ward: Ward, assert_clean: Callable[[], None]
) -> None:
    _held, twice = _events(ward)
    page = open_page(viewport=PHONE)
    page.set_default_navigation_timeout(60_000)
    page.goto("/login/")
    sign_in(page, ward.member(Role.COUNSELOR).username)
    page.goto("/events/")
    page.locator("tr", has_text="北地区公民館（二重登録）").get_by_role("link").click()
    page.get_by_role("link", name="取り消す").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "出張相談会・巡回相談の記録を取り消す"
    )
    page.get_by_role("button", name="取り消す").click()  # no reason yet: sent back
    expect(page.locator("[data-error-summary]")).to_be_focused()
    page.get_by_label("取り消す理由").fill("同じ回を二重に登録した")
    page.get_by_role("button", name="取り消す").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("出張相談会・巡回相談")
    expect(page.locator("main")).not_to_contain_text("北地区公民館（二重登録）")
    expect(page.locator("main")).to_contain_text("北地区公民館 2階和室")
    page.goto(f"/events/{twice.pk}/")
    expect(page.locator("main")).to_contain_text("（理由: 同じ回を二重に登録した）")
    expect(page.get_by_role("link", name="修正する")).to_have_count(0)
    assert_clean()
