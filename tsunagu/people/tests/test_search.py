"""Finding persons and consultations (people.selectors): by any part of a name
or reading, by a 和暦 birth date, by two-character words, and only among the
records the searcher may see."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.consultations.models import Consultation, ConsultationGram
from tsunagu.consultations.services import consultation_grams_write, consultation_search_text
from tsunagu.core import tenancy
from tsunagu.people.models import Person
from tsunagu.people.names import text_grams
from tsunagu.people.selectors import consultation_search, person_search
from tsunagu.people.services import person_merge
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def persons(staff: Staff, query: str) -> list[Person]:
    with tenancy.tenant_context(staff.municipality):
        return list(person_search(staff, query))


def consultations(staff: Staff, query: str) -> list[int]:
    with tenancy.tenant_context(staff.municipality):
        return [c.pk for c in consultation_search(staff, query)]


@pytest.fixture
def michiko(ward: Ward) -> Person:
    """髙橋 美智子, born 昭和50年1月2日 (1975-01-02)."""
    return make.person(
        ward.member(Role.COUNSELOR),
        ward.center,
        family_name="髙橋",
        given_name="美智子",
        family_name_kana="たかはし",
        given_name_kana="みちこ",
        birth_date=date(1975, 1, 2),
    )


@pytest.fixture
def namesake(ward: Ward) -> Person:
    """A different person with a similar name, registered by the same organization."""
    return make.person(
        ward.member(Role.COUNSELOR),
        ward.center,
        family_name="高田",
        given_name="美智子",
        family_name_kana="たかだ",
        given_name_kana="みちこ",
        birth_date=date(1975, 1, 3),
    )


@pytest.mark.parametrize(
    "query",
    [
        "髙橋",
        "高橋",  # the variant folded
        "橋",
        "橋美",  # across family and given name
        "髙橋美智子",
        "高橋　美智子",  # two terms, 全角スペース
        "たかはし",
        "タカハシ",
        "ﾀｶﾊｼ ﾐﾁｺ",
        "かはし",
        "はしみち",  # across family and given reading
        "昭和50年1月2日",
        "S50.1.2",
        "1975-01-02",
        "高橋 昭和50年1月2日",
    ],
)
def test_a_person_is_found_by_any_part_of_the_name_reading_or_birth_date(
    ward: Ward, michiko: Person, namesake: Person, query: str
) -> None:
    assert persons(ward.member(Role.COUNSELOR), query) == [michiko]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("美智子", {"michiko", "namesake"}),
        ("みちこ", {"michiko", "namesake"}),
        ("高", {"michiko", "namesake"}),
        ("高橋 花子", set()),
        ("昭和50年1月3日", {"namesake"}),
        ("高橋 昭和50年1月3日", set()),
        ("佐藤", set()),
        ("こ", {"michiko", "namesake"}),  # one kana alone, last in the reading
        ("だ", {"namesake"}),
        ("ﾀﾞ", {"namesake"}),
        ("だ みちこ", {"namesake"}),
    ],
)
def test_every_term_must_match(
    ward: Ward, michiko: Person, namesake: Person, query: str, expected: set[str]
) -> None:
    names = {michiko.pk: "michiko", namesake.pk: "namesake"}
    assert {names[p.pk] for p in persons(ward.member(Role.COUNSELOR), query)} == expected


@pytest.mark.parametrize("query", ["", "   ", "\u3000"])
def test_an_empty_query_finds_nobody(ward: Ward, michiko: Person, query: str) -> None:
    assert persons(ward.member(Role.COUNSELOR), query) == []


@pytest.mark.parametrize("query", ["ー", "・", "-", "ー ・"])
def test_a_query_of_marks_only_finds_nobody(ward: Ward, michiko: Person, query: str) -> None:
    assert persons(ward.member(Role.COUNSELOR), query) == []


@pytest.mark.parametrize("query", ["高橋", "た", "こ", "とう", "はし みちこ", "橋 S50.1.2"])
def test_names_are_matched_only_on_the_persons_the_index_gives(
    ward: Ward, michiko: Person, query: str
) -> None:
    # LIKE '%…%' on its own reads every person of the municipality: the
    # statement that matches the keys also asks the index for the candidates.
    with CaptureQueriesContext(connection) as captured:
        persons(ward.member(Role.COUNSELOR), query)
    matching = [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"].upper()]
    assert matching
    for sql in matching:
        assert '"people_personnamegram"' in sql, sql


def test_only_persons_the_searcher_may_see_are_found(
    ward: Ward, other_ward: Ward, michiko: Person
) -> None:
    south = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    theirs = make.person(
        south,
        ward.other_center,
        family_name="高橋",
        given_name="美智子",
        birth_date=date(1975, 1, 2),
    )
    make.person(
        other_ward.member(Role.COUNSELOR),
        other_ward.center,
        family_name="高橋",
        given_name="美智子",
        birth_date=date(1975, 1, 2),
    )
    assert persons(ward.member(Role.COUNSELOR), "高橋") == [michiko]
    assert persons(ward.member(Role.COUNSELOR), "昭和50年1月2日") == [michiko]
    assert persons(south, "高橋") == [theirs]
    assert michiko not in persons(other_ward.member(Role.COUNSELOR), "高橋")
    for role in (Role.MANAGER, Role.SYSADMIN, Role.AUDITOR):
        assert persons(ward.member(role), "高橋") == [], role


def test_a_person_shared_by_an_accepted_referral_becomes_findable(
    ward: Ward, michiko: Person
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    south = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    household = make.household(counselor, ward.center, head=michiko)
    referral = make.referral(counselor, ward.center, ward.other_center, household=household)
    assert persons(south, "高橋") == []
    make.accepted(referral, south)
    assert persons(south, "高橋") == [michiko]


def test_a_merged_record_is_not_found(ward: Ward, michiko: Person) -> None:
    counselor = ward.member(Role.COUNSELOR)
    duplicate = make.person(
        counselor, ward.center, family_name="高橋", given_name="美智子", birth_date=date(1975, 1, 2)
    )
    with tenancy.tenant_context(ward.municipality):
        person_merge(actor=counselor, survivor=michiko, absorbed=duplicate, reason="同一人物")
    assert persons(counselor, "高橋") == [michiko]


# ---------------------------------------------------------------------------
# Consultations.


@pytest.fixture
def notes(ward: Ward) -> dict[str, int]:
    counselor = ward.member(Role.COUNSELOR)
    texts = {
        "visit": "自宅を訪問し、介護の状況を確認した。長男は８０５０の状態。",
        "work": "就労について相談。ハローワークを案内した。",
        "care": "介護保険の申請方法を説明。",
    }
    return {
        key: make.consultation(counselor, ward.center, summary=text).pk
        for key, text in texts.items()
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("訪問", {"visit"}),
        ("介護", {"visit", "care"}),
        ("就労", {"work"}),
        ("訪問 介護", {"visit"}),
        ("訪問\u3000就労", set()),
        ("8050", {"visit"}),  # width folded
        ("ﾊﾛｰﾜｰｸ", {"work"}),
        ("ほうもん", set()),  # kanji are not read as kana
        ("", set()),
        ("護", {"visit", "care"}),  # one character alone
        ("労", {"work"}),
        ("訪 護", {"visit"}),
        ("訪問 護", {"visit"}),
        ("訪問 労", set()),
        ("ﾜ", {"work"}),  # width folded: ワ
        ("わ", set()),
    ],
)
def test_consultations_are_found_by_two_character_words(
    ward: Ward, notes: dict[str, int], query: str, expected: set[str]
) -> None:
    keys = {pk: key for key, pk in notes.items()}
    found = consultations(ward.member(Role.COUNSELOR), query)
    assert {keys[pk] for pk in found} == expected


def test_only_consultations_the_searcher_may_see_are_found(
    ward: Ward, other_ward: Ward, notes: dict[str, int]
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    south = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    theirs = make.consultation(south, ward.other_center, summary="南の窓口で訪問の相談。").pk
    elsewhere = make.consultation(
        other_ward.member(Role.COUNSELOR), other_ward.center, summary="よそ区で訪問。"
    ).pk
    assert set(consultations(counselor, "訪問")) == {notes["visit"]}
    assert consultations(south, "訪問") == [theirs]
    assert consultations(other_ward.member(Role.COUNSELOR), "訪問") == [elsewhere]
    for role in (Role.MANAGER, Role.SYSADMIN, Role.AUDITOR):
        assert consultations(ward.member(role), "訪問") == [], role


def test_a_consultation_attached_to_an_accepted_referral_becomes_findable(
    ward: Ward, notes: dict[str, int]
) -> None:
    counselor = ward.member(Role.COUNSELOR)
    south = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    with tenancy.tenant_context(ward.municipality):
        attached = Consultation.objects.get(pk=notes["visit"])
    referral = make.referral(counselor, ward.center, ward.other_center, consultation=attached)
    assert consultations(south, "訪問") == []
    make.accepted(referral, south)
    assert consultations(south, "訪問") == [notes["visit"]]
    assert consultations(south, "就労") == []


def test_a_character_that_ends_a_word_is_found_alone(ward: Ward) -> None:
    # No pair of characters begins with 猫 or with ガ: the index keeps the
    # last character of each word on its own.
    counselor = ward.member(Role.COUNSELOR)
    cat = make.consultation(counselor, ward.center, summary="猫 犬の世話に困っている").pk
    gas = make.consultation(counselor, ward.center, summary="滞納で止まったのはｶﾞ").pk
    assert consultations(counselor, "猫") == [cat]
    assert consultations(counselor, "ガ") == [gas]
    assert consultations(counselor, "ｶﾞ") == [gas]  # two half-width characters, one after folding


def test_pieces_found_apart_are_not_the_word(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    moved = make.consultation(counselor, ward.center, summary="東京から京都へ転居した。").pk
    assert consultations(counselor, "東京") == [moved]
    assert consultations(counselor, "京都") == [moved]
    # 東京都 has the pieces 東京 and 京都, both in the text, but not in a row.
    assert consultations(counselor, "東京都") == []


def test_a_one_character_word_of_a_consultation_not_visible_is_not_found(
    ward: Ward, notes: dict[str, int]
) -> None:
    south = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    theirs = make.consultation(south, ward.other_center, summary="南の窓口で就労の相談。").pk
    assert consultations(south, "労") == [theirs]
    assert consultations(south, "護") == []
    assert notes["work"] in consultations(ward.member(Role.COUNSELOR), "労")
    assert theirs not in consultations(ward.member(Role.COUNSELOR), "労")


def test_a_changed_text_is_found_by_its_new_words_only(ward: Ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    consultation = make.consultation(counselor, ward.center, summary="家賃の滞納について相談。")
    assert consultations(counselor, "滞納") == [consultation.pk]
    with tenancy.tenant_context(ward.municipality):
        consultation.summary = "就労先の紹介を希望。"
        consultation.search_text = consultation_search_text(consultation)
        consultation.save()
        consultation_grams_write([consultation])
        indexed = set(
            ConsultationGram.objects.filter(consultation=consultation).values_list(
                "gram", flat=True
            )
        )
    assert indexed == text_grams(consultation.search_text)
    assert consultations(counselor, "就労") == [consultation.pk]
    assert consultations(counselor, "滞納") == []


@pytest.mark.parametrize("query", ["介護", "護", "訪問 介護", "ﾊﾛｰﾜｰｸ"])
def test_the_text_is_matched_only_on_the_consultations_the_index_gives(
    ward: Ward, notes: dict[str, int], query: str
) -> None:
    # LIKE '%…%' on its own reads every consultation of the municipality: the
    # statement that matches the text also asks the index for the candidates.
    with CaptureQueriesContext(connection) as captured:
        consultations(ward.member(Role.COUNSELOR), query)
    matching = [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"].upper()]
    assert matching
    for sql in matching:
        assert '"consultations_consultationgram"' in sql, sql
