"""出張相談会・巡回相談 and 予約: slots skip weekends, Japanese public holidays
(from the holidays package: 2027's Golden Week and 振替休日) and 年末年始;
capacity holds; the public booking flow on the public host; reminders go
once, through a real SMTP server; consultations count per event."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.appointments import services, slots
from tsunagu.appointments.models import Appointment, AppointmentSettings, EventKind, Status
from tsunagu.appointments.selectors import topic_counts
from tsunagu.consultations.models import Channel, Topic
from tsunagu.core import tenancy
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.two_factor import force_login_verified
from tsunagu.workqueue.tests.test_notices import Inbox, smtp  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _config(**fields: Any) -> AppointmentSettings:
    values: dict[str, Any] = {"takes_appointments": True, "capacity": 1}
    values.update(fields)
    return AppointmentSettings(**values)


def _days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    found = slots.slots_between(_config(), first, last)
    return sorted({timezone.localtime(s.starts_at).date() for s in found})


def test_golden_week_2027_has_slots_only_on_working_days() -> None:
    days = _days(datetime.date(2027, 4, 28), datetime.date(2027, 5, 7))
    # 4/29 昭和の日, 5/1–2 weekend, 5/3–5 祝日: the window is open 4/28, 4/30, 5/6, 5/7.
    assert days == [
        datetime.date(2027, 4, 28),
        datetime.date(2027, 4, 30),
        datetime.date(2027, 5, 6),
        datetime.date(2027, 5, 7),
    ]
    assert slots.closed_reason(datetime.date(2027, 5, 4)) == "みどりの日"


def test_substitute_holiday_2027_is_closed() -> None:
    # 春分の日 falls on Sunday 2027-03-21: Monday 3/22 is a 振替休日.
    assert slots.closed_reason(datetime.date(2027, 3, 22)) == "振替休日"
    assert _days(datetime.date(2027, 3, 19), datetime.date(2027, 3, 23)) == [
        datetime.date(2027, 3, 19),
        datetime.date(2027, 3, 23),
    ]


def test_year_end_closure_is_a_setting() -> None:
    first, last = datetime.date(2026, 12, 28), datetime.date(2027, 1, 5)
    assert _days(first, last) == [datetime.date(2026, 12, 28), datetime.date(2027, 1, 4),
                                  datetime.date(2027, 1, 5)]  # fmt: skip
    open_over_new_year = slots.slots_between(_config(year_end_closure=False), first, last)
    days = sorted({timezone.localtime(s.starts_at).date() for s in open_over_new_year})
    # 12/29–12/31 are weekdays; 1/1 is 元日 whatever the setting.
    assert datetime.date(2026, 12, 29) in days
    assert datetime.date(2027, 1, 1) not in days


def test_a_day_has_slots_around_the_lunch_break() -> None:
    day = slots.day_slots(_config(slot_minutes=60), datetime.date(2027, 4, 28))
    starts = [timezone.localtime(s.starts_at).strftime("%H:%M") for s in day]
    assert starts == ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"]


def _next_working_day(after: int = 2) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=after)
    while not slots.is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _slot(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def window(ward: Ward) -> AppointmentSettings:
    with tenancy.tenant_context(ward.municipality):
        return services.settings_save(
            actor=ward.member(Role.ORG_MANAGER),
            organization=ward.center,
            takes_appointments=True,
            public_booking=True,
            capacity=2,
        )


def test_capacity_refuses_a_third_booking_and_a_cancellation_frees_it(
    ward: Ward, window: AppointmentSettings
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    starts = _slot(_next_working_day())
    with tenancy.tenant_context(ward.municipality):
        first = services.appointment_book(
            actor=counselor, organization=ward.center, starts_at=starts, name="相談者A"
        )
        services.appointment_book(
            actor=counselor, organization=ward.center, starts_at=starts, name="相談者B"
        )
        with pytest.raises(ValidationError, match="いっぱい"):
            services.appointment_book(
                actor=counselor, organization=ward.center, starts_at=starts, name="相談者C"
            )
        services.appointment_set_status(actor=counselor, appointment=first, status=Status.CANCELLED)
        services.appointment_book(
            actor=counselor, organization=ward.center, starts_at=starts, name="相談者C"
        )
        with pytest.raises(ValidationError, match="予約枠ではありません"):
            services.appointment_book(
                actor=counselor,
                organization=ward.center,
                starts_at=starts.replace(hour=12),
                name="昼休み",
            )
        assert Appointment.objects.filter(status=Status.BOOKED).count() == 2


def test_staff_book_from_the_week_view(ward: Ward, window: AppointmentSettings) -> None:
    client = force_login_verified(Client(), ward.member(Role.COUNSELOR))
    day = _next_working_day()
    page = client.get("/appointments/", {"week": day.isoformat()})
    assert page.status_code == 200
    start = f"{day.isoformat()}T09:00"
    assert f"?start={start}" in page.content.decode()
    answer = client.post(
        "/appointments/new/", {"starts_at": start, "name": "窓口 太郎", "contact_phone": "000"}
    )
    assert answer.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        booked = Appointment.objects.get()
    assert booked.source == "staff" and booked.organization_id == ward.center.pk
    detail = client.get(f"/appointments/{booked.pk}/")
    assert "窓口 太郎" in detail.content.decode()
    # Another window's staff do not find it.
    other = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    assert (
        force_login_verified(Client(), other).get(f"/appointments/{booked.pk}/").status_code == 404
    )


def test_public_booking_flow_on_the_public_host(
    ward: Ward, window: AppointmentSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsunagu.frontdoor import public

    monkeypatch.setattr(public, "FORM_MIN_SECONDS", 0)  # the two-second check: test_public.py
    client = Client(HTTP_HOST="localhost")  # the public host in the tests
    listing = client.get("/consult/ja/appointments/")
    assert ward.center.name in listing.content.decode()
    assert ward.other_center.name not in listing.content.decode()
    slots_page = client.get(f"/consult/ja/appointments/{ward.center.pk}/").content.decode()
    start = re.findall(r"\?start=([0-9T:-]+)", slots_page)[0]
    form = client.get(f"/consult/ja/appointments/{ward.center.pk}/book/", {"start": start})
    token = re.search(r'name="form_token" value="([^"]+)"', form.content.decode())[1]  # type: ignore[index]
    assert not client.cookies and "Set-Cookie" not in form.headers
    # A robot fills the honeypot: refused as on the consultation page, nothing booked.
    book = f"/consult/ja/appointments/{ward.center.pk}/book/"
    form_post = "application/x-www-form-urlencoded"  # a multipart body is refused (415)
    robot = client.post(
        book, urlencode({"form_token": token, "website": "http://spam", "name": "bot"}), form_post
    )
    assert robot.status_code == 400
    with tenancy.tenant_context(ward.municipality):
        assert not Appointment.objects.exists()
    # A forged token is refused, the input kept.
    forged = client.post(book, urlencode({"form_token": token + "x", "name": "グエン"}), form_post)
    assert forged.status_code == 400 and "グエン" in forged.content.decode()
    receipt = client.post(
        book,
        urlencode({"form_token": token, "name": "グエン", "contact_mail": "nguyen@example.jp"}),
        form_post,
    )
    assert receipt.status_code == 200
    cancel_url = re.search(r"(/consult/ja/appointments/cancel/[^/]+/)", receipt.content.decode())[1]  # type: ignore[index]
    with tenancy.tenant_context(ward.municipality):
        booked = Appointment.objects.get()
        assert booked.source == "public" and booked.name == "グエン"
        assert booked.cancel_token_hash and booked.cancel_token_hash not in cancel_url
    # Not with a guessed secret.
    assert client.get("/consult/ja/appointments/cancel/guess/").status_code == 404
    assert client.post(cancel_url, "cancel=1", form_post).status_code == 200
    with tenancy.tenant_context(ward.municipality):
        assert Appointment.objects.get().status == Status.CANCELLED


def test_reminders_go_once_without_personal_data_to_staff(
    ward: Ward,
    window: AppointmentSettings,
    smtp: Inbox,  # noqa: F811
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        type(counselor).objects.filter(pk=counselor.pk).update(email="c@city.example.lg.jp")
        # Tomorrow may be a holiday: book tomorrow's slot directly, as a past booking could be.
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        Appointment.objects.create(
            organization=ward.center,
            starts_at=_slot(tomorrow),
            ends_at=_slot(tomorrow, 11),
            source="public",
            name="グエン",
            contact_mail="nguyen@example.jp",
            purpose="在留資格と仕事のこと",
        )
    call_command("send_appointment_reminders")
    call_command("send_appointment_reminders")
    resident = [m for m in smtp.messages if m["To"] == "nguyen@example.jp"]
    staff = [m for m in smtp.messages if m["To"] == "c@city.example.lg.jp"]
    assert len(resident) == 1 and len(staff) == 1
    staff_text = "\n".join(smtp.bodies()[i] for i, m in enumerate(smtp.messages) if m in staff)
    assert "1件" in staff_text and "/appointments/" in staff_text
    for secret in ("グエン", "nguyen", "在留資格"):
        assert secret not in staff_text
    with tenancy.tenant_context(ward.municipality):
        assert Appointment.objects.get().reminder_sent_at is not None


def test_consultations_taken_at_an_event_count_per_event(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        event = services.event_create(
            actor=counselor,
            organization=ward.center,
            kind=EventKind.SESSION,
            held_on=timezone.localdate(),
            starts_at=datetime.time(10),
            ends_at=datetime.time(12),
            venue="北地区公民館",
            staff=[counselor],
        )
        other = services.event_create(
            actor=counselor,
            organization=ward.center,
            kind=EventKind.ROUND,
            held_on=timezone.localdate(),
            starts_at=datetime.time(14),
            ends_at=datetime.time(15),
            venue="南団地集会所",
        )
    for topics in ([Topic.CARE], [Topic.CARE, Topic.INCOME]):
        rf.consultation(
            counselor, ward.center, topics=topics, event=event, channel=Channel.OUTREACH_DESK
        )
    rf.consultation(counselor, ward.center, topics=[Topic.HOUSING], event=other)
    with tenancy.tenant_context(ward.municipality):
        assert dict(topic_counts(event.pk)) == {"介護": 2, "収入・生活費": 1}
    client = force_login_verified(Client(), counselor)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "相談 2件" in page
    listing = client.get("/events/").content.decode()
    assert "開催 2回、相談 3件" in listing
    excel = client.get("/events/excel/")
    assert excel.status_code == 200 and excel.content[:2] == b"PK"
    # An event of another window cannot be chosen for a consultation.
    with tenancy.tenant_context(ward.municipality), pytest.raises(ValidationError):
        rf.consultation(counselor, ward.other_center, topics=[Topic.CARE], event=event)


def test_intake_offers_the_windows_events_and_sets_the_channel(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        event = services.event_create(
            actor=counselor,
            organization=ward.center,
            kind=EventKind.SESSION,
            held_on=timezone.localdate(),
            starts_at=datetime.time(10),
            ends_at=datetime.time(12),
            venue="北地区公民館",
        )
    client = force_login_verified(Client(), counselor)
    page = client.get("/consultations/new/", {"event": event.pk}).content.decode()
    assert "北地区公民館" in page
    assert re.search(r'value="outreach_desk"[^>]*checked', page)


def test_an_event_recorded_in_error_is_withdrawn_with_its_reason(ward: Ward) -> None:
    """A 出張相談会 entered twice is withdrawn from its page with a reason: it
    leaves the list, the intake's choices and the report's count, stays on
    record (audited, its page says so) and can no longer be changed. One
    with consultations taken at it cannot be withdrawn until they are moved;
    another window's staff cannot withdraw it; the API does the same."""
    from tsunagu.audit.models import AuditEvent
    from tsunagu.reports import metrics
    from tsunagu.reports.models import Metric, ReportRow

    counselor = ward.member(Role.COUNSELOR)
    today = timezone.localdate()
    with tenancy.tenant_context(ward.municipality):
        kept, twice, taken = (
            services.event_create(
                actor=counselor,
                organization=ward.center,
                kind=EventKind.SESSION,
                held_on=today,
                starts_at=datetime.time(hour),
                ends_at=datetime.time(hour + 1),
                venue=venue,
            )
            for hour, venue in (
                (10, "北地区公民館"),
                (10, "北地区公民館（二重）"),
                (14, "南集会所"),
            )
        )
    rf.consultation(counselor, ward.center, topics=[Topic.CARE], event=taken)
    client = force_login_verified(Client(), counselor)
    assert (
        f'href="/events/{twice.pk}/archive/"' in client.get(f"/events/{twice.pk}/").content.decode()
    )

    # Another window's counselor cannot.
    south = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    refused = force_login_verified(Client(), south).post(
        f"/events/{twice.pk}/archive/", {"reason": "重複"}
    )
    assert refused.status_code == 404
    # No reason: the form says so and nothing changes.
    blank = client.post(f"/events/{twice.pk}/archive/", {"reason": "  "})
    assert blank.status_code == 200 and "errorlist" in blank.content.decode()
    done = client.post(f"/events/{twice.pk}/archive/", {"reason": "同じ回を二重に登録した"})
    assert done.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        twice.refresh_from_db()
        assert twice.archived_at is not None and twice.archive_reason == "同じ回を二重に登録した"
        assert AuditEvent.objects.filter(
            action="archive", object_id=str(twice.pk), actor=counselor
        ).exists()
        row = ReportRow(metric=Metric.EVENTS_HELD)
        assert metrics.figure(row, metrics.Period(today, today)) == 2
    listing = client.get("/events/").content.decode()
    assert "北地区公民館（二重）" not in listing and "開催 2回" in listing
    intake = client.get("/consultations/new/").content.decode()
    assert "北地区公民館（二重）" not in intake and "南集会所" in intake
    page = client.get(f"/events/{twice.pk}/").content.decode()
    assert "取り消されました（理由: 同じ回を二重に登録した）" in page
    assert f"/events/{twice.pk}/edit/" not in page
    assert client.get(f"/events/{twice.pk}/edit/").status_code == 404
    assert client.post(f"/events/{twice.pk}/archive/", {"reason": "再度"}).status_code == 404

    # Consultations were taken at this one: refused, with what to do.
    held = client.post(f"/events/{taken.pk}/archive/", {"reason": "誤登録"})
    assert "相談受付が1件あるため、取り消せません" in held.content.decode()
    api = force_login_verified(Client(), counselor)
    answer = api.post(
        f"/api/v1/consultation-events/{taken.pk}/archive",
        {"reason": "誤登録"},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "1件あるため" in str(answer.json())
    archived = api.post(
        f"/api/v1/consultation-events/{kept.pk}/archive",
        {"reason": "雨天のため中止した"},
        content_type="application/json",
    )
    assert archived.status_code == 200
    assert archived.json()["archive_reason"] == "雨天のため中止した"
    assert archived.json()["archived_at"] is not None
    assert [e["id"] for e in api.get("/api/v1/consultation-events").json()["items"]] == [taken.pk]
