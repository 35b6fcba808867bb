"""The audit trail: append-only, hash-chained events.

Each municipality has its own chain (installation-wide events such as a failed
login with an unknown name go to the chain with no municipality). An event
holds the hash of the event before it in its chain, and the chain's head row
holds the last sequence number and hash, so that an edited, deleted or
inserted event, or a removed tail, is found by ``verify_audit``.

An event is written *unsealed* by the request that it records (no chain,
sequence or hashes yet), so that requests never wait on the chain's head;
the sealer (``audit.services.audit_seal``) gives committed events their place
in the chain and their hashes right after the commit, and never later than
``SEAL_BOUND`` (see docs/operations.md). On PostgreSQL and SQLite a trigger
refuses every UPDATE and DELETE of an event except that sealing
(migration ``0004_append_only_triggers``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.policy.vocabulary import Basis

GENESIS_HASH = "0" * 64

#: The columns the sealer fills in, once, on an unsealed event; nothing else changes.
SEAL_FIELDS = ("chain", "sequence", "previous_hash", "hash")


class AuditAction(models.TextChoices):
    LOGIN = "login", _("ログイン")
    LOGIN_FAILED = "login_failed", _("ログイン失敗")
    LOCKED_OUT = "locked_out", _("ロックアウト")
    LOGOUT = "logout", _("ログアウト")
    TWO_FACTOR = "two_factor", _("二要素認証")
    DENY = "deny", _("アクセス拒否")
    VIEW = "view", _("閲覧")
    LIST = "list", _("一覧表示")
    SEARCH = "search", _("検索")
    CREATE = "create", _("登録")
    CHANGE = "change", _("変更")
    ARCHIVE = "archive", _("アーカイブ")
    EXPORT = "export", _("出力")
    PRINT = "print", _("印刷")
    VERIFY = "verify", _("監査証跡の検証")


class AuditChain(models.Model):
    """The head of one municipality's chain: taken with a row lock to append."""

    # "m<id>" for a municipality, "installation" for events that belong to none;
    # a plain unique key, because NULLs are distinct in unique constraints.
    key = models.CharField(max_length=20, unique=True)
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, null=True, related_name="+"
    )
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("監査証跡チェーン")
        verbose_name_plural = _("監査証跡チェーン")

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def key_for(municipality_id: int | None) -> str:
        return f"m{municipality_id}" if municipality_id is not None else "installation"


class AuditEvent(models.Model):
    """Who did what to which object, when, from where, and on what basis.

    Never updated or deleted by the application, except once by the sealer,
    which fills in ``SEAL_FIELDS`` (empty until then: 封緘待ち).
    """

    chain = models.ForeignKey(
        AuditChain, on_delete=models.PROTECT, null=True, related_name="events"
    )
    sequence = models.BigIntegerField(_("連番"), null=True)
    occurred_at = models.DateTimeField(_("日時"))
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name=_("自治体"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    # The name typed at a failed login, kept as typed (never a password).
    actor_label = models.CharField(_("操作者"), max_length=80, blank=True)
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("所属機関"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("対象の種類"), max_length=60, blank=True)
    object_id = models.CharField(_("対象ID"), max_length=40, blank=True)
    basis = models.CharField(_("根拠"), max_length=40, blank=True)
    detail = models.JSONField(_("詳細"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True)
    user_agent = models.CharField(_("ユーザーエージェント"), max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64, null=True)  # noqa: DJ001 - NULL: not sealed yet
    hash = models.CharField(max_length=64, null=True)  # noqa: DJ001 - NULL: not sealed yet

    class Meta:
        verbose_name = _("監査イベント")
        verbose_name_plural = _("監査イベント")
        # Insertion order: an unsealed event has no sequence yet.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_event_sequence")
        ]
        indexes = [
            models.Index(fields=["municipality", "-occurred_at"], name="audit_tenant_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # The sealer's work list: small, since events are sealed right after commit.
            models.Index(
                fields=["municipality", "id"],
                condition=models.Q(hash__isnull=True),
                name="audit_unsealed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.get_action_display()}"

    @property
    def sealed(self) -> bool:
        return self.hash is not None

    @property
    def basis_label(self) -> str:
        try:
            return str(Basis(self.basis).label)
        except ValueError:
            return self.basis

    @property
    def object_label(self) -> str:
        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type

    def payload(self) -> dict[str, Any]:
        """The fields the hash covers, in a form that survives a database round trip."""
        return {
            "chain": self.chain_id,
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "municipality": self.municipality_id,
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "organization": self.organization_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "basis": self.basis,
            "detail": self.detail,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(
            self.payload(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()
