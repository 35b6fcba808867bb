"""Demo data is labelled as such wherever a person can see it."""

from __future__ import annotations

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.core.models import Municipality
from tsunagu.tests.factories import Ward

NOTICE = "これは架空のデモ自治体です"


@pytest.mark.django_db
def test_the_sign_in_page_says_demo_only_on_a_demo_installation(client: Client, settings) -> None:
    settings.DEMO_NOTICE = False
    assert NOTICE not in client.get("/login/").content.decode()
    settings.DEMO_NOTICE = True
    assert NOTICE in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_pages_of_a_demo_municipality_say_so(client: Client, ward: Ward, settings) -> None:
    settings.DEMO_NOTICE = False
    client.force_login(ward.member(Role.COUNSELOR))
    assert NOTICE not in client.get("/").content.decode()
    Municipality.objects.filter(pk=ward.municipality.pk).update(is_demo=True)
    assert NOTICE in client.get("/").content.decode()
