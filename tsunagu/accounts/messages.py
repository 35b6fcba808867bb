"""Every success message says which organization the save was made as
(「生活福祉課として保存しました」): one place for every view's message, worked
out when the message is added, by the same rule the save used (accounts.acting)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.acting import acting_organization_name

SAVED_AS = _("%(organization)sとして保存しました。")
#: Pages about the staff member's own account or the staff register: nothing
#: there is saved as an organization.
NOT_FOR_AN_ORGANIZATION = frozenset({"accounts"})


class SavedAsStorage(FallbackStorage):
    def add(self, level: int, message: Any, extra_tags: str | None = "") -> None:
        if level == messages.SUCCESS and self._for_an_organization():
            name = acting_organization_name(self.request)
            if name:
                message = f"{message}（{SAVED_AS % {'organization': name}}）"
        super().add(level, message, extra_tags)

    def _for_an_organization(self) -> bool:
        match = getattr(self.request, "resolver_match", None)
        user = getattr(self.request, "user", None)
        return bool(
            match is not None
            and match.namespace not in NOT_FOR_AN_ORGANIZATION
            and user is not None
            and user.is_authenticated
        )
