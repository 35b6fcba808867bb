"""Writes about staff accounts; each records its audit event in the same transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.accounts.models import ApiToken, Membership, NoticeKind, RoleSecurity, Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core.models import Municipality


@transaction.atomic
def staff_create(
    *,
    actor: Staff | None,
    municipality: Municipality,
    username: str,
    full_name: str,
    password: str,
    full_name_kana: str = "",
    email: str = "",
    validate: bool = True,
) -> Staff:
    staff = Staff(
        municipality=municipality,
        username=username,
        full_name=full_name,
        full_name_kana=full_name_kana,
        email=email,
    )
    if validate:
        validate_password(password, staff)
    staff.set_password(password)
    staff.save()
    audit_record(AuditAction.CREATE, actor=actor, municipality=municipality, obj=staff)
    return staff


@transaction.atomic
def staff_set_password(*, actor: Staff, staff: Staff, password: str) -> None:
    validate_password(password, staff)
    staff.set_password(password)
    staff.save(update_fields=["password"])
    audit_record(AuditAction.CHANGE, actor=actor, obj=staff, detail={"fields": ["password"]})


@transaction.atomic
def staff_set_notices(
    *, actor: Staff, staff: Staff, email: str, mode: str, kinds: list[str]
) -> None:
    """The staff member's e-mail notices (their own account page). Audited
    with the fields changed, not the address."""
    staff.email = email
    staff.notice_mode = mode
    staff.notice_kinds = [kind for kind in NoticeKind.values if kind in kinds]
    staff.save(update_fields=["email", "notice_mode", "notice_kinds"])
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=staff,
        detail={"fields": ["email", "notice_mode", "notice_kinds"], "notice_mode": mode},
    )


@transaction.atomic
def membership_add(
    *, actor: Staff | None, staff: Staff, organization: Any, role: str
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        municipality=staff.municipality, staff=staff, organization=organization, role=role
    )
    if not created and not membership.active:
        membership.active = True
        membership.save(update_fields=["active"])
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        municipality=staff.municipality,
        obj=membership,
        detail={"staff": staff.pk, "organization": organization.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_end(*, actor: Staff, membership: Membership) -> None:
    membership.active = False
    membership.save(update_fields=["active"])
    audit_record(AuditAction.ARCHIVE, actor=actor, obj=membership)


@transaction.atomic
def role_security_set(
    *, actor: Staff | None, municipality: Municipality, role: str, require_two_factor: bool
) -> None:
    setting, _created = RoleSecurity.all_tenants.get_or_create(municipality=municipality, role=role)
    if setting.require_two_factor != require_two_factor:
        setting.require_two_factor = require_two_factor
        setting.save(update_fields=["require_two_factor"])
        audit_record(
            AuditAction.CHANGE,
            actor=actor,
            municipality=municipality,
            obj=setting,
            detail={"role": role, "require_two_factor": require_two_factor},
        )


@transaction.atomic
def municipality_session_minutes_set(
    *, actor: Staff, municipality: Municipality, minutes: int
) -> None:
    if municipality.session_minutes != minutes:
        municipality.session_minutes = minutes
        municipality.save(update_fields=["session_minutes"])
        audit_record(
            AuditAction.CHANGE, actor=actor, obj=municipality, detail={"session_minutes": minutes}
        )


@transaction.atomic
def municipality_retention_years_set(
    *, actor: Staff, municipality: Municipality, years: int
) -> None:
    """The retention period (tsunagu/core/retention.py), audited with the old value."""
    if municipality.retention_years != years:
        before = municipality.retention_years
        municipality.retention_years = years
        municipality.clean_fields(
            exclude=[f.name for f in Municipality._meta.fields if f.name != "retention_years"]
        )
        municipality.save(update_fields=["retention_years"])
        audit_record(
            AuditAction.CHANGE,
            actor=actor,
            obj=municipality,
            detail={"retention_years": years, "before": before},
        )


@transaction.atomic
def totp_device_start(*, staff: Staff) -> TOTPDevice:
    """An unconfirmed authenticator for the staff member (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=staff, confirmed=False).delete()
    return TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, staff: Staff, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        audit_record(
            AuditAction.TWO_FACTOR, actor=staff, obj=staff, detail={"result": "setup_failed"}
        )
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=staff, confirmed=True).exclude(pk=device.pk).delete()
    audit_record(AuditAction.TWO_FACTOR, actor=staff, obj=staff, detail={"result": "registered"})
    return True


@transaction.atomic
def api_token_create(
    *, actor: Staff, name: str, days: int = 90, two_factor_verified: bool = False
) -> tuple[ApiToken, str]:
    """A new API token; the raw value is returned once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        municipality=actor.municipality,
        staff=actor,
        name=name,
        digest=ApiToken.digest_of(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + timedelta(days=days),
        two_factor_verified=two_factor_verified,
    )
    audit_record(AuditAction.CREATE, actor=actor, obj=token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Staff, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(AuditAction.ARCHIVE, actor=actor, obj=token)
