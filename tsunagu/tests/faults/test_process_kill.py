"""A write cut off by killing the server leaves nothing half-written.

The app runs as a real server process. A counselor records a consultation
about a new person at the window: one transaction writes the person, their
household and membership, the consultation with its topics and subject, and
an audit event for each. A hook of the test (``appserver.py``, never in the
product) holds the transaction open after its last write; the test kills the
process with SIGKILL, as a power cut or the OOM killer would. Then none of
those rows exist, the audit chain still verifies (``manage.py verify_audit``),
and a restarted server accepts the same intake.

On a temporary SQLite file (WAL mode, as the product configures it) and on a
throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from tsunagu.tests.faults.appserver import COUNSELOR
from tsunagu.tests.faults.harness import AppServer, Client, app_environment, intake_form

INTAKE_OBJECTS = ["consultations.consultation", "people.household", "people.person"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tsunagu.sqlite3'}"
    return str(request.getfixturevalue("postgres_database"))


def test_a_killed_write_leaves_no_rows_and_the_chain_verifies(
    database_url: str, tmp_path: Path, servers: list[AppServer]
) -> None:
    env = app_environment(database_url, tmp_path)
    signal_file = tmp_path / "paused.json"
    log = tmp_path / "server.log"

    first = AppServer(env, log, ["--prepare", "--pause-intake", str(signal_file)])
    servers.append(first)
    first.start()
    center = first.inspect()["center"]
    clerk = Client(first.url)
    clerk.sign_in(COUNSELOR)
    token = clerk.form_token("/consultations/new/")
    outcome: list[BaseException | int] = []

    def send() -> None:
        try:
            answer = clerk.request(
                "/consultations/new/",
                {"csrfmiddlewaretoken": token, **intake_form(center)},
                timeout=120,
            )
            outcome.append(answer.status)
        except OSError as error:  # the connection dies with the process
            outcome.append(error)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    deadline = time.monotonic() + 60
    while not signal_file.exists():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        assert not outcome, outcome
        time.sleep(0.05)

    # The write was in progress: every part of it was there, not yet committed.
    inside = json.loads(signal_file.read_text())
    assert inside["in_atomic_block"]
    assert len(inside["persons"]) == 1 and len(inside["households"]) == 1
    assert len(inside["consultations"]) == 1
    assert inside["created_events"] == INTAKE_OBJECTS

    first.kill()
    sender.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], OSError), outcome

    # Restarted on the same database: none of the write is there, the chain verifies.
    second = AppServer(env, log)
    servers.append(second)
    second.start()
    after = second.inspect()
    assert after["persons"] == [] and after["households"] == [] and after["memberships"] == 0
    assert after["consultations"] == [] and after["topics"] == 0
    assert after["created_events"] == []
    assert after["verified"], after["verify_output"]
    assert after["events"] > 0  # the sign-in and the page views before the write are kept

    # And it takes the same intake, whole.
    clerk = Client(second.url)
    clerk.sign_in(COUNSELOR)
    answer = clerk.post_form("/consultations/new/", intake_form(center))
    assert answer.status == 302, answer.text[:2000]
    done = second.inspect()
    assert len(done["persons"]) == 1 and len(done["households"]) == 1
    assert len(done["consultations"]) == 1 and done["memberships"] == 1
    assert done["topics"] == 2
    assert done["created_events"] == INTAKE_OBJECTS
    assert done["verified"], done["verify_output"]
