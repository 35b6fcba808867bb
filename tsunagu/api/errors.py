"""How the API answers what it refuses: one shape, in Japanese.

Every refusal is JSON: ``{"detail": …}`` (ErrorOut), and for refused input
``{"detail": …, "errors": {field: [messages]}}`` (FormErrorsOut). The
handlers are installed on the API by :func:`install` (tsunagu/api/root.py);
operations answer their own refusals with :func:`invalid`.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# schemas' annotations at import time.

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tsunagu.accounts.acting import NotActingFor

INVALID = "入力内容に誤りがあります。"
TOO_LARGE = "本文が大きすぎます。分けて送ってください。"


class ErrorOut(Schema):
    detail: str


class FormErrorsOut(Schema):
    """A refused input: what was wrong, field by field (``__all__`` for the whole)."""

    detail: str
    errors: dict[str, list[str]]


class ControlCharactersRefused(Exception):
    """A body or query refused before the schemas (text that cannot be stored:
    control characters, lone surrogates; a body that is not an object): the
    fields and messages, answered as 422."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("control characters in the request")
        self.errors = errors


class BodyRefused(Exception):
    """A body the API does not read: not JSON (415), too large (413), or not
    a document it can parse (400). ``detail`` is the Japanese answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


HTTP_ERROR_DETAILS = {
    400: "リクエストの形式が正しくありません。",
    401: "ログインが必要です。",
    403: "この操作を行う権限がありません。",
    404: "見つかりません。",
    405: "このメソッドは使えません。",
    413: TOO_LARGE,
    415: "本文は JSON にして、Content-Type: application/json を付けて送ってください。",
    429: "リクエストが多すぎます。しばらく待ってから再度お試しください。",
}


#: Japanese for the checks django-ninja makes of the path, the query and the
#: body before an operation runs (pydantic's error types).
INVALID_MESSAGES = {
    "missing": "このフィールドは必須です。",
    "string_too_short": "%(min_length)s文字以上で入力してください。",
    "string_too_long": "%(max_length)s文字以下で入力してください。",
    "greater_than_equal": "%(ge)s以上の値を指定してください。",
    "greater_than": "%(gt)sより大きい値を指定してください。",
    "less_than_equal": "%(le)s以下の値を指定してください。",
    "less_than": "%(lt)sより小さい値を指定してください。",
    "int_parsing": "整数を指定してください。",
    "int_type": "整数を指定してください。",
    "int_from_float": "整数を指定してください。",
    "float_parsing": "数値を指定してください。",
    "float_type": "数値を指定してください。",
    "bool_parsing": "true か false を指定してください。",
    "bool_type": "true か false を指定してください。",
    "string_type": "文字列を指定してください。",
    "enum": "選べる値のいずれかを指定してください（%(expected)s）。",
    "literal_error": "選べる値のいずれかを指定してください（%(expected)s）。",
    "date_parsing": "日付を 2025-04-01 の形で指定してください。",
    "date_type": "日付を 2025-04-01 の形で指定してください。",
    "date_from_datetime_parsing": "日付を 2025-04-01 の形で指定してください。",
    "date_from_datetime_inexact": "日付を 2025-04-01 の形で指定してください。",
    "datetime_parsing": "日時を 2025-04-01T09:30:00+09:00 の形で指定してください。",
    "datetime_type": "日時を 2025-04-01T09:30:00+09:00 の形で指定してください。",
    "datetime_from_date_parsing": "日時を 2025-04-01T09:30:00+09:00 の形で指定してください。",
    "time_parsing": "時刻を 09:30 の形で指定してください。",
    "uuid_parsing": "UUID の形で指定してください。",
    "uuid_type": "UUID の形で指定してください。",
    "list_type": "配列で指定してください。",
    "dict_type": "オブジェクトで指定してください。",
    "model_type": "オブジェクトで指定してください。",
    "model_attributes_type": "オブジェクトで指定してください。",
    "too_short": "%(min_length)s件以上指定してください。",
    "too_long": "%(max_length)s件以下で指定してください。",
    "json_invalid": "JSON として読み取れません。",
}
#: Errors raised by tsunagu's own types (core.dates, core.text), whose message is Japanese.
OWN_MESSAGES = frozenset({"date_out_of_range", "too_many_words"})
#: Where a value came from, left out of the field name (the body also names its argument).
_SOURCES = {"path": 1, "query": 1, "header": 1, "cookie": 1, "form": 2, "file": 2, "body": 2}


def error_fields(errors: list[dict[str, Any]]) -> list[str]:
    """The field each of django-ninja's errors is about, named as the client
    sent it (``__all__`` for the whole body)."""
    fields = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        fields.append(".".join(loc[_SOURCES.get(loc[0], 0) :] if loc else []) or "__all__")
    return fields


def request_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """django-ninja's errors of a request in the shape of a form's: field name
    (``__all__`` for the whole body) → Japanese messages."""
    found: dict[str, list[str]] = {}
    for error, field in zip(errors, error_fields(errors), strict=True):
        kind = error.get("type")
        context = {k: str(v).replace(" or ", ", ") for k, v in (error.get("ctx") or {}).items()}
        if kind in INVALID_MESSAGES:
            message = INVALID_MESSAGES[kind] % defaultdict(str, context)
        elif (kind is None or kind in OWN_MESSAGES) and error.get("msg"):
            message = str(error["msg"])  # an operation's own message, already in Japanese
        else:
            message = "値が正しくありません。"
        found.setdefault(field, []).append(message)
    return found


#: What any operation may answer besides its own: a malformed body (400),
#: no or a bad login (401), the policy's refusal or a missing CSRF token (403),
#: a missing or invisible object (404), a body over the size cap (413) or not
#: JSON (415), a refused input (422) and too many requests (429).
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
    422: FormErrorsOut,
    429: ErrorOut,
}


def invalid(errors: dict[str, list[str]], detail: str = INVALID) -> Status:
    """422 with Japanese messages keyed by the field they are about (FormErrorsOut)."""
    return Status(422, {"detail": detail, "errors": errors})


def field_errors(
    error: DjangoValidationError, renamed: dict[str, str] | None = None, field: str = "__all__"
) -> dict[str, list[str]]:
    """A Django ValidationError as ``{API field: [messages]}`` (model field names
    renamed to the payload's; a message for no field under ``field``)."""
    renamed = renamed or {}
    if hasattr(error, "error_dict"):
        return {
            renamed.get(name, name): [str(message) for message in messages]
            for name, messages in error.message_dict.items()
        }
    return {field: [str(message) for message in error.messages]}


def install(api: NinjaAPI) -> Any:
    """Answer every refusal of ``api`` in Japanese JSON; returns the 403 answer,
    for refusals made before an operation runs (tsunagu/api/auth.py)."""

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": "ログインが必要です。セッションまたはAPIトークンで認証してください。"},
            status=401,
        )

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        detail = (
            NotActingFor.message
            if isinstance(exc, NotActingFor)
            else "この操作を行う権限がありません。"
        )
        return api.create_response(request, {"detail": detail}, status=403)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, {"detail": "見つかりません。"}, status=404)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja reports any refusal of the body's parser as a 400.
        if isinstance(exc.__cause__, ControlCharactersRefused):
            return control_characters(request, exc.__cause__)
        if isinstance(exc.__cause__, BodyRefused):
            return body_refused(request, exc.__cause__)
        if "CSRF" in str(exc):
            detail = "CSRFトークンがないか、無効です。画面を再読み込みしてからやり直してください。"
        else:
            detail = HTTP_ERROR_DETAILS.get(exc.status_code, "リクエストを処理できませんでした。")
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    @api.exception_handler(BodyRefused)
    def body_refused(request: HttpRequest, exc: BodyRefused) -> HttpResponse:
        return api.create_response(request, {"detail": exc.detail}, status=exc.status)

    @api.exception_handler(RequestDataTooBig)
    def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
        """A body over settings.DATA_UPLOAD_MAX_MEMORY_SIZE (read before the parser)."""
        return api.create_response(request, {"detail": TOO_LARGE}, status=413)

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": "入力内容に誤りがあります。", "errors": request_errors(exc.errors)},
            status=422,
        )

    @api.exception_handler(ControlCharactersRefused)
    def control_characters(request: HttpRequest, exc: ControlCharactersRefused) -> HttpResponse:
        return api.create_response(
            request, {"detail": "入力内容に誤りがあります。", "errors": exc.errors}, status=422
        )

    @api.exception_handler(DjangoValidationError)
    def _refused_by_the_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        """A rule of the model that an operation did not check first (a free text
        over its length, refused as it is saved): 422 at its field."""
        errors = (
            {field: list(messages) for field, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"__all__": list(exc.messages)}
        )
        return api.create_response(
            request, {"detail": "入力内容に誤りがあります。", "errors": errors}, status=422
        )

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
        """A value the database cannot hold (an id of thirty digits) is refused
        input, not a fault of the server; whatever was written is rolled back."""
        return api.create_response(
            request,
            {
                "detail": "入力内容に誤りがあります。",
                "errors": {"__all__": ["保存できない値（大きすぎる数値など）が含まれています。"]},
            },
            status=422,
        )

    return _forbidden
