"""Reads of the online inbox, all through the policy: the threads a staff
member may see, in the order staff answer them, with how long each resident
has waited."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    Case,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.directory.models import Organization
from tsunagu.frontdoor.models import Direction, Message, Status

#: The inbox's boxes: 対応中 (all open threads the staff member sees), 自分の窓口
#: (open, assigned to the organization they act for), 未振り分け (open, with the
#: coordinating section), 終了 (closed or turned into a 相談受付).
BOXES = ("open", "mine", "unassigned", "closed")

_LONG_AGO = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


def _waiting_since() -> Subquery:
    """The first resident message after the last staff reply (none: nobody waits)."""
    last_reply = (
        Message.objects.filter(thread_id=OuterRef(OuterRef("pk")), direction=Direction.OUTBOUND)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    return Subquery(
        Message.objects.filter(thread_id=OuterRef("pk"), direction=Direction.INBOUND)
        .filter(
            sent_at__gt=Coalesce(
                Subquery(last_reply), Value(_LONG_AGO, output_field=DateTimeField())
            )
        )
        .order_by("sent_at")
        .values("sent_at")[:1],
        output_field=DateTimeField(),
    )


def threads(user: Staff, action: policy.Action = policy.Action.LIST) -> QuerySet[Any]:
    """The threads ``user`` may see, with ``waiting_since``, in inbox order: open
    ones first, crisis ones at the very top, then the longest waiting."""
    return (
        policy.visible(user, "thread", action)
        .select_related("organization", "consultation")
        .annotate(
            waiting_since=_waiting_since(),
            open_first=Case(
                When(status=Status.OPEN, then=0), default=1, output_field=IntegerField()
            ),
        )
        .order_by(
            "open_first",
            "-crisis",
            F("waiting_since").asc(nulls_last=True),
            "-opened_at",
            "-pk",
        )
    )


def inbox(user: Staff, box: str, organization_id: int | None) -> QuerySet[Any]:
    """One box of the inbox (see :data:`BOXES`) for the acting organization."""
    rows = threads(user)
    if box == "closed":
        return rows.filter(status__in=(Status.CLOSED, Status.CONVERTED))
    rows = rows.filter(status=Status.OPEN)
    if box == "mine":
        return rows.filter(organization_id=organization_id)
    if box == "unassigned":
        return rows.filter(organization__isnull=True)
    return rows


def waiting_label(since: datetime.datetime | None, now: datetime.datetime) -> str:
    """「3時間待ち」: how long the oldest unanswered message has waited (empty: none)."""
    if since is None:
        return ""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return _("%(n)d分待ち") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)d時間待ち") % {"n": minutes // 60}
    return _("%(n)d日待ち") % {"n": minutes // (24 * 60)}


def duration_label(start: datetime.datetime, end: datetime.datetime | None) -> str:
    """Time to first response, 「2時間15分」 (empty before the first reply)."""
    if end is None:
        return ""
    minutes = max(0, int((end - start).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d日%(h)d時間") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d時間%(m)d分") % {"h": hours, "m": minutes}
    return _("%(m)d分") % {"m": minutes}


def windows() -> QuerySet[Organization]:
    """The organizations a thread may be handed to, or a triage rule may name."""
    return (
        Organization.objects.filter(archived_at=None)
        .exclude(kind=Organization.Kind.EXTERNAL)
        .order_by("sort_order", "pk")
    )


def acting_window_id(user: Staff, thread: Any, acting_id: int | None) -> int | None:
    """The organization a staff member answers ``thread`` for: the thread's window
    where they belong to it, else the organization they act for."""
    orgs = policy.casework_organization_ids(user)
    if thread.organization_id in orgs:
        return int(thread.organization_id)
    return acting_id
