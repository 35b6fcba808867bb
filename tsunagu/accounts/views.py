"""Sign-in, two-factor, one's own account, and the staff screens of the system administrator."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu import policy
from tsunagu.accounts import services
from tsunagu.accounts.acting import SESSION_KEY as ACTING_ORGANIZATION_SESSION_KEY
from tsunagu.accounts.acting import acting_organization_name
from tsunagu.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    MembershipForm,
    NoticeSettingsForm,
    PasswordSetForm,
    RoleSecurityForm,
    StaffCreateForm,
    StaffForm,
    TokenForm,
)
from tsunagu.accounts.models import ApiToken, Membership, RoleSecurity
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.http import StaffRequest
from tsunagu.core.services import tracked_save_form
from tsunagu.workqueue.notices import configured as notices_configured

login = policy.public_route("signing in")(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
logout = policy.public_route("signing out must work for an expired session too")(
    auth_views.LogoutView.as_view()
)


# --- Two-factor ------------------------------------------------------------


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@policy.route("own_account", policy.Action.CHANGE)
def two_factor_setup(request: StaffRequest) -> HttpResponse:
    staff = request.user
    device_id = request.session.get("totp_setup_device")
    device = TOTPDevice.objects.filter(pk=device_id, user=staff, confirmed=False).first()
    if request.method == "POST" and device is not None:
        form = TokenForm(request.POST)
        if form.is_valid():
            if services.totp_device_confirm(
                staff=staff, device=device, token=form.cleaned_data["token"]
            ):
                otp_login(request, device)
                del request.session["totp_setup_device"]
                messages.success(
                    request,
                    _("認証アプリを登録しました。次回からログイン時に確認コードを入力します。"),
                )
                return redirect("home")
            form.add_error(
                "token",
                _(
                    "確認コードが正しくありません。アプリに表示されている最新のコードを入力してください。"
                ),
            )
    else:
        if device is None:
            device = services.totp_device_start(staff=staff)
            request.session["totp_setup_device"] = device.pk
        form = TokenForm()
    # The secret is shown to its owner only, on this page, so that an app can be set up by hand.
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": secret},
    )


@policy.route("own_account", policy.Action.VIEW)
def two_factor_verify(request: StaffRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[attr-defined]  # added by django-otp
        return redirect("home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit_record(AuditAction.TWO_FACTOR, obj=request.user, detail={"result": "verified"})
            return redirect(request.GET.get("next") or "home")
        audit_record(AuditAction.TWO_FACTOR, obj=request.user, detail={"result": "failed"})
        form.add_error("token", _("確認コードが正しくありません。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


# --- One's own account -------------------------------------------------------


@policy.route("own_account", policy.Action.CHANGE)
def profile(request: StaffRequest) -> HttpResponse:
    staff = request.user
    password_form = PasswordSetForm(staff=staff)
    token_form = ApiTokenForm()
    notice_form = NoticeSettingsForm(
        initial={
            "email": staff.email,
            "notice_mode": staff.notice_mode,
            "notice_kinds": staff.notice_kinds,
        }
    )
    new_token = None
    if request.method == "POST" and request.POST.get("form") == "notices":
        notice_form = NoticeSettingsForm(request.POST)
        if notice_form.is_valid():
            services.staff_set_notices(
                actor=staff,
                staff=staff,
                email=notice_form.cleaned_data["email"],
                mode=notice_form.cleaned_data["notice_mode"],
                kinds=notice_form.cleaned_data["notice_kinds"],
            )
            messages.success(request, _("メール通知の設定を保存しました。"))
            return redirect("accounts:profile")
    elif request.method == "POST" and request.POST.get("form") == "password":
        password_form = PasswordSetForm(request.POST, staff=staff)
        if password_form.is_valid():
            services.staff_set_password(
                actor=staff, staff=staff, password=password_form.cleaned_data["password"]
            )
            update_session_auth_hash(request, staff)
            messages.success(request, _("パスワードを変更しました。"))
            return redirect("accounts:profile")
    elif request.method == "POST" and request.POST.get("form") == "token":
        token_form = ApiTokenForm(request.POST)
        if token_form.is_valid():
            _token, new_token = services.api_token_create(
                actor=staff,
                name=token_form.cleaned_data["name"],
                days=token_form.cleaned_data["days"],
                two_factor_verified=request.user.is_verified(),  # type: ignore[attr-defined]
            )
            token_form = ApiTokenForm()
    tokens = ApiToken.objects.filter(staff=staff, revoked_at=None).order_by("-created_at")
    return render(
        request,
        "accounts/profile.html",
        {
            "password_form": password_form,
            "token_form": token_form,
            "tokens": tokens,
            "new_token": new_token,
            "has_totp": TOTPDevice.objects.filter(user=staff, confirmed=True).exists(),
            "notice_form": notice_form,
            "mail_configured": notices_configured(),
        },
    )


@require_POST
@policy.route("own_account", policy.Action.CHANGE)
def api_token_revoke(request: StaffRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, staff=request.user, revoked_at=None).first()
    if token is not None:
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("APIトークンを失効させました。"))
    return redirect("accounts:profile")


@require_POST
@policy.route("own_account", policy.Action.CHANGE)
def acting_organization(request: StaffRequest) -> HttpResponse:
    try:
        chosen = int(request.POST.get("organization", ""))
    except ValueError:
        chosen = 0
    if chosen in request.user.organization_ids():
        request.session[ACTING_ORGANIZATION_SESSION_KEY] = chosen
        name = acting_organization_name(request)
        messages.info(request, _("%(name)sとして操作します。") % {"name": name})
    return redirect(request.headers.get("referer") or "home")


# --- Staff (system administrator; organization managers read their own) ----


@policy.route("staff", policy.Action.LIST)
def staff_list(request: StaffRequest) -> HttpResponse:
    staff = (
        policy.visible(request.user, "staff", policy.Action.LIST)
        .prefetch_related("memberships__organization")
        .order_by("full_name_kana", "username")
    )
    query = request.GET.get("q", "").strip()
    if query:
        staff = staff.filter(
            Q(full_name__icontains=query)
            | Q(full_name_kana__icontains=query)
            | Q(username__icontains=query)
        )
    audit_record(
        AuditAction.LIST,
        object_type="accounts.staff",
        basis=policy.decide(request.user, policy.Action.LIST, "staff").basis or "",
        detail={"query": bool(query)},
    )
    return render(
        request,
        "accounts/staff_list.html",
        {
            "staff_list": staff,
            "query": query,
            "may_create": policy.decide(request.user, policy.Action.CREATE, "staff"),
        },
    )


@policy.route("staff", policy.Action.CREATE)
def staff_create(request: StaffRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        staff = services.staff_create(
            actor=request.user,
            municipality=request.user.municipality,
            username=form.cleaned_data["username"],
            full_name=form.cleaned_data["full_name"],
            full_name_kana=form.cleaned_data["full_name_kana"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
        )
        services.membership_add(
            actor=request.user,
            staff=staff,
            organization=form.cleaned_data["organization"],
            role=form.cleaned_data["role"],
        )
        messages.success(request, _("職員「%(name)s」を登録しました。") % {"name": staff.full_name})
        return redirect("accounts:staff_detail", pk=staff.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "creating": True})


@policy.route("staff", policy.Action.VIEW)
def staff_detail(request: StaffRequest, pk: int) -> HttpResponse:
    staff, _decision = policy.get_or_404(request.user, "staff", policy.Action.VIEW, pk=pk)
    may_change = policy.decide(request.user, policy.Action.CHANGE, "staff", staff)
    form = StaffForm(instance=staff)
    membership_form = MembershipForm()
    password_form = PasswordSetForm(staff=staff)
    if request.method == "POST" and may_change:
        if request.POST.get("form") == "staff":
            form = StaffForm(request.POST, instance=staff)
            if form.is_valid():
                tracked_save_form(actor=request.user, form=form)
                messages.success(request, _("職員情報を更新しました。"))
                return redirect("accounts:staff_detail", pk=staff.pk)
        elif request.POST.get("form") == "membership":
            membership_form = MembershipForm(request.POST)
            if membership_form.is_valid():
                services.membership_add(
                    actor=request.user,
                    staff=staff,
                    organization=membership_form.cleaned_data["organization"],
                    role=membership_form.cleaned_data["role"],
                )
                messages.success(request, _("所属と役割を追加しました。"))
                return redirect("accounts:staff_detail", pk=staff.pk)
        elif request.POST.get("form") == "password":
            password_form = PasswordSetForm(request.POST, staff=staff)
            if password_form.is_valid():
                services.staff_set_password(
                    actor=request.user, staff=staff, password=password_form.cleaned_data["password"]
                )
                messages.success(
                    request,
                    _("パスワードを再設定しました。本人に安全な方法で伝えてください。"),
                )
                return redirect("accounts:staff_detail", pk=staff.pk)
    memberships = staff.memberships.filter(active=True).select_related("organization")
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "staff": staff,
            "form": form,
            "membership_form": membership_form,
            "password_form": password_form,
            "memberships": memberships,
            "may_change": may_change,
        },
    )


@require_POST
@policy.route("staff", policy.Action.CHANGE)
def membership_end(request: StaffRequest, pk: int) -> HttpResponse:
    membership = Membership.objects.filter(pk=pk, active=True).select_related("staff").first()
    if membership is None or not policy.decide(
        request.user, policy.Action.CHANGE, "staff", membership.staff
    ):
        policy.audit_denial(request.user, policy.Action.CHANGE, "staff", pk)
        raise Http404
    services.membership_end(actor=request.user, membership=membership)
    messages.success(request, _("所属と役割を終了しました。"))
    return redirect("accounts:staff_detail", pk=membership.staff_id)


@policy.route("security_settings", policy.Action.CHANGE)
def security(request: StaffRequest) -> HttpResponse:
    municipality = request.user.municipality
    required = set(
        RoleSecurity.objects.filter(require_two_factor=True).values_list("role", flat=True)
    )
    form = RoleSecurityForm(
        request.POST or None,
        initial={
            "roles": sorted(required),
            "session_minutes": municipality.session_minutes,
            "retention_years": municipality.retention_years,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.municipality_session_minutes_set(
            actor=request.user,
            municipality=municipality,
            minutes=form.cleaned_data["session_minutes"],
        )
        if form.cleaned_data.get("retention_years") is not None:
            services.municipality_retention_years_set(
                actor=request.user,
                municipality=municipality,
                years=form.cleaned_data["retention_years"],
            )
        chosen = set(form.cleaned_data["roles"])
        for role in Role:
            services.role_security_set(
                actor=request.user,
                municipality=municipality,
                role=role.value,
                require_two_factor=role.value in chosen,
            )
        messages.success(request, _("セキュリティ設定を保存しました。"))
        return redirect("accounts:security")
    return render(request, "accounts/security.html", {"form": form, "municipality": municipality})
