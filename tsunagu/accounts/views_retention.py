"""The dry run of the 保存期間 job for the system administrator: what the next
daily run would anonymise (counts, ids, the oldest closure day) on today's
date, beside the setting on セキュリティ設定. Record ids only, no personal data;
the look is audited all the same."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tsunagu import policy
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import retention
from tsunagu.core.http import StaffRequest


@require_GET
@policy.route("security_settings", policy.Action.VIEW)
def retention_report(request: StaffRequest) -> HttpResponse:
    municipality = request.user.municipality
    report = retention.plan(municipality)
    counts = report.counts()
    audit_record(
        AuditAction.VIEW,
        actor=request.user,
        obj=municipality,
        detail={"retention": "dry_run", "counts": counts},
    )
    ids = report.ids()
    rows = [
        (label, counts[kind], ids[kind][: retention.SHOWN_IDS], counts[kind] > retention.SHOWN_IDS)
        for kind, label in retention.KINDS.items()
    ]
    return render(request, "accounts/retention.html", {"report": report, "rows": rows})
