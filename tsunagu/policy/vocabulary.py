"""The policy's words: actions, bases and decisions.

This module imports nothing from tsunagu, so that the audit trail (which
records a decision's basis) may use it without importing the policy's engine
(which writes to the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LIST = "list", _("一覧")
    VIEW = "view", _("閲覧")
    CREATE = "create", _("登録")
    CHANGE = "change", _("変更")
    ARCHIVE = "archive", _("アーカイブ")
    EXPORT = "export", _("出力")
    PRINT = "print", _("印刷")


class Basis(models.TextChoices):
    # The legal routes to a resident's personal data (access.md).
    OWN_ORGANIZATION = "own_organization", _("自機関の記録")
    REFERRAL = "referral", _("つなぎ（紹介）による共有")
    CONSENT = "consent", _("本人同意")
    SUPPORT_MEETING = "support_meeting", _("支援会議（法106条の6）")
    COORDINATOR = "coordinator", _("多機関協働事務局")
    EMERGENCY = "emergency", _("緊急時の閲覧")
    # Bases for data that is not a resident's.
    MUNICIPALITY_STAFF = "municipality_staff", _("同じ自治体の職員")
    ORGANIZATION_MANAGER = "organization_manager", _("機関管理者")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("システム管理者")
    AUDITOR = "auditor", _("監査担当")
    SELF = "self", _("本人の情報")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: Basis | None = None

    def __bool__(self) -> bool:
        return self.allowed


DENY = Decision(False)


#: The order bases are named in when several apply (the strongest first).
BASIS_ORDER = (
    Basis.OWN_ORGANIZATION,
    Basis.COORDINATOR,
    Basis.CONSENT,
    Basis.SUPPORT_MEETING,
    Basis.REFERRAL,
    Basis.EMERGENCY,
)
