"""E-mail notices of the work queue: counts and links, never personal data.

A notice says how many things wait and where (「受理待ちのつなぐシートが3件
あります（うち期限超過2件） https://…/referrals/」): no name, no address, no
content of a record, nothing a mail server or a forwarded mail could leak.
The organization's name is said where a staff member works for several.

- :func:`send_digests`: the daily digest, for staff who chose a daily or an
  immediate notice (``manage.py send_notifications``, run by cron or a
  systemd timer: docs/operations.md);
- :func:`referral_sent` and :func:`referral_reported`: called by the referral
  services in the transaction that sends a つなぐシート or reports back; the
  mail goes after the commit (``transaction.on_commit``), to the staff of the
  other organization who chose immediate notices.

Mail goes only to the municipality's own mail server (``TSUNAGU_EMAIL_HOST``);
with none configured nothing is sent. Every send is logged with the staff
member's id and the counts, never the address or a name.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.accounts.models import Membership, NoticeKind, NoticeMode, Staff
from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.referrals.models import Referral
from tsunagu.workqueue.selectors import Counts, counts

logger = logging.getLogger(__name__)


def configured() -> bool:
    """Whether a mail server is configured (without one no mail is sent)."""
    return bool(settings.TSUNAGU_EMAIL_HOST)


def _link(name: str) -> str:
    return settings.TSUNAGU_BASE_URL + reverse(name)


def count_lines(found: Counts, kinds: Iterable[str]) -> list[str]:
    """The digest's sentences for ``found``, one a kind chosen with anything waiting."""
    chosen = set(kinds)
    lines: list[str] = []
    if NoticeKind.REFERRALS in chosen:
        inbox = _link("referrals:inbox")
        if found.referrals_waiting:
            lines.append(
                _("受理待ちのつなぐシートが%(n)d件あります（うち期限超過%(late)d件） %(url)s")
                % {
                    "n": found.referrals_waiting,
                    "late": found.referrals_waiting_overdue,
                    "url": inbox,
                }
            )
        if found.report_backs_owed:
            lines.append(
                _("報告待ちのつなぐシートが%(n)d件あります（うち期限超過%(late)d件） %(url)s")
                % {"n": found.report_backs_owed, "late": found.report_backs_overdue, "url": inbox}
            )
        if found.referrals_sent_overdue:
            lines.append(
                _("送ったつなぐシートのうち回答期限を過ぎたものが%(n)d件あります %(url)s")
                % {"n": found.referrals_sent_overdue, "url": inbox + "?box=sent"}
            )
    if NoticeKind.TASKS in chosen and found.tasks_due:
        lines.append(
            _("期限が1週間以内のタスクが%(n)d件あります（うち期限超過%(late)d件） %(url)s")
            % {"n": found.tasks_due, "late": found.tasks_overdue, "url": _link("meetings:tasks")}
        )
    if NoticeKind.OUTREACH in chosen and found.outreach_overdue:
        lines.append(
            _("予定日を過ぎたアウトリーチが%(n)d世帯あります %(url)s")
            % {"n": found.outreach_overdue, "url": _link("outreach:worklist")}
        )
    if NoticeKind.FOLLOW_UPS in chosen and found.follow_ups_due:
        lines.append(
            _("予定日を過ぎた参加支援のフォローアップが%(n)d件あります %(url)s")
            % {"n": found.follow_ups_due, "url": _link("participation:worklist")}
        )
    if NoticeKind.CASES in chosen and found.cases_due:
        lines.append(
            _("期日が近い・過ぎたケースが%(n)d件あります %(url)s")
            % {"n": found.cases_due, "url": _link("cases:list")}
        )
    return lines


def digest_body(staff: Staff, today: datetime.date) -> str:
    """The digest for ``staff``: the counts of each of their casework
    organizations (named where there are several), or "" when nothing waits."""
    organizations = [
        held
        for held in staff.memberships_in_order()
        if held.organization_id in policy.casework_organization_ids(staff)
    ]
    named = {held.organization_id: held.organization_name for held in organizations}
    parts: list[str] = []
    for organization_id, name in named.items():
        lines = count_lines(counts(staff, organization_id, today), staff.notice_kinds)
        if not lines:
            continue
        heading = f"【{name}】\n" if len(named) > 1 else ""
        parts.append(heading + "\n".join(lines))
    if not parts:
        return ""
    return "\n\n".join(
        [
            _("つなぐ（重層的支援）で対応を待っているものがあります。"),
            *parts,
            _("ホーム画面の「今日の仕事」で一覧を確かめてください: %(url)s")
            % {"url": _link("home")},
            _(
                "このメールには件数とリンクだけを載せています。通知の設定はアカウント画面で変えられます: %(url)s"
            )
            % {"url": _link("accounts:profile")},
        ]
    )


@dataclass
class Sent:
    sent: int = 0
    nothing_waiting: int = 0
    failed: int = 0


def _recipients(staff: Iterable[Staff]) -> list[Staff]:
    return [
        member
        for member in staff
        if member.is_active
        and not member.is_guest
        and not member.is_expired
        and member.email
        and member.notice_mode != NoticeMode.OFF
    ]


def _send(messages: list[tuple[Staff, EmailMessage, str]], result: Sent) -> None:
    """Send ``messages`` over one connection; each logged by staff id and kind."""
    if not messages:
        return
    with get_connection(fail_silently=False) as connection:
        for staff, message, kind in messages:
            try:
                connection.send_messages([message])
            except Exception as error:
                result.failed += 1
                logger.warning(
                    "notice not sent: kind=%s staff=%s error=%s",
                    kind,
                    staff.pk,
                    type(error).__name__,
                )
            else:
                result.sent += 1
                logger.info(
                    "notice sent: kind=%s staff=%s lines=%d",
                    kind,
                    staff.pk,
                    message.body.count("http"),
                )


def _message(staff: Staff, subject: str, body: str) -> EmailMessage:
    return EmailMessage(subject=subject, body=body, to=[staff.email])


def send_digests(today: datetime.date | None = None, municipality: str = "") -> Sent:
    """The daily digest to every staff member who chose e-mail notices, in
    every municipality (or the one whose code is ``municipality``)."""
    today = today or timezone.localdate()
    result = Sent()
    if not configured():
        logger.info("notices: no mail server configured (TSUNAGU_EMAIL_HOST), none sent")
        return result
    municipalities = Municipality.objects.order_by("pk")
    if municipality:
        municipalities = municipalities.filter(code=municipality)
    for each in municipalities:
        with tenancy.tenant_context(each):
            staff = _recipients(
                Staff.objects.exclude(notice_mode=NoticeMode.OFF).exclude(email="").order_by("pk")
            )
            messages = []
            for member in staff:
                member.municipality = each
                body = digest_body(member, today)
                if not body:
                    result.nothing_waiting += 1
                    continue
                subject = _("[つなぐ] 対応待ちのお知らせ（%(date)s）") % {
                    "date": f"{today.month}/{today.day}"
                }
                messages.append((member, _message(member, subject, body), "digest"))
            _send(messages, result)
    return result


def _immediate(organization_id: int, subject: str, lead: str, today: datetime.date) -> Sent:
    """To the staff of ``organization_id`` who chose immediate notices of
    つなぐシート: ``lead`` and their counts for that organization."""
    result = Sent()
    if not configured():
        return result
    held = Membership.objects.filter(
        organization_id=organization_id, active=True, role__in=policy.CASEWORK_ROLES
    ).values("staff_id")
    staff = _recipients(
        Staff.objects.filter(pk__in=held, notice_mode=NoticeMode.IMMEDIATE).order_by("pk")
    )
    messages = []
    for member in staff:
        if NoticeKind.REFERRALS not in member.notice_kinds:
            continue
        lines = count_lines(counts(member, organization_id, today), [NoticeKind.REFERRALS])
        body = "\n".join([lead, *lines, _link("referrals:inbox")])
        messages.append((member, _message(member, subject, body), "immediate"))
    _send(messages, result)
    return result


def _after_commit(municipality_id: int, organization_id: int, subject: str, lead: str) -> None:
    def send() -> None:
        try:
            municipality = Municipality.objects.get(pk=municipality_id)
            with tenancy.tenant_context(municipality):
                _immediate(organization_id, subject, lead, timezone.localdate())
        except Exception as error:
            logger.warning("immediate notices not sent: error=%s", type(error).__name__)

    if configured():
        transaction.on_commit(send)


def referral_sent(referral: Referral) -> None:
    """``referral`` was sent: the receiver's staff who chose immediate notices
    hear of it after the commit (no content, no name)."""
    _after_commit(
        referral.municipality_id,
        referral.to_organization_id,
        _("[つなぐ] つなぐシートが届きました"),
        _("新しいつなぐシートが届きました。受理するかどうかを回答してください。"),
    )


def referral_reported(referral: Referral) -> None:
    """The receiver reported back on ``referral``: the sender's staff who chose
    immediate notices hear of it after the commit."""
    _after_commit(
        referral.municipality_id,
        referral.from_organization_id,
        _("[つなぐ] つなぐシートの報告が届きました"),
        _("送ったつなぐシートに、つなぎ先から対応の結果の報告が届きました。"),
    )
