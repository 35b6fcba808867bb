"""API of activity records (活動記録) and counted entries (件数入力).

Like the pages: records are read through the policy (an organization's own
records; one about a household also by whoever the household's case gives a
basis to) and each one answered carries the basis it is shown under; writes
go through :mod:`tsunagu.activities.services` for the organization the staff
member acts for, and only that organization corrects or archives its
records. What the services refuse comes back as 422 with Japanese messages
keyed by the payload's fields.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.activities import selectors, services
from tsunagu.activities.models import ActivityRecord, Category, CountedEntry, Direction, Kind, Mode
from tsunagu.api.choices import api_choices
from tsunagu.api.errors import ERRORS, FormErrorsOut, field_errors, invalid
from tsunagu.api.lookups import (
    acting_casework_organization,
    basis_label,
    changeable,
    district_or_error,
)
from tsunagu.api.pagination import BasisPagination
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.core.wareki import fiscal_year_range, format_wareki_month
from tsunagu.directory.models import Organization

# The choices under the API's own names (tsunagu/api/choices.py); to the type
# checker they are the model's choices, whose values they are.
if TYPE_CHECKING:
    ActivityKind = Kind
    ActivityDirection = Direction
else:
    ActivityKind = api_choices("ActivityKind", Kind)
    ActivityDirection = api_choices("ActivityDirection", Direction)

#: Model field names as the payloads name them.
RENAMED = {
    "district": "district_id",
    "household": "household_id",
    "community_project": "community_project_id",
    "community_place": "community_place_id",
}
RECORD_TYPE = "activities.activityrecord"
ENTRY_TYPE = "activities.countedentry"


# --- Schemas -------------------------------------------------------------------------


class ActivityRecordOut(Schema):
    id: int
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    staff_id: int
    staff: str = Field(..., alias="staff.full_name")
    occurred_on: date
    district_id: int
    district: str = Field(..., alias="district.name")
    category: str
    category_label: str = Field(..., alias="get_category_display")
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    mode: str
    mode_label: str = Field(..., alias="get_mode_display")
    #: The report's row: 「個別支援（直接支援）」.
    label: str
    #: The same as a report row's option: 「individual:individual_support:direct」.
    activity: str
    direction: str
    direction_label: str = Field(..., alias="get_direction_display")
    intent: str
    note: str
    #: The household the record is about: empty when none, or when the viewer may not see it.
    household_id: int | None = Field(..., alias="shown_household_id")
    community_project_id: int | None
    community_place_id: int | None
    archived: bool
    archive_reason: str
    created_at: datetime
    updated_at: datetime
    basis: str
    basis_label: str

    @staticmethod
    def resolve_activity(obj: ActivityRecord) -> str:
        return selectors.option_of(obj).value

    @staticmethod
    def resolve_archived(obj: ActivityRecord) -> bool:
        return obj.archived_at is not None

    @staticmethod
    def resolve_basis_label(obj: Any) -> str:
        return basis_label(obj.basis)


class ActivityRecordIn(Schema):
    #: The day of the activity (by default today).
    occurred_on: Day | None = None
    district_id: int
    category: Category
    #: One of the category's kinds (個人支援: 関係形成・個別支援・連絡調整; 地域支援:
    #: 関係形成・立上支援・運営支援・連絡調整; 生活支援コーディネーター: 情報収集・関係形成・
    #: 企画立案・運営支援; 新規相談: new_individual・new_community).
    kind: ActivityKind
    #: 直接支援/間接支援: required for 個人支援, left out otherwise.
    mode: Mode | None = None
    direction: ActivityDirection = ActivityDirection.OUTGOING
    #: 働きかけの意図 (required; no personal names).
    intent: str = Field(..., max_length=200)
    note: str = ""
    #: A household the acting organization works with (not an emergency opening).
    household_id: int | None = None
    community_project_id: int | None = None
    #: A resource of the directory that is a 居場所・拠点.
    community_place_id: int | None = None


class ArchiveIn(Schema):
    reason: str = Field(..., max_length=200)


class CountedEntryOut(Schema):
    id: int
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    item: str
    #: The first day of the month counted.
    month: date
    #: 「令和7年7月」
    month_label: str
    count: int
    note: str
    #: Who last entered the count, and when.
    entered_by: str
    entered_at: datetime
    archived: bool
    archive_reason: str

    @staticmethod
    def resolve_month_label(obj: CountedEntry) -> str:
        return format_wareki_month(obj.month.year, obj.month.month)

    @staticmethod
    def resolve_entered_by(obj: CountedEntry) -> str:
        return obj.updated_by.full_name if obj.updated_by is not None else ""

    @staticmethod
    def resolve_entered_at(obj: CountedEntry) -> datetime:
        return obj.updated_at

    @staticmethod
    def resolve_archived(obj: CountedEntry) -> bool:
        return obj.archived_at is not None


class CountedEntryIn(Schema):
    #: One of the staff member's own organizations (by default the one they act for).
    organization_id: int | None = None
    item: str = Field(..., max_length=80)
    #: Any day of the month counted (kept as its first day).
    month: Day
    count: int = Field(..., ge=0)
    note: str = Field("", max_length=200)


# --- Helpers -------------------------------------------------------------------------


def _records(request: StaffRequest, action: policy.Action) -> QuerySet[Any]:
    return policy.visible(request.user, "activity_record", action).select_related(
        "organization", "staff", "district"
    )


def _annotate(request: StaffRequest, records: list[Any]) -> None:
    """Name the household only where the viewer may see it, in one pass for the page."""
    households = [record.household for record in records if record.household_id is not None]
    seen = policy.bases(request.user, "household", households)
    for record in records:
        record.shown_household_id = record.household_id if record.household_id in seen else None


def _with_basis(request: StaffRequest, record: ActivityRecord, basis: Any) -> ActivityRecord:
    record.basis = basis  # type: ignore[attr-defined]
    _annotate(request, [record])
    return record


def _fresh(request: StaffRequest, pk: int) -> ActivityRecord:
    """The record as it is now, for the answer to a write (already audited as the write)."""
    record = _records(request, policy.Action.VIEW).select_related("household").get(pk=pk)
    decision = policy.decide(request.user, policy.Action.VIEW, "activity_record", record)
    return _with_basis(request, record, decision.basis)


def _links(request: StaffRequest, payload: ActivityRecordIn) -> tuple[dict[str, Any], Any]:
    """The rows the payload names, each one the staff member may use (else an error at its field)."""
    errors: dict[str, list[str]] = {}
    district = district_or_error(request, payload.district_id, errors)
    household = changeable(request, "household", payload.household_id)
    if payload.household_id is not None and household is None:
        errors["household_id"] = ["指定された世帯が見つからないか、記録する権限がありません。"]
    project = None
    if payload.community_project_id is not None:
        project = (
            policy.visible(request.user, "community_project", policy.Action.VIEW)
            .filter(pk=payload.community_project_id)
            .first()
        )
        if project is None:
            errors["community_project_id"] = ["指定された地域プロジェクトが見つかりません。"]
    place = None
    if payload.community_place_id is not None:
        place = (
            policy.visible(request.user, "resource", policy.Action.VIEW)
            .filter(pk=payload.community_place_id, is_community_place=True)
            .first()
        )
        if place is None:
            errors["community_place_id"] = ["指定された居場所・拠点が見つかりません。"]
    links = {
        "district": district,
        "household": household,
        "community_project": project,
        "community_place": place,
    }
    return links, errors


def _fields(payload: ActivityRecordIn) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "category": payload.category.value,
        "kind": payload.kind.value,
        "mode": payload.mode.value if payload.mode is not None else "",
        "direction": payload.direction.value,
        "intent": payload.intent,
        "note": payload.note,
    }
    if payload.occurred_on is not None:
        fields["occurred_on"] = payload.occurred_on
    return fields


def _month(value: str | None) -> tuple[date, date] | None:
    """The first and last day of ``2025-07``; a value of another form is refused (422)."""
    if not value:
        return None
    try:
        first = date.fromisoformat(f"{value}-01")
    except ValueError:
        # A paginated operation answers its own 422 through the API's handler.
        raise NinjaValidationError(
            [{"loc": ["query", "month"], "msg": "月は 2025-07 の形で指定してください。"}]
        ) from None
    return selectors.month_range(first)


def _own_organization(request: StaffRequest, organization_id: int | None) -> Organization:
    """The organization a count is entered for: one where the staff member does casework."""
    if organization_id is None:
        return acting_casework_organization(request, "counted_entry")
    if organization_id not in policy.casework_organization_ids(request.user):
        policy.audit_denial(request.user, policy.Action.CREATE, "counted_entry", organization_id)
        raise PermissionDenied
    return policy.visible(request.user, "organization", policy.Action.VIEW).get(pk=organization_id)


# --- Activity records ----------------------------------------------------------------

router: Router = Router(tags=["活動記録"])


@router.get(
    "/activity-records",
    response={200: list[ActivityRecordOut], **ERRORS},
    summary="活動記録の一覧",
    description="閲覧できる活動記録（自機関の記録、世帯についての記録はその世帯のケースの"
    "根拠でも）を、閲覧の根拠（basis）とともに新しい順に返します。month（2025-07）または"
    "date_from・date_to、organization_id、district_id、category、kind、household_id で"
    "絞り込めます。アーカイブした記録は include_archived で含めます。",
)
@paginate(BasisPagination, resource="activity_record", annotate=_annotate)
@policy.route("activity_record", policy.Action.LIST)
def activity_record_list(
    request: StaffRequest,
    month: str | None = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    organization_id: int | None = None,
    district_id: int | None = None,
    category: Category | None = None,
    kind: ActivityKind | None = None,
    household_id: int | None = None,
    include_archived: bool = False,
) -> Any:
    period = _month(month)
    records = _records(request, policy.Action.LIST).select_related("household")
    if period is not None:
        records = records.filter(occurred_on__gte=period[0], occurred_on__lte=period[1])
    if date_from is not None:
        records = records.filter(occurred_on__gte=date_from)
    if date_to is not None:
        records = records.filter(occurred_on__lte=date_to)
    if organization_id is not None:
        records = records.filter(organization_id=organization_id)
    if district_id is not None:
        records = records.filter(district_id=district_id)
    if category is not None:
        records = records.filter(category=category.value)
    if kind is not None:
        records = records.filter(kind=kind.value)
    if household_id is not None:
        records = records.filter(household_id=household_id)
    if not include_archived:
        records = records.filter(archived_at=None)
    audit_record(
        AuditAction.LIST,
        object_type=RECORD_TYPE,
        detail={
            "via": "api",
            "month": month or "",
            "organization": organization_id,
            "district": district_id,
            "category": category.value if category else "",
            "household": household_id,
        },
    )
    return records.order_by("-occurred_on", "-id")


@router.get(
    "/activity-records/{record_id}",
    response={200: ActivityRecordOut, **ERRORS},
    summary="活動記録",
)
@policy.route("activity_record", policy.Action.VIEW)
def activity_record_detail(request: StaffRequest, record_id: int) -> Any:
    record, decision = policy.get_or_404(
        request.user, "activity_record", policy.Action.VIEW, pk=record_id
    )
    return _with_basis(request, record, decision.basis)


@router.post(
    "/activity-records",
    response={201: ActivityRecordOut, 422: FormErrorsOut, **ERRORS},
    summary="活動記録の登録",
    description="操作している機関の記録になります。kind は category の種類から、"
    "mode（直接支援/間接支援）は個人支援のときだけ指定します。",
)
@policy.route("activity_record", policy.Action.CREATE)
def activity_record_create(request: StaffRequest, payload: ActivityRecordIn) -> Any:
    organization = acting_casework_organization(request, "activity_record")
    links, errors = _links(request, payload)
    if errors:
        return invalid(errors)
    fields = _fields(payload)
    fields.setdefault("occurred_on", timezone.localdate())
    try:
        record = services.activity_record_create(
            actor=request.user, organization=organization, **links, **fields
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(201, _fresh(request, record.pk))


@router.put(
    "/activity-records/{record_id}",
    response={200: ActivityRecordOut, 422: FormErrorsOut, **ERRORS},
    summary="活動記録の訂正",
    description="記録した機関だけが訂正できます。送った内容に置き換わります"
    "（household_id を省くと世帯とのつながりは外れます）。",
)
@policy.route("activity_record", policy.Action.CHANGE)
def activity_record_update(request: StaffRequest, record_id: int, payload: ActivityRecordIn) -> Any:
    record, _decision = policy.get_or_404(
        request.user, "activity_record", policy.Action.CHANGE, pk=record_id, archived_at=None
    )
    links, errors = _links(request, payload)
    if payload.household_id is not None and payload.household_id == record.household_id:
        # Keeping the link needs no new check (the staff member may have lost
        # the household since; the record stays about it).
        errors.pop("household_id", None)
        links["household"] = record.household
    if errors:
        return invalid(errors)
    try:
        services.activity_record_update(
            actor=request.user, record=record, **links, **_fields(payload)
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return _fresh(request, record.pk)


@router.post(
    "/activity-records/{record_id}/archive",
    response={200: ActivityRecordOut, 422: FormErrorsOut, **ERRORS},
    summary="活動記録のアーカイブ",
    description="入力の誤りなどで件数から外します。記録は理由とともに残ります（記録した機関のみ）。",
)
@policy.route("activity_record", policy.Action.ARCHIVE)
def activity_record_archive(request: StaffRequest, record_id: int, payload: ArchiveIn) -> Any:
    record, _decision = policy.get_or_404(
        request.user, "activity_record", policy.Action.ARCHIVE, pk=record_id, archived_at=None
    )
    try:
        services.activity_record_archive(actor=request.user, record=record, reason=payload.reason)
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return _fresh(request, record.pk)


# --- Counted entries -----------------------------------------------------------------


@router.get(
    "/counted-entries",
    response={200: list[CountedEntryOut], **ERRORS},
    summary="件数入力の一覧",
    description="機関・項目ごとの月の件数（個人を含まない数）です。新しい月から返します。"
    "organization_id、item、fiscal_year（西暦の開始年）で絞り込めます。",
)
@paginate
@policy.route("counted_entry", policy.Action.LIST)
def counted_entry_list(
    request: StaffRequest,
    organization_id: int | None = None,
    item: str | None = None,
    fiscal_year: int | None = None,
    include_archived: bool = False,
) -> Any:
    entries = (
        policy.visible(request.user, "counted_entry", policy.Action.LIST)
        .select_related("organization", "updated_by")
        .order_by("-month", "organization__sort_order", "item", "pk")
    )
    if organization_id is not None:
        entries = entries.filter(organization_id=organization_id)
    if item:
        entries = entries.filter(item=services.normalize_item(item))
    if fiscal_year is not None and 1900 < fiscal_year < 2200:
        start, end = fiscal_year_range(fiscal_year)
        entries = entries.filter(month__gte=start, month__lte=end)
    if not include_archived:
        entries = entries.filter(archived_at=None)
    audit_record(
        AuditAction.LIST,
        object_type=ENTRY_TYPE,
        detail={"via": "api", "organization": organization_id, "fiscal_year": fiscal_year},
    )
    return entries


def _entry(request: StaffRequest, pk: int) -> CountedEntry:
    return (
        policy.visible(request.user, "counted_entry", policy.Action.VIEW)
        .select_related("organization", "updated_by")
        .get(pk=pk)
    )


@router.post(
    "/counted-entries",
    response={200: CountedEntryOut, 201: CountedEntryOut, 422: FormErrorsOut, **ERRORS},
    summary="件数の入力（その月の件数を登録または置き換え）",
    description="機関・項目・月ごとに一つの件数です。すでにあれば置き換え（200）、"
    "なければ登録（201）します。前後の数は監査証跡に残ります。来月以降は入力できません。",
)
@policy.route("counted_entry", policy.Action.CREATE)
def counted_entry_save(request: StaffRequest, payload: CountedEntryIn) -> Any:
    organization = _own_organization(request, payload.organization_id)
    existed = CountedEntry.objects.filter(
        organization=organization,
        item=services.normalize_item(payload.item),
        month=services.first_of_month(payload.month),
    ).exists()
    try:
        entry = services.counted_entry_save(
            actor=request.user,
            organization=organization,
            item=payload.item,
            month=payload.month,
            count=payload.count,
            note=payload.note,
        )
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return Status(200 if existed else 201, _entry(request, entry.pk))


@router.post(
    "/counted-entries/{entry_id}/archive",
    response={200: CountedEntryOut, 422: FormErrorsOut, **ERRORS},
    summary="件数の取り消し",
    description="その月の件数を報告から外します（自機関の件数のみ）。記録は理由とともに残ります。",
)
@policy.route("counted_entry", policy.Action.ARCHIVE)
def counted_entry_archive(request: StaffRequest, entry_id: int, payload: ArchiveIn) -> Any:
    entry, _decision = policy.get_or_404(
        request.user, "counted_entry", policy.Action.ARCHIVE, pk=entry_id
    )
    try:
        services.counted_entry_archive(actor=request.user, entry=entry, reason=payload.reason)
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return _entry(request, entry.pk)
