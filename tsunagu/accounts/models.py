"""Staff (職員), their memberships of organizations, and per-role security settings."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.roles import Role
from tsunagu.core.models import TenantManager, TenantModel


@dataclass(frozen=True)
class ActiveMembership:
    """One active membership as a request reads it: enough to decide (role,
    organization) and to show it (the header's organizations, the home page)."""

    organization_id: int
    role: str
    organization_sort_order: int
    organization_name: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


class StaffManager(TenantManager, BaseUserManager):
    """Staff of the current municipality only; see TenantManager."""

    use_in_migrations = False


class NoticeMode(models.TextChoices):
    """How a staff member hears of the work waiting for them by e-mail."""

    OFF = "off", _("受け取らない")
    DAILY = "daily", _("1日1回まとめて")
    IMMEDIATE = (
        "immediate",
        _("その都度（つなぐシートが届いたとき・報告が届いたとき）と1日1回のまとめ"),
    )


class NoticeKind(models.TextChoices):
    """What the e-mail notices tell of (counts and links only, never personal data)."""

    REFERRALS = "referrals", _("つなぐシート（受理待ち・報告待ち・期限超過）")
    TASKS = "tasks", _("会議で決まったタスク")
    OUTREACH = "outreach", _("予定日を過ぎたアウトリーチ")
    FOLLOW_UPS = "follow_ups", _("参加支援のフォローアップ")
    CASES = "cases", _("期日が近い・過ぎたケース")


def all_notice_kinds() -> list[str]:
    return [kind.value for kind in NoticeKind]


class Staff(TenantModel, AbstractBaseUser):
    """A staff member (職員) of one municipality, possibly of several organizations.

    Login names are unique across the installation so that the login form
    needs no municipality field.
    """

    username = models.CharField(
        _("ログインID"),
        max_length=64,
        unique=True,
        help_text=_("半角英数字と . _ - が使えます"),
    )
    full_name = models.CharField(_("氏名"), max_length=60)
    full_name_kana = models.CharField(_("ふりがな"), max_length=60, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    is_active = models.BooleanField(_("有効"), default=True)
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)
    # A time-limited account (an external guest of one meeting): after this
    # moment it can neither log in nor keep a session.
    expires_at = models.DateTimeField(_("有効期限"), null=True, blank=True)
    is_guest = models.BooleanField(_("会議の外部ゲスト"), default=False, editable=False)
    # E-mail notices of the work queue: counts and links, never personal data.
    notice_mode = models.CharField(
        _("メール通知"), max_length=12, choices=NoticeMode.choices, default=NoticeMode.OFF
    )
    notice_kinds = models.JSONField(_("通知する内容"), default=all_notice_kinds, blank=True)

    objects: ClassVar[StaffManager] = StaffManager()  # type: ignore[assignment]
    all_tenants: ClassVar[models.Manager[Any]] = models.Manager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta(TenantModel.Meta):
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        ordering = ["full_name_kana", "username"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    def _active_memberships(self) -> list[tuple[int, str]]:
        """(organization id, role) of each active membership, read once per instance:
        roles and organizations are asked for several times in every request."""
        return [(held.organization_id, held.role) for held in self._memberships()]

    def _memberships(self) -> list[ActiveMembership]:
        cached: list[ActiveMembership] | None = getattr(self, "_memberships_cache", None)
        if cached is None:
            cached = [
                ActiveMembership(*row)
                for row in Membership.all_tenants.filter(staff=self, active=True).values_list(
                    "organization_id", "role", "organization__sort_order", "organization__name"
                )
            ]
            self._memberships_cache = cached
        return cached

    def memberships_in_order(self) -> list[ActiveMembership]:
        """Active memberships in the directory's order of their organizations
        (表示順, then id), from the read every request makes anyway."""
        return sorted(
            self._memberships(),
            key=lambda held: (held.organization_sort_order, held.organization_id, held.role),
        )

    def organizations_in_order(self) -> list[int]:
        """This staff member's organizations in the directory's order (表示順, then id)."""
        return list(dict.fromkeys(held.organization_id for held in self.memberships_in_order()))

    def roles(self) -> frozenset[str]:
        """The roles this staff member holds in any organization."""
        return frozenset(role for _organization, role in self._active_memberships())

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    def organization_ids(self, *roles: str) -> frozenset[int]:
        """Organizations this staff member belongs to (with one of ``roles``, if given)."""
        return frozenset(
            organization
            for organization, role in self._active_memberships()
            if not roles or role in roles
        )


class Membership(TenantModel):
    """A staff member's role in one organization (所属と役割)."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("職員"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("所属機関"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("有効"), default=True)
    started_on = models.DateField(_("開始日"), default=timezone.localdate)

    class Meta(TenantModel.Meta):
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "organization", "role"],
                name="membership_unique_role",
                violation_error_message=_("この職員にはすでにこの所属と役割があります。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} / {self.get_role_display()}"


class RoleSecurity(TenantModel):
    """Per-municipality security settings of one role (e.g. two-factor required)."""

    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)
    require_two_factor = models.BooleanField(_("二要素認証を必須にする"), default=False)

    class Meta(TenantModel.Meta):
        verbose_name = _("役割ごとのセキュリティ設定")
        verbose_name_plural = _("役割ごとのセキュリティ設定")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "role"], name="role_security_unique")
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class ApiToken(TenantModel):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("職員"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=60)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("先頭文字"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("有効期限"))
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    # Issued from a session verified by two-factor authentication. Where the
    # staff member's role requires two-factor, only such tokens are accepted,
    # so that switching the requirement on also retires older tokens.
    two_factor_verified = models.BooleanField(_("二要素認証済みで発行"), default=False)

    class Meta(TenantModel.Meta):
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "tsg_" + secrets.token_urlsafe(32)
