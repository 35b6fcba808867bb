"""A clerk's day: what waits for a member of staff, counted and listed.

- :func:`counts`: every count of the work queue in one statement (scalar
  subqueries on the staff member's municipality row), for the menu of every
  page, the home page and the e-mail notices;
- :func:`lines`: the first lines of each part of the queue for the home page,
  one statement a kind of record, never one a row.

The queue is one organization's: the one the staff member acts for (on the
pages), or each of their casework organizations in turn (the e-mail digest).
Everything is read through the policy: つなぐシート from ``policy.visible``,
the tasks, outreach contacts and participation paths from ``policy.own``
(the organization's own records), the cases from the visible cases of the
organization when it is a coordinating section.
Staff without casework (an external guest, an auditor, a system
administrator) have no queue and cost no statement.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, Func, IntegerField, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.accounts.models import Staff
from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality
from tsunagu.directory.models import Organization
from tsunagu.referrals.models import Referral, Status

#: How far ahead a task or a case's next action counts as due (a week).
DUE_WITHIN = datetime.timedelta(days=7)
#: Lines of each part shown on the home page (the counts say how many in all).
LINES = 10

#: Received and accepted: the sender waits for the outcome (報告).
REPORT_BACK_OWED = (Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD)


@dataclass(frozen=True)
class Counts:
    """The work queue of one member of staff for one organization, as numbers
    only (no personal data: the e-mail notices carry these)."""

    referrals_waiting: int = 0
    referrals_waiting_overdue: int = 0
    referrals_sent_overdue: int = 0
    report_backs_owed: int = 0
    report_backs_overdue: int = 0
    tasks_due: int = 0
    tasks_overdue: int = 0
    outreach_overdue: int = 0
    follow_ups_due: int = 0
    cases_due: int = 0
    #: Open オンライン相談 with the organization (a coordinating section: also the
    #: unassigned ones). The menu's figure only: not in ``total`` nor the notices.
    threads_open: int = 0

    @property
    def referrals(self) -> int:
        """The menu's figure for つなぐシート: to accept, or past the deadline."""
        return self.referrals_waiting + self.referrals_sent_overdue + self.report_backs_overdue

    @property
    def total(self) -> int:
        return (
            self.referrals
            + self.tasks_due
            + self.outreach_overdue
            + self.follow_ups_due
            + self.cases_due
        )

    @property
    def anything(self) -> bool:
        """Whether the home page has anything to list (report-backs owed
        before their deadline included, which the menu does not count)."""
        return bool(self.total or self.report_backs_owed)

    def for_menu(self) -> dict[str, int]:
        """The figure beside each menu entry (by its URL name), where there is work."""
        figures = {
            "referrals:inbox": self.referrals,
            "meetings:tasks": self.tasks_due,
            "outreach:worklist": self.outreach_overdue,
            "participation:worklist": self.follow_ups_due,
            "cases:list": self.cases_due,
            "frontdoor:list": self.threads_open,
        }
        return {name: n for name, n in figures.items() if n}


NONE = Counts()


def _open_threads(staff: Staff, organization_id: int) -> QuerySet[Any]:
    from tsunagu.frontdoor.models import Status as ThreadStatus

    # The unassigned ones too where the organization is a coordinating section
    # (asked inside the statement: the menu's count costs no statement of its own).
    coordinating = Exists(Organization.objects.filter(pk=organization_id, is_coordinating=True))
    mine = Q(organization_id=organization_id) | (Q(organization__isnull=True) & coordinating)
    return policy.visible(staff, "thread", policy.Action.LIST).filter(
        mine, status=ThreadStatus.OPEN
    )


def count_subquery(rows: QuerySet[Any]) -> Subquery:
    """``rows`` counted, as a scalar subquery (0 when there are none)."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


@dataclass(frozen=True)
class _Parts:
    """The queue's record sets for one staff member and organization, unevaluated."""

    organization_id: int
    received: QuerySet[Referral]
    sent: QuerySet[Referral]
    tasks: QuerySet[Any]
    outreach: QuerySet[Any]
    follow_ups: QuerySet[Any]
    cases: QuerySet[Any]


def _parts(staff: Staff, organization_id: int, today: datetime.date) -> _Parts:
    from tsunagu.cases.selectors import follow_up_reminders
    from tsunagu.outreach.selectors import overdue
    from tsunagu.participation.selectors import follow_ups_overdue

    referrals = policy.visible(staff, "referral", policy.Action.LIST)
    # Every part is the organization's own (a staff member of two windows sees
    # each window's queue when acting for it, and the digest tells them apart).
    # Whether it is a coordinating section, as a subquery: asking first would
    # be a statement of its own.
    coordinating = Organization.objects.filter(pk=organization_id, is_coordinating=True).values(
        "pk"
    )
    tasks = policy.own(staff, "action_item").filter(owner_organization_id=organization_id)
    return _Parts(
        organization_id=organization_id,
        received=referrals.filter(to_organization_id=organization_id),
        sent=referrals.filter(from_organization_id=organization_id),
        tasks=tasks.filter(done_at=None, due_on__lte=today + DUE_WITHIN),
        outreach=overdue(staff, today).filter(organization_id=organization_id),
        follow_ups=follow_ups_overdue(staff, today).filter(organization_id=organization_id),
        cases=follow_up_reminders(staff, today, coordinating=coordinating),
    )


def counts(staff: Staff, organization_id: int | None, today: datetime.date | None = None) -> Counts:
    """Every count of ``staff``'s work queue for ``organization_id`` (their
    acting organization), in one statement; no statement without casework."""
    if organization_id is None or organization_id not in policy.casework_organization_ids(staff):
        return NONE
    today = today or timezone.localdate()
    with tenancy.tenant_context(staff.municipality):
        parts = _parts(staff, organization_id, today)
        waiting = parts.received.filter(status=Status.REQUESTED)
        owed = parts.received.filter(status__in=REPORT_BACK_OWED)
        late = Q(due_on__lt=today)
        figures: dict[str, Any] = {
            "referrals_waiting": count_subquery(waiting),
            "referrals_waiting_overdue": count_subquery(waiting.filter(late)),
            "referrals_sent_overdue": count_subquery(
                parts.sent.filter(late, status=Status.REQUESTED)
            ),
            "report_backs_owed": count_subquery(owed),
            "report_backs_overdue": count_subquery(owed.filter(late)),
            "tasks_due": count_subquery(parts.tasks),
            "tasks_overdue": count_subquery(parts.tasks.filter(late)),
            "outreach_overdue": count_subquery(parts.outreach),
            "follow_ups_due": count_subquery(parts.follow_ups),
            "cases_due": count_subquery(parts.cases),
            "threads_open": count_subquery(_open_threads(staff, organization_id)),
        }
        row = (
            Municipality.objects.filter(pk=staff.municipality_id)
            .annotate(**figures)
            .values(*figures)
            .get()
        )
    return Counts(**{name: int(value or 0) for name, value in row.items()})


@dataclass(frozen=True)
class Line:
    """One line of the work queue: what, for whom (no more than the page it
    links to shows this staff member), by when, and where to do it."""

    kind: str
    what: str
    whom: str
    due_on: datetime.date | None
    url: str
    overdue: bool


@dataclass
class Queue:
    counts: Counts
    referrals: list[Line] = field(default_factory=list)
    tasks: list[Line] = field(default_factory=list)
    outreach: list[Line] = field(default_factory=list)
    #: The coordinating section's cases due (``Case`` rows, as the reminders showed them).
    cases: list[Any] = field(default_factory=list)


def _referral_lines(staff: Staff, parts: _Parts, today: datetime.date) -> list[Line]:
    """To accept, report-backs owed (received), and sent ones unanswered past
    their deadline; soonest deadline first."""
    waiting = Q(status=Status.REQUESTED) | Q(status__in=REPORT_BACK_OWED)
    rows = list(
        (
            parts.received.filter(waiting)
            | parts.sent.filter(status=Status.REQUESTED, due_on__lt=today)
        )
        .select_related("from_organization", "to_organization", "household")
        .order_by("due_on", "pk")[:LINES]
    )
    households = [r.household for r in rows if r.household is not None]
    # The household is named where the inbox names it: its basis decides
    # (a receiver sees it once it has accepted).
    seen = policy.bases(staff, "household", households) if households else {}
    lines = []
    for referral in rows:
        received = referral.to_organization_id == parts.organization_id
        if not received:
            kind, other = _("回答待ち"), referral.to_organization
        elif referral.status == Status.REQUESTED:
            kind, other = _("受理待ち"), referral.from_organization
        else:
            kind, other = _("報告待ち"), referral.from_organization
        lines.append(
            Line(
                kind=kind,
                what=f"{referral.number} {other.name}",
                whom=str(referral.household) if referral.household_id in seen else "",
                due_on=referral.due_on,
                url=reverse("referrals:detail", args=[referral.pk]),
                overdue=referral.due_on < today,
            )
        )
    return lines


def _task_lines(parts: _Parts, today: datetime.date) -> list[Line]:
    rows = parts.tasks.select_related("owner_organization").order_by("due_on", "pk")[:LINES]
    return [
        Line(
            kind=_("タスク"),
            what=task.content,
            whom=task.owner_organization.name,
            due_on=task.due_on,
            url=reverse("meetings:tasks"),
            overdue=task.due_on < today,
        )
        for task in rows
    ]


def _outreach_lines(parts: _Parts, today: datetime.date) -> list[Line]:
    rows = parts.outreach.select_related("household").order_by("next_on", "pk")[:LINES]
    return [
        Line(
            kind=_("アウトリーチ"),
            what=contact.get_intent_display(),
            whom=str(contact.household),
            due_on=contact.next_on,
            url=reverse("outreach:household", args=[contact.household_id]),
            overdue=True,
        )
        for contact in rows
    ]


def queue(
    staff: Staff,
    organization_id: int | None,
    today: datetime.date | None = None,
    *,
    found: Counts | None = None,
) -> Queue:
    """The home page's work queue: the counts (``found``, when the caller has
    them for the menu already) and the first lines of each part that has any,
    a statement a kind (the households named on つなぐシート one more: their bases)."""
    today = today or timezone.localdate()
    if found is None:
        found = counts(staff, organization_id, today)
    if found == NONE or organization_id is None:
        return Queue(found)
    with tenancy.tenant_context(staff.municipality):
        parts = _parts(staff, organization_id, today)
        referrals_open = (
            found.referrals_waiting + found.report_backs_owed + found.referrals_sent_overdue
        )
        return Queue(
            found,
            referrals=_referral_lines(staff, parts, today) if referrals_open else [],
            tasks=_task_lines(parts, today) if found.tasks_due else [],
            outreach=_outreach_lines(parts, today) if found.outreach_overdue else [],
            cases=list(parts.cases[:LINES]) if found.cases_due else [],
        )


def acting_organization_for_queue(request: HttpRequest) -> int | None:
    """The organization whose queue the request's staff member sees: the one
    they act for among their casework organizations (no statement)."""
    staff: Any = request.user
    return acting_organization_id(request, policy.casework_organization_ids(staff))


def request_counts(request: HttpRequest) -> Counts:
    """The counts of the request's staff member, read once per request: the
    menu of every page and the home page share the one statement."""
    cached: Counts | None = getattr(request, "_work_queue_counts", None)
    if cached is None:
        staff: Any = request.user
        cached = counts(staff, acting_organization_for_queue(request))
        request._work_queue_counts = cached  # type: ignore[attr-defined]
    return cached
