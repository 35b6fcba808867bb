"""Reads of outreach contacts: a household's month-by-month view, the staff
member's work list with overdue planned contacts first, and the counts the
reports need (contacts per household per month: maximum and distribution).

Personal data comes through the policy's visible querysets; the counts are
aggregates and carry no names."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.core.printing import wareki_month_or_western
from tsunagu.outreach.models import REACHED, STAGE_ORDER, OutreachContact, Result, Stage


def visible_contacts(staff: Staff) -> QuerySet[OutreachContact]:
    return policy.visible(staff, "outreach_contact").select_related(
        "person", "organization", "household"
    )


def household_contacts(staff: Staff, household_id: int) -> list[OutreachContact]:
    """The household's contacts this staff member may see, newest first."""
    return list(
        visible_contacts(staff)
        .filter(household_id=household_id)
        .prefetch_related("visitors__staff", "visitors__organization")
        .order_by("-occurred_at", "-id")
    )


@dataclass
class Month:
    year: int
    month: int
    contacts: list[OutreachContact] = field(default_factory=list)
    stage: str = Stage.NONE
    stage_changed: bool = False
    stage_moved_forward: bool = False

    @property
    def label(self) -> str:
        return wareki_month_or_western(self.year, self.month)

    @property
    def count(self) -> int:
        return len(self.contacts)

    @property
    def reached(self) -> int:
        return sum(1 for contact in self.contacts if contact.result in REACHED)

    @property
    def met(self) -> int:
        return sum(1 for contact in self.contacts if contact.result == Result.MET)

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    def methods(self) -> list[tuple[str, int]]:
        return Counter(contact.get_method_display() for contact in self.contacts).most_common()

    def results(self) -> list[tuple[str, int]]:
        return Counter(contact.get_result_display() for contact in self.contacts).most_common()


def _months_between(first: datetime.date, last: datetime.date) -> list[tuple[int, int]]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_view(
    contacts: Iterable[OutreachContact], today: datetime.date | None = None
) -> list[Month]:
    """Month by month from the first contact to this month, oldest first: the
    contacts of each month, and the relationship stage at its end (carried
    over months with no contact), with the months where it changed marked."""
    today = today or timezone.localdate()
    ordered = sorted(contacts, key=lambda contact: (contact.occurred_at, contact.pk))
    if not ordered:
        return []
    by_month: dict[tuple[int, int], list[OutreachContact]] = defaultdict(list)
    for contact in ordered:
        local = timezone.localtime(contact.occurred_at)
        by_month[(local.year, local.month)].append(contact)
    first = timezone.localtime(ordered[0].occurred_at).date()
    months = []
    stage = str(Stage.NONE)
    for year, month in _months_between(first, max(today, first)):
        row = Month(year=year, month=month, contacts=by_month.get((year, month), []))
        before = stage
        if row.contacts:
            stage = row.contacts[-1].stage_after
        row.stage = stage
        row.stage_changed = stage != before
        row.stage_moved_forward = STAGE_ORDER.get(stage, 0) > STAGE_ORDER.get(before, 0)
        months.append(row)
    return months


@dataclass
class WorkItem:
    """One household on the staff member's outreach list."""

    household: Any
    last: OutreachContact
    count: int
    this_month: int
    overdue: bool

    @property
    def next_on(self) -> datetime.date | None:
        return self.last.next_on


def worklist(staff: Staff, today: datetime.date | None = None) -> list[WorkItem]:
    """Households the staff member's organizations reach out to: the latest
    contact of each, overdue planned contacts first, then by the next date."""
    today = today or timezone.localdate()
    orgs = policy.casework_organization_ids(staff)
    own = visible_contacts(staff).filter(organization_id__in=orgs)
    per_household = (
        own.values("household_id").annotate(n=Count("id")).values_list("household_id", "n")
    )
    counts = dict(per_household)
    newest = own.filter(household_id=OuterRef("household_id")).order_by("-occurred_at", "-id")
    lasts = list(
        own.filter(pk__in=Subquery(newest.values("pk")[:1]))
        .order_by()
        .select_related("household", "person")
    )
    if not lasts:
        return []
    this_month_start = today.replace(day=1)
    this_month = dict(
        own.filter(occurred_at__date__gte=this_month_start)
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    # A household seen by one subquery per row would be N queries; the
    # Subquery above is evaluated per household inside one statement.
    items = [
        WorkItem(
            household=contact.household,
            last=contact,
            count=counts.get(contact.household_id, 0),
            this_month=this_month.get(contact.household_id, 0),
            overdue=contact.is_overdue(today),
        )
        for contact in lasts
    ]
    far = datetime.date.max
    items.sort(key=lambda item: (not item.overdue, item.next_on or far, item.household.pk))
    return items


def overdue(staff: Staff, today: datetime.date | None = None) -> QuerySet[OutreachContact]:
    """The latest contact of each household of the work list that is overdue
    (it planned a next one before today), unevaluated: the home page counts
    them inside its one statement of counts and shows the first few."""
    today = today or timezone.localdate()
    own = policy.own(staff, "outreach_contact")
    newest = own.filter(household_id=OuterRef("household_id")).order_by("-occurred_at", "-id")
    return own.filter(pk__in=Subquery(newest.values("pk")[:1]), next_on__lt=today)


def overdue_count(staff: Staff, today: datetime.date | None = None) -> int:
    """How many households of the work list are overdue, counted in one statement."""
    return overdue(staff, today).count()


# ---------------------------------------------------------------------------
# Counts for the reports (no personal data).

#: Buckets of contacts per household per month (seed 004 asks for the maximum).
DISTRIBUTION_BUCKETS: list[tuple[int, int | None, str]] = [
    (1, 1, "1回"),
    (2, 3, "2〜3回"),
    (4, 6, "4〜6回"),
    (7, 11, "7〜11回"),
    (12, None, "12回以上"),
]


@dataclass
class MonthlyCounts:
    """Outreach contacts per household per month over a period."""

    contacts: int
    households: int
    household_months: int
    maximum: int
    distribution: list[tuple[str, int]]
    by_month: list[tuple[str, int, int]]  # label, contacts, households


def contacts_per_household_month(
    contacts: QuerySet[OutreachContact], start: datetime.date, end: datetime.date
) -> MonthlyCounts:
    """Count ``contacts`` made from ``start`` to ``end`` (inclusive) per household and month."""
    rows = list(
        contacts.filter(occurred_at__date__gte=start, occurred_at__date__lte=end)
        .annotate(month=TruncMonth("occurred_at"))
        .values("household_id", "month")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("household_id", "month", "n")
    )
    per_cell = [n for _h, _m, n in rows]
    buckets = []
    for low, high, label in DISTRIBUTION_BUCKETS:
        buckets.append(
            (label, sum(1 for n in per_cell if n >= low and (high is None or n <= high)))
        )
    month_totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for _household, month, n in rows:
        key = (month.year, month.month)
        month_totals[key][0] += n
        month_totals[key][1] += 1
    by_month = [
        (wareki_month_or_western(year, month), *month_totals.get((year, month), [0, 0]))
        for year, month in _months_between(start, end)
    ]
    return MonthlyCounts(
        contacts=sum(per_cell),
        households=len({h for h, _m, _n in rows}),
        household_months=len(rows),
        maximum=max(per_cell, default=0),
        distribution=buckets,
        by_month=by_month,  # type: ignore[arg-type]
    )
