"""While the database cannot be reached, staff get a clear answer; once it is
back, the app works again without being restarted.

The real thing first: the app as a server process (one thread, one
persistent connection, as a sync gunicorn worker) on a throwaway PostgreSQL
cluster that the test stops the hard way (``pg_ctl stop -m immediate``) and
starts again. Then the same answer in-process, where the session store
fails as a database that has gone away does, for runs without PostgreSQL's
server binaries.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client as DjangoClient
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.tests.faults.appserver import COUNSELOR, INTAKE_FAMILY_NAME
from tsunagu.tests.faults.harness import (
    AppServer,
    Client,
    Cluster,
    Response,
    app_environment,
    intake_form,
)

UNAVAILABLE = "ただいまデータベースに接続できません。しばらくしてからもう一度お試しください。"
PERSON_NAME = f"{INTAKE_FAMILY_NAME}　一郎"


def assert_unavailable_page(answer: Response, *withheld: str) -> None:
    assert answer.status == 503, (answer.status, answer.text[:2000])
    assert answer.headers["Content-Type"].startswith("text/html")
    assert int(answer.headers["Retry-After"]) > 0
    assert UNAVAILABLE in answer.text
    assert '<html lang="ja">' in answer.text
    for text in ("Traceback", "OperationalError", "psycopg", *withheld):
        assert text not in answer.text


def test_requests_fail_cleanly_while_postgresql_is_down_and_succeed_after(
    postgres_cluster: Cluster, postgres_database: str, tmp_path: Path, servers: list[AppServer]
) -> None:
    log = tmp_path / "server.log"
    server = AppServer(app_environment(postgres_database, tmp_path), log, ["--prepare"])
    servers.append(server)
    server.start()
    clerk = Client(server.url)
    clerk.sign_in(COUNSELOR)
    intake = intake_form(server.inspect()["center"])
    assert clerk.post_form("/consultations/new/", intake).status == 302
    (person,) = server.inspect()["persons"]
    page, api = f"/people/persons/{person}/", f"/api/v1/persons/{person}"
    assert PERSON_NAME in clerk.get(page).text
    assert clerk.get(api).json()["family_name"] == INTAKE_FAMILY_NAME
    token = clerk.form_token("/consultations/new/")
    logged_before = log.read_text()

    postgres_cluster.stop("immediate")
    try:
        assert_unavailable_page(clerk.get(page), PERSON_NAME)
        assert_unavailable_page(clerk.get(page), PERSON_NAME)  # not only the first request
        refused = clerk.get(api)
        assert refused.status == 503
        assert refused.headers["Content-Type"] == "application/json"
        assert refused.json() == {"detail": UNAVAILABLE}
        assert int(refused.headers["Retry-After"]) > 0
        # A form sent during the outage: the same page, and nothing of it in the log.
        sent = clerk.request("/consultations/new/", {"csrfmiddlewaretoken": token, **intake})
        assert_unavailable_page(sent, PERSON_NAME, intake["summary"])
        logged = log.read_text()[len(logged_before) :]
        assert "Service Unavailable" in logged  # the operator sees the outage …
        for text in (INTAKE_FAMILY_NAME, intake["summary"], intake["person-address"]):
            assert text not in logged  # … and no personal data
    finally:
        postgres_cluster.start()

    # The same server process, without a restart: its dead connection is replaced.
    assert server.process is not None and server.process.poll() is None
    back = clerk.get(page)
    assert back.status == 200 and PERSON_NAME in back.text
    assert clerk.get(api).json()["family_name"] == INTAKE_FAMILY_NAME
    assert clerk.post_form("/consultations/new/", intake).status == 302
    after = server.inspect()
    assert len(after["consultations"]) == 2 and after["verified"], after["verify_output"]

    # Restarted between two requests: the connection kept from the last one is
    # dead, and is checked (CONN_HEALTH_CHECKS) and replaced before it is used.
    postgres_cluster.stop("immediate")
    postgres_cluster.start()
    back = clerk.get(page)
    assert back.status == 200 and PERSON_NAME in back.text


# --- In-process, on any database ------------------------------------------------------


@pytest.fixture
def signed_in(ward) -> DjangoClient:  # type: ignore[no-untyped-def]
    client = DjangoClient(raise_request_exception=False)
    client.force_login(ward.member(Role.COUNSELOR))
    return client


def _session_store_fails(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """The first read of a request (its session) fails, as with the database gone."""

    def load(self: object) -> dict[str, object]:
        raise error

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", load)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        OperationalError("connection to server at 127.0.0.1, port 5432 failed"),
        InterfaceError("connection already closed"),
    ],
    ids=["operational", "interface"],
)
def test_a_database_that_does_not_answer_is_a_503_in_japanese(
    signed_in: DjangoClient, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    _session_store_fails(monkeypatch, error)
    page = signed_in.get(reverse("home"))
    assert page.status_code == 503
    assert page["Retry-After"] == "30" and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert UNAVAILABLE in html and "Traceback" not in html and "5432" not in html
    api = signed_in.get("/api/v1/persons")
    assert api.status_code == 503 and api.json() == {"detail": UNAVAILABLE}
    assert api["Retry-After"] == "30"


@pytest.mark.django_db
def test_any_other_error_keeps_the_500_page(
    signed_in: DjangoClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _session_store_fails(monkeypatch, RuntimeError("not the database"))
    page = signed_in.get(reverse("home"))
    assert page.status_code == 500
    assert "システムエラーが発生しました" in page.content.decode()
    assert "Retry-After" not in page
