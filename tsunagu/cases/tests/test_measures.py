"""Process measures: days from the first consultation to the first 支援会議, to
consent and to a plan, and the cases waiting for consent — over the cases the
viewer may see."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsunagu import policy
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.cases.measures import (
    CaseMeasure,
    Start,
    case_measures,
    intervals,
    measures,
    waiting_for_consent,
)
from tsunagu.cases.models import Case, Stage
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of
from tsunagu.directory.models import Organization
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import add_member

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def case_with_history(
    ward,
    day0: datetime.date,
    meeting_after: int | None = None,
    consent_after: int | None = None,
    plan: bool = False,
    link_consultation: bool = True,
    organization: Organization | None = None,
    coordinator=None,
    **case_fields,
) -> Case:
    """A case whose household was first consulted on ``day0``, with a held
    支援会議, a consent and a confirmed plan so many days later."""
    coordinator = coordinator or ward.member(Role.COORDINATOR)
    organization = organization or ward.coordinating
    household = rf.household(coordinator, organization)
    first = rf.consultation(coordinator, organization, household=household, received_at=at(day0))
    case_fields.setdefault("opened_on", day0 + datetime.timedelta(days=2))
    case = cf.case(
        coordinator,
        organization,
        household,
        consultations=[first] if link_consultation else [],
        **case_fields,
    )
    if meeting_after is not None:
        meeting = cf.meeting(
            coordinator, organization, held_on=day0 + datetime.timedelta(days=meeting_after)
        )
        cf.on_agenda(coordinator, meeting, case)
        cf.hold(coordinator, meeting)
    if consent_after is not None:
        obtained = day0 + datetime.timedelta(days=consent_after)
        cf.consent(
            coordinator,
            case,
            organizations=[ward.center],
            obtained_on=obtained,
            valid_from=obtained,
        )
    if plan:
        cf.active_plan(coordinator, case)  # confirmed today
    return Case.all_tenants.get(pk=case.pk)


def measured(ward, cases) -> list[CaseMeasure]:
    with tenancy.tenant_context(ward.municipality):
        return case_measures(Case.objects.filter(pk__in=[c.pk for c in cases]))


def test_days_from_the_first_consultation_to_each_step(ward) -> None:
    today = timezone.localdate()
    day0 = today - datetime.timedelta(days=45)
    case = case_with_history(ward, day0, meeting_after=10, consent_after=30, plan=True)
    [row] = measured(ward, [case])
    assert row.start == Start.CASE_CONSULTATION and row.start_on == day0
    assert row.support_meeting_on == day0 + datetime.timedelta(days=10)
    assert (row.days_to_support_meeting, row.days_to_consent, row.days_to_plan) == (10, 30, 45)
    assert not row.waiting_for_consent


def test_the_clock_starts_at_the_household_or_the_opening_when_no_case_consultation(ward):
    today = timezone.localdate()
    by_household = case_with_history(
        ward, today - datetime.timedelta(days=20), meeting_after=5, link_consultation=False
    )
    [row] = measured(ward, [by_household])
    assert row.start == Start.HOUSEHOLD_CONSULTATION
    assert row.days_to_support_meeting == 5
    assert row.days_to_consent is None and row.days_to_plan is None
    # Consultations the viewer may not see do not count: the case's opening does.
    with tenancy.tenant_context(ward.municipality):
        [row] = case_measures(
            Case.objects.filter(pk=by_household.pk), consultations=Consultation.objects.none()
        )
    assert row.start == Start.OPENED and row.start_on == by_household.opened_on
    assert row.days_to_support_meeting == 3


def test_median_and_mean_over_the_cases_that_reached_each_step(ward) -> None:
    today = timezone.localdate()
    cases = [
        case_with_history(ward, today - datetime.timedelta(days=90), meeting_after=10),
        case_with_history(ward, today - datetime.timedelta(days=90), meeting_after=20),
        case_with_history(
            ward, today - datetime.timedelta(days=90), meeting_after=60, consent_after=70
        ),
        case_with_history(ward, today - datetime.timedelta(days=5)),  # no meeting yet
    ]
    summary = {interval.key: interval for interval in intervals(measured(ward, cases))}
    assert (summary["support_meeting"].count, summary["support_meeting"].median) == (3, 20)
    assert summary["support_meeting"].mean == 30
    assert (summary["consent"].count, summary["consent"].median) == (1, 70)
    assert (summary["plan"].count, summary["plan"].median, summary["plan"].mean) == (0, None, None)


def _row(case_id: int, meeting: int | None, consent: int | None = None, stage=Stage.SUPPORTING):
    day0 = datetime.date(2025, 4, 1)

    def on(days: int | None) -> datetime.date | None:
        return day0 + datetime.timedelta(days=days) if days is not None else None

    return CaseMeasure(
        case_id=case_id,
        number=f"C{case_id:07d}",
        title="t",
        stage=stage,
        organization="福祉政策課",
        opened_on=day0,
        start_on=day0,
        start=Start.CASE_CONSULTATION,
        support_meeting_on=on(meeting),
        consent_on=on(consent),
        plan_on=None,
    )


def test_median_of_an_even_count_and_mean_rounded() -> None:
    summary = intervals([_row(1, 10), _row(2, 15), _row(3, 40, 41), _row(4, 1), _row(5, None)])
    meeting = summary[0]
    assert (meeting.count, meeting.median, meeting.mean) == (4, 12.5, 16.5)
    assert summary[1].count == 1 and summary[1].mean == 41


def test_cases_waiting_for_consent_longest_first(ward) -> None:
    today = timezone.localdate()
    old = case_with_history(
        ward,
        today - datetime.timedelta(days=200),
        meeting_after=30,
        opened_on=today - datetime.timedelta(days=190),
    )
    recent = case_with_history(
        ward, today - datetime.timedelta(days=20), opened_on=today - datetime.timedelta(days=12)
    )
    consented = case_with_history(ward, today - datetime.timedelta(days=300), consent_after=100)
    consented = cf.to_stage(ward.member(Role.COORDINATOR), consented, Stage.ASSESSMENT)
    consented = cf.to_stage(ward.member(Role.COORDINATOR), consented, Stage.CONSENTED)
    waiting = waiting_for_consent(measured(ward, [recent, consented, old]), today)
    assert [w.measure.case_id for w in waiting] == [old.pk, recent.pk]
    assert waiting[0].days_since_opened == 190
    assert waiting[0].days_since_support_meeting == 170
    assert waiting[0].measure.stage == Stage.MEETING_REVIEW
    assert waiting[1].days_since_opened == 12
    assert waiting[1].days_since_support_meeting is None


def test_filters_by_fiscal_year_and_coordinating_section(ward) -> None:
    today = timezone.localdate()
    coordinator = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        second = Organization.objects.create(
            name="福祉総合相談課", kind=Organization.Kind.DEPARTMENT, is_coordinating=True
        )
    add_member(coordinator, second, Role.COORDINATOR)
    this_year = case_with_history(ward, today - datetime.timedelta(days=3), opened_on=today)
    start_of_year = datetime.date(fiscal_year_of(today), 4, 1)
    last_year = case_with_history(
        ward,
        start_of_year - datetime.timedelta(days=40),
        opened_on=start_of_year - datetime.timedelta(days=1),
    )
    elsewhere = case_with_history(ward, today - datetime.timedelta(days=3), organization=second)
    with tenancy.tenant_context(ward.municipality):
        visible = policy.visible(coordinator, "case", policy.Action.LIST)
        everything = measures(visible, today)
        this_fy = measures(visible, today, fiscal_year=fiscal_year_of(today))
        second_only = measures(visible, today, organization_id=second.pk)
    assert {r.case_id for r in everything.cases} == {this_year.pk, last_year.pk, elsewhere.pk}
    assert {r.case_id for r in this_fy.cases} == {this_year.pk, elsewhere.pk}
    assert {r.case_id for r in second_only.cases} == {elsewhere.pk}


def test_the_page_lists_visible_cases_without_names_and_is_audited(client, ward) -> None:
    today = timezone.localdate()
    coordinator = ward.member(Role.COORDINATOR)
    case = case_with_history(
        ward,
        today - datetime.timedelta(days=45),
        meeting_after=10,
        consent_after=30,
        plan=True,
        title="8050・子のひきこもり",
    )
    waiting = case_with_history(ward, today - datetime.timedelta(days=60), meeting_after=7)
    client.force_login(coordinator)
    page = client.get(reverse("cases:measures"))
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in text
    assert case.number in text and "8050・子のひきこもり" in text
    assert waiting.number in text
    assert "鈴木" not in text  # no resident's name, only the case's number and summary
    assert "45日" in text and "30日" in text and "10日" in text
    assert "本人同意を待っているケース" in text
    event = AuditEvent.objects.filter(actor=coordinator, action=AuditAction.LIST).latest("id")
    assert event.object_type == "cases.case"
    assert sorted(event.detail["shown"]) == sorted([case.pk, waiting.pk])

    # The fiscal-year filter offers 和暦 labels and narrows the set.
    previous = case_with_history(
        ward, today - datetime.timedelta(days=500), opened_on=today - datetime.timedelta(days=400)
    )
    text = client.get(reverse("cases:measures")).content.decode()
    assert previous.number in text
    assert fiscal_year_label(fiscal_year_of(today)) in text
    assert fiscal_year_label(fiscal_year_of(previous.opened_on)) in text
    filtered = client.get(reverse("cases:measures"), {"fiscal_year": fiscal_year_of(today)})
    assert filtered.status_code == 200
    assert case.number in filtered.content.decode()
    assert previous.number not in filtered.content.decode()


def test_an_organization_without_a_case_basis_sees_no_case(client, ward) -> None:
    today = timezone.localdate()
    case = case_with_history(ward, today - datetime.timedelta(days=45), meeting_after=10)
    client.force_login(ward.member(Role.COUNSELOR))
    page = client.get(reverse("cases:measures"))
    assert page.status_code == 200
    assert case.number not in page.content.decode()
    event = AuditEvent.objects.filter(
        actor=ward.member(Role.COUNSELOR), action=AuditAction.LIST
    ).latest("id")
    assert event.detail["shown"] == []


@pytest.mark.parametrize("role", [Role.GUEST, Role.SYSADMIN, Role.AUDITOR])
def test_roles_without_casework_are_refused(client, ward, role) -> None:
    client.force_login(ward.member(role))
    assert client.get(reverse("cases:measures")).status_code == 403


def test_the_page_needs_the_same_queries_for_more_cases(client, ward) -> None:
    today = timezone.localdate()
    case_with_history(
        ward, today - datetime.timedelta(days=45), meeting_after=10, consent_after=30, plan=True
    )
    client.force_login(ward.member(Role.COORDINATOR))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("cases:measures")).status_code == 200
        return len(captured)

    client.get(reverse("cases:measures"))  # the session's first request records its activity
    before = queries()
    for days in (20, 50, 80):
        case_with_history(ward, today - datetime.timedelta(days=days), meeting_after=5)
    assert queries() == before
