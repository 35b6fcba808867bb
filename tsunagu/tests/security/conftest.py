"""A household with a person whose every identifying field is distinctive,
seen by the ward's counselor (their organization registered it) and by its
coordinator (a 多機関協働 case is open for it), so that the security tests can
look for each value in pages, JSON and logs."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from axes.utils import reset as axes_reset
from django.core.cache import cache

from tsunagu.accounts.roles import Role
from tsunagu.people.models import Household, Person
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward


@dataclass
class Resident:
    ward: Ward
    person: Person
    household: Household

    def secrets(self) -> dict[str, str]:
        """Each identifying value as it could appear in text."""
        person = self.person
        assert person.birth_date is not None
        return {
            "family name": person.family_name,
            "given name": person.given_name,
            "family kana": person.family_name_kana,
            "given kana": person.given_name_kana,
            "birth date (ISO)": person.birth_date.isoformat(),
            "birth date (slashes)": person.birth_date.strftime("%Y/%m/%d"),
            "birth date (Japanese)": (
                f"{person.birth_date.year}年{person.birth_date.month}月{person.birth_date.day}日"
            ),
            "address": person.address,
            "phone": person.phone,
        }


@pytest.fixture
def resident(ward: Ward) -> Resident:
    counselor, coordinator = ward.member(Role.COUNSELOR), ward.member(Role.COORDINATOR)
    person = rf.person(
        counselor,
        ward.center,
        family_name="榊原",
        given_name="澪子",
        family_name_kana="さかきばら",
        given_name_kana="れいこ",
        birth_date=datetime.date(1947, 11, 23),
        address="テスト区北町九丁目8番7号",
        phone="03-9876-5432",
    )
    household = rf.household(counselor, ward.center, head=person)
    cf.case(coordinator, ward.coordinating, household)
    return Resident(ward, person, household)


@pytest.fixture
def clean_counters(db: None) -> Iterator[None]:
    """No login failures nor API request counts left over from other tests."""
    axes_reset()
    cache.clear()
    yield
    axes_reset()
    cache.clear()
