"""Staff roles. A role is held in an organization (a membership), never globally."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNSELOR = "counselor", _("相談員")
    ORG_MANAGER = "org_manager", _("機関管理者")
    COORDINATOR = "coordinator", _("多機関協働事務局")
    MANAGER = "manager", _("管理職")
    SYSADMIN = "sysadmin", _("システム管理者")
    AUDITOR = "auditor", _("監査担当")
    GUEST = "guest", _("会議の外部ゲスト")
