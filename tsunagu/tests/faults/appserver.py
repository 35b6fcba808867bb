"""The app as the fault tests run it: a real server process on a real database.

    python -m tsunagu.tests.faults.appserver PORT [--prepare] [--pause-intake FILE]

The database is the one ``DATABASE_URL`` names (a temporary SQLite file or a
throwaway PostgreSQL cluster that the test made). ``--prepare`` first creates
the schema and a test ward. The server answers with ``tsunagu.wsgi`` on one
thread, as a sync gunicorn worker does (one connection to the database, kept
between requests for ``CONN_MAX_AGE``).

Two things here are the tests' and never the product's:

- ``GET /__faults__/inspect`` answers, as JSON, the rows an intake writes and
  what ``manage.py verify_audit`` says about the audit chain;
- ``--pause-intake FILE``: the intake's last write inside its transaction
  (the consultation's audit event) is done, then the process writes what it
  has written so far to FILE and waits, the transaction open, to be killed.

(One process does all of this because starting Django is most of the time a
test takes.)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

#: Who signs in, and the marker of the intake the tests send (a synthetic name).
COUNSELOR = "counselor"
INTAKE_FAMILY_NAME = "障害試験"


def prepare() -> None:
    from django.core.management import call_command

    from tsunagu.tests.factories import MunicipalityFactory, ward_with_staff

    call_command("migrate", run_syncdb=True, verbosity=0)
    ward_with_staff(MunicipalityFactory(code="131059", name="テスト区"))


def inspect() -> dict[str, Any]:
    from django.core.management import CommandError, call_command

    from tsunagu.audit.models import AuditEvent
    from tsunagu.consultations.models import ConsultationTopic
    from tsunagu.directory.models import Organization
    from tsunagu.people.models import HouseholdMembership

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        verified = True
    except CommandError as error:
        verified = False
        err.write(str(error))
    # all_tenants: a look at the whole database, as an operator would take it.
    return {
        "center": Organization.all_tenants.get(name="地域包括支援センター北").pk,
        **_written(),
        "memberships": HouseholdMembership.all_tenants.count(),
        "topics": ConsultationTopic.all_tenants.count(),
        "events": AuditEvent.objects.count(),
        "verified": verified,
        "verify_output": out.getvalue() + err.getvalue(),
    }


def _written() -> dict[str, Any]:
    """The rows of the intake: its person, households, consultations and their audit events."""
    from tsunagu.audit.models import AuditEvent
    from tsunagu.consultations.models import Consultation
    from tsunagu.people.models import Household, Person

    return {
        "persons": list(
            Person.all_tenants.filter(family_name=INTAKE_FAMILY_NAME).values_list("pk", flat=True)
        ),
        "households": list(Household.all_tenants.values_list("pk", flat=True)),
        "consultations": list(Consultation.all_tenants.values_list("pk", flat=True)),
        "created_events": sorted(
            AuditEvent.objects.filter(action="create").values_list("object_type", flat=True)
        ),
    }


def _install_intake_pause(signal_file: Path) -> None:
    from django.db import connection

    from tsunagu.consultations import services

    record = services.audit_record

    def record_then_wait(*args: Any, **kwargs: Any) -> Any:
        record(*args, **kwargs)
        written = {"in_atomic_block": connection.in_atomic_block, **_written()}
        partial = signal_file.with_suffix(".tmp")
        partial.write_text(json.dumps(written))
        partial.rename(signal_file)
        while True:  # until SIGKILL
            time.sleep(1)

    services.audit_record = record_then_wait  # type: ignore[assignment]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _with_inspection(application: Any) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/__faults__/inspect":
            body = json.dumps(inspect()).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        return application(environ, start_response)

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--pause-intake", type=Path)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.tests.faults.settings_faults")
    import django

    django.setup()
    if options.prepare:
        prepare()
    if options.pause_intake is not None:
        _install_intake_pause(options.pause_intake)
    from tsunagu.wsgi import application

    server = make_server(
        "127.0.0.1",
        options.port,
        _with_inspection(application),
        server_class=WSGIServer,
        handler_class=_QuietHandler,
    )
    print(f"serving on {options.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
