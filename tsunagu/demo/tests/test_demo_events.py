"""The demo ward's 出張相談会・巡回相談 and 予約: the window login finds four
events in the last months with the consultations taken there counted on the
events page, a window that residents may book through the public page with
two bookings in the coming week, and loading twice changes nothing."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from tsunagu.appointments.models import Appointment, AppointmentSettings, ConsultationEvent, Source
from tsunagu.consultations.models import Consultation
from tsunagu.core.models import Municipality
from tsunagu.demo.events import WINDOW, load_demo_events
from tsunagu.demo.tests.conftest import staff
from tsunagu.tests.two_factor import force_login_verified


def test_events_in_the_last_months_with_consultations_and_bookings_next_week(
    demo: Municipality,
) -> None:
    today = timezone.localdate()
    events = list(ConsultationEvent.objects.select_related("organization", "place"))
    assert len(events) == 4
    assert {e.organization.name for e in events} == {WINDOW}
    assert all(today - datetime.timedelta(days=100) <= e.held_on < today for e in events)
    assert sum(1 for e in events if e.place_id) == 3
    taken = Consultation.objects.filter(event__in=events)
    assert taken.count() == 8
    assert AppointmentSettings.objects.get(public_booking=True).organization.name == WINDOW
    bookings = list(Appointment.objects.order_by("starts_at"))
    assert [b.source for b in bookings] == [Source.STAFF, Source.PUBLIC]
    assert all(today < b.starts_at.date() <= today + datetime.timedelta(days=7) for b in bookings)
    client = force_login_verified(Client(), staff("demo-soudan"))
    assert "開催 4回、相談 8件" in client.get("/events/").content.decode()
    week = client.get("/appointments/", {"week": bookings[0].starts_at.date().isoformat()})
    assert week.status_code == 200
    public = Client(HTTP_HOST="localhost").get("/consult/ja/appointments/").content.decode()
    assert WINDOW in public
    assert load_demo_events(demo) is None
