"""圏域 from the address: each district's 町 and 町丁目, the longest entry winning."""

from __future__ import annotations

import pytest

from tsunagu.core import tenancy
from tsunagu.directory.districts import district_for, for_address, normalize
from tsunagu.directory.models import District


def districts() -> list[District]:
    # Unsaved: district_for is a pure function of the rows it is given.
    return [
        District(pk=1, name="大塚", address_prefixes="大塚\n小日向3丁目"),
        District(pk=2, name="本郷", address_prefixes="本郷1丁目\n本郷2丁目"),
        District(pk=3, name="小日向", address_prefixes="小日向"),
        District(pk=4, name="市ケ谷", address_prefixes="市ケ谷"),
    ]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("デモ区大塚3-4-5", "大塚"),
        ("大塚三丁目4番5号", "大塚"),
        ("東京都デモ区大塚３－４－５ さくらハイツ201", "大塚"),
        ("デモ区小日向3丁目2-1", "大塚"),  # the longer entry wins over 小日向
        ("デモ区小日向三丁目2-1", "大塚"),
        ("デモ区小日向4-2-1", "小日向"),
        ("デモ区本郷2丁目10-1", "本郷"),
        ("デモ区本郷十二丁目1", None),  # 本郷1丁目 does not cover 本郷12丁目
        ("デモ区本郷3-1-1", None),
        ("東京都デモ区市ケ谷2-1", "市ケ谷"),  # 市 inside the 町 name
        ("", None),
        ("住所不定", None),
    ],
)
def test_the_district_an_address_lies_in(address: str, expected: str | None) -> None:
    found = district_for(address, districts())
    assert (found.name if found else None) == expected


def test_two_districts_claiming_the_same_town_leave_the_choice_to_the_clerk() -> None:
    rows = [
        District(pk=1, name="甲", address_prefixes="大塚"),
        District(pk=2, name="乙", address_prefixes="大塚"),
    ]
    assert district_for("デモ区大塚1-1-1", rows) is None


def test_kanji_numbers_and_chome_fold_to_digits() -> None:
    assert normalize("小日向 二十三丁目") == "小日向23-"
    assert normalize("大塚３丁目４番") == "大塚3-4番"


@pytest.mark.django_db
def test_the_tenant_districts_decide_and_archived_ones_do_not(ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        north, south = ward.districts
        north.address_prefixes = "北町"
        north.save()
        south.address_prefixes = "南町"
        south.save()
        assert for_address("テスト区北町2-3-4") == north
        assert for_address("テスト区東町2-3-4") is None
        from django.utils import timezone

        south.archived_at = timezone.now()
        south.save()
        assert for_address("テスト区南町1-1-1") is None
