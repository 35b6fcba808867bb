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
from tsunagu.api.errors import ERRORS, invalid
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


class WorkQueueOut(Schema):
    """What waits for the signed-in staff member at the organization the request
    acts for: counts only (the home page lists the lines)."""

    organization_id: int | None
    referrals_waiting: int
    referrals_waiting_overdue: int
    referrals_sent_overdue: int
    report_backs_owed: int
    report_backs_overdue: int
    tasks_due: int
    tasks_overdue: int
    outreach_overdue: int
    follow_ups_due: int
    cases_due: int


@router.get(
    "/me/work-queue",
    response={200: WorkQueueOut, **ERRORS},
    summary="今日の仕事（件数）",
    description="受理待ち・期限超過のつなぐシート、報告待ち、期限が1週間以内のタスク、"
    "予定日を過ぎたアウトリーチ・フォローアップ、期日が近いケースの件数。"
    "所属機関は X-Tsunagu-Organization ヘッダーで選べます。相談業務の所属がなければ0件です。",
)
@policy.route("own_account", policy.Action.VIEW)
def work_queue(request: StaffRequest) -> Any:
    from dataclasses import asdict

    from tsunagu.workqueue import selectors

    organization_id = selectors.acting_organization_for_queue(request)
    return {
        "organization_id": organization_id,
        **asdict(selectors.counts(request.user, organization_id)),
    }


class NoticesIn(Schema):
    email: str = ""
    notice_mode: str
    notice_kinds: list[str] = []


class NoticesOut(Schema):
    email: str
    notice_mode: str
    notice_kinds: list[str]
    #: Whether a mail server is configured: without one no mail is sent.
    mail_configured: bool


def _notices(staff: Staff) -> dict[str, Any]:
    from tsunagu.workqueue.notices import configured

    return {
        "email": staff.email,
        "notice_mode": staff.notice_mode,
        "notice_kinds": staff.notice_kinds,
        "mail_configured": configured(),
    }


@router.get(
    "/me/notices",
    response={200: NoticesOut, **ERRORS},
    summary="メール通知の設定",
)
@policy.route("own_account", policy.Action.VIEW)
def notice_settings(request: StaffRequest) -> Any:
    return _notices(request.user)


@router.put(
    "/me/notices",
    response={200: NoticesOut, **ERRORS},
    summary="メール通知の設定を変更",
    description="notice_mode: off（受け取らない）・daily（1日1回）・immediate（その都度と1日1回）。"
    "notice_kinds: referrals・tasks・outreach・follow_ups・cases。"
    "通知には件数とリンクだけを載せ、個人の情報は載せません。",
)
@policy.route("own_account", policy.Action.CHANGE)
def notice_settings_update(request: StaffRequest, payload: NoticesIn) -> Any:
    from tsunagu.accounts import services
    from tsunagu.accounts.forms import NoticeSettingsForm

    form = NoticeSettingsForm(payload.dict())
    if not form.is_valid():
        return invalid({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    services.staff_set_notices(
        actor=request.user,
        staff=request.user,
        email=form.cleaned_data["email"],
        mode=form.cleaned_data["notice_mode"],
        kinds=form.cleaned_data["notice_kinds"],
    )
    return _notices(request.user)
