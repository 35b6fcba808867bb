"""Host separation: the public side is served on its own host.

A request whose host is a municipality's public host
(``FrontDoorSettings.public_host``; in development, the demo and the tests
also ``settings.TSUNAGU_PUBLIC_LOCAL_HOST``, i.e. ``localhost``) is answered
by the public URL configuration alone (``/consult/…`` and ``/hooks/…``;
everything else is 404), for that municipality as the tenant. Staff pages
live on the staff host, whose URL configuration has no public route, so
``/consult/`` there is 404.

On the public host no cookie is read and none is set: the request's cookies
are dropped before the session, CSRF and authentication middlewares see
them (a staff session cookie sent there counts for nothing, the visitor is
anonymous), and any ``Set-Cookie`` is taken off the answer. Every answer
says ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``; all but
the landing page ``X-Robots-Tag: noindex``. The Content Security Policy is
the staff pages' own (the same middleware).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http.cookies import SimpleCookie

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils.cache import add_never_cache_headers

from tsunagu.core import tenancy
from tsunagu.core.municipality import Municipality

PUBLIC_URLCONF = "tsunagu.frontdoor.public_urls"
#: A view sets this on its response when search engines may index it (the landing page).
INDEXABLE = "_public_indexable"


def local_public_host() -> str:
    return getattr(settings, "TSUNAGU_PUBLIC_LOCAL_HOST", "") or ""


#: host → municipality id of every public host, and when it was read (one query
#: for all, then none per request: staff pages pay nothing for the check).
_hosts: dict[str, int] = {}
_read_at: list[float] = []


def forget_public_hosts() -> None:
    """Read the public hosts again on the next request (a door's settings changed)."""
    _hosts.clear()
    _read_at.clear()


def _public_hosts() -> dict[str, int]:
    from tsunagu.frontdoor.models import FrontDoorSettings

    seconds = getattr(settings, "TSUNAGU_PUBLIC_HOST_SECONDS", 60)
    if _read_at and (seconds is None or time.monotonic() - _read_at[0] < seconds):
        return _hosts
    found = {
        host.lower().rstrip("."): municipality_id
        for host, municipality_id in FrontDoorSettings.all_tenants.exclude(
            public_host=""
        ).values_list("public_host", "municipality_id")
    }
    _hosts.clear()
    _hosts.update(found)
    _read_at[:] = [time.monotonic()]
    return _hosts


def public_municipality(host: str) -> Municipality | None:
    """The municipality whose public host ``host`` is (without port), or None: a staff host."""
    host = host.lower().rstrip(".")
    if not host:
        return None
    municipality_id = _public_hosts().get(host)
    if municipality_id is not None:
        municipality = Municipality.objects.filter(pk=municipality_id).first()
        if municipality is not None:
            return municipality
        # The municipality read with the hosts is gone (its settings with it):
        # the hosts are read again, and this host is judged without it.
        forget_public_hosts()
        if _public_hosts().get(host) is not None:
            return public_municipality(host)
    if host == local_public_host():
        # Development, the demo and the tests: the demo municipality, else the first.
        return (
            Municipality.objects.filter(is_demo=True).order_by("pk").first()
            or Municipality.objects.order_by("pk").first()
        )
    return None


def _request_host(request: HttpRequest) -> str:
    domain, _port = split_domain_port(request.META.get("HTTP_HOST") or "")
    return domain or request.META.get("SERVER_NAME", "")


class PublicHostMiddleware:
    """Routes a public host's requests to the public URL configuration, for its
    municipality, with no cookie in or out (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        municipality = public_municipality(_request_host(request))
        if municipality is None:
            return self.get_response(request)
        request.urlconf = PUBLIC_URLCONF
        request.public_municipality = municipality  # type: ignore[attr-defined]
        # No cookie counts here: not the staff session, not a CSRF cookie.
        request.COOKIES = {}
        token = tenancy.activate(municipality)
        try:
            response = self.get_response(request)
        finally:
            tenancy.deactivate(token)
        response.cookies = SimpleCookie()
        response.headers["Referrer-Policy"] = "no-referrer"
        add_never_cache_headers(response)
        response.headers["Cache-Control"] = "no-store"
        if not getattr(response, INDEXABLE, False):
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
