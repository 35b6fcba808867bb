"""Search finds what window clerks type (issue 19, part 6): foreign names in
Latin letters or katakana, the ヴ row and long vowels, variant and simplified
kanji (OpenCC), 々 written out, a reading heard with or without voicing, and a
birth date in 和暦 or 西暦. A small synthetic set of residents; every query
names the one it must find."""

from __future__ import annotations

from datetime import date

import jaconv
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.people.matching import Typed, probable_matches
from tsunagu.people.models import Person, PersonNameGram
from tsunagu.people.names import (
    fold,
    name_keys,
    pairs,
    roman,
    search_grams,
    term_keys,
    voiceless,
)
from tsunagu.people.selectors import person_search
from tsunagu.people.services import name_variants
from tsunagu.policy import Action, visible
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

#: Synthetic residents: key → (氏, 名, 氏かな, 名かな, 生年月日).
RESIDENTS: dict[str, tuple[str, str, str, str, date | None]] = {
    "an": ("グエン", "ヴァン・アン", "", "", date(1990, 6, 15)),
    "mai": ("TRAN", "THI MAI", "チャン", "ティ・マイ", date(1988, 2, 29)),
    "long": ("PHAM", "VAN LONG", "", "", None),
    "ivan": ("ヴォルコフ", "イヴァン", "", "", None),
    "kota": ("大野", "耕太", "おおの", "こうた", date(1975, 4, 1)),
    "wei": ("張", "偉", "ちょう", "い", None),
    "sasaki": ("佐々木", "一郎", "ささき", "いちろう", date(1995, 12, 3)),
    "nomura": ("野野村", "真", "ののむら", "まこと", date(2020, 1, 5)),
    "takasaki": ("髙﨑", "二郎", "たかさき", "じろう", None),
    "saito": ("齋藤", "花", "さいとう", "はな", None),
    "watanabe": ("渡邊", "三郎", "わたなべ", "さぶろう", None),
    "sawada": ("澤田", "四郎", "さわだ", "しろう", None),
    "hamaguchi": ("濱口", "幸", "はまぐち", "さち", None),
    "kokubu": ("國分", "五郎", "こくぶ", "ごろう", None),
    "yamazaki": ("山崎", "六郎", "ヤマザキ", "ロクロウ", None),
    "hasegawa": ("長谷川", "七子", "はせがわ", "ななこ", None),
}


def persons(staff: Staff, query: str) -> list[Person]:
    with tenancy.tenant_context(staff.municipality):
        return list(person_search(staff, query))


@pytest.fixture
def residents(ward: Ward) -> dict[str, Person]:
    counselor = ward.member(Role.COUNSELOR)
    return {
        key: make.person(
            counselor,
            ward.center,
            family_name=family,
            given_name=given,
            family_name_kana=family_kana,
            given_name_kana=given_kana,
            birth_date=born,
        )
        for key, (family, given, family_kana, given_kana, born) in RESIDENTS.items()
    }


QUERIES = [
    # Foreign residents' names in Latin letters ↔ katakana, any order, case, diacritics.
    ("NGUYEN VAN AN", "an"),
    ("nguyen van an", "an"),
    ("Nguyễn Văn An", "an"),
    ("VAN AN NGUYEN", "an"),
    ("ＮＧＵＹＥＮ　ＶＡＮ　ＡＮ", "an"),
    ("NguyenVanAn", "an"),
    ("グエン バン アン", "an"),
    ("ｸﾞｴﾝ ｳﾞｧﾝ", "an"),
    ("Trần Thị Mai", "mai"),
    ("MAI TRAN", "mai"),
    ("チャン・ティ・マイ", "mai"),
    ("ちゃん まい", "mai"),
    ("ファム ヴァン ロン", "long"),
    ("Phạm Văn Long", "long"),
    ("pham", "long"),
    # The ヴ row and the バ row, small kana and marks.
    ("ボルコフ", "ivan"),
    ("ヴォルコフ イバン", "ivan"),
    ("ブォルコフ", "ivan"),
    ("IVAN VOLKOV", "ivan"),
    # Long vowels: ー and the vowel written out.
    ("オーノ コータ", "kota"),
    ("オオノ", "kota"),
    ("おーの", "kota"),
    ("コータ", "kota"),
    ("こおた", "kota"),
    # Simplified and traditional Chinese forms.
    ("张伟", "wei"),
    ("張偉", "wei"),
    ("张 伟", "wei"),
    # 々 written out, both ways.
    ("佐佐木", "sasaki"),
    ("佐々木", "sasaki"),
    ("野々村", "nomura"),
    ("野野村", "nomura"),
    # Variant kanji (the national shinjitai/kyūjitai pairs).
    ("高崎", "takasaki"),
    ("髙崎", "takasaki"),
    ("斎藤", "saito"),
    ("斉藤", "saito"),
    ("齊藤", "saito"),
    ("渡辺", "watanabe"),
    ("渡邉", "watanabe"),
    ("沢田", "sawada"),
    ("泽田", "sawada"),  # simplified
    ("浜口", "hamaguchi"),
    ("国分", "kokubu"),
    # A reading heard with or without voicing.
    ("やまさき", "yamazaki"),
    ("ヤマサキ", "yamazaki"),
    ("はせかわ", "hasegawa"),
    ("ハセカワ ナナコ", "hasegawa"),
    # Birth dates in 和暦 or 西暦, alone or with a name part.
    ("S50.4.1", "kota"),
    ("昭和50年4月1日", "kota"),
    ("昭和50年 4月 1日", "kota"),
    ("1975-04-01", "kota"),
    ("1975/4/1", "kota"),
    ("１９７５年４月１日", "kota"),
    ("Ｓ５０．４．１", "kota"),
    ("昭和50年4月1日生まれ", "kota"),
    ("大野 S50.4.1", "kota"),
    ("H7.12.3", "sasaki"),
    ("平成7年12月3日", "sasaki"),
    ("佐佐木 H7.12.3", "sasaki"),
    ("R2.1.5", "nomura"),
    ("令和2年1月5日", "nomura"),
    ("2020-01-05", "nomura"),
    ("H2.6.15", "an"),
    ("NGUYEN H2.6.15", "an"),
    ("1988/2/29", "mai"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_a_query_as_clerks_type_it_finds_the_resident(
    ward: Ward, residents: dict[str, Person], query: str, expected: str
) -> None:
    found = persons(ward.member(Role.COUNSELOR), query)
    assert residents[expected] in found, [p.full_name for p in found]
    # What it finds first is the resident meant.
    assert found[0] == residents[expected], [p.full_name for p in found]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "not_expected"),
    [
        ("NGUYEN VAN AN", "mai"),
        ("高崎", "kota"),
        ("S50.4.1", "sasaki"),
        ("大野 H7.12.3", "kota"),  # name and birth date must both match
        ("張 偉 R2.1.5", "wei"),
        ("やまさき", "hasegawa"),
    ],
)
def test_a_query_does_not_find_others(
    ward: Ward, residents: dict[str, Person], query: str, not_expected: str
) -> None:
    assert residents[not_expected] not in persons(ward.member(Role.COUNSELOR), query)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["NGUYEN", "グエン", "やまさき", "はせかわ", "张伟", "ボルコフ"])
def test_folded_queries_still_start_from_the_index(
    ward: Ward, residents: dict[str, Person], query: str
) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert persons(ward.member(Role.COUNSELOR), query)
    matching = [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"].upper()]
    assert len(matching) == 1
    assert '"people_personnamegram"' in matching[0]


# ---------------------------------------------------------------------------
# Ranking: as typed, then folded, then only without voicing.


@pytest.mark.django_db
def test_exact_readings_rank_above_voicing_insensitive_ones(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)

    def register(family: str, kana: str) -> Person:
        return make.person(
            counselor, ward.center, family_name=family, given_name="", family_name_kana=kana
        )

    # Registered in an order that the reading order alone would not fix.
    voiced = register("山崎", "やまざき")
    plain = register("山崎", "やまさき")
    assert persons(counselor, "やまさき") == [plain, voiced]
    assert persons(counselor, "やまざき") == [voiced, plain]
    assert persons(counselor, "ヤマザキ") == [voiced, plain]


@pytest.mark.django_db
def test_names_as_typed_rank_above_variant_folds_above_voicing(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)

    def register(family: str, kana: str) -> Person:
        return make.person(
            counselor, ward.center, family_name=family, given_name="", family_name_kana=kana
        )

    voiced = register("長谷川", "はせがわ")  # only without voicing
    katakana = register("長谷川", "ハセカワ")  # folded: katakana for hiragana
    typed = register("長谷川", "はせかわ")  # as typed
    assert persons(counselor, "はせかわ") == [typed, katakana, voiced]

    old = register("髙橋", "たかはし")
    new = register("高橋", "たかはし")
    assert persons(counselor, "高橋") == [new, old]
    assert persons(counselor, "髙橋") == [old, new]


# ---------------------------------------------------------------------------
# The duplicate warning at intake folds alike.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (Typed(family_name="NGUYEN", given_name="VAN AN"), "an"),
        (Typed(family_name="グエン", given_name="バン・アン"), "an"),
        (Typed(family_name="佐佐木", given_name="一郎"), "sasaki"),
        (Typed(family_name="张", given_name="伟"), "wei"),
        (Typed(family_name="山崎", given_name="六郎", family_name_kana="やまさき"), "yamazaki"),
    ],
)
def test_the_duplicate_warning_folds_like_search(
    ward: Ward, residents: dict[str, Person], typed: Typed, expected: str
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    with tenancy.tenant_context(ward.municipality):
        matches = probable_matches(
            visible(counselor, "person", Action.LIST), typed, name_variants()
        )
    assert [m.person for m in matches][:1] == [residents[expected]], [
        (m.person.full_name, m.score, m.reasons) for m in matches
    ]


@pytest.mark.django_db
def test_the_index_holds_what_the_keys_say(ward: Ward, residents: dict[str, Person]) -> None:
    person = residents["yamazaki"]
    with tenancy.tenant_context(ward.municipality):
        stored = Person.objects.get(pk=person.pk)
        grams = set(PersonNameGram.objects.filter(person=person).values_list("gram", flat=True))
    keys = name_keys("山崎", "六郎", "ヤマザキ", "ロクロウ")
    assert (stored.kana_key, stored.sound_key, stored.roman_key) == (
        "やまざきろくろ",
        "やまさきろくろ",
        keys.roman_key,
    )
    assert grams == keys.grams()


# ---------------------------------------------------------------------------
# Properties: one folding for what is stored and what is typed.

KANA = "あいうえおかがきぎくぐけげこごさざしじすずせぜそぞただちぢつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもやゆよらりるれろわをんゃゅょっぁぃぅぇぉゔー"
kana_name = st.text(alphabet=KANA, min_size=1, max_size=6)
any_name = st.text(
    alphabet=KANA + "高髙橋﨑崎齋斎斉々张伟張偉澤沢國国佐木野村" + "ABCabcÀéễđ ・", max_size=8
)


@given(any_name)
def test_folding_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert voiceless(voiceless(once)) == voiceless(once)
    assert fold(voiceless(once)) == voiceless(once)


@given(kana_name, kana_name, st.sampled_from(["", " ", "・", "\u3000"]))
def test_a_name_typed_in_any_kana_is_found_by_its_stored_keys(
    family: str, given_name: str, between: str
) -> None:
    """The whole name or either part, typed in katakana, half-width or
    hiragana, folds to a key the stored keys contain, and every index piece
    that search asks for is among the person's pieces."""
    keys = name_keys(family, given_name, "", "")
    grams = keys.grams()
    for typed in (
        family,
        given_name,
        family + between + given_name,
        jaconv.hira2kata(family + between + given_name),
        jaconv.z2h(jaconv.hira2kata(given_name)),
    ):
        term = term_keys(typed)
        if term is None:
            continue
        assert any(key in keys.name_key for key in term.keys), (typed, term, keys)
        for key in term.index_keys():
            needed = search_grams(key)
            if key in voiceless(keys.name_key):
                assert needed is None or needed <= grams, (typed, key)
        if term.roman and " " not in typed and between == "":
            assert roman(typed) == roman(jaconv.hira2kata(typed))


@given(kana_name)
def test_a_reading_without_voicing_finds_the_voiced_one(reading: str) -> None:
    keys = name_keys("山", "", reading, "")
    term = term_keys(voiceless(fold(reading)))
    if term is not None and term.sounds:
        assert any(sound in keys.sound_key for sound in term.sounds)


@pytest.mark.django_db
def test_the_migration_refolds_the_keys_of_persons_registered_before(ward: Ward) -> None:
    """Persons registered before this folding have old keys and no sound or
    romaji key; the data migration gives them today's keys and index rows
    (and leaves anonymised persons, with empty keys, alone)."""
    from importlib import import_module

    from django.db.migrations.loader import MigrationLoader

    name = "0008_person_keys_refolded"
    migration = import_module(f"tsunagu.people.migrations.{name}")
    # The models as the migration sees them (plain managers: every municipality).
    apps = MigrationLoader(connection).project_state(("people", name)).apps
    counselor = ward.member(Role.COUNSELOR)
    an = make.person(
        counselor, ward.center, family_name="グエン", given_name="ヴァン・アン",
        family_name_kana="", given_name_kana="",
    )  # fmt: skip
    anonymised = make.person(counselor, ward.center, family_name="（匿名化済み）")
    with tenancy.tenant_context(ward.municipality):
        Person.objects.filter(pk=an.pk).update(
            name_key="ぐえんぶあんあん", sound_key="", roman_key=""
        )
        Person.objects.filter(pk=anonymised.pk).update(
            name_key="", family_key="", kana_key="", family_kana_key="", sound_key="", roman_key=""
        )
        PersonNameGram.objects.filter(person__in=[an, anonymised]).delete()
    assert persons(counselor, "NGUYEN VAN AN") == []

    migration.refold(apps, None)

    assert persons(counselor, "NGUYEN VAN AN") == [an]
    assert persons(counselor, "グエン バン") == [an]
    with tenancy.tenant_context(ward.municipality):
        assert Person.objects.get(pk=anonymised.pk).name_key == ""
        assert not PersonNameGram.objects.filter(person=anonymised).exists()


PLAIN_KANA = (
    "あいうえおかがきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん"
)


@given(st.text(alphabet=PLAIN_KANA, min_size=2, max_size=6))
def test_a_japanese_name_typed_in_romaji_finds_its_reading(reading: str) -> None:
    """SUZUKI typed for すずき: the romaji of the Latin spelling is in the
    stored romaji key, and the index holds the pieces search asks for."""
    keys = name_keys("山", "", reading, "")
    term = term_keys(jaconv.kana2alphabet(reading).upper())
    assert term is not None and term.roman
    assert term.roman in keys.roman_key
    if len(term.roman) >= 2:
        assert pairs(term.roman) <= keys.grams()
