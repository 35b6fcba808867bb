"""Reads of participation paths: the staff member's list with follow-ups due,
and the counts the reports need (paths plan-based and before a plan, host
organizations). Personal data comes through the policy; counts carry no names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.participation.models import CONNECTED, OPEN, Participation, Stage


def visible_participations(staff: Staff) -> QuerySet[Participation]:
    return policy.visible(staff, "participation").select_related(
        "person", "resource__provider", "organization", "plan"
    )


def worklist(staff: Staff, today: datetime.date | None = None) -> list[Participation]:
    """Open paths of the staff member's organizations, follow-ups overdue first."""
    today = today or timezone.localdate()
    orgs = policy.casework_organization_ids(staff)
    paths = list(visible_participations(staff).filter(organization_id__in=orgs, stage__in=OPEN))
    far = datetime.date.max
    paths.sort(key=lambda p: (not p.follow_up_overdue(today), p.next_follow_up_on or far, -p.pk))
    return paths


def follow_ups_overdue(staff: Staff, today: datetime.date | None = None) -> QuerySet[Participation]:
    """Open paths of the work list with a follow-up overdue
    (``Participation.follow_up_overdue``), unevaluated."""
    today = today or timezone.localdate()
    return policy.own(staff, "participation").filter(stage__in=OPEN, next_follow_up_on__lt=today)


def follow_ups_due(staff: Staff, today: datetime.date | None = None) -> int:
    """How many open paths of the work list have a follow-up overdue, in one statement."""
    return follow_ups_overdue(staff, today).count()


def active_in(
    paths: QuerySet[Participation], start: datetime.date, end: datetime.date
) -> QuerySet[Participation]:
    """Paths under way at some time from ``start`` to ``end``: proposed by its end
    and not ended before its start."""
    return (
        paths.filter(proposed_on__lte=end)
        .filter(Q(ended_on=None) | Q(ended_on__gte=start))
        .exclude(stage=Stage.INTERRUPTED, stage_changed_on__lt=start)
    )


@dataclass
class ParticipationCounts:
    plan_based: int
    before_plan: int
    persons: int
    connected: int
    settled: int
    host_organizations: int
    by_stage: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return self.plan_based + self.before_plan


def participation_counts(
    paths: QuerySet[Participation], start: datetime.date, end: datetime.date
) -> ParticipationCounts:
    """Counts of the paths under way from ``start`` to ``end`` (inclusive).

    協力事業者数 is the number of host organizations that received someone
    (見学・体験 or further) in the period."""
    active = active_in(paths, start, end)
    rows = list(active.values_list("plan_id", "stage", "person_id", "resource__provider_id"))
    # A host counts once someone reached it (見学・体験 or further), even if the
    # path has ended since; a proposal that never got there does not count.
    hosts = (
        active.filter(
            Q(stage__in=CONNECTED)
            | Q(started_on__isnull=False)
            | Q(events__to_stage__in=[Stage.TRIAL, Stage.PARTICIPATING])
        )
        .values_list("resource__provider_id", flat=True)
        .distinct()
    )
    by_stage = [
        (str(stage.label), sum(1 for _p, s, _x, _y in rows if s == stage)) for stage in Stage
    ]
    return ParticipationCounts(
        plan_based=sum(1 for plan, *_ in rows if plan is not None),
        before_plan=sum(1 for plan, *_ in rows if plan is None),
        persons=len({person for _p, _s, person, _h in rows}),
        connected=sum(1 for _p, s, _x, _y in rows if s in CONNECTED),
        settled=sum(1 for _p, s, _x, _y in rows if s == Stage.SETTLED),
        host_organizations=len(set(hosts)),
        by_stage=by_stage,
    )
