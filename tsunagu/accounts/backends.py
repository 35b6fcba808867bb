"""Authentication that finds staff of any municipality (the login form has no
municipality field), while everything after login stays tenant-scoped."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tsunagu.accounts.models import Staff


class StaffBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Staff | None:
        if username is None or password is None:
            return None
        try:
            staff = Staff.all_tenants.select_related("municipality").get(username=username)
        except Staff.DoesNotExist:
            # Spend the same time as a real check, so that timing does not
            # tell which login names exist.
            Staff().set_password(password)
            return None
        if staff.check_password(password) and self.user_can_authenticate(staff):
            return staff  # type: ignore[no-any-return]
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        # A guest account that has expired neither logs in nor keeps its session.
        return bool(super().user_can_authenticate(user)) and not getattr(user, "is_expired", False)

    def get_user(self, user_id: int) -> Staff | None:  # type: ignore[override]
        try:
            staff = Staff.all_tenants.select_related("municipality").get(pk=user_id)
        except Staff.DoesNotExist:
            return None
        return staff if self.user_can_authenticate(staff) else None  # type: ignore[no-any-return]
