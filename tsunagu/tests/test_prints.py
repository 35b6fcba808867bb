"""Every printout answers a PDF, whatever state its record is in.

The print routes are enumerated from the URL configuration (a route whose
path ends in ``print/``): a new printout fails :func:`test_every_printout_is_known`
until it is added to :data:`PRINTS`, and from then on it is printed here and
on the demo ward (``tsunagu/demo/tests/test_demo_prints.py``) in every state
its record may be in: tasks done and open, consents withdrawn, households
anonymised after their retention period.

The minutes of a meeting with a done task answered 500 for months before an
outside fuzzing run noticed (issue 22).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.assessments.models import Assessment
from tsunagu.consultations.models import Consultation
from tsunagu.core import retention, tenancy
from tsunagu.meetings.models import Meeting
from tsunagu.people.models import Household
from tsunagu.plans.models import SupportPlan
from tsunagu.tests.two_factor import force_login_verified


@dataclass(frozen=True)
class Printout:
    resource: str
    model: type[models.Model]


#: Every print route (``namespace:name``) → the policy resource and model it prints.
PRINTS: dict[str, Printout] = {
    "consultations:print": Printout("consultation", Consultation),
    "plans:print": Printout("support_plan", SupportPlan),
    "meetings:print": Printout("meeting", Meeting),
    # The 支援経過記録シート: a household's notes, printed from the household.
    "progress:print": Printout("household", Household),
    "assessments:print": Printout("assessment", Assessment),
}


def _walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner.lstrip(":"), route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}".lstrip(":"), route)


def print_routes() -> set[str]:
    """The names of the routes that print (their path ends in ``print/``)."""
    return {
        name
        for name, route in _walk(get_resolver().url_patterns, "", "")
        if route.endswith("print/")
    }


def printer(candidates: Any, printout: Printout, record: models.Model) -> Staff | None:
    """A staff member whom the policy lets print ``record``."""
    for staff in candidates:
        if policy.decide(staff, policy.Action.PRINT, printout.resource, record):
            return staff
    return None


def assert_prints(route: str, record: models.Model, staff: Staff) -> None:
    client = force_login_verified(Client(), staff)
    response = client.get(reverse(route, args=[record.pk]))
    assert response.status_code == 200, (route, record.pk, response.status_code)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_every_printout_is_known() -> None:
    assert print_routes() == set(PRINTS)


@pytest.mark.django_db
def test_every_printout_of_an_anonymised_household(ward: Any) -> None:
    """After the retention period: names and texts replaced, the sheets still print."""
    from tsunagu.tests.test_retention import _days, _kept_from, _plan, family

    old = family(ward, _days(_kept_from(), 1))
    retention.apply(_plan(ward))
    records = {
        "consultations:print": old.consultation,
        "plans:print": old.plan,
        "meetings:print": old.meeting,
        "progress:print": old.household,
        "assessments:print": old.assessment,
    }
    assert set(records) == set(PRINTS)
    with tenancy.tenant_context(ward.municipality):
        staff = list(Staff.objects.filter(is_active=True))
        for route, record in records.items():
            printout = PRINTS[route]
            fresh = printout.model._default_manager.get(pk=record.pk)
            who = printer(staff, printout, fresh)
            assert who is not None, f"nobody may print {route} of an anonymised household"
            assert_prints(route, fresh, who)
