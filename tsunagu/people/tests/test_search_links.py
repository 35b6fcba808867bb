"""Search results and the intake's duplicate check link a person's household
only where the searcher may open it: a person seen through an earlier
household may have moved to one the searcher has no basis for."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tsunagu.core import tenancy
from tsunagu.people.services import household_member_add
from tsunagu.tests import resident_factories as make
from tsunagu.tests.test_resident_pages import counselor_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(ward):
    """髙橋 一郎: registered by the centre in its household, then moved by
    the other centre into a household only the other centre sees."""
    clerk, other = counselor_of(ward, ward.center), counselor_of(ward, ward.other_center)
    person = make.person(clerk, ward.center, family_name="髙橋", given_name="一郎")
    before = make.household(clerk, ward.center, head=person)
    after = make.household(other, ward.other_center)
    with tenancy.tenant_context(ward.municipality):
        household_member_add(actor=other, household=after, person=person, relationship="other")
    return clerk, other, person, before, after


def test_search_links_only_a_household_the_searcher_may_open(client, moved):
    clerk, other, person, _before, after = moved
    link = reverse("people:household_detail", args=[after.pk])
    client.force_login(clerk)
    assert client.get(link).status_code == 404
    found = client.post(reverse("people:search"), {"q": "髙橋"}).content.decode()
    assert reverse("people:person_detail", args=[person.pk]) in found
    assert link not in found
    client.force_login(other)
    found = client.post(reverse("people:search"), {"q": "髙橋"}).content.decode()
    assert link in found
    assert client.get(link).status_code == 200


def test_duplicate_check_links_only_a_household_the_clerk_may_open(client, moved):
    clerk, other, _person, _before, after = moved
    link = reverse("people:household_detail", args=[after.pk])
    typed = {"prefix": "person", "person-family_name": "髙橋", "person-given_name": "一郎"}
    client.force_login(clerk)
    found = client.post(reverse("people:matches"), typed).content.decode()
    assert "一郎" in found
    assert link not in found
    client.force_login(other)
    assert link in client.post(reverse("people:matches"), typed).content.decode()
