"""Rows that add records of several kinds. 事務局相談受付件数: what reached the
coordinating section — consultations at its window, つなぐシート addressed to
it, cases it opened — each escalation once, the drill-down listing the same
records; 「*委託事業件数と合算」: consultations plus the contractor's counted
entries. Every row's counting rule is on the page; the migration moves an
installed section row."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case
from tsunagu.consultations.models import Consultation, Outcome
from tsunagu.core import tenancy
from tsunagu.referrals.models import Referral, Status
from tsunagu.reports import metrics, rollups
from tsunagu.reports.business import business_report
from tsunagu.reports.forms_business import ReportRowForm
from tsunagu.reports.layout import RowSpec, TableSpec, report_layout_install
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, RecordKind, ReportRow
from tsunagu.tests.case_factories import case
from tsunagu.tests.factories import Ward
from tsunagu.tests.resident_factories import consultation, household, referral, transition

pytestmark = pytest.mark.django_db

YEAR = Period.fiscal_year(2024)
QUARTER = Period(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))

LAYOUT = (
    TableSpec(2, "相談受付件数・支援会議等開催数", rows=(
        RowSpec("相談受付件数", Metric.RECEIVED, "福祉政策課"),
        RowSpec("窓口の相談受付", Metric.CONSULTATIONS, "福祉政策課"),
    )),
)  # fmt: skip


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _sent_on(found: Referral, day: datetime.date) -> Referral:
    """The services stamp "now" when a つなぐシート is sent: put it on ``day``."""
    Referral.all_tenants.filter(pk=found.pk).update(sent_at=_at(day))
    return found


@pytest.fixture
def escalations(ward: Ward) -> dict[str, list[tuple[str, int]]]:
    """Escalations of every shape, and what the section's row must count of
    them in 令和6年度 and 令和7年4月〜6月 (as (resource, id))."""
    counselor = ward.member(Role.COUNSELOR)
    coordinator = ward.member(Role.COORDINATOR)
    section, centre = ward.coordinating, ward.center
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=coordinator, layout=LAYOUT)
    year: list[tuple[str, int]] = []
    quarter: list[tuple[str, int]] = []

    # A consultation taken at the section's window.
    window = consultation(coordinator, section, received_at=_at(datetime.date(2024, 5, 7)))
    year.append(("consultation", window.pk))
    # A つなぐシート only: the centre sends it, the section has not answered yet.
    only_sheet = _sent_on(
        referral(counselor, centre, section, household(counselor, centre)),
        datetime.date(2024, 6, 3),
    )
    year.append(("referral", only_sheet.pk))
    # A case only: the section opens it from the centre's consultation
    # (多機関協働へ), with no つなぐシート; the centre's consultation is not the
    # section's.
    family = household(counselor, centre)
    escalated = consultation(
        counselor, centre, family, outcome=Outcome.ESCALATE, received_at=_at(datetime.date(2024, 7, 1))
    )  # fmt: skip
    only_case = case(
        coordinator, section, family, opened_on=datetime.date(2024, 7, 2), consultations=[escalated]
    )
    year.append(("case", only_case.pk))
    # A つなぐシート that became a case: one escalation, counted as the sheet.
    family = household(counselor, centre)
    sheet = _sent_on(referral(counselor, centre, section, family), datetime.date(2024, 10, 1))
    transition(coordinator, section, sheet, Status.ACCEPTED)
    case(coordinator, section, family, opened_on=datetime.date(2024, 10, 3), referral=sheet)
    year.append(("referral", sheet.pk))
    # Sent in March, opened as a case in April: counted once, in March's year.
    family = household(counselor, centre)
    late = _sent_on(referral(counselor, centre, section, family), datetime.date(2025, 3, 28))
    transition(coordinator, section, late, Status.ACCEPTED)
    case(coordinator, section, family, opened_on=datetime.date(2025, 4, 2), referral=late)
    year.append(("referral", late.pk))
    # A consultation at the section's window that became a case: counted as the consultation.
    family = household(counselor, centre)
    walked_in = consultation(
        coordinator, section, family, outcome=Outcome.ESCALATE, received_at=_at(datetime.date(2024, 11, 5))
    )  # fmt: skip
    case(
        coordinator,
        section,
        family,
        opened_on=datetime.date(2024, 11, 6),
        consultations=[walked_in],
    )
    year.append(("consultation", walked_in.pk))
    # Returned (差戻し): it did reach the section.
    returned = _sent_on(
        referral(counselor, centre, section, household(counselor, centre)),
        datetime.date(2024, 12, 2),
    )
    transition(coordinator, section, returned, Status.REJECTED)
    year.append(("referral", returned.pk))
    # In the quarter: a case the section opened for a household whose
    # つなぐシート went to another organization (a case escalates only from a
    # sheet addressed to the section, so the sheet is not the case's), and a
    # sheet sent in it.
    family = household(counselor, centre)
    _sent_on(referral(counselor, centre, ward.other_center, family), datetime.date(2025, 4, 10))
    quarter_case = case(coordinator, section, family, opened_on=datetime.date(2025, 4, 21))
    quarter.append(("case", quarter_case.pk))
    in_quarter = _sent_on(
        referral(counselor, centre, section, household(counselor, centre)),
        datetime.date(2025, 6, 30),
    )
    quarter.append(("referral", in_quarter.pk))

    # Not counted: a draft, a sheet the sender withdrew, one the section sent,
    # the centre's consultations, an archived consultation at the window.
    referral(counselor, centre, section, household(counselor, centre), send=False)
    withdrawn = _sent_on(
        referral(counselor, centre, section, household(counselor, centre)),
        datetime.date(2024, 8, 1),
    )
    transition(counselor, centre, withdrawn, Status.CANCELLED)
    _sent_on(
        referral(coordinator, section, centre, household(counselor, centre)),
        datetime.date(2024, 9, 2),
    )
    consultation(counselor, centre, received_at=_at(datetime.date(2024, 9, 3)))
    gone = consultation(coordinator, section, received_at=_at(datetime.date(2024, 9, 4)))
    with tenancy.tenant_context(ward.municipality):
        Consultation.objects.filter(pk=gone.pk).update(archived_at=timezone.now())
    # Archived here directly (no service archives a consultation): its month again.
    rollups.refresh(
        municipality_id=gone.municipality_id,
        record_kind=RecordKind.CONSULTATION,
        days=[gone.received_at],
    )
    return {"year": year, "quarter": quarter}


def _row(ward: Ward, label: str = "相談受付件数") -> ReportRow:
    with tenancy.tenant_context(ward.municipality):
        return ReportRow.objects.select_related("organization").get(label=label)


def _records(ward: Ward, row: ReportRow, period: Period) -> list[tuple[str, int]]:
    with tenancy.tenant_context(ward.municipality):
        return sorted(
            (resource, pk)
            for resource, records in metrics.parts(row, period)
            for pk in records.values_list("pk", flat=True)
        )


def test_each_escalation_reaching_the_section_counts_once(
    ward: Ward, escalations: dict[str, list[tuple[str, int]]]
) -> None:
    row = _row(ward)
    assert _records(ward, row, YEAR) == sorted(escalations["year"])
    assert _records(ward, row, QUARTER) == sorted(escalations["quarter"])
    with tenancy.tenant_context(ward.municipality):
        assert metrics.figure(row, YEAR) == 7
        assert metrics.figure_parts(row, YEAR) == [
            ("consultation", 2),
            ("referral", 4),
            ("case", 1),
        ]
        assert metrics.figure(row, QUARTER) == 2
        values = {line.row.label: line.values for line in business_report((YEAR, QUARTER)).rows()}
        # Five cases were opened in all; the window alone saw two consultations.
        assert Case.objects.count() == 5
    assert values == {"相談受付件数": [7, 2], "窓口の相談受付": [2, 0]}


def test_the_drill_down_lists_the_records_the_figure_counts(
    ward: Ward, escalations: dict[str, list[tuple[str, int]]]
) -> None:
    row = _row(ward)
    client = Client()
    client.force_login(ward.member(Role.COORDINATOR))
    api = client.get(
        f"/api/v1/reports/business/rows/{row.pk}/records?start=2024-04-01&end=2025-03-31"
    ).json()
    assert api["figure"] == 7
    assert api["resource"] == "consultation,referral,case"
    assert sorted((r["resource"], r["id"]) for r in api["records"]) == sorted(escalations["year"])
    page = client.get(f"/reports/business/rows/{row.pk}/1/?start1=2024-04-01&end1=2025-03-31")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["visible_count"] == page.context["figure"] == 7
    assert [line[1:] for line in page.context["breakdown"]] == [(2, 2), (4, 4), (1, 1)]
    with tenancy.tenant_context(ward.municipality):
        for resource, pk in escalations["year"]:
            model = {"consultation": Consultation, "referral": Referral, "case": Case}[resource]
            assert model.objects.get(pk=pk).number in html
    assert "多機関協働ケース" in html and "つなぐシート" in html
    assert "同じ相談は一度だけ数えます" in html


def test_a_centre_sees_its_own_sheets_behind_the_figure_but_not_the_section_s_records(
    ward: Ward, escalations: dict[str, list[tuple[str, int]]]
) -> None:
    row = _row(ward)
    client = Client()
    client.force_login(ward.member(Role.COUNSELOR))
    api = client.get(
        f"/api/v1/reports/business/rows/{row.pk}/records?start=2024-04-01&end=2025-03-31"
    ).json()
    assert api["figure"] == 7
    listed = {(r["resource"], r["id"]) for r in api["records"]}
    # The sheets the centre sent, nothing of the section's window or cases.
    assert listed == {item for item in escalations["year"] if item[0] == "referral"}
    manager = Client()
    manager.force_login(ward.member(Role.MANAGER))
    assert manager.get(f"/reports/business/rows/{row.pk}/1/?start1=2024-04-01&end1=2025-03-31").status_code == 404  # fmt: skip


def test_every_row_states_its_counting_rule_on_the_page(
    ward: Ward, escalations: dict[str, list[tuple[str, int]]]
) -> None:
    client = Client()
    client.force_login(ward.member(Role.MANAGER))
    html = client.get(
        "/reports/business/?c1_year=2024&c1_from=4&c1_to=3&c2_year=2025&c2_from=4&c2_to=6"
    ).content.decode()
    assert html.count('<details class="row-rule muted">') == 2
    assert "福祉政策課宛てに送付されたつなぐシート" in html
    assert "福祉政策課で受け付けた相談受付の件数（延べ）" in html
    body = client.get(
        "/api/v1/reports/business?start1=2024-04-01&end1=2025-03-31&start2=2025-04-01&end2=2025-06-30"
    ).json()
    rows = [row for s in body["sections"] for t in s["tables"] for row in t["rows"]]
    assert [row["values"] for row in rows] == [[7, 2], [2, 0]]
    assert all(row["rule"] for row in rows)


@pytest.mark.parametrize(
    ("spec", "phrase"),
    [
        (RowSpec("", Metric.MEETINGS_HELD, option="support_meeting"), "オブザーバーとして参加した会議も含みます"),
        (RowSpec("", Metric.PLAN_OUTREACH), "アウトリーチ記録（会えなかった働きかけも含む）がある世帯の数"),
        (RowSpec("", Metric.PLAN_PARTICIPATIONS), "プランの前の参加支援は数えません"),
        (RowSpec("", Metric.ACTIVITIES, district="北", option="individual:individual_support:direct"), "地区: 北"),
        (RowSpec("", Metric.COUNTED, "地域包括支援センター北", option="ひろば利用者数"), "件数入力「ひろば利用者数」の合計（地域包括支援センター北）"),
        (RowSpec("", Metric.CONSULTATIONS, "地域包括支援センター北", include_branches=True), "地域包括支援センター北（分室・支所を含む）で受け付けた"),
        (RowSpec("", Metric.ENTERED), "記録からは数えない項目です"),
    ],
)  # fmt: skip
def test_each_kind_of_row_has_a_rule_in_japanese(ward: Ward, spec: RowSpec, phrase: str) -> None:
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(
            actor=ward.member(Role.SYSADMIN), layout=(TableSpec(1, "", rows=(spec,)),)
        )
        row = ReportRow.objects.select_related("organization", "district").get()
        assert phrase in metrics.counting_rule(row)


def test_a_row_counting_what_reached_an_organization_names_it(ward: Ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        form = ReportRowForm({"label": "相談受付件数", "metric": Metric.RECEIVED, "sort_order": 1})
        assert not form.is_valid()
        assert "受付機関を選んでください" in str(form.errors["organization"])


def test_a_row_adds_the_contractors_counted_figure_to_its_consultations(ward: Ward) -> None:
    """「*委託事業件数と合算」: the contractor's monthly counted entries are added
    to the consultations; the row counted alone, the page and the drill-down agree."""
    from tsunagu.activities.models import CountedEntry

    counselor = ward.member(Role.COUNSELOR)
    layout = (
        TableSpec(1, "ネウボラ相談件数", rows=(
            RowSpec("センター北", Metric.CONSULTATIONS, "地域包括支援センター北", option="委託 相談件数",
                    cell_note="*委託事業件数と合算"),
        )),
    )  # fmt: skip
    consultation(counselor, ward.center, received_at=_at(datetime.date(2024, 5, 1)))
    consultation(counselor, ward.center, received_at=_at(datetime.date(2025, 5, 1)))
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=ward.member(Role.SYSADMIN), layout=layout)
        for month, count in ((datetime.date(2024, 4, 1), 30), (datetime.date(2025, 3, 1), 12), (datetime.date(2025, 4, 1), 5)):  # fmt: skip
            CountedEntry.objects.create(
                organization=ward.center, item="委託 相談件数", month=month, count=count
            )
        # Another item, or another organization's entry, is not added.
        CountedEntry.objects.create(
            organization=ward.center,
            item="ひろば利用者数",
            month=datetime.date(2024, 4, 1),
            count=99,
        )
        rollups.rebuild(ward.municipality.pk)  # the entries above were written directly
        row = ReportRow.objects.select_related("organization").get()
        assert [line.values for line in business_report((YEAR, QUARTER)).rows()] == [[43, 6]]
        assert [metrics.figure(row, p) for p in (YEAR, QUARTER)] == [43, 6]
        assert metrics.figure_parts(row, YEAR) == [("consultation", 1), ("counted_entry", 42)]
        assert "件数入力「委託 相談件数」" in metrics.counting_rule(row)
    client = Client()
    client.force_login(counselor)
    page = client.get(f"/reports/business/rows/{row.pk}/1/?start1=2024-04-01&end1=2025-03-31")
    assert page.status_code == 200
    assert page.context["figure"] == page.context["visible_count"] == 43
    assert [line[1:] for line in page.context["breakdown"]] == [(1, 1), (42, 42)]


def test_the_migration_moves_an_installed_section_row_and_only_it(ward: Ward) -> None:
    """Installed before issue 17, the standard layout's 多機関協働 row counted the
    section's consultations: the migration makes it count what reached the section."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tsunagu.reports.migrations.0002_received_metric")
    layout = (
        TableSpec(1, "窓口", rows=(
            RowSpec("事務局の窓口", Metric.CONSULTATIONS, "福祉政策課"),
            RowSpec("北", Metric.CONSULTATIONS, "地域包括支援センター北", option="support_meeting"),
        )),
        TableSpec(2, "相談受付件数・支援会議等開催数", rows=(
            RowSpec("相談受付件数", Metric.CONSULTATIONS, "福祉政策課"),
            RowSpec("センター", Metric.CONSULTATIONS, "地域包括支援センター北"),
        )),
    )  # fmt: skip
    with tenancy.tenant_context(ward.municipality):
        report_layout_install(actor=ward.member(Role.SYSADMIN), layout=layout)
        # The live models' managers see one municipality (a migration's see all).
        migration.count_what_reached_the_section(apps, None)
        rows = {row.label: (row.metric, row.option) for row in ReportRow.objects.all()}
    assert rows == {
        "事務局の窓口": (Metric.CONSULTATIONS, ""),  # not business II: as configured
        "北": (Metric.CONSULTATIONS, ""),  # a meaningless option left by a form is cleared
        "相談受付件数": (Metric.RECEIVED, ""),
        "センター": (Metric.CONSULTATIONS, ""),
    }
