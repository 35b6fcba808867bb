"""E-mail notices go through a real SMTP server (aiosmtpd on a free localhost
port) and carry counts and links, never personal data: the names, addresses
and contents of the test data are absent from every message received."""

from __future__ import annotations

import datetime
import email
import logging
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import NoticeKind, NoticeMode, Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.referrals.models import Referral, Status
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.workqueue import notices

pytestmark = pytest.mark.django_db

#: What the test data say about residents: none of it may be in a mail.
PERSONAL = ["鈴木", "花子", "すずき", "はなこ", "北町1-2-3", "介護保険の申請", "物忘れ", "長女"]


class Inbox:
    """The messages the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def bodies(self) -> list[str]:
        return [_text(message) for message in self.messages]


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    return subject + "\n" + payload.decode(message.get_content_charset() or "utf-8")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on localhost, and the product's settings pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.TSUNAGU_EMAIL_HOST = settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.TSUNAGU_BASE_URL = "https://tsunagu.city.example.lg.jp"
    try:
        yield inbox
    finally:
        controller.stop()


def choose(staff: Staff, mode: str, kinds: list[str] | None = None) -> None:
    with tenancy.tenant_context(staff.municipality):
        Staff.objects.filter(pk=staff.pk).update(
            email=f"{staff.username}@city.example.lg.jp",
            notice_mode=mode,
            notice_kinds=kinds if kinds is not None else NoticeKind.values,
        )


def overdue(referral: Referral) -> None:
    with tenancy.tenant_context(referral.municipality):
        Referral.objects.filter(pk=referral.pk).update(
            due_on=timezone.localdate() - datetime.timedelta(days=2)
        )


def ours(callbacks: list[Any]) -> list[Any]:
    """The on-commit callbacks that send notices (the audit trail's sealing is another)."""
    return [c for c in callbacks if getattr(c, "__module__", "") == notices.__name__]


def assert_no_personal_data(text: str) -> None:
    for word in PERSONAL:
        assert word not in text, word


@pytest.fixture
def receiver(ward: Ward) -> Staff:
    return rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")


def sheets_waiting(ward: Ward, count: int, late: int) -> list[Referral]:
    sender = ward.member(Role.COUNSELOR)
    household = rf.household(sender, ward.center)
    sent = [
        rf.referral(sender, ward.center, ward.other_center, household=household)
        for _n in range(count)
    ]
    for referral in sent[:late]:
        overdue(referral)
    return sent


def test_the_daily_digest_carries_counts_and_links_only(
    ward: Ward, receiver: Staff, smtp: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    choose(receiver, NoticeMode.DAILY)
    sheets_waiting(ward, 3, late=2)

    with caplog.at_level(logging.INFO, logger="tsunagu.workqueue.notices"):
        call_command("send_notifications")

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "south@city.example.lg.jp"
    body = _text(message)
    assert (
        "受理待ちのつなぐシートが3件あります（うち期限超過2件） "
        "https://tsunagu.city.example.lg.jp/referrals/"
    ) in body
    assert "https://tsunagu.city.example.lg.jp/account/" in body
    assert_no_personal_data(body)
    # Logged by staff id and kind, not by address or name.
    logged = [r.getMessage() for r in caplog.records if "notice sent" in r.getMessage()]
    assert logged == [f"notice sent: kind=digest staff={receiver.pk} lines=3"]
    assert "@" not in " ".join(r.getMessage() for r in caplog.records)


def test_only_the_kinds_chosen_and_nothing_when_nothing_waits(
    ward: Ward, receiver: Staff, smtp: Inbox
) -> None:
    sheets_waiting(ward, 1, late=0)
    choose(receiver, NoticeMode.DAILY, [NoticeKind.TASKS])
    choose(ward.member(Role.COUNSELOR), NoticeMode.DAILY)  # the sender: nothing waits for it
    result = notices.send_digests()
    assert smtp.messages == []
    assert (result.sent, result.nothing_waiting) == (0, 2)


def test_staff_who_chose_no_mail_or_have_no_address_get_none(
    ward: Ward, receiver: Staff, smtp: Inbox
) -> None:
    sheets_waiting(ward, 2, late=1)
    choose(receiver, NoticeMode.OFF)
    other = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south2")
    choose(other, NoticeMode.DAILY)
    with tenancy.tenant_context(ward.municipality):
        Staff.objects.filter(pk=other.pk).update(email="")
    assert notices.send_digests().sent == 0
    assert smtp.messages == []


def test_a_sheet_sent_notifies_at_once_those_who_chose_immediate(
    ward: Ward, receiver: Staff, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    daily = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-daily")
    choose(receiver, NoticeMode.IMMEDIATE)
    choose(daily, NoticeMode.DAILY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sheets_waiting(ward, 1, late=0)
    assert len(ours(callbacks)) == 1  # sent after the commit, not inside the transaction

    assert len(smtp.messages) == 1
    body = _text(smtp.messages[0])
    assert smtp.messages[0]["To"] == "south@city.example.lg.jp"
    assert "つなぐシートが届きました" in body
    assert "受理待ちのつなぐシートが1件あります（うち期限超過0件）" in body
    assert "https://tsunagu.city.example.lg.jp/referrals/" in body
    assert_no_personal_data(body)


def test_a_report_back_notifies_the_sender(
    ward: Ward, receiver: Staff, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    sender = ward.member(Role.COUNSELOR)
    choose(sender, NoticeMode.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        referral = rf.accepted(sheets_waiting(ward, 1, late=0)[0], receiver)
    assert smtp.messages == []  # sending and accepting tell the sender nothing
    with django_capture_on_commit_callbacks(execute=True):
        rf.transition(
            receiver, ward.other_center, referral, Status.COMPLETED, note="鈴木さんは申請済み"
        )
    assert len(smtp.messages) == 1
    body = _text(smtp.messages[0])
    assert "報告が届きました" in body
    assert_no_personal_data(body)
    assert "申請済み" not in body


def test_no_mail_server_no_mail_and_the_account_page_says_so(
    ward: Ward, receiver: Staff, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TSUNAGU_EMAIL_HOST = ""
    choose(receiver, NoticeMode.IMMEDIATE)
    with django_capture_on_commit_callbacks() as callbacks:
        sheets_waiting(ward, 1, late=0)
    assert not ours(callbacks)  # the immediate notice is not even queued
    assert notices.send_digests().sent == 0
    client = Client()
    client.force_login(receiver)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "メールの送信先サーバー（SMTP）が設定されていない" in page


def test_the_settings_are_kept_from_the_account_page(ward: Ward, receiver: Staff) -> None:
    client = Client()
    client.force_login(receiver)
    url = reverse("accounts:profile")
    refused = client.post(url, {"form": "notices", "notice_mode": NoticeMode.DAILY, "email": ""})
    assert "メールアドレスを入力してください" in refused.content.decode()
    saved = client.post(
        url,
        {
            "form": "notices",
            "notice_mode": NoticeMode.IMMEDIATE,
            "email": "south@city.example.lg.jp",
            "notice_kinds": [NoticeKind.REFERRALS, NoticeKind.TASKS],
        },
    )
    assert saved.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        kept = Staff.objects.get(pk=receiver.pk)
    assert (kept.notice_mode, kept.email) == (NoticeMode.IMMEDIATE, "south@city.example.lg.jp")
    assert kept.notice_kinds == [NoticeKind.REFERRALS, NoticeKind.TASKS]


def test_a_staff_member_of_two_windows_is_told_which_window_waits(
    ward: Ward, receiver: Staff, smtp: Inbox
) -> None:
    from tsunagu.tests.factories import add_member

    add_member(receiver, ward.coordinating, Role.COORDINATOR)
    choose(receiver, NoticeMode.DAILY)
    sheets_waiting(ward, 2, late=0)
    assert notices.send_digests().sent == 1
    body = _text(smtp.messages[0])
    assert f"【{ward.other_center.name}】" in body
    assert f"【{ward.coordinating.name}】" not in body  # nothing waits there
    assert body.count("受理待ちのつなぐシート") == 1
    assert_no_personal_data(body)
