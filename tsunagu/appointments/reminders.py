"""Reminders the day before an appointment: a mail to the resident where they
gave an address, and a notice to the window's staff with counts and a link,
never a name or a purpose (the style of ``workqueue.notices``).

Idempotent: a booking is reminded once (``reminder_sent_at``), whatever how
often the command runs; a failed send leaves it for the next run."""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.models import Membership, Staff
from tsunagu.appointments.models import Appointment, Status
from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.policy.rules.bases import CASEWORK_ROLES

logger = logging.getLogger(__name__)


@dataclass
class Reminded:
    residents: int = 0
    windows: int = 0
    failed: int = 0


def _resident_message(appointment: Appointment) -> EmailMessage:
    local = timezone.localtime(appointment.starts_at)
    body = "\n".join(
        [
            _("明日、相談のご予約があります。"),
            _("窓口: %(name)s") % {"name": appointment.organization.name},
            _("日時: %(when)s") % {"when": local.strftime("%Y-%m-%d %H:%M")},
            _("ご都合が悪くなったときは、予約のときにお知らせしたリンクから取り消してください。"),
        ]
    )
    return EmailMessage(
        subject=_("【ご予約のお知らせ】明日の相談"), body=body, to=[appointment.contact_mail]
    )


def _window_message(
    staff: Staff, organization_name: str, count: int, day: datetime.date
) -> EmailMessage:
    url = settings.TSUNAGU_BASE_URL + reverse("appointments:week") + f"?week={day.isoformat()}"
    body = "\n".join(
        [
            _("【%(name)s】明日（%(day)s）の予約が%(n)d件あります。 %(url)s")
            % {"name": organization_name, "day": day.isoformat(), "n": count, "url": url},
            _("このメールには件数とリンクだけを載せています。"),
        ]
    )
    return EmailMessage(subject=_("明日の予約（件数）"), body=body, to=[staff.email])


def send_reminders(today: datetime.date | None = None) -> Reminded:
    """Remind every booking of tomorrow not yet reminded, in every municipality."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    result = Reminded()
    if not settings.TSUNAGU_EMAIL_HOST:
        logger.info("appointment reminders: no mail server configured, none sent")
        return result
    for municipality in Municipality.objects.order_by("pk"):
        with tenancy.tenant_context(municipality):
            due = list(
                Appointment.objects.filter(
                    status=Status.BOOKED,
                    archived_at=None,
                    reminder_sent_at=None,
                    starts_at__date=tomorrow,
                ).select_related("organization")
            )
            if not due:
                continue
            with get_connection(fail_silently=False) as connection:
                reminded: list[int] = []
                for appointment in due:
                    if appointment.contact_mail:
                        try:
                            connection.send_messages([_resident_message(appointment)])
                        except Exception as error:
                            result.failed += 1
                            logger.warning(
                                "reminder not sent: appointment=%s error=%s",
                                appointment.pk,
                                type(error).__name__,
                            )
                            continue
                        result.residents += 1
                    reminded.append(appointment.pk)
                counts = Counter(a.organization_id for a in due if a.pk in reminded)
                names = {a.organization_id: a.organization.name for a in due}
                for organization_id, count in counts.items():
                    staff_ids = Membership.objects.filter(
                        organization_id=organization_id, role__in=CASEWORK_ROLES, active=True
                    ).values("staff_id")
                    for staff in Staff.objects.filter(
                        pk__in=staff_ids, is_active=True, is_guest=False
                    ).exclude(email=""):
                        try:
                            connection.send_messages(
                                [_window_message(staff, names[organization_id], count, tomorrow)]
                            )
                        except Exception as error:
                            result.failed += 1
                            logger.warning(
                                "window notice not sent: staff=%s error=%s",
                                staff.pk,
                                type(error).__name__,
                            )
                        else:
                            result.windows += 1
                Appointment.objects.filter(pk__in=reminded).update(reminder_sent_at=timezone.now())
    return result
