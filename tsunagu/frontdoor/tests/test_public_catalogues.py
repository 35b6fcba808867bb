"""Every text of the public pages, and what a resident receives by LINE and
mail, is translated in the six other languages:
the msgids of the public templates and of ``frontdoor/public.py`` each have a
non-empty msgstr in every catalogue, and the compiled catalogue (.mo) says the
same as its source (.po). The public booking pages (appointments) too: their
templates, their views, the resident's form, the booking services' refusals
and the statuses a resident reads."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation.template import templatize

from tsunagu.appointments.models import Status
from tsunagu.frontdoor import public

FRONTDOOR = Path(__file__).resolve().parents[1]
APPOINTMENTS = FRONTDOOR.parent / "appointments"
#: What of the appointments app a resident reads: (module, the classes and
#: functions in it whose messages reach the public pages; None: all of it).
APPOINTMENT_SOURCES: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("public_views.py", None),
    ("forms.py", frozenset({"PublicBookingForm"})),
    (
        "services.py",
        frozenset({"_locked_settings", "_check_slot", "appointment_book_public"}),
    ),
)
#: What a resident reads of the LINE and mail channels: the greeting and the
#: note on an image (LINE), the reply's subject and footer (mail).
CHANNEL_SOURCES: tuple[tuple[str, frozenset[str]], ...] = (
    ("line/webhook.py", frozenset({"greeting", "not_text_reply"})),
    ("mail/outbound.py", frozenset({"footer", "send"})),
)
LOCALE = FRONTDOOR.parent / "locale"
DIRS = {
    "ja-easy": "ja_Easy",
    "en": "en",
    "zh-hans": "zh_Hans",
    "ko": "ko",
    "vi": "vi",
    "pt-br": "pt_BR",
}


def _template_msgids(folder: Path) -> set[str]:
    found: set[str] = set()
    for template in folder.glob("*.html"):
        text = templatize(template.read_text(), origin=str(template))
        found |= {
            m[1].replace("\\'", "'")
            for m in re.finditer(r"(?:gettext|\b_)\(u?'((?:[^'\\]|\\.)*)'\)", text)
        }
    return found


def _code_msgids(tree: ast.AST) -> set[str]:
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("_", "gettext")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def public_msgids() -> set[str]:
    found = _template_msgids(FRONTDOOR / "templates" / "frontdoor" / "public")
    for module in ("public.py", "public_views.py"):
        found |= _code_msgids(ast.parse((FRONTDOOR / module).read_text()))
    return found | booking_msgids() | channel_msgids()


def channel_msgids() -> set[str]:
    """The texts a resident receives by LINE and by mail."""
    found: set[str] = set()
    for module, names in CHANNEL_SOURCES:
        tree = ast.parse((FRONTDOOR / module).read_text())
        parts = [node for node in tree.body if getattr(node, "name", None) in names]
        assert {getattr(p, "name", "") for p in parts} == names, module
        for part in parts:
            found |= _code_msgids(part)
    return found


def booking_msgids() -> set[str]:
    """The texts of the public booking pages."""
    found = _template_msgids(APPOINTMENTS / "templates" / "appointments" / "public")
    for module, names in APPOINTMENT_SOURCES:
        tree = ast.parse((APPOINTMENTS / module).read_text())
        parts = [
            node for node in tree.body if names is None or getattr(node, "name", None) in names
        ]
        assert names is None or {getattr(p, "name", "") for p in parts} == names, module
        for part in parts:
            found |= _code_msgids(part)
    with translation.override("ja"):  # the msgids, whatever language is active
        return found | {str(label) for label in Status.labels}


def catalogue(lang: str) -> dict[str, str]:
    text = (LOCALE / DIRS[lang] / "LC_MESSAGES" / "django.po").read_text()
    entries = {}
    for msgid, msgstr in re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, re.MULTILINE):
        entries[msgid.encode().decode("unicode_escape").encode("latin-1").decode()] = (
            msgstr.encode().decode("unicode_escape").encode("latin-1").decode()
        )
    return entries


def test_the_public_texts_are_found() -> None:
    found = public_msgids()
    assert len(found) > 60
    assert "いますぐ助けが必要なとき" in found and "ページが見つかりません。" in found
    booking = booking_msgids()
    assert {"予約の申し込み", "お名前（ニックネームでもかまいません）", "予約済み"} <= booking
    assert "この枠はすでに予約でいっぱいです。別の時間を選んでください。" in booking
    channels = channel_msgids()
    assert len(channels) == 6 and "相談窓口" in channels
    assert any(text.startswith("友だち追加ありがとうございます。") for text in channels)


@pytest.mark.parametrize("lang", list(DIRS))
def test_every_public_text_is_translated(lang: str) -> None:
    entries = catalogue(lang)
    missing = sorted(m for m in public_msgids() if not entries.get(m))
    assert missing == []
    assert set(DIRS) | {"ja"} == set(public.LANGUAGES)
    with translation.override(lang):
        for msgid in public_msgids():
            assert translation.gettext(msgid) == entries[msgid], (lang, msgid)
