"""The URL configuration of the public host (``publichost.PublicHostMiddleware``
sets it for a public host's requests): ``/consult/…`` and ``/hooks/…``, and
nothing else (404). Every view here is declared with ``policy.public_route``;
``tsunagu/tests/test_routes.py`` walks this configuration too."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, register_converter

from tsunagu.frontdoor import public_views
from tsunagu.frontdoor.line import urls as line_urls
from tsunagu.frontdoor.public_api import public_api_urls


class PublicLanguageConverter:
    """One of the public pages' languages (``/consult/<lang>/``)."""

    regex = "ja-easy|ja|en|zh-hans|ko|vi|pt-br"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PublicLanguageConverter, "publiclang")

#: Webhooks of the channels, served on the public host only (each view declared
#: with ``policy.public_route`` and ``csrf_exempt``).
HOOK_PATTERNS: list[URLPattern | URLResolver] = [*line_urls.hook_patterns]

consult_patterns: list[URLPattern | URLResolver] = [
    path("", public_views.consult_root, name="root"),
    path("<publiclang:lang>/", public_views.landing, name="landing"),
    path("<publiclang:lang>/t/<str:token>/", public_views.thread, name="thread"),
    path("<publiclang:lang>/appointments/", include("tsunagu.appointments.public_urls")),
]

urlpatterns: list[URLPattern | URLResolver] = [
    # Its own namespace at the top (ninja reverses its root as "public_api:api-root").
    path("consult/api/", include((public_api_urls(), "public_api"))),
    path("consult/", include((consult_patterns, "public"))),
    path("hooks/", include((HOOK_PATTERNS, "hooks"))),
]

handler404 = "tsunagu.frontdoor.public_views.not_found"
handler500 = "tsunagu.frontdoor.public_views.server_error"
