"""Writes of オンライン相談: what arrives from a resident and what staff send back.

One home for a thread's life: every channel (the public page, the LINE webhook,
inbound mail) calls :func:`receive`; every staff action goes through a function
here, which keeps the thread's derived fields, its history and the audit event
in one transaction. Sending out on LINE or by mail is the channel's own module,
registered in :data:`SENDERS`, and runs after the commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tsunagu.accounts.models import Staff
from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.directory.models import Organization
from tsunagu.frontdoor import crisis
from tsunagu.frontdoor.models import (
    Channel,
    Delivery,
    Direction,
    EventKind,
    Message,
    Status,
    Thread,
    ThreadEvent,
    TriageRule,
)

#: channel → function that sends one outbound message (raises on failure).
#: The LINE and mail modules register themselves here when their app loads.
SENDERS: dict[str, Callable[[Message], str]] = {}


class DeliveryError(Exception):
    """A sender's refusal with a reason staff may read (no personal data, no
    secret): kept on the failed message and shown in the inbox."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def code_digest(token_hash: str, code: str) -> str:
    """The stored form of a thread's short code: keyed to the server and to the
    thread's link. The code is a second factor beside a 256-bit link that is
    itself kept only as a digest, so a copy of the database opens no thread,
    and online guessing is stopped by the lockout: a slow password hash (Argon2,
    100 MB a check) would only make every resident's visit costly."""
    return salted_hmac("tsunagu.frontdoor.code", f"{token_hash}:{code}").hexdigest()


def new_secret() -> str:
    """The secret of a resident's link (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def triage(thread: Thread) -> Organization | None:
    """The window a new thread goes to: the most specific matching rule, else None
    (the coordinating section triages)."""
    best: tuple[int, TriageRule] | None = None
    for rule in TriageRule.objects.select_related("organization"):
        if rule.topic and rule.topic != thread.topic:
            continue
        if rule.language and rule.language != thread.language:
            continue
        if rule.district_id and rule.district_id != thread.district_id:
            continue
        score = bool(rule.topic) + bool(rule.language) + bool(rule.district_id)
        if best is None or score > best[0]:
            best = (score, rule)
    return best[1].organization if best else None


@transaction.atomic
def open_thread(
    *,
    channel: str,
    language: str = "ja",
    topic: str = "",
    district_id: int | None = None,
    nickname: str = "",
    contact: str = "",
    mail_address: str = "",
    line_contact_id: int | None = None,
) -> Thread:
    """A new thread in the current municipality, assigned by the triage rules."""
    thread = Thread(
        channel=channel,
        language=language,
        topic=topic,
        district_id=district_id,
        nickname=nickname,
        contact=contact,
        mail_address=mail_address,
        line_contact_id=line_contact_id,
    )
    if channel == Channel.MAIL:
        thread.mail_token = secrets.token_hex(8)
    thread.organization = triage(thread)
    thread.save()
    return thread


def set_public_secret(thread: Thread) -> tuple[str, str]:
    """Give a web thread its secret link token and short code; returns both in clear
    (shown once on the receipt, stored only as hashes)."""
    token = new_secret()
    code = f"{secrets.randbelow(10**6):06d}"
    thread.token_hash = token_digest(token)
    thread.code_hash = code_digest(thread.token_hash, code)
    thread.save(update_fields=["token_hash", "code_hash"])
    return token, code


@transaction.atomic
def receive(thread: Thread, body: str, *, external_id: str = "") -> Message:
    """A resident's message arrives on ``thread`` (any channel).

    Crisis words raise the thread; a closed thread opens again (the resident
    wrote back), a converted one stays converted and keeps the message."""
    now = timezone.now()
    message = Message.objects.create(
        thread=thread,
        direction=Direction.INBOUND,
        body=body,
        sent_at=now,
        external_id=external_id,
        delivery=Delivery.ON_PAGE,
    )
    fields = ["last_inbound_at", "version"]
    thread.last_inbound_at = now
    found = crisis.crisis_words(body)
    if found:
        thread.crisis = True
        thread.crisis_words = sorted({*thread.crisis_words, *found})
        fields += ["crisis", "crisis_words"]
    if thread.status == Status.CLOSED:
        thread.status = Status.OPEN
        thread.closed_at = None
        fields += ["status", "closed_at"]
        ThreadEvent.objects.create(thread=thread, kind=EventKind.REOPENED, occurred_at=now)
    thread.version += 1
    thread.save(update_fields=fields)
    ThreadEvent.objects.create(
        thread=thread,
        kind=EventKind.RECEIVED,
        occurred_at=now,
        detail={"message": message.pk, "crisis": bool(found)},
    )
    return message


@transaction.atomic
def reply(thread: Thread, body: str, *, staff: Staff, organization: Organization) -> Message:
    """Staff answer a thread. LINE and mail go out after the commit through
    :data:`SENDERS`; a web reply waits on the resident's page."""
    now = timezone.now()
    sender = SENDERS.get(thread.channel)
    message = Message.objects.create(
        thread=thread,
        direction=Direction.OUTBOUND,
        body=body,
        sent_at=now,
        author=staff,
        organization=organization,
        delivery=Delivery.PENDING if sender else Delivery.ON_PAGE,
    )
    fields = ["version"]
    if thread.first_response_at is None:
        thread.first_response_at = now
        fields.append("first_response_at")
    thread.version += 1
    thread.save(update_fields=fields)
    ThreadEvent.objects.create(
        thread=thread,
        kind=EventKind.REPLIED,
        actor=staff,
        organization=organization,
        occurred_at=now,
        detail={"message": message.pk},
    )
    if sender is not None:
        transaction.on_commit(lambda: deliver(message.pk, thread.municipality_id))
    return message


def deliver(message_pk: int, municipality_id: int) -> None:
    """Send one pending outbound message through its channel; the outcome is kept on it."""
    municipality = Municipality.objects.get(pk=municipality_id)
    token = tenancy.activate(municipality)
    try:
        message = Message.objects.select_related("thread").get(pk=message_pk)
        sender = SENDERS.get(message.thread.channel)
        if sender is None or message.delivery != Delivery.PENDING:
            return
        try:
            message.external_id = sender(message)[:200]
        except Exception as error:  # kept on the message, shown to staff
            message.delivery = Delivery.FAILED
            reason = str(error) if isinstance(error, DeliveryError) else type(error).__name__
            message.delivery_error = reason[:200]
        else:
            message.delivery = Delivery.SENT
            message.delivery_error = ""
        message.save(update_fields=["delivery", "delivery_error", "external_id"])
    finally:
        tenancy.deactivate(token)


def undelivered(message: Message, reason: str) -> None:
    """A reply that left but did not arrive (a mail server's bounce): kept on
    the message as not delivered, with the reason, as a failure to send is."""
    if message.delivery == Delivery.FAILED:
        return
    message.delivery = Delivery.FAILED
    message.delivery_error = reason[:200]
    message.save(update_fields=["delivery", "delivery_error"])
