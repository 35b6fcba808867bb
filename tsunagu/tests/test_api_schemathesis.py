"""The whole JSON API against its own OpenAPI document (schemathesis).

Every operation of ``/api/v1/openapi.json`` is called in-process with
generated input — valid and invalid — as a staff member authenticated by a
bearer token, and every answer must pass every check schemathesis has
(declared status code, content type, headers and body schema, no server
error, invalid input refused and valid input accepted, authentication not
ignored, unsupported methods refused, …). Path ids are drawn both at random
(a 404) and from records that exist, so that the detail, update and
transition operations run past the lookup.

All four phases run, with a fixed seed:

- examples and fuzzing: every operation, a few derandomized examples each;
- coverage (every boundary case the schema defines, 50 to 150 an operation):
  the operations where the outside run of issue 22 found server errors;
- stateful: short sequences of linked operations (create, then read,
  update, transition what was created).

``make fuzz`` (``TSUNAGU_FUZZ=1``) runs the same with many more examples,
the coverage phase over every operation and longer sequences. What the
fuzzing found is pinned by the plain tests at the end and in
``test_fuzz_findings.py``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.api.root import api
from tsunagu.core import tenancy
from tsunagu.outreach.models import Intent, Method, Result, Stage
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.tests import case_factories as cases
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward, add_member
from tsunagu.tests.resource_factories import resource

FUZZ = os.environ.get("TSUNAGU_FUZZ") == "1"
SEED = 22
#: Examples an operation in the examples and fuzzing phases.
EXAMPLES = 200 if FUZZ else 8
#: Sequences and their length in the stateful phase.
SCENARIOS, STEPS = (100, 20) if FUZZ else (4, 6)
#: Where issue 22's outside run found server errors: the coverage phase
#: always runs on these; ``make fuzz`` runs it on every operation.
COVERED = re.compile(
    r"^/api/v1/(persons|households|consultations|activity-records|community/issues|resources"
    r"|hsds/(import|services|organizations|service_at_locations)"
    r"|households/\{household_id\}/outreach-contacts"
    r"|persons/\{person_id\}/participation-profile"
    r"|reports/business/rows/\{row_id\}/records)$"
)

DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))
#: The staff host: ``localhost``, schemathesis's default, is the public host of
#: オンライン相談 in the tests, which answers nothing under /api/v1/.
STAFF_HOST = "http://testserver"
CONFIG = {
    "seed": SEED,
    # The staff host (``localhost`` is the public host of オンライン相談 in the tests).
    "base-url": STAFF_HOST,
    # All four phases; each test below runs the ones it names.
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": True, "max-steps": STEPS},
    },
    "checks": {
        # Valid input by the schema may still be refused for what no schema
        # says: acting for an organization one is no member of (403), a
        # record that does not exist (404), a stale version (409), a rule of
        # the programme (422: an end before its start, no consent).
        "positive_data_acceptance": {"expected-statuses": ["2xx", "403", "404", "409", "422"]},
    },
}

# The document as served: lazy translations rendered to text.
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {**CONFIG, "phases": {**CONFIG["phases"], "coverage": {"enabled": False}}}
    ),
)
coverage_schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            **CONFIG,
            "phases": {
                "examples": {"enabled": False},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": False},
            },
        }
    ),
)
if not FUZZ:
    coverage_schema = coverage_schema.include(path_regex=COVERED.pattern)

#: Ids of records that exist, by path parameter name; filled by the fixture.
EXISTING: dict[str, list[Any]] = {}


def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """Half of the time, an id that exists (when the fixture made one)."""
    known = {name: EXISTING[name] for name in path_parameters or {} if EXISTING.get(name)}
    if not known:
        return st.just(path_parameters)
    real = st.fixed_dictionaries(
        {
            **{k: st.just(v) for k, v in path_parameters.items()},
            **{k: st.sampled_from(v) for k, v in known.items()},
        }
    )
    return st.one_of(st.just(path_parameters), real)


schema.hook(flatmap_path_parameters)
coverage_schema.hook(flatmap_path_parameters)


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, kept from closing the test's database connection
    (as django.test.Client does). It is also the schemas' application: the
    checks' own probes (a request without authentication, a deleted record
    read again) go to it as the cases do."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    handler = WSGIHandler()
    schema.app = coverage_schema.app = handler
    try:
        yield handler
    finally:
        schema.app = coverage_schema.app = None
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff(ward: Ward) -> Staff:
    """A counselor who also works in the coordinating section and administers
    master data, so that most operations get past the policy."""
    counselor = ward.member(Role.COUNSELOR)
    add_member(counselor, ward.coordinating, Role.COORDINATOR)
    add_member(counselor, ward.department, Role.SYSADMIN)
    return counselor


@pytest.fixture
def records(ward: Ward, staff: Staff) -> Iterator[None]:
    """One record of each kind the path parameters name."""
    person = make.person(staff, ward.center, family_name="髙橋", given_name="𠮷子")
    household = make.household(staff, ward.center, head=person)
    consultation = make.consultation(staff, ward.center, household=household)
    referral = make.referral(
        staff, ward.center, ward.other_center, household=household, consultation=consultation
    )
    case = cases.case(staff, ward.coordinating, household)
    consent = cases.consent(staff, case, organizations=[ward.center], covers_case_team=True)
    plan = cases.active_plan(staff, case)
    meeting = cases.meeting(staff, ward.coordinating)
    attendee = cases.attend(staff, meeting, staff, ward.center, pledge=False)
    with tenancy.tenant_context(ward.municipality):
        contact = outreach_contact_record(
            actor=staff,
            organization=ward.center,
            household=household,
            person=person,
            method=Method.VISIT,
            result=Result.ABSENT,
            intent=Intent.SAFETY,
            stage_after=Stage.NONE,
        )
    place = resource(ward.municipality, "コーヒーを淹れる会", district=ward.districts[0])
    EXISTING.update(
        organization_id=[ward.center.pk],
        staff_id=[staff.pk],
        person_id=[person.pk],
        household_id=[household.pk],
        consultation_id=[consultation.pk],
        referral_id=[referral.pk],
        case_id=[case.pk],
        consent_id=[consent.pk],
        plan_id=[plan.pk],
        meeting_id=[meeting.pk],
        attendee_id=[attendee.pk],
        contact_id=[contact.pk],
        resource_id=[place.pk],
    )
    yield
    EXISTING.clear()


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    # Hundreds of requests a minute from one staff member: the rate limit has tests of its own.
    settings.TSUNAGU_API_RATE = "1000000/min"


@pytest.fixture
def token(staff: Staff) -> str:
    with tenancy.tenant_context(staff.municipality):
        _token, raw = api_token_create(actor=staff, name="スキーマ検査")
    TOKEN.append(raw)
    return raw


#: The bearer token of the test running now (set by the ``token`` fixture).
TOKEN: list[str] = []


class BearerToken:
    """The staff member's token, given to schemathesis as the API's
    authentication, so that its check of ignored authentication knows what
    to take away or spoil. Not cached: every test has its own token."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        return TOKEN[-1] if TOKEN else ""

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


schema.auth(refresh_interval=None)(BearerToken)
coverage_schema.auth(refresh_interval=None)(BearerToken)


HYPOTHESIS = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}


@pytest.mark.fuzz
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, **HYPOTHESIS)
def test_every_answer_passes_every_check(
    case: schemathesis.Case, app: WSGIHandler, token: str, records: None
) -> None:
    """Examples and fuzzing, every operation."""
    case.operation.schema.app = app  # (for the checks' own probes)
    case.call_and_validate(app=app, base_url=STAFF_HOST)


@pytest.mark.fuzz
@pytest.mark.django_db
@coverage_schema.parametrize()
@settings(**HYPOTHESIS)
def test_every_boundary_case_passes_every_check(
    case: schemathesis.Case, app: WSGIHandler, token: str, records: None
) -> None:
    """The coverage phase: every boundary case the schema defines."""
    case.operation.schema.app = app  # (for the checks' own probes)
    # The phase's cases are made when the test is collected, before there is
    # a token: the token of this test replaces the one they were made with.
    if "Authorization" in (case.headers or {}):
        case.headers = {**case.headers, "Authorization": f"Bearer {token}"}
    case.call_and_validate(app=app, base_url=STAFF_HOST)


@pytest.mark.fuzz
@pytest.mark.django_db
def test_sequences_of_linked_operations_pass_every_check(
    app: WSGIHandler, token: str, records: None
) -> None:
    """The stateful phase: what one operation created, the next reads, changes or moves on."""

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"app": app, "base_url": STAFF_HOST}

    Machine.run(settings=settings(max_examples=SCENARIOS, stateful_step_count=STEPS, **HYPOTHESIS))


# --- What the fuzzing found, pinned -----------------------------------------------------


def token_client(token: str) -> Client:
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {token}"})


def post_json(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_a_malformed_query_is_refused_field_by_field_in_japanese(token: str) -> None:
    """ninja's own check answered English messages in a list, a shape the
    document did not declare (it declares the forms' field → messages)."""
    response = token_client(token).get("/api/v1/persons", {"offset": "null", "limit": "0"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "入力内容に誤りがあります。",
        "errors": {
            "offset": ["整数を指定してください。"],
            "limit": ["1以上の値を指定してください。"],
        },
    }


def test_every_operation_declares_the_shared_errors() -> None:
    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "422", "429"} <= {str(c) for c in declared}, (
                method,
                path,
            )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"offset": str(10**27)},
        {"limit": str(10**23)},
        {"limit": "1001"},
        {"offset": "-1"},
    ],
)
def test_a_page_out_of_range_is_refused_not_a_server_error(token: str, query: dict) -> None:
    for url in ("/api/v1/referrals", "/api/v1/cases", "/api/v1/community/issues"):
        response = token_client(token).get(url, query)
        assert response.status_code == 422, (url, query)
        assert set(response.json()["errors"]) <= {"limit", "offset"}


@pytest.mark.django_db
def test_an_id_too_large_for_the_database_is_refused_not_a_server_error(
    ward: Ward, staff: Staff, token: str
) -> None:
    household = make.household(staff, ward.center)
    response = post_json(
        token_client(token),
        "/api/v1/consultations",
        {
            "household_id": household.pk,
            "channel": "phone",
            "consulter": "family",
            "main_topic": "care",
            "summary": "電話で相談。",
            "consent_to_share": "obtained",
            "outcome": "continue_here",
            "case_feature_ids": [10**35],
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "入力内容に誤りがあります。"


@pytest.mark.django_db
def test_a_meeting_time_with_a_time_zone_is_refused(ward: Ward, staff: Staff, token: str) -> None:
    response = post_json(
        token_client(token),
        "/api/v1/meetings",
        {
            "title": "ケース会議",
            "held_on": "2025-04-01",
            "starts_at": "09:30:00Z",
            "kinds": ["liaison"],
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"starts_at"}


@pytest.mark.django_db
def test_a_count_for_a_month_before_meiji_6_is_refused(
    ward: Ward, staff: Staff, token: str
) -> None:
    """Its 和暦 month could not be shown: the answer itself was a server error."""
    response = post_json(
        token_client(token),
        "/api/v1/counted-entries",
        {
            "organization_id": ward.center.pk,
            "item": "ひろば利用者数",
            "month": "0122-03-09",
            "count": 5,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "month": [
            "明治5年以前（旧暦）の日付には対応していません。1873年（明治6年）1月1日以降の日付を入力してください。"
        ]
    }
