"""python manage.py create_municipality: a new tenant and its first system administrator.

The one way to start a real municipality on an installation (the demo ward
and the synthetic ones have their own loaders). It creates, in one
transaction and audited:

- the municipality, by its 全国地方公共団体コード (six digits, the last a
  check digit, which is verified so that a typing slip does not become a
  tenant);
- the five businesses of 重層的支援体制整備事業 (社会福祉法第106条の4第2項),
  which the business report counts by;
- the organization the administrator belongs to (e.g. 情報政策課);
- two-factor authentication required for 多機関協働事務局, システム管理者 and
  監査担当 (the roles that see across organizations or the whole trail);
- the system administrator, with a password generated here and shown once
  (or read from standard input with ``--password-stdin``).

Everything else (organizations, districts, staff) the administrator enters on
the screens, where each change is audited.
"""

from __future__ import annotations

import secrets
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tsunagu.accounts import services as account_services
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.directory.models import BUSINESS_NAMES, Business, Organization

#: Roles that must sign in with a second factor from the first day.
TWO_FACTOR_ROLES = (Role.COORDINATOR, Role.SYSADMIN, Role.AUDITOR)


def code_is_valid(code: str) -> bool:
    """The check digit of a 全国地方公共団体コード: the first five digits weighted
    6, 5, 4, 3, 2; the last digit is 11 minus the sum's remainder by 11, in its
    ones place (文京区 131059, 江戸川区 131237)."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(code[:5], (6, 5, 4, 3, 2), strict=True)
    )
    return (11 - total % 11) % 10 == int(code[5])


class Command(BaseCommand):
    help = (
        "自治体（テナント）と最初のシステム管理者を作成します。"
        "パスワードは生成して一度だけ表示します（--password-stdin で標準入力から読むこともできます）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="全国地方公共団体コード（6桁）")
        parser.add_argument("--name", required=True, help="自治体名（例: 文京区）")
        parser.add_argument("--organization", required=True, help="管理者の所属（例: 情報政策課）")
        parser.add_argument("--admin-username", required=True, help="管理者のログインID")
        parser.add_argument("--admin-name", required=True, help="管理者の氏名")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="管理者のパスワードを標準入力の1行目から読む",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code: str = options["code"].strip()
        if not code_is_valid(code):
            raise CommandError(
                f"地方公共団体コード「{code}」が正しくありません（6桁で、末尾の検査数字が合うもの）。"
            )
        if Municipality.objects.filter(code=code).exists():
            raise CommandError(f"地方公共団体コード {code} はすでに登録されています。")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            shown = False
        else:
            password = secrets.token_urlsafe(12)
            shown = True
        try:
            municipality = self._create(options, code, password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{municipality.name}（{code}）を作成しました。"))
        self.stdout.write(f"システム管理者: {options['admin_username']}")
        if shown:
            self.stdout.write(
                f"初期パスワード: {password}\n"
                "（この表示は一度だけです。初回ログインで二要素認証を登録し、パスワードを変更してください。）"
            )

    @transaction.atomic
    def _create(self, options: dict[str, Any], code: str, password: str) -> Municipality:
        municipality = Municipality.objects.create(code=code, name=options["name"].strip())
        with tenancy.tenant_context(municipality):
            audit_record(
                AuditAction.CREATE,
                municipality=municipality,
                obj=municipality,
                actor_label="create_municipality",
            )
            for number, title in BUSINESS_NAMES.items():
                Business.objects.create(number=number, name=title)
            organization = Organization.objects.create(
                name=options["organization"].strip(), kind=Organization.Kind.DEPARTMENT
            )
            for role in Role:
                account_services.role_security_set(
                    actor=None,
                    municipality=municipality,
                    role=role.value,
                    require_two_factor=role in TWO_FACTOR_ROLES,
                )
            staff = account_services.staff_create(
                actor=None,
                municipality=municipality,
                username=options["admin_username"].strip(),
                full_name=options["admin_name"].strip(),
                password=password,
            )
            account_services.membership_add(
                actor=None, staff=staff, organization=organization, role=Role.SYSADMIN
            )
        return municipality
