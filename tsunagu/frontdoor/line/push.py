"""Staff replies to a LINE thread go out through the push API.

:func:`send` is ``services.SENDERS["line"]`` (registered by the app's
``ready``): ``services.deliver`` calls it after the reply's commit and keeps
the outcome on the message (sent with the platform's message id, or failed
with the reason staff see in the inbox).

Each message has its own retry key (``X-Line-Retry-Key``), derived from the
message, so that sending the same message again (after a timeout that left
its fate unknown) never reaches the resident twice: LINE answers 409 to a key
it has accepted, with the id of the request that was accepted.
"""

from __future__ import annotations

import uuid

import urllib3
from linebot.v3.messaging import ApiException, PushMessageRequest, TextMessage

from tsunagu.frontdoor.line.client import TIMEOUT, messaging_api
from tsunagu.frontdoor.models import LineChannel, Message
from tsunagu.frontdoor.services import DeliveryError

#: Namespace of the retry keys (uuid5 of the municipality, message and its time).
RETRY_NAMESPACE = uuid.UUID("5b0d6c1e-6f7a-4c55-9a59-0c1f1e3c7a21")


def retry_key(message: Message) -> str:
    return str(
        uuid.uuid5(
            RETRY_NAMESPACE,
            f"{message.municipality_id}:{message.pk}:{message.sent_at.isoformat()}",
        )
    )


def send(message: Message) -> str:
    """Push ``message`` to its thread's LINE contact; the platform's message id
    (or the accepted request's id on a repeated retry key)."""
    contact = message.thread.line_contact
    if contact is None:
        raise DeliveryError("LINEの友だちが結びついていないため送信できません。")
    if not contact.following:
        raise DeliveryError(
            "相手がLINEの友だちを解除（ブロック）しているため送信できません。"
            "別の連絡方法を検討してください。"
        )
    channel = LineChannel.objects.filter(active=True).first()
    if channel is None:
        raise DeliveryError("LINE公式アカウントが設定されていないか、無効になっています。")
    request = PushMessageRequest(
        to=contact.line_user_id,
        messages=[TextMessage(text=message.body, quickReply=None, quoteToken=None)],
        notificationDisabled=False,
        customAggregationUnits=None,
    )
    try:
        with messaging_api(channel) as api:
            response = api.push_message_with_http_info(
                request, x_line_retry_key=retry_key(message), _request_timeout=TIMEOUT
            )
    except ApiException as error:
        if error.status == 409:
            # Sent before under this key (a retry after a lost answer): not again.
            accepted = (error.headers or {}).get("x-line-accepted-request-id", "")
            return f"accepted:{accepted}"
        raise DeliveryError(_status_reason(error.status)) from None
    except urllib3.exceptions.HTTPError:
        raise DeliveryError("LINEに接続できませんでした。時間をおいて再送してください。") from None
    sent = response.data.sent_messages if response.data else []
    if sent:
        return str(sent[0].id)
    return str((response.headers or {}).get("x-line-request-id", ""))


def _status_reason(status: int | None) -> str:
    if status == 401:
        return "LINEのチャネルアクセストークンが正しくありません（設定を確認してください）。"
    if status == 429:
        return "LINEの送信数の上限に達しました。時間をおいて再送してください。"
    if status == 400:
        return "LINEが送信内容を受け付けませんでした（400）。"
    return f"LINEへの送信に失敗しました（{status}）。"
