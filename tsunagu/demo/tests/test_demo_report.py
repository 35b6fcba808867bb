"""The demo ward's business report reproduces seed 000, figure by figure,
counted from the records by the report's own code; its Excel export holds
the same figures in the same layout; a manager reads it but drills into
nothing."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tsunagu.cases.models import Case
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.report_figures import seed_periods
from tsunagu.demo.tests.conftest import Loaded, staff
from tsunagu.referrals.models import Referral
from tsunagu.referrals.models import Status as ReferralStatus
from tsunagu.reports import metrics, rollups
from tsunagu.reports.business import business_report
from tsunagu.reports.layout import SEED_000_LAYOUT
from tsunagu.reports.models import Metric, RecordKind, ReportRow
from tsunagu.tests.two_factor import force_login_verified

pytestmark = pytest.mark.django_db

#: The seed's figures in the layout's order: (table title, row label, 令和6年度, 令和7年4月〜6月).
SEED_FIGURES = [
    (table.heading or table.title, f"{table.title}{table.note}", row.label, *row.seed)
    for table in SEED_000_LAYOUT
    for row in table.rows
]

#: The seed's query string: 1列目 令和6年度 (4月〜3月), 2列目 令和7年度 4月〜6月.
SEED_QUERY = "c1_year=2024&c1_from=4&c1_to=3&c2_year=2025&c2_from=4&c2_to=6"


def _signed_in(username: str) -> Client:
    return force_login_verified(Client(), staff(username))


def test_the_report_reproduces_every_figure_of_seed_000(demo: Municipality) -> None:
    report = business_report(seed_periods())
    lines = list(report.rows())
    assert len(lines) == len(SEED_FIGURES) == 72
    mismatches = []
    for line, (heading, title, label, year, quarter) in zip(lines, SEED_FIGURES, strict=True):
        assert line.row.label == label
        for shown, expected, column in ((line.values[0], year, "令和6年度"), (line.values[1], quarter, "令和7年4月〜6月")):  # fmt: skip
            if expected is not None and shown != expected:
                mismatches.append(f"{heading} {title} {label} {column}: {shown} ≠ {expected}")
    assert mismatches == []
    # The headings read as the seed's: 「令和6年度件数」「令和7年4月〜6月件数」.
    first = report.sections[0].tables[0]
    assert first.headings == ["令和6年度件数", "令和7年4月〜6月件数"]
    plaza = report.sections[0].tables[2]
    assert plaza.headings == ["令和6年度利用者数", "令和7年4月〜6月利用者数"]


def test_figures_are_counted_from_records_not_typed(demo: Municipality) -> None:
    """A consultation more at 富坂's branch (分室) is one more in 富坂's figure."""
    year, _quarter = seed_periods()
    row = ReportRow.objects.get(
        table__heading="高齢者あんしん相談センター（分室含む）", label="富坂"
    )
    before = metrics.figure(row, year)
    first, after = year.moments()
    template = Consultation.objects.filter(
        organization__name="高齢者あんしん相談センター富坂分室",
        received_at__gte=first,
        received_at__lt=after,
    ).first()
    assert template is not None
    template.pk = None
    template.save()
    # Copied here, not received through the service: its month counted again.
    rollups.refresh(
        municipality_id=template.municipality_id,
        record_kind=RecordKind.CONSULTATION,
        days=[template.received_at],
    )
    assert metrics.figure(row, year) == before + 1
    assert business_report((year, year)).sections[0].tables[0].rows[0].values == [before + 1] * 2


def test_each_figure_equals_its_row_counted_alone(demo: Municipality) -> None:
    """The page counts rows of a kind together; each equals the row counted by itself."""
    periods = seed_periods()
    for line in business_report(periods).rows():
        assert line.values == [metrics.figure(line.row, p) for p in periods], line.row


def test_the_current_year_shows_what_reached_the_coordinating_section(demo: Municipality) -> None:
    """事務局相談受付件数 this year: the つなぐシート sent to 福祉政策課 and the
    cases it opened, a case opened from one of those sheets counted once."""
    _last, current = metrics.default_periods(timezone.localdate())
    row = ReportRow.objects.select_related("organization").get(
        table__business_number=2, label="相談受付件数"
    )
    assert row.metric == Metric.RECEIVED
    section = row.organization
    first, after = current.moments()
    sheets = set(
        Referral.objects.filter(to_organization=section, sent_at__gte=first, sent_at__lt=after)
        .exclude(status__in=[ReferralStatus.DRAFT, ReferralStatus.CANCELLED])
        .values_list("pk", flat=True)
    )
    window = set(
        Consultation.objects.filter(
            organization=section, received_at__gte=first, received_at__lt=after
        ).values_list("pk", flat=True)
    )
    opened = list(
        Case.objects.filter(
            organization=section, opened_on__gte=current.start, opened_on__lte=current.end
        ).select_related("referral")
    )
    from_sheets = [
        case
        for case in opened
        if case.referral is not None
        and case.referral.to_organization_id == section.pk
        and case.referral.status not in (ReferralStatus.DRAFT, ReferralStatus.CANCELLED)
    ]
    assert sheets and opened and from_sheets  # the demo escalates every year
    expected = len(window) + len(sheets) + len(opened) - len(from_sheets)
    assert metrics.figure(row, current) == expected
    assert dict(metrics.figure_parts(row, current)) == {
        "consultation": len(window),
        "referral": len(sheets),
        "case": len(opened) - len(from_sheets),
    }


def test_the_page_shows_the_seed_figures_with_wareki_headings(loaded: Loaded) -> None:
    response = _signed_in("demo-jimukyoku").get(f"/reports/business/?{SEED_QUERY}")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("令和6年度件数", "令和7年4月〜6月件数", "11,308", "35,322", "17,042", "1,106", "Ⅴ 地域づくり事業"):  # fmt: skip
        assert text in html


def test_the_excel_export_holds_the_same_figures_and_layout(loaded: Loaded) -> None:
    response = _signed_in("demo-kanrishoku").get(f"/reports/business/excel/?{SEED_QUERY}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    cells = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert "令和6年度・令和7年4月〜6月" in str(cells[0][0])
    # Walk the sheet as the layout reads: each table's header row, then its rows.
    with tenancy.tenant_context(loaded.demo):
        report = business_report(seed_periods())
    expected = [(line.row.label, *line.values) for line in report.rows()]
    found = []
    headers = 0
    for index, row in enumerate(cells):
        if row[1] == "令和6年度件数" or row[1] == "令和6年度利用者数":
            headers += 1
            assert row[2] in ("令和7年4月〜6月件数", "令和7年4月〜6月利用者数")
            for following in cells[index + 1 :]:
                if following[0] in (None, "") and following[1] is None:
                    break
                found.append((following[0] or "", following[1], following[2]))
    assert headers == len(SEED_000_LAYOUT)
    assert found == expected
    # Section titles in order, Ⅰ to Ⅴ.
    titles = [row[0] for row in cells if isinstance(row[0], str) and row[0][:1] in "ⅠⅡⅢⅣⅤ"]
    assert titles == [
        "Ⅰ 包括的相談支援事業",
        "Ⅱ 多機関協働事業",
        "Ⅲ アウトリーチ等を通じた継続的支援事業",
        "Ⅳ 参加支援事業",
        "Ⅴ 地域づくり事業",
    ]


def test_a_manager_reads_the_report_but_drills_into_nothing(loaded: Loaded) -> None:
    manager = _signed_in("demo-kanrishoku")
    page = manager.get(f"/reports/business/?{SEED_QUERY}")
    assert page.status_code == 200
    assert "11,308" in page.content.decode()
    with tenancy.tenant_context(loaded.demo):
        row = ReportRow.objects.get(
            table__heading="高齢者あんしん相談センター（分室含む）", label="富坂"
        )
        plaza = ReportRow.objects.get(option="親子ひろば利用者数")
    # Links only where the records hold no personal data (counted entries).
    assert f"/reports/business/rows/{row.pk}/" not in page.content.decode()
    assert f"/reports/business/rows/{plaza.pk}/1/" in page.content.decode()
    with tenancy.tenant_context(loaded.demo):
        consultation = Consultation.objects.filter(household__isnull=False).first()
        assert consultation is not None
    query = "start1=2024-04-01&end1=2025-03-31"
    assert manager.get(f"/reports/business/rows/{row.pk}/1/?{query}").status_code == 404
    assert manager.get(f"/people/households/{consultation.household_id}/").status_code == 404
    api = manager.get(
        f"/api/v1/reports/business/rows/{row.pk}/records?start=2024-04-01&end=2025-03-31"
    )
    assert api.status_code == 404


def test_a_counselor_drills_into_their_own_centres_records_only(loaded: Loaded) -> None:
    counselor = _signed_in("demo-soudan")  # 高齢者あんしん相談センター富坂
    with tenancy.tenant_context(loaded.demo):
        tomisaka = ReportRow.objects.get(
            table__heading="高齢者あんしん相談センター（分室含む）", label="富坂"
        )
        otsuka = ReportRow.objects.get(
            table__heading="高齢者あんしん相談センター（分室含む）", label="大塚"
        )
    query = "start1=2024-04-01&end1=2025-03-31"
    own = counselor.get(f"/reports/business/rows/{tomisaka.pk}/1/?{query}")
    assert own.status_code == 200
    html = own.content.decode()
    assert "自機関の記録" in html
    assert "11,308" in html
    other = counselor.get(f"/reports/business/rows/{otsuka.pk}/1/?{query}")
    assert other.status_code == 200
    # The figure is shown; the other centre's records are not.
    assert "10,709" in other.content.decode()
    assert "閲覧できる記録はありません" in other.content.decode()
