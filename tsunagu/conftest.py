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

# `make test` runs the suite on `-n auto` pytest-xdist workers with `--dist
# loadscope`: the tests of one module go to one worker, so that a module's
# shared setup (the synthetic scale, the generated API client) is made once,
# and the tests of a package whose conftest shares a package-scoped fixture
# (the demo ward, loaded once: a minute on SQLite, several on PostgreSQL) go
# to one worker too (``SharedSetupScheduling``). (`--dist loadgroup` would do
# that with marks, but with pytest 9.2 and pytest-xdist 3.8 it does not group:
# xdist_group tests were seen split between workers.) Each worker has its own
# test database (pytest-django suffixes its name with the worker's id on PostgreSQL;
# SQLite's is in memory), its own live server and Chromium, and writes only
# under its own tmp_path.


PACKAGE_FIXTURE = re.compile(r'^@pytest\.fixture\(scope="package"', re.MULTILINE)


def shared_setup_packages(root: Path) -> tuple[str, ...]:
    """The test packages (node id prefixes) whose conftest defines a
    package-scoped fixture: read from the code, not listed by hand."""
    found = []
    for conftest in sorted(root.rglob("conftest.py")):
        if PACKAGE_FIXTURE.search(conftest.read_text(encoding="utf-8")):
            found.append(conftest.parent.relative_to(root.parent).as_posix() + "/")
    return tuple(found)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist", None) != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    packages = shared_setup_packages(Path(__file__).resolve().parent)

    class SharedSetupScheduling(LoadScopeScheduling):
        """loadscope, with each package of :func:`shared_setup_packages` as one scope."""

        def _split_scope(self, nodeid: str) -> str:
            for package in packages:
                if nodeid.startswith(package):
                    return package
            return str(super()._split_scope(nodeid))

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
