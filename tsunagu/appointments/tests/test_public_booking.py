"""The public booking pages keep the public consultation page's rules (the
same functions in frontdoor.public): a form token that names the slot it was
shown for and is not taken too fast, a honeypot, texts checked for length and
control characters, files refused, bookings limited per address (kept only as
a keyed hash), no cookie, no-store, and every message in the resident's
language."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.appointments import services, slots
from tsunagu.appointments.models import Appointment, AppointmentSettings, Status
from tsunagu.core import tenancy
from tsunagu.frontdoor import public, publichost
from tsunagu.frontdoor.models import PublicHit
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _fresh_hosts() -> Iterator[None]:
    publichost.forget_public_hosts()
    yield
    publichost.forget_public_hosts()


@pytest.fixture
def window(ward: Ward) -> AppointmentSettings:
    with tenancy.tenant_context(ward.municipality):
        return services.settings_save(
            actor=ward.member(Role.ORG_MANAGER),
            organization=ward.center,
            takes_appointments=True,
            public_booking=True,
            capacity=20,
        )


def _start(days: int = 2, hour: int = 10) -> str:
    day = timezone.localdate() + datetime.timedelta(days=days)
    while not slots.is_working_day(day):
        day += datetime.timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00"


def _token(ward: Ward, start: str | None = None, *, age: float = 10, **shown: Any) -> str:
    """The token of a booking form opened ``age`` seconds ago."""
    values = {"o": ward.center.pk, "s": start or _start(), **shown}
    return public.form_token(ward.municipality, issued=time.time() - age, **values)


def _book(ward: Ward, lang: str = "ja", client: Client | None = None, **data: Any) -> Any:
    client = client or Client(HTTP_HOST="localhost")
    data = {"form_token": _token(ward), "name": "グエン", **data}
    return client.post(
        f"/consult/{lang}/appointments/{ward.center.pk}/book/", urlencode(data), content_type=FORM
    )


def _booked(ward: Ward) -> int:
    with tenancy.tenant_context(ward.municipality):
        return Appointment.objects.count()


def test_a_booking_is_answered_without_cookie_and_not_stored(
    ward: Ward, window: AppointmentSettings
) -> None:
    answer = _book(ward)
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" in answer.headers
    assert answer.headers["Content-Language"] == "ja"
    assert _booked(ward) == 1


def test_a_form_sent_too_fast_too_late_or_for_another_window_is_refused(
    ward: Ward, window: AppointmentSettings
) -> None:
    fast = _book(ward, "en", form_token=_token(ward, age=0))
    assert fast.status_code == 400 and "could not be sent" in fast.content.decode()
    late = _book(ward, "en", form_token=_token(ward, age=7 * 3600))
    assert late.status_code == 400 and "Too much time has passed" in late.content.decode()
    # The consultation page's token names no slot: not a booking form.
    landing = public.form_token(ward.municipality, issued=time.time() - 10)
    assert _book(ward, form_token=landing).status_code == 404
    other = _book(ward, form_token=_token(ward, o=ward.other_center.pk))
    assert other.status_code == 404
    assert _book(ward, form_token="").status_code == 400
    assert _book(ward, "vi", website="http://spam").status_code == 400
    assert _booked(ward) == 0


def test_texts_are_checked_in_the_residents_language_and_kept(
    ward: Ward, window: AppointmentSettings
) -> None:
    too_long = _book(ward, "en", name="n" * 51, purpose="あ" * 1001)
    text = too_long.content.decode()
    assert too_long.status_code == 400
    assert "no more than 50 characters (now 51)" in text
    assert "no more than 1,000 characters (now 1,001)" in text
    assert 'aria-invalid="true"' in text and "あ" * 1001 in text
    control = _book(ward, "ko", name="a\x07b")
    assert control.status_code == 400
    assert "사용할 수 없는 문자" in control.content.decode()
    empty = _book(ward, "pt-br", name="  ")
    assert empty.status_code == 400 and "Escreva seu nome" in empty.content.decode()
    mail = _book(ward, "zh-hans", contact_mail="not-an-address")
    assert mail.status_code == 400 and "邮箱地址" in mail.content.decode()
    assert _booked(ward) == 0


def test_a_full_slot_or_a_day_off_is_refused_in_the_residents_language(
    ward: Ward, window: AppointmentSettings
) -> None:
    with tenancy.tenant_context(ward.municipality):
        AppointmentSettings.objects.filter(pk=window.pk).update(capacity=1)
    assert _book(ward).status_code == 200
    full = _book(ward, "en")
    assert full.status_code == 400 and "This time is already fully booked" in full.content.decode()
    lunch = _book(ward, "en", form_token=_token(ward, _start(hour=12)))
    assert lunch.status_code == 400 and "not a booking slot" in lunch.content.decode()
    assert _booked(ward) == 1


def test_a_file_is_refused(ward: Ward, window: AppointmentSettings) -> None:
    client = Client(HTTP_HOST="localhost")
    answer = client.post(
        f"/consult/en/appointments/{ward.center.pk}/book/",
        {"form_token": _token(ward), "name": "x", "file": SimpleUploadedFile("a.jpg", b"\xff")},
    )
    assert answer.status_code == 415
    assert "Files and photos are not accepted." in answer.content.decode()
    assert _booked(ward) == 0


def test_bookings_are_limited_per_address_kept_as_a_hash(
    ward: Ward, window: AppointmentSettings
) -> None:
    for hour in (9, 10, 11, 13, 14)[: public.BOOKINGS_PER_ADDRESS]:
        assert _book(ward, form_token=_token(ward, _start(hour=hour))).status_code == 200
    refused = _book(ward, "en", form_token=_token(ward, _start(hour=15)))
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
    assert _booked(ward) == public.BOOKINGS_PER_ADDRESS
    # Another address may still book; bookings do not use up the consultation page's count.
    other = Client(HTTP_HOST="localhost", REMOTE_ADDR="192.0.2.7")
    assert _book(ward, client=other, form_token=_token(ward, _start(hour=15))).status_code == 200
    assert public.may_open_thread(public.address_hash(other.get("/").wsgi_request))
    with tenancy.tenant_context(ward.municipality):
        hits = list(PublicHit.objects.values_list("address_hash", "kind"))
    assert {kind for _hash, kind in hits} == {public.BOOKING}
    assert "127.0.0.1" not in str(hits) and "192.0.2.7" not in str(hits)


def test_a_cancel_link_cancels_once(ward: Ward, window: AppointmentSettings) -> None:
    import re

    receipt = _book(ward, "en").content.decode()
    link = re.search(r'href="http://localhost(/consult/en/appointments/cancel/[^/"]+/)"', receipt)
    assert link
    client = Client(HTTP_HOST="localhost")
    assert "Cancel this booking" in client.get(link[1]).content.decode()
    assert client.post(link[1], "cancel=1", content_type=FORM).status_code == 200
    again = client.post(link[1], "cancel=1", content_type=FORM)
    assert again.status_code == 400 and "already been cancelled" in again.content.decode()
    with tenancy.tenant_context(ward.municipality):
        assert Appointment.objects.get().status == Status.CANCELLED
    # The staff host has no such page.
    assert Client().get(link[1]).status_code == 404
