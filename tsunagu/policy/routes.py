"""Declaring routes to the policy: every view is declared with :func:`route`
(or, for the few pages a stranger must reach, :func:`public_route`); a test
walks the URL configuration and fails on any route that is neither."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tsunagu.policy.engine import active_staff, audit_denial, decide, rule_for
from tsunagu.policy.vocabulary import Action


@dataclass(frozen=True)
class RouteDeclaration:
    resource: str
    action: Action


V = TypeVar("V", bound=Callable[..., Any])


def route(resource: str, action: Action) -> Callable[[V], V]:
    """Declare a view (page or API operation) to the policy.

    The view runs only for an active staff member whom the policy allows the
    action on the resource at all; object-level checks happen in the view
    through :func:`get_or_404` or :func:`visible`. A refusal is audited and
    answered 403.
    """
    rule_for(resource)  # an unknown resource fails at import time, not at request time

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            decision = decide(request.user, action, resource)
            if not decision:
                if active_staff(request.user) is not None:
                    audit_denial(request.user, action, resource)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.policy_route = RouteDeclaration(resource, action)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def public_route(reason: str) -> Callable[[V], V]:
    """Declare a view that strangers must reach (the login page), with why."""

    def decorate(view: V) -> V:
        view = login_not_required(view)
        view.policy_public = reason  # type: ignore[attr-defined]
        return view

    return decorate


def declaration_of(view: Any) -> RouteDeclaration | str | None:
    """The policy declaration of a view function, if any (for the route test)."""
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "__wrapped__", None)):
        if candidate is None:
            continue
        if isinstance(getattr(candidate, "policy_route", None), RouteDeclaration):
            return candidate.policy_route
        if isinstance(getattr(candidate, "policy_public", None), str):
            return candidate.policy_public
    return None
