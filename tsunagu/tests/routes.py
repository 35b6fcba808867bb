"""Walking the URL configuration: what the route test and the tenancy test iterate over."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from tsunagu import policy


@dataclass(frozen=True)
class Route:
    pattern: str  # e.g. "directory/organizations/<int:pk>/"
    name: str
    callback: Any

    @property
    def is_api(self) -> bool:
        """An API operation (authenticated by the API itself, answering 401)."""
        return self.callback.__module__ == "ninja.operation"

    def path(self, value: int | str = 1) -> str:
        """A concrete path with every parameter set to ``value``."""
        return "/" + re.sub(r"<(?:\w+:)?\w+>", str(value), self.pattern)


def walk(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[Route]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield Route(prefix + str(entry.pattern), entry.name or "", entry.callback)


def undeclared(routes: list[Route]) -> list[str]:
    """Routes that are not declared to the policy module.

    A page must carry a policy declaration (``policy.route``) or be a
    declared public page (``policy.public_route``). API routes are checked
    operation by operation: each must carry a declaration and require
    authentication.
    """
    problems = []
    for route in routes:
        if route.is_api:
            continue
        if policy.declaration_of(route.callback) is None:
            problems.append(f"/{route.pattern} ({route.name or 'no name'})")
    return problems


def undeclared_api_operations(operations: list[Any]) -> list[str]:
    problems = []
    for operation in operations:
        label = f"{'/'.join(sorted(operation.methods))} {operation.view_func.__name__}"
        if not isinstance(policy.declaration_of(operation.view_func), policy.RouteDeclaration):
            problems.append(f"{label}: no policy declaration")
        if not operation.auth_callbacks:
            problems.append(f"{label}: no authentication")
    return problems
