"""Starting a real municipality: the tenant, its businesses and its first administrator."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tsunagu.accounts.models import Membership, RoleSecurity, Staff
from tsunagu.audit.models import AuditEvent
from tsunagu.audit.services import audit_seal, audit_verify
from tsunagu.core.management.commands.create_municipality import code_is_valid
from tsunagu.core.models import Municipality
from tsunagu.directory.models import Business

pytestmark = pytest.mark.django_db

ARGS = [
    "--code",
    "131059",
    "--name",
    "文京区",
    "--organization",
    "情報政策課",
    "--admin-username",
    "bunkyo-admin",
    "--admin-name",
    "管理 一郎",
]


def _run(
    *args: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> str:
    out = io.StringIO()
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("create_municipality", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("131059", True),  # 文京区
        ("131237", True),  # 江戸川区
        ("011002", True),  # 札幌市
        ("131050", False),  # 文京区 with a wrong check digit
        ("13105", False),
        ("１３１０５９", False),  # full-width digits
    ],
)
def test_check_digit_of_the_local_government_code(code: str, valid: bool) -> None:
    assert code_is_valid(code) is valid


def test_creates_the_tenant_its_businesses_and_an_administrator_who_can_sign_in(client) -> None:
    output = _run(*ARGS)
    password = output.split("初期パスワード: ")[1].split()[0]
    municipality = Municipality.objects.get(code="131059")
    admin = Staff.all_tenants.get(username="bunkyo-admin")
    assert admin.municipality == municipality
    assert Membership.all_tenants.filter(staff=admin, role="sysadmin", active=True).count() == 1
    assert sorted(
        Business.all_tenants.filter(municipality=municipality).values_list("number", flat=True)
    ) == [1, 2, 3, 4, 5]
    required = dict(
        RoleSecurity.all_tenants.filter(municipality=municipality).values_list(
            "role", "require_two_factor"
        )
    )
    assert {role for role, needed in required.items() if needed} == {
        "coordinator",
        "sysadmin",
        "auditor",
    }
    # The generated password works; the administrator is then asked for a second factor.
    response = client.post(reverse("login"), {"username": "bunkyo-admin", "password": password})
    assert response.status_code == 302
    assert client.get("/").url == "/two-factor/setup/"
    assert AuditEvent.objects.filter(municipality=municipality).count() >= 3
    # Its events are sealed after each commit; the test's transaction never commits.
    audit_seal(municipality_id=municipality.pk)
    assert audit_verify(municipality_id=municipality.pk) == []


def test_a_wrong_check_digit_creates_nothing() -> None:
    args = list(ARGS)
    args[1] = "131050"
    with pytest.raises(CommandError, match="地方公共団体コード「131050」が正しくありません"):
        _run(*args)
    assert not Municipality.objects.exists()


def test_an_existing_code_is_refused() -> None:
    _run(*ARGS)
    with pytest.raises(CommandError, match="すでに登録されています"):
        _run(*ARGS)
    assert Municipality.objects.filter(code="131059").count() == 1


def test_a_weak_password_from_stdin_is_refused_in_japanese_and_nothing_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(CommandError, match="パスワード"):
        _run(*ARGS, "--password-stdin", stdin="short\n", monkeypatch=monkeypatch)
    assert not Municipality.objects.exists()
    assert not Staff.all_tenants.filter(username="bunkyo-admin").exists()
