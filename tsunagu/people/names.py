"""Search keys for names: the same person typed two ways gets one key.

A clerk may type 髙橋 or 高橋, 张伟 or 張偉, 佐佐木 or 佐々木, ﾀｶﾊｼ or たかはし,
with or without a space, オオノ or オーノ, ヴァン or バン, NGUYEN or グエン.
The key (``fold``) folds all of these: iteration marks written out,
variant kanji to a standard form (the municipality's table,
:class:`~tsunagu.people.models.NameVariant`, and OpenCC's simplified →
traditional → Japanese tables), Unicode compatibility forms (full/half
width), katakana to hiragana, the ヴ row to the バ row, small kana to large,
long-vowel marks and spaces dropped (and a vowel written out after its own
row shortened), Latin letters in lower case without diacritics. Two further
keys are kept beside it: the reading without voicing marks (``voiceless``:
やまさき finds ヤマザキ, ranked lower) and a rough romaji (``roman``: NGUYEN VAN
AN finds グエン・ヴァン・アン). Stored keys (``name_keys``) and what a clerk
types (``term_keys``) go through the same functions.

Keys are for matching only; what the clerk typed is kept as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import jaconv

#: Variant kanji seen in registered names, folded to the form most people
#: type; a municipality adds its own rows (NameVariant). Beyond this table,
#: simplified Chinese forms and the old forms (旧字体) come from OpenCC
#: (``_opencc_kanji``: 张→張, 泽→澤→沢, 藝→芸); the table keeps the Japanese
#: variants OpenCC does not know (髙, 﨑, 邉, 斉 …; the old forms in it agree
#: with OpenCC and are kept for the demo's registered spellings).
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


def _opencc_table(name: str) -> dict[str, str]:
    """One of OpenCC's character tables (as shipped by opencc-python-reimplemented):
    each character to its first (most common) counterpart."""
    folder = resources.files("opencc") / "dictionary"
    table = {}
    for line in (folder / name).read_text(encoding="utf-8").splitlines():
        source, _tab, targets = line.partition("\t")
        if source and targets:
            table[source] = targets.split(" ")[0]
    return table


def _japanese(char: str) -> bool:
    """A character of the Japanese character sets (JIS X 0208 and the
    extensions of Windows): never read as a simplified Chinese form (叶, 余,
    机 are Japanese characters too)."""
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _opencc_kanji() -> dict[str, str]:
    """Simplified Chinese forms to the traditional (OpenCC STCharacters), and
    traditional forms to the Japanese ones (OpenCC JPVariants): 张→張,
    泽→澤→沢, 國→国. Resolved to the end here, so each character folds in
    one step."""
    simplified, japanese = _opencc_table("STCharacters.txt"), _opencc_table("JPVariants.txt")
    table = {}
    for char in simplified.keys() | japanese.keys():
        folded = char
        for _ in range(4):
            step = folded
            if not _japanese(step):
                step = simplified.get(step, step)
            step = japanese.get(step, step)
            if step == folded:
                break
            folded = step
        if folded != char:
            table[char] = folded
    return table


def fold_kanji(char: str, variants: Mapping[str, str]) -> str:
    """One character folded to its standard form: the municipality's table,
    then OpenCC, then the table again (so the municipality's own choice of
    standard form wins)."""
    char = variants.get(char, char)
    char = _opencc_kanji().get(char, char)
    return variants.get(char, char)


_SMALL_KANA = str.maketrans(
    "ぁぃぅぇぉっゃゅょゎゕゖ",
    "あいうえおつやゆよわかけ",
)
# Sounds written two ways in readings: ぢ/じ, づ/ず, を/お, and the ヴ row
# written with the バ row (ヷヸヹヺ are ヴァ ヴィ ヴェ ヴォ in one character).
_KANA_SOUNDS = str.maketrans("ぢづをヷヸヹヺ", "じずおばびべぼ")
# ヴァ≡バ, ヴィ≡ビ, ヴェ≡ベ, ヴォ≡ボ, ヴュ≡ビュ, ヴ≡ブ: before small kana are made large.
# (ブァ, sometimes written for ヴァ, too.)
_VU = re.compile(r"ゔ([ぁぃぇぉゅ]?)|ぶ([ぁぃぇぉ])")
_VU_ROW = {"ぁ": "ば", "ぃ": "び", "ぇ": "べ", "ぉ": "ぼ", "ゅ": "びゅ", "": "ぶ"}
# A long vowel written out folds to the short vowel, as the dropped ー does:
# オーノ, オオノ and おうの become おの; コータ and こうた, こた; ニーナ and にいな,
# にな; ケーコ and けいこ, けこ; サーヤ and さあや, さや. A full name typed
# without a space can fold across the boundary (たかはし|いちろう): search
# folds such a term split at each place too (``search_keys``).
_LONG_VOWEL = re.compile(
    r"([あかさたなはまやらわがざだばぱ])あ+"
    r"|([いきしちにひみりぎじびぴ])い+"
    r"|([うくすつぬふむゆるぐずぶぷ])う+"
    r"|([えけせてねへめれげぜでべぺ])[えい]+"
    r"|([おこそとのほもよろごぞどぼぽ])[おう]+"
)
# Spaces, middle dots, long-vowel marks and dashes people type between or inside names.
_DROPPED = re.compile(r"[\s・･ーｰ‐\-－―─〜~=＝.,、。'\"]+")
# Iteration marks: 々 (and 〻) repeat the kanji before, ゝ/ヽ the kana before, ゞ/ヾ voiced.
_REPEATS = {"々": "", "〻": "", "ゝ": "", "ヽ": "", "ゞ": "\u3099", "ヾ": "\u3099"}
# The voicing marks (combining ゛ and ゜), dropped for the voicing-insensitive key.
_VOICING = {0x3099: None, 0x309A: None}
# Combining diacritics of Latin letters (Nguyễn → nguyen); not the kana marks above.
_LATIN_MARK = re.compile(r"[\u0300-\u036f]")
_LATIN_LETTERS = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae"})


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


def _repeat(text: str) -> str:
    """Iteration marks written out: 佐々木 → 佐佐木, いすゞ → いすず."""
    if not any(mark in text for mark in _REPEATS):
        return text
    chars: list[str] = []
    for char in text:
        if char in _REPEATS and chars:
            char = unicodedata.normalize("NFC", chars[-1] + _REPEATS[char])
        chars.append(char)
    return "".join(chars)


def _latin(text: str) -> str:
    """Latin letters without their diacritics, in lower case (Nguyễn → nguyen)."""
    if text.isascii():
        return text.lower()
    text = _LATIN_MARK.sub("", unicodedata.normalize("NFD", text.lower()))
    return unicodedata.normalize("NFC", text).translate(_LATIN_LETTERS)


def _fold_once(text: str, table: Mapping[str, str]) -> str:
    text = _repeat(text)
    # Variants first: NFKC would turn some compatibility ideographs into
    # other code points before the table could see them.
    text = "".join(fold_kanji(char, table) for char in text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(fold_kanji(char, table) for char in text)
    text = _latin(jaconv.kata2hira(text).translate(_KANA_SOUNDS))
    text = _VU.sub(lambda m: _VU_ROW[m[1] or m[2] or ""], _DROPPED.sub("", text)).translate(
        _SMALL_KANA
    )
    text = unicodedata.normalize("NFKC", text).translate(_KANA_SOUNDS)
    return _LONG_VOWEL.sub(lambda m: next(g for g in m.groups() if g), text)


def voiceless(key: str) -> str:
    """A folded key without voicing marks (ざ→さ, ぱ→は): the key of a reading
    heard with or without voicing (やまさき, やまざき). One character for one."""
    if key.isascii():
        return key
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", key).translate(_VOICING))


# ---------------------------------------------------------------------------
# Names in Latin letters.
#
# A foreign resident is registered as グエン・ヴァン・アン or as NGUYEN VAN AN,
# and the clerk types either. Both become a "roman key": kana in Hepburn
# romaji (jaconv), Latin letters without diacritics, then both spellings
# reduced alike to what katakana can tell apart (ph→f→h, v→b, l→r, tr→ch,
# a final ng/nh→n, the vowel katakana adds after a consonant dropped: ファム
# famu ≡ Pham, doubled letters and long vowels once). A rough key on purpose:
# it finds, and the ranking puts exact spellings first.

_ROMAJI_FIRST = {"てぃ": "ti", "でぃ": "di", "とぅ": "tu", "どぅ": "du", "ゔ": "v"}
_ROMAJI_FIRST_RE = re.compile("|".join(_ROMAJI_FIRST))
_ROMAN_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^ng(?=[aeiouy])", "g"),  # Nguyen グエン, Ngo ゴー
        (r"uy", "u"),  # Nguyen, Thuy
        (r"ph", "f"),
        (r"^zh", "ch"),  # Zhang チャン
        (r"tr", "ch"),  # Tran チャン
        (r"th$", "s"),  # Smith スミス
        (r"ck", "k"),
        (r"c(?![hei])", "k"),
        (r"c(?=[ei])", "s"),
        (r"q", "k"),
        (r"x", "s"),
        (r"sh(?=i)", "s"),  # Cecilia セシリア
        (r"(?<=[aeiou])h(?![aeiou])", ""),  # Ohno, Ryoh
        (r"(?<=[^aeiousc])h", ""),  # Thi, John, Khanh (sh, ch kept)
        (r"n[gh]$", "n"),  # Hoang ホアン, Minh ミン
        (r"v$", "f"),  # Volkov ヴォルコフ
        (r"f", "h"),
        (r"v", "b"),
        (r"l", "r"),
        (r"w", "u"),
        (r"(?<=[^aeiou])u(?=[^aeiou]|$)", ""),  # ス, ム, ク after a consonant: smis, fam
        (r"(?<=[td])o(?=[^aeiou]|$)", ""),  # ト, ド after t, d
        (r"ou|oo", "o"),
        (r"ei|ee", "e"),
        (r"(.)\1+", r"\1"),
    )
]


def roman(text: str) -> str:
    """The roman key of a name part in kana or Latin letters ("" for kanji)."""
    text = unicodedata.normalize("NFKC", _repeat(text or ""))
    text = jaconv.kata2hira(text).translate(_KANA_SOUNDS)
    text = _ROMAJI_FIRST_RE.sub(lambda m: _ROMAJI_FIRST[m[0]], _DROPPED.sub(" ", text))
    text = _latin(jaconv.kana2alphabet(text))
    words = re.findall(r"[a-z]+", text)
    key = ""
    for word in words:
        for _ in range(2):  # a rule can make a pair for another (ooh → oo → o)
            for pattern, replacement in _ROMAN_RULES:
                word = pattern.sub(replacement, word)
        key += word
    return key


def has_kana(text: str) -> bool:
    return any(_is_kana(char) for char in jaconv.kata2hira(unicodedata.normalize("NFKC", text)))


def has_latin(text: str) -> bool:
    return any(char.isalpha() and char.isascii() for char in _latin(text))


@dataclass(frozen=True)
class NameKeys:
    """The search keys of one person's name (stored on Person)."""

    family_key: str
    name_key: str
    family_kana_key: str
    kana_key: str
    sound_key: str
    roman_key: str

    def grams(self) -> set[str]:
        return person_name_grams(self.name_key, self.sound_key, self.roman_key)


def person_name_grams(name_key: str, sound_key: str, roman_key: str) -> set[str]:
    """The pieces of a person's keys in the name index (``PersonNameGram``).
    Kana are indexed without voicing: a piece of a key with voicing is, without
    it, a piece of the key without, so one index serves both levels of search
    (``selectors.person_search``). The romaji of a name registered in Latin
    letters is held a second time in capitals: a kana term asks for those
    only, among the few such persons, not among every person's romaji
    (whose pieces, ka or an, are in most names)."""
    grams = name_grams(voiceless(name_key), sound_key) | roman_grams(roman_key)
    if any(char.isascii() and char.isalpha() for char in name_key):
        grams |= roman_grams(roman_key.upper())
    return grams


def roman_grams(roman_key: str) -> set[str]:
    """The pieces of a romaji key: every two letters in a row and the last
    one alone (a letter alone is found among the pieces that begin with it,
    as a kana is; not every letter alone, which would be most of the
    alphabet for every person)."""
    return pairs(roman_key) | set(roman_key[-1:])


def name_keys(
    family_name: str,
    given_name: str,
    family_name_kana: str,
    given_name_kana: str,
    variants: Mapping[str, str] | None = None,
) -> NameKeys:
    """Every search key of a name, each part folded apart and joined (so a
    given name's first vowel is never folded into the family name)."""
    family_key = fold(family_name, variants)[:45]
    name_key = (family_key + fold(given_name, variants))[:90]
    family_kana_key = fold(family_name_kana, variants)[:65]
    kana_key = (family_kana_key + fold(given_name_kana, variants))[:130]

    def roman_of(name: str, kana: str) -> str:
        # A name in Latin letters is its own spelling; otherwise the reading,
        # or a name written in kana.
        return roman(name if has_latin(name) or not kana else kana)

    return NameKeys(
        family_key=family_key,
        name_key=name_key,
        family_kana_key=family_kana_key,
        kana_key=kana_key,
        sound_key=voiceless(kana_key or name_key)[:130],
        roman_key=(roman_of(family_name, family_name_kana) + roman_of(given_name, given_name_kana))[
            :200
        ],
    )


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
        if a != b and fold_kanji(a, variants) == fold_kanji(b, variants):
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


@dataclass(frozen=True)
class TermKeys:
    """What one search term is looked for as, on each key of a person."""

    #: In ``name_key`` or ``kana_key``: the term folded (and split, ``search_keys``).
    keys: frozenset[str]
    #: In ``sound_key``: the same without voicing (readings of two kana or more).
    sounds: frozenset[str]
    #: In ``roman_key``: a term of kana or Latin letters in romaji ("" for kanji).
    roman: str
    #: A term of kana looks for the romaji of names registered in Latin
    #: letters only (those of the others are found by their kana).
    latin_only: bool = False

    def index_keys(self) -> frozenset[str]:
        """The keys as the name index holds them (kana without voicing)."""
        return frozenset(voiceless(key) for key in self.keys)


def term_keys(term: str, variants: Mapping[str, str] | None = None) -> TermKeys | None:
    """The keys of a search term; None when nothing is left to look for (only
    marks such as ー or ・)."""
    keys = search_keys(term, variants)
    if not keys:
        return None
    folded = fold(term, variants)
    kana = has_kana(folded)
    sounds = frozenset(voiceless(key) for key in keys) if kana and len(folded) >= 2 else frozenset()
    # Kanji have no romaji here: only a term of kana and Latin letters alone.
    spelled = all(_is_kana(char) or char.isascii() for char in folded)
    roman_key = roman(term) if spelled and len(folded) >= 2 else ""
    return TermKeys(
        keys=frozenset(keys), sounds=sounds, roman=roman_key, latin_only=not has_latin(folded)
    )
