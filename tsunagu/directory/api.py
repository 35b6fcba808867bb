"""API of the master data pages (日常生活圏域, 区該当事業, 世帯の特徴, and archiving a
支援関係機関): the same forms, the same tracked services and the same policy as
the directory's pages, so that both refuse and record alike.

Registering and changing an organization (and the lists of districts and
区該当事業) are answered by the root API module.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from ninja import Field, ModelSchema, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.errors import ERRORS, FormErrorsOut, field_errors, invalid
from tsunagu.consultations.services import case_features_ensure_defaults
from tsunagu.core.forms_base import StyledModelForm
from tsunagu.core.http import StaffRequest
from tsunagu.core.services import tracked_archive, tracked_save_form
from tsunagu.directory.api_organizations import OrganizationOut
from tsunagu.directory.forms import CaseFeatureForm, DistrictForm, SubBusinessForm
from tsunagu.directory.models import District, SubBusiness

router: Router = Router(tags=["マスタデータ"])


# --- Schemas -------------------------------------------------------------------------


class DistrictOut(ModelSchema):
    class Meta:
        model = District
        fields = ["id", "name", "sort_order"]


class SubBusinessOut(ModelSchema):
    business_number: int = Field(..., alias="business.number")
    business: str = Field(..., alias="business.name")
    department_ids: list[int]

    class Meta:
        model = SubBusiness
        fields = [
            "id",
            "name",
            "legal_basis",
            "content",
            "capacity_count",
            "capacity_unit",
            "capacity_note",
            "report_items",
        ]

    @staticmethod
    def resolve_department_ids(obj: SubBusiness) -> list[int]:
        return [department.pk for department in obj.departments.all()]


class DistrictIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)
    #: 圏域に含まれる町丁目, one a line (受付の住所から圏域を決める).
    address_prefixes: str = ""
    sort_order: int = Field(0, ge=0, le=32767)


class DistrictMasterOut(Schema):
    id: int
    name: str
    address_prefixes: str
    sort_order: int
    archived: bool

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None


class CaseFeatureIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)
    sort_order: int = Field(0, ge=0, le=32767)


class CaseFeatureOut(Schema):
    id: int
    name: str
    sort_order: int
    archived: bool

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None


class SubBusinessIn(Schema):
    #: The business (包括的相談支援事業 …) it is run under.
    business_id: int
    name: str = Field(..., min_length=1, max_length=80)
    legal_basis: str = Field("", max_length=100)
    content: str = ""
    capacity_count: int | None = Field(None, ge=0)
    capacity_unit: str = Field("", max_length=10)
    capacity_note: str = Field("", max_length=60)
    #: 報告項目, one a line.
    report_items: str = ""
    #: 所管課（委託を含む）: organizations of the municipality.
    department_ids: list[int] = []
    sort_order: int = Field(0, ge=0, le=32767)


class SubBusinessMasterOut(Schema):
    id: int
    business_id: int
    business_number: int = Field(..., alias="business.number")
    business: str = Field(..., alias="business.name")
    name: str
    legal_basis: str
    content: str
    capacity_count: int | None
    capacity_unit: str
    capacity_note: str
    report_items: str
    department_ids: list[int]
    sort_order: int
    archived: bool

    @staticmethod
    def resolve_department_ids(obj: Any) -> list[int]:
        return [department.pk for department in obj.departments.all()]

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None


class MasterArchiveIn(Schema):
    #: アーカイブの理由 (例: 組織改正により廃止).
    reason: str = Field(..., max_length=200)


# --- As the pages: one form, one tracked save, one archive ---------------------------


def _saved(
    request: StaffRequest,
    form_class: type[StyledModelForm],
    data: dict[str, Any],
    instance: Model | None,
    renamed: dict[str, str] | None = None,
) -> Any:
    """Save ``data`` through the page's form and tracked service (201 new, 200 changed)."""
    renamed = renamed or {}
    form = form_class(data=data, instance=instance)
    if not form.is_valid():
        return invalid(
            {
                renamed.get(name, name): [str(message) for message in messages]
                for name, messages in form.errors.items()
            }
        )
    saved = tracked_save_form(actor=request.user, form=form)
    return Status(201 if instance is None else 200, saved)


def _archived(request: StaffRequest, resource: str, pk: int, reason: str) -> Any:
    """Archive the record with its reason (one already archived is answered as it is)."""
    instance, _decision = policy.get_or_404(request.user, resource, policy.Action.ARCHIVE, pk=pk)
    if instance.is_archived:
        return instance
    try:
        return tracked_archive(actor=request.user, instance=instance, reason=reason)
    except DjangoValidationError as error:
        return invalid(field_errors(error, {"archive_reason": "reason"}, field="reason"))


# --- 日常生活圏域 and 区該当事業: the lists -------------------------------------------
#
# They live beside the writes: django-ninja answers a path from the first router
# that declares it, so GET and POST /districts must share one router.


@router.get("/districts", response={200: list[DistrictOut], **ERRORS}, summary="日常生活圏域")
@paginate
@policy.route("district", policy.Action.LIST)
def district_list(request: StaffRequest) -> Any:
    return policy.visible(request.user, "district", policy.Action.LIST).filter(archived_at=None)


@router.get("/sub-businesses", response={200: list[SubBusinessOut], **ERRORS}, summary="区該当事業")
@paginate
@policy.route("business", policy.Action.LIST)
def sub_business_list(request: StaffRequest) -> Any:
    return (
        policy.visible(request.user, "business", policy.Action.LIST)
        .filter(archived_at=None)
        .select_related("business")
        .prefetch_related("departments")
    )


# --- 日常生活圏域 ---------------------------------------------------------------------


@router.post(
    "/districts",
    response={201: DistrictMasterOut, 422: FormErrorsOut, **ERRORS},
    summary="日常生活圏域の登録",
    description="日常生活圏域を登録します（マスタデータの画面と同じ。システム管理者のみ）。"
    "同じ名前の圏域は登録できません。",
)
@policy.route("district", policy.Action.CREATE)
def district_create(request: StaffRequest, payload: DistrictIn) -> Any:
    return _saved(request, DistrictForm, payload.dict(), None)


@router.put(
    "/districts/{district_id}",
    response={200: DistrictMasterOut, 422: FormErrorsOut, **ERRORS},
    summary="日常生活圏域の更新",
    description="圏域名と表示順を更新します。変更した項目名が監査記録に残ります。",
)
@policy.route("district", policy.Action.CHANGE)
def district_update(request: StaffRequest, district_id: int, payload: DistrictIn) -> Any:
    district, _decision = policy.get_or_404(
        request.user, "district", policy.Action.CHANGE, pk=district_id
    )
    return _saved(request, DistrictForm, payload.dict(), district)


@router.post(
    "/districts/{district_id}/archive",
    response={200: DistrictMasterOut, 422: FormErrorsOut, **ERRORS},
    summary="日常生活圏域のアーカイブ",
    description="圏域を選択肢から外します。記録は理由とともに残り、これまでの記録の圏域も"
    "そのままです。",
)
@policy.route("district", policy.Action.ARCHIVE)
def district_archive(request: StaffRequest, district_id: int, payload: MasterArchiveIn) -> Any:
    return _archived(request, "district", district_id, payload.reason)


# --- 区該当事業 -----------------------------------------------------------------------


def _sub_business_data(payload: SubBusinessIn) -> dict[str, Any]:
    data = payload.dict()
    data["business"] = data.pop("business_id")
    data["departments"] = data.pop("department_ids")
    if data["capacity_count"] is None:
        data["capacity_count"] = ""
    return data


SUB_BUSINESS_RENAMED = {"business": "business_id", "departments": "department_ids"}


@router.post(
    "/sub-businesses",
    response={201: SubBusinessMasterOut, 422: FormErrorsOut, **ERRORS},
    summary="区該当事業の登録",
    description="重層的支援体制整備事業の各事業のもとで区が行う事業（区該当事業）を登録します"
    "（マスタデータの画面と同じ。システム管理者のみ）。",
)
@policy.route("business", policy.Action.CREATE)
def sub_business_create(request: StaffRequest, payload: SubBusinessIn) -> Any:
    return _saved(request, SubBusinessForm, _sub_business_data(payload), None, SUB_BUSINESS_RENAMED)


@router.put(
    "/sub-businesses/{sub_business_id}",
    response={200: SubBusinessMasterOut, 422: FormErrorsOut, **ERRORS},
    summary="区該当事業の更新",
    description="すべての項目を送ってください（送らない項目は空になります）。"
    "変更した項目名が監査記録に残ります。",
)
@policy.route("business", policy.Action.CHANGE)
def sub_business_update(request: StaffRequest, sub_business_id: int, payload: SubBusinessIn) -> Any:
    sub_business, _decision = policy.get_or_404(
        request.user, "business", policy.Action.CHANGE, pk=sub_business_id
    )
    return _saved(
        request, SubBusinessForm, _sub_business_data(payload), sub_business, SUB_BUSINESS_RENAMED
    )


@router.post(
    "/sub-businesses/{sub_business_id}/archive",
    response={200: SubBusinessMasterOut, 422: FormErrorsOut, **ERRORS},
    summary="区該当事業のアーカイブ",
    description="区該当事業を一覧・選択肢から外します。記録は理由とともに残ります。",
)
@policy.route("business", policy.Action.ARCHIVE)
def sub_business_archive(
    request: StaffRequest, sub_business_id: int, payload: MasterArchiveIn
) -> Any:
    return _archived(request, "business", sub_business_id, payload.reason)


# --- 世帯の特徴 -----------------------------------------------------------------------


@router.get(
    "/case-features",
    response={200: list[CaseFeatureOut], **ERRORS},
    summary="世帯の特徴の一覧",
    description="ケースに付ける世帯の特徴（8050、ごみ屋敷 など）を表示順に返します。"
    "include_archived でアーカイブ済みも返します。",
)
@paginate
@policy.route("case_feature", policy.Action.LIST)
def case_feature_list(request: StaffRequest, include_archived: bool = False) -> Any:
    # As the page: a municipality starts with the features seen in the seeds.
    case_features_ensure_defaults()
    features = policy.visible(request.user, "case_feature", policy.Action.LIST)
    return features if include_archived else features.filter(archived_at=None)


@router.post(
    "/case-features",
    response={201: CaseFeatureOut, 422: FormErrorsOut, **ERRORS},
    summary="世帯の特徴の登録",
    description="世帯の特徴を登録します（マスタデータの画面と同じ。システム管理者のみ）。"
    "同じ名前の特徴は登録できません。",
)
@policy.route("case_feature", policy.Action.CREATE)
def case_feature_create(request: StaffRequest, payload: CaseFeatureIn) -> Any:
    return _saved(request, CaseFeatureForm, payload.dict(), None)


@router.put(
    "/case-features/{case_feature_id}",
    response={200: CaseFeatureOut, 422: FormErrorsOut, **ERRORS},
    summary="世帯の特徴の更新",
    description="名称と表示順を更新します。変更した項目名が監査記録に残ります。",
)
@policy.route("case_feature", policy.Action.CHANGE)
def case_feature_update(request: StaffRequest, case_feature_id: int, payload: CaseFeatureIn) -> Any:
    feature, _decision = policy.get_or_404(
        request.user, "case_feature", policy.Action.CHANGE, pk=case_feature_id
    )
    return _saved(request, CaseFeatureForm, payload.dict(), feature)


@router.post(
    "/case-features/{case_feature_id}/archive",
    response={200: CaseFeatureOut, 422: FormErrorsOut, **ERRORS},
    summary="世帯の特徴のアーカイブ",
    description="特徴を選択肢から外します。これまでのケースに付いた特徴と記録は残ります。",
)
@policy.route("case_feature", policy.Action.ARCHIVE)
def case_feature_archive(
    request: StaffRequest, case_feature_id: int, payload: MasterArchiveIn
) -> Any:
    return _archived(request, "case_feature", case_feature_id, payload.reason)


# --- 支援関係機関 ---------------------------------------------------------------------


@router.post(
    "/organizations/{organization_id}/archive",
    response={200: OrganizationOut, 422: FormErrorsOut, **ERRORS},
    summary="支援関係機関のアーカイブ",
    description="機関を一覧・選択肢から外します。機関の記録と、その機関が作った記録は残ります"
    "（マスタデータの画面と同じ。システム管理者のみ）。",
)
@policy.route("organization", policy.Action.ARCHIVE)
def organization_archive(
    request: StaffRequest, organization_id: int, payload: MasterArchiveIn
) -> Any:
    return _archived(request, "organization", organization_id, payload.reason)
