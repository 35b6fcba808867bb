"""Answers to the Tokyo council's yearly survey (seed 004, reports.md §3), from
the records of one fiscal year, and the anonymised totals across the
municipalities one installation serves.

What is counted, item by item (a fiscal year runs from April to March):

- 支援会議 held: sittings with status 開催済み, held in the year, not archived,
  that have a 支援会議 part (read, with the months they sat in, from the
  monthly counts: ``rollups``). A sitting holding a 支援会議 and a 重層的支援会議
  in turn counts once for each kind.
- cases considered: distinct cases on the agenda of those parts (実数), split
  into cases reviewed as 新規 and as モニタリング (a case reviewed both ways in
  the year is in both), and the agenda items themselves (延べ).
- 重層的支援会議 held and cases considered: the same, for its parts.
- plans made: support plans confirmed (``activated_at``) in the year, first
  versions and 再プラン (version 2 or later) apart.
- participation: paths under way at some time in the year
  (:func:`tsunagu.participation.selectors.participation_counts`), those placed
  in a support plan and those before any plan.
- the most outreach contacts to one household in one month
  (:func:`tsunagu.outreach.selectors.contacts_per_household_month`), the
  month(s) it happened in, and the distribution of household-months.
- whether outreach is counted: yes when at least one outreach contact is
  recorded in the year (the product counts every recorded contact).
- how often each kind of meeting sits, from the months with a held sitting
  (:func:`frequency`).
- オンライン相談 received in the year by channel (相談フォーム・LINE・メール),
  those turned into consultations, those answered within one 開庁日 and the
  median time to the first reply (``reports/threads.py`` has the rules).

Archived records are not counted. Every figure is an aggregate over the
current municipality's rows (the models' ``objects`` managers): no names, no
case numbers.

:func:`installation_totals` is the one place that reads across
municipalities, through the ``all_tenants`` managers, and it only ever gives
sums and counts of municipalities, with small ones suppressed (the rules are in
its docstring).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.core.wareki import (
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_range,
    format_wareki_month,
)
from tsunagu.frontdoor.models import Thread
from tsunagu.meetings.models import AgendaItem, Kind
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.outreach.models import OutreachContact
from tsunagu.outreach.selectors import DISTRIBUTION_BUCKETS, contacts_per_household_month
from tsunagu.participation.models import Participation
from tsunagu.participation.selectors import participation_counts
from tsunagu.plans.models import SupportPlan
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import MonthlyCount, RecordKind
from tsunagu.reports.threads import ThreadCounts
from tsunagu.reports.threads import count as count_threads

#: The two statutory meetings the survey asks about.
SURVEY_KINDS = (Kind.SUPPORT_MEETING, Kind.PLAN_MEETING)

#: Fewest municipalities (and fewest contributors to a figure) before a total is shown.
MINIMUM = 3


class Frequency(models.TextChoices):
    """How often a kind of meeting sat in the year (the survey's 開催頻度)."""

    MONTHLY = "monthly", _("毎月")
    BIMONTHLY = "bimonthly", _("隔月程度")
    OCCASIONAL = "occasional", _("随時")
    NONE = "none", _("開催なし")


def _months(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def period_months(
    fiscal_year: int, today: datetime.date, held: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """The months a frequency is judged over: the year's months that have
    ended by ``today`` (all twelve for a past year), and any month with a
    held sitting (the current month once it has one)."""
    start, end = fiscal_year_range(fiscal_year)
    ended = [ym for ym in _months(start, end) if ym < (today.year, today.month)]
    return sorted(set(ended) | set(held))


def frequency(held_months: set[tuple[int, int]], sittings: int, months: int) -> tuple[str, str]:
    """The frequency key and label from the months with a held sitting.

    Over a period of ``months`` months (:func:`period_months`):

    - 開催なし: no sitting held;
    - 毎月: a sitting in every month, allowing one month in twelve without
      (11 of 12 months in a whole year; a shorter period needs every month);
    - 隔月程度: a sitting in at least half of the months (6 of 12);
    - 随時（年n回）: otherwise, n being the number of sittings held.
    """
    count = len(held_months)
    if sittings == 0 or count == 0:
        return Frequency.NONE, str(Frequency.NONE.label)
    if count >= months - months // 12:
        return Frequency.MONTHLY, str(Frequency.MONTHLY.label)
    if count >= math.ceil(months / 2):
        return Frequency.BIMONTHLY, str(Frequency.BIMONTHLY.label)
    return Frequency.OCCASIONAL, str(_("随時（年%(n)d回）") % {"n": sittings})


@dataclass(frozen=True)
class MeetingAnswer:
    """One kind of meeting in the year."""

    kind: str
    held: int
    cases: int
    new_cases: int
    monitoring_cases: int
    agenda_items: int
    months_held: int
    frequency: str
    frequency_label: str

    @property
    def label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass(frozen=True)
class OutreachAnswer:
    counted: bool
    contacts: int
    households: int
    maximum: int
    #: The months (和暦) in which some household had ``maximum`` contacts.
    maximum_months: list[str]
    #: Household-months by number of contacts (DISTRIBUTION_BUCKETS).
    distribution: list[tuple[str, int]]


@dataclass(frozen=True)
class SurveyAnswers:
    fiscal_year: int
    start: datetime.date
    end: datetime.date
    support_meeting: MeetingAnswer
    plan_meeting: MeetingAnswer
    plans_made: int
    first_plans: int
    replans: int
    participation_plan_based: int
    participation_before_plan: int
    outreach: OutreachAnswer
    #: オンライン相談 received in the year (reports/threads.py).
    online: ThreadCounts

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def participation_total(self) -> int:
        return self.participation_plan_based + self.participation_before_plan

    def numbers(self) -> dict[str, int]:
        """The numeric items, by the keys of :data:`ITEMS`."""
        return {item.key: item.value(self) for item in ITEMS}

    @property
    def has_records(self) -> bool:
        """Whether anything at all was counted (the municipality "answers")."""
        return any(self.numbers().values())


@dataclass(frozen=True)
class Item:
    """A numeric item of the survey: its key, label, unit and how it is read."""

    key: str
    label: Any
    unit: Any
    value: Callable[[SurveyAnswers], int]
    #: Items of one group add up (or nearly) to each other: they are suppressed together.
    group: str = ""


ITEMS: tuple[Item, ...] = (
    Item("support_meetings_held", _("支援会議の開催回数"), _("回"), lambda a: a.support_meeting.held),
    Item("support_meeting_cases", _("支援会議の検討ケース数（実数）"), _("件"),
         lambda a: a.support_meeting.cases, "support_cases"),
    Item("support_meeting_new", _("うち新規"), _("件"),
         lambda a: a.support_meeting.new_cases, "support_cases"),
    Item("support_meeting_monitoring", _("うちモニタリング"), _("件"),
         lambda a: a.support_meeting.monitoring_cases, "support_cases"),
    Item("support_meeting_items", _("支援会議の検討件数（延べ）"), _("件"),
         lambda a: a.support_meeting.agenda_items, "support_cases"),
    Item("plan_meetings_held", _("重層的支援会議の開催回数"), _("回"), lambda a: a.plan_meeting.held),
    Item("plan_meeting_cases", _("重層的支援会議の検討ケース数（実数）"), _("件"),
         lambda a: a.plan_meeting.cases, "plan_cases"),
    Item("plan_meeting_new", _("うち新規"), _("件"),
         lambda a: a.plan_meeting.new_cases, "plan_cases"),
    Item("plan_meeting_monitoring", _("うちモニタリング"), _("件"),
         lambda a: a.plan_meeting.monitoring_cases, "plan_cases"),
    Item("plan_meeting_items", _("重層的支援会議の検討件数（延べ）"), _("件"),
         lambda a: a.plan_meeting.agenda_items, "plan_cases"),
    Item("plans_made", _("プラン作成数"), _("件"), lambda a: a.plans_made, "plans"),
    Item("first_plans", _("うち初回プラン"), _("件"), lambda a: a.first_plans, "plans"),
    Item("replans", _("うち再プラン"), _("件"), lambda a: a.replans, "plans"),
    Item("participation_total", _("参加支援の件数"), _("件"),
         lambda a: a.participation_total, "participation"),
    Item("participation_plan_based", _("うち支援プランに基づく支援数"), _("件"),
         lambda a: a.participation_plan_based, "participation"),
    Item("participation_before_plan", _("うち本人同意に基づく支援プラン開始前の支援数"), _("件"),
         lambda a: a.participation_before_plan, "participation"),
    Item("outreach_contacts", _("アウトリーチの件数"), _("件"), lambda a: a.outreach.contacts),
    Item("outreach_households", _("アウトリーチの対象世帯数"), _("世帯"),
         lambda a: a.outreach.households),
    Item("online_received", _("オンライン相談の受信件数"), _("件"),
         lambda a: a.online.total, "online"),
    Item("online_web", _("うち相談フォーム"), _("件"),
         lambda a: a.online.received.get("web", 0), "online"),
    Item("online_line", _("うちLINE"), _("件"),
         lambda a: a.online.received.get("line", 0), "online"),
    Item("online_mail", _("うちメール"), _("件"),
         lambda a: a.online.received.get("mail", 0), "online"),
    Item("online_converted", _("オンライン相談から相談受付にした件数"), _("件"),
         lambda a: a.online.converted, "online"),
    Item("online_answered_in_time", _("1開庁日以内に最初の返信をした件数"), _("件"),
         lambda a: a.online.answered_in_time, "online"),
)  # fmt: skip


# ---------------------------------------------------------------------------
# One municipality's answers.


@dataclass(frozen=True)
class Records:
    """The rows the answers are counted from: one municipality's."""

    municipality_id: int | None
    agenda: QuerySet[AgendaItem]
    plans: QuerySet[SupportPlan]
    participations: QuerySet[Participation]
    contacts: QuerySet[OutreachContact]
    threads: QuerySet[Thread]

    @classmethod
    def current(cls) -> Records:
        """The current municipality's rows (the tenant-scoped managers)."""
        return cls(
            municipality_id=tenancy.current_municipality_id(),
            agenda=AgendaItem.objects.all(),
            plans=SupportPlan.objects.all(),
            participations=Participation.objects.all(),
            contacts=OutreachContact.objects.all(),
            threads=Thread.objects.all(),
        )

    @classmethod
    def of(cls, municipality_id: int) -> Records:
        """Another municipality's rows, read across tenants on purpose (only
        :func:`installation_totals` does, and it gives out anonymised sums)."""
        return cls(
            municipality_id=municipality_id,
            agenda=AgendaItem.all_tenants.filter(municipality_id=municipality_id),
            plans=SupportPlan.all_tenants.filter(municipality_id=municipality_id),
            participations=Participation.all_tenants.filter(municipality_id=municipality_id),
            contacts=OutreachContact.all_tenants.filter(municipality_id=municipality_id),
            threads=Thread.all_tenants.filter(municipality_id=municipality_id),
        )


def _meeting_answers(
    records: Records, fiscal_year: int, today: datetime.date
) -> dict[str, MeetingAnswer]:
    start, end = fiscal_year_range(fiscal_year)
    held = {
        "meeting__status": MeetingStatus.HELD,
        "meeting__held_on__gte": start,
        "meeting__held_on__lte": end,
        "meeting__archived_at": None,
    }
    # The sittings held with a part of each kind, month by month, from the
    # monthly counts (a fiscal year is whole months).
    sittings: dict[str, int] = defaultdict(int)
    months: dict[str, set[tuple[int, int]]] = defaultdict(set)
    if records.municipality_id is not None:
        for kind, month, n in (
            MonthlyCount.all_tenants.filter(
                municipality_id=records.municipality_id,
                record_kind=RecordKind.MEETING,
                kind__in=SURVEY_KINDS,
                month__gte=start,
                month__lte=end,
            )
            .values("kind", "month")
            .annotate(n=Sum("count"))
            .order_by()
            .values_list("kind", "month", "n")
        ):
            if n:
                sittings[kind] += n
                months[kind].add((month.year, month.month))
    cases: dict[str, set[int]] = defaultdict(set)
    reviewed: dict[tuple[str, str], set[int]] = defaultdict(set)
    items: dict[str, int] = defaultdict(int)
    for kind, case_id, review in (
        records.agenda.filter(
            part__kind__in=SURVEY_KINDS,
            archived_at=None,
            **{f"part__{key}": value for key, value in held.items()},
        )
        .order_by()
        .values_list("part__kind", "case_id", "review")
    ):
        cases[kind].add(case_id)
        reviewed[(kind, review)].add(case_id)
        items[kind] += 1
    answers: dict[str, MeetingAnswer] = {}
    for kind in SURVEY_KINDS:
        period = period_months(fiscal_year, today, months[kind])
        key, label = frequency(months[kind], sittings[kind], len(period))
        answers[kind] = MeetingAnswer(
            kind=kind,
            held=sittings[kind],
            cases=len(cases[kind]),
            new_cases=len(reviewed[(kind, AgendaItem.Review.NEW)]),
            monitoring_cases=len(reviewed[(kind, AgendaItem.Review.MONITORING)]),
            agenda_items=items[kind],
            months_held=len(months[kind]),
            frequency=key,
            frequency_label=label,
        )
    return answers


def _outreach_answer(records: Records, start: datetime.date, end: datetime.date) -> OutreachAnswer:
    contacts = records.contacts.filter(archived_at=None)
    counts = contacts_per_household_month(contacts, start, end)
    months: list[str] = []
    if counts.maximum:
        first, after = Period(start, end).moments()
        found = (
            contacts.filter(occurred_at__gte=first, occurred_at__lt=after)
            .annotate(month=TruncMonth("occurred_at"))
            .values("household_id", "month")
            .annotate(n=Count("id"))
            .filter(n=counts.maximum)
            .order_by()
            .values_list("month", flat=True)
        )
        months = [format_wareki_month(y, m) for y, m in sorted({(d.year, d.month) for d in found})]
    return OutreachAnswer(
        counted=counts.contacts > 0,
        contacts=counts.contacts,
        households=counts.households,
        maximum=counts.maximum,
        maximum_months=months,
        distribution=counts.distribution,
    )


def answers_from(
    records: Records, fiscal_year: int, today: datetime.date | None = None
) -> SurveyAnswers:
    """The survey's answers for ``fiscal_year`` counted from ``records``."""
    today = today or timezone.localdate()
    start, end = fiscal_year_range(fiscal_year)
    meetings = _meeting_answers(records, fiscal_year, today)
    first, after = Period(start, end).moments()
    versions = list(
        records.plans.filter(
            activated_at__gte=first, activated_at__lt=after, archived_at=None
        ).values_list("version_number", flat=True)
    )
    paths = participation_counts(records.participations.filter(archived_at=None), start, end)
    return SurveyAnswers(
        fiscal_year=fiscal_year,
        start=start,
        end=end,
        support_meeting=meetings[Kind.SUPPORT_MEETING],
        plan_meeting=meetings[Kind.PLAN_MEETING],
        plans_made=len(versions),
        first_plans=sum(1 for v in versions if v == 1),
        replans=sum(1 for v in versions if v > 1),
        participation_plan_based=paths.plan_based,
        participation_before_plan=paths.before_plan,
        outreach=_outreach_answer(records, start, end),
        online=count_threads(records.threads, Period(start, end)),
    )


def survey_answers(fiscal_year: int, today: datetime.date | None = None) -> SurveyAnswers:
    """The current municipality's answers for ``fiscal_year``."""
    return answers_from(Records.current(), fiscal_year, today)


def default_fiscal_year(today: datetime.date) -> int:
    """The survey answers the last full fiscal year (asked in June about 令和6年度)."""
    return fiscal_year_of(today) - 1


# ---------------------------------------------------------------------------
# Totals across the installation's municipalities, anonymised.


class Suppression(models.TextChoices):
    """Why a total is not shown (a shown total has none: ``SHOWN``)."""

    SMALL = "small", _("合計が小さいため非表示")
    FEW = "few", _("回答した自治体が少ないため非表示")
    GROUP = "group", _("内訳から逆算できるため非表示")


SHOWN = ""


@dataclass(frozen=True)
class Total:
    """One item summed across municipalities (``value`` None when suppressed)."""

    key: str
    label: str
    unit: str
    value: int | None
    #: Municipalities whose own figure is not zero (None when suppressed).
    municipalities: int | None
    suppression: str = SHOWN
    minimum: int = MINIMUM

    @property
    def suppressed(self) -> bool:
        return self.suppression != SHOWN

    @property
    def display(self) -> str:
        if self.suppression == Suppression.SMALL:
            return str(_("%(n)d未満") % {"n": self.minimum})
        if self.suppressed:
            return str(_("秘匿"))
        return f"{self.value}{self.unit}"

    @property
    def municipalities_display(self) -> str:
        if self.municipalities is None:
            return str(_("%(n)d未満") % {"n": self.minimum})
        return str(_("%(n)d自治体") % {"n": self.municipalities})

    @property
    def note(self) -> str:
        return str(Suppression(self.suppression).label) if self.suppressed else ""


@dataclass(frozen=True)
class Category:
    """How many answering municipalities fall in one category (None: suppressed)."""

    label: str
    municipalities: int | None
    minimum: int = MINIMUM

    @property
    def display(self) -> str:
        if self.municipalities is None:
            return str(_("秘匿"))
        return str(_("%(n)d自治体") % {"n": self.municipalities})


@dataclass(frozen=True)
class Distribution:
    """The answering municipalities by category (one question)."""

    key: str
    label: str
    categories: list[Category]

    @property
    def suppressed(self) -> bool:
        return any(c.municipalities is None for c in self.categories)


@dataclass(frozen=True)
class InstallationTotals:
    fiscal_year: int
    minimum: int
    #: Municipalities the installation serves (those of the same kind: real or demo).
    municipalities: int
    #: Municipalities with any record counted in the year (None: not counted,
    #: the installation serving fewer than ``minimum`` municipalities).
    answering: int | None
    totals: list[Total] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def suppressed(self) -> bool:
        """The whole table is withheld: fewer than ``minimum`` municipalities answer."""
        return self.answering is None or self.answering < self.minimum


def installation_municipalities() -> QuerySet[Municipality]:
    """The municipalities the installation serves, as far as totals go: every
    real one, or, for a demo municipality, the demo ones (synthetic figures
    never mix with real ones). Empty with no current municipality."""
    current = tenancy.current_municipality()
    if current is None:
        return Municipality.objects.none()
    return Municipality.objects.filter(is_demo=current.is_demo).order_by("code")


def _total(item: Item, figures: list[int], minimum: int) -> Total:
    contributors = sum(1 for n in figures if n)
    value = sum(figures)
    if contributors == 0:
        suppression = SHOWN
    elif value < minimum:
        suppression = Suppression.SMALL
    elif contributors < minimum:
        suppression = Suppression.FEW
    else:
        suppression = SHOWN
    shown = suppression == SHOWN
    return Total(
        key=item.key,
        label=str(item.label),
        unit=str(item.unit),
        value=value if shown else None,
        municipalities=contributors if shown else None,
        suppression=suppression,
        minimum=minimum,
    )


def _suppress_groups(totals: list[Total]) -> list[Total]:
    """Items that add up to each other go together: when one is suppressed,
    every other non-zero one of its group is too (else it could be recovered
    by subtraction)."""
    groups = {item.key: item.group for item in ITEMS}
    hidden = {groups[t.key] for t in totals if t.suppressed and groups[t.key]}
    result = []
    for total in totals:
        if groups[total.key] in hidden and not total.suppressed and total.value:
            total = Total(
                key=total.key,
                label=total.label,
                unit=total.unit,
                value=None,
                municipalities=None,
                suppression=Suppression.GROUP,
                minimum=total.minimum,
            )
        result.append(total)
    return result


def totals_of(figures: list[dict[str, int]], minimum: int = MINIMUM) -> list[Total]:
    """Each item of :data:`ITEMS` summed over the municipalities' ``figures``
    (one dict per answering municipality), suppressed by rules 2 and 3 of
    :func:`installation_totals`."""
    return _suppress_groups(
        [_total(item, [f.get(item.key, 0) for f in figures], minimum) for item in ITEMS]
    )


def distribution_of(
    key: str, label: str, answers: list[str], order: list[str], minimum: int
) -> Distribution:
    """Municipalities per category; a category of 1 to ``minimum - 1`` is
    suppressed, and then every non-zero category of the question is too (the
    number answering is known, so one hidden cell could be recovered)."""
    counts = {category: sum(1 for a in answers if a == category) for category in order}
    hide = any(0 < n < minimum for n in counts.values())
    return Distribution(
        key=key,
        label=label,
        categories=[
            Category(label=category, municipalities=None if hide and n else n, minimum=minimum)
            for category, n in counts.items()
        ],
    )


def _bucket(maximum: int) -> str:
    for low, high, label in DISTRIBUTION_BUCKETS:
        if maximum >= low and (high is None or maximum <= high):
            return label
    return str(_("記録なし"))


def installation_totals(
    fiscal_year: int, minimum: int = MINIMUM, today: datetime.date | None = None
) -> InstallationTotals:
    """The answers summed across the municipalities the installation serves.

    Anonymisation rules (no municipality's own figure can be read back, not
    even by another municipality of the installation that knows its own):

    1. A municipality *answers* when anything at all is counted for it in the
       year. With fewer than ``minimum`` answering, nothing is shown (the
       table is withheld): only the number of municipalities.
    2. A total is shown when it is 0, or when at least ``minimum``
       municipalities have a non-zero figure for it. A total from 1 to
       ``minimum - 1`` shows 「3未満」; a larger total from fewer contributors
       shows 「秘匿」 — this covers "all but one answer 0", where the total
       would be the one municipality's figure, and two contributors, each of
       whom could subtract its own figure from the total.
    3. Items that add up to each other (cases: 実数・新規・モニタリング・延べ;
       plans: all・初回・再プラン; participation: all・プラン・プラン前) are
       suppressed together.
    4. Questions answered by category (how often meetings sit, whether
       outreach is counted, the most contacts in a month by range) give the
       number of municipalities per category; a category of 1 to
       ``minimum - 1`` suppresses every non-zero category of its question.
    5. The largest single figure (the most contacts to one household in a
       month) is never given: it is one municipality's own.

    Only sums and counts of municipalities leave this function; the rows are
    read with the ``all_tenants`` managers, on purpose, one municipality at a
    time (the same counting as :func:`survey_answers`).
    """
    municipalities = list(installation_municipalities().values_list("pk", flat=True))
    if len(municipalities) < minimum:
        return InstallationTotals(
            fiscal_year=fiscal_year,
            minimum=minimum,
            municipalities=len(municipalities),
            answering=None,
        )
    every = [answers_from(Records.of(pk), fiscal_year, today) for pk in municipalities]
    answering = [answers for answers in every if answers.has_records]
    result = InstallationTotals(
        fiscal_year=fiscal_year,
        minimum=minimum,
        municipalities=len(municipalities),
        answering=len(answering),
    )
    if result.suppressed:
        return result
    totals = totals_of([answers.numbers() for answers in answering], minimum)
    frequencies = [str(choice.label) for choice in Frequency]
    yes, no = str(_("数えている")), str(_("数えていない"))
    buckets = [label for _low, _high, label in DISTRIBUTION_BUCKETS]
    distributions = [
        distribution_of(
            "support_meeting_frequency",
            str(_("支援会議の開催頻度")),
            [str(Frequency(a.support_meeting.frequency).label) for a in answering],
            frequencies,
            minimum,
        ),
        distribution_of(
            "plan_meeting_frequency",
            str(_("重層的支援会議の開催頻度")),
            [str(Frequency(a.plan_meeting.frequency).label) for a in answering],
            frequencies,
            minimum,
        ),
        distribution_of(
            "outreach_counted",
            str(_("アウトリーチの回数を数えているか")),
            [yes if a.outreach.counted else no for a in answering],
            [yes, no],
            minimum,
        ),
        distribution_of(
            "outreach_maximum",
            str(_("一世帯に対する月あたりの最多アプローチ回数")),
            [_bucket(a.outreach.maximum) for a in answering if a.outreach.counted],
            buckets,
            minimum,
        ),
    ]
    return InstallationTotals(
        fiscal_year=fiscal_year,
        minimum=minimum,
        municipalities=len(municipalities),
        answering=len(answering),
        totals=totals,
        distributions=distributions,
    )
