"""Process measures (reports.md, "Process, not only outcomes"): the work
before and around the outcomes, per fiscal year, for a manager to read at a
glance.

- outreach contacts per household per month: how the household-months spread
  over 1回 … 12回以上, the most in one month, and contacts and households month
  by month (:func:`tsunagu.outreach.selectors.contacts_per_household_month`);
- relationship stage changes (:func:`stage_changes`): households whose
  relationship stage (アウトリーチ記録の「関係の段階」) was further along at the
  end of the year than at its start, by the stage they reached — and those
  that stayed or moved back, which are part of the work too;
- days from the first consultation to the first 支援会議, to consent and to a
  plan: the median over the cases opened in each of the last three fiscal
  years (:mod:`tsunagu.cases.measures`);
- supports before a plan and plan-based ones: participation paths under way
  in the year, and the households reached out to, with or without a plan.

Aggregates over the current municipality's rows (the tenant-scoped
``objects`` managers), archived records left out: no names, no case numbers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.cases import measures
from tsunagu.cases.models import Case
from tsunagu.consultations.models import Consultation
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of, fiscal_year_range
from tsunagu.outreach.models import STAGE_ORDER, OutreachContact, Stage
from tsunagu.outreach.selectors import MonthlyCounts, contacts_per_household_month
from tsunagu.participation.models import Participation
from tsunagu.participation.selectors import ParticipationCounts, participation_counts
from tsunagu.reports import charts
from tsunagu.reports.metrics import Period, figure
from tsunagu.reports.models import Metric

#: How many fiscal years the time-to-consent chart compares.
YEARS_COMPARED = 3


@dataclass(frozen=True)
class StageChanges:
    """Households reached out to in the year, by how their relationship stage moved."""

    households: int
    moved_up: int
    unchanged: int
    moved_back: int
    #: (stage label, households that moved up and ended the year there), 接触 to 相談・同意.
    by_stage: list[tuple[str, int]]


def stage_changes(
    contacts: QuerySet[OutreachContact], start: datetime.date, end: datetime.date
) -> StageChanges:
    """Compare each household's stage before ``start`` with its stage at ``end``.

    A household counts when it has a contact from ``start`` to ``end``. Its
    stage before is the stage left by its last contact before ``start``
    (未接触 when none); its stage at the end is the stage left by its last
    contact in the period. It *moved up* when the second is further along the
    path (未接触 → 接触 → 会話 → 関係構築 → 相談・同意)."""
    first, past_end = Period(start, end).moments()
    in_period = contacts.filter(occurred_at__gte=first, occurred_at__lt=past_end)
    rows = (
        contacts.filter(household_id__in=in_period.values("household_id"), occurred_at__lt=past_end)
        .order_by("household_id", "occurred_at", "id")
        .values_list("household_id", "occurred_at", "stage_after")
    )
    before: dict[int, str] = {}
    after: dict[int, str] = {}
    for household_id, occurred_at, stage in rows:
        if occurred_at < first:
            before[household_id] = stage
        else:
            after[household_id] = stage
    moved: dict[str, int] = defaultdict(int)
    unchanged = moved_back = 0
    for household_id, stage in after.items():
        was = STAGE_ORDER.get(before.get(household_id, Stage.NONE), 0)
        now = STAGE_ORDER.get(stage, 0)
        if now > was:
            moved[stage] += 1
        elif now < was:
            moved_back += 1
        else:
            unchanged += 1
    return StageChanges(
        households=len(after),
        moved_up=sum(moved.values()),
        unchanged=unchanged,
        moved_back=moved_back,
        by_stage=[(str(stage.label), moved[stage]) for stage in Stage if stage != Stage.NONE],
    )


@dataclass(frozen=True)
class YearIntervals:
    """The cases opened in one fiscal year and their days to each step."""

    fiscal_year: int
    cases: int
    intervals: list[measures.Interval]

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    def median(self, key: str) -> float | None:
        return next((i.median for i in self.intervals if i.key == key), None)


def intervals_by_year(
    cases: QuerySet[Case],
    consultations: QuerySet[Consultation],
    fiscal_year: int,
    years: int = YEARS_COMPARED,
) -> list[YearIntervals]:
    """For ``fiscal_year`` and the ``years - 1`` before it, oldest first: the
    cases opened in the year (受付年度), with the count, median and mean days
    from the first consultation to each step (:func:`measures.intervals`)."""
    first_year = fiscal_year - years + 1
    start, _end = fiscal_year_range(first_year)
    _start, end = fiscal_year_range(fiscal_year)
    rows = measures.case_measures(
        cases.filter(opened_on__gte=start, opened_on__lte=end), consultations
    )
    by_year: dict[int, list[measures.CaseMeasure]] = defaultdict(list)
    for row in rows:
        by_year[fiscal_year_of(row.opened_on)].append(row)
    return [
        YearIntervals(
            fiscal_year=fy, cases=len(by_year[fy]), intervals=measures.intervals(by_year[fy])
        )
        for fy in range(first_year, fiscal_year + 1)
    ]


@dataclass
class _PlanOutreach:
    """The business report's metric 支援プランに基づくアウトリーチ（世帯数）, whole municipality."""

    metric: str = Metric.PLAN_OUTREACH
    organization_id: int | None = None
    include_branches: bool = False
    district_id: int | None = None
    option: str = ""


@dataclass(frozen=True)
class ProcessMeasures:
    fiscal_year: int
    start: datetime.date
    end: datetime.date
    #: The last day counted: the year's end, or today within the current year.
    until: datetime.date
    outreach: MonthlyCounts
    stages: StageChanges
    years: list[YearIntervals]
    participation: ParticipationCounts
    #: Households reached out to in the year with a contact under a plan in force.
    outreach_with_plan: int

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def outreach_without_plan(self) -> int:
        return self.outreach.households - self.outreach_with_plan

    @property
    def months_counted(self) -> int:
        """Months of the year up to ``until`` (the chart leaves the later ones empty)."""
        return (self.until.year - self.start.year) * 12 + self.until.month - self.start.month + 1


def process_measures(fiscal_year: int, today: datetime.date | None = None) -> ProcessMeasures:
    """The current municipality's process measures for ``fiscal_year``."""
    today = today or timezone.localdate()
    start, end = fiscal_year_range(fiscal_year)
    contacts = OutreachContact.objects.filter(archived_at=None)
    return ProcessMeasures(
        fiscal_year=fiscal_year,
        start=start,
        end=end,
        until=min(max(today, start), end),
        outreach=contacts_per_household_month(contacts, start, end),
        stages=stage_changes(contacts, start, end),
        years=intervals_by_year(
            Case.objects.filter(archived_at=None),
            Consultation.objects.filter(archived_at=None),
            fiscal_year,
        ),
        participation=participation_counts(
            Participation.objects.filter(archived_at=None), start, end
        ),
        outreach_with_plan=figure(_PlanOutreach(), Period(start, end)) or 0,
    )


@dataclass(frozen=True)
class ProcessCharts:
    outreach_distribution: charts.Chart
    outreach_months: charts.Chart
    stages: charts.Chart
    intervals: charts.Chart
    participation: charts.Chart
    outreach_plan: charts.Chart


def process_charts(figures: ProcessMeasures) -> ProcessCharts:
    """The page's charts, each with the table of its figures."""
    months = figures.outreach.by_month
    counted = figures.months_counted
    contacts = [n if i < counted else None for i, (_l, n, _h) in enumerate(months)]
    households = [h if i < counted else None for i, (_l, _n, h) in enumerate(months)]
    # 「令和6年4月」 → 「4月」 on the axis; the table keeps the full label.
    short = [label[label.index("年") + 1 :] if "年" in label else label for label, _n, _h in months]
    return ProcessCharts(
        outreach_distribution=charts.bar_figure(
            "chart-outreach-distribution",
            _("一世帯・一か月あたりの回数の分布"),
            figures.outreach.distribution,
            column=_("世帯×月の数"),
        ),
        outreach_months=charts.line_figure(
            "chart-outreach-months",
            _("月ごとのアウトリーチ件数と対象世帯数"),
            short,
            [charts.Series(_("件数"), contacts), charts.Series(_("世帯数"), households)],
            row_labels=[label for label, _n, _h in months],
        ),
        stages=charts.bar_figure(
            "chart-stages",
            _("関係の段階が進んだ世帯（年度末に到達した段階）"),
            figures.stages.by_stage,
            unit=_("世帯"),
            column=_("世帯数"),
            colour=charts.GREEN,
        ),
        intervals=charts.line_figure(
            "chart-intervals",
            _("最初の相談からの日数（中央値・受付年度別）"),
            [year.label for year in figures.years],
            [
                charts.Series(str(label), [year.median(key) for year in figures.years])
                for key, label in measures.STEPS
            ],
            unit=_("日"),
        ),
        participation=charts.bar_figure(
            "chart-participation",
            _("参加支援：支援プラン開始前の支援とプランに基づく支援"),
            [
                (_("支援プラン開始前"), figures.participation.before_plan),
                (_("支援プランに基づく"), figures.participation.plan_based),
            ],
            unit=_("件"),
            column=_("件数"),
            colour=charts.BROWN,
        ),
        outreach_plan=charts.bar_figure(
            "chart-outreach-plan",
            _("アウトリーチの対象世帯：支援プランの有無"),
            [
                (_("支援プランなし（開始前）"), figures.outreach_without_plan),
                (_("支援プランに基づく"), figures.outreach_with_plan),
            ],
            unit=_("世帯"),
            column=_("世帯数"),
            colour=charts.PURPLE,
        ),
    )
