"""Tasks run outside a request (django-tasks; ``settings.TASKS`` chooses the backend).

``anonymise_expired_records`` is the 保存期間 job of :mod:`tsunagu.core.retention`.
``python manage.py anonymise_expired --apply`` enqueues it, once a day from
cron or a systemd timer (see that command). With the immediate backend it runs
at once in the command's process; a worker backend runs it in its worker.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from tsunagu.core import retention
from tsunagu.core.models import Municipality


@task()
def anonymise_expired_records(municipality_code: str, dry_run: bool = True) -> dict[str, Any]:
    """The retention run for one municipality on today's date: the dry-run
    report (``dry_run``, the default), or anonymise what it finds and return
    what was done."""
    municipality = Municipality.objects.get(code=municipality_code)
    report = retention.plan(municipality, timezone.localdate())
    if dry_run:
        return {"dry_run": True, **report.as_dict()}
    return {"dry_run": False, **retention.apply(report).as_dict()}
