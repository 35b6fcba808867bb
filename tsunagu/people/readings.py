"""Suggested readings (ふりがな) of names, from the Sudachi dictionary.

A suggestion only: many names have several readings, and the dictionary
knows common words better than given names. The intake form offers it, and
the clerk keeps, corrects or clears it; nothing is stored unless kept.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import jaconv

from tsunagu.people.names import VARIANT_KANJI, fold_kanji

_lock = threading.Lock()


@cache
def _tokenizer() -> Any:
    # Loading the dictionary takes about a second and some memory; once per process.
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def suggest_reading(name: str) -> str:
    """The hiragana reading of ``name`` as the dictionary reads it ("" when it cannot)."""
    # Variant, old and simplified forms read as the standard form (髙→高, 张→張).
    name = "".join(fold_kanji(char, VARIANT_KANJI) for char in (name or "").strip())
    if not name:
        return ""
    with _lock:  # a Sudachi tokenizer is not safe to share between threads
        morphemes = list(_tokenizer().tokenize(name))
    reading = ""
    for morpheme in morphemes:
        part = morpheme.reading_form()
        if not part or any("\u4e00" <= char <= "\u9fff" for char in part):
            return ""  # an unknown word: better no suggestion than a wrong one
        reading += part
    return jaconv.kata2hira(reading)
