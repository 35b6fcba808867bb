"""API of staff accounts: who is signed in (with their memberships and the
organization the request acts for), and the staff lists of administrators."""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from typing import Any

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.accounts.models import Staff
from tsunagu.api.errors import ERRORS
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.http import StaffRequest

router: Router = Router(tags=["職員"])


class MembershipOut(Schema):
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    role: str
    role_label: str = Field(..., alias="get_role_display")


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    municipality: str
    roles: list[str]
    #: Each organization the staff member belongs to, with the role held there.
    memberships: list[MembershipOut]
    #: The organization this request acts for (``X-Tsunagu-Organization`` chooses another).
    acting_organization_id: int | None


class StaffOut(Schema):
    id: int
    username: str
    full_name: str
    full_name_kana: str
    is_active: bool
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj: Staff) -> list[Any]:
        return [m for m in obj.memberships.all() if m.active]


@router.get(
    "/me",
    response={200: MeOut, **ERRORS},
    summary="ログイン中の職員",
    description="職員の所属と役割、この要求で代表している所属機関を返します。"
    "所属機関は X-Tsunagu-Organization ヘッダー（機関のID）で選べます。",
)
@policy.route("own_account", policy.Action.VIEW)
def me(request: StaffRequest) -> Any:
    staff = request.user
    return {
        "id": staff.pk,
        "username": staff.username,
        "full_name": staff.full_name,
        "municipality": staff.municipality.name,
        "roles": sorted(staff.roles()),
        "memberships": staff.memberships.filter(active=True)
        .select_related("organization")
        .order_by("organization__sort_order", "organization_id", "role"),
        "acting_organization_id": acting_organization_id(request),
    }


@router.get("/staff", response={200: list[StaffOut], **ERRORS}, summary="職員の一覧")
@paginate
@policy.route("staff", policy.Action.LIST)
def staff_list(request: StaffRequest) -> Any:
    audit_record(AuditAction.LIST, object_type="accounts.staff", detail={"via": "api"})
    return (
        policy.visible(request.user, "staff", policy.Action.LIST)
        .prefetch_related("memberships__organization")
        .order_by("full_name_kana", "username")
    )


@router.get("/staff/{staff_id}", response={200: StaffOut, **ERRORS}, summary="職員")
@policy.route("staff", policy.Action.VIEW)
def staff_detail(request: StaffRequest, staff_id: int) -> Any:
    staff, _decision = policy.get_or_404(request.user, "staff", policy.Action.VIEW, pk=staff_id)
    return staff
