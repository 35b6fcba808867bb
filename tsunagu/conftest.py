"""Shared fixtures: municipalities, organizations and staff in every role."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tsunagu.core import tenancy
from tsunagu.tests.factories import MunicipalityFactory, StaffFactory, ward_with_staff

# Property tests check what holds, not how fast: on a loaded 2-core CI machine
# the default 200 ms deadline per example fails tests that are correct.
settings.register_profile("tsunagu", deadline=None)
settings.load_profile("tsunagu")

HERE = Path(__file__).resolve().parent

# `make test` runs the suite on `-n auto` pytest-xdist workers with `--dist
# loadgroup`: each test goes to whichever worker is free, except the tests of
# a group, which all go to one worker so that what they share is made once.
# Each worker has its own test database (pytest-django suffixes its name with
# the worker's id on PostgreSQL; SQLite's is in memory), its own live server
# and Chromium, and writes only under its own tmp_path.
SHARED_SETUP = {
    # The demo ward, loaded once for the package (tens of seconds, minutes on PostgreSQL).
    "demo/tests": "demo-ward",
    # One throwaway PostgreSQL cluster for the fault tests (initdb and a start).
    "tests/faults": "postgres-cluster",
    # The generated API client, generated once for its module.
    "tests/test_api_generated_client.py": "generated-client",
    # The synthetic small scale, generated once for its module.
    "tests/test_synthetic.py": "synthetic-small",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not item.path.is_relative_to(HERE):
            continue
        path = item.path.relative_to(HERE).as_posix()
        for prefix, group in SHARED_SETUP.items():
            if path == prefix or path.startswith(prefix + "/"):
                item.add_marker(pytest.mark.xdist_group(group))


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
