"""Two-factor authentication enforced for 多機関協働事務局, システム管理者 and
監査担当: in the demo ward (with the key the README publishes), and for any
municipality that requires it of those roles.

A password alone reaches no page with personal data, and the API follows
the same rule: the session of such a staff member is refused until it is
verified, and an API token counts as two-factor only if it was issued from a
verified session (tokens issued before are retired when the requirement is
switched on)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.accounts.models import ApiToken, RoleSecurity, Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create, role_security_set
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.demo.ward import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    TWO_FACTOR_ROLES,
    demo_totp_url,
    demo_two_factor_notice,
    load_demo_ward,
)
from tsunagu.tests.factories import PASSWORD, Ward
from tsunagu.tests.security.conftest import Resident
from tsunagu.tests.two_factor import current_code

README = Path(settings.BASE_DIR) / "README.md"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
TWO_FACTOR_PAGES = ("/two-factor/setup/", "/two-factor/verify/")
DEMO_TWO_FACTOR_USERNAMES = sorted(a.username for a in DEMO_ACCOUNTS if a.role in TWO_FACTOR_ROLES)


def published_code(step_offset: int = 0) -> str:
    """The code an authenticator app shows for the key of the README, computed
    from the key alone (not from what the database holds)."""
    totp = TOTP(base64.b32decode(DEMO_TOTP_KEY), step=30, t0=0, digits=6)
    totp.drift = step_offset
    return f"{totp.token():06d}"


def json_text(response: Any) -> str:
    """A JSON answer as text with its Japanese unescaped (``\\u698a`` → 榊)."""
    return json.dumps(response.json(), ensure_ascii=False)


def sign_in(client: Client, username: str, password: str) -> None:
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]


# --- The demo ward -------------------------------------------------------------------


def test_the_demo_enforces_two_factor_for_exactly_the_three_roles(db: None) -> None:
    demo = load_demo_ward()
    required = set(
        RoleSecurity.all_tenants.filter(municipality=demo, require_two_factor=True).values_list(
            "role", flat=True
        )
    )
    assert required == {Role.COORDINATOR.value, Role.SYSADMIN.value, Role.AUDITOR.value}
    with_device = set(
        TOTPDevice.objects.filter(user__municipality=demo, confirmed=True).values_list(
            "user__username", flat=True
        )
    )
    assert sorted(with_device) == DEMO_TWO_FACTOR_USERNAMES
    assert DEMO_TWO_FACTOR_USERNAMES == ["demo-jimukyoku", "demo-kansa", "demo-sysadmin"]
    assert AuditEvent.objects.filter(
        municipality=demo, action=AuditAction.TWO_FACTOR, detail__result="registered"
    ).count() == len(with_device)


@pytest.mark.parametrize("username", DEMO_TWO_FACTOR_USERNAMES)
def test_a_demo_account_of_those_roles_signs_in_with_the_published_key(
    db: None, username: str, clean_counters: None
) -> None:
    load_demo_ward()
    client = Client()
    sign_in(client, username, DEMO_PASSWORD)
    for path in ("/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/two-factor/verify/"), path
    response = client.post("/two-factor/verify/", {"token": published_code()})
    assert response.status_code == 302, response.content.decode()[:300]
    assert client.get("/").status_code == 200


def test_other_demo_accounts_sign_in_with_the_password_alone(
    db: None, clean_counters: None
) -> None:
    load_demo_ward()
    for account in DEMO_ACCOUNTS:
        if account.role in TWO_FACTOR_ROLES or account.role == Role.GUEST:
            continue
        client = Client()
        sign_in(client, account.username, DEMO_PASSWORD)
        assert client.get("/").status_code == 200, account.username


def test_the_readme_and_make_demo_tell_how_to_sign_in_as_them() -> None:
    readme = README.read_text(encoding="utf-8")
    assert DEMO_PASSWORD in readme
    assert readme.count(DEMO_TOTP_KEY) >= 1
    for username in DEMO_TWO_FACTOR_USERNAMES:
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{username}`"))
        assert "two-factor" in row, row
    notice = demo_two_factor_notice()
    assert DEMO_TOTP_KEY in notice
    assert all(username in notice for username in DEMO_TWO_FACTOR_USERNAMES)
    url = urlsplit(demo_totp_url())
    assert (url.scheme, url.netloc) == ("otpauth", "totp")
    assert parse_qs(url.query)["secret"] == [DEMO_TOTP_KEY]


# --- Any municipality requiring it of those roles --------------------------------------


@pytest.fixture
def those_roles_need_two_factor(ward: Ward) -> None:
    for role in TWO_FACTOR_ROLES:
        role_security_set(
            actor=None, municipality=ward.municipality, role=role, require_two_factor=True
        )


def _personal_data_page(resident: Resident, role: Role) -> tuple[str, str]:
    """A page with personal data the role may open, and a value shown on it."""
    if role == Role.COORDINATOR:
        return f"/people/households/{resident.household.pk}/", resident.person.family_name
    if role == Role.SYSADMIN:  # staff are people too: their names and login IDs
        counselor = resident.ward.member(Role.COUNSELOR)
        return f"/account/staff/{counselor.pk}/", counselor.full_name
    # The audit trail: who looked at what (the coordinator's view of the household).
    return "/audit/", resident.ward.member(Role.COUNSELOR).username


@pytest.mark.parametrize("role", sorted(TWO_FACTOR_ROLES), ids=lambda r: r.value)
def test_a_correct_password_without_the_code_reaches_no_personal_data(
    resident: Resident, role: Role, those_roles_need_two_factor: None, clean_counters: None
) -> None:
    staff = resident.ward.member(role)
    path, shown = _personal_data_page(resident, role)

    # Without an authenticator: every page leads to registering one.
    client = Client()
    sign_in(client, staff.username, PASSWORD)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/two-factor/setup/"
    assert shown not in client.get(path, follow=True).content.decode()

    # With one: to the code, and only the code opens the page.
    device = TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)
    client = Client()
    sign_in(client, staff.username, PASSWORD)
    views_before = AuditEvent.objects.filter(actor=staff, action=AuditAction.VIEW).count()
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/verify/")
    assert shown not in client.get(path, follow=True).content.decode()
    assert AuditEvent.objects.filter(actor=staff, action=AuditAction.VIEW).count() == views_before

    assert client.post("/two-factor/verify/", {"token": current_code(device)}).status_code == 302
    response = client.get(path)
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_the_coordinator_s_session_is_refused_by_the_api_until_verified(
    resident: Resident, those_roles_need_two_factor: None, clean_counters: None
) -> None:
    coordinator = resident.ward.member(Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=coordinator, name="認証アプリ", confirmed=True)
    client = Client()
    sign_in(client, coordinator.username, PASSWORD)
    url = f"/api/v1/households/{resident.household.pk}"
    response = client.get(url)
    assert response.status_code == 403
    assert JAPANESE.search(response.json()["detail"])
    assert resident.person.family_name not in json_text(response)

    client.post("/two-factor/verify/", {"token": current_code(device)})
    response = client.get(url)
    assert response.status_code == 200
    assert resident.person.family_name in json_text(response)


def _token(staff: Staff, *, verified: bool) -> str:
    with tenancy.tenant_context(staff.municipality):
        _token, raw = api_token_create(actor=staff, name="集計", two_factor_verified=verified)
    return raw


def test_a_token_counts_as_two_factor_only_if_issued_from_a_verified_session(
    resident: Resident, those_roles_need_two_factor: None
) -> None:
    coordinator = resident.ward.member(Role.COORDINATOR)
    url = f"/api/v1/households/{resident.household.pk}"
    plain, verified = _token(coordinator, verified=False), _token(coordinator, verified=True)

    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 401
    assert JAPANESE.search(response.json()["detail"])
    assert resident.person.family_name not in json_text(response)

    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {verified}")
    assert response.status_code == 200
    assert resident.person.family_name in json_text(response)


def test_the_account_page_issues_a_verified_token_only_after_the_code(
    resident: Resident, those_roles_need_two_factor: None, clean_counters: None
) -> None:
    auditor = resident.ward.member(Role.AUDITOR)
    device = TOTPDevice.objects.create(user=auditor, name="認証アプリ", confirmed=True)
    client = Client()
    sign_in(client, auditor.username, PASSWORD)
    # Unverified, the account page (where tokens are made) is out of reach.
    response = client.post("/account/", {"form": "token", "name": "集計", "days": 30})
    assert response.status_code == 302
    assert not ApiToken.all_tenants.filter(staff=auditor).exists()

    client.post("/two-factor/verify/", {"token": current_code(device)})
    response = client.post("/account/", {"form": "token", "name": "集計", "days": 30})
    assert response.status_code == 200
    raw = re.search(r"tsg_[A-Za-z0-9_-]+", response.content.decode())
    assert raw is not None
    assert ApiToken.all_tenants.get(staff=auditor).two_factor_verified
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw.group()}").status_code == 200


def test_roles_outside_the_three_are_not_asked_for_a_code(
    resident: Resident, those_roles_need_two_factor: None, clean_counters: None
) -> None:
    counselor = resident.ward.member(Role.COUNSELOR)
    client = Client()
    sign_in(client, counselor.username, PASSWORD)
    response = client.get(f"/people/households/{resident.household.pk}/")
    assert response.status_code == 200
    assert resident.person.family_name in response.content.decode()
