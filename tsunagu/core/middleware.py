"""Per-request context: the municipality to scope queries to, and who acts from where."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tsunagu.accounts.acting import NotActingFor, acting_organization_id
from tsunagu.audit.services import RequestInfo, request_info, sealing_after_response
from tsunagu.core import tenancy


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy of the operations guide, REMOTE_ADDR is set
    # from X-Forwarded-For by the proxy configuration, not trusted here.
    return request.META.get("REMOTE_ADDR") or None


def _audited_organization_id(request: HttpRequest) -> int | None:
    """The acting organization that audit events are recorded under; a header
    naming one the staff member may not act for is refused later, by the API."""
    try:
        return acting_organization_id(request, audited=False)
    except NotActingFor:
        return None


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # A public host's visitor (never signed in there) works for that host's municipality.
        municipality = (
            user.municipality  # type: ignore[union-attr]
            if user.is_authenticated
            else getattr(request, "public_municipality", None)
        )
        token = tenancy.activate(municipality)
        try:
            info = RequestInfo(
                actor=user if user.is_authenticated else None,  # type: ignore[arg-type]
                organization_id=_audited_organization_id(request),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            with request_info(info), sealing_after_response() as seal:
                response = self.get_response(request)
            # The request's audit events are sealed into their chain once the
            # answer has gone out: the server closes the response then, and
            # Django's response calls its closers (the list a file response
            # also uses; not typed by django-stubs) from close().
            response._resource_closers.append(seal)  # type: ignore[attr-defined]
            return response
        finally:
            tenancy.deactivate(token)
