"""Counting the report's figures from the records.

A row or an indicator names a metric and its parameters (``MetricSpec``);
this module turns that into one queryset of the records behind the figure.
The figure is that queryset counted over the municipality's rows (an
aggregate, which managers may see); the drill-down is the *same* filter over
what the policy lets the viewer see — so a figure and its drill-down can
only differ by what the viewer has no basis to see.

The report pages read most figures from the monthly counts instead
(``figures.Figures``, ``rollups``); ``figure`` here is the count from the
records that the tests hold them equal to, and the drill-down's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
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


#: The policy resources whose records each metric counts (for the drill-down):
#: one kind of record, or several for a figure that adds kinds together.
RESOURCES: dict[str, tuple[str, ...]] = {
    Metric.CONSULTATIONS: ("consultation",),
    Metric.NEW_CONSULTATIONS: ("consultation",),
    Metric.RECEIVED: ("consultation", "referral", "case"),
    Metric.MEETINGS_HELD: ("meeting",),
    Metric.PLAN_OUTREACH: ("outreach_contact",),
    Metric.PLAN_PARTICIPATIONS: ("participation",),
    Metric.ACTIVITIES: ("activity_record",),
    Metric.COUNTED: ("counted_entry",),
    Metric.EVENTS_HELD: ("consultation_event",),
    Metric.EVENT_CONSULTATIONS: ("consultation",),
    Metric.THREADS: ("thread",),
    Metric.THREADS_CONVERTED: ("thread",),
    Metric.THREADS_ANSWERED: ("thread",),
}

#: The オンライン相談 metrics (reports/threads.py): counted in one pass over the
#: period's threads (with the median beside them); the drill-down lists the threads.
THREAD_METRICS = frozenset({Metric.THREADS, Metric.THREADS_CONVERTED, Metric.THREADS_ANSWERED})
THREAD_OPTION_ERROR = _(
    "オンライン相談の行では、種類に経路（相談フォーム・LINE・メール）を選ぶか、「指定しない」にしてください。"
)

#: Metrics whose rows may add a counted entry to the records' count: the
#: contractor's figure of 「*委託事業件数と合算」, its item named in the row's option.
ADDS_COUNTED = frozenset({Metric.CONSULTATIONS, Metric.RECEIVED})

#: The 出張相談会・巡回相談 metrics: their option is the kind of event (or empty: both).
EVENT_METRICS = frozenset({Metric.EVENTS_HELD, Metric.EVENT_CONSULTATIONS})
EVENT_OPTION_ERROR = _(
    "出張相談会・巡回相談の行では、種類に「出張相談会」か「巡回相談」を選ぶか、「指定しない」にしてください。"
)


def resources(spec: Spec) -> tuple[str, ...]:
    """The kinds of record behind a row's figure (none for an entered value)."""
    found = RESOURCES.get(spec.metric, ())
    if spec.metric in ADDS_COUNTED and spec.option:
        found += ("counted_entry",)
    return found


#: What a list of each kind of record reads alongside it (names, and what the
#: policy's bases look at).
RELATED: dict[str, tuple[str, ...]] = {
    "consultation": ("organization",),
    "referral": ("from_organization", "to_organization"),
    "case": ("organization",),
    "meeting": ("organization",),
    "outreach_contact": ("organization",),
    "participation": ("organization", "resource"),
    "activity_record": ("organization", "district"),
    "counted_entry": ("organization",),
    "consultation_event": ("organization", "place__resource"),
    "thread": ("organization",),
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


def _counted(
    records: QuerySet[Any], item: str, organizations: list[int], period: Period
) -> QuerySet[Any]:
    """Counted entries of ``item``: a counted entry is a month, and belongs to
    the period its first day is in."""
    records = records.filter(
        item=item, month__gte=period.start.replace(day=1), month__lte=period.end, archived_at=None
    )
    if organizations:
        records = records.filter(organization_id__in=organizations)
    return records


def _thread_figure(spec: Spec, period: Period) -> int:
    """A オンライン相談 metric over the current municipality's threads."""
    from tsunagu.frontdoor.models import Thread
    from tsunagu.reports import threads

    counts = threads.count(
        Thread.objects.all(), period, spec.option, _organization_ids(spec) or None
    )
    if spec.metric == Metric.THREADS_CONVERTED:
        return counts.converted
    if spec.metric == Metric.THREADS_ANSWERED:
        return counts.answered_in_time
    return counts.total


def _filter(spec: Spec, records: QuerySet[Any], period: Period) -> QuerySet[Any]:
    """The records behind ``spec``'s figure for ``period``, out of ``records``."""
    from tsunagu.meetings.models import Status as MeetingStatus
    from tsunagu.participation.selectors import active_in

    start, end = period.start, period.end
    organizations = _organization_ids(spec)
    metric = spec.metric
    if metric in THREAD_METRICS:
        from tsunagu.reports import threads

        records = threads.received(records, period, spec.option, organizations or None)
        if metric == Metric.THREADS_CONVERTED:
            return records.filter(consultation__isnull=False)
        if metric == Metric.THREADS_ANSWERED:
            return threads.answered_within_a_day(records)
        return records
    if metric in (Metric.CONSULTATIONS, Metric.NEW_CONSULTATIONS):
        first, after = period.moments()
        records = records.filter(received_at__gte=first, received_at__lt=after, archived_at=None)
        if metric == Metric.NEW_CONSULTATIONS:
            records = records.filter(continuity="new")
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
    if metric == Metric.EVENTS_HELD:
        # An event is held on its date; one held by a window counts for it.
        records = records.filter(held_on__gte=start, held_on__lte=end, archived_at=None)
        if spec.option:
            records = records.filter(kind=spec.option)
        if spec.district_id is not None:
            records = records.filter(district_id=spec.district_id)
        if organizations:
            records = records.filter(organization_id__in=organizations)
        return records
    if metric == Metric.EVENT_CONSULTATIONS:
        # The consultations taken at an event held in the period (by its date),
        # counted for the event's holding window.
        records = records.filter(
            event__held_on__gte=start,
            event__held_on__lte=end,
            event__archived_at=None,
            archived_at=None,
        )
        if spec.option:
            records = records.filter(event__kind=spec.option)
        if spec.district_id is not None:
            records = records.filter(event__district_id=spec.district_id)
        if organizations:
            records = records.filter(event__organization_id__in=organizations)
        return records
    if metric == Metric.COUNTED:
        return _counted(records, spec.option, organizations, period)
    raise ValueError(f"metric {metric!r} is not counted from records")


def _model(resource: str) -> Any:
    model = policy.RULES[resource].model()
    assert model is not None
    return model


def _received(
    spec: Spec, period: Period, records: dict[str, QuerySet[Any]]
) -> list[tuple[str, QuerySet[Any]]]:
    """What reached the row's organizations in ``period``, out of ``records``
    (a queryset per resource), each escalation once:

    - consultations taken at their windows;
    - つなぐシート addressed to them and sent (not a draft, not withdrawn by the
      sender; one returned (差戻し) did arrive), from an organization outside
      the row (a hand-off between a centre and its branch does not arrive);
    - cases they opened, unless the case came from one of those つなぐシート
      or from a consultation at their windows — that escalation is already
      counted, when it first arrived, even in an earlier period.

    Whether a case's つなぐシート or consultation counts is decided over all
    the municipality's records (a subquery), never over what a viewer may
    see, so that the drill-down lists exactly the records the figure counts.
    """
    from tsunagu.consultations.models import Consultation
    from tsunagu.referrals.models import Referral
    from tsunagu.referrals.models import Status as ReferralStatus

    organizations = _organization_ids(spec)
    first, after = period.moments()
    taken = Q(archived_at=None)
    held = Q()
    if organizations:
        taken &= Q(organization_id__in=organizations)
        held = Q(organization_id__in=organizations)
    consultations = records["consultation"].filter(
        taken, received_at__gte=first, received_at__lt=after
    )
    cases = (
        records["case"]
        .filter(held, opened_on__gte=period.start, opened_on__lte=period.end, archived_at=None)
        .exclude(Exists(Consultation.objects.filter(taken, cases=OuterRef("pk"))))
    )
    if not organizations:
        # Every organization's records: every sender is inside the row, no つなぐシート arrives.
        return [
            ("consultation", consultations),
            ("referral", records["referral"].none()),
            ("case", cases),
        ]
    arrived = (
        Q(to_organization_id__in=organizations, sent_at__isnull=False, archived_at=None)
        & ~Q(status__in=[ReferralStatus.DRAFT, ReferralStatus.CANCELLED])
        & ~Q(from_organization_id__in=organizations)
    )
    referrals = records["referral"].filter(arrived, sent_at__gte=first, sent_at__lt=after)
    cases = cases.exclude(Exists(Referral.objects.filter(arrived, pk=OuterRef("referral_id"))))
    return [("consultation", consultations), ("referral", referrals), ("case", cases)]


def parts(spec: Spec, period: Period, user: Any = None) -> list[tuple[str, QuerySet[Any]]]:
    """The records behind ``spec``'s figure for ``period``, one queryset per
    kind of record: all the municipality's (``user`` None) or those ``user``
    may list (the same filter: they can only differ by what the viewer has no
    basis to see)."""

    def records(resource: str) -> QuerySet[Any]:
        if user is None:
            return _model(resource)._default_manager.all()
        return policy.visible(user, resource, policy.Action.LIST)

    if spec.metric == Metric.RECEIVED:
        found = _received(
            spec, period, {resource: records(resource) for resource in RESOURCES[spec.metric]}
        )
    else:
        (resource,) = RESOURCES[spec.metric]
        found = [(resource, _filter(spec, records(resource), period))]
    if spec.metric in ADDS_COUNTED and spec.option:
        # 「*委託事業件数と合算」: the contractor's monthly figure, typed as a counted entry.
        found.append(
            (
                "counted_entry",
                _counted(records("counted_entry"), spec.option, _organization_ids(spec), period),
            )
        )
    return found


def amount(resource: str, records: QuerySet[Any]) -> int:
    """What a kind of record adds to a figure: one each, or a counted entry's count."""
    if resource == "counted_entry":
        return int(records.aggregate(total=Sum("count"))["total"] or 0)
    return records.count()


def figure(spec: Spec, period: Period) -> int | None:
    """The figure of ``spec`` for ``period`` over the current municipality's
    records (None for an entered value). An aggregate: no personal data."""
    if spec.metric in THREAD_METRICS:
        return _thread_figure(spec, period)
    if spec.metric not in RESOURCES:
        return None
    if spec.metric == Metric.PLAN_OUTREACH:
        ((_resource, records),) = parts(spec, period)
        return int(records.aggregate(n=Count("household_id", distinct=True))["n"])
    found = parts(spec, period)
    if len(found) > 1 and all(resource != "counted_entry" for resource, _records in found):
        # Records of several kinds, one each: counted in one statement (UNION ALL).
        ids = [records.order_by().values("pk") for _resource, records in found]
        return ids[0].union(*ids[1:], all=True).count()
    return sum(amount(resource, records) for resource, records in found)


def figure_parts(spec: Spec, period: Period) -> list[tuple[str, int]]:
    """A figure that adds kinds of record together, kind by kind (its breakdown)."""
    return [(resource, amount(resource, records)) for resource, records in parts(spec, period)]


def drill_down(user: Any, spec: Spec, period: Period) -> list[tuple[str, QuerySet[Any]]] | None:
    """The records behind a figure that ``user`` may see, per policy resource."""
    if spec.metric not in RESOURCES:
        return None
    return parts(spec, period, user)


def describe(spec: Spec) -> str:
    """What a row counts, in words, for the configuration page and the drill-down."""
    from tsunagu.activities.models import Category, Kind, Mode
    from tsunagu.frontdoor.models import Channel
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
    if spec.metric in THREAD_METRICS and spec.option in Channel.values:
        details.append(str(Channel(spec.option).label))
    if spec.metric in EVENT_METRICS and spec.option:
        from tsunagu.appointments.models import EventKind

        if spec.option in EventKind.values:
            details.append(str(EventKind(spec.option).label))
    if spec.metric in ADDS_COUNTED and spec.option:
        details.append(_("件数入力「%(item)s」を合算") % {"item": spec.option})
    return f"{text}（{'・'.join(details)}）" if details else text


def counting_rule(spec: Spec) -> str:
    """How a row (or an indicator) counts, in a sentence a clerk can check the
    figure against: which records, which date puts them in the period, what is
    left out. Shown under the row on the report page and in the drill-down."""
    rule = str(_counting_rule(spec))
    if spec.metric in ADDS_COUNTED and spec.option:
        rule += str(
            _(
                "さらに、件数入力「%(item)s」（委託事業者の件数など、月ごとに入力した件数）の"
                "期間内の月の合計を足します。"
            )
            % {"item": spec.option}
        )
    return rule


def _counting_rule(spec: Spec) -> Any:
    from tsunagu.meetings.models import Kind as MeetingKind

    organization = getattr(spec, "organization", None)
    district = getattr(spec, "district", None)
    where: Any = organization or _("すべての機関")
    if organization is not None and spec.include_branches:
        where = _("%(organization)s（分室・支所を含む）") % {"organization": organization}
    metric = spec.metric
    if metric == Metric.NEW_CONSULTATIONS:
        return _(
            "%(where)sで受け付けた相談受付のうち、新規のものの件数。受付日時が期間内のものを数えます。"
            "同じ機関で1年以内に同じ世帯・本人の相談受付があるもの、受け付けたつなぐシートや"
            "多機関協働ケースで支援中のものは継続とし、数えません（職員が指定した場合はその区分）。"
        ) % {"where": where}
    if metric == Metric.CONSULTATIONS:
        return _(
            "%(where)sで受け付けた相談受付の件数（延べ）。受付日時が期間内のものを数えます。"
            "他機関からつなぐシートで届いた相談は、受けた機関が相談受付として記録したときに数えます。"
        ) % {"where": where}
    if metric == Metric.RECEIVED:
        return _(
            "%(where)sに届いた相談の件数。窓口で受け付けた相談受付（受付日時が期間内）、"
            "%(where)s宛てに送付されたつなぐシート（送付日時が期間内。下書きと送り手が取り消したものは除き、"
            "差し戻したものは含む）、%(where)sが受け付けた多機関協働ケース（受付日が期間内）を合わせて数えます。"
            "同じ相談は一度だけ数えます。つなぐシートや窓口の相談受付から受け付けたケースは、"
            "そのつなぐシート・相談受付として数え、ケースとしては数えません。"
        ) % {"where": where}
    if metric == Metric.MEETINGS_HELD:
        kind = (
            str(MeetingKind(spec.option).label)
            if spec.option in MeetingKind.values
            else _("すべての種類")
        )
        host = (
            _(
                "主催機関を問わず数えます（他機関が主催し、オブザーバーとして参加した会議も含みます）。"
            )
            if organization is None
            else _("%(where)sが主催した会議を数えます。") % {"where": where}
        )
        return _(
            "開催済みの会議のうち、「%(kind)s」の部がある会議の回数。開催日が期間内のものを数え、"
            "予定・中止の会議は数えません。%(host)s"
        ) % {"kind": kind, "host": host}
    if metric == Metric.PLAN_OUTREACH:
        return _(
            "アウトリーチ等を利用する支援プランが確定した後に、そのケースの支援として記録された"
            "アウトリーチ記録（会えなかった働きかけも含む）がある世帯の数。日時が期間内の記録を数えます"
            "（記録した機関: %(where)s）。ケースに結び付けていない記録は数えません。"
        ) % {"where": where}
    if metric == Metric.PLAN_PARTICIPATIONS:
        return _(
            "期間中に続いていた参加支援（期間の終わりまでに提案され、期間の初めより前に終了・中断して"
            "いないもの）のうち、支援プランに基づくものの件数（担当機関: %(where)s）。"
            "プランの前の参加支援は数えません。"
        ) % {"where": where}
    if metric == Metric.ACTIVITIES:
        return _(
            "活動記録（%(kind)s）の件数。活動日が期間内のものを数えます（地区: %(district)s、"
            "記録した機関: %(where)s）。"
        ) % {
            "kind": describe(spec).removeprefix(str(Metric(metric).label)).strip("（）")
            or _("すべての区分"),
            "district": district if district is not None else _("すべての地区"),
            "where": where,
        }
    if metric in THREAD_METRICS:
        from tsunagu.frontdoor.models import Channel

        channel = (
            str(Channel(spec.option).label)
            if spec.option in Channel.values
            else _("相談フォーム・LINE・メール")
        )
        counted: Any = {
            Metric.THREADS: "",
            Metric.THREADS_CONVERTED: _(
                "そのうち相談受付にしたものだけを数えます（後から相談受付にしたものも、"
                "受信した期間に数えます）。"
            ),
            Metric.THREADS_ANSWERED: _(
                "そのうち、受信した日の翌開庁日（土日・祝日・12月29日〜1月3日を除く）が終わるまでに"
                "職員が最初の返信をしたものだけを数えます。"
            ),
        }[Metric(metric)]
        return _(
            "オンライン相談（%(channel)s）のうち、受信日時が期間内のもの（担当窓口: %(where)s）を"
            "数えます。%(counted)s匿名化したものも数えます。"
        ) % {"channel": channel, "where": where, "counted": counted}
    if metric in EVENT_METRICS:
        from tsunagu.appointments.models import EventKind

        kind = (
            str(EventKind(spec.option).label)
            if spec.option in EventKind.values
            else _("出張相談会・巡回相談")
        )
        if metric == Metric.EVENTS_HELD:
            return _(
                "%(kind)sの開催回数。実施日が期間内のものを数えます（実施機関: %(where)s、"
                "地区: %(district)s）。"
            ) % {
                "kind": kind,
                "where": where,
                "district": district if district is not None else _("すべての地区"),
            }
        return _(
            "%(kind)sで受けた相談受付の件数（相談受付で出張相談会・巡回相談を選んだもの）。"
            "実施日が期間内の会のものを数えます（実施機関: %(where)s、地区: %(district)s）。"
        ) % {
            "kind": kind,
            "where": where,
            "district": district if district is not None else _("すべての地区"),
        }
    if metric == Metric.COUNTED:
        return _(
            "件数入力「%(item)s」の合計（%(where)s）。月ごとに入力した件数のうち、期間内の月のものを"
            "足します。個々の記録からは数えません。"
        ) % {"item": spec.option, "where": where}
    return _("記録からは数えない項目です。")


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
    kinds, the activity kinds and the channels of オンライン相談 (a counted entry's item
    is typed instead)."""
    from tsunagu.appointments.models import EventKind
    from tsunagu.frontdoor.models import Channel
    from tsunagu.meetings.models import Kind as MeetingKind

    return [
        ("", _("指定しない（すべて）")),
        (_("会議の種類"), list(MeetingKind.choices)),
        (_("活動記録の区分・種類"), activity_choices()),
        (_("オンライン相談の経路"), list(Channel.choices)),
        (_("出張相談会・巡回相談の種類"), list(EventKind.choices)),
    ]
