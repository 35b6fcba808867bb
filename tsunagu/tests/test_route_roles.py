"""Every route × every role, the external guest included, against the written table.

The routes come from the URL configuration and the API; the answers each
role must get come from `route_roles.py`. A page opened to a role it should
not be (or closed to one that needs it) fails here, and so does a route that
nobody has written an answer for.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from django.test import Client

from tsunagu import policy
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.api.root import operations
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.tests import resident_factories
from tsunagu.tests.factories import Ward
from tsunagu.tests.route_roles import API_OPERATIONS, PAGES
from tsunagu.tests.routes import Route, walk

PUBLIC = {"login", "logout", "health"}


def _pages() -> list[Route]:
    return [r for r in walk() if not r.is_api and r.name not in PUBLIC]


def _operation_key(operation: Any) -> str:
    return f"{'/'.join(sorted(operation.methods))} {operation.view_func.__name__}"


def _api_routes() -> list[tuple[Route, Any]]:
    """(route, operation) for every API operation, with the URL pattern it answers on."""
    found = []
    for route in walk():
        if not route.is_api:
            continue
        cells = inspect.unwrap(route.callback).__closure__ or ()
        path_views = [c.cell_contents for c in cells if hasattr(c.cell_contents, "operations")]
        for path_view in path_views:
            found.extend((route, operation) for operation in path_view.operations)
    return found


def test_the_table_names_every_page_and_nothing_else() -> None:
    enumerated = {"/" + r.pattern for r in _pages()}
    assert sorted(enumerated - PAGES.keys()) == [], "pages without a written answer"
    assert sorted(PAGES.keys() - enumerated) == [], "answers for pages that are gone"


def test_the_table_names_every_api_operation_and_nothing_else() -> None:
    enumerated = {_operation_key(op) for op in operations()}
    assert len(enumerated) == len(operations()), "two operations share a method and a name"
    assert sorted(enumerated - API_OPERATIONS.keys()) == [], "operations without an answer"
    assert sorted(API_OPERATIONS.keys() - enumerated) == [], "answers for operations that are gone"
    assert {_operation_key(op) for _route, op in _api_routes()} == enumerated


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_the_policy_gives_each_role_the_written_answer(ward: Ward, role: Role) -> None:
    staff = ward.member(role)
    wrong = []
    for route in _pages():
        declared = policy.declaration_of(route.callback)
        assert isinstance(declared, policy.RouteDeclaration), route.pattern
        allowed = bool(policy.decide(staff, declared.action, declared.resource))
        if allowed != (role in PAGES["/" + route.pattern]):
            wrong.append(f"/{route.pattern}: {'allowed' if allowed else 'refused'}")
    for operation in operations():
        declared = policy.declaration_of(operation.view_func)
        assert isinstance(declared, policy.RouteDeclaration)
        allowed = bool(policy.decide(staff, declared.action, declared.resource))
        if allowed != (role in API_OPERATIONS[_operation_key(operation)]):
            wrong.append(f"{_operation_key(operation)}: {'allowed' if allowed else 'refused'}")
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_page_answers_each_role_as_written(ward: Ward, role: Role) -> None:
    """Signed in as ``role``, every page refuses (403) exactly the roles the table does not name.

    A page that accepts only POST is walked with an empty POST (nothing valid
    to save), so that a refusal is not hidden behind 405."""
    client = Client()
    client.force_login(ward.member(role))
    wrong = []
    for route in _pages():
        url = route.path(1)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        refused = response.status_code == 403
        if refused == (role in PAGES["/" + route.pattern]):
            wrong.append(f"GET {url}: {response.status_code}")
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_api_operation_answers_each_role_as_written(ward: Ward, role: Role) -> None:
    staff = ward.member(role)
    with tenancy.tenant_context(ward.municipality):
        _token, raw = api_token_create(actor=staff, name="経路の確認")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    wrong = []
    for route, operation in _api_routes():
        for method in operation.methods:
            response = client.generic(
                method, route.path(1), json.dumps({}), content_type="application/json"
            )
            refused = response.status_code == 403
            if refused == (role in API_OPERATIONS[_operation_key(operation)]):
                wrong.append(f"{method} {route.path(1)}: {response.status_code}")
    assert wrong == []


# ---------------------------------------------------------------------------
# Break-glass: the leak the outside review found (an external guest searched
# every resident through the emergency form).

NOT_CASEWORK = [Role.GUEST, Role.MANAGER, Role.SYSADMIN, Role.AUDITOR]


@pytest.mark.django_db
@pytest.mark.parametrize("role", NOT_CASEWORK)
def test_only_casework_may_open_an_emergency_or_search_for_whom(ward: Ward, role: Role) -> None:
    from tsunagu.people.models import EmergencyAccess

    # A resident known to another organization only: nobody outside casework may find her.
    counselor = ward.member(Role.COUNSELOR)
    person = resident_factories.person(
        counselor, ward.other_center, family_name="高橋", family_name_kana="たかはし"
    )
    household = resident_factories.household(counselor, ward.other_center, head=person)
    client = Client()
    client.force_login(ward.member(role))
    for data in (
        None,
        {"query": "たかはし", "reason": "安否が確認できず緊急に確認する必要があるため"},
        {"household": household.pk, "reason": "安否が確認できず緊急に確認する必要があるため"},
    ):
        response = (
            client.get("/people/emergency/")
            if data is None
            else client.post("/people/emergency/", data)
        )
        assert response.status_code == 403
        assert person.family_name not in response.content.decode()
    with tenancy.tenant_context(ward.municipality):
        assert not EmergencyAccess.objects.exists()
        refusals = AuditEvent.objects.filter(
            action=AuditAction.DENY, actor=ward.member(role), object_type="people.emergencyaccess"
        )
        assert refusals.count() == 3
        # The refused search is not recorded as a search of persons.
        assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.ORG_MANAGER, Role.COORDINATOR])
def test_casework_opens_an_emergency_for_its_own_casework_organization(
    ward: Ward, role: Role
) -> None:
    from tsunagu.people.models import EmergencyAccess

    staff = ward.member(role)
    household = resident_factories.household(ward.member(Role.COUNSELOR), ward.other_center)
    client = Client()
    client.force_login(staff)
    response = client.post(
        "/people/emergency/",
        {
            "household": household.pk,
            "query": "すずき",
            "reason": "安否が確認できず緊急に確認する必要があるため",
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        grant = EmergencyAccess.objects.get()
        assert grant.staff == staff
        assert grant.organization_id in staff.organization_ids(
            Role.COUNSELOR, Role.ORG_MANAGER, Role.COORDINATOR
        )
        assert policy.decide(staff, policy.Action.VIEW, "household", household).basis == (
            policy.Basis.EMERGENCY
        )
