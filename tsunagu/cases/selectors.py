"""Reads of cases that combine several records: the coordinator's list with
what each case waits for, and the case page's meetings, plans and tasks —
each from the policy's visible sets."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.cases.models import BEFORE_CONSENT, Case, Stage, active_consents

#: Stage groups of the coordinator's list.
GROUPS: dict[str, tuple[str, frozenset[str]]] = {
    "before_consent": (_("同意前（受付〜支援会議で検討）"), BEFORE_CONSENT),
    "under_plan": (
        _("同意後（同意取得〜モニタリング）"),
        frozenset({Stage.CONSENTED, Stage.PLANNING, Stage.SUPPORTING, Stage.MONITORING}),
    ),
    "ended": (
        _("終結後（終結・経過観察・完了）"),
        frozenset({Stage.CLOSED, Stage.FOLLOW_UP, Stage.COMPLETED}),
    ),
}


def default_next_action(case: Case) -> str:
    """What a case waits for when nobody has written a next action."""
    return {
        Stage.INTAKE: _("アセスメント"),
        Stage.ASSESSMENT: _("支援会議の準備"),
        Stage.MEETING_REVIEW: _("本人との関係づくり・同意の確認"),
        Stage.CONSENTED: _("重層的支援会議でプラン作成"),
        Stage.PLANNING: _("プランの確定"),
        Stage.SUPPORTING: _("モニタリング"),
        Stage.MONITORING: _("モニタリングの判断"),
        Stage.CLOSED: _("経過観察の設定"),
        Stage.FOLLOW_UP: _("経過観察の終了確認"),
        Stage.COMPLETED: "",
    }[Stage(case.stage)]


@dataclass
class CaseRow:
    case: Case
    basis: policy.Basis
    has_consent: bool
    next_action: str
    next_action_on: datetime.date | None
    overdue: bool


def case_list(
    staff: Staff,
    group: str = "",
    mine: bool = True,
    today: datetime.date | None = None,
    *,
    coordinating: frozenset[int] | None = None,
) -> QuerySet[Case]:
    """The cases the staff member may list; with ``mine``, those of their
    coordinating sections (``coordinating``, when the caller has already asked
    the policy for them)."""
    today = today or timezone.localdate()
    cases = policy.visible(staff, "case", policy.Action.LIST).filter(archived_at=None)
    if mine:
        if coordinating is None:
            coordinating = frozenset(policy.coordinating_organization_ids(staff))
        cases = cases.filter(organization_id__in=coordinating)
    if group in GROUPS:
        cases = cases.filter(stage__in=GROUPS[group][1])
    # What each row shows beyond the case (a consent in force) is asked for the
    # rows on the page only (``case_rows``): as an annotation it was worked
    # out for every case of the section before the list was cut to a page.
    return cases.select_related(
        "household", "organization", "lead_organization", "lead_staff"
    ).order_by("stage_changed_at", "pk")


def case_rows(staff: Staff, cases: list[Case], today: datetime.date | None = None) -> list[CaseRow]:
    today = today or timezone.localdate()
    bases = policy.bases(staff, "case", cases)
    consented = set(active_consents(today).filter(case__in=cases).values_list("case_id", flat=True))
    rows = []
    for case in cases:
        next_on = case.next_action_on
        if case.stage == Stage.FOLLOW_UP and next_on is None:
            next_on = case.follow_up_until
        rows.append(
            CaseRow(
                case=case,
                basis=bases[case.pk],
                has_consent=case.pk in consented,
                next_action=case.next_action or default_next_action(case),
                next_action_on=next_on,
                overdue=next_on is not None and next_on < today and case.stage != Stage.COMPLETED,
            )
        )
    return rows


def case_meetings(staff: Staff, case: Case) -> list[tuple[Any, policy.Basis]]:
    """The case's agenda items the viewer may see, oldest first, with their basis."""
    from tsunagu.meetings.models import AgendaItem

    items = list(
        AgendaItem.objects.filter(case=case)
        .select_related("part__meeting__organization", "case", "lead_organization")
        .prefetch_related("action_items__owner_organization")
        .order_by("part__meeting__held_on", "pk")
    )
    bases = policy.agenda_item_bases(staff, items)
    return [(item, bases[item.pk]) for item in items if item.pk in bases]


def case_plans(staff: Staff, case: Case) -> list[Any]:
    return list(
        policy.visible(staff, "support_plan", policy.Action.VIEW)
        .filter(case=case)
        .order_by("-version_number")
    )


def follow_up_reminders(
    staff: Staff,
    today: datetime.date | None = None,
    *,
    coordinating: frozenset[int] | QuerySet[Any] | None = None,
) -> QuerySet[Case]:
    """Cases of the staff's coordinating sections (``coordinating``, when the
    caller has already asked the policy for them, or a subquery of their ids:
    the work queue counts them inside one statement) whose watch period has ended
    or whose next action is due within a week: the home page's reminders."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=7)
    if coordinating is None:
        coordinating = frozenset(policy.coordinating_organization_ids(staff))
    return (
        policy.visible(staff, "case", policy.Action.LIST)
        .filter(organization_id__in=coordinating, archived_at=None)
        .exclude(stage=Stage.COMPLETED)
        .filter(next_action_on__lte=soon)
        .order_by("next_action_on", "pk")
    )
