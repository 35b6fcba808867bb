"""Sign-in security: lockout, password hashing, sessions, CSRF, security
headers, two-factor enforcement per role, and API tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import tsunagu.settings as product
from tsunagu.accounts.models import ApiToken, RoleSecurity
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create, api_token_revoke, role_security_set
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.tests.factories import PASSWORD

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def post_login(client: Client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def sign_in(client: Client, staff) -> None:
    response = post_login(client, staff.username, PASSWORD)
    assert response.status_code == 302, response.content.decode()[:500]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def axes_clean(db: None) -> Iterator[None]:
    axes_reset()
    yield
    axes_reset()


# --- Lockout -----------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client: Client, ward, settings, axes_clean) -> None:
    staff = ward.member(Role.COUNSELOR)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, staff.username, "wrong-password-123")
    assert not signed_in(client)

    # Even the right password is refused now, with the Japanese lockout page.
    response = post_login(client, staff.username, PASSWORD)
    assert not signed_in(client)
    assert response.status_code == 429
    content = response.content.decode()
    assert "ロック" in content or "制限" in content

    locked = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT)
    assert locked.exists()
    event = locked.first()
    assert event.actor_label == staff.username
    assert event.municipality == ward.municipality
    assert event.object_id == str(staff.pk)
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_do_not_lock(
    client: Client, ward, settings, axes_clean
) -> None:
    staff = ward.member(Role.COUNSELOR)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, staff.username, "wrong-password-123")
    sign_in(client, staff)
    assert signed_in(client)
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()


@pytest.mark.django_db
def test_lockout_of_one_name_does_not_lock_another(
    client: Client, ward, settings, axes_clean
) -> None:
    victim, colleague = ward.member(Role.COUNSELOR), ward.member(Role.ORG_MANAGER)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, victim.username, "wrong-password-123")
    sign_in(client, colleague)
    assert signed_in(client)


def test_the_product_limits_failures() -> None:
    assert 1 <= product.AXES_FAILURE_LIMIT <= 10
    assert product.AXES_COOLOFF_TIME > 0
    assert product.AUTHENTICATION_BACKENDS[0].startswith("axes.")
    assert "axes.middleware.AxesMiddleware" in product.MIDDLEWARE


# --- Password hashing --------------------------------------------------------


def test_the_product_hashes_passwords_with_argon2() -> None:
    assert product.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_make_password_yields_an_argon2_hash_under_the_product_hashers(settings) -> None:
    settings.PASSWORD_HASHERS = product.PASSWORD_HASHERS
    encoded = make_password("a-long-enough-passphrase")
    assert encoded.startswith("argon2")
    assert check_password("a-long-enough-passphrase", encoded)
    assert not check_password("another-passphrase", encoded)


# --- Sessions and CSRF ---------------------------------------------------------


def test_sessions_are_short_and_http_only() -> None:
    assert product.SESSION_COOKIE_AGE <= 1800
    # Saved when the last activity is recorded (at most once a minute), which
    # renews the store's expiry (tests/security/test_session_timeout.py).
    assert product.SESSION_SAVE_EVERY_REQUEST is False
    assert 0 < product.TSUNAGU_LAST_ACTIVITY_RESOLUTION <= 60
    assert product.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.django_db
def test_the_session_cookie_is_http_only(client: Client, ward) -> None:
    sign_in(client, ward.member(Role.COUNSELOR))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]


@pytest.mark.django_db
def test_a_login_post_without_a_csrf_token_is_refused(ward) -> None:
    client = Client(enforce_csrf_checks=True)
    response = post_login(client, ward.member(Role.COUNSELOR).username, PASSWORD)
    assert response.status_code == 403
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_login_post_with_the_csrf_token_works(ward) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {
            "username": ward.member(Role.COUNSELOR).username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert signed_in(client)


# --- Security headers ----------------------------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@pytest.mark.django_db
def test_the_login_page_sends_security_headers(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    directives = _directives(response.headers["Content-Security-Policy"])
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Referrer-Policy")


# --- Two-factor authentication per role ----------------------------------------


def _code(device: TOTPDevice, drift: int = 0) -> str:
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + drift)
    return f"{value:0{device.digits}d}"


def _wrong_code(device: TOTPDevice) -> str:
    near = {_code(device, d) for d in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919)) if c not in near)


@pytest.fixture
def auditors_need_two_factor(ward) -> None:
    role_security_set(
        actor=None, municipality=ward.municipality, role=Role.AUDITOR, require_two_factor=True
    )


@pytest.mark.django_db
def test_two_factor_setup_is_enforced_for_the_role(
    client: Client, ward, auditors_need_two_factor, settings
) -> None:
    # A wrong code throttles the device for a second; the test does not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    auditor = ward.member(Role.AUDITOR)
    sign_in(client, auditor)

    for path in ("/audit/", "/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == "/two-factor/setup/", path

    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert JAPANESE.search(response.json()["detail"])

    # Registering an authenticator through the setup page.
    response = client.get("/two-factor/setup/")
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=auditor, confirmed=False)
    response = client.post("/two-factor/setup/", {"token": _wrong_code(device)})
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    response = client.post("/two-factor/setup/", {"token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(
        action=AuditAction.TWO_FACTOR, actor=auditor, detail__result="registered"
    ).exists()

    assert client.get("/audit/").status_code == 200
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == auditor.username

    # A fresh login must give a code from the registered authenticator.
    client.post("/logout/")
    fresh = Client()
    sign_in(fresh, auditor)
    response = fresh.get("/audit/")
    assert response.status_code == 302
    assert response.url.startswith("/two-factor/verify/")
    assert fresh.get("/api/v1/me").status_code == 403

    device.refresh_from_db()
    response = fresh.post("/two-factor/verify/", {"token": _wrong_code(device)})
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode()
    assert fresh.get("/audit/").status_code == 302

    device.refresh_from_db()
    # The code used at setup may not be used again: take the next one.
    response = fresh.post("/two-factor/verify/", {"token": _code(device, drift=1)})
    assert response.status_code == 302
    assert fresh.get("/audit/").status_code == 200
    assert fresh.get("/api/v1/me").status_code == 200
    results = list(
        AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR, actor=auditor).values_list(
            "detail__result", flat=True
        )
    )
    assert "failed" in results
    assert "verified" in results


@pytest.mark.django_db
def test_a_used_code_cannot_be_replayed(client: Client, ward, auditors_need_two_factor) -> None:
    auditor = ward.member(Role.AUDITOR)
    sign_in(client, auditor)
    client.get("/two-factor/setup/")
    device = TOTPDevice.objects.get(user=auditor, confirmed=False)
    code = _code(device)
    assert client.post("/two-factor/setup/", {"token": code}).status_code == 302

    fresh = Client()
    sign_in(fresh, auditor)
    response = fresh.post("/two-factor/verify/", {"token": code})
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode()
    assert fresh.get("/audit/").status_code == 302


@pytest.mark.django_db
def test_roles_without_the_requirement_are_not_redirected(
    client: Client, ward, auditors_need_two_factor
) -> None:
    sign_in(client, ward.member(Role.COUNSELOR))
    assert client.get("/").status_code == 200
    assert client.get("/account/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_the_requirement_is_per_municipality(
    client: Client, ward, other_ward, auditors_need_two_factor
) -> None:
    sign_in(client, other_ward.member(Role.AUDITOR))
    assert client.get("/audit/").status_code == 200


# --- Per-role settings screen ----------------------------------------------------


@pytest.mark.django_db
def test_the_system_administrator_sets_the_requirement(client: Client, ward) -> None:
    admin = ward.member(Role.SYSADMIN)
    sign_in(client, admin)
    assert client.get("/account/security/").status_code == 200

    response = client.post(
        "/account/security/",
        {"roles": [Role.AUDITOR.value, Role.COORDINATOR.value], "session_minutes": 30},
    )
    assert response.status_code == 302
    required = set(
        RoleSecurity.all_tenants.filter(
            municipality=ward.municipality, require_two_factor=True
        ).values_list("role", flat=True)
    )
    assert required == {Role.AUDITOR.value, Role.COORDINATOR.value}
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGE, actor=admin)
    assert {e.detail["role"] for e in changes} == {Role.AUDITOR.value, Role.COORDINATOR.value}
    assert all(e.detail["require_two_factor"] is True for e in changes)
    assert {e.municipality_id for e in changes} == {ward.municipality.pk}

    response = client.post(
        "/account/security/", {"roles": [Role.COORDINATOR.value], "session_minutes": 30}
    )
    assert response.status_code == 302
    assert not RoleSecurity.all_tenants.get(
        municipality=ward.municipality, role=Role.AUDITOR
    ).require_two_factor
    last = AuditEvent.objects.filter(action=AuditAction.CHANGE).order_by("-id").first()
    assert last.detail == {"role": Role.AUDITOR.value, "require_two_factor": False}


@pytest.mark.django_db
def test_a_counselor_may_not_change_the_requirement(client: Client, ward) -> None:
    sign_in(client, ward.member(Role.COUNSELOR))
    assert client.get("/account/security/").status_code == 403
    response = client.post(
        "/account/security/", {"roles": [Role.AUDITOR.value], "session_minutes": 30}
    )
    assert response.status_code == 403
    assert not RoleSecurity.all_tenants.filter(require_two_factor=True).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENY).count() == 2


# --- API tokens ----------------------------------------------------------------


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_an_api_token_authenticates(ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    token, raw = api_token_create(actor=staff, name="集計用")
    assert token.digest != raw and raw not in token.digest
    response = Client().get("/api/v1/me", **_bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == staff.username
    assert body["municipality"] == ward.municipality.name
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_a_revoked_token_is_refused(ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    token, raw = api_token_create(actor=staff, name="集計用")
    api_token_revoke(actor=staff, token=token)
    response = Client().get("/api/v1/me", **_bearer(raw))
    assert response.status_code == 401
    assert JAPANESE.search(response.json()["detail"])


@pytest.mark.django_db
def test_an_expired_token_is_refused(ward) -> None:
    token, raw = api_token_create(actor=ward.member(Role.COUNSELOR), name="集計用")
    ApiToken.all_tenants.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = Client().get("/api/v1/me", **_bearer(raw))
    assert response.status_code == 401
    assert JAPANESE.search(response.json()["detail"])


@pytest.mark.django_db
def test_a_token_of_an_inactive_staff_member_is_refused(ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    _token, raw = api_token_create(actor=staff, name="集計用")
    type(staff).all_tenants.filter(pk=staff.pk).update(is_active=False)
    assert Client().get("/api/v1/me", **_bearer(raw)).status_code == 401


@pytest.mark.django_db
def test_an_unknown_token_is_refused(ward) -> None:
    response = Client().get("/api/v1/me", **_bearer("tsg_not-a-real-token"))
    assert response.status_code == 401
    assert JAPANESE.search(response.json()["detail"])


@pytest.mark.django_db
def test_no_authorization_is_refused(ward) -> None:
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert JAPANESE.search(response.json()["detail"])


@pytest.mark.django_db
def test_requiring_two_factor_retires_tokens_issued_without_it(ward) -> None:
    from tsunagu.core import tenancy

    auditor = ward.member(Role.AUDITOR)
    with tenancy.tenant_context(ward.municipality):
        _token, raw = api_token_create(actor=auditor, name="集計")
        _token, raw_verified = api_token_create(
            actor=auditor, name="集計2", two_factor_verified=True
        )
    client = Client()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    role_security_set(
        actor=None, municipality=ward.municipality, role=Role.AUDITOR, require_two_factor=True
    )
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw_verified}").status_code == 200


@pytest.mark.django_db
def test_an_authenticator_registered_voluntarily_is_asked_for_at_the_next_login(
    client: Client, ward, axes_clean
) -> None:
    counselor = ward.member(Role.COUNSELOR)  # a role that does not require two-factor
    TOTPDevice.objects.create(user=counselor, name="認証アプリ", confirmed=True)
    sign_in(client, counselor)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/verify/")


@pytest.mark.django_db
def test_the_system_administrator_resets_a_forgotten_password(client: Client, ward) -> None:
    admin, counselor = ward.member(Role.SYSADMIN), ward.member(Role.COUNSELOR)
    client.force_login(admin)
    url = f"/account/staff/{counselor.pk}/"
    weak = client.post(
        url, {"form": "password", "password": "12345678", "confirmation": "12345678"}
    )
    assert weak.status_code == 200  # refused by the password policy, shown on the form
    counselor.refresh_from_db()
    assert counselor.check_password(PASSWORD)
    new = "kasumi-no-mori-2025"
    response = client.post(url, {"form": "password", "password": new, "confirmation": new})
    assert response.status_code == 302
    counselor.refresh_from_db()
    assert counselor.check_password(new)
    event = AuditEvent.objects.filter(actor=admin, action=AuditAction.CHANGE).latest("id")
    assert event.detail == {"fields": ["password"]}
    assert new not in str(event.detail)


@pytest.mark.django_db
def test_an_organization_manager_cannot_reset_passwords(client: Client, ward) -> None:
    manager, counselor = ward.member(Role.ORG_MANAGER), ward.member(Role.COUNSELOR)
    client.force_login(manager)
    new = "kasumi-no-mori-2025"
    client.post(
        f"/account/staff/{counselor.pk}/",
        {"form": "password", "password": new, "confirmation": new},
    )
    counselor.refresh_from_db()
    assert counselor.check_password(PASSWORD)


@pytest.mark.django_db
def test_the_staff_page_title_is_the_name_alone(client: Client, ward) -> None:
    counselor = ward.member(Role.COUNSELOR)
    client.force_login(ward.member(Role.SYSADMIN))
    body = client.get(f"/account/staff/{counselor.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert title.strip() == f"{counselor.full_name}｜つなぐ 重層的支援"
    assert body.count('id="password-heading"') == 1
