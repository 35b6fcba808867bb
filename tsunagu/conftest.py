"""Shared fixtures: municipalities, organizations and staff in every role."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import set_urlconf
from hypothesis import settings

from tsunagu.core import tenancy
from tsunagu.tests.factories import MunicipalityFactory, StaffFactory, ward_with_staff

# Property tests check what holds, not how fast: on a loaded 2-core CI machine
# the default 200 ms deadline per example fails tests that are correct.
settings.register_profile("tsunagu", deadline=None)
settings.load_profile("tsunagu")

# `make test` runs the suite on `-n auto` pytest-xdist workers (two on CI)
# with `--dist loadscope` and the scheduler below: the tests that share a
# setup made once go to one worker, those of a package whose conftest has a
# package-scoped fixture (the demo ward: a minute and a half on SQLite, more
# on PostgreSQL, and loaded again each time a worker came back to the package
# from another one) and those of a module with a module-scoped fixture (the
# synthetic scale, the generated API client); every other test goes to
# whichever worker is free, so that one long module (the route walks, a
# minute per role) does not keep one worker busy while the other waits.
# (`--dist loadgroup` would group with marks, but with pytest 9.2 and
# pytest-xdist 3.8 it does not: xdist_group tests were seen split between
# workers.) Each worker has its own test database (pytest-django suffixes its
# name with the worker's id on PostgreSQL; SQLite's is in memory), its own
# live server and Chromium, and writes only under its own tmp_path.


def _defining(root: Path, files: str, scope: str) -> tuple[str, ...]:
    """Node id prefixes of the ``files`` under ``root`` that define a fixture of ``scope``."""
    fixture = re.compile(rf'^@pytest\.fixture\(scope="{scope}"', re.MULTILINE)
    return tuple(
        path.relative_to(root.parent).as_posix()
        for path in sorted(root.rglob(files))
        if fixture.search(path.read_text(encoding="utf-8"))
    )


def shared_setups(root: Path) -> tuple[tuple[str, ...], frozenset[str]]:
    """The packages (``tsunagu/demo/tests/``) and the modules whose tests share
    a fixture made once: read from the code, not listed by hand."""
    packages = tuple(
        conftest.removesuffix("conftest.py")
        for conftest in _defining(root, "conftest.py", "package")
    )
    return packages, frozenset(_defining(root, "test_*.py", "module"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist", None) != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    packages, modules = shared_setups(Path(__file__).resolve().parent)

    class SharedSetupScheduling(LoadScopeScheduling):
        """One unit of work per package and module of :func:`shared_setups`,
        one per test elsewhere (largest units first: xdist's reorder)."""

        def _split_scope(self, nodeid: str) -> str:
            for package in packages:
                if nodeid.startswith(package):
                    return package
            module = nodeid.partition("::")[0]
            return module if module in modules else nodeid

    return SharedSetupScheduling(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker per CPU this process may run on (the CI machine's
    two), not psutil's count of physical cores, which may be one for two
    virtual CPUs or the host's count inside a container limited by cpuset."""
    return len(os.sched_getaffinity(0)) or 1


@pytest.fixture(autouse=True)
def _no_tenant_leaks() -> Iterator[None]:
    """Each test starts and ends working for no municipality."""
    token = tenancy.activate(None)
    yield
    tenancy.deactivate(token)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # Argon2 stays the product's hasher (settings); tests that create dozens
    # of accounts use the MD5 hasher, which is fine for throwaway passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def ward(db: None):
    """A municipality with districts, organizations and one staff member per role."""
    return ward_with_staff(MunicipalityFactory(code="131059", name="テスト区"))


@pytest.fixture
def other_ward(db: None):
    """A second municipality, to prove that tenants never mix."""
    return ward_with_staff(MunicipalityFactory(code="131164", name="よそ区"), prefix="other-")


@pytest.fixture
def staff_factory():
    return StaffFactory


@pytest.fixture(autouse=True)
def _staff_urlconf_after_each_test() -> Iterator[None]:
    """A request to the public host sets its URL configuration for the thread
    (frontdoor.publichost); Django resets it when the response is closed, and
    this resets it after every test too, so that no later ``reverse`` in the
    same worker resolves against the public host's routes."""
    yield
    set_urlconf(None)
