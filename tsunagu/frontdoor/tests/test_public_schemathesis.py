"""The public JSON API against its own OpenAPI document (schemathesis), on the
public host: every operation of ``/consult/api/openapi.json`` is called
in-process with generated input, valid and invalid, and every answer must
pass every check (declared status, content type and body schema, no server
error, invalid input refused, valid input accepted or refused with a
declared reason, unsupported methods refused).

Bounded like ``tsunagu/tests/test_api_schemathesis.py``: a few derandomized
examples an operation, and the coverage phase; ``make fuzz``
(``TSUNAGU_FUZZ=1``) runs many more. The rate limits are raised here (one
address sends every case); they have their own tests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import get_urlconf, set_urlconf
from hypothesis import HealthCheck, settings

from tsunagu.frontdoor import public, publichost
from tsunagu.frontdoor.public_api import public_api
from tsunagu.tests.factories import Ward

FUZZ = os.environ.get("TSUNAGU_FUZZ") == "1"
EXAMPLES = 200 if FUZZ else 10
BASE_URL = "http://localhost"


def _document() -> dict[str, Any]:
    """The document as the public host serves it (its paths under /consult/api/)."""
    previous = get_urlconf()
    set_urlconf(publichost.PUBLIC_URLCONF)
    try:
        return json.loads(json.dumps(public_api.get_openapi_schema(), cls=DjangoJSONEncoder))
    finally:
        set_urlconf(previous)


DOCUMENT = _document()
CONFIG = {
    "seed": 20,
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "checks": {
        # A valid body may still be refused: a wrong code (403), text that is
        # only blanks or holds control characters (422).
        "positive_data_acceptance": {"expected-statuses": ["2xx", "403", "404", "422"]},
    },
}
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(CONFIG))

HYPOTHESIS = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "max_examples": EXAMPLES,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}


@pytest.fixture
def app(ward: Ward, monkeypatch: pytest.MonkeyPatch) -> Iterator[WSGIHandler]:
    monkeypatch.setattr(public, "NEW_THREADS_PER_ADDRESS", 10**6)
    monkeypatch.setattr(public, "MESSAGES_PER_ADDRESS", 10**6)
    publichost.forget_public_hosts()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    handler = WSGIHandler()
    schema.app = handler
    try:
        yield handler
    finally:
        schema.app = None
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_document_is_served_on_the_public_host(ward: Ward, client: Any) -> None:
    publichost.forget_public_hosts()
    served = client.get("/consult/api/openapi.json", HTTP_HOST="localhost")
    assert served.status_code == 200
    assert (
        set(served.json()["paths"])
        == set(DOCUMENT["paths"])
        == {
            "/consult/api/threads",
            "/consult/api/threads/{token}",
            "/consult/api/threads/{token}/messages",
        }
    )


@pytest.mark.fuzz
@pytest.mark.django_db
@schema.parametrize()
@settings(**HYPOTHESIS)
def test_every_public_answer_passes_every_check(case: schemathesis.Case, app: WSGIHandler) -> None:
    case.operation.schema.app = app
    case.call_and_validate(app=app, base_url=BASE_URL)
