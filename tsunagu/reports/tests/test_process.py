"""Process measures counted from records built with known counts: how the
relationship stage moved, days to 支援会議・同意・プラン by the year cases were
opened, supports before a plan and plan-based ones; and the page of charts a
manager reads (no names, audited, refused to a guest)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.cases.models import Case
from tsunagu.core import tenancy
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of
from tsunagu.outreach.models import OutreachContact, Stage
from tsunagu.plans.models import SupportPlan
from tsunagu.reports.process import process_charts, process_measures, stage_changes
from tsunagu.reports.tests.test_survey import (
    NEW,
    archive,
    at,
    confirmed_plan,
    contacts,
    day,
    household,
    last_full_year,
    member,
    path,
    sitting,
)
from tsunagu.tests import case_factories as cf
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.factories import Ward
from tsunagu.tests.resource_factories import resource

pytestmark = pytest.mark.django_db

NAMES = ("青木", "井上", "上田", "江口", "小林", "中村", "松本", "森田", "山田")


def test_stage_changes_compare_the_start_of_the_year_with_its_end(ward: Ward) -> None:
    fy = last_full_year()
    csw, office = ward.member(Role.COORDINATOR), ward.coordinating
    homes = [household(csw, office, name) for name in NAMES[:6]]
    before, during = at(day(fy - 1, 3, 1)), [at(day(fy, 6, 1)), at(day(fy, 9, 1))]
    # Moved up: 接触 before the year, 会話 then 関係構築 in it.
    contacts(csw, office, homes[0], [before], Stage.CONTACT)
    contacts(csw, office, homes[0], during[:1], Stage.CONVERSATION)
    contacts(csw, office, homes[0], during[1:], Stage.RELATIONSHIP)
    # Moved up: first reached in the year.
    contacts(csw, office, homes[1], during[:1], Stage.CONTACT)
    # Moved back: 会話 before, only 接触 at the end of the year.
    contacts(csw, office, homes[2], [before], Stage.CONVERSATION)
    contacts(csw, office, homes[2], during, Stage.CONTACT)
    # Unchanged: still 接触; and never reached at all (twelve closed doors).
    contacts(csw, office, homes[3], [before], Stage.CONTACT)
    contacts(csw, office, homes[3], during, Stage.CONTACT)
    contacts(csw, office, homes[4], [at(day(fy, 5, d)) for d in range(1, 13)], Stage.NONE)
    # Not counted: nothing in the year; an archived contact that would move it up.
    contacts(csw, office, homes[5], [before], Stage.CONTACT)
    archive(OutreachContact, *contacts(csw, office, homes[5], during[:1], Stage.CONSULTATION))
    start, end = day(fy, 4, 1), day(fy, 3, 31)
    with tenancy.tenant_context(ward.municipality):
        found = stage_changes(OutreachContact.objects.filter(archived_at=None), start, end)
    assert (found.households, found.moved_up, found.unchanged, found.moved_back) == (5, 2, 2, 1)
    assert dict(found.by_stage) == {"接触": 1, "会話": 0, "関係構築": 1, "相談・同意": 0}


def _case_with_steps(
    ward: Ward,
    name: str,
    day0: datetime.date,
    meeting: int | None = None,
    consent: int | None = None,
    plan: int | None = None,
) -> Case:
    """A case whose household was first consulted on ``day0``, opened two days
    later, with a held 支援会議, a consent and a confirmed plan so many days after."""
    coordinator, office = ward.member(Role.COORDINATOR), ward.coordinating
    home = household(coordinator, office, name)
    first = rf.consultation(coordinator, office, household=home, received_at=at(day0))
    case = cf.case(
        coordinator,
        office,
        home,
        consultations=[first],
        opened_on=day0 + datetime.timedelta(days=2),
    )
    if meeting is not None:
        sitting(
            coordinator,
            office,
            day0 + datetime.timedelta(days=meeting),
            [(case, "support_meeting", NEW)],
        )
    if consent is not None:
        obtained = day0 + datetime.timedelta(days=consent)
        cf.consent(
            coordinator, case, covers_case_team=True, obtained_on=obtained, valid_from=obtained
        )
    if plan is not None:
        confirmed_plan(coordinator, case, at(day0 + datetime.timedelta(days=plan)), consent=False)
    return case


def test_days_to_each_step_by_the_year_cases_were_opened(ward: Ward) -> None:
    fy = last_full_year()
    _case_with_steps(ward, "青木", day(fy, 5, 1), meeting=10, consent=30, plan=45)
    _case_with_steps(ward, "井上", day(fy, 6, 1), meeting=20, consent=50)
    _case_with_steps(ward, "上田", day(fy - 1, 5, 1), meeting=7)
    _case_with_steps(ward, "江口", day(fy - 3, 5, 1), meeting=1)  # four years back: not compared
    with tenancy.tenant_context(ward.municipality):
        figures = process_measures(fy, today=day(fy + 1, 6, 1))
    assert [y.fiscal_year for y in figures.years] == [fy - 2, fy - 1, fy]
    assert [y.cases for y in figures.years] == [0, 1, 2]
    this_year = figures.years[-1]
    assert (
        this_year.median("support_meeting"),
        this_year.median("consent"),
        this_year.median("plan"),
    ) == (
        15,
        40,
        45,
    )
    assert figures.years[1].median("support_meeting") == 7
    assert figures.years[1].median("consent") is None
    assert figures.years[0].median("support_meeting") is None
    chart = process_charts(figures).intervals
    assert chart.columns == ["初回の支援会議まで", "本人同意まで", "プラン確定まで"]
    assert chart.rows[-1] == (fiscal_year_label(fy), ["15日", "40日", "45日"])
    assert chart.rows[0] == (fiscal_year_label(fy - 2), ["—", "—", "—"])


def test_supports_before_a_plan_and_plan_based(ward: Ward) -> None:
    fy = last_full_year()
    coordinator, office = ward.member(Role.COORDINATOR), ward.coordinating
    planned = _case_with_steps(ward, "松本", day(fy, 4, 2), consent=1, plan=20)
    SupportPlan.all_tenants.filter(case=planned).update(uses_outreach=True)
    plan = SupportPlan.all_tenants.get(case=planned)
    # The planned household: one contact before the plan, one under it.
    contacts(coordinator, office, planned.household, [at(day(fy, 4, 10))], case=planned)
    contacts(coordinator, office, planned.household, [at(day(fy, 6, 1))], case=planned)
    # Another household, reached out to with no plan at all.
    contacts(coordinator, office, household(coordinator, office, "森田"), [at(day(fy, 7, 1))])
    cafe = resource(ward.municipality, "ふれあい農園")
    path(coordinator, office, member(planned), cafe, day(fy, 6, 2), plan=plan)
    other = rf.person(coordinator, office, family_name="山田", given_name="実")
    rf.household(coordinator, office, head=other)
    path(coordinator, office, other, cafe, day(fy, 5, 1))
    path(coordinator, office, other, resource(ward.municipality, "囲碁の会"), day(fy, 9, 1))
    with tenancy.tenant_context(ward.municipality):
        figures = process_measures(fy, today=day(fy + 1, 6, 1))
    assert (figures.participation.plan_based, figures.participation.before_plan) == (1, 2)
    assert figures.outreach.households == 2
    assert (figures.outreach_with_plan, figures.outreach_without_plan) == (1, 1)
    charts = process_charts(figures)
    assert charts.participation.rows == [
        ("支援プラン開始前", ["2件"]),
        ("支援プランに基づく", ["1件"]),
    ]
    assert charts.outreach_plan.rows == [
        ("支援プランなし（開始前）", ["1世帯"]),
        ("支援プランに基づく", ["1世帯"]),
    ]


def test_the_current_year_charts_the_months_so_far_only(ward: Ward) -> None:
    today = timezone.localdate()
    fy = fiscal_year_of(today)
    with tenancy.tenant_context(ward.municipality):
        figures = process_measures(fy, today=today)
    rows = process_charts(figures).outreach_months.rows
    assert len(rows) == 12
    counted = figures.months_counted
    assert all(cells == ["0", "0"] for _label, cells in rows[:counted])
    assert all(cells == ["—", "—"] for _label, cells in rows[counted:])


def test_a_manager_reads_the_charts_with_no_name_on_them(
    ward: Ward, django_assert_max_num_queries
) -> None:
    fy = fiscal_year_of(timezone.localdate())
    coordinator, office = ward.member(Role.COORDINATOR), ward.coordinating
    home = household(coordinator, office, "小林")
    contacts(
        coordinator, office, home, [timezone.now() - datetime.timedelta(hours=1)], Stage.CONTACT
    )
    case = _case_with_steps(ward, "中村", day(fy - 1, 5, 1), meeting=3)
    client = Client()
    client.force_login(ward.member(Role.MANAGER))
    with django_assert_max_num_queries(28):
        response = client.get(reverse("reports:process"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>プロセス指標</h1>" in page
    assert page.count('role="img"') == 6
    assert page.count("<details") == 6
    assert "reports/charts.css" in page
    assert "style=" not in page and "<script>" not in page
    for name in ("小林", "中村", "和子"):
        assert name not in page
    assert case.number not in page and case.title not in page
    event = AuditEvent.objects.filter(object_type="reports.process").latest("id")
    assert event.action == AuditAction.LIST and event.detail["fiscal_year"] == fy


def test_another_year_is_chosen_on_the_page(ward: Ward) -> None:
    client = Client()
    client.force_login(ward.member(Role.COUNSELOR))
    fy = last_full_year()
    page = client.get(reverse("reports:process"), {"fiscal_year": fy}).content.decode()
    assert f"<h2>{fiscal_year_label(fy)}</h2>" in page


def test_an_external_guest_is_refused(ward: Ward) -> None:
    client = Client()
    client.force_login(ward.member(Role.GUEST))
    assert client.get(reverse("reports:process")).status_code == 403
