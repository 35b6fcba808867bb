"""Staff replies to a mail thread go out by SMTP (``services.SENDERS["mail"]``).

The mail comes From the municipality's consultation address, in the name of the
window that answered (never a staff member's name), with Reply-To the thread's
own address ``soudan+<mail_token>@…`` and In-Reply-To/References to the
resident's mails, so that the resident's answer comes back to the same thread.
Its Message-ID is returned and kept on the message (``external_id``).
The SMTP server is the one the settings name (``TSUNAGU_EMAIL_*``); with none
configured, the reply is not sent and staff see it as 送信できなかった.
"""

from __future__ import annotations

from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext

from tsunagu.frontdoor.models import Direction, FrontDoorSettings, Message


class NotSendable(Exception):
    """The reply cannot go out by mail (no server, no address); kept as the delivery error."""


class NoMailServer(NotSendable):
    pass


class NoConsultationAddress(NotSendable):
    pass


class NoResidentAddress(NotSendable):
    pass


def reply_address(consultation_address: str, mail_token: str) -> str:
    """``soudan@host`` and a thread's token → ``soudan+<token>@host``."""
    local, _, domain = consultation_address.rpartition("@")
    return f"{local}+{mail_token}@{domain}"


def footer(municipality_name: str, window_name: str) -> str:
    lines = [
        "―――",
        f"{municipality_name} {window_name}",
        gettext("このメールに返信すると、相談の続きとして担当の窓口に届きます。"),
        gettext(
            "このメールアドレスは緊急の連絡には使えません。命に関わるときや急ぐときは、"
            "110番（警察）または119番（救急・消防）に電話してください。"
        ),
    ]
    return "\n".join(lines)


def send(message: Message) -> str:
    """Send one outbound message of a mail thread; returns its Message-ID.

    Runs in the thread's municipality (``services.deliver`` sets it)."""
    if not settings.TSUNAGU_EMAIL_HOST:
        raise NoMailServer
    thread = message.thread
    door = FrontDoorSettings.objects.first()
    if door is None or not door.mail_address:
        raise NoConsultationAddress
    if not thread.mail_address or not thread.mail_token:
        raise NoResidentAddress
    address = door.mail_address
    domain = address.rpartition("@")[2]
    municipality = thread.municipality.name
    earlier = list(
        Message.objects.filter(thread=thread, sent_at__lte=message.sent_at)
        .exclude(pk=message.pk)
        .exclude(external_id="")
        .filter(external_id__startswith="<")
        .order_by("sent_at", "pk")
        .values_list("direction", "external_id")
    )
    references = [external_id for _direction, external_id in earlier][-20:]
    last_inbound = next(
        (
            external_id
            for direction, external_id in reversed(earlier)
            if direction == Direction.INBOUND
        ),
        None,
    )
    message_id = make_msgid(domain=domain)
    headers = {"Message-ID": message_id}
    if last_inbound:
        headers["In-Reply-To"] = last_inbound
    if references:
        headers["References"] = " ".join(references)
    with translation.override(thread.language):
        window = message.organization.name if message.organization else gettext("相談窓口")
        subject = gettext("ご相談への返信（受付番号 %(number)s）") % {"number": thread.number}
        body = f"{message.body}\n\n{footer(municipality, window)}\n"
    mail = EmailMessage(
        subject=f"Re: {subject}",
        body=body,
        from_email=formataddr((f"{municipality} {window}", address)),
        to=[thread.mail_address],
        reply_to=[reply_address(address, thread.mail_token)],
        headers=headers,
    )
    mail.send(fail_silently=False)
    return message_id
