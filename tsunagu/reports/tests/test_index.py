"""報告・評価: each role is offered the reports it may open, and nothing else."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tsunagu.accounts.roles import Role
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

AGGREGATES = [
    "事業報告（実績報告）",
    "戦略点検シート",
    "調査回答",
    "プロセス指標",
    "件数入力",
    "支援経過記録の集計（延べ）",
]
CASEWORK_COUNTS = ["アウトリーチの集計", "参加支援の集計", "多機関協働のプロセス"]


def _page(ward: Ward, role: str) -> tuple[int, str]:
    client = Client()
    client.force_login(ward.member(role))
    response = client.get("/reports/")
    return response.status_code, response.content.decode()


def test_a_manager_is_offered_the_aggregates_only(ward: Ward) -> None:
    status, html = _page(ward, Role.MANAGER)
    assert status == 200
    for title in AGGREGATES:
        assert title in html
    for title in CASEWORK_COUNTS:
        assert title not in html


def test_a_counselor_is_offered_the_counts_of_their_casework_too(ward: Ward) -> None:
    status, html = _page(ward, Role.COUNSELOR)
    assert status == 200
    for title in AGGREGATES + CASEWORK_COUNTS:
        assert title in html


def test_every_offered_report_opens(ward: Ward) -> None:
    client = Client()
    client.force_login(ward.member(Role.COORDINATOR))
    html = client.get("/reports/").content.decode()
    index = html.split('<ul class="report-index">')[1].split("</ul>")[0]
    links = re.findall(r'<li><a href="([^"]+)">', index)
    assert len(links) == len(AGGREGATES + CASEWORK_COUNTS)
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_guest_is_refused(ward: Ward) -> None:
    status, _html = _page(ward, Role.GUEST)
    assert status == 403
