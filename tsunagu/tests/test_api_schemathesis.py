"""The whole JSON API against its own OpenAPI document (schemathesis).

Every operation of ``/api/v1/openapi.json`` is called in-process with
generated input — valid and invalid — as a staff member authenticated by a
bearer token, and every answer must be one the document declares (status code,
content type and body schema), never a server error. Path ids are drawn both
at random (a 404) and from records that exist, so that the detail, update and
transition operations run past the lookup.

Bounded to run in the suite: ten derandomized examples an operation (valid
and invalid input), without schemathesis' coverage and stateful phases. What
it found is pinned by the plain tests at the end.
"""

from __future__ import annotations

import json
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
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.api import api
from tsunagu.core import tenancy
from tsunagu.outreach.models import Intent, Method, Result, Stage
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.tests import case_factories as cases
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward, add_member
from tsunagu.tests.resource_factories import resource

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(
    # The document as served: lazy translations rendered to text.
    json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder)),
    config=schemathesis.Config.from_dict(
        {
            # The coverage phase (50 to 150 boundary cases an operation) and
            # stateful runs are out of a unit test's time budget: examples and
            # fuzzing, valid and invalid input, stay.
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    ),
)

#: Ids of records that exist, by path parameter name; filled by the fixture.
EXISTING: dict[str, list[Any]] = {}


@schema.hook
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


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, kept from closing the test's database connection
    (as django.test.Client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
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
    return raw


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_every_answer_is_declared_and_none_is_a_server_error(
    case: schemathesis.Case, app: WSGIHandler, token: str, records: None
) -> None:
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


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
