"""The demo ward's recent activity records and plaza counts: believable months
(a few hundred acts by the 社会福祉協議会's coordinators in every district, each
of a kind its category has, with an intent of that kind), nothing before
令和7年7月 or after yesterday, counts only for months already over — and
loading twice changes nothing."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import KINDS_BY_CATEGORY, ActivityRecord, Category, CountedEntry
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.activities import (
    INTENTS,
    PLAZA_ITEM,
    START,
    load_demo_activities,
)
from tsunagu.demo.ward import load_demo_ward
from tsunagu.directory.models import Organization
from tsunagu.reports.metrics import Period, figure
from tsunagu.reports.models import Metric
from tsunagu.tests.factories import StaffFactory, add_member

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 14)  # a Friday: July to October whole, November begun


@pytest.fixture
def demo() -> Municipality:
    return load_demo_ward()


def test_the_coordinators_months_are_believable(demo: Municipality) -> None:
    with tenancy.tenant_context(demo):
        child_center = Organization.objects.get(name="子ども家庭支援センター")
        clerk = StaffFactory(municipality=demo, username="demo-kodomo-test")
        add_member(clerk, child_center, Role.COUNSELOR)
        summary = load_demo_activities(demo, today=TODAY)
        assert summary is not None
        records = list(ActivityRecord.objects.select_related("district", "organization"))
        council = Organization.objects.get(name="社会福祉協議会")
        coordinators = set(
            Membership.objects.filter(organization=council, active=True).values_list(
                "staff__username", flat=True
            )
        )
        entries = list(CountedEntry.objects.order_by("month"))
    assert summary.records == len(records)
    # demo-csw alone at the council in a bare ward: three more coordinators join.
    assert summary.staff_created == 3
    assert coordinators == {"demo-csw", "demo-csw-2", "demo-csw-3", "demo-csw-4"}
    assert {record.organization.name for record in records} == {"社会福祉協議会"}
    assert {record.staff.username for record in records} == coordinators
    days = [record.occurred_on for record in records]
    assert min(days) >= START and max(days) < TODAY
    per_month = Counter(day.replace(day=1) for day in days)
    for month in (datetime.date(2025, m, 1) for m in (7, 8, 9, 10)):
        assert 300 <= per_month[month] <= 500, (month, per_month[month])
    # November is half over.
    assert 100 <= per_month[datetime.date(2025, 11, 1)] < per_month[datetime.date(2025, 10, 1)]
    assert {record.district.name for record in records} == {"富坂", "大塚", "本富士", "駒込"}
    kinds = Counter((record.category, record.kind, record.mode) for record in records)
    for record in records[:500]:
        assert record.kind in KINDS_BY_CATEGORY[record.category]
        assert bool(record.mode) == (record.category == Category.INDIVIDUAL)
        assert record.intent in INTENTS[(record.category, record.kind)]
        assert timezone.localtime(record.created_at).date() == record.occurred_on
        assert record.updated_at == record.created_at
    # 運営支援 is the bulk of community work, as in seed 000's tables.
    community = {kind: n for (category, kind, _m), n in kinds.items() if category == "community"}
    assert max(community, key=community.__getitem__) == "operation"
    assert len(kinds) == 16
    # The plaza: one count a month for July to October, about 1,300 each, typed by its staff.
    assert [entry.month for entry in entries] == [datetime.date(2025, m, 1) for m in (7, 8, 9, 10)]
    assert {entry.item for entry in entries} == {PLAZA_ITEM}
    assert all(1100 <= entry.count <= 1600 for entry in entries)
    assert {entry.updated_by_id for entry in entries} == {clerk.pk}
    assert all(entry.updated_at.date() > entry.month for entry in entries)


def test_the_report_counts_the_loaded_months(demo: Municipality) -> None:
    load_demo_activities(demo, today=TODAY)

    class Spec:
        metric = Metric.ACTIVITIES
        include_branches = False
        district_id = None
        option = "community"

        def __init__(self, organization_id: int) -> None:
            self.organization_id = organization_id

    with tenancy.tenant_context(demo):
        council = Organization.objects.get(name="社会福祉協議会")
        october = Period(datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))
        expected = ActivityRecord.objects.filter(
            category="community", occurred_on__month=10, occurred_on__year=2025
        ).count()
        assert figure(Spec(council.pk), october) == expected > 0


def test_loading_twice_changes_nothing(demo: Municipality) -> None:
    assert load_demo_activities(demo, today=TODAY) is not None
    with tenancy.tenant_context(demo):
        before = (
            ActivityRecord.objects.count(),
            CountedEntry.objects.count(),
            Staff.objects.count(),
        )
    assert load_demo_activities(demo, today=TODAY) is None
    assert load_demo_activities(demo, today=TODAY + datetime.timedelta(days=40)) is None
    with tenancy.tenant_context(demo):
        after = (
            ActivityRecord.objects.count(),
            CountedEntry.objects.count(),
            Staff.objects.count(),
        )
    assert after == before
