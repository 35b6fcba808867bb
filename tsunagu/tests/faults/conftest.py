"""Fixtures of the fault tests (what they drive is in ``harness.py``)."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tsunagu.tests.faults.harness import AppServer, Cluster, free_port, postgres_bin


@pytest.fixture
def servers() -> Iterator[list[AppServer]]:
    """Every server a test starts, stopped at its end whatever happened
    (a test adds a server here before it starts it)."""
    started: list[AppServer] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One cluster for the fault tests of a run; each test makes its own database.

    Skipped where the PostgreSQL server binaries are not installed. As root
    (initdb refuses root) the cluster is made and run as the postgres user."""
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    as_postgres = os.geteuid() == 0
    if as_postgres and shutil.which("su") is None:
        pytest.skip("running as root without su to run initdb as the postgres user")
    base = Path(tempfile.mkdtemp(prefix="tsunagu-pg-"))
    if as_postgres:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base, ignore_errors=True)
            pytest.skip("running as root without a postgres user to run initdb as")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(bin=binaries, base=base, port=free_port(), as_postgres=as_postgres)
    try:
        made = cluster.run(
            str(binaries / "initdb"),
            *("-D", str(base / "data"), "-U", "tsunagu", "-A", "trust"),
            *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
        )
        if made.returncode != 0:
            pytest.skip(f"initdb refused: {(made.stderr or made.stdout).strip()[:300]}")
        cluster.start()
        yield cluster
    finally:
        cluster.pg_ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_cluster: Cluster) -> str:
    """The ``DATABASE_URL`` of an empty database of the throwaway cluster, for this test."""
    if not postgres_cluster.running():  # a test that stopped it failed before starting it again
        postgres_cluster.start()
    return postgres_cluster.create_database()
