"""Matching: the right place first, with reasons a CSW can say out loud."""

from __future__ import annotations

import datetime

import pytest

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.participation.matching import keys, suggest
from tsunagu.participation.services import profile_save
from tsunagu.resources.models import Category, Ease, Frequency, Resource, Status
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.resource_factories import resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def young_person(ward):
    csw = ward.member(Role.COUNSELOR)
    person = rf.person(
        csw, ward.center, family_name="石井", given_name="翔", birth_date=datetime.date(2001, 5, 1)
    )
    rf.household(csw, ward.center, head=person, district=ward.districts[0])
    with tenancy.tenant_context(ward.municipality):
        profile = profile_save(
            actor=csw,
            organization=ward.center,
            person=person,
            interests=["珈琲", "静かな場所"],
            days=["TU", "TH"],
            times=["afternoon"],
            group_size="small",
            travel="district",
            wishes="人とあまり話さなくていいなら、何か手伝ってみたい",
        )
    return csw, person, profile


@pytest.fixture
def directory(ward):
    north, south = ward.districts
    m = ward.municipality
    return {
        "cafe": resource(
            m, "コーヒーを淹れる会", district=north, byday="2TU", freq=Frequency.MONTHLY,
            opens_at=datetime.time(14), closes_at=datetime.time(16),
            interests=["コーヒー", "カフェ"], ease=[Ease.LITTLE_TALK, Ease.SMALL_GROUP, Ease.VISIT_FIRST],
            capacity=5, description="地域の会議でコーヒーを淹れて出す活動です。",
        ),
        "salon": resource(
            m, "にぎやかサロン", district=north, byday="WE", category=Category.SALON,
            opens_at=datetime.time(10), interests=["おしゃべり", "体操"], capacity=40,
        ),
        "far_cafe": resource(
            m, "南カフェ当番", district=south, byday="TH", opens_at=datetime.time(13),
            interests=["コーヒー"],
        ),
        "closed_cafe": resource(
            m, "休止中の喫茶", district=north, byday="TU", opens_at=datetime.time(14),
            interests=["コーヒー"], status=Status.TEMPORARILY_CLOSED,
        ),
        "farm": resource(
            m, "ふれあい農園", district=north, byday="SA", category=Category.FARM,
            opens_at=datetime.time(9), interests=["農作業", "野菜"],
        ),
    }  # fmt: skip


def test_kanji_and_kana_forms_of_a_word_are_one_interest():
    assert keys("珈琲") & keys("コーヒー")
    assert keys("こーひー") & keys("コーヒー")


def test_a_quiet_coffee_place_comes_first_with_its_reasons(ward, young_person, directory):
    _csw, _person, profile = young_person
    with tenancy.tenant_context(ward.municipality):
        found = suggest(profile, Resource.objects.all(), today=datetime.date(2026, 11, 1))
    assert found[0].resource == directory["cafe"]
    reasons = " ".join(found[0].reasons)
    assert "珈琲" in reasons  # the person's own word is the reason
    assert "会話少なめ" in reasons or "静かな環境" in reasons
    assert "火曜日" in reasons and "同じ圏域" in reasons
    assert found[0].next_dates == [datetime.date(2026, 11, 10), datetime.date(2026, 12, 8)]
    names = [s.resource.name for s in found]
    assert "休止中の喫茶" not in names  # not taking people now
    assert "ふれあい農園" not in names  # no reason at all
    if "南カフェ当番" in names:
        far = found[names.index("南カフェ当番")]
        assert "圏域の外" in far.cautions


def test_filters_narrow_by_district_and_weekday(ward, young_person, directory):
    _csw, _person, profile = young_person
    with tenancy.tenant_context(ward.municipality):
        south = suggest(profile, Resource.objects.all(), district_id=ward.districts[1].pk)
        thursday = suggest(profile, Resource.objects.all(), weekday="TH")
    assert {s.resource.name for s in south} <= {"南カフェ当番"}
    assert all("TH" in {sc.byday[-2:] for sc in s.resource.schedules.all()} for s in thursday)
    assert "コーヒーを淹れる会" not in {s.resource.name for s in thursday}
