"""API of the organizations (支援関係機関) every record refers to: list, one,
register and change. (Districts, sub-businesses, 世帯の特徴 and archiving an
organization: tsunagu/directory/api.py.)"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from typing import TYPE_CHECKING, Any

from ninja import Field, ModelSchema, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.api.choices import api_choices
from tsunagu.api.errors import ERRORS, FormErrorsOut
from tsunagu.core.http import StaffRequest
from tsunagu.core.services import tracked_save_form
from tsunagu.directory.forms import OrganizationForm
from tsunagu.directory.models import Organization

# The choices under the API's own names (tsunagu/api/choices.py); to the type
# checker they are the model's choices, whose values they are.
if TYPE_CHECKING:
    OrganizationKind = Organization.Kind
else:
    OrganizationKind = api_choices("OrganizationKind", Organization.Kind)

router: Router = Router(tags=["マスタデータ"])


class OrganizationOut(ModelSchema):
    district_ids: list[int]
    sub_business_ids: list[int]
    archived: bool

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "management",
            "operator",
            "parent",
            "is_coordinating",
            "designated_multi_agency",
            "phone",
            "address",
        ]

    @staticmethod
    def resolve_district_ids(obj: Organization) -> list[int]:
        return [district.pk for district in obj.districts.all()]

    @staticmethod
    def resolve_sub_business_ids(obj: Organization) -> list[int]:
        return [sub.pk for sub in obj.sub_businesses.all()]

    @staticmethod
    def resolve_archived(obj: Organization) -> bool:
        return obj.archived_at is not None


class OrganizationIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    kind: OrganizationKind
    management: Organization.Management = Organization.Management.DIRECT
    operator: str = Field("", max_length=80)
    parent: int | None = None
    is_coordinating: bool = False
    designated_multi_agency: bool = False
    district_ids: list[int] = []
    sub_business_ids: list[int] = []
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=120)
    sort_order: int = Field(0, ge=0, le=32767)


def _organizations(request: StaffRequest, action: policy.Action) -> Any:
    return (
        policy.visible(request.user, "organization", action)
        .select_related("parent")
        .prefetch_related("districts", "sub_businesses")
    )


@router.get(
    "/organizations", response={200: list[OrganizationOut], **ERRORS}, summary="支援関係機関の一覧"
)
@paginate
@policy.route("organization", policy.Action.LIST)
def organization_list(request: StaffRequest, include_archived: bool = False) -> Any:
    organizations = _organizations(request, policy.Action.LIST)
    return organizations if include_archived else organizations.filter(archived_at=None)


@router.get(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **ERRORS},
    summary="支援関係機関",
)
@policy.route("organization", policy.Action.VIEW)
def organization_detail(request: StaffRequest, organization_id: int) -> Any:
    organization, _decision = policy.get_or_404(
        request.user, "organization", policy.Action.VIEW, pk=organization_id
    )
    return organization


def _save_organization(
    request: StaffRequest, payload: OrganizationIn, instance: Organization | None
) -> Any:
    data = payload.dict()
    data["districts"] = data.pop("district_ids")
    data["sub_businesses"] = data.pop("sub_business_ids")
    form = OrganizationForm(data=data, instance=instance)
    if not form.is_valid():
        return Status(
            422,
            {
                "detail": "入力内容に誤りがあります。",
                "errors": {
                    field: [str(e) for e in errors] for field, errors in form.errors.items()
                },
            },
        )
    saved = tracked_save_form(actor=request.user, form=form)
    return Status(
        201 if instance is None else 200,
        _organizations(request, policy.Action.VIEW).get(pk=saved.pk),
    )


@router.post(
    "/organizations",
    response={201: OrganizationOut, 422: FormErrorsOut, **ERRORS},
    summary="支援関係機関の登録",
)
@policy.route("organization", policy.Action.CREATE)
def organization_create(request: StaffRequest, payload: OrganizationIn) -> Any:
    return _save_organization(request, payload, None)


@router.put(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, 422: FormErrorsOut, **ERRORS},
    summary="支援関係機関の更新",
)
@policy.route("organization", policy.Action.CHANGE)
def organization_update(
    request: StaffRequest, organization_id: int, payload: OrganizationIn
) -> Any:
    organization, _decision = policy.get_or_404(
        request.user, "organization", policy.Action.CHANGE, pk=organization_id
    )
    return _save_organization(request, payload, organization)
