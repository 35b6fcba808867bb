"""Mail to the municipality's consultation address becomes a thread.

The municipality's mail server hands mail for its consultation address
(``FrontDoorSettings.mail_address``, e.g. ``soudan@city.example.lg.jp``) to us
by LMTP (Postfix's ``lmtp:`` transport; ``manage.py receive_mail``). For each
message and recipient, :func:`accept` decides, in this order:

1. the municipality, by the recipient address (its plus part ``soudan+<token>@``
   is the reply address of one thread: the message goes there);
2. else a thread whose message the mail answers (``In-Reply-To`` / ``References``
   naming a kept Message-ID);
3. else a new mail thread, in the language the text is written in.

A delivery status notification (a bounce, RFC 3464) that returns one of our
replies marks that reply as not delivered, with the reported status, for staff
to see on the thread; it opens no thread. Other automatic mail (absence
notices, a bounce of anything else) is dropped.

Only text is kept: the text/plain part (or the HTML part's text), with the quoted
history cut where it is plainly marked. Attachments are never stored; when a mail
had any, the message says so for staff. A message over :data:`MAX_BYTES` is
refused (552), an address that is no municipality's consultation address is
refused (550), and a Message-ID already received is accepted once, not doubled.
Logs name the municipality and the thread's number, never an address or a text.
"""

from __future__ import annotations

import asyncio
import email
import email.message
import email.policy
import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import close_old_connections, connection, transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext

from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.core.text import text_length
from tsunagu.frontdoor import public, services
from tsunagu.frontdoor.models import (
    Channel,
    Direction,
    FrontDoorSettings,
    Language,
    Message,
    Thread,
)

log = logging.getLogger("tsunagu.frontdoor.mail")

#: The largest message accepted (headers and body, as delivered).
MAX_BYTES = 1_000_000
#: Message.body's limit (FreeTextField, max_length=4000).
BODY_LIMIT = 4000

ACCEPTED = "250 2.0.0 OK"
DUPLICATE = "250 2.0.0 OK (already received)"
DROPPED = "250 2.0.0 OK (automatic mail, not kept)"
BOUNCE_RECORDED = "250 2.0.0 OK (delivery failure recorded)"
UNKNOWN_RECIPIENT = "550 5.1.1 No such consultation address"
NOT_ACCEPTING = "550 5.7.1 This consultation address does not accept new mail now"
TOO_BIG = f"552 5.3.4 Message too big (limit {MAX_BYTES} bytes)"
TOO_MANY = "450 4.7.1 Too many new consultations from this address; please try again later"
TRY_LATER = "451 4.3.0 Temporary failure, please try again later"


# -- the address ------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    municipality: Municipality
    settings: FrontDoorSettings
    #: The plus part of the address (a thread's mail_token), or "".
    tag: str


def split_address(address: str) -> tuple[str, str, str]:
    """``soudan+tag@Host`` → ``("soudan", "tag", "host")`` (local part as written)."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    base, _, tag = local.partition("+")
    return base, tag, domain.lower()


def find_recipient(address: str) -> Recipient | None:
    """The municipality whose consultation address ``address`` is (plus part allowed)."""
    base, tag, domain = split_address(address)
    if not base or not domain:
        return None
    row = (
        FrontDoorSettings.all_tenants.select_related("municipality")
        .filter(mail_address__iexact=f"{base}@{domain}")
        .order_by("pk")
        .first()
    )
    if row is None:
        return None
    return Recipient(row.municipality, row, tag)


# -- the text ---------------------------------------------------------------


@dataclass
class Parsed:
    message_id: str
    sender: str
    text: str
    references: list[str]
    auto: bool
    #: content types of the attachments dropped (never their names or contents).
    dropped: list[str] = field(default_factory=list)
    #: A delivery status notification (RFC 3464) that a mail was not delivered:
    #: the Message-IDs of the returned mail, and the status code reported.
    undelivered: list[str] = field(default_factory=list)
    status: str = ""


_MSGID = re.compile(r"<[^<>\s]+>")
_ATTRIBUTION = re.compile(
    r"^\s*(On\s.+\swrote:|.+(さん|様)?(は|が)?書きました\s*[:：]?|"
    r"-{2,}\s*(Original Message|元のメッセージ|Forwarded message)\s*-{2,})\s*$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The resident's own words: quoted lines ("> …") go, and so does an
    attribution line ("On … wrote:", "…書きました：", "-----Original Message-----")
    with whatever follows it when all of that is quoted or blank."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        if _ATTRIBUTION.match(line):
            rest = [other for other in lines[index + 1 :] if other.strip()]
            if all(other.lstrip().startswith(">") for other in rest) or line.lstrip().startswith(
                "--"
            ):
                break
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def html_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", markup)
    text = html.unescape(strip_tags(markup))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.split("\n")))


_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")


def failed_delivery(message: EmailMessage) -> tuple[list[str], str]:
    """What a bounce says: the Message-IDs of the mail that could not be
    delivered and the status code given (``5.1.1``), when ``message`` is a
    delivery status notification (``multipart/report; report-type=delivery-status``,
    RFC 3464) with a recipient whose ``Action`` is ``failed``; else nothing.
    The returned mail is read from the report's third part, the whole message
    (``message/rfc822``) or its headers (``text/rfc822-headers``)."""
    if message.get_content_type() != "multipart/report" or (
        str(message.get_param("report-type", "") or "").lower() != "delivery-status"
    ):
        return [], ""
    failed, status, returned = False, "", []
    for part in message.walk():
        kind = part.get_content_type()
        payload = part.get_payload()
        if kind == "message/delivery-status" and isinstance(payload, list):
            for block in payload:
                if not isinstance(block, email.message.Message):
                    continue
                if str(block.get("Action", "")).strip().lower() == "failed":
                    failed = True
                    code = _STATUS.search(str(block.get("Status", "")))
                    status = status or (code[0] if code else "")
        elif kind == "message/rfc822" and isinstance(payload, list) and payload:
            original = payload[0]
            if isinstance(original, email.message.Message):
                returned += _MSGID.findall(str(original.get("Message-ID", "") or ""))
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            headers = email.message_from_bytes(
                raw if isinstance(raw, bytes) else b"", policy=email.policy.default
            )
            returned += _MSGID.findall(str(headers.get("Message-ID", "") or ""))
    return (returned, status) if failed else ([], "")


def parse(raw: bytes) -> Parsed:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, UnicodeError, ValueError):
            content = ""
        if isinstance(content, str):
            text = html_text(content) if body.get_content_subtype() == "html" else content
    attachments = list(message.iter_attachments()) if message.is_multipart() else []
    dropped = [part.get_content_type() for part in attachments]
    # Inline parts that are not text (an image pasted into the mail) are not kept either.
    for part in message.walk():
        if part.is_multipart() or part is body or any(part is a for a in attachments):
            continue
        if part.get_content_maintype() != "text":
            dropped.append(part.get_content_type())
    message_id = str(message.get("Message-ID", "") or "").strip()
    if not _MSGID.fullmatch(message_id):
        # No usable Message-ID: the message's own digest stands in, so that a
        # redelivery is still recognised.
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    references = _MSGID.findall(
        f"{message.get('In-Reply-To', '') or ''} {message.get('References', '') or ''}"
    )
    auto = str(message.get("Auto-Submitted", "no") or "no").strip().lower() != "no" or str(
        message.get("Precedence", "") or ""
    ).strip().lower() in {"bulk", "junk", "list", "auto_reply"}
    sender = parseaddr(str(message.get("From", "") or ""))[1]
    undelivered, status = failed_delivery(message)
    return Parsed(
        message_id[:200],
        sender,
        strip_quoted(text),
        references,
        auto or bool(undelivered),
        dropped,
        undelivered,
        status,
    )


# -- the language -------------------------------------------------------------

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_VIETNAMESE = re.compile(r"[\u1ea0-\u1ef9ơưăđƠƯĂĐ]")
_PORTUGUESE = re.compile(
    r"[ãõç]|\b(você|voce|obrigad[oa]|olá|ola|não|nao|preciso|ajuda|estou|minha|meu|"
    r"filho|filha|trabalho|bom dia|boa tarde)\b",
    re.IGNORECASE,
)
_LATIN = re.compile(r"[A-Za-z]")


def guess_language(text: str) -> str:
    """The public language the text is most likely written in, by its script:
    hangul → Korean; kana → Japanese; Chinese characters with no kana → Chinese
    (Japanese prose always has kana); Vietnamese letters → Vietnamese; Latin
    letters → Portuguese where Portuguese marks or words appear, else English;
    anything else → Japanese."""
    if _HANGUL.search(text):
        return Language.KO
    if _KANA.search(text):
        return Language.JA
    if len(_HAN.findall(text)) >= 2:
        return Language.ZH_HANS
    if _VIETNAMESE.search(text):
        return Language.VI
    if len(_LATIN.findall(text)) >= 3:
        return Language.PT_BR if _PORTUGUESE.search(text) else Language.EN
    return Language.JA


# -- the thread -------------------------------------------------------------


def bounce_reason(status: str) -> str:
    """What staff read on a reply the resident's mail server returned."""
    reason = gettext("相手のメールサーバーから届かなかったと通知がありました")
    return f"{reason}（{status}）" if status else reason


def _note(dropped: list[str]) -> str:
    kinds = "、".join(sorted(set(dropped)))
    return f"［添付ファイル {len(dropped)}件（{kinds}）は受け取れないため、保存せずに破棄しました］"


#: Kept on a message that joined a thread from another address than the one
#: the thread answers (the resident's other mail program, or someone the reply
#: address was forwarded to): staff see it, and replies still go to the thread's.
OTHER_SENDER = (
    "［この相談のメールアドレスとは別のアドレスから届きました。返信は元のアドレスに送られます］"
)


def _body(parsed: Parsed, *, other_sender: bool = False) -> str:
    notes = [_note(parsed.dropped)] if parsed.dropped else []
    if other_sender:
        notes.append(OTHER_SENDER)
    note = "\n".join(notes)
    room = BODY_LIMIT - text_length(note) - 2
    text = parsed.text
    if text_length(text) > room:
        cut = "\n［長いため以下を省略しました］"
        text = text[: room - len(cut)].rstrip() + cut
    return "\n\n".join(part for part in (text, note) if part) or "［本文がありません］"


def _sender_address(parsed: Parsed, envelope_from: str) -> str:
    for candidate in (parsed.sender, envelope_from):
        candidate = (candidate or "").strip()
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return candidate[:254]
    return ""


def _thread_for(recipient: Recipient, parsed: Parsed) -> Thread | None:
    threads = Thread.objects.filter(channel=Channel.MAIL, anonymised_at__isnull=True)
    if recipient.tag:
        by_token = threads.filter(mail_token=recipient.tag).first()
        if by_token is not None:
            return by_token
    if parsed.references:
        answered = (
            Message.objects.filter(thread__in=threads, external_id__in=parsed.references[-50:])
            .order_by("-sent_at", "-pk")
            .select_related("thread")
            .first()
        )
        if answered is not None:
            return answered.thread
    return None


def accept(raw: bytes, recipient_address: str, envelope_from: str = "") -> str:
    """Take one delivered message for one recipient; returns the SMTP/LMTP reply."""
    if len(raw) > MAX_BYTES:
        return TOO_BIG
    recipient = find_recipient(recipient_address)
    if recipient is None:
        return UNKNOWN_RECIPIENT
    parsed = parse(raw)
    with tenancy.tenant_context(recipient.municipality), transaction.atomic():
        if Message.objects.filter(
            direction=Direction.INBOUND, external_id=parsed.message_id
        ).exists():
            log.info("mail duplicate: municipality=%s", recipient.municipality.code)
            return DUPLICATE
        if parsed.undelivered:
            # A bounce of one of our replies: the reply is marked as not
            # delivered, for staff to reach the resident another way.
            returned = Message.objects.filter(
                direction=Direction.OUTBOUND,
                thread__channel=Channel.MAIL,
                external_id__in=parsed.undelivered[:20],
            ).select_related("thread")
            for undelivered in returned:
                services.undelivered(undelivered, bounce_reason(parsed.status))
            log.info(
                "mail bounce: municipality=%s replies_marked=%d",
                recipient.municipality.code,
                len(returned),
            )
            return BOUNCE_RECORDED if returned else DROPPED
        if parsed.auto or not envelope_from.strip("<>"):
            # A bounce or an automatic answer (an absence notice answering a
            # reply) neither opens a thread nor reopens one.
            log.info("mail automatic, dropped: municipality=%s", recipient.municipality.code)
            return DROPPED
        sender = _sender_address(parsed, envelope_from)
        thread = _thread_for(recipient, parsed)
        if thread is not None:
            other_sender = bool(thread.mail_address) and (
                sender.lower() != thread.mail_address.lower()
            )
        else:
            other_sender = False
            if not recipient.settings.accepting:
                return NOT_ACCEPTING
            # The public page's limit on new threads per address, per mail address.
            if not public.may_open_thread(public.keyed_hash(sender)):
                return TOO_MANY
            thread = services.open_thread(
                channel=Channel.MAIL,
                mail_address=sender,
                language=guess_language(parsed.text),
            )
            public.count_new_thread(public.keyed_hash(sender))
        services.receive(
            thread, _body(parsed, other_sender=other_sender), external_id=parsed.message_id
        )
    log.info(
        "mail received: municipality=%s thread=%s dropped_attachments=%d",
        recipient.municipality.code,
        thread.number,
        len(parsed.dropped),
    )
    return ACCEPTED


def accept_safely(raw: bytes, recipient_address: str, envelope_from: str = "") -> str:
    """:func:`accept` for the server: a failure is a temporary one (the sending
    server tries again) and is logged without the message."""
    close_old_connections()
    try:
        return accept(raw, recipient_address, envelope_from)
    except Exception:
        log.exception("mail not taken (temporary failure)")
        return TRY_LATER
    finally:
        # The receiver's worker threads come and go: no connection is left open in one.
        connection.close()


def known_recipient(address: str) -> bool:
    close_old_connections()
    try:
        return find_recipient(address) is not None
    finally:
        connection.close()


# -- the server -------------------------------------------------------------


class Handler:
    """aiosmtpd handler: recipients are checked at RCPT, each message at DATA.
    The database work runs in a worker thread (the ORM is synchronous)."""

    def __init__(self, *, lmtp: bool) -> None:
        self.lmtp = lmtp

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not await asyncio.to_thread(known_recipient, address):
            return UNKNOWN_RECIPIENT
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or b""
        replies = [
            await asyncio.to_thread(accept_safely, raw, address, envelope.mail_from or "")
            for address in envelope.rcpt_tos
        ]
        if self.lmtp:
            # LMTP answers DATA once per accepted recipient (RFC 2033 4.2).
            return "\r\n".join(replies)
        failed = [reply for reply in replies if not reply.startswith("250")]
        return failed[0] if failed and len(failed) == len(replies) else ACCEPTED


class MailController(Controller):
    def __init__(self, *, host: str, port: int, lmtp: bool = True) -> None:
        self.lmtp = lmtp
        super().__init__(Handler(lmtp=lmtp), hostname=host, port=port)

    def factory(self) -> SMTP:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(
            self.handler,
            data_size_limit=MAX_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            ident="tsunagu",
        )


def serve(host: str, port: int, *, lmtp: bool = True) -> MailController:
    """Start the receiving server (in its own thread); ``stop()`` it when done."""
    controller = MailController(host=host, port=port, lmtp=lmtp)
    controller.start()
    return controller
