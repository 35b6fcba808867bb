"""Every text of the public pages is translated in the six other languages:
the msgids of the public templates and of ``frontdoor/public.py`` each have a
non-empty msgstr in every catalogue, and the compiled catalogue (.mo) says the
same as its source (.po)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation.template import templatize

from tsunagu.frontdoor import public

FRONTDOOR = Path(__file__).resolve().parents[1]
LOCALE = FRONTDOOR.parent / "locale"
DIRS = {
    "ja-easy": "ja_Easy",
    "en": "en",
    "zh-hans": "zh_Hans",
    "ko": "ko",
    "vi": "vi",
    "pt-br": "pt_BR",
}


def public_msgids() -> set[str]:
    found: set[str] = set()
    for template in (FRONTDOOR / "templates" / "frontdoor" / "public").glob("*.html"):
        text = templatize(template.read_text(), origin=str(template))
        found |= {
            m[1].replace("\\'", "'")
            for m in re.finditer(r"(?:gettext|\b_)\(u?'((?:[^'\\]|\\.)*)'\)", text)
        }
    for module in ("public.py", "public_views.py"):
        tree = ast.parse((FRONTDOOR / module).read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("_", "gettext")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


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


@pytest.mark.parametrize("lang", list(DIRS))
def test_every_public_text_is_translated(lang: str) -> None:
    entries = catalogue(lang)
    missing = sorted(m for m in public_msgids() if not entries.get(m))
    assert missing == []
    assert set(DIRS) | {"ja"} == set(public.LANGUAGES)
    with translation.override(lang):
        for msgid in public_msgids():
            assert translation.gettext(msgid) == entries[msgid], (lang, msgid)
