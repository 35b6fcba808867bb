"""A local LINE platform for the tests: these machines cannot reach LINE.

Both sides of what LINE documents for the Messaging API, as far as we use it
(https://developers.line.biz/en/reference/messaging-api/):

- the server: a real HTTP server on 127.0.0.1 answering
  ``POST /v2/bot/message/push`` and ``POST /v2/bot/message/reply`` as the
  platform does: the channel access token as a Bearer token (401 otherwise),
  the JSON body's shape (400 with ``details``), a reply token used once, and
  ``X-Line-Retry-Key`` (a UUID; a key already accepted answers 409 with the
  ``X-Line-Accepted-Request-Id`` of the request it accepted), and
  ``GET /v2/bot/profile/{userId}`` (the profile of a user who added the
  account, ``language`` only where the user has one; 404 otherwise). Each
  response carries an ``X-Line-Request-Id``. What arrives is recorded for the test.
- the client: webhook deliveries built as LINE builds them — ``destination``
  and ``events``, each event with its ``webhookEventId`` and
  ``deliveryContext.isRedelivery``, the raw UTF-8 JSON body signed with the
  channel secret (base64 of HMAC-SHA256) in ``X-Line-Signature`` — and
  POSTed to our server over HTTP (or through Django's test client).

Nothing of ours is replaced: the product talks to this server through
line-bot-sdk exactly as it would talk to api.line.me.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_user_id() -> str:
    return "U" + secrets.token_hex(16)


def new_event_id() -> str:
    return "01" + "".join(secrets.choice(ULID_ALPHABET) for _ in range(24))


def sign(secret: str, body: bytes) -> str:
    """``X-Line-Signature``: base64 of the HMAC-SHA256 of the raw body with the channel secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Received:
    """One API request the platform accepted."""

    path: str
    body: dict[str, Any]
    retry_key: str | None
    request_id: str


@dataclass
class LinePlatform:
    """One channel on the local platform (its bot, secret and token)."""

    channel_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    access_token: str = field(default_factory=lambda: secrets.token_urlsafe(96))
    bot_user_id: str = field(default_factory=new_user_id)
    pushed: list[Received] = field(default_factory=list)
    replied: list[Received] = field(default_factory=list)
    refused: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    #: userId → the profile the platform answers for that user (a user not here is 404).
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The user ids whose profile was asked for.
    profile_reads: list[str] = field(default_factory=list)
    _reply_tokens: set[str] = field(default_factory=set)
    _retry_keys: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # --- the server -------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the platform first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LinePlatform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                platform._answer(self)

            def do_GET(self) -> None:
                platform._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the tests read what was recorded

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        request_id = str(uuid.uuid4())
        status, answer, headers = self._decide(request, request_id)
        payload = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.send_header("X-Line-Request-Id", request_id)
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(payload)

    def _decide(
        self, request: BaseHTTPRequestHandler, request_id: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        path = request.path
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        profile = request.command == "GET" and path.startswith("/v2/bot/profile/")
        if not profile and (
            request.command != "POST"
            or path not in ("/v2/bot/message/push", "/v2/bot/message/reply")
        ):
            return self._refuse(path, 404, {"message": "Not found"})
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._refuse(
                path,
                401,
                {"message": "Authentication failed. Confirm that the access token in the "
                 "authorization header is valid."},
            )  # fmt: skip
        if profile:
            user_id = path.removeprefix("/v2/bot/profile/")
            with self._lock:
                self.profile_reads.append(user_id)
                found = self.profiles.get(user_id)
            if found is None:  # not a friend, or blocked: recorded in profile_reads
                return 404, {"message": "Not found"}, {}
            return 200, {"userId": user_id, **found}, {}
        if not (request.headers.get("Content-Type") or "").startswith("application/json"):
            return self._refuse(path, 415, {"message": "Unsupported Media Type"})
        try:
            body = json.loads(raw)
        except ValueError:
            return self._refuse(path, 400, {"message": "The request body has 1 error(s)"})
        errors = _message_errors(body)
        if path.endswith("/push"):
            to = body.get("to")
            if not (isinstance(to, str) and len(to) == 33 and to[0] in "UCR"):
                errors.append({"message": "The value is invalid", "property": "to"})
        else:
            token = body.get("replyToken")
            with self._lock:
                if token not in self._reply_tokens:
                    return self._refuse(path, 400, {"message": "Invalid reply token"})
                self._reply_tokens.discard(token)  # a reply token is good once
        if errors:
            return self._refuse(
                path,
                400,
                {"message": f"The request body has {len(errors)} error(s)", "details": errors},
            )
        retry_key = request.headers.get("X-Line-Retry-Key")
        with self._lock:
            if retry_key is not None:
                try:
                    uuid.UUID(retry_key)
                except ValueError:
                    return self._refuse(
                        path, 400, {"message": "The retry key is invalid", "details": []}
                    )
                if retry_key in self._retry_keys:
                    accepted = self._retry_keys[retry_key]
                    self.refused.append((path, 409, body))
                    return (
                        409,
                        {"message": "The retry key is already accepted", "sentMessages": []},
                        {"X-Line-Accepted-Request-Id": accepted},
                    )
                self._retry_keys[retry_key] = request_id
            received = Received(path, body, retry_key, request_id)
            (self.pushed if path.endswith("/push") else self.replied).append(received)
        sent = [
            {"id": str(secrets.randbelow(10**18)), "quoteToken": secrets.token_urlsafe(16)}
            for _message in body["messages"]
        ]
        return 200, {"sentMessages": sent}, {}

    def _refuse(
        self, path: str, status: int, answer: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        self.refused.append((path, status, answer))
        return status, answer, {}

    # --- the client: webhook deliveries -------------------------------------------------

    def _event(
        self,
        kind: str,
        user_id: str,
        *,
        event_id: str | None = None,
        redelivery: bool = False,
        reply: bool = True,
        **extra: Any,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": kind,
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": user_id},
            "webhookEventId": event_id or new_event_id(),
            "deliveryContext": {"isRedelivery": redelivery},
            **extra,
        }
        if reply:
            token = secrets.token_hex(16)
            with self._lock:
                self._reply_tokens.add(token)
            event["replyToken"] = token
        return event

    def text(self, user_id: str, text: str, **options: Any) -> dict[str, Any]:
        message = {
            "type": "text",
            "id": str(secrets.randbelow(10**18)),
            "quoteToken": secrets.token_urlsafe(16),
            "text": text,
        }
        return self._event("message", user_id, message=message, **options)

    def image(self, user_id: str, **options: Any) -> dict[str, Any]:
        message = {
            "type": "image",
            "id": str(secrets.randbelow(10**18)),
            "quoteToken": secrets.token_urlsafe(16),
            "contentProvider": {"type": "line"},
        }
        return self._event("message", user_id, message=message, **options)

    def follow(self, user_id: str, **options: Any) -> dict[str, Any]:
        return self._event("follow", user_id, follow={"isUnblocked": False}, **options)

    def unfollow(self, user_id: str, **options: Any) -> dict[str, Any]:
        # LINE sends no reply token with an unfollow (the user has gone).
        return self._event("unfollow", user_id, reply=False, **options)

    def redelivered(self, event: dict[str, Any]) -> dict[str, Any]:
        """The same event again, as LINE redelivers it (same webhookEventId)."""
        return {**event, "deliveryContext": {"isRedelivery": True}}

    def body(self, events: list[dict[str, Any]], *, destination: str | None = None) -> bytes:
        payload = {"destination": destination or self.bot_user_id, "events": events}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    def headers(self, body: bytes, *, secret: str | None = None) -> dict[str, str]:
        return {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "LineBotWebhook/2.0",
            "X-Line-Signature": sign(secret or self.channel_secret, body),
        }

    def deliver(
        self, base_url: str, events: list[dict[str, Any]], **options: Any
    ) -> tuple[int, bytes]:
        """POST a signed delivery to ``base_url``/hooks/line/ over HTTP: (status, body)."""
        destination = options.pop("destination", None)
        body = self.body(events, destination=destination)
        assert base_url.startswith("http://127.0.0.1") or base_url.startswith("http://localhost")
        request = urllib.request.Request(  # noqa: S310 - a local server, asserted above
            f"{base_url}/hooks/line/", data=body, headers=self.headers(body, **options)
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _message_errors(body: Any) -> list[dict[str, str]]:
    if not isinstance(body, dict):
        return [{"message": "Must be an object", "property": ""}]
    messages = body.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return [{"message": "Size must be between 1 and 5", "property": "messages"}]
    errors = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("type") != "text":
            errors.append({"message": "Invalid message type", "property": f"messages[{index}]"})
            continue
        text = message.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 5000:
            errors.append(
                {
                    "message": "Length must be between 1 and 5000",
                    "property": f"messages[{index}].text",
                }
            )
    return errors


def channel_on(platform: LinePlatform, municipality: Any) -> Any:
    """The municipality's LineChannel for ``platform`` (its bot, secret, token and URL)."""
    from tsunagu.core import tenancy
    from tsunagu.frontdoor.models import LineChannel

    with tenancy.tenant_context(municipality):
        return LineChannel.objects.create(
            bot_user_id=platform.bot_user_id,
            channel_secret=platform.channel_secret,
            channel_access_token=platform.access_token,
            api_base=platform.url,
        )
