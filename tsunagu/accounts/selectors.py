"""Reads about staff accounts that are not personal data of residents."""

from __future__ import annotations

from django.db.models import Exists
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.accounts.models import RoleSecurity, Staff
from tsunagu.core.models import Municipality


def two_factor_required(staff: Staff) -> bool:
    """Whether any role the staff member holds requires two-factor authentication."""
    cached = getattr(staff, "_two_factor_required", None)
    if cached is None:
        cached = RoleSecurity.all_tenants.filter(
            municipality_id=staff.municipality_id,
            role__in=staff.roles(),
            require_two_factor=True,
        ).exists()
        staff._two_factor_required = cached  # type: ignore[attr-defined]
    return cached


def has_confirmed_totp(staff: Staff) -> bool:
    return TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def second_factor_expected(staff: Staff) -> bool:
    """``two_factor_required(staff) or has_confirmed_totp(staff)``, asked in one
    statement: every request of a session not verified by a code asks it."""
    if getattr(staff, "_two_factor_required", None) is not None:
        return staff._two_factor_required or has_confirmed_totp(staff)  # type: ignore[attr-defined]
    required = RoleSecurity.all_tenants.filter(
        municipality_id=staff.municipality_id,
        role__in=staff.roles() or {""},  # no role: an IN () the EXISTS can still compile
        require_two_factor=True,
    )
    device = TOTPDevice.objects.filter(user_id=staff.pk, confirmed=True)
    found = (
        Municipality.objects.filter(pk=staff.municipality_id)
        .annotate(required=Exists(required), device=Exists(device))
        .values_list("required", "device")
        .get()
    )
    staff._two_factor_required = bool(found[0])  # type: ignore[attr-defined]
    return bool(found[0] or found[1])
