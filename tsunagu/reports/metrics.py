"""Counting the report's figures from the records.

A row or an indicator names a metric and its parameters (``MetricSpec``);
this module turns that into one queryset of the records behind the figure.
The figure is that queryset counted over the municipality's rows (an
aggregate, which managers may see); the drill-down is the *same* filter over
what the policy lets the viewer see — so a figure and its drill-down can
only differ by what the viewer has no basis to see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu import policy
from tsunagu.core import wareki
from tsunagu.reports.models import Metric


class Spec(Protocol):
    metric: str
    organization_id: int | None
    include_branches: bool
    district_id: int | None
    option: str


@dataclass(frozen=True)
class Period:
    """A column of the report: from ``start`` to ``end``, both included."""

    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        """「令和6年度」 for a whole fiscal year, else 「令和7年4月〜6月」."""
        fy = wareki.fiscal_year_of(self.start)
        if (self.start, self.end) == wareki.fiscal_year_range(fy):
            return wareki.fiscal_year_label(fy)
        return wareki.period_label(self.start, self.end)

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as [first moment, moment after the last day) in local time:
        a range over a timestamp column uses its index, a ``__date`` lookup does not."""
        start = datetime.datetime.combine(self.start, datetime.time.min)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(start), timezone.make_aware(after)

    @classmethod
    def fiscal_year(cls, fy: int) -> Period:
        return cls(*wareki.fiscal_year_range(fy))

    @classmethod
    def fiscal_year_to_date(cls, fy: int, today: datetime.date) -> Period:
        """From April of ``fy`` to the end of the last full month before ``today``
        (the months a report can already count); at least April."""
        start, end = wareki.fiscal_year_range(fy)
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return cls(start, min(max(last, start.replace(day=30)), end))


def default_periods(today: datetime.date) -> tuple[Period, Period]:
    """The report's two columns by default: the last full fiscal year and the
    current one to date (seed 000: 令和6年度 and 令和7年4月〜6月)."""
    fy = wareki.fiscal_year_of(today)
    return Period.fiscal_year(fy - 1), Period.fiscal_year_to_date(fy, today)


#: The policy resource whose records each metric counts (for the drill-down).
RESOURCE: dict[str, str] = {
    Metric.CONSULTATIONS: "consultation",
    Metric.MEETINGS_HELD: "meeting",
    Metric.PLAN_OUTREACH: "outreach_contact",
    Metric.PLAN_PARTICIPATIONS: "participation",
    Metric.ACTIVITIES: "activity_record",
    Metric.COUNTED: "counted_entry",
}


def _organization_ids(spec: Spec) -> list[int]:
    from tsunagu.directory.models import Organization

    if spec.organization_id is None:
        return []
    ids = [spec.organization_id]
    if spec.include_branches:
        ids += list(
            Organization.objects.filter(parent_id=spec.organization_id).values_list("pk", flat=True)
        )
    return ids


def activity_option(option: str) -> tuple[str, str, str]:
    """「individual:relationship:direct」 → (category, kind, mode); parts may be empty."""
    parts = [*option.split(":"), "", "", ""][:3]
    return parts[0], parts[1], parts[2]


def _filter(spec: Spec, records: QuerySet[Any], period: Period) -> QuerySet[Any]:
    """The records behind ``spec``'s figure for ``period``, out of ``records``."""
    from tsunagu.meetings.models import Status as MeetingStatus
    from tsunagu.participation.selectors import active_in

    start, end = period.start, period.end
    organizations = _organization_ids(spec)
    metric = spec.metric
    if metric == Metric.CONSULTATIONS:
        first, after = period.moments()
        records = records.filter(received_at__gte=first, received_at__lt=after, archived_at=None)
        if organizations:
            records = records.filter(organization_id__in=organizations)
        return records
    if metric == Metric.MEETINGS_HELD:
        records = records.filter(
            status=MeetingStatus.HELD, held_on__gte=start, held_on__lte=end, archived_at=None
        )
        if spec.option:
            records = records.filter(parts__kind=spec.option)
        if organizations:
            records = records.filter(organization_id__in=organizations)
        return records.distinct()
    if metric == Metric.PLAN_OUTREACH:
        # A contact made for a case whose confirmed plan uses outreach
        # (プランシート: アウトリーチ等を利用する) and was in force by then.
        first, after = period.moments()
        records = records.filter(
            occurred_at__gte=first,
            occurred_at__lt=after,
            archived_at=None,
            case__plans__uses_outreach=True,
            case__plans__activated_at__lte=F("occurred_at"),
        )
        if organizations:
            records = records.filter(organization_id__in=organizations)
        return records.distinct()
    if metric == Metric.PLAN_PARTICIPATIONS:
        records = active_in(records, start, end).filter(plan__isnull=False, archived_at=None)
        if organizations:
            records = records.filter(organization_id__in=organizations)
        return records
    if metric == Metric.ACTIVITIES:
        category, kind, mode = activity_option(spec.option)
        records = records.filter(occurred_on__gte=start, occurred_on__lte=end, archived_at=None)
        if category:
            records = records.filter(category=category)
        if kind:
            records = records.filter(kind=kind)
        if mode:
            records = records.filter(mode=mode)
        if spec.district_id is not None:
            records = records.filter(district_id=spec.district_id)
        if organizations:
            records = records.filter(organization_id__in=organizations)
        return records
    if metric == Metric.COUNTED:
        # A counted entry is a month: it belongs to the period its first day is in.
        records = records.filter(
            item=spec.option, month__gte=start.replace(day=1), month__lte=end, archived_at=None
        )
        if organizations:
            records = records.filter(organization_id__in=organizations)
        return records
    raise ValueError(f"metric {metric!r} is not counted from records")


def _model(metric: str) -> Any:
    model = policy.RULES[RESOURCE[metric]].model()
    assert model is not None
    return model


def figure(spec: Spec, period: Period) -> int | None:
    """The figure of ``spec`` for ``period`` over the current municipality's
    records (None for an entered value). An aggregate: no personal data."""
    if spec.metric not in RESOURCE:
        return None
    records = _filter(spec, _model(spec.metric)._default_manager.all(), period)
    if spec.metric == Metric.COUNTED:
        return int(records.aggregate(total=Sum("count"))["total"] or 0)
    if spec.metric == Metric.PLAN_OUTREACH:
        return int(records.aggregate(n=Count("household_id", distinct=True))["n"])
    return records.count()


def drill_down(user: Any, spec: Spec, period: Period) -> tuple[str, QuerySet[Any]] | None:
    """The records behind a figure that ``user`` may see, and their policy resource."""
    if spec.metric not in RESOURCE:
        return None
    resource = RESOURCE[spec.metric]
    visible = policy.visible(user, resource, policy.Action.LIST)
    return resource, _filter(spec, visible, period)


def describe(spec: Spec) -> str:
    """What a row counts, in words, for the configuration page and the drill-down."""
    from tsunagu.activities.models import Category, Kind, Mode
    from tsunagu.meetings.models import Kind as MeetingKind

    text = str(Metric(spec.metric).label)
    details = []
    if spec.metric == Metric.MEETINGS_HELD and spec.option in MeetingKind.values:
        details.append(str(MeetingKind(spec.option).label))
    if spec.metric == Metric.ACTIVITIES:
        category, kind, mode = activity_option(spec.option)
        details += [
            str(choices(value).label)
            for choices, value in ((Category, category), (Kind, kind), (Mode, mode))
            if value in choices.values
        ]
    if spec.metric == Metric.COUNTED and spec.option:
        details.append(spec.option)
    return f"{text}（{'・'.join(details)}）" if details else text


def activity_choices() -> list[tuple[str, str]]:
    """Every 区分:種類 (and for 個人支援, :直接/間接) an activity option may name,
    with its label."""
    from tsunagu.activities.models import KINDS_BY_CATEGORY, Category, Kind, Mode

    choices = []
    for category, kinds in KINDS_BY_CATEGORY.items():
        category_label = Category(category).label
        for kind in kinds:
            choices.append((f"{category}:{kind}", f"{category_label}・{Kind(kind).label}"))
            if category == Category.INDIVIDUAL:
                choices += [
                    (f"{category}:{kind}:{mode}", f"{category_label}・{Kind(kind).label}・{label}")
                    for mode, label in Mode.choices
                ]
    return choices


def option_choices() -> list[Any]:
    """The 種類 a row or an indicator may name, grouped, in Japanese: the meeting
    kinds and the activity kinds (a counted entry's item is typed instead)."""
    from tsunagu.meetings.models import Kind as MeetingKind

    return [
        ("", _("指定しない（すべて）")),
        (_("会議の種類"), list(MeetingKind.choices)),
        (_("活動記録の区分・種類"), activity_choices()),
    ]
