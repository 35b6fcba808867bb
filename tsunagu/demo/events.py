"""The demo ward's 出張相談会・巡回相談 and 予約: the 地域包括支援センター that
the window login (demo-soudan) works at held four sessions away from its desk
in the last months — three at community places (居場所・拠点), one at a housing
estate's meeting room — with a few consultations taken at each, so that the
events page shows counts; and it takes appointments, residents booking
through the public page too, with two bookings in the coming week (one by
staff, one by a resident in Vietnamese). Everything is written through the
services; dates are relative to today."""

from __future__ import annotations

import datetime
import time as clock
from dataclasses import dataclass

from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.appointments import services, slots
from tsunagu.appointments.models import ConsultationEvent, EventKind
from tsunagu.community.models import CommunityPlace
from tsunagu.consultations.models import (
    Channel,
    ConsentToShare,
    Consultation,
    Consulter,
    Outcome,
    Topic,
)
from tsunagu.consultations.services import consultation_create
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.directory.models import Organization

WINDOW = "高齢者あんしん相談センター富坂"
COUNSELOR = "demo-soudan"
MANAGER = "demo-kikan"
ESTATE = "富坂三丁目団地 集会所"

#: (kind, days ago, at a community place (else the estate), what was heard there:
#: (相談内容, 相談者, 概要))
EVENTS: tuple[tuple[str, int, bool, tuple[tuple[str, str, str], ...]], ...] = (
    (EventKind.SESSION, 80, True, (
        (Topic.CARE, Consulter.FAMILY, "サロン参加者から、夫の物忘れが増えて火の始末が心配との相談。"),
        (Topic.HEALTH, Consulter.SELF, "一人暮らしの80代。最近食欲がなく、通院をやめてしまったとのこと。"),
    )),
    (EventKind.ROUND, 50, False, (
        (Topic.HOUSING, Consulter.SELF, "団地の5階に住む高齢の方。階段がつらく、住み替えを考えたいとの相談。"),
        (Topic.INCOME, Consulter.SELF, "年金だけでは家賃と光熱費が払いきれない月があるとの相談。"),
        (Topic.CARE, Consulter.NEIGHBOUR, "隣室の方が数日見かけないと、住民から心配の声。"),
    )),
    (EventKind.SESSION, 25, True, (
        (Topic.FAMILY, Consulter.FAMILY, "同居の息子が仕事を辞めて家にこもりがち。どこに相談すればよいかとの相談。"),
    )),
    (EventKind.SESSION, 8, True, (
        (Topic.CARE, Consulter.FAMILY, "介護保険の申請の仕方を知りたいとの相談（母の介護）。"),
        (Topic.HEALTH, Consulter.SELF, "物忘れが気になる。認知症の検査をどこで受けられるかとの相談。"),
    )),
)  # fmt: skip


@dataclass(frozen=True)
class DemoEvents:
    events: int
    consultations: int
    bookings: int
    seconds: float


def _weekday_before(day: datetime.date) -> datetime.date:
    while not slots.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def _working_days_after(day: datetime.date, count: int) -> list[datetime.date]:
    found: list[datetime.date] = []
    while len(found) < count:
        day += datetime.timedelta(days=1)
        if slots.is_working_day(day):
            found.append(day)
    return found


def load_demo_events(municipality: Municipality) -> DemoEvents | None:
    """The events, the window's booking settings and its bookings (once:
    ``None`` when the ward has events already, or lacks the window's staff)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        window = Organization.objects.filter(name=WINDOW).first()
        staff = {s.username: s for s in Staff.objects.filter(username__in=(COUNSELOR, MANAGER))}
        if ConsultationEvent.objects.exists() or window is None or len(staff) < 2:
            return None
        counselor = staff[COUNSELOR]
        places = list(
            CommunityPlace.objects.filter(archived_at=None)
            .select_related("resource")
            .order_by("district_id", "pk")[:3]
        )
        today = timezone.localdate()
        consultations = 0
        for number, (kind, days_ago, at_place, heard) in enumerate(EVENTS):
            held_on = _weekday_before(today - datetime.timedelta(days=days_ago))
            place = places[number % len(places)] if at_place and places else None
            event = services.event_create(
                actor=counselor,
                organization=window,
                staff=[counselor],
                kind=kind,
                held_on=held_on,
                starts_at=datetime.time(13, 30),
                ends_at=datetime.time(15, 30),
                place=place,
                venue="" if place else ESTATE,
                district=place.district if place else None,
                note="",
            )
            for minutes, (topic, consulter, summary) in enumerate(heard):
                received_at = timezone.make_aware(
                    datetime.datetime.combine(held_on, datetime.time(13, 45))
                ) + datetime.timedelta(minutes=25 * minutes)
                consultation_create(
                    actor=counselor,
                    organization=window,
                    consultation=Consultation(
                        received_by=counselor,
                        received_at=received_at,
                        channel=Channel.OUTREACH_DESK,
                        consulter=consulter,
                        unknown_subject="出張相談会で相談を受けた方（氏名は未確認）",
                        main_topic=topic,
                        summary=summary,
                        consent_to_share=ConsentToShare.OBTAINED,
                        outcome=Outcome.ADVICE_ENDED,
                        event=event,
                        created_at=received_at,
                    ),
                    topics=[topic],
                )
                consultations += 1
        services.settings_save(
            actor=staff[MANAGER],
            organization=window,
            takes_appointments=True,
            public_booking=True,
            capacity=1,
            days_ahead=30,
        )
        first, second = _working_days_after(today, 2)
        services.appointment_book(
            actor=counselor,
            organization=window,
            starts_at=timezone.make_aware(datetime.datetime.combine(first, datetime.time(10))),
            name="デモ 予約者",
            contact_phone="000-0000-0000",
            purpose="介護保険の申請について、家族と一緒に相談したい。",
        )
        services.appointment_book_public(
            municipality=municipality,
            organization=window,
            starts_at=timezone.make_aware(datetime.datetime.combine(second, datetime.time(14))),
            name="グエン",
            contact_mail="nguyen@example.jp",
            purpose="母の介護のことを相談したいです。",
            language="vi",
        )
    return DemoEvents(
        events=len(EVENTS),
        consultations=consultations,
        bookings=2,
        seconds=round(clock.monotonic() - started, 1),
    )
