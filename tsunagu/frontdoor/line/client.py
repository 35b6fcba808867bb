"""The Messaging API client of one municipality's channel (line-bot-sdk).

The access token goes only into the SDK's ``Configuration``; nothing here
logs it, and the SDK's own ``debug`` switch (which prints headers) stays off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

from tsunagu.frontdoor.models import LineChannel

#: Seconds to wait for the platform (connect, read): a webhook answers quickly,
#: and a push that hangs is kept as failed rather than holding a request.
TIMEOUT = (3.0, 10.0)
#: For the profile read while LINE waits on the webhook's answer: shorter.
PROFILE_TIMEOUT = (2.0, 3.0)


@contextmanager
def messaging_api(channel: LineChannel) -> Iterator[MessagingApi]:
    configuration = Configuration(
        host=channel.api_base.rstrip("/"), access_token=channel.channel_access_token
    )
    with ApiClient(configuration) as api_client:
        yield MessagingApi(api_client)
