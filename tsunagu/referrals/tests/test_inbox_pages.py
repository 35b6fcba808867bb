"""The inbox shows 50 つなぐシート a page, overdue first, with links to the next
and previous pages; nothing is lost between pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.tests import resident_factories as rf
from tsunagu.tests import scale_factories as sf

pytestmark = pytest.mark.django_db


def test_the_inbox_pages_fifty_at_a_time(ward) -> None:
    sender = ward.member(Role.COUNSELOR)
    receiver = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    sent = sf.referrals_received(sender, receiver, 55, accept_every=100)
    client = Client()
    client.force_login(receiver)
    url = reverse("referrals:inbox")
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    shown = [set(re.findall(r'href="/referrals/(\d+)/"', page)) for page in (first, second)]
    assert len(shown[0]) == 50 and len(shown[1]) == 5
    assert shown[0] | shown[1] == {str(r.pk) for r in sent}
    assert "次の50件" in first and "1〜50件目" in first
    assert "前の50件" in second and "51〜55件目" in second and "次の50件" not in second
    assert client.get(url, {"page": "x"}).status_code == 200  # a bad page number is page 1
