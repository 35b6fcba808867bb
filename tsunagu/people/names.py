"""Search keys for Japanese names: the same person typed two ways gets one key.

A clerk may type 髙橋 or 高橋, ﾀｶﾊｼ or たかはし, with or without a space,
オオノ or オーノ. The key folds all of these: Unicode compatibility forms
(full/half width), katakana to hiragana, small kana to large, long-vowel
marks and spaces dropped (and おう/おお/うう shortened), and variant kanji to a standard form from a table
the municipality can extend (:class:`~tsunagu.people.models.NameVariant`).

Keys are for matching only; what the clerk typed is kept as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import jaconv

#: Variant kanji seen in registered names, folded to the form most people type.
#: Municipalities add their own rows (NameVariant); these are the defaults.
VARIANT_KANJI: dict[str, str] = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "碕": "崎",
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斎",
    "斉": "斎",
    "濱": "浜",
    "濵": "浜",
    "澤": "沢",
    "國": "国",
    "櫻": "桜",
    "廣": "広",
    "眞": "真",
    "德": "徳",
    "冨": "富",
    "嶋": "島",
    "嶌": "島",
    "條": "条",
    "淵": "渕",
    "瀧": "滝",
    "龍": "竜",
    "惠": "恵",
    "榮": "栄",
    "來": "来",
    "壽": "寿",
    "藏": "蔵",
    "峯": "峰",
    "實": "実",
    "鐵": "鉄",
    "黑": "黒",
    "曾": "曽",
    "增": "増",
    "彌": "弥",
    "萬": "万",
    "靜": "静",
    "穗": "穂",
    "禮": "礼",
    "舘": "館",
    "埜": "野",
    "桒": "桑",
    "\ufa10": "塚",  # 塚 (U+FA10), a compatibility ideograph NFKC leaves alone
    "\ufa14": "欅",  # 﨔 (U+FA14)
    "槇": "槙",
    "籠": "篭",
    "薗": "園",
}

_SMALL_KANA = str.maketrans(
    "ぁぃぅぇぉっゃゅょゎゕゖ",
    "あいうえおつやゆよわかけ",
)
# Sounds written two ways in readings: ぢ/じ, づ/ず, ゔ/ぶ, を/お.
_KANA_SOUNDS = str.maketrans("ぢづゔを", "じずぶお")
# The long o and u written out (おお, おう, うう) fold to the short vowel, as the
# dropped ー does: オーノ, オオノ and おうの all become おの; ユーコ and ゆうこ, ゆこ.
# Only these two: folding い and え too would swallow the first kana of a given
# name typed straight after the family name (たかはしいちろう).
_LONG_VOWEL = re.compile(
    r"([おこそとのほもよろごぞどぼぽ])[おう]+|([うくすつぬふむゆるぐずぶぷ])う+"
)
# Spaces, middle dots, long-vowel marks and dashes people type between or inside names.
_DROPPED = re.compile(r"[\s・･ーｰ‐\-－―─〜~=＝.,、。'\"]+")


def fold(text: str, variants: Mapping[str, str] | None = None) -> str:
    """The search key of a name or reading (also of a query typed to find one)."""
    if not text:
        return ""
    table = VARIANT_KANJI if variants is None else variants
    # One pass can make a new pair for another step (a dropped space brings a
    # lone voiced mark next to its kana; a small kana made large takes a voiced
    # mark): fold until nothing changes, so that a key folds to itself.
    for _ in range(4):
        folded = _fold_once(text, table)
        if folded == text:
            break
        text = folded
    return text


def _fold_once(text: str, table: Mapping[str, str]) -> str:
    # Variants first: NFKC would turn some compatibility ideographs into
    # other code points before the table could see them.
    text = "".join(table.get(char, char) for char in text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(table.get(char, char) for char in text)
    text = jaconv.kata2hira(text).lower()
    text = _DROPPED.sub("", text).translate(_SMALL_KANA)
    text = unicodedata.normalize("NFKC", text).translate(_KANA_SOUNDS)
    return _LONG_VOWEL.sub(lambda m: next(g for g in m.groups() if g), text)


def normalize_text(text: str) -> str:
    """Free text made searchable: width and case folded, spaces collapsed.

    Kanji and kana are kept as they are (訪問 must not match ほうもん by
    accident), so consultation search finds what was written.
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"\s+", " ", text).strip()


def variant_reasons(typed: str, registered: str, variants: Mapping[str, str]) -> list[str]:
    """The variant characters that make two different spellings the same key
    (for the reason shown beside a probable match: 「髙→高」)."""
    pairs = []
    for a, b in zip(typed, registered, strict=False):
        if a != b and variants.get(a, a) == variants.get(b, b):
            pairs.append(f"{a}→{b}")
    return pairs


def _is_kana(char: str) -> bool:
    return "ぁ" <= char <= "ゟ" or char == "ー"


def pairs(text: str) -> set[str]:
    """Every two characters in a row of ``text``: the pieces of the search
    indexes of names (``PersonNameGram``) and of consultations' text
    (``ConsultationGram``). A text containing ``text`` has all of them."""
    return {text[i : i + 2] for i in range(len(text) - 1)}


def name_grams(*keys: str) -> set[str]:
    """The pieces of folded name keys that person search finds in its index
    (``PersonNameGram``): every two characters in a row, each character that
    is not kana on its own (one kanji such as 林 is a name), and the last
    character of each key on its own. So every character begins a piece, and
    one kana typed alone is found among the pieces that begin with it."""
    grams: set[str] = set()
    for key in keys:
        grams |= pairs(key)
        grams.update(char for char in key if not _is_kana(char))
        grams.update(key[-1:])
    return grams


def text_grams(text: str) -> set[str]:
    """The pieces of a normalized free text (``normalize_text``) that
    consultation search finds in its index (``ConsultationGram``): every two
    characters in a row within a word, and the last character of each word on
    its own. So every character begins a piece, and one character typed alone
    is found among the pieces that begin with it (``text_search_grams``).
    Spaces are in no piece: a search term has none."""
    return {piece for word in text.split(" ") if word for piece in pairs(word) | {word[-1]}}


#: Above every character: ``c + LAST_CHARACTER`` is the greatest piece that
#: begins with ``c`` (pieces compare by code point: the database's collation is
#: C, and SQLite's is binary).
LAST_CHARACTER = "\U0010ffff"


def text_search_grams(*terms: str) -> tuple[set[str], set[str]]:
    """What normalized search terms need of the consultation index: the
    pieces a text must have (``pairs`` of each word of two characters or more)
    and the characters one of its pieces must begin with (a word of one
    character not already in a piece). A text containing every term has them
    all; the converse is checked on the text itself."""
    words = [word for term in terms for word in term.split(" ") if word]
    grams: set[str] = set()
    for word in words:
        grams |= pairs(word)
    covered = set("".join(grams))
    return grams, {word for word in words if len(word) == 1 and word not in covered}


#: Terms longer than a name are folded whole only: a split at every place
#: would cost one fold per character (a pasted 10,000-character text).
_SPLIT_LIMIT = 24


def search_keys(term: str, variants: Mapping[str, str] | None = None) -> set[str]:
    """The keys a search term may be found as in a stored name key.

    A stored key folds the family and the given name apart and joins them
    (``person_set_keys``). A full name typed without a space folds across that
    boundary, where the long-vowel rule can swallow the first kana of the
    given name: さとう|おさむ is stored as さと+おさむ, but さとうおさむ folds to
    さとさむ. So the term folded in two at each place counts too. Empty keys
    are left out."""
    keys = {fold(term, variants)}
    if len(term) <= _SPLIT_LIMIT:
        keys.update(
            fold(term[:i], variants) + fold(term[i:], variants) for i in range(1, len(term))
        )
    keys.discard("")
    return keys


def search_grams(key: str) -> set[str] | None:
    """The index pieces a folded search key needs: a person whose name
    contains the key has all of them. None when the index cannot answer (one
    kana alone)."""
    if len(key) >= 2:
        return pairs(key)
    if key and not _is_kana(key):
        return {key}
    return None
