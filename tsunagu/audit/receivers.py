"""Authentication events go to the audit trail.

Django and django-axes announce them only as signals, so this is the one
place the project listens to signals.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import RequestInfo, audit_record, request_info
from tsunagu.core.middleware import client_ip


def _info(request: HttpRequest | None) -> RequestInfo:
    if request is None:
        return RequestInfo()
    return RequestInfo(
        ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    with request_info(_info(request)):
        audit_record(AuditAction.LOGIN, actor=user, obj=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with request_info(_info(request)):
            audit_record(AuditAction.LOGOUT, actor=user, obj=user)


def _known_staff(username: str) -> Any:
    from tsunagu.accounts.models import Staff

    return Staff.all_tenants.filter(username=username).select_related("municipality").first()


@receiver(user_login_failed)
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:80]
    staff = _known_staff(username)
    with request_info(_info(request)):
        audit_record(
            AuditAction.LOGIN_FAILED,
            actor_label=username,
            municipality=staff.municipality if staff else None,
            object_type="accounts.staff" if staff else "",
            object_id=str(staff.pk) if staff else "",
        )


@receiver(user_locked_out)
def audit_locked_out(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any
) -> None:
    staff = _known_staff(username or "")
    with request_info(_info(request)):
        audit_record(
            AuditAction.LOCKED_OUT,
            actor_label=(username or "")[:80],
            municipality=staff.municipality if staff else None,
            object_type="accounts.staff" if staff else "",
            object_id=str(staff.pk) if staff else "",
        )
