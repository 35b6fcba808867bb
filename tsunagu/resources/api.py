"""API of the resource directory (社会資源) and the providers that host them.

Like the pages: every staff member reads it (external guests do not), those
who do casework and the system administrator keep it; reads start from the
policy's visible querysets and are audited, writes go through
:mod:`tsunagu.resources.services` with the same forms as the pages, so the
same Japanese messages come back (422). A change names the version it was
made on and is refused with 409 when a colleague changed the resource since.
The HSDS 3.0 exchange format is under /api/v1/hsds/.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from datetime import date, time
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.errors import ERRORS, ErrorOut, FormErrorsOut, field_errors, invalid
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.dates import Day
from tsunagu.core.http import StaffRequest
from tsunagu.resources import selectors, services
from tsunagu.resources.forms import LocationForm, ResourceForm
from tsunagu.resources.models import Provider, ProviderKind, Resource
from tsunagu.resources.services import KEEP, ScheduleSpec

#: Form field names as the payloads name them.
RENAMED = {"provider": "provider_id"}

# --- Schemas -------------------------------------------------------------------------


class ScheduleOut(Schema):
    id: int
    freq: str
    interval: int
    byday: str
    bymonthday: str
    opens_at: time | None
    closes_at: time | None
    dtstart: date | None
    description: str
    #: 毎月第2火曜日 10時〜12時
    label: str
    #: The next two dates from today.
    next_dates: list[date]

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.label())

    @staticmethod
    def resolve_next_dates(obj: Any) -> list[date]:
        return obj.next_dates(timezone.localdate(), selectors.NEXT_DATES)


class LocationOut(Schema):
    id: int = Field(..., alias="location.id")
    name: str = Field(..., alias="location.name")
    postal_code: str = Field(..., alias="location.postal_code")
    address: str = Field(..., alias="location.address")
    district_id: int | None = Field(..., alias="location.district_id")
    district: str | None
    transportation: str = Field(..., alias="location.transportation")
    accessibility: str = Field(..., alias="location.accessibility")

    @staticmethod
    def resolve_district(obj: Any) -> str | None:
        district = obj.location.district
        return district.name if district is not None else None


class ResourceOut(Schema):
    id: int
    hsds_id: UUID
    name: str
    alternate_name: str
    category: str
    category_label: str = Field(..., alias="get_category_display")
    is_community_place: bool
    provider_id: int
    provider: str = Field(..., alias="provider.name")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    ease: list[str]
    ease_labels: list[str]
    needs: list[str]
    need_labels: list[str]
    interests: list[str]
    capacity: int | None
    districts: list[str]
    schedule_labels: list[str]
    version: int
    archived: bool

    @staticmethod
    def resolve_ease_labels(obj: Resource) -> list[str]:
        return obj.ease_labels()

    @staticmethod
    def resolve_need_labels(obj: Resource) -> list[str]:
        return obj.need_labels()

    @staticmethod
    def resolve_districts(obj: Resource) -> list[str]:
        names: list[str] = []
        for link in obj.resource_locations.all():
            district = link.location.district
            if district is not None and district.name not in names:
                names.append(district.name)
        return names

    @staticmethod
    def resolve_schedule_labels(obj: Resource) -> list[str]:
        return [schedule.label() for schedule in obj.schedules.all()]

    @staticmethod
    def resolve_archived(obj: Resource) -> bool:
        return obj.archived_at is not None


class ResourceDetailOut(ResourceOut):
    description: str
    audience: str
    offers: str
    needs_note: str
    fees_description: str
    minimum_age: int | None
    maximum_age: int | None
    application_process: str
    year_started: int | None
    years_running: int | None
    contact_name: str
    contact_phone: str
    contact_email: str
    url: str
    archive_reason: str
    schedules: list[ScheduleOut]
    locations: list[LocationOut]
    #: People connected now (見学・体験, 参加中, 定着), across organizations; a count, no names.
    connected_count: int

    @staticmethod
    def resolve_years_running(obj: Resource) -> int | None:
        return selectors.years_running(obj)

    @staticmethod
    def resolve_schedules(obj: Resource) -> list[Any]:
        return list(obj.schedules.all())

    @staticmethod
    def resolve_locations(obj: Resource) -> list[Any]:
        return list(obj.resource_locations.all())


class ScheduleIn(Schema):
    #: WEEKLY or MONTHLY (RFC 5545); empty for a schedule in words only (随時).
    freq: str = ""
    interval: int = 1
    #: RFC 5545 BYDAY: "MO,WE" weekly; "2TU" (second Tuesday), "-1FR" (last Friday) monthly.
    byday: str = ""
    bymonthday: str = ""
    opens_at: time | None = None
    closes_at: time | None = None
    dtstart: Day | None = None
    description: str = Field("", max_length=200)


class LocationIn(Schema):
    name: str
    postal_code: str = ""
    address: str = ""
    district_id: int | None = None
    transportation: str = ""
    accessibility: str = ""


class ResourceIn(Schema):
    provider_id: int
    name: str
    alternate_name: str = ""
    category: str
    is_community_place: bool = False
    status: str = "active"
    description: str = ""
    audience: str = ""
    offers: str = ""
    needs: list[str] = []
    needs_note: str = ""
    ease: list[str] = []
    interests: list[str] = []
    capacity: int | None = None
    fees_description: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    application_process: str = ""
    year_started: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    url: str = ""
    #: The schedules (they replace the saved ones); omitted: kept as they are.
    schedules: list[ScheduleIn] | None = None
    #: The main place; omitted: kept as it is (a new resource has none).
    location: LocationIn | None = None


class ResourceUpdateIn(ResourceIn):
    #: The version the change was made on (optimistic lock): 409 when outdated.
    version: int


class ProviderOut(Schema):
    id: int
    hsds_id: UUID
    name: str
    alternate_name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    description: str
    phone: str
    email: str
    website: str
    year_incorporated: int | None
    #: Resources listed (not archived).
    resource_count: int
    archived: bool

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None


# --- Helpers -------------------------------------------------------------------------


def _detail(request: StaffRequest, pk: int) -> Resource:
    resource: Resource = selectors.with_listing(
        selectors.visible_resources(request.user, policy.Action.VIEW)
    ).get(pk=pk)
    resource.connected_count = selectors.connected_count(resource)  # type: ignore[attr-defined]
    return resource


def _save(request: StaffRequest, payload: ResourceIn, instance: Resource | None) -> Any:
    data = payload.dict(exclude={"schedules", "location"})
    data["provider"] = data.pop("provider_id")
    # The form reads keywords as the page's text box does.
    data["interests"] = "、".join(word.replace("、", " ") for word in payload.interests)
    current = instance.provider if instance is not None else None
    form = ResourceForm(
        data=data, instance=instance, providers=selectors.provider_choices(request.user, current)
    )
    errors: dict[str, list[str]] = {}
    if not form.is_valid():
        errors.update(
            {
                RENAMED.get(name, name): [str(message) for message in messages]
                for name, messages in form.errors.items()
            }
        )
    location: Any = KEEP if instance is not None else None
    if payload.location is not None:
        location_data = payload.location.dict()
        location_data["district"] = location_data.pop("district_id")
        location_form = LocationForm(
            data=location_data,
            districts=policy.visible(request.user, "district", policy.Action.LIST).filter(
                archived_at=None
            ),
        )
        if location_form.is_valid():
            location = location_form.spec()
        else:
            errors.update(
                {
                    f"location.{'district_id' if name == 'district' else name}": [
                        str(message) for message in messages
                    ]
                    for name, messages in location_form.errors.items()
                }
            )
    if errors:
        return invalid(errors)
    schedules = (
        [ScheduleSpec(**schedule.dict()) for schedule in payload.schedules]
        if payload.schedules is not None
        else None
    )
    try:
        saved = services.resource_save(
            actor=request.user,
            resource=form.instance,
            version=getattr(payload, "version", None),
            schedules=schedules,
            location=location,
            changed=[name for name in form.changed_data if name != "version"],
        )
    except services.ResourceConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    except DjangoValidationError as error:
        return invalid(field_errors(error, RENAMED))
    return Status(201 if instance is None else 200, _detail(request, saved.pk))


# --- Operations ----------------------------------------------------------------------

router: Router = Router(tags=["社会資源"])


@router.get(
    "/resources",
    response={200: list[ResourceOut], **ERRORS},
    summary="社会資源の一覧",
    description="居場所・活動・受け入れ先を名前順に返します。既定では活動中のものだけです"
    "（status=all ですべての状態、status=archived でアーカイブ済み）。"
    "q はカタカナ・ひらがな・全角半角を区別しないキーワード、weekday は開催曜日（MO〜SU）、"
    "ease は参加のしやすさ（複数指定はすべてを満たすもの）で絞り込みます。",
)
@paginate
@policy.route("resource", policy.Action.LIST)
def resource_list(
    request: StaffRequest,
    q: str = "",
    category: str = "",
    district_id: int | None = None,
    weekday: str = "",
    ease: list[str] = Query([]),  # noqa: B008 - ninja's way of declaring a repeated parameter
    status: str = "",
    community_place: bool = False,
    provider_id: int | None = None,
) -> Any:
    filters = selectors.ResourceFilters(
        q=q,
        category=category,
        district_id=district_id,
        weekday=weekday.upper(),
        ease=tuple(ease),
        status=status,
        community_place=community_place,
        provider_id=provider_id,
    )
    audit_record(
        AuditAction.LIST,
        object_type="resources.resource",
        detail={"via": "api", **filters.as_detail()},
    )
    return selectors.with_listing(selectors.resource_list(request.user, filters))


@router.get(
    "/resources/{resource_id}",
    response={200: ResourceDetailOut, **ERRORS},
    summary="社会資源（開催日時・開催場所つき）",
    description="開催日時ごとに次の2回の開催日と、いまつながっている人数（名前は含みません）を返します。",
)
@policy.route("resource", policy.Action.VIEW)
def resource_detail(request: StaffRequest, resource_id: int) -> Any:
    resource, decision = policy.get_or_404(
        request.user, "resource", policy.Action.VIEW, pk=resource_id
    )
    audit_record(
        AuditAction.VIEW, obj=resource, basis=str(decision.basis or ""), detail={"via": "api"}
    )
    return _detail(request, resource.pk)


@router.post(
    "/resources",
    response={201: ResourceDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="社会資源の登録",
    description="開催日時（RFC 5545 の freq・byday、例: MONTHLY と 2TU で毎月第2火曜日）と"
    "開催場所をあわせて登録します。相談支援を行う機関の職員とシステム管理者が登録できます。",
)
@policy.route("resource", policy.Action.CREATE)
def resource_create(request: StaffRequest, payload: ResourceIn) -> Any:
    return _save(request, payload, None)


@router.put(
    "/resources/{resource_id}",
    response={200: ResourceDetailOut, 409: ErrorOut, 422: FormErrorsOut, **ERRORS},
    summary="社会資源の更新",
    description="schedules を送ると開催日時を置き換えます（省略すると今のまま）。"
    "location を省略すると開催場所は今のままです。"
    "表示した後に他の職員が更新していた場合は 409 を返します。",
)
@policy.route("resource", policy.Action.CHANGE)
def resource_update(request: StaffRequest, resource_id: int, payload: ResourceUpdateIn) -> Any:
    resource, _decision = policy.get_or_404(
        request.user, "resource", policy.Action.CHANGE, pk=resource_id
    )
    return _save(request, payload, resource)


@router.get(
    "/providers",
    response={200: list[ProviderOut], **ERRORS},
    summary="運営団体の一覧",
    description="社会資源を運営する団体・受け入れ先です。include_archived でアーカイブ済みも返します。",
)
@paginate
@policy.route("provider", policy.Action.LIST)
def provider_list(request: StaffRequest, include_archived: bool = False) -> Any:
    audit_record(AuditAction.LIST, object_type="resources.provider", detail={"via": "api"})
    return selectors.provider_list(request.user, include_archived=include_archived)


# --- Archiving a resource; keeping the providers (as the pages) ---------------------


class ResourceArchiveIn(Schema):
    #: アーカイブの理由 (例: 活動を終了した).
    reason: str = Field(..., max_length=200)


@router.post(
    "/resources/{resource_id}/archive",
    response={200: ResourceDetailOut, 422: FormErrorsOut, **ERRORS},
    summary="社会資源のアーカイブ",
    description="社会資源を一覧から外します。記録（これまでのつながりを含む）は理由とともに残ります"
    "（社会資源の画面のアーカイブと同じ）。すでにアーカイブされている場合は、そのまま返します。",
)
@policy.route("resource", policy.Action.ARCHIVE)
def resource_archive(request: StaffRequest, resource_id: int, payload: ResourceArchiveIn) -> Any:
    resource, _decision = policy.get_or_404(
        request.user, "resource", policy.Action.ARCHIVE, pk=resource_id
    )
    if not resource.is_archived:
        try:
            services.resource_archive(actor=request.user, resource=resource, reason=payload.reason)
        except DjangoValidationError as error:
            return invalid(field_errors(error, field="reason"))
    return _detail(request, resource.pk)


class ProviderIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    alternate_name: str = Field("", max_length=120)
    kind: ProviderKind = ProviderKind.OTHER
    description: str = ""
    phone: str = Field("", max_length=30)
    email: str = ""
    #: ウェブサイト (https://…).
    website: str = Field("", max_length=200)
    #: 設立年 (西暦).
    year_incorporated: int | None = None


class ProviderArchiveIn(Schema):
    #: アーカイブの理由.
    reason: str = Field(..., max_length=200)


def _provider(request: StaffRequest, pk: int) -> Any:
    """The provider with its count of listed resources, as the list shows it."""
    return selectors.provider_list(request.user, include_archived=True).get(pk=pk)


def _provider_save(request: StaffRequest, payload: ProviderIn, provider: Provider | None) -> Any:
    data = payload.dict()
    instance = provider or Provider()
    changed = [name for name, value in data.items() if getattr(instance, name) != value]
    for name, value in data.items():
        setattr(instance, name, value)
    try:
        saved = services.provider_save(actor=request.user, provider=instance, changed=changed)
    except DjangoValidationError as error:
        return invalid(field_errors(error))
    return Status(201 if provider is None else 200, _provider(request, saved.pk))


@router.post(
    "/providers",
    response={201: ProviderOut, 422: FormErrorsOut, **ERRORS},
    summary="運営団体の登録",
    description="社会資源を運営する団体・受け入れ先を登録します（運営団体の画面と同じ）。"
    "相談支援を行う機関の職員とシステム管理者が登録できます。",
)
@policy.route("provider", policy.Action.CREATE)
def provider_create(request: StaffRequest, payload: ProviderIn) -> Any:
    return _provider_save(request, payload, None)


@router.put(
    "/providers/{provider_id}",
    response={200: ProviderOut, 422: FormErrorsOut, **ERRORS},
    summary="運営団体の更新",
    description="すべての項目を送ってください（送らない項目は既定の値になります）。"
    "変更した項目名（値は含みません）が監査記録に残ります。",
)
@policy.route("provider", policy.Action.CHANGE)
def provider_update(request: StaffRequest, provider_id: int, payload: ProviderIn) -> Any:
    provider, _decision = policy.get_or_404(
        request.user, "provider", policy.Action.CHANGE, pk=provider_id
    )
    return _provider_save(request, payload, provider)


@router.post(
    "/providers/{provider_id}/archive",
    response={200: ProviderOut, 422: FormErrorsOut, **ERRORS},
    summary="運営団体のアーカイブ",
    description="掲載中の社会資源がない団体を一覧から外します。記録は理由とともに残ります"
    "（掲載中の社会資源があるときは 422）。",
)
@policy.route("provider", policy.Action.ARCHIVE)
def provider_archive(request: StaffRequest, provider_id: int, payload: ProviderArchiveIn) -> Any:
    provider, _decision = policy.get_or_404(
        request.user, "provider", policy.Action.ARCHIVE, pk=provider_id
    )
    try:
        services.provider_archive(actor=request.user, provider=provider, reason=payload.reason)
    except DjangoValidationError as error:
        return invalid(field_errors(error, field="reason"))
    return _provider(request, provider.pk)
