"""Probable existing persons for a name typed at intake (matching.probable_matches)."""

from __future__ import annotations

from datetime import date

import pytest

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.people.matching import Match, Typed, probable_matches
from tsunagu.people.models import Person
from tsunagu.people.services import name_variants, person_merge
from tsunagu.policy import Action, visible
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

BORN = date(1948, 7, 15)


def matches_for(staff: Staff, typed: Typed) -> list[Match]:
    """What the intake form would propose to ``staff``: candidates are the persons they may see."""
    with tenancy.tenant_context(staff.municipality):
        candidates = visible(staff, "person", Action.LIST)
        return probable_matches(candidates, typed, name_variants())


@pytest.fixture
def takahashi(ward: Ward) -> Person:
    return make.person(
        ward.member(Role.COUNSELOR),
        ward.center,
        family_name="高橋",
        given_name="太郎",
        family_name_kana="たかはし",
        given_name_kana="たろう",
        birth_date=BORN,
        address="テスト区北町2丁目3番4号",
    )


def test_a_variant_kanji_finds_the_registered_standard_form(ward: Ward, takahashi: Person) -> None:
    found = matches_for(ward.member(Role.COUNSELOR), Typed(family_name="髙橋", given_name="太郎"))
    assert [m.person for m in found] == [takahashi]
    match = found[0]
    assert 50 <= match.score <= 100
    assert any("髙→高" in reason for reason in match.reasons), match.reasons
    assert any("異体字" in reason for reason in match.reasons), match.reasons


def test_the_same_spelling_says_the_name_is_the_same(ward: Ward, takahashi: Person) -> None:
    found = matches_for(ward.member(Role.COUNSELOR), Typed(family_name="高橋", given_name="太郎"))
    assert [m.person for m in found] == [takahashi]
    assert "氏名が一致" in found[0].reasons


def test_the_birth_date_raises_or_lowers_the_score(ward: Ward, takahashi: Person) -> None:
    counselor = ward.member(Role.COUNSELOR)
    base = {
        "family_name": "髙橋",
        "given_name": "太郎",
        "family_name_kana": "タカハシ",
        "given_name_kana": "タロウ",
    }
    without = matches_for(counselor, Typed(**base))[0]
    same = matches_for(counselor, Typed(**base, birth_date=BORN))[0]
    other = matches_for(counselor, Typed(**base, birth_date=date(1948, 7, 16)))[0]
    assert other.score < without.score < same.score
    assert "生年月日が一致" in same.reasons
    assert "生年月日が異なる" in other.reasons
    assert "生年月日が一致" not in without.reasons and "生年月日が異なる" not in without.reasons


def test_a_different_birth_date_can_drop_a_weak_candidate(ward: Ward, takahashi: Person) -> None:
    counselor = ward.member(Role.COUNSELOR)
    typed = Typed(family_name="高橋", given_name="太郎", birth_date=date(1990, 1, 1))
    assert matches_for(counselor, typed) == []


def test_the_reading_typed_in_katakana_matches_a_registered_hiragana_reading(
    ward: Ward, takahashi: Person
) -> None:
    """渡部/渡辺-style kanji that do not fold together are still found by the reading."""
    typed = Typed(
        family_name="鷹橋",
        given_name="太朗",
        family_name_kana="ﾀｶﾊｼ",
        given_name_kana="タロウ",
        birth_date=BORN,
    )
    found = matches_for(ward.member(Role.COUNSELOR), typed)
    assert [m.person for m in found] == [takahashi]
    assert "生年月日が一致" in found[0].reasons
    assert "ふりがなが一致" in found[0].reasons


def test_an_exact_reading_scores_higher_than_a_similar_one(ward: Ward, takahashi: Person) -> None:
    counselor = ward.member(Role.COUNSELOR)
    exact = Typed(
        family_name="高橋", given_name="太郎", family_name_kana="たかはし", given_name_kana="たろう"
    )
    similar = Typed(
        family_name="高橋", given_name="太郎", family_name_kana="たかはし", given_name_kana="たろさ"
    )
    exact_match = matches_for(counselor, exact)[0]
    similar_match = matches_for(counselor, similar)[0]
    assert "ふりがなが一致" in exact_match.reasons
    assert "ふりがなが一致" not in similar_match.reasons
    assert exact_match.score > similar_match.score


def test_a_similar_address_is_a_reason(ward: Ward, takahashi: Person) -> None:
    typed = Typed(family_name="高橋", given_name="太郎", address="テスト区北町２－３－４")
    found = matches_for(ward.member(Role.COUNSELOR), typed)
    assert "住所が類似" in found[0].reasons


def test_better_matches_come_first_and_the_limit_holds(ward: Ward, takahashi: Person) -> None:
    counselor = ward.member(Role.COUNSELOR)
    brother = make.person(
        counselor,
        ward.center,
        family_name="高橋",
        given_name="次郎",
        family_name_kana="たかはし",
        given_name_kana="じろう",
        birth_date=date(1951, 2, 3),
    )
    typed = Typed(
        family_name="高橋", given_name="太郎", family_name_kana="たかはし", given_name_kana="たろう"
    )
    found = matches_for(counselor, typed)
    assert [m.person for m in found] == [takahashi, brother]
    assert found[0].score > found[1].score
    with tenancy.tenant_context(ward.municipality):
        limited = probable_matches(
            visible(counselor, "person", Action.LIST), typed, name_variants(), limit=1
        )
    assert [m.person for m in limited] == [takahashi]


def test_nothing_is_proposed_for_an_empty_name(ward: Ward, takahashi: Person) -> None:
    assert matches_for(ward.member(Role.COUNSELOR), Typed(birth_date=BORN)) == []


def test_candidates_are_only_the_persons_the_clerk_may_see(
    ward: Ward, other_ward: Ward, takahashi: Person
) -> None:
    """Warning about a person of another organization would itself disclose them."""
    typed = Typed(family_name="髙橋", given_name="太郎", birth_date=BORN)
    south = make.staff_at(ward, ward.other_center, Role.COUNSELOR, "south-counselor")
    assert matches_for(south, typed) == []
    assert matches_for(other_ward.member(Role.COUNSELOR), typed) == []
    for role in (Role.MANAGER, Role.SYSADMIN, Role.AUDITOR):
        assert matches_for(ward.member(role), typed) == [], role
    # The same question from the registering organization finds them.
    assert [m.person for m in matches_for(ward.member(Role.ORG_MANAGER), typed)] == [takahashi]


def test_a_merged_record_is_not_proposed(ward: Ward, takahashi: Person) -> None:
    counselor = ward.member(Role.COUNSELOR)
    duplicate = make.person(
        counselor,
        ward.center,
        family_name="髙橋",
        given_name="太郎",
        family_name_kana="たかはし",
        given_name_kana="たろう",
        birth_date=BORN,
    )
    with tenancy.tenant_context(ward.municipality):
        person_merge(actor=counselor, survivor=takahashi, absorbed=duplicate, reason="同一人物")
    found = matches_for(counselor, Typed(family_name="高橋", given_name="太郎", birth_date=BORN))
    assert [m.person for m in found] == [takahashi]
