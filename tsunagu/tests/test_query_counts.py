"""The pages that list records cost the same number of SQL statements however
many records they list: each page is rendered over a few rows, then again
after several times (six times) more rows of the kind it lists were added,
and both renders must issue exactly the pinned number of statements.

Every pin is made of the same fixed parts plus the page's own reads:

- 4 to authenticate: the session, the staff member, their memberships (with
  their organizations' names, which the header's organizations come from),
  whether their role requires two-factor or they have a confirmed device
  (one statement);
- 1 on a full page for staff doing casework: the menu's counts of their work
  queue (workqueue.selectors.counts, every count in one statement; none for
  staff without casework, nor for the API and htmx fragments);
- 1 per audit event: its INSERT (its seal runs after the commit, which the
  test's transaction never reaches: audit/tests/test_sealing.py pins it);
- the page's reads: one query per kind of record shown, each row's related
  records fetched with it (``select_related``, ``prefetch_related``, an
  annotation or one grouped query), never one query per row.

The session is saved only when the last activity is recorded (at most once
a minute, ``IdleTimeoutMiddleware``; once an hour in the tests): each test's
first request records it, so the counted requests save nothing.

A pin that no longer holds means the page's work changed: if the count grew
with the rows, that is an N+1 to fix; if the page rightly needs a query more
or fewer, change the pin with the change and say why.

PostgreSQL and SQLite issue the same statements for these pages, except the
one SQLite adds at the end of every request (``PRAGMA optimize``, sent by
``tsunagu.core.database.sqlite_optimize`` when the request finishes): upkeep
of the connection, not work of the page, so it is added to the pin on SQLite
only (``statements``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.reports import layout
from tsunagu.reports.models import Metric
from tsunagu.tests import resident_factories as rf
from tsunagu.tests import scale_factories as sf
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def statements(page: int) -> int:
    """The statements a request issues for a page that issues ``page`` itself."""
    upkeep = 1 if connection.vendor == "sqlite" else 0  # PRAGMA optimize
    return page + upkeep


def rendered(
    django_assert_num_queries: Any, page: int, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """``render()``'s answer, asserting that it took exactly ``page`` statements."""
    with django_assert_num_queries(statements(page)):
        response = render()
    assert response.status_code == 200
    return response


def test_household_page(ward: Ward, django_assert_num_queries: Any) -> None:
    """20 statements however many members, consultations and referrals the
    household has: 4 (fixed parts); the menu's counts (1); the household and the viewer's basis to
    it, one statement on the grants (2); the audit of the view (1); the
    records (11): members with their persons, consultations with their
    organizations, 3 queries for the bases of all consultations at once (the
    つなぐシート held, the cases they are part of, the viewer's emergency
    openings), their subjects, referrals with both organizations, the
    emergency openings for the referrals' bases, all their events, all their
    persons, and one query saying the household has no case, outreach,
    participation or life event (so those sections ask nothing more); the audit of what was
    shown (1). Whether the viewer may change or archive the household is
    decided from the basis already found (none)."""
    counselor = ward.member(Role.COUNSELOR)
    receiver = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    household = rf.household(counselor, ward.center)
    sf.household_grown(counselor, household, receiver, members=1, consultations=2, referrals=1)
    client = as_staff(counselor)
    url = reverse("people:household_detail", args=[household.pk])
    client.get(url)  # the session's first request (last activity) is not the page's cost

    few = rendered(django_assert_num_queries, 20, lambda: client.get(url))
    sf.household_grown(counselor, household, receiver, members=4, consultations=8, referrals=4)
    many = rendered(django_assert_num_queries, 20, lambda: client.get(url))

    for response, members, consultations, referrals in ((few, 2, 2, 1), (many, 6, 10, 5)):
        view = response.context["view"]
        assert len(view.members) == members
        assert len(view.shown["consultation"]) == consultations
        assert len(view.shown["referral"]) == referrals
        kinds = [event.kind for event in view.timeline]
        assert kinds.count("consultation") == consultations
        assert kinds.count("referral") == referrals * 2  # sent, then accepted


def test_person_search(ward: Ward, django_assert_num_queries: Any) -> None:
    """11 statements however many persons match: the fixed parts (4); the
    menu's counts (1); the name variants (1); the persons, in one statement: the index of name
    pieces, the exact match on those persons, the policy's person rule (a
    probe on the grants from each) and their districts, in reading order (1);
    the audit event of the search (1); the persons' current households, those
    households and the viewer's bases to them, so that only those the viewer
    may open are linked (3).

    The consultations with the words come in their own request (the page asks
    for it as it shows): 7 statements however many match — the fixed parts
    (4), the menu's counts (1), the consultations with their organizations (1), the audit event (1)."""
    counselor = ward.member(Role.COUNSELOR)
    sf.persons_named(counselor, "鈴木", 2)
    client = as_staff(counselor)
    url = reverse("people:search")
    in_records = reverse("people:search_consultations")
    client.post(url, {"q": "鈴木"})

    def both() -> tuple[Any, Any]:
        return (
            rendered(django_assert_num_queries, 11, lambda: client.post(url, {"q": "鈴木"})),
            rendered(django_assert_num_queries, 7, lambda: client.post(in_records, {"q": "鈴木"})),
        )

    few = both()
    sf.persons_named(counselor, "鈴木", 10, start=2)
    many = both()

    for (names, records), found in ((few, 2), (many, 12)):
        assert len(names.context["rows"]) == found
        assert all(household is not None for _person, household in names.context["rows"])
        assert in_records in names.content.decode()  # the page asks for the records
        assert len(records.context["consultations"]) == found


def test_referral_inbox(ward: Ward, django_assert_num_queries: Any) -> None:
    """10 statements however many つなぐシート the receiving organization has:
    the fixed parts (4); the menu's counts (1); the acting organization and the referrals with both
    organizations and whether each is overdue (2); the households of the
    referrals listed and the viewer's bases to them, one statement on the
    grants, so that only those the receiver may now see are named (2); one
    audit event (1)."""
    sender = ward.member(Role.COUNSELOR)
    receiver = rf.staff_at(ward, ward.other_center, Role.COUNSELOR, "south")
    sf.referrals_received(sender, receiver, 2)
    client = as_staff(receiver)
    url = reverse("referrals:inbox")
    client.get(url)

    few = rendered(django_assert_num_queries, 10, lambda: client.get(url))
    sf.referrals_received(sender, receiver, 10)
    many = rendered(django_assert_num_queries, 10, lambda: client.get(url))

    for response, received, accepted in ((few, 2, 1), (many, 12, 6)):
        rows = response.context["rows"]
        assert len(rows) == received
        assert sum(1 for _referral, label in rows if label) == accepted


def test_case_list(ward: Ward, django_assert_num_queries: Any) -> None:
    """11 statements however many cases the 多機関協働事務局 holds: the fixed
    parts (4); the menu's counts (1); the coordinating sections (asked once, for the list and the
    page's ``coordinating`` flag), the count of the cases and one page of
    them with household, organizations and lead staff (3); the viewer's bases
    to the page's cases, one statement on the grants (1); which of them have
    a consent in force, for the page's rows only (1); one audit event (1)."""
    coordinator = ward.member(Role.COORDINATOR)
    sf.cases_opened(coordinator, ward.coordinating, 2)
    client = as_staff(coordinator)
    url = reverse("cases:list")
    client.get(url)

    few = rendered(django_assert_num_queries, 11, lambda: client.get(url))
    sf.cases_opened(coordinator, ward.coordinating, 10)
    many = rendered(django_assert_num_queries, 11, lambda: client.get(url))

    for response, opened in ((few, 2), (many, 12)):
        rows = response.context["rows"]
        assert len(rows) == opened
        assert sum(row.has_consent for row in rows) == opened // 2


#: 令和6年度 (the whole fiscal year) and 令和7年4月〜6月, the seed's two columns.
SEED_COLUMNS = "?c1_year=2024&c1_from=4&c1_to=3&c2_year=2025&c2_from=4&c2_to=6"


def test_business_report(ward: Ward, django_assert_num_queries: Any) -> None:
    """17 statements for the seed-000 report however many records 令和6年度
    counts: the fixed parts (4); the business names, the layout's tables and
    rows, the branches (4); per column, one query for the monthly counts
    (consultations, activities, meetings held and counted entries: whole
    months), and one for each of the three rows counted from the records
    (支援プランに基づくアウトリーチ・参加支援, and 事務局相談受付件数: its
    consultations, つなぐシート and cases in one UNION ALL): 2 x 4 = 8; one
    audit event (1)."""
    counselor, tomisaka = sf.seed_000_ward(ward)
    sf.counted_records(counselor, tomisaka, 2, first_day=datetime.date(2024, 5, 1))
    client = as_staff(ward.member(Role.MANAGER))
    url = reverse("reports:business") + SEED_COLUMNS
    client.get(url)

    few = rendered(django_assert_num_queries, 17, lambda: client.get(url))
    sf.counted_records(counselor, tomisaka, 10, first_day=datetime.date(2024, 6, 1))
    many = rendered(django_assert_num_queries, 17, lambda: client.get(url))

    for response, counted in ((few, 2), (many, 12)):
        rows = list(response.context["report"].rows())
        figures = {
            (line.row.metric, line.row.organization.name if line.row.organization else "",
             line.row.district.name if line.row.district else "", line.row.option): line.values
            for line in rows
        }  # fmt: skip
        anshin = f"{layout.ANSHIN}富坂"
        assert figures[(Metric.CONSULTATIONS, anshin, "", "")] == [counted, 0]
        direct = (Metric.ACTIVITIES, "", "富坂", "individual:individual_support:direct")
        assert figures[direct] == [counted, 0]
        assert figures[(Metric.MEETINGS_HELD, "", "", "support_meeting")] == [counted, 0]


@pytest.mark.parametrize(
    ("url", "page"),
    [
        pytest.param(None, 11, id="resource-list"),
        pytest.param("/api/v1/hsds/services", 7, id="hsds-services"),
        pytest.param("/api/v1/hsds/services?full=true", 10, id="hsds-services-full"),
    ],
)
def test_service_list(
    ward: Ward, django_assert_num_queries: Any, url: str | None, page: int
) -> None:
    """However many services there are: the directory's list takes 11 (the
    fixed parts, 4; the menu's counts, 1; the count and the page of resources with their providers,
    their schedules, their places with districts, 4; the districts of the
    filter, 1; one audit event, 1); the HSDS page of services 7 (the fixed
    parts, 4; the count and the page, 2; the audit event, 1) and its full form 10
    (the services' schedules, places, and the places' schedules, 3 more)."""
    counselor = ward.member(Role.COUNSELOR)
    north = ward.districts[0]
    sf.services_listed(counselor, north, 2)
    client = as_staff(counselor)
    url = url or reverse("resources:list")
    client.get(url)

    few = rendered(django_assert_num_queries, page, lambda: client.get(url))
    sf.services_listed(counselor, north, 10, start=2)
    many = rendered(django_assert_num_queries, page, lambda: client.get(url))

    for response, listed in ((few, 2), (many, 12)):
        if url.startswith("/api/"):
            body = response.json()
            assert body["total_items"] == listed and len(body["contents"]) == listed
        else:
            rows = response.context["rows"]
            assert len(rows) == listed
            assert all(row.districts == ["北"] and len(row.schedules) == 1 for row in rows)
