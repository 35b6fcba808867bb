"""Properties of the two readings of typed input that every screen relies on:
the search keys of names (``people/names.py``) and dates typed in 和暦 or
西暦 (``core/wareki.py``). Hypothesis looks for the input that breaks them.

What a clerk or an auditor would notice if they failed: a person registered
as 髙橋 ﾀｶﾊｼ is not found when typed 高橋 たかはし; a name found yesterday is
not found today because its key changed on a second save; a birth date typed
as R7.4.1 is stored as another day; a stray character in a date field gives a
server error instead of a message.
"""

from __future__ import annotations

import re
from datetime import date

import jaconv
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from tsunagu.accounts.roles import Role
from tsunagu.core import wareki
from tsunagu.core.wareki import MIN_DATE, format_wareki, parse_date
from tsunagu.people.names import (
    VARIANT_KANJI,
    fold,
    name_grams,
    normalize_text,
    search_grams,
    search_keys,
    text_grams,
    text_search_grams,
)
from tsunagu.people.selectors import person_search
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# ---------------------------------------------------------------------------
# Alphabets of names as they are typed.

HIRAGANA = "".join(chr(c) for c in range(ord("ぁ"), ord("ゖ") + 1))
KATAKANA = jaconv.hira2kata(HIRAGANA)
ASCII_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
KANJI = "高橋佐藤鈴木田中山本渡辺伊小林加吉野崎沢斎浜島辺国桜広真徳富一郎花子太修"
RARE = "\U00020bb7\U00029e3d\ufa11\u9ad9"  # 𠮷 𩸽 﨑 髙
SPACES = " \u3000"
MARKS = "・ー-"

kana_text = st.text(alphabet=HIRAGANA + "ー", max_size=12)
#: What a name field holds: kana of both scripts, kanji (variants and rare
#: ones included), Latin letters and digits, spaces and the marks people type.
name_text = st.text(
    alphabet=HIRAGANA + KATAKANA + KANJI + "".join(VARIANT_KANJI) + RARE + ASCII_ALNUM
    + SPACES + MARKS,
    max_size=12,
)  # fmt: skip


def _katakana_and_latin(text: str) -> str:
    return jaconv.hira2kata(text)


# ---------------------------------------------------------------------------
# Name keys: the same name typed two ways gets one key.


@given(name_text)
@example("ﾊﾟﾊﾟ　ｼﾞｪｰﾑｽﾞ 髙橋")
@example("𠮷野 﨑子")
def test_a_key_folds_to_itself(text: str) -> None:
    """Saving a person twice gives the same key (search finds them both times)."""
    key = fold(text)
    assert fold(key) == key


@given(st.text(alphabet=KATAKANA + ASCII_ALNUM + SPACES + "ー", max_size=12))
@example("ガッコウ ABC123")
@example("パパ")
def test_a_key_does_not_depend_on_width(text: str) -> None:
    """ﾀｶﾊｼ and タカハシ, ＴＡＫＡＨＡＳＨＩ and TAKAHASHI get one key."""
    half = jaconv.z2h(text, kana=True, ascii=True, digit=True)
    full = jaconv.h2z(text, kana=True, ascii=True, digit=True)
    assert fold(half) == fold(full) == fold(text)


@given(kana_text)
@example("がっこう")
@example("ゔぁいおりん")
def test_a_key_does_not_depend_on_kana_script(text: str) -> None:
    """たかはし, タカハシ and ﾀｶﾊｼ get one key."""
    katakana = jaconv.hira2kata(text)
    assert fold(katakana) == fold(text)
    assert fold(jaconv.z2h(katakana, kana=True)) == fold(text)


@given(name_text)
@example("髙橋 﨑子")
@example("齋藤邊")
def test_a_key_does_not_depend_on_variant_kanji(text: str) -> None:
    """髙橋 and 高橋 get one key, and no key holds a variant kanji of the table."""
    standard = "".join(VARIANT_KANJI.get(char, char) for char in text)
    assert fold(text) == fold(standard)
    assert not set(fold(text)) & set(VARIANT_KANJI)


@given(name_text)
def test_a_key_holds_no_space_katakana_or_wide_latin(text: str) -> None:
    key = fold(text)
    assert not re.search(r"\s", key)
    assert not re.search(r"[\u30a1-\u30f6\uff01-\uff5e\uff65-\uff9f]", key), key
    assert not re.search(r"[A-Z]", key)
    assert "ー" not in key


@given(name_text, name_text)
def test_spaces_between_the_parts_of_a_name_do_not_matter(family: str, given_name: str) -> None:
    assert fold(f"{family}\u3000{given_name}") == fold(f" {family}  {given_name} ")


# ---------------------------------------------------------------------------
# The index of name pieces: whatever search looks for, the index holds.


@given(name_text, name_text, st.data())
def test_every_piece_of_a_key_is_in_the_index_of_the_name(
    family: str, given_name: str, data: st.DataObject
) -> None:
    """Search narrows by the index first: a part of a registered name that the
    index does not hold would make that person unfindable."""
    name_key = fold(family) + fold(given_name)
    kana_key = fold(jaconv.kata2hira(family))
    index = name_grams(name_key, kana_key)
    for key in (name_key, kana_key):
        if not key:
            continue
        start = data.draw(st.integers(0, len(key) - 1))
        end = data.draw(st.integers(start + 1, len(key)))
        needed = search_grams(key[start:end])
        assert needed is None or needed <= index
        # One kana alone is found among the pieces that begin with it.
        assert any(gram.startswith(key[start]) for gram in index)


@given(st.text(), st.data())
def test_every_word_of_a_text_has_its_pieces_in_the_index_of_the_text(
    text: str, data: st.DataObject
) -> None:
    """Consultation search narrows by the index first: a part of the text it
    does not hold would make the consultation unfindable."""
    text = normalize_text(text)
    index = text_grams(text)
    assume(text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    grams, firsts = text_search_grams(text[start:end])
    assert grams <= index
    assert all(any(gram.startswith(first) for gram in index) for first in firsts)


@given(name_text, name_text)
@example("さとう", "おさむ")  # 佐藤 修: とう|お would fold to と and swallow the お
@example("かとう", "うた")
@example("オオ", "ノ")
@example("ｺ", "ｳｼﾞ")
def test_a_full_name_typed_without_a_space_matches_the_stored_key(
    family: str, given_name: str
) -> None:
    """The stored key folds family and given name apart; a clerk typing
    さとうおさむ in one go must still hit it."""
    stored = fold(family) + fold(given_name)
    typed = jaconv.hira2kata(family + given_name)
    assert not stored or any(key in stored for key in search_keys(typed))


@given(st.text(max_size=40))
def test_search_keys_of_a_term_include_its_key(term: str) -> None:
    keys = search_keys(term)
    assert fold(term) in keys or not fold(term)
    assert all(keys)


def test_search_keys_of_a_very_long_term_are_few() -> None:
    """A 10,000-character term must not cost 10,000 folds."""
    assert len(search_keys("あ" * 10_000)) == 1


@pytest.mark.django_db
def test_a_person_is_found_by_the_full_name_typed_without_a_space(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    person = make.person(
        counselor,
        ward.center,
        family_name="佐藤",
        given_name="修",
        family_name_kana="さとう",
        given_name_kana="おさむ",
    )
    for typed in ("さとうおさむ", "サトウオサム", "ｻﾄｳｵｻﾑ", "佐藤修", "さとう おさむ"):
        assert person_search(counselor, typed) == [person], typed


# ---------------------------------------------------------------------------
# Free text (consultation summaries): searchable without losing what was written.


@given(st.text(max_size=60))
def test_normalized_text_is_stable_and_width_free(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip()
    assert "  " not in once
    wide = jaconv.h2z(text, kana=False, ascii=True, digit=True)
    assert normalize_text(wide) == normalize_text(jaconv.z2h(wide, ascii=True, digit=True))


# ---------------------------------------------------------------------------
# 和暦: every date since 明治6年 written any accepted way reads back as itself.

supported_dates = st.dates(min_value=MIN_DATE, max_value=date(2100, 12, 31))


def _written_forms(d: date) -> list[str]:
    era = wareki._era_of(d)
    year = era.relative_year(d)
    year_text = "元" if year == 1 else str(year)
    forms = [
        format_wareki(d),
        f"{era.name}{year_text}年{d.month}月{d.day}日",
        f"{era.name} {year} 年 {d.month:02d} 月 {d.day:02d} 日",
        f"{era.abbr}{year}.{d.month}.{d.day}",
        f"{era.initial}{year:02d}/{d.month:02d}/{d.day:02d}",
        f"{era.initial.lower()}{year}-{d.month}-{d.day}",
        f"{era.initial}{year_text}.{d.month}.{d.day}",
        f"  {d.year}年{d.month}月{d.day}日 ",
        f"{d.year}/{d.month}/{d.day}",
        d.isoformat(),
        d.strftime("%Y%m%d"),
    ]
    # The same again in full-width digits and letters, as an IME types them.
    return forms + [jaconv.h2z(form, kana=False, ascii=True, digit=True) for form in forms]


@given(supported_dates)
@example(date(1873, 1, 1))  # 明治6年1月1日, the first day
@example(date(1912, 7, 29))  # 明治45年 last day
@example(date(1912, 7, 30))  # 大正元年
@example(date(1926, 12, 25))  # 昭和元年
@example(date(1989, 1, 7))  # 昭和64年
@example(date(1989, 1, 8))  # 平成元年
@example(date(2019, 4, 30))  # 平成31年
@example(date(2019, 5, 1))  # 令和元年
@example(date(2024, 2, 29))
def test_western_to_wareki_to_western_round_trip(d: date) -> None:
    for written in _written_forms(d):
        assert parse_date(written) == d, written


@given(supported_dates)
def test_the_era_shown_is_the_era_of_the_date(d: date) -> None:
    shown = format_wareki(d)
    era = next(e for e in reversed(wareki._ERAS) if e.since <= d)
    assert shown.startswith(era.name)
    year = shown[len(era.name) : shown.index("年")]
    assert (1 if year == "元" else int(year)) == d.year - era.since.year + 1


ERA_TOKENS = ["明治", "大正", "昭和", "平成", "令和", "明", "大", "昭", "平", "令"]
ERA_TOKENS += ["M", "T", "S", "H", "R", "m", "r", "Ｒ", "X", "天保", ""]


@given(
    st.sampled_from(ERA_TOKENS),
    st.one_of(st.integers(-3, 200), st.integers(0, 10**12), st.just("元")),
    st.sampled_from([("年", "月", "日"), (".", ".", ""), ("/", "/", ""), ("-", "-", "")]),
    st.integers(-1, 99),
    st.integers(-1, 99),
)
def test_a_date_shaped_text_reads_as_that_day_or_gets_a_japanese_message(
    era: str, year: int | str, separators: tuple[str, str, str], month: int, day: int
) -> None:
    text = f"{era}{year}{separators[0]}{month}{separators[1]}{day}{separators[2]}"
    try:
        result = parse_date(text)
    except ValueError as exc:
        assert JAPANESE.search(str(exc)), (text, str(exc))
        return
    assert (result.month, result.day) == (month, day)
    assert result >= MIN_DATE
    assert parse_date(format_wareki(result)) == result


DATE_ALPHABET = (
    "0123456789０１２３４５６７８９元年月日.-/ー－―〜 \u3000\t\n"
    "MTSHRmtshrＲ明大昭平令治正和成𝟙٣\u00a0\u200b\x00"
)


@given(st.one_of(st.text(alphabet=DATE_ALPHABET, max_size=24), st.text(max_size=24)))
@example("令和" + "9" * 5000 + "年1月1日")
@example("R" + "1" * 4 + ".2.29")
@example("平成31年5月1日")
@example("\x00")
@example("２０２５ー０４ー０１")
def test_parsing_any_text_raises_nothing_but_a_japanese_value_error(text: str) -> None:
    try:
        result = parse_date(text)
    except ValueError as exc:
        assert JAPANESE.search(str(exc)), (text, str(exc))
    else:
        assert result >= MIN_DATE
