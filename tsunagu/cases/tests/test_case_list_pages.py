"""The case list shows 50 cases a page, with page links that keep its filters,
and costs the same statements however many cases there are."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.tests import scale_factories as sf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def test_120_cases_are_listed_50_a_page_at_the_same_cost(ward: Ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    sf.cases_opened(coordinator, ward.coordinating, 3)
    client = Client()
    client.force_login(coordinator)
    url = reverse("cases:list")
    client.get(url)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    sf.cases_opened(coordinator, ward.coordinating, 117)
    with CaptureQueriesContext(connection) as many:
        first = client.get(url)
    assert len(many) == len(few)

    assert len(first.context["rows"]) == 50
    body = first.content.decode()
    pager = re.search(r'<nav class="pager" aria-label="ページ送り">.*?</nav>', body, re.S)
    assert pager is not None
    assert 'href="?page=1" aria-current="page">1ページ</a>' in pager.group()
    assert 'href="?page=2">2ページ</a>' in pager.group()
    assert 'href="?page=3">3ページ</a>' in pager.group()
    assert 'rel="next"' in pager.group() and 'rel="prev"' not in pager.group()
    assert "120件中 1〜50件目" in pager.group()

    last = client.get(url, {"page": 3})
    assert len(last.context["rows"]) == 20
    shown = {row.case.pk for page in (first, client.get(url, {"page": 2}), last)
             for row in page.context["rows"]}  # fmt: skip
    assert len(shown) == 120  # every case once


def test_the_page_links_keep_the_filters(ward: Ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    sf.cases_opened(coordinator, ward.coordinating, 55)
    client = Client()
    client.force_login(coordinator)

    page = client.get(reverse("cases:list"), {"group": "before_consent", "scope": "all", "page": 2})
    assert len(page.context["rows"]) == 5
    body = page.content.decode()
    assert 'href="?group=before_consent&amp;scope=all&amp;page=1" rel="prev"' in body
    assert 'href="?group=before_consent&amp;scope=all&amp;page=2" aria-current="page"' in body


def test_a_page_number_that_is_none_shows_the_first_or_last_page(ward: Ward) -> None:
    coordinator = ward.member(Role.COORDINATOR)
    sf.cases_opened(coordinator, ward.coordinating, 2)
    client = Client()
    client.force_login(coordinator)
    for asked in ("x", "-1", "99999999999999999999"):
        response = client.get(reverse("cases:list"), {"page": asked})
        assert response.status_code == 200
        assert len(response.context["rows"]) == 2
