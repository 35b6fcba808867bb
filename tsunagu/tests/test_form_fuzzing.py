"""The page routes' forms, fuzzed: no POST answers a server error.

Every page route is found in the URL configuration (``tests/routes.py``);
its path parameters are filled with records of the kind the path names
(a household for ``households/<pk>``, a meeting for ``meetings/<pk>``…).
A route whose page shows a POST form gets Hypothesis-generated values for
every field the form names: text of any script, control characters, numbers
too large for the database, dates before 明治6年 and after 9999, very long
text. Each answer must be a page, a redirect or a refusal, never a 500.

Bounded for ``make test`` (a few examples a form, derandomized); ``make fuzz``
sets ``TSUNAGU_FUZZ=1`` for a long run.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.tests import case_factories as cases
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward, add_member
from tsunagu.tests.routes import walk

FUZZ = os.environ.get("TSUNAGU_FUZZ") == "1"
EXAMPLES = int(os.environ.get("TSUNAGU_FUZZ_EXAMPLES", 100 if FUZZ else 3))

#: Routes that are no form to fuzz: sign-in (its own tests, with lockouts),
#: the two-factor steps, and the API (fuzzed by schemathesis).
SKIPPED = ("login/", "logout/", "two-factor/", "api/")

#: Values no clerk means, for any field.
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "+5",
    "1e309",
    "NaN",
    str(2**63),
    "9" * 40,
    "0001-01-01",
    "1868-01-01",
    "1872-12-31",
    "9999-12-31",
    "10000-01-01",
    "令和99年13月1日",
    "明治元年1月1日",
    "R0.0.0",
    "25:61",
    "\x00",
    "見守り\x1b[31m",
    "𠮷\u200d👨‍👩‍👧",
    "<script>alert(1)</script>",
    '=HYPERLINK("x")',
    "あ" * 25_000,
]

value = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(lambda d: d.isoformat()),
)

_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
_NAME = re.compile(r"<(?:input|textarea|select)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def form_fields(html: str) -> list[list[str]]:
    """The field names of each POST form of a page (without the CSRF token)."""
    found = []
    for form in _FORM.findall(html):
        names = sorted({n for n in _NAME.findall(form) if n != "csrfmiddlewaretoken"})
        if names:
            found.append(names)
    return found


@pytest.fixture
def staff(ward: Ward) -> Staff:
    counselor = ward.member(Role.COUNSELOR)
    add_member(counselor, ward.coordinating, Role.COORDINATOR)
    add_member(counselor, ward.department, Role.SYSADMIN)
    return counselor


@pytest.fixture
def records(ward: Ward, staff: Staff) -> dict[str, int]:
    """One record of each kind a page path names, by the path segment before its id."""
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
    item = cases.on_agenda(staff, meeting, case)
    return {
        "households": household.pk,
        "persons": person.pk,
        "consultations": consultation.pk,
        "referrals": referral.pk,
        "cases": case.pk,
        "consents": consent.pk,
        "meetings": meeting.pk,
        "agenda": item.pk,
        "plans": plan.pk,
        "organizations": ward.center.pk,
        "districts": ward.districts[0].pk,
        "staff": staff.pk,
    }


def concrete(pattern: str, records: dict[str, int]) -> str | None:
    """The path with each parameter set to the record its preceding segment names."""
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        if part.startswith("<"):
            before = parts[i - 1] if i else ""
            key = "cases" if before == "new" and parts[0] == "plans" else before
            if key == "households" or part.endswith("household_pk>"):
                key = "households"
            if part.endswith("person_pk>"):
                key = "persons"
            if key not in records:
                return None
            parts[i] = str(records[key])
    return "/" + "/".join(parts)


def fuzz_form(client: Client, path: str, names: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.fixed_dictionaries({name: value for name in names}))
    def post(data: dict[str, Any]) -> None:
        response = client.post(path, data)
        assert response.status_code < 500, (path, data)

    post()


@pytest.mark.fuzz
@pytest.mark.django_db
def test_no_form_post_is_a_server_error(staff: Staff, records: dict[str, int]) -> None:
    client = Client()
    client.force_login(staff)
    fuzzed = []
    for route in walk():
        if route.is_api or route.pattern.startswith(SKIPPED) or not route.pattern:
            continue
        path = concrete(route.pattern, records)
        if path is None:
            continue
        page = client.get(path)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for names in form_fields(page.content.decode()):
            fuzzed.append(path)
            fuzz_form(client, path, names)
    # The forms of every app were reached (intake, household, outreach, meetings, …).
    assert len(fuzzed) >= 30, fuzzed
