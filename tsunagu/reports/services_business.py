"""Writes to the business report's configuration: its rows (what each counts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.reports.metrics import ADDS_COUNTED, option_choices
from tsunagu.reports.models import Metric, ReportRow, ReportTable

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


def _choosable_options() -> set[str]:
    """The 種類 a row may name (the meeting kinds and the activity kinds)."""
    found: set[str] = set()
    for value, label in option_choices():
        if isinstance(label, list | tuple):
            found.update(str(v) for v, _label in label)
        else:
            found.add(str(value))
    return found


def _check(row: ReportRow) -> None:
    """What a row counts must be countable: the rules the page's form showed
    at the field, here so that every way in refuses alike."""
    errors: dict[str, str] = {}
    option = row.option.strip()
    if row.metric in ADDS_COUNTED and row.organization_id is None:
        errors["organization"] = _("相談受付件数は受付機関を選んでください。")
    if row.metric == Metric.COUNTED and not option:
        errors["option"] = _("件数入力の項目名を入れてください（例: 親子ひろば利用者数）。")
    elif (
        row.metric not in (Metric.COUNTED, *ADDS_COUNTED)
        and option
        and option not in _choosable_options()
    ):
        errors["option"] = _("種類は会議の種類か、活動記録の区分・種類から選んでください。")
    row.option = option
    try:
        row.full_clean(exclude=["municipality", "table"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages[0])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_row_create(*, actor: Staff, table: ReportTable, row: ReportRow) -> ReportRow:
    _check(row)
    row.table = table
    row.created_by = actor
    row.updated_by = actor
    row.save()
    audit_record(AuditAction.CREATE, actor=actor, obj=row, detail={"after": _values(row)})
    return row


@transaction.atomic
def report_row_update(*, actor: Staff, row: ReportRow) -> ReportRow:
    """Save the changes made to ``row`` (a form's instance), recording before and after."""
    _check(row)
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
