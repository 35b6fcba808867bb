"""The public JSON API of オンライン相談, on the public host at ``/consult/api/``,
with its own OpenAPI document (``/consult/api/openapi.json``).

A separate NinjaAPI from the staff API: no authentication, no session, and
nothing but a resident's own thread, reached by its secret link token (in
the path) and short code (the ``X-Thread-Code`` header). The same services
and the same limits as the public pages (:mod:`tsunagu.frontdoor.public`).
"""

# No `from __future__ import annotations` here: django-ninja reads the
# schemas' annotations at import time.

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import Header, Schema, Status
from ninja.errors import ValidationError
from pydantic import Field

from tsunagu import policy
from tsunagu.api import errors
from tsunagu.api.document import DocumentedAPI
from tsunagu.api.errors import ErrorOut, FormErrorsOut
from tsunagu.api.parsing import TextParser
from tsunagu.frontdoor import public
from tsunagu.frontdoor.models import Direction, Message, Thread

public_api = DocumentedAPI(
    title="つなぐ オンライン相談 公開API",
    version="1",
    description=(
        "住民が自分の相談だけを始め、読み、書き足すためのAPI。認証はなく、"
        "相談を開いたときに受け取るリンクのトークンと6けたの番号で自分の相談だけを扱えます。"
        "住民に見せる断りの文（番号のまちがい、送信の制限、本文の誤りなど）は、"
        "Accept-Language の言語（ja, en, zh-Hans, ko, vi, pt-BR。ほかは日本語）で返します。"
    ),
    urls_namespace="public_api",
    docs_url=None,
    openapi_url="/openapi.json",
    parser=TextParser(),
)
errors.install(public_api)

#: What any operation may answer besides its own.
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
    422: FormErrorsOut,
    429: ErrorOut,
}

LanguageCode = Literal["ja", "ja-easy", "en", "zh-hans", "ko", "vi", "pt-br"]
TopicCode = Literal[
    "", "income", "housing", "job_search", "health", "family", "childcare", "care",
    "withdrawal", "abuse",
]  # fmt: skip


def _text(limit: int, *, required: bool = False) -> Any:
    """A text field whose length the document states and the public form's own
    check enforces (``public.text_error``, as on the pages, in the resident's
    words and language), not the schema: one rule, one message."""
    if required:
        return Field(..., json_schema_extra={"minLength": 1, "maxLength": limit})
    return Field("", json_schema_extra={"maxLength": limit})


class ThreadIn(Schema):
    body: str = _text(public.BODY_MAX, required=True)
    language: LanguageCode = "ja"
    topic: TopicCode = ""
    district_id: int | None = None
    nickname: str = _text(public.NICKNAME_MAX)
    contact: str = _text(public.CONTACT_MAX)


class ThreadCreated(Schema):
    number: str
    token: str
    code: str
    url: str


class MessageIn(Schema):
    body: str = _text(public.BODY_MAX, required=True)


class MessageOut(Schema):
    direction: Literal["in", "out"]
    body: str
    sent_at: datetime.datetime
    #: The window that answered (a staff reply); staff names are never given.
    organization: str | None


class ThreadOut(Schema):
    number: str
    status: Literal["open", "closed", "converted"]
    language: LanguageCode
    messages: list[MessageOut]


def _message(message: Message) -> dict[str, Any]:
    return {
        "direction": message.direction,
        "body": message.body,
        "sent_at": timezone.localtime(message.sent_at),
        "organization": (
            message.organization.name
            if message.direction == Direction.OUTBOUND and message.organization
            else None
        ),
    }


def _thread(thread: Thread) -> dict[str, Any]:
    return {
        "number": thread.number,
        "status": thread.status,
        "language": thread.language,
        "messages": [_message(m) for m in public.conversation(thread)],
    }


def _refused(errors_: dict[str, Any]) -> Status:
    return errors.invalid(
        {name: [str(message)] for name, message in errors_.items()}, str(public.INPUT_REFUSED)
    )


def _in_residents_words(error: dict[str, Any]) -> str:
    """A schema's refusal as the public form words it (in the active language)."""
    kind = error.get("type")
    if kind in ("missing", "string_too_short") and tuple(error.get("loc", ()))[-1:] == ("body",):
        return str(public.REQUIRED)
    if kind in ("literal_error", "enum", "int_parsing", "int_type"):
        return str(public.BAD_CHOICE)
    return str(public.INPUT_UNREADABLE)


@public_api.exception_handler(ValidationError)
def _refused_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """What the schemas refuse, field by field as in the staff API, in the
    words and language of the public form."""
    fields: dict[str, list[str]] = {}
    for error, field in zip(exc.errors, errors.error_fields(exc.errors), strict=True):
        fields.setdefault(field, []).append(_in_residents_words(error))
    return public_api.create_response(
        request, {"detail": str(public.INPUT_REFUSED), "errors": fields}, status=422
    )


@public_api.exception_handler(errors.ControlCharactersRefused)
def _refused_characters(request: HttpRequest, exc: errors.ControlCharactersRefused) -> HttpResponse:
    return public_api.create_response(
        request,
        {
            "detail": str(public.INPUT_REFUSED),
            "errors": {
                field: [
                    str(public.INPUT_UNREADABLE if field == "__all__" else public.BAD_CHARACTERS)
                ]
                for field in exc.errors
            },
        },
        status=422,
    )


def _own(token: str, code: str) -> Thread:
    access = public.open_own_thread(token, code)
    if access.thread is None:
        with_language = public.LOCKED if access.locked else public.WRONG_CODE
        raise Refused(403, with_language)
    return access.thread


class Refused(Exception):
    """A refusal with the resident's message: a wrong code (403), too many (429)."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = str(detail)


@public_api.exception_handler(Refused)
def _refused_answer(request: HttpRequest, exc: Refused) -> Any:
    return public_api.create_response(request, {"detail": exc.detail}, status=exc.status)


@public_api.post(
    "/threads",
    response={201: ThreadCreated, **ERRORS},
    summary="相談を始める",
    operation_id="public_thread_create",
)
@policy.public_route("住民が名乗らずに相談を始める公開API")
def thread_create(request: HttpRequest, payload: ThreadIn) -> Any:
    if not public.accepting():
        raise Refused(403, public.NOT_ACCEPTING)
    new = public.NewThread(
        body=payload.body,
        topic=payload.topic,
        district_id=payload.district_id,
        nickname=payload.nickname,
        contact=payload.contact,
    )
    found = new.errors()
    if found:
        return _refused({"district_id" if k == "district" else k: v for k, v in found.items()})
    address = public.address_hash(request)
    if not public.may_open_thread(address):
        raise Refused(429, public.RATE_LIMITED)
    thread, token, code = public.open_web_thread(new, language=payload.language, address=address)
    link = f"/consult/{payload.language}/t/{token}/"
    return Status(
        201,
        {
            "number": thread.number,
            "token": token,
            "code": code,
            "url": request.build_absolute_uri(link),
        },
    )


@public_api.get(
    "/threads/{token}",
    response={200: ThreadOut, **ERRORS},
    summary="自分の相談を読む",
    operation_id="public_thread_read",
)
@policy.public_route("住民が秘密のリンクと番号で自分の相談だけを読む公開API")
def thread_read(
    request: HttpRequest, token: str, code: str = Header(..., alias="X-Thread-Code")
) -> Any:
    return _thread(_own(token, code))


@public_api.post(
    "/threads/{token}/messages",
    response={201: MessageOut, **ERRORS},
    summary="自分の相談に書き足す",
    operation_id="public_message_create",
)
@policy.public_route("住民が秘密のリンクと番号で自分の相談に書き足す公開API")
def message_create(
    request: HttpRequest,
    token: str,
    payload: MessageIn,
    code: str = Header(..., alias="X-Thread-Code"),
) -> Any:
    thread = _own(token, code)
    error = public.text_error(payload.body, public.BODY_MAX, required=True)
    if error:
        return _refused({"body": error})
    address = public.address_hash(request)
    if not public.may_write(address, thread):
        raise Refused(429, public.RATE_LIMITED)
    return Status(201, _message(public.write_again(thread, payload.body, address=address)))


def accepted_language(request: HttpRequest) -> str:
    """The offered language the client asks for first in ``Accept-Language``
    (``vi-VN`` → vi, ``zh-CN`` → zh-hans), else Japanese."""
    header = request.headers.get("Accept-Language", "")[:500]
    for tag, _quality in parse_accept_lang_header(header):
        found = public.language_for_tag(tag)
        if found is not None:
            return found
    return "ja"


def _in_the_clients_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run an operation in the language of ``Accept-Language``: what a resident
    may meet (a wrong code, a locked link, the limits, a text refused) comes
    back in their language, as on the pages."""

    @wraps(view)
    def in_language(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = accepted_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = public.HTML_LANG.get(language, "ja")
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return in_language


def public_api_urls() -> list[URLPattern | URLResolver]:
    """The API's URL patterns, each let past the staff sign-in (it has none)."""
    patterns, _app, _namespace = public_api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            callback = pattern.callback
            if pattern.name == "openapi-json":
                callback = policy.public_route("公開APIのOpenAPI文書")(callback)
            elif pattern.name == "api-root":
                callback = policy.public_route("公開APIの入口（ninjaが文書の場所を引く）")(callback)
            else:
                callback = _in_the_clients_language(callback)
            pattern.callback = login_not_required(callback)
    return patterns
