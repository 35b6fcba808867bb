"""Writes to the business report's configuration: its rows (what each counts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.reports.models import ReportRow, ReportTable

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff

#: The fields of a row an administrator sets (and the audit event lists).
ROW_FIELDS = (
    "label",
    "metric",
    "organization_id",
    "include_branches",
    "district_id",
    "option",
    "cell_note",
    "sort_order",
)


def _values(row: ReportRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in ROW_FIELDS}


@transaction.atomic
def report_row_create(*, actor: Staff, table: ReportTable, row: ReportRow) -> ReportRow:
    row.table = table
    row.created_by = actor
    row.updated_by = actor
    row.save()
    audit_record(AuditAction.CREATE, actor=actor, obj=row, detail={"after": _values(row)})
    return row


@transaction.atomic
def report_row_update(*, actor: Staff, row: ReportRow) -> ReportRow:
    """Save the changes made to ``row`` (a form's instance), recording before and after."""
    before = _values(ReportRow.objects.get(pk=row.pk))
    row.updated_by = actor
    row.save()
    audit_record(
        AuditAction.CHANGE, actor=actor, obj=row, detail={"before": before, "after": _values(row)}
    )
    return row


@transaction.atomic
def report_row_archive(*, actor: Staff, row: ReportRow, reason: str) -> ReportRow:
    """Take a row out of the report (kept, with why)."""
    row.archived_at = timezone.now()
    row.archive_reason = reason
    row.updated_by = actor
    row.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    audit_record(AuditAction.ARCHIVE, actor=actor, obj=row, detail={"reason": reason})
    return row
