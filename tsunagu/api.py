"""The JSON API at /api/v1/ (django-ninja), described at /api/v1/openapi.json.

Same rules as the pages: every operation is declared to the policy module,
reads go through its visible querysets, writes through the services with
their audit events. Authentication is the browser session (with CSRF) or a
bearer token issued on the account page. Errors are answered in Japanese.
"""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, ModelSchema, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import paginate
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from tsunagu import policy
from tsunagu.accounts.acting import NotActingFor, acting_organization_id
from tsunagu.accounts.models import ApiToken, Staff
from tsunagu.accounts.selectors import two_factor_required
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import RequestInfo, audit_record, request_info_set
from tsunagu.core import tenancy
from tsunagu.core.http import StaffRequest
from tsunagu.core.middleware import client_ip
from tsunagu.core.services import tracked_save_form
from tsunagu.core.text import reject_control_characters
from tsunagu.core.throttling import StaffRateThrottle
from tsunagu.directory.forms import OrganizationForm
from tsunagu.directory.models import Organization


class TokenAuth(HttpBearer):
    """Bearer tokens from the account page; only their digest is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        found = (
            ApiToken.all_tenants.select_related("staff__municipality")
            .filter(
                digest=ApiToken.digest_of(token), revoked_at=None, expires_at__gt=timezone.now()
            )
            .first()
        )
        if found is None or not found.staff.is_active or found.staff.is_expired:
            return None
        if not found.two_factor_verified and two_factor_required(found.staff):
            return None
        staff = found.staff
        ApiToken.all_tenants.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = staff
        # The tenant middleware ran before the token was known: scope this
        # request now. The middleware resets both at the end of the request.
        tenancy.activate(staff.municipality)
        request_info_set(
            RequestInfo(
                actor=staff,
                organization_id=acting_organization_id(request),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        )
        return staff


class ControlCharactersRefused(Exception):
    """Text of a request holding control characters: the fields and messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("control characters in the request")
        self.errors = errors


def _refuse_control_characters(data: Any) -> None:
    """Raise ControlCharactersRefused naming every text of ``data`` (by its
    dotted path) that holds control characters other than line breaks and tabs."""
    found: dict[str, list[str]] = {}

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, str):
            try:
                reject_control_characters(value)
            except DjangoValidationError as error:
                found.setdefault(".".join(path) or "__all__", []).extend(error.messages)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, str(index)))

    walk(data, ())
    if found:
        raise ControlCharactersRefused(found)


class TextParser(Parser):
    """django-ninja's JSON and query parser, refusing control characters other
    than line breaks and tabs in any text, as the forms do (422 at the field)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        _refuse_control_characters(data)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        _refuse_control_characters(parsed)
        return parsed


api = NinjaAPI(
    title="つなぐ API",
    version="1",
    description="重層的支援体制整備事業 支援システムの API。すべての操作はアクセス方針と監査証跡の対象です。",
    # The token first: a request carrying one needs no CSRF token, and the
    # session check would refuse it before the token was looked at.
    auth=[TokenAuth(), SessionAuth()],
    # Per staff member (settings.TSUNAGU_API_RATE); over it: 429 with Retry-After.
    throttle=[StaffRateThrottle()],
    urls_namespace="api",
    docs_decorator=policy.route("own_account", policy.Action.VIEW),
    parser=TextParser(),
)


class ErrorOut(Schema):
    detail: str


class FormErrorsOut(Schema):
    """A refused input: what was wrong, field by field (``__all__`` for the whole)."""

    detail: str
    errors: dict[str, list[str]]


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "ログインが必要です。セッションまたはAPIトークンで認証してください。"},
        status=401,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = (
        NotActingFor.message
        if isinstance(exc, NotActingFor)
        else "この操作を行う権限がありません。"
    )
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "見つかりません。"}, status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ControlCharactersRefused):
        # ninja reports any refusal of the body's parser as a 400.
        return _control_characters(request, exc.__cause__)
    if "CSRF" in str(exc):
        detail = "CSRFトークンがないか、無効です。画面を再読み込みしてからやり直してください。"
    else:
        detail = HTTP_ERROR_DETAILS.get(exc.status_code, "リクエストを処理できませんでした。")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


HTTP_ERROR_DETAILS = {
    400: "リクエストの形式が正しくありません。",
    401: "ログインが必要です。",
    403: "この操作を行う権限がありません。",
    404: "見つかりません。",
    405: "このメソッドは使えません。",
    429: "リクエストが多すぎます。しばらく待ってから再度お試しください。",
}


#: Japanese for the checks django-ninja makes of the path, the query and the
#: body before an operation runs (pydantic's error types).
INVALID_MESSAGES = {
    "missing": "このフィールドは必須です。",
    "string_too_short": "%(min_length)s文字以上で入力してください。",
    "string_too_long": "%(max_length)s文字以下で入力してください。",
    "greater_than_equal": "%(ge)s以上の値を指定してください。",
    "greater_than": "%(gt)sより大きい値を指定してください。",
    "less_than_equal": "%(le)s以下の値を指定してください。",
    "less_than": "%(lt)sより小さい値を指定してください。",
    "int_parsing": "整数を指定してください。",
    "int_type": "整数を指定してください。",
    "int_from_float": "整数を指定してください。",
    "float_parsing": "数値を指定してください。",
    "float_type": "数値を指定してください。",
    "bool_parsing": "true か false を指定してください。",
    "bool_type": "true か false を指定してください。",
    "string_type": "文字列を指定してください。",
    "enum": "選べる値のいずれかを指定してください（%(expected)s）。",
    "literal_error": "選べる値のいずれかを指定してください（%(expected)s）。",
    "date_parsing": "日付を 2025-04-01 の形で指定してください。",
    "date_type": "日付を 2025-04-01 の形で指定してください。",
    "date_from_datetime_parsing": "日付を 2025-04-01 の形で指定してください。",
    "date_from_datetime_inexact": "日付を 2025-04-01 の形で指定してください。",
    "datetime_parsing": "日時を 2025-04-01T09:30:00+09:00 の形で指定してください。",
    "datetime_type": "日時を 2025-04-01T09:30:00+09:00 の形で指定してください。",
    "datetime_from_date_parsing": "日時を 2025-04-01T09:30:00+09:00 の形で指定してください。",
    "time_parsing": "時刻を 09:30 の形で指定してください。",
    "uuid_parsing": "UUID の形で指定してください。",
    "uuid_type": "UUID の形で指定してください。",
    "list_type": "配列で指定してください。",
    "dict_type": "オブジェクトで指定してください。",
    "model_type": "オブジェクトで指定してください。",
    "model_attributes_type": "オブジェクトで指定してください。",
    "too_short": "%(min_length)s件以上指定してください。",
    "too_long": "%(max_length)s件以下で指定してください。",
    "json_invalid": "JSON として読み取れません。",
}
#: Where a value came from, left out of the field name (the body also names its argument).
_SOURCES = {"path": 1, "query": 1, "header": 1, "cookie": 1, "form": 2, "file": 2, "body": 2}


def request_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """django-ninja's errors of a request in the shape of a form's: field name
    (``__all__`` for the whole body) → Japanese messages."""
    found: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        field = ".".join(loc[_SOURCES.get(loc[0], 0) :] if loc else []) or "__all__"
        kind = error.get("type")
        context = {k: str(v).replace(" or ", ", ") for k, v in (error.get("ctx") or {}).items()}
        if kind in INVALID_MESSAGES:
            message = INVALID_MESSAGES[kind] % defaultdict(str, context)
        elif kind is None and error.get("msg"):
            message = str(error["msg"])  # an operation's own message, already in Japanese
        else:
            message = "値が正しくありません。"
        found.setdefault(field, []).append(message)
    return found


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "入力内容に誤りがあります。", "errors": request_errors(exc.errors)},
        status=422,
    )


@api.exception_handler(ControlCharactersRefused)
def _control_characters(request: HttpRequest, exc: ControlCharactersRefused) -> HttpResponse:
    return api.create_response(
        request, {"detail": "入力内容に誤りがあります。", "errors": exc.errors}, status=422
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A value the database cannot hold (an id of thirty digits) is refused
    input, not a fault of the server; whatever was written is rolled back."""
    return api.create_response(
        request,
        {
            "detail": "入力内容に誤りがあります。",
            "errors": {"__all__": ["保存できない値（大きすぎる数値など）が含まれています。"]},
        },
        status=422,
    )


#: What any operation may answer besides its own: a malformed body (400),
#: no or a bad login (401), the policy's refusal or a missing CSRF token (403),
#: a missing or invisible object (404), a refused input (422) and too many
#: requests (429).
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: FormErrorsOut,
    429: ErrorOut,
}


# --- Schemas -----------------------------------------------------------------


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
    kind: Organization.Kind
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


# --- Operations --------------------------------------------------------------

router = Router()


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


api.add_router("/", router)

# The residents' routers use the schemas and errors above, so they are imported
# here, after them, rather than at the top.
from tsunagu.activities.api import router as activities_router  # noqa: E402
from tsunagu.audit.api import router as audit_router  # noqa: E402
from tsunagu.cases.api import router as cases_router  # noqa: E402
from tsunagu.community.api import router as community_router  # noqa: E402
from tsunagu.consultations.api import router as consultations_router  # noqa: E402
from tsunagu.directory.api import router as directory_router  # noqa: E402
from tsunagu.meetings.api import router as meetings_router  # noqa: E402
from tsunagu.outreach.api import router as outreach_router  # noqa: E402
from tsunagu.participation.api import router as participation_router  # noqa: E402
from tsunagu.people.api import router as people_router  # noqa: E402
from tsunagu.plans.api import router as plans_router  # noqa: E402
from tsunagu.referrals.api import router as referrals_router  # noqa: E402
from tsunagu.reports.api_business import router as reports_business_router  # noqa: E402
from tsunagu.reports.api_strategy import router as reports_strategy_router  # noqa: E402
from tsunagu.reports.api_survey import router as reports_survey_router  # noqa: E402
from tsunagu.resources.api import router as resources_router  # noqa: E402
from tsunagu.resources.hsds_api import router as hsds_router  # noqa: E402

api.add_router("/", directory_router)
api.add_router("/", people_router)
api.add_router("/", consultations_router)
api.add_router("/", referrals_router)
api.add_router("/", cases_router)
api.add_router("/", meetings_router)
api.add_router("/", plans_router)
api.add_router("/", outreach_router)
api.add_router("/", participation_router)
api.add_router("/", resources_router)
api.add_router("/hsds", hsds_router)
api.add_router("/", activities_router)
api.add_router("/", community_router)
api.add_router("/", reports_business_router)
api.add_router("/", reports_strategy_router)
api.add_router("/", reports_survey_router)
api.add_router("/", audit_router)


def operations() -> list[Any]:
    """Every operation of the API (for the route-enumeration test)."""
    found = []
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            found.extend(path_view.operations)
    return found


def _policy_before_input(operation: Any) -> None:
    """Let the policy answer right after authentication, before the body is read.

    django-ninja validates an operation's input before calling it, so a role
    the policy refuses would otherwise learn the operation's input rules from
    a 422 (and a refusal would go unaudited). The policy's own answer for the
    declared record kind and action comes first: refused is 403, audited."""
    checks = operation._run_checks
    declared = policy.declaration_of(operation.view_func)

    def run_checks(request: HttpRequest) -> HttpResponse | None:
        error = checks(request)
        if error is not None or not isinstance(declared, policy.RouteDeclaration):
            return error
        try:
            acting_organization_id(request)  # an X-Tsunagu-Organization it may not act for
        except PermissionDenied as refused:
            return _forbidden(request, refused)
        if not policy.decide(request.user, declared.action, declared.resource):
            policy.audit_denial(request.user, declared.action, declared.resource)
            return _forbidden(request, PermissionDenied())
        return None

    operation._run_checks = run_checks


for _operation in operations():
    _policy_before_input(_operation)
