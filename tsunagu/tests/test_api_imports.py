"""The API's modules import downward: no circle, and the root only from urls.py.

`tsunagu/api/` holds what every app's API shares (errors, authentication,
pagination, look-ups); `tsunagu/api/root.py` assembles the routers and is
imported by the URL configuration alone. Each app's API imports the shared
modules, never the root and never another app's API module.

The audit trail imports the policy's vocabulary alone, never its engine
(which writes to the audit trail): no circle between the two.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
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


def test_the_audit_trail_imports_the_policy_vocabulary_only() -> None:
    """The audit ↔ policy circle is gone: the audit trail (its models and
    services, which the engine writes refusals and views through) records a
    decision's basis with the vocabulary, which imports nothing from tsunagu."""
    graph = _imports()
    from_policy = sorted(
        f"{name} → {other}"
        for name in ("tsunagu.audit.models", "tsunagu.audit.services")
        for other in graph[name]
        if other.startswith("tsunagu.policy")
    )
    assert from_policy == ["tsunagu.audit.models → tsunagu.policy.vocabulary"]
    assert graph["tsunagu.policy.vocabulary"] == set()
    assert "tsunagu.audit.services" in graph["tsunagu.policy.engine"]


def test_loading_the_apps_imports_no_policy_engine_or_rule() -> None:
    """Loading the models (the audit trail's among them) and the audit services
    imports the policy's vocabulary and nothing that needs the models: the
    engine and the rules are imported on first use (tsunagu/policy/__init__.py)."""
    script = (
        "import sys, django\n"
        "django.setup()\n"
        "import tsunagu.audit.models, tsunagu.audit.services\n"
        "print(sorted(m for m in sys.modules if m.startswith('tsunagu.policy')))\n"
    )
    result = subprocess.run(  # noqa: S603 — our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tsunagu.settings_test"},
    )
    assert result.stdout.split("\n")[-2] == "['tsunagu.policy', 'tsunagu.policy.vocabulary']"
