"""Writes of activity records and counted entries, each with its audit event in
the same transaction.

An activity record is made for the organization the staff member works for
(one where they do casework) and only that organization corrects or archives
it. A counted entry is one organization's count of one item for one month:
saving it again replaces the count, and the audit trail keeps the old and
the new figure.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.accounts.acting import require_casework
from tsunagu.accounts.models import Staff
from tsunagu.activities.models import (
    KINDS_BY_CATEGORY,
    ActivityRecord,
    Category,
    CountedEntry,
    Direction,
    Kind,
    Mode,
)
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.community.models import CommunityProject
from tsunagu.core.wareki import MIN_DATE
from tsunagu.directory.models import District, Organization
from tsunagu.people.models import Household
from tsunagu.reports import rollups
from tsunagu.reports.models import RecordKind
from tsunagu.resources.models import Resource

#: Fields an activity record is written with (the form's and the API's).
RECORD_FIELDS = (
    "occurred_on",
    "district",
    "category",
    "kind",
    "mode",
    "direction",
    "intent",
    "note",
    "household",
    "community_project",
    "community_place",
)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("アーカイブの理由を入力してください。")})
    return reason[:200]


def _check_record(
    actor: Staff, values: dict[str, Any], *, household_changed: bool
) -> dict[str, str]:
    """The rules a record must keep beyond its fields' own: the kind belongs
    to the category, 直接/間接 only (and always) for 個人支援, no future day, a
    district in use, a household the staff member works with."""
    from tsunagu import policy

    errors: dict[str, str] = {}
    category, kind, mode = values["category"], values["kind"], values["mode"]
    if category not in KINDS_BY_CATEGORY:
        errors["category"] = _("区分を選んでください。")
    elif kind not in KINDS_BY_CATEGORY[category]:
        errors["kind"] = _("「%(kind)s」は「%(category)s」の活動の種類ではありません。") % {
            "kind": Kind(kind).label if kind in Kind.values else kind,
            "category": Category(category).label,
        }
    if category == Category.INDIVIDUAL and mode not in Mode.values:
        errors["mode"] = _("個人支援は直接支援か間接支援かを選んでください。")
    elif category != Category.INDIVIDUAL and mode:
        errors["mode"] = _("直接支援・間接支援は個人支援のときだけ選びます。")
    occurred_on = values["occurred_on"]
    if occurred_on is not None and occurred_on > timezone.localdate():
        errors["occurred_on"] = _("未来の日付は記録できません。")
    if not (values["intent"] or "").strip():
        errors["intent"] = _("働きかけの意図を入力してください。")
    district: District | None = values["district"]
    if district is not None and district.archived_at is not None:
        errors["district"] = _("この地区（圏域）は現在使われていません。")
    household: Household | None = values["household"]
    if (
        household is not None
        and household_changed
        and not policy.decide(actor, policy.Action.CHANGE, "household", household)
    ):
        errors["household"] = _("この世帯について記録する権限がありません。")
    place: Resource | None = values["community_place"]
    if place is not None and not place.is_community_place:
        errors["community_place"] = _("居場所・拠点として登録された社会資源を選んでください。")
    project: CommunityProject | None = values["community_project"]
    if project is not None and project.archived_at is not None:
        errors["community_project"] = _("終了（アーカイブ）した地域プロジェクトは選べません。")
    return errors


def _save(record: ActivityRecord, errors: dict[str, str]) -> None:
    """Validate the record's own fields too, and report every problem at once."""
    try:
        # The table's check constraint (mode for 個人支援) is _check_record's, with
        # the message at the field; the database still enforces it.
        record.full_clean(
            exclude=["municipality", "staff", "organization"], validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages[0])
    if errors:
        raise ValidationError(errors)
    record.save()


@transaction.atomic
def activity_record_create(
    *,
    actor: Staff,
    organization: Organization,
    occurred_on: datetime.date,
    district: District,
    category: str,
    kind: str,
    intent: str,
    mode: str = "",
    direction: str = Direction.OUTGOING,
    note: str = "",
    household: Household | None = None,
    community_project: CommunityProject | None = None,
    community_place: Resource | None = None,
) -> ActivityRecord:
    """Record one act of ``actor``'s work for ``organization``."""
    require_casework(actor, organization)
    values: dict[str, Any] = {
        "occurred_on": occurred_on,
        "district": district,
        "category": category,
        "kind": kind,
        "mode": mode or "",
        "direction": direction,
        "intent": (intent or "").strip(),
        "note": note or "",
        "household": household,
        "community_project": community_project,
        "community_place": community_place,
    }
    errors = _check_record(actor, values, household_changed=True)
    record = ActivityRecord(
        organization=organization, staff=actor, created_by=actor, updated_by=actor, **values
    )
    _save(record, errors)
    rollups.refresh(
        municipality_id=record.municipality_id,
        record_kind=RecordKind.ACTIVITY_RECORD,
        days=[record.occurred_on],
    )
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=record,
        organization_id=organization.pk,
        detail={"category": category, "kind": kind, "mode": values["mode"]},
    )
    return record


@transaction.atomic
def activity_record_update(
    *, actor: Staff, record: ActivityRecord, **fields: Any
) -> ActivityRecord:
    """Correct a record (its organization only); fields left out stay as they are."""
    require_casework(actor, record.organization)
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if record.archived_at is not None:
        raise ValidationError(_("アーカイブした記録は修正できません。"))
    merged = {name: fields.get(name, getattr(record, name)) for name in RECORD_FIELDS}
    merged["mode"] = merged["mode"] or ""
    merged["intent"] = (merged["intent"] or "").strip()
    merged["note"] = merged["note"] or ""
    new_household = merged["household"]
    household_changed = (new_household.pk if new_household else None) != record.household_id
    errors = _check_record(actor, merged, household_changed=household_changed)
    changed = [name for name in RECORD_FIELDS if getattr(record, name) != merged[name]]
    before = record.occurred_on
    for name, value in merged.items():
        setattr(record, name, value)
    record.updated_by = actor
    _save(record, errors)
    rollups.refresh(
        municipality_id=record.municipality_id,
        record_kind=RecordKind.ACTIVITY_RECORD,
        days=[before, record.occurred_on],
    )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=record,
        organization_id=record.organization_id,
        detail={"fields": changed},
    )
    return record


@transaction.atomic
def activity_record_archive(*, actor: Staff, record: ActivityRecord, reason: str) -> ActivityRecord:
    """Take a record out of the counts (entered twice, entered by mistake),
    keeping it with who, when and why."""
    require_casework(actor, record.organization)
    reason = _reason(reason)
    locked = ActivityRecord.objects.select_for_update().get(pk=record.pk)
    if locked.archived_at is not None:
        raise ValidationError(_("この記録はすでにアーカイブされています。"))
    locked.archived_at = timezone.now()
    locked.archive_reason = reason
    locked.updated_by = actor
    locked.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    rollups.refresh(
        municipality_id=locked.municipality_id,
        record_kind=RecordKind.ACTIVITY_RECORD,
        days=[locked.occurred_on],
    )
    audit_record(
        AuditAction.ARCHIVE,
        actor=actor,
        obj=locked,
        organization_id=locked.organization_id,
        detail={"reason": reason},
    )
    return locked


# ---------------------------------------------------------------------------
# Counted entries.

_SPACES = re.compile(r"\s+")


def normalize_item(item: str) -> str:
    """An item's name as it is kept: spaces at the ends dropped, runs of spaces made one."""
    return _SPACES.sub(" ", (item or "").strip())


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _check_entry(item: str, month: datetime.date, count: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not item:
        errors["item"] = _("項目名を入力してください。")
    elif len(item) > CountedEntry._meta.get_field("item").max_length:  # type: ignore[operator]
        errors["item"] = _("項目名は80文字以内で入力してください。")
    if month > first_of_month(timezone.localdate()):
        errors["month"] = _("来月以降の件数は入力できません。")
    elif month < MIN_DATE:
        # Before 明治6年 there is no 和暦 month to show it under (and no such count).
        errors["month"] = _("明治6年（1873年）1月より前の件数は入力できません。")
    if count is None or count < 0:
        errors["count"] = _("0以上の数を入力してください。")
    return errors


@transaction.atomic
def counted_entry_save(
    *,
    actor: Staff,
    organization: Organization,
    item: str,
    month: datetime.date,
    count: int,
    note: str = "",
) -> CountedEntry:
    """Enter ``organization``'s count of ``item`` for ``month`` (any day of it):
    a new entry, or the one already there replaced (an archived one comes back)."""
    require_casework(actor, organization)
    item = normalize_item(item)
    month = first_of_month(month)
    errors = _check_entry(item, month, count)
    if errors:
        raise ValidationError(errors)
    entry = (
        CountedEntry.objects.select_for_update()
        .filter(organization=organization, item=item, month=month)
        .first()
    )
    old = None if entry is None or entry.archived_at is not None else entry.count
    if entry is not None and old == count and entry.note == note:
        return entry  # nothing to change, nothing to record
    creating = entry is None
    if entry is None:
        entry = CountedEntry(organization=organization, item=item, month=month, created_by=actor)
    restored = entry.archived_at is not None
    entry.count = count
    entry.note = note
    entry.archived_at = None
    entry.archive_reason = ""
    entry.updated_by = actor
    # Unique per organization/item/month: the row was looked up (and locked) above.
    entry.full_clean(
        exclude=["municipality", "organization"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Someone entered the same month at the same moment (the row did not
        # exist to be locked): theirs stands; ask to look again.
        raise ValidationError(
            {"count": _("同じ月の件数が同時に入力されました。表を開き直して確かめてください。")}
        ) from None
    rollups.refresh(
        municipality_id=entry.municipality_id, record_kind=RecordKind.COUNTED_ENTRY, days=[month]
    )
    detail: dict[str, Any] = {
        "item": item,
        "month": month.isoformat(),
        "old": old,
        "new": count,
    }
    if restored:
        detail["restored"] = True
    audit_record(
        AuditAction.CREATE if creating else AuditAction.CHANGE,
        actor=actor,
        obj=entry,
        organization_id=organization.pk,
        detail=detail,
    )
    return entry


@transaction.atomic
def counted_entry_archive(*, actor: Staff, entry: CountedEntry, reason: str) -> CountedEntry:
    """Take a month's count out of the report (entered for the wrong month or item)."""
    require_casework(actor, entry.organization)
    reason = _reason(reason)
    locked = CountedEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.archived_at is not None:
        return locked
    locked.archived_at = timezone.now()
    locked.archive_reason = reason
    locked.updated_by = actor
    locked.save(update_fields=["archived_at", "archive_reason", "updated_by", "updated_at"])
    rollups.refresh(
        municipality_id=locked.municipality_id,
        record_kind=RecordKind.COUNTED_ENTRY,
        days=[locked.month],
    )
    audit_record(
        AuditAction.ARCHIVE,
        actor=actor,
        obj=locked,
        organization_id=locked.organization_id,
        detail={
            "item": locked.item,
            "month": locked.month.isoformat(),
            "old": locked.count,
            "new": None,
            "reason": reason,
        },
    )
    return locked


@transaction.atomic
def counted_entries_save(
    *,
    actor: Staff,
    organization: Organization,
    cells: Iterable[tuple[str, datetime.date, int | None]],
) -> int:
    """Save a grid's changed cells together (all or none): a number enters or
    replaces the month's count, an emptied cell archives it. Returns how many
    entries changed."""
    require_casework(actor, organization)
    changed = 0
    for item, month, count in cells:
        if count is None:
            entry = CountedEntry.objects.filter(
                organization=organization,
                item=normalize_item(item),
                month=first_of_month(month),
                archived_at=None,
            ).first()
            if entry is not None:
                counted_entry_archive(
                    actor=actor, entry=entry, reason=_("件数入力の表で空欄にした")
                )
                changed += 1
            continue
        counted_entry_save(
            actor=actor, organization=organization, item=item, month=month, count=count
        )
        changed += 1
    return changed
