"""Shared fixtures: municipalities, organizations and staff in every role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from tsunagu.core import tenancy
from tsunagu.tests.factories import MunicipalityFactory, StaffFactory, ward_with_staff

# Property tests check what holds, not how fast: on a loaded 2-core CI machine
# the default 200 ms deadline per example fails tests that are correct.
settings.register_profile("tsunagu", deadline=None)
settings.load_profile("tsunagu")


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
