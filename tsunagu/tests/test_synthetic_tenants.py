"""``manage.py generate_synthetic --tenants``: a scale shared by several
synthetic municipalities that never mix (apart from test_synthetic.py, whose
one municipality stays loaded for its whole module)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tsunagu.consultations.models import Consultation
from tsunagu.core.models import Municipality
from tsunagu.demo.synthetic.generator import SCALES
from tsunagu.people.models import HouseholdMembership, Person

pytestmark = pytest.mark.django_db

SMALL = SCALES["small"]


def test_several_tenants_share_the_scale_and_never_mix() -> None:
    call_command("generate_synthetic", "--scale", "small", "--tenants", "3", stdout=StringIO())
    towns = list(Municipality.objects.filter(code__startswith="99000").order_by("code"))
    assert len(towns) == 3
    persons = [Person.all_tenants.filter(municipality=town).count() for town in towns]
    assert persons == sorted(persons, reverse=True)  # one city, smaller towns
    assert abs(sum(persons) - SMALL.persons) <= len(towns)  # shares, rounded
    for town in towns:
        foreign = Consultation.all_tenants.filter(municipality=town).exclude(
            household__municipality=town
        )
        assert not foreign.filter(household__isnull=False).exists()
        assert (
            not HouseholdMembership.all_tenants.filter(municipality=town)
            .exclude(person__municipality=town)
            .exists()
        )
