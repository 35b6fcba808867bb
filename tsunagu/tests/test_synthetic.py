"""``manage.py generate_synthetic``: the synthetic municipalities behind the
benchmarks and the load test. Checked at the ``small`` scale (the ``ward``
and ``large`` scales are the same code with bigger numbers): the counts it
promises, distributions that look like a municipal record, rows the product
reads as its own (search, the household page, the report), ids that new
records continue after, and no mixing of tenants."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.cases.models import Case
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.synthetic.generator import (
    CODE,
    COUNSELOR_USERNAME,
    FISCAL_YEARS,
    SCALES,
    TODAY,
    TOKYO,
)
from tsunagu.meetings.models import AgendaItem, Meeting
from tsunagu.outreach.models import OutreachContact
from tsunagu.people.models import Household, HouseholdMembership, Person
from tsunagu.people.selectors import consultation_search, person_search
from tsunagu.referrals.models import Referral
from tsunagu.reports.business import business_report
from tsunagu.reports.metrics import Period
from tsunagu.resources.models import Resource

pytestmark = pytest.mark.django_db

SMALL = SCALES["small"]


def _generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_synthetic", "--scale", "small", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def generated_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[Municipality]:
    """The small scale, generated once for the module (tens of seconds on a
    loaded machine) inside a transaction rolled back at its end; each test
    runs in its own savepoint on top of it, so what a test adds is gone
    before the next one. (Several tenants are generated in their own module,
    test_synthetic_tenants.py, beside no other synthetic municipality.)"""
    md5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=md5),
        transaction.atomic(),
    ):
        _generate("--password", "synthetic-pass-2026")
        # Check the deferred foreign keys once, here, not at every test's savepoint.
        connection.check_constraints()
        yield Municipality.objects.get(code=CODE)
        transaction.set_rollback(True)


@pytest.fixture
def generated(generated_once: Municipality, db: None) -> Municipality:
    return generated_once


def test_the_promised_counts(generated: Municipality) -> None:
    by = {"municipality": generated}
    assert Person.all_tenants.filter(**by).count() == SMALL.persons
    assert Consultation.all_tenants.filter(**by).count() == SMALL.consultations
    assert OutreachContact.all_tenants.filter(**by).count() == SMALL.outreach_contacts
    assert Case.all_tenants.filter(**by).count() == SMALL.cases
    assert Meeting.all_tenants.filter(**by).count() == SMALL.meetings
    assert Resource.all_tenants.filter(**by).count() == SMALL.resources
    assert Referral.all_tenants.filter(**by).exists()


def test_distributions_look_like_a_municipal_record(generated: Municipality) -> None:
    sizes = list(
        HouseholdMembership.all_tenants.filter(municipality=generated, ended_on=None)
        .values("household")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    # Mostly single households, a mean under two (a Tokyo ward).
    assert 1.4 < statistics.fmean(sizes) < 2.1
    assert Counter(sizes)[1] / len(sizes) > 0.45
    # Every person has at most one current household.
    current = Counter(
        HouseholdMembership.all_tenants.filter(municipality=generated, ended_on=None).values_list(
            "person_id", flat=True
        )
    )
    assert max(current.values()) == 1
    # Ten fiscal years of consultations, on weekdays, more in later years.
    received = list(
        Consultation.all_tenants.filter(municipality=generated).values_list(
            "received_at", flat=True
        )
    )
    years = Counter(at.year if at.month >= 4 else at.year - 1 for at in received)
    assert len(years) == FISCAL_YEARS
    assert all(at.date() <= TODAY for at in received)
    assert {at.astimezone(TOKYO).weekday() for at in received} <= {0, 1, 2, 3, 4}
    first, last = min(years), max(years) - 1  # the last fiscal year is not over
    assert years[last] > years[first]
    # Repeat consulters: a few households come again and again.
    per_household = sorted(
        Consultation.all_tenants.filter(municipality=generated, household__isnull=False)
        .values("household")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert statistics.median(per_household) <= 4
    assert per_household[-1] >= 10 * statistics.median(per_household)
    # Common surnames at their real share: 佐藤 about 1.5 %, the most common.
    surnames = Counter(
        Person.all_tenants.filter(municipality=generated).values_list("family_key", flat=True)
    )
    assert surnames.most_common(1)[0][0] in {"佐藤", "鈴木", "高橋"}
    # Cases are considered in meetings held while they were open.
    item = (
        AgendaItem.all_tenants.filter(municipality=generated)
        .select_related("part__meeting", "case")
        .first()
    )
    assert item is not None
    assert item.case.opened_on <= item.part.meeting.held_on


def test_the_product_reads_the_rows_as_its_own(generated: Municipality) -> None:
    counselor = Staff.all_tenants.get(username=COUNSELOR_USERNAME)
    with tenancy.tenant_context(generated):
        found = list(person_search(counselor, "佐藤"))
        assert found and all("佐藤" in p.family_key for p in found)
        # Consultations' words through their index, as the search page looks for them.
        visits = list(consultation_search(counselor, "訪問"))
        assert visits and all("訪問" in c.search_text for c in visits)
        if connection.vendor == "sqlite":
            # With the statistics the generator leaves (ANALYZE), the search
            # reads the index and fetches those consultations by id: it
            # neither scans the table nor walks the municipality's index.
            for query in ("訪問", "護", "訪問 介護"):
                sql, params = consultation_search(counselor, query).query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                    plan = [row[-1] for row in cursor.fetchall()]
                assert plan[0] == (
                    "SEARCH consultations_consultation USING INTEGER PRIMARY KEY (rowid=?)"
                ), plan
                assert any("consultation_gram" in step for step in plan), plan
        household = policy.visible(counselor, "household", policy.Action.VIEW).first()
        assert household is not None
        report = business_report((Period.fiscal_year(TODAY.year - 1),))
        counted = [v for s in report.sections for t in s.tables for r in t.rows for v in r.values]
        assert any(counted), "the seed layout counts the synthetic records"
    client = Client()
    login = client.post(
        "/login/", {"username": COUNSELOR_USERNAME, "password": "synthetic-pass-2026"}
    )
    assert login.status_code == 302  # the password given to the command signs in
    page = client.get(f"/people/households/{household.pk}/")
    assert page.status_code == 200
    assert household.label in page.content.decode()


def test_new_records_continue_after_the_generated_ids(generated: Municipality) -> None:
    highest = Person.all_tenants.order_by("-pk").values_list("pk", flat=True)[0]
    person = Person.all_tenants.create(
        municipality=generated,
        family_name="新規",
        registered_by=Household.all_tenants.filter(municipality=generated).first().registered_by,
    )
    assert person.pk > highest


def test_it_refuses_to_run_twice_or_beside_real_data(generated: Municipality) -> None:
    with pytest.raises(CommandError, match="すでにあります"):
        _generate()
    Municipality.objects.create(code="131059", name="実在の区")
    with pytest.raises(CommandError, match="実在の自治体"):
        _generate("--tenants", "2")
