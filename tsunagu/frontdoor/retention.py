"""保存期間 for オンライン相談: a closed or converted thread whose closing day
is older than the municipality's retention period is anonymised — its
messages' text replaced, the resident's nickname, contact, mail address and
secret link and code cleared, ``anonymised_at`` set and a ThreadEvent
ANONYMISED written. The core retention job (:mod:`tsunagu.core.retention`)
plans and applies it with everything else, in its dry run and its run.

A converted thread keeps the consultation it became: that record follows its
own retention; the thread's raw messages go when the thread's own period ends.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Value
from django.utils import timezone

from tsunagu.core import tenancy
from tsunagu.frontdoor.models import EventKind, Message, PublicHit, Status, Thread, ThreadEvent

MARKER = "（匿名化済み）"


def _expired(cutoff: datetime.date) -> dict[int, datetime.date]:
    """Threads (of the current municipality) whose closing day is before ``cutoff``."""
    found: dict[int, datetime.date] = {}
    for pk, closed_at in Thread.objects.filter(
        status__in=(Status.CLOSED, Status.CONVERTED),
        closed_at__isnull=False,
        anonymised_at__isnull=True,
    ).values_list("pk", "closed_at"):
        day = timezone.localdate(closed_at)
        if day < cutoff:
            found[pk] = day
    return found


def plan(cutoff: datetime.date) -> dict[int, datetime.date]:
    """The dry run: thread id → closing day, for what would be anonymised."""
    return _expired(cutoff)


@transaction.atomic
def apply(planned: dict[int, datetime.date], cutoff: datetime.date) -> dict[int, datetime.date]:
    """Anonymise the planned threads that still qualify (checked again); returns them."""
    still = _expired(cutoff)
    ids = sorted(pk for pk in planned if pk in still)
    if ids:
        now = timezone.now()
        Message.objects.filter(thread_id__in=ids).exclude(body="").update(body=Value(MARKER))
        Thread.objects.filter(pk__in=ids).update(
            nickname="",
            contact="",
            mail_address="",
            token_hash="",
            code_hash="",
            crisis_words=[],
            anonymised_at=now,
        )
        ThreadEvent.objects.bulk_create(
            [
                ThreadEvent(
                    municipality=tenancy.current_municipality(),
                    thread_id=pk,
                    kind=EventKind.ANONYMISED,
                    occurred_at=now,
                )
                for pk in ids
            ]
        )
    # Rate-limit rows are needed for an hour; none outlives a day.
    PublicHit.objects.filter(at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    return {pk: planned[pk] for pk in ids}
