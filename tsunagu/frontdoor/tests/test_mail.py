"""Mail to the consultation address, through real local mail servers.

Our LMTP receiver (``inbound.serve``, what ``manage.py receive_mail`` runs) takes
mail sent with smtplib; staff replies leave through a local aiosmtpd SMTP
server that captures them. The receiver works in its own thread, so these
tests commit (transaction=True)."""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.frontdoor import public, services
from tsunagu.frontdoor.mail import inbound
from tsunagu.frontdoor.models import (
    Channel,
    Delivery,
    Direction,
    FrontDoorSettings,
    Message,
    Status,
    Thread,
)
from tsunagu.tests.factories import Ward
from tsunagu.tests.two_factor import force_login_verified

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "soudan@city.example.lg.jp"
OTHER_ADDRESS = "soudan@yoso.example.lg.jp"
RESIDENT = "resident@example.com"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Captured:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def doors(ward: Ward, other_ward: Ward) -> tuple[Ward, Ward]:
    for each, address in ((ward, ADDRESS), (other_ward, OTHER_ADDRESS)):
        with tenancy.tenant_context(each.municipality):
            FrontDoorSettings.objects.create(mail_address=address)
    return ward, other_ward


@pytest.fixture
def receiver() -> Iterator[int]:
    """Our LMTP server on a free localhost port."""
    port = _free_port()
    controller = inbound.serve("127.0.0.1", port, lmtp=True)
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtp(settings: Any) -> Iterator[Captured]:
    """The municipality's outgoing SMTP server, captured."""
    captured = Captured()
    port = _free_port()
    controller = Controller(captured, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.TSUNAGU_EMAIL_HOST = settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    try:
        yield captured
    finally:
        controller.stop()


def mail(
    text: str,
    *,
    to: str = ADDRESS,
    sender: str = RESIDENT,
    message_id: str | None = None,
    in_reply_to: str = "",
    subject: str = "相談したいです",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(text)
    return message


def send(port: int, message: EmailMessage, to: str | None = None) -> None:
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.sendmail(
            RESIDENT, [to or str(message["To"])], message.as_bytes(policy=email.policy.SMTP)
        )


def threads(ward: Ward) -> list[Thread]:
    with tenancy.tenant_context(ward.municipality):
        return list(Thread.objects.order_by("pk"))


def messages(ward: Ward, thread: Thread) -> list[Message]:
    with tenancy.tenant_context(ward.municipality):
        return list(Message.objects.filter(thread=thread).order_by("sent_at", "pk"))


def test_a_mail_becomes_a_thread_the_reply_goes_out_and_the_answer_comes_back(
    doors: tuple[Ward, Ward], receiver: int, smtp: Captured
) -> None:
    ward, _other = doors
    first = mail("仕事をなくし、家賃が払えません。相談できますか。")
    send(receiver, first)

    [thread] = threads(ward)
    assert (thread.channel, thread.language, thread.status) == (Channel.MAIL, "ja", Status.OPEN)
    assert thread.mail_address == RESIDENT and thread.mail_token
    [received] = messages(ward, thread)
    assert received.direction == Direction.INBOUND
    assert received.body == "仕事をなくし、家賃が払えません。相談できますか。"
    assert received.external_id == first["Message-ID"]

    coordinator = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        reply = services.reply(
            thread,
            "ご連絡ありがとうございます。",
            staff=coordinator,
            organization=ward.coordinating,
        )
        reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT
    [out] = smtp.messages
    assert smtp.envelopes[0][1] == [RESIDENT]
    assert out["Message-ID"] == reply.external_id
    assert out["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in str(out["References"])
    assert out["From"].addresses[0].addr_spec == ADDRESS
    assert out["From"].addresses[0].display_name == f"テスト区 {ward.coordinating.name}"
    assert str(out["Reply-To"]) == f"soudan+{thread.mail_token}@city.example.lg.jp"
    assert thread.number in str(out["Subject"])
    body = out.get_content()
    assert body.startswith("ご連絡ありがとうございます。")
    assert "110番" in body and "119番" in body and "テスト区" in body
    assert coordinator.full_name not in out.as_string() and coordinator.full_name not in body
    assert coordinator.username not in out.as_string()

    # The resident answers (In-Reply-To our mail, to the thread's reply address).
    answer = mail(
        "ありがとうございます。来週伺います。\n\n"
        "2026年12月7日 10:00 テスト区 福祉政策課 さんは書きました：\n"
        "> ご連絡ありがとうございます。\n",
        to=str(out["Reply-To"]),
        in_reply_to=reply.external_id,
    )
    send(receiver, answer)
    assert threads(ward) == [thread]
    texts = [(m.direction, m.body) for m in messages(ward, thread)]
    assert texts[-1] == (Direction.INBOUND, "ありがとうございます。来週伺います。")

    # In-Reply-To alone (a mail program that answers to From) finds the thread too.
    send(receiver, mail("もう一点あります。", in_reply_to=reply.external_id))
    assert threads(ward) == [thread]
    # So does the plus address alone (a new mail to the reply address).
    send(receiver, mail("追伸です。", to=f"soudan+{thread.mail_token}@city.example.lg.jp"))
    assert threads(ward) == [thread]
    assert len(messages(ward, thread)) == 5


def test_a_closed_thread_opens_again_when_the_resident_writes_back(
    doors: tuple[Ward, Ward], receiver: int
) -> None:
    ward, _other = doors
    first = mail("相談です。")
    send(receiver, first)
    [thread] = threads(ward)
    with tenancy.tenant_context(ward.municipality):
        Thread.objects.filter(pk=thread.pk).update(status=Status.CLOSED)
    send(receiver, mail("まだ困っています。", in_reply_to=first["Message-ID"]))
    [again] = threads(ward)
    assert again.status == Status.OPEN


def test_the_same_mail_delivered_twice_is_kept_once(
    doors: tuple[Ward, Ward], receiver: int
) -> None:
    ward, _other = doors
    once = mail("同じメールです。")
    send(receiver, once)
    send(receiver, once)
    [thread] = threads(ward)
    assert len(messages(ward, thread)) == 1


def test_new_threads_from_one_address_are_limited_like_the_public_page(
    doors: tuple[Ward, Ward], receiver: int
) -> None:
    ward, _other = doors
    for number in range(public.NEW_THREADS_PER_ADDRESS):
        send(receiver, mail(f"新しい相談 {number}"))
    with pytest.raises(smtplib.SMTPDataError) as deferred:
        send(receiver, mail("もう一通"))
    assert deferred.value.smtp_code == 450  # the sending server tries again later
    assert len(threads(ward)) == public.NEW_THREADS_PER_ADDRESS
    # Another resident is not held up, and answers to a thread are not counted.
    send(receiver, mail("別の人の相談", sender="other.resident@example.com"))
    assert len(threads(ward)) == public.NEW_THREADS_PER_ADDRESS + 1


def test_an_unknown_address_is_refused(doors: tuple[Ward, Ward], receiver: int) -> None:
    ward, other = doors
    for address in ("nobody@city.example.lg.jp", "soudan@elsewhere.example.jp"):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(receiver, mail("宛先違い", to=address))
        assert refused.value.recipients[address][0] == 550
    assert threads(ward) == [] and threads(other) == []


def test_a_mail_over_the_size_limit_is_refused(doors: tuple[Ward, Ward], receiver: int) -> None:
    ward, _other = doors
    big = mail(("あ" * 70 + "\n") * 6000)  # about 1.3 MB as UTF-8
    assert len(big.as_bytes(policy=email.policy.SMTP)) > inbound.MAX_BYTES
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
        send(receiver, big)
    assert refused.value.smtp_code == 552
    assert threads(ward) == []
    # Without the SIZE hint, the data itself is cut off at the limit.
    with smtplib.LMTP("127.0.0.1", receiver) as client:
        client.ehlo_or_helo_if_needed()
        client.esmtp_features.pop("size", None)
        with pytest.raises(smtplib.SMTPDataError) as cut:
            client.sendmail(RESIDENT, [ADDRESS], big.as_bytes(policy=email.policy.SMTP))
    assert cut.value.smtp_code == 552
    assert threads(ward) == []


def test_attachments_are_not_kept_and_the_thread_says_so(
    doors: tuple[Ward, Ward], receiver: int
) -> None:
    ward, _other = doors
    message = mail("書類を送ります。")
    message.add_attachment(
        b"%PDF-1.4 secret", maintype="application", subtype="pdf", filename="収入証明.pdf"
    )
    message.add_attachment(b"\x89PNG\r\n", maintype="image", subtype="png", filename="photo.png")
    send(receiver, message)
    [thread] = threads(ward)
    [kept] = messages(ward, thread)
    assert kept.body.startswith("書類を送ります。")
    assert "添付ファイル 2件" in kept.body and "application/pdf" in kept.body
    assert "収入証明" not in kept.body and "PDF-1.4" not in kept.body


def test_html_only_mail_and_quoted_history(doors: tuple[Ward, Ward], receiver: int) -> None:
    ward, _other = doors
    message = mail("x")
    message.set_content(
        "<html><body><p>Hello,</p><p>I need help with my rent &amp; bills.</p>"
        "<script>alert(1)</script></body></html>",
        subtype="html",
    )
    send(receiver, message)
    [thread] = threads(ward)
    [kept] = messages(ward, thread)
    assert kept.body == "Hello,\nI need help with my rent & bills."
    assert thread.language == "en"

    quoted = mail(
        "Thanks, see you Monday.\n\nOn Mon, 7 Dec 2026 at 10:00, Window wrote:\n> Hello\n> again\n"
    )
    assert (
        inbound.parse(quoted.as_bytes(policy=email.policy.SMTP)).text == "Thanks, see you Monday."
    )


def test_tenants_never_mix(doors: tuple[Ward, Ward], receiver: int) -> None:
    ward, other = doors
    ours = mail("こちらの区への相談です。")
    send(receiver, ours)
    send(receiver, mail("よその区への相談です。", to=OTHER_ADDRESS))
    [thread] = threads(ward)
    [theirs] = threads(other)
    assert [m.body for m in messages(other, theirs)] == ["よその区への相談です。"]

    # Our thread's reply token and Message-ID, sent to the other municipality's
    # address, do not reach our thread: they open a thread there.
    send(receiver, mail("トークン", to=f"soudan+{thread.mail_token}@yoso.example.lg.jp"))
    send(receiver, mail("返信", to=OTHER_ADDRESS, in_reply_to=ours["Message-ID"]))
    assert len(messages(ward, thread)) == 1
    assert len(threads(other)) == 3
    # The same Message-ID in both municipalities is a message in each.
    shared = mail("両方に送りました。", to=ADDRESS)
    send(receiver, shared)
    send(receiver, shared, to=OTHER_ADDRESS)
    assert len(threads(ward)) == 2 and len(threads(other)) == 4


def test_bounces_and_automatic_answers_open_no_thread(
    doors: tuple[Ward, Ward], receiver: int
) -> None:
    ward, _other = doors
    auto = mail("不在です。")
    auto["Auto-Submitted"] = "auto-replied"
    send(receiver, auto)
    with smtplib.LMTP("127.0.0.1", receiver) as client:
        client.sendmail(
            "", [ADDRESS], mail("Undelivered Mail Returned").as_bytes(policy=email.policy.SMTP)
        )
    assert threads(ward) == []
    # Nor does an absence notice answering a closed thread reopen it.
    first = mail("相談です。")
    send(receiver, first)
    [thread] = threads(ward)
    with tenancy.tenant_context(ward.municipality):
        Thread.objects.filter(pk=thread.pk).update(status=Status.CLOSED)
    absent = mail("ただいま不在にしております。", in_reply_to=first["Message-ID"])
    absent["Auto-Submitted"] = "auto-replied"
    send(receiver, absent)
    [still] = threads(ward)
    assert still.status == Status.CLOSED
    assert len(messages(ward, thread)) == 1


def test_a_door_not_accepting_refuses_new_threads(doors: tuple[Ward, Ward], receiver: int) -> None:
    ward, _other = doors
    with tenancy.tenant_context(ward.municipality):
        FrontDoorSettings.objects.update(accepting=False)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(receiver, mail("受付停止中に送信"))
    assert refused.value.smtp_code == 550
    assert threads(ward) == []


def test_smtp_mode_and_no_outgoing_server(doors: tuple[Ward, Ward], settings: Any) -> None:
    """--smtp receives too; with no TSUNAGU_EMAIL_HOST the reply is kept as not sent."""
    ward, _other = doors
    port = _free_port()
    controller = inbound.serve("127.0.0.1", port, lmtp=False)
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(mail("Xin chào, tôi cần giúp đỡ về nhà ở."))
    finally:
        controller.stop()
    [thread] = threads(ward)
    assert thread.language == "vi"
    settings.TSUNAGU_EMAIL_HOST = ""
    with tenancy.tenant_context(ward.municipality):
        reply = services.reply(
            thread, "Cảm ơn.", staff=ward.member(Role.COORDINATOR), organization=ward.coordinating
        )
        reply.refresh_from_db()
    assert (reply.delivery, reply.delivery_error) == (Delivery.FAILED, "NoMailServer")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("家賃が払えず困っています。", "ja"),
        ("집세를 낼 수 없어서 곤란합니다.", "ko"),
        ("我们付不起房租，请帮助我们。", "zh-hans"),
        ("Tôi không trả được tiền nhà.", "vi"),
        ("Olá, não consigo pagar o aluguel.", "pt-br"),
        ("I cannot pay my rent.", "en"),
        ("", "ja"),
    ],
)
def test_the_language_is_guessed_from_the_script(text: str, language: str) -> None:
    assert inbound.guess_language(text) == language


def test_the_receive_mail_command_serves_until_stopped(doors: tuple[Ward, Ward]) -> None:
    """``manage.py receive_mail`` listens, takes mail, and stops on SIGTERM."""
    import io
    import os
    import signal
    import threading
    import time

    from django.core.management import call_command

    ward, _other = doors
    port = _free_port()
    output = io.StringIO()

    def deliver_then_stop() -> None:
        for _attempt in range(100):
            try:
                send(port, mail("コマンド経由の相談です。"))
                break
            except OSError:
                time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)

    worker = threading.Thread(target=deliver_then_stop)
    worker.start()
    call_command("receive_mail", "--host", "127.0.0.1", "--port", str(port), stdout=output)
    worker.join()
    assert f"LMTP 127.0.0.1:{port} で受信しています。" in output.getvalue()
    [thread] = threads(ward)
    assert [m.body for m in messages(ward, thread)] == ["コマンド経由の相談です。"]


def delivery_report(returned: EmailMessage, *, action: str = "failed", whole: bool = True) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one, returning
    ``returned`` whole (message/rfc822) or its headers only (text/rfc822-headers)."""
    if whole:
        kind, original = "message/rfc822", returned.as_string(policy=email.policy.SMTP)
    else:
        headers = returned.as_string(policy=email.policy.SMTP).split("\r\n\r\n", 1)[0]
        kind, original = "text/rfc822-headers", headers + "\r\n"
    report = (
        "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n"
        f"To: {ADDRESS}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.com')}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B0"\r\n'
        "\r\n--B0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.com.\r\n"
        "Your message could not be delivered to one or more recipients.\r\n"
        "\r\n--B0\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {RESIDENT}\r\n"
        f"Action: {action}\r\n"
        f"Status: {'5.1.1' if action == 'failed' else '4.4.1'}\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{RESIDENT}>: Recipient address rejected\r\n"
        f"\r\n--B0\r\nContent-Type: {kind}\r\n\r\n{original}\r\n--B0--\r\n"
    )
    return report.encode()


def bounce(port: int, report: bytes) -> None:
    with smtplib.LMTP("127.0.0.1", port) as client:
        client.sendmail("", [ADDRESS], report)  # a bounce's envelope sender is empty


def test_a_reply_the_residents_server_returns_is_marked_not_delivered(
    doors: tuple[Ward, Ward], receiver: int, smtp: Captured
) -> None:
    """Our reply left, but the resident's server returned it: staff must see
    that it did not arrive, on the thread, with the reason (and reach the
    resident another way); the bounce itself opens no thread."""
    ward, other = doors
    send(receiver, mail("相談です。"))
    [thread] = threads(ward)
    coordinator = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        first = services.reply(
            thread, "お返事です。", staff=coordinator, organization=ward.coordinating
        )
        second = services.reply(
            thread, "もう一通です。", staff=coordinator, organization=ward.coordinating
        )
    returned_first, returned_second = smtp.messages

    # Delayed, not failed: nothing changes.
    bounce(receiver, delivery_report(returned_first, action="delayed"))
    # Another municipality's consultation address knows nothing of our reply.
    with smtplib.LMTP("127.0.0.1", receiver) as client:
        client.sendmail("", [OTHER_ADDRESS], delivery_report(returned_first))
    assert [m.delivery for m in messages(ward, thread)][1:] == [Delivery.SENT, Delivery.SENT]

    bounce(receiver, delivery_report(returned_first))  # the whole mail returned
    bounce(receiver, delivery_report(returned_second, whole=False))  # its headers only
    assert threads(ward) == [thread] and threads(other) == []
    kept = {m.pk: m for m in messages(ward, thread)}
    for reply in (first, second):
        assert kept[reply.pk].delivery == Delivery.FAILED
        assert kept[reply.pk].delivery_error.endswith("（5.1.1）")
        assert RESIDENT not in kept[reply.pk].delivery_error
    assert len(kept) == 3  # the bounces are no messages of the thread

    page = force_login_verified(Client(), coordinator).get(f"/threads/{thread.pk}/")
    text = page.content.decode()
    assert text.count("送信できなかった") >= 2
    assert "相手のメールサーバーから届かなかったと通知がありました（5.1.1）" in text
    answer = force_login_verified(Client(), coordinator).get(f"/api/v1/threads/{thread.pk}")
    assert [m["delivery_error"] for m in answer.json()["messages"]][1:] == [
        kept[first.pk].delivery_error,
        kept[second.pk].delivery_error,
    ]


def test_a_bounce_is_read_from_its_report(doors: tuple[Ward, Ward]) -> None:
    """The report is read, not guessed: only a failed Action counts, and only
    the returned mail's Message-ID (not one quoted in the text)."""
    returned = mail("お返事です。", message_id="<ours-1@city.example.lg.jp>")
    parsed = inbound.parse(delivery_report(returned))
    assert (parsed.undelivered, parsed.status, parsed.auto) == (
        ["<ours-1@city.example.lg.jp>"],
        "5.1.1",
        True,
    )
    assert inbound.parse(delivery_report(returned, action="delayed")).undelivered == []
    plain = mail("Undelivered: <ours-1@city.example.lg.jp>")
    assert inbound.parse(plain.as_bytes()).undelivered == []


def test_a_reply_goes_out_in_the_residents_language(
    doors: tuple[Ward, Ward], receiver: int, smtp: Captured
) -> None:
    """The subject and the footer (how to answer, the emergency numbers) are in
    the language the resident wrote in; the staff's own words are as written."""
    ward, _other = doors
    send(receiver, mail("Tôi không trả được tiền nhà. Xin hãy giúp tôi."))
    [thread] = threads(ward)
    assert thread.language == "vi"
    with tenancy.tenant_context(ward.municipality):
        services.reply(
            thread,
            "ご連絡ありがとうございます。",
            staff=ward.member(Role.COORDINATOR),
            organization=ward.coordinating,
        )
    [out] = smtp.messages
    assert (
        str(out["Subject"]).strip()
        == f"Re: Trả lời yêu cầu tư vấn của bạn (số tiếp nhận {thread.number})"
    )
    body = out.get_content()
    assert body.startswith("ご連絡ありがとうございます。")
    assert "110 (cảnh sát)" in body and "119 (cấp cứu, cứu hỏa)" in body


def test_mail_from_another_address_joins_the_thread_with_a_note_for_staff(
    doors: tuple[Ward, Ward], receiver: int, smtp: Captured
) -> None:
    """The reply address is the thread's secret; mail to it from another address
    (the resident's phone, or someone it was forwarded to) joins the thread,
    marked for staff, and the other address is neither kept nor written to."""
    ward, _other = doors
    send(receiver, mail("相談です。"))
    [thread] = threads(ward)
    other = "someone-else@example.net"
    send(
        receiver,
        mail("続きです。", sender=other, to=f"soudan+{thread.mail_token}@city.example.lg.jp"),
    )
    send(
        receiver,
        mail(
            "同じ人です。",
            sender=RESIDENT.upper(),
            to=f"soudan+{thread.mail_token}@city.example.lg.jp",
        ),
    )
    texts = [m.body for m in messages(ward, thread)]
    assert texts[1] == f"続きです。\n\n{inbound.OTHER_SENDER}"
    assert texts[2] == "同じ人です。"  # the same address, whatever its case
    with tenancy.tenant_context(ward.municipality):
        services.reply(
            thread,
            "お返事です。",
            staff=ward.member(Role.COORDINATOR),
            organization=ward.coordinating,
        )
        thread.refresh_from_db()
    assert thread.mail_address == RESIDENT
    assert smtp.envelopes[0][1] == [RESIDENT]
    assert other not in str(Message.all_tenants.values_list("body", flat=True)[::1])
