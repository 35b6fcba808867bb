"""How the API reads a request: JSON bodies only, within limits, and no text
that cannot be stored (control characters, lone surrogates)."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja.parser import Parser

from tsunagu.api.errors import TOO_LARGE, BodyRefused, ControlCharactersRefused
from tsunagu.core.jsoninput import JsonRefused, load_json
from tsunagu.core.text import text_errors


def _refuse_control_characters(data: Any) -> None:
    found = text_errors(data)
    if found:
        raise ControlCharactersRefused(found)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def read_json_body(request: HttpRequest) -> Any:
    """The request's JSON body, or BodyRefused (415, 413, 400 in Japanese)."""
    if not _is_json(request.content_type or ""):
        raise BodyRefused(
            415, "本文は JSON にして、Content-Type: application/json を付けて送ってください。"
        )
    try:
        raw = request.body
    except RequestDataTooBig:
        raise BodyRefused(413, TOO_LARGE) from None
    try:
        return load_json(raw)
    except JsonRefused as error:
        raise BodyRefused(400, str(error)) from None


class TextParser(Parser):
    """The API's body and query parser: JSON only (with Content-Type saying
    so), within the nesting limit, and no text that cannot be stored (control
    characters other than line breaks and tabs, lone surrogates), as the
    forms refuse (422 at the field)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = read_json_body(request)
        if not isinstance(data, dict):
            # Every body of this API is an object; ninja's schemas would read
            # a list or a number as an object of defaults (``[null, null]``
            # saved an empty participation profile).
            raise ControlCharactersRefused(
                {"__all__": ["本文は JSON のオブジェクト（{…}）にしてください。"]}
            )
        _refuse_control_characters(data)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        _refuse_control_characters(parsed)
        return parsed
