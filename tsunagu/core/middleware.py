"""Per-request context: the municipality to scope queries to, and who acts from where."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tsunagu.audit.services import RequestInfo, request_info
from tsunagu.core import tenancy

ACTING_ORGANIZATION_SESSION_KEY = "acting_organization_id"


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy of the operations guide, REMOTE_ADDR is set
    # from X-Forwarded-For by the proxy configuration, not trusted here.
    return request.META.get("REMOTE_ADDR") or None


def acting_organization_id(request: HttpRequest) -> int | None:
    """The organization the staff member works for in this session.

    Chosen in the header when they belong to several; the first membership
    otherwise. Audit events are recorded under it.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    member_of = sorted(user.organization_ids())  # type: ignore[union-attr]
    chosen = request.session.get(ACTING_ORGANIZATION_SESSION_KEY)
    if chosen in member_of:
        return int(chosen)
    return member_of[0] if member_of else None


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        municipality = user.municipality if user.is_authenticated else None  # type: ignore[union-attr]
        info = RequestInfo(
            actor=user if user.is_authenticated else None,  # type: ignore[arg-type]
            organization_id=acting_organization_id(request),
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        token = tenancy.activate(municipality)
        try:
            with request_info(info):
                return self.get_response(request)
        finally:
            tenancy.deactivate(token)
