"""Reads about staff accounts that are not personal data of residents."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.accounts.models import RoleSecurity, Staff


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
