"""Every route needs login and passes through the policy: no forgotten view."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from tsunagu.api.root import operations
from tsunagu.tests.routes import Route, undeclared, undeclared_api_operations, walk

# The only pages a stranger may reach, and why (each is also declared public in code).
PUBLIC = {"login", "logout", "health"}


def test_every_page_route_is_declared_to_the_policy() -> None:
    assert undeclared(list(walk())) == []


def test_every_api_operation_is_declared_and_authenticated() -> None:
    found = operations()
    assert len(found) >= 8
    assert undeclared_api_operations(found) == []


def test_public_pages_are_exactly_the_expected_ones() -> None:
    from tsunagu import policy

    public = {r.name for r in walk() if isinstance(policy.declaration_of(r.callback), str)}
    assert public == PUBLIC


def _unprotected_view(request: object) -> HttpResponse:
    return HttpResponse("secret")


def test_an_unprotected_route_is_caught() -> None:
    """The check itself fails when someone adds a view without declaring it."""
    routes = [*walk(), *walk([path("forgotten/", _unprotected_view, name="forgotten")])]
    assert undeclared(routes) == ["/forgotten/ (forgotten)"]


def test_an_unprotected_api_operation_is_caught() -> None:
    from ninja import NinjaAPI

    api = NinjaAPI(urls_namespace="forgotten-api")

    @api.get("/open")
    def open_endpoint(request: object) -> dict[str, str]:
        return {}

    found = [op for pv in api.default_router.path_operations.values() for op in pv.operations]
    assert undeclared_api_operations(found) == [
        "GET open_endpoint: no policy declaration",
        "GET open_endpoint: no authentication",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in walk() if r.name not in PUBLIC], ids=lambda r: r.pattern or "/"
)
def test_every_route_refuses_an_anonymous_visitor(route: Route, client: Client) -> None:
    for method in ("get", "post"):
        response = getattr(client, method)(route.path())
        if route.is_api:
            # Routes of other methods answer 405 before anything is read.
            assert response.status_code in (401, 405), (method, route.pattern, response.status_code)
        else:
            assert response.status_code == 302, (method, route.pattern, response.status_code)
            assert response["Location"].startswith("/login/"), response["Location"]


# The public host's routes (tsunagu/frontdoor/public_urls.py): every one is
# declared public with its reason; nothing else is served there.
PUBLIC_HOST = {
    "consult/": "root",
    "consult/<publiclang:lang>/": "landing",
    "consult/<publiclang:lang>/t/<str:token>/": "thread",
    "consult/api/": "api-root",
    "consult/api/openapi.json": "openapi-json",
    "consult/api/threads": "public_thread_create",
    "consult/api/threads/<token>": "public_thread_read",
    "consult/api/threads/<token>/messages": "public_message_create",
    "hooks/line/": "line-webhook",
    "consult/<publiclang:lang>/appointments/": "appointments-windows",
    "consult/<publiclang:lang>/appointments/<int:organization_pk>/": "appointments-slots",
    "consult/<publiclang:lang>/appointments/<int:organization_pk>/book/": "appointments-book",
    "consult/<publiclang:lang>/appointments/cancel/<str:token>/": "appointments-cancel",
}


def test_every_public_host_route_is_declared_public_with_a_reason() -> None:
    from tsunagu import policy
    from tsunagu.frontdoor import public_urls
    from tsunagu.frontdoor.public_api import public_api

    routes = list(walk(public_urls.urlpatterns))
    assert {r.pattern for r in routes} == set(PUBLIC_HOST)
    for route in routes:
        if route.is_api:
            continue
        reason = policy.declaration_of(route.callback)
        assert isinstance(reason, str) and reason, route.pattern
    operations = [
        operation
        for bound in public_api._get_bound_routers()
        for path_view in bound.path_operations.values()
        for operation in path_view.operations
    ]
    assert {op.operation_id for op in operations} == {
        name for name in PUBLIC_HOST.values() if name.startswith("public_")
    }
    for operation in operations:
        reason = policy.declaration_of(operation.view_func)
        assert isinstance(reason, str) and reason, operation.operation_id
