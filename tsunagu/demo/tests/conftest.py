"""The demo ward, loaded once for the whole package (a load takes tens of
seconds, more on PostgreSQL) inside a transaction rolled back at the end;
each test runs in its own savepoint on top of it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings

from tsunagu.accounts.models import Staff
from tsunagu.audit.services import audit_seal_all
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.ward import DEMO_CODE
from tsunagu.frontdoor import publichost
from tsunagu.tests.factories import MunicipalityFactory, Ward, ward_with_staff


@dataclass
class Loaded:
    demo: Municipality
    other: Ward
    seconds: float
    output: str


@pytest.fixture(scope="package")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    md5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=md5),
        transaction.atomic(),
    ):
        other = ward_with_staff(MunicipalityFactory(code="131164", name="よそ区"), prefix="other-")
        output = StringIO()
        started = time.monotonic()
        call_command("load_demo", stdout=output)
        seconds = time.monotonic() - started
        # The load's audit events are sealed when its transaction commits;
        # this one never does, and the tests check the chain.
        audit_seal_all()
        # Check the deferred foreign keys of the load once, here: otherwise
        # PostgreSQL checks them again at the end of every test's savepoint.
        connection.check_constraints()
        yield Loaded(Municipality.objects.get(code=DEMO_CODE), other, seconds, output.getvalue())
        transaction.set_rollback(True)
    # The demo's door answered on the public host (localhost) while it was
    # loaded; the hosts the middleware read then went with the rollback.
    publichost.forget_public_hosts()
    # The rolled-back load leaves its rows behind as dead tuples on PostgreSQL
    # (some 130,000 consultations, topics and activity records): until they
    # are vacuumed, every scan of those tables in the tests that follow reads
    # them again. Outside the transaction now, so VACUUM may run.
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


@pytest.fixture
def demo(loaded: Loaded, db: None) -> Iterator[Municipality]:
    with tenancy.tenant_context(loaded.demo):
        yield loaded.demo


def staff(username: str) -> Staff:
    return Staff.all_tenants.get(username=username)
