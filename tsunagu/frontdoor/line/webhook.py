"""The LINE webhook: the platform delivers what residents send to the account.

Order matters, and each step guards the next:

1. the body's size is bounded before it is read;
2. the ``destination`` (the bot's user id) names the municipality's channel;
3. the ``X-Line-Signature`` is checked with *that* channel's secret
   (line-bot-sdk's ``SignatureValidator``) before anything is stored: a
   missing or forged signature is answered 400 and leaves no row;
4. each event is handled in its own transaction together with the row that
   marks its ``webhookEventId`` as handled, so a redelivery (LINE resends an
   event it did not see answered) or a duplicate changes nothing.

The answer is 200 once the events are stored; a reply through the reply API
(the greeting after a follow, the note on an image) is sent after the commit
and its failure costs the resident only that courtesy.

Logs name the channel and the event ids, never the secret, the signature
or what the resident wrote.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from linebot.v3.messaging import ReplyMessageRequest, TextMessage
from linebot.v3.webhook import SignatureValidator
from linebot.v3.webhooks import (
    Event,
    EventMode,
    FollowEvent,
    MessageEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from tsunagu import policy
from tsunagu.core import tenancy
from tsunagu.core.text import control_characters, lone_surrogates
from tsunagu.frontdoor import public, services
from tsunagu.frontdoor.line.client import PROFILE_TIMEOUT, TIMEOUT, messaging_api
from tsunagu.frontdoor.models import (
    Channel,
    LineChannel,
    LineContact,
    LineWebhookEvent,
    Status,
    Thread,
)

logger = logging.getLogger(__name__)

#: The largest body taken (LINE sends at most a few kB per delivery; text is
#: at most 5,000 characters per message and a delivery holds few events).
MAX_BODY_BYTES = 256 * 1024
#: What a stored message may hold (Message.body); a longer text is kept whole,
#: in consecutive messages.
CHUNK = 4000
#: The note kept on the thread when a resident sends what is not text: staff
#: see that something was sent (and may ask for it in words); the file is
#: never fetched or stored.
NOT_TEXT_NOTE = "（画像などは受け付けていません）"


def _refuse(status: int) -> HttpResponse:
    return JsonResponse({}, status=status)


def _channel_for(destination: Any, body: str, signature: str) -> LineChannel | None:
    """The active channel whose bot user id is ``destination`` and whose secret
    signed ``body``; None for any other delivery."""
    if not isinstance(destination, str) or not destination or not signature:
        return None
    for channel in LineChannel.all_tenants.filter(bot_user_id=destination, active=True):
        if SignatureValidator(channel.channel_secret).validate(body, signature):
            return channel
    return None


@csrf_exempt
@require_POST
@policy.public_route("the LINE platform delivers residents' messages")
def line_webhook(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400)
    if length > MAX_BODY_BYTES:
        return _refuse(413)
    raw = request.body
    if len(raw) > MAX_BODY_BYTES:
        return _refuse(413)
    try:
        body = raw.decode("utf-8")
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        logger.warning("LINE webhook: a body that is not JSON was refused")
        return _refuse(400)
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        logger.warning("LINE webhook: a body without events was refused")
        return _refuse(400)
    channel = _channel_for(
        payload.get("destination"), body, request.headers.get("X-Line-Signature", "")
    )
    if channel is None:
        # The destination is not ours, or the signature is missing or forged.
        logger.warning("LINE webhook: a delivery with no valid signature was refused")
        return _refuse(400)
    token = tenancy.activate(channel.municipality)
    try:
        handled = sum(_handle(channel, raw_event) for raw_event in payload["events"])
    finally:
        tenancy.deactivate(token)
    logger.info(
        "LINE webhook: channel %s, %s event(s), %s handled",
        channel.pk,
        len(payload["events"]),
        handled,
    )
    return JsonResponse({})


def _parse(raw_event: Any) -> Event | None:
    if not isinstance(raw_event, dict):
        return None
    try:
        return Event.from_dict(raw_event)
    except (ValueError, TypeError):
        # An event type this SDK does not know, or a malformed one: its
        # message may quote the event (what a resident wrote), so only the type is logged.
        logger.info(
            "LINE webhook: an event of type %r was skipped", str(raw_event.get("type"))[:30]
        )
        return None


def _handle(channel: LineChannel, raw_event: Any) -> bool:
    """Handle one event once; False when it was skipped (seen before, or not ours)."""
    event = _parse(raw_event)
    if event is None or not event.webhook_event_id:
        return False
    redelivery = bool(event.delivery_context and event.delivery_context.is_redelivery)
    # The profile is asked for before the transaction (no lock is held while
    # LINE answers), on a follow and for a resident not seen before; not for
    # an event handled before (a redelivery changes nothing).
    user_id = _user_id(event)
    language = None
    seen = LineWebhookEvent.objects.filter(webhook_event_id=event.webhook_event_id[:64])
    if (
        user_id is not None
        and not seen.exists()
        and (
            isinstance(event, FollowEvent)
            or (
                isinstance(event, MessageEvent)
                and not LineContact.objects.filter(line_user_id=user_id).exists()
            )
        )
    ):
        language = profile_language(channel, user_id)
    with transaction.atomic():
        try:
            # First, so that a second delivery running at the same time waits on
            # the unique key and then fails instead of doing the work twice.
            with transaction.atomic():
                LineWebhookEvent.objects.create(
                    webhook_event_id=event.webhook_event_id[:64],
                    kind=str(event.type)[:30],
                    redelivery=redelivery,
                )
        except IntegrityError:
            logger.info("LINE webhook: event %s was handled before", event.webhook_event_id[:64])
            return False
        _apply(channel, event, language)
    return True


def _user_id(event: Event) -> str | None:
    source = event.source
    if isinstance(source, UserSource) and source.user_id:
        return source.user_id[:64]
    # Group chats and rooms are no consultation: the account is for one resident at a time.
    return None


def profile_language(channel: LineChannel, user_id: str) -> str | None:
    """The resident's language from their LINE profile, or None (no language
    in the profile, or LINE did not answer in time: the greeting then goes in
    Japanese). Only the language is read: the name, picture and status message
    the profile also holds are neither kept nor logged."""
    try:
        with messaging_api(channel) as api:
            profile = api.get_profile(user_id, _request_timeout=PROFILE_TIMEOUT)
    except Exception as error:
        logger.info("LINE profile not read for channel %s: %s", channel.pk, type(error).__name__)
        return None
    return public.language_for_tag(profile.language)


def _apply(channel: LineChannel, event: Event, language: str | None = None) -> None:
    user_id = _user_id(event)
    if user_id is None:
        return
    if isinstance(event, FollowEvent):
        contact = _contact(user_id)
        contact.following = True
        contact.followed_at = timezone.now()
        contact.language = language or contact.language
        contact.save(update_fields=["following", "followed_at", "language"])
        _reply_after_commit(channel, event.reply_token, contact.language, greeting)
    elif isinstance(event, UnfollowEvent):
        contact = _contact(user_id)
        contact.following = False
        contact.unfollowed_at = timezone.now()
        contact.save(update_fields=["following", "unfollowed_at"])
    elif isinstance(event, MessageEvent) and event.mode == EventMode.ACTIVE:
        contact = _contact(user_id)
        if language and contact.language != language:
            contact.language = language
            contact.save(update_fields=["language"])
        thread = _open_thread(contact)
        if isinstance(event.message, TextMessageContent):
            text = _clean(event.message.text)
            for start in range(0, max(len(text), 1), CHUNK):
                services.receive(thread, text[start : start + CHUNK], external_id=event.message.id)
        else:
            services.receive(thread, NOT_TEXT_NOTE, external_id=event.message.id)
            _reply_after_commit(channel, event.reply_token, contact.language, not_text_reply)


def _contact(user_id: str) -> LineContact:
    contact, _created = LineContact.objects.get_or_create(
        line_user_id=user_id, defaults={"followed_at": timezone.now()}
    )
    return contact


def _open_thread(contact: LineContact) -> Thread:
    """The contact's open thread, else a new one in the contact's language
    (a message after a thread was closed or made a 相談受付 starts a new one)."""
    thread = (
        Thread.objects.select_for_update()
        .filter(line_contact=contact, status=Status.OPEN)
        .order_by("-opened_at", "-pk")
        .first()
    )
    if thread is not None:
        return thread
    return services.open_thread(
        channel=Channel.LINE, language=contact.language, line_contact_id=contact.pk
    )


def _clean(text: str) -> str:
    """The text without control characters and lone surrogates (no database
    takes them, and they carry nothing a person wrote)."""
    for char in {*control_characters(text), *lone_surrogates(text)}:
        text = text.replace(char, "")
    return text


def greeting() -> str:
    return _(
        "友だち追加ありがとうございます。このアカウントでは、暮らしの困りごとのご相談を"
        "受け付けています。ここに書いて送ってください。職員が読んで、開庁日にお返事します。\n"
        "命に関わるときや今すぐ助けが必要なときは、110番（警察）・119番（救急・消防）に"
        "電話してください。"
    )


def not_text_reply() -> str:
    return _(
        "申し訳ありません。画像・スタンプ・ファイルなどは受け付けていません。"
        "ご相談の内容は文字で送ってください。"
    )


def _reply_after_commit(
    channel: LineChannel, reply_token: str | None, language: str, text: Callable[[], str]
) -> None:
    if not reply_token:
        return
    with translation.override(language):
        # The text is put together now, in the resident's language.
        message = TextMessage(text=text(), quickReply=None, quoteToken=None)
    transaction.on_commit(lambda: _reply(channel, reply_token, message), robust=True)


def _reply(channel: LineChannel, reply_token: str, message: TextMessage) -> None:
    """A courtesy through the reply API (free of charge, once per reply token)."""
    try:
        with messaging_api(channel) as api:
            api.reply_message(
                ReplyMessageRequest(
                    replyToken=reply_token, messages=[message], notificationDisabled=False
                ),
                _request_timeout=TIMEOUT,
            )
    except Exception as error:
        logger.warning("LINE reply failed for channel %s: %s", channel.pk, type(error).__name__)
