"""Process measures of 多機関協働 (reports.md, "Process, not only outcomes"):
how long a household waits from its first consultation to the first 支援会議,
to the person's consent and to a plan, and which cases are still waiting for
consent, for how long.

Pure reads: the functions take the cases (a queryset the caller has already
narrowed to what the viewer may see) and ``today``, so the figures are the
same in a test as on any day.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.cases.models import BEFORE_CONSENT, Case, Consent, Stage
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of, fiscal_year_range


class Start:
    """Where a case's clock starts."""

    CASE_CONSULTATION = "case_consultation"
    HOUSEHOLD_CONSULTATION = "household_consultation"
    OPENED = "opened"

    LABELS: dict[str, Any] = {
        CASE_CONSULTATION: _("ケースのきっかけの相談"),
        HOUSEHOLD_CONSULTATION: _("世帯の最初の相談"),
        OPENED: _("ケースの受付日"),
    }


#: The steps measured from the first consultation: (key, label).
STEPS: tuple[tuple[str, Any], ...] = (
    ("support_meeting", _("初回の支援会議まで")),
    ("consent", _("本人同意まで")),
    ("plan", _("プラン確定まで")),
)


@dataclass(frozen=True)
class CaseMeasure:
    """One case's dates and the days between them."""

    case_id: int
    number: str
    title: str
    stage: str
    organization: str
    opened_on: datetime.date
    start_on: datetime.date
    start: str  # a Start value
    support_meeting_on: datetime.date | None
    consent_on: datetime.date | None
    plan_on: datetime.date | None

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def start_label(self) -> str:
        return str(Start.LABELS[self.start])

    def days_to(self, step: str) -> int | None:
        """Days from the first consultation to ``step``; none when not reached. A
        step recorded before the first consultation (a record entered late)
        counts as the same day."""
        reached: datetime.date | None = getattr(self, f"{step}_on")
        if reached is None:
            return None
        return max((reached - self.start_on).days, 0)

    @property
    def days_to_support_meeting(self) -> int | None:
        return self.days_to("support_meeting")

    @property
    def days_to_consent(self) -> int | None:
        return self.days_to("consent")

    @property
    def days_to_plan(self) -> int | None:
        return self.days_to("plan")

    @property
    def waiting_for_consent(self) -> bool:
        return self.stage in BEFORE_CONSENT


@dataclass(frozen=True)
class Waiting:
    """A case before consent, and how long it has waited."""

    measure: CaseMeasure
    days_since_opened: int
    days_since_support_meeting: int | None


@dataclass(frozen=True)
class Interval:
    """One step across cases: how many reached it, and the median and mean days."""

    key: str
    label: str
    count: int
    median: float | None
    mean: float | None


@dataclass(frozen=True)
class Measures:
    cases: list[CaseMeasure]
    intervals: list[Interval]
    waiting: list[Waiting]


def case_measures(
    cases: QuerySet[Case], consultations: QuerySet[Any] | None = None
) -> list[CaseMeasure]:
    """Each case's first consultation, first held 支援会議, first consent and
    first confirmed plan, in a fixed number of queries.

    The clock starts at the earliest consultation linked to the case, else the
    household's earliest consultation, else the day the case was opened. Only
    consultations in ``consultations`` count (the caller passes the ones the
    viewer may see, so that no date of a record beyond their basis shows)."""
    from tsunagu.consultations.models import Consultation
    from tsunagu.meetings.models import AgendaItem, Kind
    from tsunagu.meetings.models import Status as MeetingStatus
    from tsunagu.plans.models import SupportPlan

    rows = list(cases.select_related("organization").order_by("opened_on", "pk"))
    ids = [case.pk for case in rows]
    if consultations is None:
        consultations = Consultation.objects.all()
    through = Case.consultations.through
    linked = _first(
        through.objects.filter(
            case_id__in=ids, consultation_id__in=consultations.values("pk")
        ).values_list("case_id", "consultation__received_at")
    )
    by_household = _first(
        consultations.filter(household_id__in={case.household_id for case in rows}).values_list(
            "household_id", "received_at"
        )
    )
    meetings = _first(
        AgendaItem.objects.filter(
            case_id__in=ids,
            part__kind=Kind.SUPPORT_MEETING,
            part__meeting__status=MeetingStatus.HELD,
        ).values_list("case_id", "part__meeting__held_on")
    )
    consents = dict(
        Consent.objects.filter(case_id__in=ids, archived_at=None)
        .values("case_id")
        .annotate(first=Min("obtained_on"))
        .values_list("case_id", "first")
    )
    plans = _first(
        SupportPlan.objects.filter(case_id__in=ids, activated_at__isnull=False).values_list(
            "case_id", "activated_at"
        )
    )
    measured = []
    for case in rows:
        if case.pk in linked:
            start, start_on = Start.CASE_CONSULTATION, linked[case.pk]
        elif case.household_id in by_household:
            start, start_on = Start.HOUSEHOLD_CONSULTATION, by_household[case.household_id]
        else:
            start, start_on = Start.OPENED, case.opened_on
        measured.append(
            CaseMeasure(
                case_id=case.pk,
                number=case.number,
                title=case.title,
                stage=case.stage,
                organization=case.organization.name,
                opened_on=case.opened_on,
                start_on=start_on,
                start=start,
                support_meeting_on=meetings.get(case.pk),
                consent_on=consents.get(case.pk),
                plan_on=plans.get(case.pk),
            )
        )
    return measured


def _first(pairs: Iterable[tuple[int, Any]]) -> dict[int, datetime.date]:
    """The earliest date for each key (datetimes read as local dates)."""
    found: dict[int, datetime.date] = {}
    for key, value in pairs:
        if value is None:
            continue
        day: datetime.date = (
            timezone.localdate(value) if isinstance(value, datetime.datetime) else value
        )
        if key not in found or day < found[key]:
            found[key] = day
    return found


def _round(value: float) -> float:
    return round(value, 1)


def intervals(rows: Sequence[CaseMeasure]) -> list[Interval]:
    """For each step, over the cases that reached it: count, median and mean days."""
    summary = []
    for key, label in STEPS:
        days = [d for d in (row.days_to(key) for row in rows) if d is not None]
        summary.append(
            Interval(
                key=key,
                label=str(label),
                count=len(days),
                median=_round(statistics.median(days)) if days else None,
                mean=_round(statistics.fmean(days)) if days else None,
            )
        )
    return summary


def waiting_for_consent(rows: Sequence[CaseMeasure], today: datetime.date) -> list[Waiting]:
    """Cases before consent (受付〜支援会議で検討), the longest waiting first."""
    waiting = [
        Waiting(
            measure=row,
            days_since_opened=max((today - row.opened_on).days, 0),
            days_since_support_meeting=(
                max((today - row.support_meeting_on).days, 0)
                if row.support_meeting_on is not None
                else None
            ),
        )
        for row in rows
        if row.waiting_for_consent
    ]
    return sorted(waiting, key=lambda w: (-w.days_since_opened, w.measure.case_id))


def in_fiscal_year(cases: QuerySet[Case], fiscal_year: int | None) -> QuerySet[Case]:
    """Cases opened in the fiscal year (April to March), or all of them."""
    if fiscal_year is None:
        return cases
    first, last = fiscal_year_range(fiscal_year)
    return cases.filter(opened_on__gte=first, opened_on__lte=last)


def fiscal_years(cases: QuerySet[Case], today: datetime.date) -> list[tuple[int, str]]:
    """The fiscal years cases were opened in, and this one, newest first, with 和暦 labels."""
    years = {fiscal_year_of(today)}
    years |= {fiscal_year_of(day) for day in cases.dates("opened_on", "month")}
    return [(year, fiscal_year_label(year)) for year in sorted(years, reverse=True)]


def measures(
    cases: QuerySet[Case],
    today: datetime.date,
    *,
    consultations: QuerySet[Any] | None = None,
    fiscal_year: int | None = None,
    organization_id: int | None = None,
) -> Measures:
    """The page's figures for ``cases`` (opened in ``fiscal_year``, held by
    ``organization_id``, when given)."""
    cases = in_fiscal_year(cases, fiscal_year)
    if organization_id is not None:
        cases = cases.filter(organization_id=organization_id)
    rows = case_measures(cases, consultations)
    return Measures(cases=rows, intervals=intervals(rows), waiting=waiting_for_consent(rows, today))
