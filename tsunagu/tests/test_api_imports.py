"""The API's modules import downward: no circle, and the root only from urls.py.

`tsunagu/api/` holds what every app's API shares (errors, authentication,
pagination, look-ups); `tsunagu/api/root.py` assembles the routers and is
imported by the URL configuration alone. Each app's API imports the shared
modules, never the root and never another app's API module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tsunagu

PACKAGE = Path(tsunagu.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_api_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return (
        name == "tsunagu.api"
        or name.startswith("tsunagu.api.")
        or last.startswith("api")
        or (last.endswith("_api"))
    )


def _imports() -> dict[str, set[str]]:
    """Every tsunagu module (tests and migrations aside) → the tsunagu modules it
    imports anywhere in its body, functions included."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        name = _module_name(path)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                # `from tsunagu.api import errors` names a module too.
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {module for module in found if module.startswith("tsunagu")}
    return {name: {m for m in imported if m in graph} for name, imported in graph.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The circles of ``graph`` (Tarjan's strongly connected components of two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_is_no_import_circle_among_the_api_modules() -> None:
    graph = _imports()
    api_modules = {name for name in graph if _is_api_module(name)}
    assert len(api_modules) >= 15
    among_api = {name: graph[name] & api_modules for name in api_modules}
    assert _cycles(among_api) == []


def test_the_root_is_imported_by_the_url_configuration_alone() -> None:
    graph = _imports()
    importers = sorted(name for name, imported in graph.items() if "tsunagu.api.root" in imported)
    assert importers == ["tsunagu.urls"]


def test_an_app_api_imports_no_other_app_api() -> None:
    """Shared look-ups live in tsunagu/api/, not in one app's API that the others import."""
    graph = _imports()
    crossing = []
    for name, imported in graph.items():
        if not _is_api_module(name) or name.startswith("tsunagu.api"):
            continue
        app = name.split(".")[1]
        crossing.extend(
            f"{name} → {other}"
            for other in imported
            if _is_api_module(other)
            and not other.startswith("tsunagu.api")
            and other.split(".")[1] != app
        )
    assert crossing == []


def test_the_circle_check_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
