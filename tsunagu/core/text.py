"""What staff may type into a text field, and what a search may hold.

This module is the one home of the rule for every write: forms (through
``core.forms_base``), the API's body and query (through its parser) and
imports (the HSDS import) all check text with :func:`text_errors` /
:func:`reject_control_characters`.

Any script, emoji (ZWJ sequences included), combining marks, rare kanji
outside the BMP (𠮷) and variation selectors are kept exactly as typed. Control
characters other than the line break and the tab are refused with a message
that names them: they are invisible on the page, break search and printing,
and PostgreSQL cannot store NUL at all. They are refused rather than dropped
so that what is stored is always what the clerk saw in the field.

Lone surrogates (U+D800–U+DFFF, which JSON's ``\\ud800`` escapes can carry
but no UTF-8 text can) are refused the same way: no database can store them.

Free text has a length limit, counted as the clerk sees it (a line break is
one character, though a browser sends it as CR LF): :data:`NOTE_MAX_LENGTH`
for a note, :data:`ACCOUNT_MAX_LENGTH` for an account of its own (a
consultation's summary, minutes, a referral's request). The limits are far
above what is written in practice and far below what harms: a printed sheet
of 20,000 characters runs to some twelve A4 pages, and nothing typed at
a window in one sitting is longer; without a limit the 2.5 MB request cap was
the only one, a million characters no page or PDF lays out in time.

A search is no input to keep, but each of its words costs the database a
condition: :func:`search_words` splits one and refuses more than
:data:`MAX_SEARCH_WORDS` (SQLite's expression depth stops at 1,000, and no
one types 30 words to find a record).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

#: Control characters a text may hold: tab, line feed, carriage return (a
#: browser sends a textarea's line breaks as CR LF).
ALLOWED_CONTROLS = frozenset("\t\n\r")

CONTROL_CHARACTERS_MESSAGE = _(
    "見えない制御文字（%(characters)s）が含まれています。"
    "改行とタブ以外の制御文字は使えません。取り除いてから保存してください。"
)


SURROGATES_MESSAGE = _(
    "文字として読み取れない符号（%(characters)s）が含まれています。取り除いてから保存してください。"
)

#: The longest note (a household's situation, an outreach contact, an activity's memo):
#: some two and a half A4 pages.
NOTE_MAX_LENGTH = 4_000
#: The longest account (a consultation's summary, minutes, a referral's request).
ACCOUNT_MAX_LENGTH = 20_000
TOO_LONG_MESSAGE = _("%(max)s文字以内で入力してください（いまは%(length)s文字です）。")

#: The most words a search may hold.
MAX_SEARCH_WORDS = 30
TOO_MANY_WORDS_MESSAGE = _("検索語が多すぎます。%(max)s語以内にしてください。")


def control_characters(text: str) -> list[str]:
    """The control characters of ``text`` that it may not hold, in order of first appearance."""
    found: dict[str, None] = {}
    for char in text:
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            found.setdefault(char)
    return list(found)


def lone_surrogates(text: str) -> list[str]:
    """The surrogate code points of ``text`` (never valid on their own), in order."""
    found: dict[str, None] = {}
    for char in text:
        if "\ud800" <= char <= "\udfff":
            found.setdefault(char)
    return list(found)


def _named(chars: list[str]) -> str:
    return "、".join(f"U+{ord(char):04X}" for char in chars)


def reject_control_characters(value: Any) -> None:
    """A validator for text fields: refuses control characters other than line
    breaks and tabs, and lone surrogates."""
    if not isinstance(value, str):
        return
    surrogates = lone_surrogates(value)
    if surrogates:
        raise ValidationError(
            SURROGATES_MESSAGE, code="surrogates", params={"characters": _named(surrogates)}
        )
    found = control_characters(value)
    if found:
        raise ValidationError(
            CONTROL_CHARACTERS_MESSAGE,
            code="control_characters",
            params={"characters": _named(found)},
        )


def _texts(data: Any) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every text of a parsed JSON document (keys included) with its path; iterative,
    so that a deeply nested document cannot exhaust the stack."""
    stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                yield (*path, str(key)), str(key)
                stack.append(((*path, str(key)), item))
        elif isinstance(value, list):
            stack.extend(((*path, str(i)), item) for i, item in reversed(list(enumerate(value))))


def text_errors(data: Any) -> dict[str, list[str]]:
    """The texts of ``data`` (a parsed JSON document or query) that may not be
    stored, by dotted path (``__all__`` for a bare text) → messages. No text
    is longer than the longest field's limit; each field's own limit is its
    model's (``core.fields.FreeTextField``)."""
    found: dict[str, list[str]] = {}
    longest = TextLengthValidator(ACCOUNT_MAX_LENGTH)
    for path, text in _texts(data):
        try:
            reject_control_characters(text)
            longest(text)
        except ValidationError as error:
            messages = found.setdefault(".".join(path) or "__all__", [])
            messages.extend(m for m in error.messages if m not in messages)
    return found


def search_words(text: str) -> list[str]:
    """The words of a search, split at white space; ValidationError beyond
    :data:`MAX_SEARCH_WORDS`."""
    words = text.split()
    if len(words) > MAX_SEARCH_WORDS:
        raise ValidationError(
            TOO_MANY_WORDS_MESSAGE, code="too_many_words", params={"max": MAX_SEARCH_WORDS}
        )
    return words


def _bounded_search(text: str) -> str:
    try:
        search_words(text)
    except ValidationError as error:
        raise PydanticCustomError("too_many_words", error.messages[0]) from None
    return text


#: The API's search text: at most MAX_SEARCH_WORDS words (422 beyond).
SearchText = Annotated[str, AfterValidator(_bounded_search)]


def text_length(text: str) -> int:
    """The length of ``text`` as a clerk counts it (and the browser's
    ``maxlength``): a CR LF line break is one character."""
    return len(text) - text.count("\r\n")


@deconstructible
class TextLengthValidator:
    """Refuses a text longer than ``limit``, counted by :func:`text_length`."""

    def __init__(self, limit: int, *, label: Any = None) -> None:
        self.limit = limit
        self.label = label

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and text_length(value) > self.limit:
            raise ValidationError(
                format_lazy("{}は{}", self.label, TOO_LONG_MESSAGE)
                if self.label
                else TOO_LONG_MESSAGE,
                code="max_length",
                params={"max": f"{self.limit:,}", "length": f"{text_length(value):,}"},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextLengthValidator) and other.limit == self.limit

    def __hash__(self) -> int:
        return hash(self.limit)


def length_hint(limit: int) -> str:
    """What a form shows under a free-text field, before the limit is reached."""
    return str(_("%(max)s文字まで") % {"max": f"{limit:,}"})
