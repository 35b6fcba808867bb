"""Reading a JSON document sent to the product (an API body, an HSDS file).

Python's parser refuses nothing a client may send on purpose or by mistake:
990 nested arrays exhaust the stack (a RecursionError, the server's fault
as far as the client can tell), ``NaN`` and ``Infinity`` are read as floats
no database column holds. :func:`load_json` answers every such document
with :class:`JsonRefused`, whose message is Japanese and says what to fix;
the callers turn it into their refusal (the API's 400, the import page's
field error, the command's error).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

#: The deepest nesting accepted. HSDS documents, the deepest we take, nest
#: about eight levels (page → service → location → schedule → ...).
MAX_DEPTH = 32


class JsonRefused(ValueError):
    """A document that cannot be read; ``str()`` is the Japanese message."""


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(_("JSON にない値（%(name)s）は使えません。") % {"name": name})


def depth(data: Any) -> int:
    """How deeply ``data`` nests (a scalar: 0), counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level + 1)
            stack.extend((item, level + 1) for item in value if isinstance(item, dict | list))
    return deepest


def load_json(raw: bytes | str) -> Any:
    """The parsed document, or JsonRefused with a Japanese message."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JsonRefused(_("本文を UTF-8 の JSON にしてください。")) from None
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise JsonRefused(too_deep_message()) from None
    except JsonRefused:
        raise
    except ValueError as error:
        line = getattr(error, "lineno", "?")
        raise JsonRefused(
            _("JSON として読み取れません（%(line)s行目）。") % {"line": line}
        ) from None
    if depth(data) > MAX_DEPTH:
        raise JsonRefused(too_deep_message())
    return data


def too_deep_message() -> str:
    return _("JSON の入れ子が深すぎます（%(max)s段まで）。") % {"max": MAX_DEPTH}
