"""Who is asking: a bearer token or the browser session, and whether the policy
lets them reach the operation at all, before its input is read."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.security import HttpBearer

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id
from tsunagu.accounts.models import ApiToken, Staff
from tsunagu.accounts.selectors import two_factor_required
from tsunagu.audit.services import RequestInfo, request_info_set
from tsunagu.core import tenancy
from tsunagu.core.middleware import client_ip


class TokenAuth(HttpBearer):
    """Bearer tokens from the account page; only their digest is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        found = (
            ApiToken.all_tenants.select_related("staff__municipality")
            .filter(
                digest=ApiToken.digest_of(token), revoked_at=None, expires_at__gt=timezone.now()
            )
            .first()
        )
        if found is None or not found.staff.is_active or found.staff.is_expired:
            return None
        if not found.two_factor_verified and two_factor_required(found.staff):
            return None
        staff = found.staff
        ApiToken.all_tenants.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = staff
        # The tenant middleware ran before the token was known: scope this
        # request now. The middleware resets both at the end of the request.
        tenancy.activate(staff.municipality)
        request_info_set(
            RequestInfo(
                actor=staff,
                organization_id=acting_organization_id(request),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        )
        return staff


def policy_before_input(
    operation: Any, forbidden: Callable[[HttpRequest, Exception], HttpResponse]
) -> None:
    """Let the policy answer right after authentication, before the body is read.

    django-ninja validates an operation's input before calling it, so a role
    the policy refuses would otherwise learn the operation's input rules from
    a 422 (and a refusal would go unaudited). The policy's own answer for the
    declared record kind and action comes first: refused is 403, audited."""
    checks = operation._run_checks
    declared = policy.declaration_of(operation.view_func)

    def run_checks(request: HttpRequest) -> HttpResponse | None:
        error = checks(request)
        if error is not None or not isinstance(declared, policy.RouteDeclaration):
            return error
        try:
            acting_organization_id(request)  # an X-Tsunagu-Organization it may not act for
        except PermissionDenied as refused:
            return forbidden(request, refused)
        if not policy.decide(request.user, declared.action, declared.resource):
            policy.audit_denial(request.user, declared.action, declared.resource)
            return forbidden(request, PermissionDenied())
        return None

    operation._run_checks = run_checks
